"""Exports of the dashboard: every table as CSV and XLSX, and the print-ready PDF report.

Text from users (business names, deal companies, banner labels) ends up in spreadsheets: a cell
that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) is neutralised with a leading apostrophe, in CSV and in XLSX alike, and XLSX
cells holding text are always written as text, never as formulas. Numbers stay numbers.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from expo.models import Expo
from expo.reports import charts, selectors
from expo.reports import figures as reports
from expo.reports.figures.funnel import expo_funnel
from expo.reports.models import PotentialDeal
from expo.spreadsheets import neutralise

# WeasyPrint narrates every layout step at INFO; the report's own progress is on its ReportJob.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Table:
    slug: str
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)


class Rupiah(int):
    """An amount in whole rupiah: an ``int`` everywhere (CSV, PDF, sums), which the XLSX writer
    gives the rupiah number format."""


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _money_columns() -> list[str]:
    return [_("Omzet (Rp)"), _("Sales (Rp)"), _("Refunds (Rp)")]


def _money(row: reports.Row) -> list[Rupiah]:
    return [Rupiah(row.omzet), Rupiah(row.money.sales), Rupiah(row.money.refunds)]


def _summary(board: reports.Dashboard) -> Table:
    t = board.totals
    rows = [
        [_("Omzet (Rp)"), Rupiah(t.omzet)],
        *_split_rows(board),
        [_("Sales (Rp)"), Rupiah(t.sales)],
        [_("Refunds (Rp)"), Rupiah(t.refunds)],
        [_("Transactions (paid orders)"), t.transactions],
        [_("Unique buyers"), t.buyers],
        [_("Buyers abroad"), t.buyers_abroad],
        [_("Average order value (Rp)"), Rupiah(t.aov)],
        [_("Items sold"), t.quantity],
        [_("Booths"), t.booths],
        [_("UMKM with at least one sale"), t.vendors_with_sales],
        [_("Booth visits (unique visitors per day)"), t.visits],
        [_("Booth visitors (people, each once)"), t.visitors],
        [_("Conversion: visitors who bought (%)"), _percent(t.conversion)],
        [_("Potential deals, not in omzet (Rp)"), Rupiah(board.deals.value)],
        [_("Potential deals verified (Rp)"), Rupiah(board.deals.verified_value)],
    ]
    return Table("summary", _("Summary"), [_("Figure"), _("Value")], rows)


def _split_rows(board: reports.Dashboard) -> list[list[Any]]:
    """The expo's own omzet (the figure above), the mall's apart and their total; the stand sales
    verified and unverified apart (expo.reports.figures.channels)."""
    split = board.split
    if split is None:
        return []
    return [
        [_("Mall after the expo: omzet (Rp), not in the expo's omzet"), Rupiah(split.mall.omzet)],
        [_("Total: expo and mall (Rp)"), Rupiah(split.total)],
        [_("At the stands, verified (Rp)"), Rupiah(split.offline_verified)],
        [_("At the stands, not verified yet (Rp)"), Rupiah(split.offline_unverified)],
    ]


def _breakdown(
    slug: str, title: str, first: str, rows: Iterable[reports.Row], *, booths: bool
) -> Table:
    columns = [first, *_money_columns(), _("Share of omzet (%)")]
    if booths:
        columns.append(_("UMKM with sales"))
    out = []
    for row in rows:
        line = [row.label, *_money(row), _percent(row.share)]
        if booths:
            line.append(row.extra.get("booths", 0))
        out.append(line)
    return Table(slug, title, columns, out)


def dashboard_tables(board: reports.Dashboard, deals: list[PotentialDeal]) -> list[Table]:
    """Every table of the dashboard, in the order the dashboard shows them."""
    return [
        _summary(board),
        _breakdown(
            "regions", _("Omzet by regency"), _("Regency/city"), board.by_region, booths=True
        ),
        _breakdown("sectors", _("Omzet by sector"), _("Sector"), board.by_sector, booths=True),
        _breakdown(
            "size-classes", _("Omzet by size class"), _("Size class"), board.by_size, booths=True
        ),
        _booths(board.by_booth),
        _countries(board.by_country),
        Table(
            "channels",
            _("Omzet by channel"),
            [_("Channel"), _("Orders"), *_money_columns()],
            [[r.label, r.orders, *_money(r)] for r in board.by_channel],
        ),
        _live_sessions(board.live_sessions),
        _banners(board.banners),
        Table(
            "daily",
            _("Omzet per day (Asia/Jakarta)"),
            [_("Day"), _("Orders"), *_money_columns()],
            [[r.key.isoformat(), r.orders, *_money(r)] for r in board.daily],
        ),
        Table(
            "hourly",
            _("Omzet per hour (Asia/Jakarta)"),
            [_("Hour"), _("Orders"), *_money_columns()],
            [[r.key.strftime("%Y-%m-%d %H:00"), r.orders, *_money(r)] for r in board.hourly],
        ),
        _deals(deals),
        funnel_table(board.expo),
        meetings_table(board.expo),
    ]


def funnel_table(expo: Expo) -> Table:
    """The export-deal funnel per buyer country, sector, regency and UMKM, one row per slice
    (expo.reports.figures.funnel), with the whole expo first."""
    figures = expo_funnel(expo)
    columns = [
        _("Breakdown"),
        _("Slice"),
        _("Quotations"),
        _("Accepted"),
        _("Acceptance (%)"),
        _("Potential (Rp)"),
        _("Agreed (Rp)"),
        _("Realised (Rp)"),
    ]
    rows: list[list[Any]] = [
        [
            _("Expo"),
            expo.title,
            figures.quotations,
            figures.accepted,
            figures.acceptance_rate,
            Rupiah(figures.potential),
            Rupiah(figures.agreed),
            Rupiah(figures.realised),
        ]
    ]
    names = {
        "buyer_country": _("Buyer country"),
        "sector": _("Sector"),
        "region": _("Regency/city"),
        "vendor": _("UMKM"),
    }
    for key, name in names.items():
        rows.extend(
            [
                name,
                r.label,
                r.quotations,
                r.accepted,
                r.acceptance_rate,
                Rupiah(r.potential),
                Rupiah(r.agreed),
                Rupiah(r.realised),
            ]
            for r in figures.by[key]
        )
    return Table("funnel", _("Export deals: potential, agreed, realised"), columns, rows)


def meetings_table(expo: Expo) -> Table:
    """Business meetings requested, confirmed, held and no-shows, and their potential deals, in
    all and per buyer country, sector and UMKM (expo.reports.figures.meetings)."""
    from expo.reports.figures.meetings import meeting_figures

    figures = meeting_figures(expo)
    columns = [
        _("Breakdown"),
        _("Slice"),
        _("Requested"),
        _("Confirmed"),
        _("Held"),
        _("No-shows"),
        _("Potential deals"),
        _("Potential deals (Rp)"),
    ]

    def line(name: str, label: str, c: Any) -> list[Any]:
        counts = [c.requested, c.confirmed, c.held, c.no_shows, c.deals]
        return [name, label, *counts, Rupiah(c.deal_value)]

    rows = [line(_("Expo"), expo.title, figures.total)]
    for key, name in (
        ("buyer_country", _("Buyer country")),
        ("sector", _("Sector")),
        ("vendor", _("UMKM")),
    ):
        rows.extend(line(name, c.label, c) for c in figures.by[key])
    return Table("meetings", _("Business meetings"), columns, rows)


def _booths(rows: list[reports.Row]) -> Table:
    columns = [
        _("UMKM"),
        *_money_columns(),
        _("Orders"),
        _("Items sold"),
        _("Visits"),
        _("Visitors"),
        _("Buyers"),
        _("Conversion (%)"),
    ]
    lines = [
        [
            r.label,
            *_money(r),
            r.orders,
            r.money.quantity,
            r.extra.get("visits", 0),
            r.extra.get("visitors", 0),
            r.extra.get("buyers", 0),
            _percent(r.extra.get("conversion")),
        ]
        for r in rows
    ]
    return Table("booths", _("Omzet by booth"), columns, lines)


def _countries(rows: list[reports.Row]) -> Table:
    columns = [_("Country"), _("Code"), _("Buyers"), _("Orders"), *_money_columns()]
    lines = [[r.label, r.key, r.extra.get("buyers", 0), r.orders, *_money(r)] for r in rows]
    return Table("countries", _("Buyers by country"), columns, lines)


def _live_sessions(rows: list[reports.Row]) -> Table:
    columns = [
        _("Session"),
        _("Booth"),
        _("Starts"),
        _("Viewers now"),
        _("Chat messages"),
        _("Chatters"),
        _("Orders"),
        *_money_columns(),
    ]
    lines = [
        [
            r.label,
            r.extra.get("booth", ""),
            timezone.localtime(r.extra["starts_at"]).strftime("%Y-%m-%d %H:%M")
            if r.extra.get("starts_at")
            else "",
            r.extra.get("viewers_now", 0),
            r.extra.get("messages", 0),
            r.extra.get("chatters", 0),
            r.orders,
            *_money(r),
        ]
        for r in rows
    ]
    return Table("live-sessions", _("Live sessions"), columns, lines)


def _banners(rows: list[reports.Row]) -> Table:
    columns = [
        _("Banner"),
        _("Impressions"),
        _("Clicks"),
        _("CTR (%)"),
        _("Orders"),
        *_money_columns(),
    ]
    lines = [
        [
            r.label,
            r.extra.get("impressions", 0),
            r.extra.get("clicks", 0),
            _percent(r.extra.get("ctr")),
            r.orders,
            *_money(r),
        ]
        for r in rows
    ]
    return Table("banners", _("Banners"), columns, lines)


def _deals(deals: list[PotentialDeal]) -> Table:
    columns = [
        _("UMKM"),
        _("Buyer company"),
        _("Country"),
        _("Product"),
        _("Estimated value (Rp)"),
        _("Status"),
        _("Verification"),
        _("Recorded"),
    ]
    lines = [
        [
            d.vendor.name,
            d.buyer_company,
            d.buyer_country,
            d.product,
            Rupiah(d.estimated_value),
            d.get_status_display(),
            d.get_verification_display(),
            timezone.localtime(d.created_at).strftime("%Y-%m-%d %H:%M"),
        ]
        for d in deals
    ]
    return Table("deals", _("Potential deals (not in omzet)"), columns, lines)


TABLE_SLUGS = (
    "summary",
    "regions",
    "sectors",
    "size-classes",
    "booths",
    "countries",
    "channels",
    "live-sessions",
    "banners",
    "daily",
    "hourly",
    "deals",
    "funnel",
    "meetings",
)


def filename(expo: Expo, table: str, extension: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{slugify(expo.slug)}-{table}-{stamp}.{extension}"


# Excel's rupiah format (locale 0x421, Indonesian): "Rp 1.250.000" in an Indonesian Excel,
# "Rp 1,250,000" in an English one; the cell keeps the number, so sums and charts work.
RUPIAH_FORMAT = "[$Rp-421] #,##0;-[$Rp-421] #,##0"
SHEET_NAME_MAX = 31  # Excel's limit
SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "-"))
COLUMN_WIDTH_MIN, COLUMN_WIDTH_MAX = 8, 60


def sheet_name(title: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """A sheet name from a table's title, within Excel's 31 characters without cutting a word:
    the part in parentheses goes first ("Transaksi potensial (tidak termasuk omzet)" becomes
    "Transaksi potensial"), then whole words from the end; characters Excel refuses become "-"; a
    name already ``taken`` (compared as Excel does, ignoring case) gets a number."""
    # Excel also refuses an apostrophe at either end.
    name = " ".join(str(title).translate(SHEET_NAME_FORBIDDEN).split()).strip("'")
    if len(name) > SHEET_NAME_MAX:
        name = " ".join(re.sub(r"\([^)]*\)", " ", name).split()) or name
    name = _whole_words(name, SHEET_NAME_MAX) or _("Sheet")
    taken_folded = {t.casefold() for t in taken}
    base, n = name, 1
    while name.casefold() in taken_folded:
        n += 1
        suffix = f" {n}"
        name = (_whole_words(base, SHEET_NAME_MAX - len(suffix)) or base[:1]) + suffix
    return name


def _whole_words(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, without dangling
    punctuation; a single word longer than the limit is cut (there is no boundary to use)."""
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[: limit + 1] else text[:limit]
    return cut.rstrip(" -,;(&") or text[:limit]


def _shown_length(value: Any) -> int:
    """About how many characters a cell shows (for the column's width)."""
    if value is None:
        return 0
    if isinstance(value, Rupiah):
        return len(f"Rp {value:,}")
    if isinstance(value, float):
        return len(f"{value:.2f}")
    return max((len(line) for line in str(value).splitlines()), default=0)


def column_widths(table: Table) -> list[float]:
    """A width per column (in Excel's character units) that fits its title and its widest cell,
    within bounds: long free text wraps in Excel rather than making a column a screen wide."""
    widths = []
    for index, title in enumerate(table.columns):
        longest = max(
            [_shown_length(title), *(_shown_length(row[index]) for row in table.rows)], default=0
        )
        widths.append(float(min(max(longest + 2, COLUMN_WIDTH_MIN), COLUMN_WIDTH_MAX)))
    return widths


def to_xlsx(tables: list[Table]) -> bytes:
    """One sheet per table, named after it (within Excel's limit, never cutting a word); text
    cells are text (never formulas), numbers are numbers, rupiah amounts carry the rupiah number
    format; columns are as wide as their contents and the header row stays in view."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    names: set[str] = set()
    for table in tables:
        name = sheet_name(table.title, names)
        names.add(name)
        sheet = book.create_sheet(title=name)
        # Write-only sheets take their layout before the first row.
        for index, width in enumerate(column_widths(table), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"

        def cell(value: Any, *, header: bool = False, sheet=sheet) -> WriteOnlyCell:
            if isinstance(value, Rupiah):  # openpyxl knows numbers by their exact type
                item = WriteOnlyCell(sheet, value=int(value))
                item.number_format = RUPIAH_FORMAT
            else:
                item = WriteOnlyCell(sheet, value=neutralise(value))
                if isinstance(item.value, str):
                    item.data_type = "s"
            if header:
                item.font = bold
            return item

        sheet.append([cell(c, header=True) for c in table.columns])
        for row in table.rows:
            sheet.append([cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- PDF -------------------------------------------------------------------------------------------


def _printable(value: Any) -> Any:
    """Numbers as the report prints them: ``1.250.000`` and ``12,5`` in Indonesian."""
    indonesian = (translation.get_language() or "en").startswith("id")
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        text = f"{value:,}"
        return text.replace(",", ".") if indonesian else text
    if isinstance(value, float):
        text = f"{value:.1f}"
        return text.replace(".", ",") if indonesian else text
    return value


def report_context(board: reports.Dashboard, deals: list[PotentialDeal]) -> dict[str, Any]:
    tables = dashboard_tables(board, deals)
    for table in tables:
        table.rows = [[_printable(v) for v in row] for row in table.rows]
    return {
        "board": board,
        "expo": board.expo,
        "tables": tables,
        **charts.dashboard_charts(board, charts.PDF_CHARTS),
        "generated_at": timezone.localtime(),
    }


def render_pdf(
    expo: Expo, *, language: str, progress: Callable[[int, str], None] | None = None
) -> bytes:
    """The expo's report as a PDF in ``language`` (cover, totals, charts, tables)."""
    from weasyprint import HTML

    def step(percent: int, text: str) -> None:
        if progress is not None:
            progress(percent, text)

    with translation.override(language):
        step(10, _("Counting the figures"))
        board = reports.expo_dashboard(expo)
        deals = list(selectors.expo_deals(expo=expo))
        step(40, _("Drawing the charts"))
        html = render_to_string("reports/pdf.html", report_context(board, deals))
        step(60, _("Laying out the pages"))
        document = HTML(string=html).render()
        step(90, _("Writing the PDF"))
        return document.write_pdf()
