"""The upward report's files: one XLSX with a row per UMKM (formula-safe through
:func:`expo.reports.exports.to_xlsx`, like every export) and one PDF in both languages, Bahasa
Indonesia first, then English (built in the background by the report job).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from expo.models import Expo
from expo.reports.exports import Rupiah, Table, to_xlsx
from expo.reports.figures import upward

JAKARTA = zoneinfo.ZoneInfo(settings.TIME_ZONE)
# The PDF's languages, in the order its parts come.
PDF_LANGUAGES = ("id", "en")


def umkm_table(reports: list[upward.UpwardReport], *, with_expo: bool = False) -> Table:
    """One row per UMKM (per expo, with ``with_expo``): NIB, regency, sector, size class, declared
    turnover, curation grade and omzet per channel with the total."""
    columns = reports[0].columns if reports else upward.channel_columns()
    head = [
        *([_("Expo")] if with_expo else []),
        _("UMKM"),
        _("NIB"),
        _("Regency/city"),
        _("Sector"),
        _("Size class"),
        _("Declared annual turnover (Rp)"),
        _("Curation grade"),
        _("Curation score"),
        *[_("Omzet: %(channel)s (Rp)") % {"channel": label} for _key, label in columns],
        _("Omzet, all channels (Rp)"),
        _("Of which stand sales not verified yet (Rp)"),
    ]
    rows = []
    for report in reports:
        for item in report.umkm:
            rows.append(
                [
                    *([report.expo.title] if with_expo else []),
                    item.name,
                    item.nib,
                    item.region,
                    item.sector,
                    item.size_label,
                    Rupiah(item.turnover) if item.turnover is not None else None,
                    item.grade,
                    float(item.score) if item.score is not None else None,
                    *[Rupiah(item.omzet.get(key, 0)) for key, _label in columns],
                    Rupiah(item.total),
                    Rupiah(item.offline_unverified),
                ]
            )
    return Table("umkm", _("UMKM taking part"), head, rows)


def xlsx(reports: list[upward.UpwardReport], *, with_expo: bool = False) -> bytes:
    return to_xlsx([umkm_table(reports, with_expo=with_expo)])


def filename(expo: Expo, extension: str, *, year: int | None = None) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    scope = f"{slugify(expo.office.slug)}-{year}" if year else slugify(expo.slug)
    return f"{scope}-upward-{stamp}.{extension}"


def _context(expo: Expo, year: int | None, since: Expo | None) -> dict[str, Any]:
    if year is None:
        return {"report": upward.upward_report(expo, since=since)}
    reports = upward.year_reports(expo.office_id, year, JAKARTA)
    return {"reports": reports, "side": upward.side_by_side(reports)}


def upward_html(
    expo: Expo,
    *,
    year: int | None = None,
    since: Expo | None = None,
    progress: Callable[[int, str], None] | None = None,
) -> str:
    """The PDF's HTML: a part in each language; the figures are read once per language, so every
    label (channels, size classes, countries) is in its part's language."""
    parts = []
    for n, language in enumerate(PDF_LANGUAGES):
        with translation.override(language):
            if progress is not None:
                progress(10 + 40 * n, _("Counting the figures"))
            parts.append(
                render_to_string(
                    "reports/upward_pdf_part.html",
                    {
                        "expo": expo,
                        "year": year,
                        "language": language,
                        "generated_at": timezone.localtime(),
                        **_context(expo, year, since),
                    },
                )
            )
    return render_to_string("reports/upward_pdf.html", {"expo": expo, "parts": parts})


def render_pdf(
    expo: Expo,
    *,
    year: int | None = None,
    since: Expo | None = None,
    progress: Callable[[int, str], None] | None = None,
) -> bytes:
    """The upward report of ``expo`` (or of its office's ``year``) as one PDF in both languages."""
    html = upward_html(expo, year=year, since=since, progress=progress)
    if progress is not None:
        progress(90, _("Writing the PDF"))
    return layout(html).write_pdf()


def layout(html: str) -> Any:
    """The PDF's pages laid out by WeasyPrint (a ``weasyprint.Document``), with the report's own
    stylesheet (a file of its own: pages never carry a style element, see the CSP)."""
    from weasyprint import CSS, HTML

    style = CSS(string=render_to_string("reports/upward_pdf.css"))
    return HTML(string=html).render(stylesheets=[style])
