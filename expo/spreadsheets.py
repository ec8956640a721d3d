"""Cells safe to open in a spreadsheet: every CSV and XLSX the site writes goes through here.

Part of the expo base (imports no other app), so the vendor's order export in ``payments`` and the
office's reports share one rule and one CSV writer."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from django.utils.functional import Promise

# A cell starting with one of these is run as a formula by Excel, LibreOffice or Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would run as a formula, made inert with a leading apostrophe; numbers
    (negative ones too) and everything else as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cells(row: Iterable[Any]) -> list[Any]:
    # Lazy translations (column titles) become text first, so they are checked like any text.
    return [
        "" if value is None else neutralise(str(value) if isinstance(value, Promise) else value)
        for value in row
    ]


def csv_response(
    columns: Iterable[Any], rows: Iterable[Iterable[Any]], *, filename: str
) -> HttpResponse:
    """A CSV download: a header line of ``columns``, then ``rows`` (any iterable, consumed once), each
    cell neutralised and ``None`` left empty; UTF-8 with a byte-order mark, so spreadsheet programs
    read names with accents right; never cached (exports hold buyers' and vendors' details)."""
    response = HttpResponse(content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(_cells(columns))
    writer.writerows(_cells(row) for row in rows)
    return response
