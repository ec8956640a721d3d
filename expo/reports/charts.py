"""Server-rendered SVG charts for the dashboard and the PDF report, both drawn by
:func:`dashboard_charts`.

No chart library: each chart is a small inline SVG with a ``viewBox`` that scales to its container,
large type (readable on a projector and on a phone), a title for screen readers, and every text
escaped. The PDF report draws the same SVG.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from expo.money import compact_rupiah

if TYPE_CHECKING:
    from expo.reports.figures import Dashboard

# The design system's colours (app.css tokens), written out: SVG presentation attributes take no
# var(), and the PDF renderer draws the same SVG.
BRAND = "#0f4c5c"
ACCENT = "#e36414"
NEGATIVE = "#b42318"
INK = "#15202b"
MUTED = "#5b6875"
LINE = "#dfe4ea"


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: int = 15,
    anchor: str = "start",
    weight: int = 400,
    fill: str = INK,
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'font-weight="{weight}" fill="{fill}">{escape(text)}</text>'
    )


def _svg(width: int, height: int, title: str, body: list[str], css_class: str) -> SafeString:
    return mark_safe(
        f'<svg class="chart {css_class}" viewBox="0 0 {width} {height}" role="img" '
        f'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="Inter, Segoe UI, DejaVu Sans, Arial, sans-serif">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def bar_chart(
    rows: Sequence[tuple[str, int]],
    *,
    title: str,
    limit: int = 10,
    value_format=compact_rupiah,
    width: int = 440,
) -> SafeString:
    """Horizontal bars, largest first: the label and value on one line, the bar under it (so long
    regency or business names never squeeze the bars on a phone)."""
    shown = list(rows)[:limit]
    row_height, top = 50, 8  # ``width``: 440 fits a half-width card, 900 a full-width one
    height = top + row_height * max(1, len(shown)) + 4
    body: list[str] = []
    if not shown:
        body.append(_text(width / 2, 30, _("No sales yet"), size=17, anchor="middle", fill=MUTED))
        return _svg(width, 48, title, body, "chart-bars")
    peak = max((abs(v) for _label, v in shown), default=0) or 1
    for index, (label, value) in enumerate(shown):
        y = top + index * row_height
        short = label if len(label) <= 28 else label[:27] + "…"
        body.append(_text(0, y + 18, short, size=17))
        body.append(_text(width, y + 18, value_format(value), size=17, anchor="end", weight=700))
        body.append(
            f'<rect x="0" y="{y + 27}" width="{width}" height="11" rx="5.5" fill="{LINE}"/>'
        )
        bar = max(3.0, width * abs(value) / peak) if value else 0
        colour = NEGATIVE if value < 0 else (BRAND if index else ACCENT)
        if bar:
            body.append(
                f'<rect x="0" y="{y + 27}" width="{bar:.1f}" height="11" rx="5.5" fill="{colour}"/>'
            )
    return _svg(width, height, title, body, "chart-bars")


def timeline_chart(
    points: Sequence[tuple[str, int]], *, title: str, max_labels: int = 6
) -> SafeString:
    """Columns over time (hours or days), with three gridlines and thinned axis labels."""
    width, height = 560, 260
    left, right, top, bottom = 104, 8, 16, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    body: list[str] = []
    if not points:
        body.append(_text(width / 2, height / 2, _("No sales yet"), anchor="middle", fill=MUTED))
        return _svg(width, height, title, body, "chart-timeline")
    values = [v for _label, v in points]
    peak = max(max(values), 0) or 1
    floor = min(min(values), 0)
    span = peak - floor or 1

    def y_of(value: float) -> float:
        return top + plot_h * (peak - value) / span

    for fraction in (0, 0.5, 1):
        value = floor + span * fraction
        y = y_of(value)
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{LINE}"/>'
        )
        body.append(
            _text(left - 8, y + 6, compact_rupiah(int(value)), size=16, anchor="end", fill=MUTED)
        )
    slot = plot_w / len(points)
    bar_w = max(2.0, min(36.0, slot * 0.7))
    zero = y_of(0)
    step = max(1, -(-len(points) // max_labels))
    for index, (label, value) in enumerate(points):
        x = left + slot * index + (slot - bar_w) / 2
        y, h = (y_of(value), zero - y_of(value)) if value >= 0 else (zero, y_of(value) - zero)
        colour = NEGATIVE if value < 0 else BRAND
        if value:
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{max(h, 1.5):.1f}" '
                f'rx="2" fill="{colour}"><title>{escape(label)}: {escape(compact_rupiah(value))}</title></rect>'
            )
        if index % step == 0:
            body.append(
                _text(
                    x + bar_w / 2, height - bottom + 22, label, size=13, anchor="middle", fill=MUTED
                )
            )
    return _svg(width, height, title, body, "chart-timeline")


# The dashboard draws every chart; the PDF report these three.
DASHBOARD_CHARTS = (
    "region_chart",
    "sector_chart",
    "size_chart",
    "booth_chart",
    "daily_chart",
    "hourly_chart",
)
PDF_CHARTS = ("region_chart", "sector_chart", "daily_chart")


def dashboard_charts(
    board: Dashboard, names: Sequence[str] = DASHBOARD_CHARTS
) -> dict[str, SafeString]:
    """The charts of an expo's dashboard, keyed by the names the dashboard and the PDF templates
    use; only those in ``names`` are drawn."""
    draw: dict[str, Callable[[], SafeString]] = {
        "region_chart": lambda: bar_chart(
            [(r.label, r.omzet) for r in board.by_region], title=_("Omzet by regency")
        ),
        "sector_chart": lambda: bar_chart(
            [(r.label, r.omzet) for r in board.by_sector], title=_("Omzet by sector")
        ),
        "size_chart": lambda: bar_chart(
            [(r.label, r.omzet) for r in board.by_size], title=_("Omzet by size class")
        ),
        "booth_chart": lambda: bar_chart(
            [(r.label, r.omzet) for r in board.by_booth if r.money.sales], title=_("Top booths")
        ),
        "daily_chart": lambda: timeline_chart(
            [(r.key.strftime("%d/%m"), r.omzet) for r in board.daily],
            title=_("Omzet per day (Asia/Jakarta)"),
        ),
        "hourly_chart": lambda: timeline_chart(
            [(r.key.strftime("%H:00"), r.omzet) for r in board.hourly[-48:]],
            title=_("Omzet per hour, last 48 hours (Asia/Jakarta)"),
        ),
    }
    return {name: draw[name]() for name in names}
