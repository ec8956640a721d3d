"""Cells safe to open in a spreadsheet: every CSV and XLSX the site writes goes through here.

Part of the expo base (imports no other app), so the vendor's order export in ``payments`` and the
office's reports share one rule."""

from __future__ import annotations

from typing import Any

# A cell starting with one of these is run as a formula by Excel, LibreOffice or Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would run as a formula, made inert with a leading apostrophe; numbers
    (negative ones too) and everything else as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
