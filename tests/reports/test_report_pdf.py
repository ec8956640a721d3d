"""The PDF report: every table fits the A4 page (the live-session table with its ten columns ran off
the right edge), and the report page's download link stays hidden until the file is ready."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from events.models import LiveSession
from expo.reports import figures
from expo.reports.exports import report_context
from expo.reports.models import ReportJob

pytestmark = pytest.mark.django_db

LONG_TITLE = (
    "Live demo: membatik tulis motif Parang Rusak Barong dengan malam dan canting tembaga asli "
    "Pekalongan, tanya jawab bersama pengrajin"
)
# Seen at the source (see _boxes): nothing may reach past the page's content box.
TOLERANCE_PX = 0.5


@pytest.fixture
def busy_expo(expo, booths, write, make_booth):
    """Sessions with long titles and booth names, large sums: the widest the tables get."""
    wide = make_booth(expo, name="Koperasi Batik Tulis Sekar Jagad Pekalongan Utara Sejahtera")
    at = timezone.now() - timedelta(hours=3)
    for n, booth in enumerate([*booths, wide]):
        session = LiveSession.objects.create(
            booth=booth,
            title_en=f"{LONG_TITLE} #{n}",
            title_id=f"{LONG_TITLE} #{n}",
            starts_at=at,
            ends_at=at + timedelta(hours=1),
            stream_url="https://example.com/live",
        )
        for _ in range(3):
            write.order(
                lines=[(booth, 987_654_321, 12)],
                at=at,
                channel="live_session",
                attribution_id=session.pk,
                attribution_label=session.title_en,
                email="pembeli.dengan.alamat.surel.yang.sangat.panjang@example.co.id",
            )
    return expo


def _boxes(box):
    yield box
    for child in getattr(box, "children", None) or ():
        yield from _boxes(child)


@pytest.mark.parametrize("language", ["en", "id"])
def test_every_table_fits_the_a4_page(busy_expo, language, caplog):
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes

    with translation.override(language):
        board = figures.expo_dashboard(busy_expo)
        html = render_to_string("reports/pdf.html", report_context(board, []))
    with caplog.at_level("WARNING", logger="weasyprint"):
        document = HTML(string=html).render()
    assert not [r for r in caplog.records if r.name.startswith("weasyprint")], caplog.text

    tables = 0
    for page in document.pages:
        page_box = page._page_box
        right_edge = page_box.content_box_x() + page_box.width
        # A4 at 96 px per inch: 210 mm wide, less the 16 mm margins on each side.
        assert page_box.margin_width() == pytest.approx(210 / 25.4 * 96, abs=1)
        for box in _boxes(page_box):
            if isinstance(box, boxes.TableBox):
                tables += 1
                assert box.position_x + box.margin_width() <= right_edge + TOLERANCE_PX
            if isinstance(box, (boxes.TableCellBox, boxes.LineBox)) and box.width is not None:
                reaches = box.position_x + box.margin_width()
                assert reaches <= right_edge + TOLERANCE_PX, (
                    f"{type(box).__name__} reaches {reaches:.1f}px, past {right_edge:.1f}px"
                )
    assert tables >= 10  # every table of the report was laid out and checked


def test_the_report_keeps_wide_tables_to_the_page_width():
    """What makes them fit: tables as wide as the page, cells whose text may break anywhere, and a
    smaller type for tables with many columns (the live sessions have ten)."""
    template = Path(settings.BASE_DIR, "expo/reports/templates/reports/pdf.html").read_text()
    style = template.split("<style>")[1].split("</style>")[0]
    table_rule = re.search(r"(?m)^table \{([^}]*)\}", style).group(1)
    assert "max-width: 100%" in table_rule
    cell_rule = re.search(r"(?m)^th, td \{([^}]*)\}", style).group(1)
    assert "overflow-wrap: anywhere" in cell_rule
    assert re.search(r"(?m)^table\.wide \{", style)


# --- The download link --------------------------------------------------------------------------


def test_the_download_link_is_hidden_until_the_report_is_ready(client, expo, organiser):
    job = ReportJob.objects.create(expo=expo, language="en", requested_by=organiser)
    client.force_login(organiser)
    url = reverse("manage:reports:report_job", args=[expo.slug, job.pk])
    html = client.get(url).content.decode()
    link = re.search(r"<a [^>]*data-job-download[^>]*>", html).group(0)
    assert re.search(r"\shidden(\s|>|$)", link), link
    assert client.get(url, {"format": "json"}).json()["download"] is None
    download = reverse("manage:reports:report_download", args=[expo.slug, job.pk])
    assert client.get(download).status_code == 404

    ReportJob.objects.filter(pk=job.pk).update(status="done", progress=100, pdf=b"%PDF-1.7")
    html = client.get(url).content.decode()
    link = re.search(r"<a [^>]*data-job-download[^>]*>", html).group(0)
    assert not re.search(r"\shidden(\s|>|$)", link), link
    assert client.get(url, {"format": "json"}).json()["download"] == download


def test_the_hidden_attribute_wins_over_the_button_style():
    """The link is a .btn, whose display: inline-flex hid nothing: the site's stylesheet makes
    [hidden] hide whatever its component sets."""
    css = Path(settings.BASE_DIR, "frontend/static/frontend/css/app.css").read_text()
    rule = re.search(r"(?m)^\[hidden\] \{([^}]*)\}", css)
    assert rule is not None and re.search(r"display:\s*none\s*!important", rule.group(1))
