"""The report the office sends upward: naik kelas between two of the office's expos, omzet by
channel (every channel apart, channels with no sales as zero), the PDF in both languages, the XLSX
with a formula-safe row per UMKM, the year view, and who may see them."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from booths.models import Booth, BoothApplication
from expo.models import Expo
from expo.reports.figures import upward
from expo.reports.models import PotentialDeal, ReportJob
from expo.reports.upward_export import layout, upward_html
from payments.models import Channel, SalesLedgerEntry

pytestmark = pytest.mark.django_db

BN = 1_000_000_000


def _apply(expo, booth_or_vendor, turnover, *, grade="", score=None):
    """An approved application with a declared turnover (and the booth it opened)."""
    vendor = getattr(booth_or_vendor, "vendor", booth_or_vendor)
    application = BoothApplication.objects.create(
        expo=expo,
        vendor=vendor,
        status=BoothApplication.Status.APPROVED,
        nib_document="applications/nib/x.pdf",
        stock=BoothApplication.Stock.READY,
        declared_turnover=turnover,
        curation_grade=grade,
        curation_score=score,
    )
    booth = getattr(booth_or_vendor, "vendor", None) and booth_or_vendor
    if booth is None:
        booth = Booth.objects.create(expo=expo, vendor=vendor, slug=f"b-{vendor.pk}-{expo.pk}")
    Booth.objects.filter(pk=booth.pk).update(application=application)
    return application


@pytest.fixture
def last_year(expo, make_expo):
    """An expo of the same office that opened a year before ``expo``."""
    earlier = make_expo("closed", office=expo.office, slug="expo-last-year")
    Expo.objects.filter(pk=earlier.pk).update(
        applications_open_at=expo.applications_open_at - timedelta(days=365),
        application_deadline=expo.application_deadline - timedelta(days=365),
        opens_at=expo.opens_at - timedelta(days=365),
        closes_at=expo.closes_at - timedelta(days=365),
    )
    earlier.refresh_from_db()
    return earlier


@pytest.fixture
def two_years(expo, last_year, booths, make_booth):
    """Four UMKM at both expos: two crossed a class boundary, two did not; one new this year."""
    a, b, c, d = booths  # Batik Sekar, Kopi Gunung, Keripik Solo, Gula Semut
    before = {a: int(1.5 * BN), b: 1 * BN, c: 14 * BN, d: 10 * BN}
    now = {a: 3 * BN, b: int(1.8 * BN), c: 16 * BN, d: 5 * BN}
    for booth, turnover in before.items():
        _apply(last_year, booth.vendor, turnover)
    for booth, turnover in now.items():
        _apply(expo, booth, turnover)
    newcomer = make_booth(expo, name="Tenun Baru")
    _apply(expo, newcomer, 60 * BN)
    return expo


def test_naik_kelas_counts_the_umkm_that_crossed_a_class_boundary(two_years, last_year):
    report = upward.upward_report(two_years)
    assert report.naik_kelas.since == last_year  # the office's previous expo by default
    assert report.naik_kelas.compared == 4  # the newcomer was not at last year's expo
    moved = {m.name: (m.before, m.after) for m in report.naik_kelas.moved}
    assert moved == {"Batik Sekar": ("mikro", "kecil"), "Keripik Solo": ("kecil", "menengah")}
    # The size class at this expo is the declared turnover's.
    sizes = {u.name: u.size_class for u in report.umkm}
    assert sizes["Batik Sekar"] == "kecil" and sizes["Tenun Baru"] == "besar"
    assert sizes["Gula Semut"] == "kecil"  # its profile says medium; it declared Rp 5 bn
    # The earlier expo has nothing before it to compare with.
    assert upward.upward_report(last_year).naik_kelas.since is None


def test_naik_kelas_on_the_page_and_in_the_year_view(client, organiser, two_years, last_year):
    client.force_login(organiser)
    html = client.get(reverse("manage:reports:upward", args=[two_years.slug])).content.decode()
    assert html.count('data-testid="moved-row"') == 2
    assert "Batik Sekar" in html and "Keripik Solo" in html
    year = timezone.localtime(two_years.opens_at).year
    response = client.get(reverse("manage:reports:upward_year", args=[two_years.slug, year]))
    assert response.status_code == 200
    assert [r.expo for r in response.context["reports"]] == [two_years]
    moved = next(r for r in response.context["side"]["main"] if "moved up" in r.label)
    assert moved.values == [2]


def test_omzet_by_channel_keeps_every_channel_apart(expo, booths, write):
    at = timezone.now() - timedelta(hours=2)
    write.order(lines=[(booths[0], 100_000, 1)], at=at, channel="direct")
    write.order(lines=[(booths[0], 50_000, 1)], at=at, channel="live_session")
    write.order(lines=[(booths[1], 20_000, 1)], at=at, channel="banner", country="JP")
    write.order(lines=[(booths[1], 7_000, 1)], at=at, channel="mall")
    report = upward.upward_report(expo)
    keys = [key for key, _label in report.columns]
    assert keys[:5] == ["expo", "mall", "stand", "offline", "quotation"]
    # Every other channel of the ledger has a column of its own.
    assert set(keys) == {"expo"} | (set(Channel.values) - {"direct", "live_session", "banner"})
    assert report.channels["expo"] == 170_000
    assert report.channels["mall"] == 7_000
    assert report.channels["stand"] == report.channels["offline"] == 0
    assert report.channels["quotation"] == 0
    assert report.omzet == 177_000
    # What the rollups give is what the ledger holds, channel by channel.
    ledger = SalesLedgerEntry.objects.filter(expo=expo).values_list("channel", "amount")
    per_channel: dict[str, int] = {}
    for channel, amount in ledger:
        key = upward.channel_key(channel)
        per_channel[key] = per_channel.get(key, 0) + amount
    assert {k: v for k, v in report.channels.items() if v} == per_channel
    batik = next(u for u in report.umkm if u.name == "Batik Sekar")
    assert batik.omzet["expo"] == 150_000 and batik.total == 150_000
    assert {code: n for code, _name, n in report.by_country} == {"ID": 1, "JP": 1}


def test_stand_sales_not_verified_yet_are_named_apart(expo, booths, write, organiser, client):
    from payments.models import OfflineSale, OfflineVerification

    at = timezone.now() - timedelta(hours=1)
    sales = []
    for n, amount in enumerate((300_000, 120_000)):
        order, _lines = write.order(lines=[(booths[0], amount, 1)], at=at, channel="offline")
        sales.append(
            OfflineSale.objects.create(
                order=order,
                expo=expo,
                booth=booths[0],
                vendor=booths[0].vendor,
                payment_method="cash",
                receipt_number=f"R-{n}",
                total=amount,
                recorded_by=organiser,
            )
        )
    check = OfflineVerification.objects.create(
        expo=expo, method="individual", population=1, signed_by=organiser
    )
    OfflineSale.objects.filter(pk=sales[0].pk).update(verification=check)
    report = upward.upward_report(expo)
    assert report.channels["offline"] == 420_000  # all of them in the ledger's offline channel
    assert report.offline_unverified == 120_000  # the part not verified yet, named apart
    batik = next(u for u in report.umkm if u.name == "Batik Sekar")
    assert batik.offline_unverified == 120_000
    client.force_login(organiser)
    html = client.get(reverse("manage:reports:upward", args=[expo.slug])).content.decode()
    assert 'data-testid="up-unverified"' in html and "Rp 120.000" in html


def test_a_channel_missing_from_the_ledger_choices_still_shows_as_zero(monkeypatch):
    monkeypatch.setattr(upward, "Channel", type("C", (), {"choices": [("direct", "Direct")]}))
    keys = [key for key, _label in upward.channel_columns()]
    assert keys == ["expo", "mall", "stand", "offline", "quotation"]


def test_potential_deals_beside_realised_ones(expo, booths, write):
    at = timezone.now() - timedelta(hours=2)
    PotentialDeal.objects.create(
        expo=expo,
        booth=booths[0],
        vendor=booths[0].vendor,
        buyer_company="Osaka Foods",
        buyer_country="JP",
        product="Kopi",
        estimated_value=90_000_000,
        status=PotentialDeal.Status.AGREED,
    )
    write.order(lines=[(booths[0], 40_000_000, 1)], at=at, channel="quotation")
    deals = upward.upward_report(expo).deals
    assert (deals.potential_count, deals.potential_value) == (1, 90_000_000)
    assert (deals.agreed_count, deals.agreed_value) == (1, 90_000_000)
    assert (deals.realised_orders, deals.realised_value) == (1, 40_000_000)


def test_grades_and_scores_per_regency_and_sector(expo, booths):
    _apply(expo, booths[0], BN, grade="A", score=85)
    _apply(expo, booths[1], BN, grade="C", score=40)
    _apply(expo, booths[2], BN, grade="A", score=90)
    _apply(expo, booths[3], BN)  # not scored
    curation = upward.upward_report(expo).curation
    assert curation.total.grades == {"A": 2, "B": 0, "C": 1} and curation.total.unscored == 1
    food = next(r for r in curation.by_sector if r.label == "Food and drink")
    assert food.grades == {"A": 1, "B": 0, "C": 1} and food.unscored == 1
    assert str(food.average) == "65.00"


def test_the_report_costs_the_same_queries_for_more_umkm(
    expo, booths, write, make_booth, django_assert_max_num_queries
):
    at = timezone.now() - timedelta(hours=2)
    for booth in booths:
        _apply(expo, booth, BN)
        write.order(lines=[(booth, 10_000, 1)], at=at)
    with django_assert_max_num_queries(12) as few:
        upward.upward_report(expo)
    for n in range(8):
        booth = make_booth(expo, name=f"More {n}")
        _apply(expo, booth, 3 * BN)
        write.order(lines=[(booth, 10_000, 1)], at=at, country="SG")
    with django_assert_max_num_queries(len(few.captured_queries)):
        upward.upward_report(expo)


# --- The files -----------------------------------------------------------------------------------


def _pdf_text(html: str) -> str:
    """The text WeasyPrint lays out on the PDF's pages (read from its boxes, like the report's
    other PDF tests)."""
    from weasyprint.formatting_structure import boxes

    def walk(box):
        yield box
        for child in getattr(box, "children", None) or ():
            yield from walk(child)

    document = layout(html)
    return " ".join(
        box.text
        for page in document.pages
        for box in walk(page._page_box)
        if isinstance(box, boxes.TextBox)
    )


def test_the_pdf_has_both_languages(two_years, last_year, write, booths):
    write.order(lines=[(booths[1], 125_000, 2)], at=timezone.now(), channel="direct")
    text = _pdf_text(upward_html(two_years)).casefold()
    indonesian_part, _sep, english_part = text.partition("bahasa indonesia")[2].partition(
        "upward report · english"
    )
    assert english_part, "the English part follows the Indonesian one"
    # Each part in its own language: headings, the sectors' own names, months.
    for word in ("omzet per kanal", "pembeli per negara", "kabupaten/kota", "makanan", "desember"):
        assert word in indonesian_part, word
        assert word not in english_part, word
    for word in ("omzet by channel", "buyers by country", "regency/city", "food and drink"):
        assert word in english_part, word
        assert word not in indonesian_part, word
    # The same figures in both: the UMKM that moved up, the omzet (Rp 250.000).
    for part in (indonesian_part, english_part):
        assert "batik sekar" in part and "keripik solo" in part
        assert "rp 250.000" in part or "rp250.000" in part or "250.000" in part


def test_the_year_pdf_keeps_to_the_a4_page(two_years, last_year, booths, write):
    """Expos side by side, long names and large sums: nothing reaches past the page's content box
    (the report's stylesheet is applied: A4 pages)."""
    from weasyprint.formatting_structure import boxes

    write.order(lines=[(booths[0], 987_654_321, 12)], at=timezone.now(), channel="mall")
    year = timezone.localtime(two_years.opens_at).year
    Expo.objects.filter(pk=last_year.pk).update(
        opens_at=two_years.opens_at - timedelta(days=2),
        closes_at=two_years.opens_at - timedelta(days=1),
    )
    document = layout(upward_html(two_years, year=year))
    checked = 0
    for page in document.pages:
        page_box = page._page_box
        assert page_box.margin_width() == pytest.approx(210 / 25.4 * 96, abs=1)
        right_edge = page_box.content_box_x() + page_box.width
        stack = [page_box]
        while stack:
            box = stack.pop()
            stack.extend(getattr(box, "children", None) or ())
            if isinstance(box, (boxes.TableBox, boxes.TableCellBox)) and box.width is not None:
                checked += 1
                assert box.position_x + box.margin_width() <= right_edge + 0.5
    assert checked > 20


def test_the_pdf_is_built_in_the_background_and_downloaded(
    client, organiser, two_years, django_capture_on_commit_callbacks
):
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("manage:reports:upward_pdf", args=[two_years.slug]))
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/report/{job.pk}/")
    assert job.kind == ReportJob.Kind.UPWARD and job.status == ReportJob.Status.DONE
    download = client.get(reverse("manage:reports:report_download", args=[two_years.slug, job.pk]))
    body = b"".join(download.streaming_content)
    assert body.startswith(b"%PDF") and "upward" in download["Content-Disposition"]
    # The omzet report's page lists only its own jobs.
    page = client.get(reverse("manage:reports:report", args=[two_years.slug]))
    assert list(page.context["jobs"]) == []


def test_the_xlsx_has_a_formula_safe_row_per_umkm(client, organiser, expo, booths, write):
    for booth in booths:
        _apply(expo, booth, 3 * BN, grade="B", score=70)
    vendor = booths[0].vendor
    vendor.name, vendor.nib = '=HYPERLINK("http://evil","x")', "9120000000001"
    vendor.save(update_fields=["name", "nib"])
    sector = vendor.sector
    sector.name_en = "@SUM(1+1)"
    sector.save(update_fields=["name_en"])
    write.order(lines=[(booths[0], 250_000, 1)], at=timezone.now(), channel="mall")
    client.force_login(organiser)
    response = client.get(reverse("manage:reports:upward_xlsx", args=[expo.slug]))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    for column in ("NIB", "Regency/city", "Sector", "Size class", "Omzet: Mall (Rp)"):
        assert column in header, column
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == 4
    for row in rows:
        for cell in row:
            assert cell.data_type != "f", cell.value  # no formulas anywhere
            if isinstance(cell.value, str):
                assert not cell.value.startswith(("=", "+", "-", "@")), cell.value
    evil = next(r for r in rows if "HYPERLINK" in str(r[0].value))
    assert evil[0].value.startswith("'=") and evil[3].value == "'@SUM(1+1)"
    assert evil[1].value == "9120000000001"
    assert evil[header.index("Omzet: Mall (Rp)")].value == 250_000
    assert evil[header.index("Size class")].value == "Small (kecil)"


def test_the_year_xlsx_has_a_row_per_umkm_and_expo(client, organiser, two_years, last_year):
    client.force_login(organiser)
    year = timezone.localtime(two_years.opens_at).year
    response = client.get(reverse("manage:reports:upward_year_xlsx", args=[two_years.slug, year]))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet["A1"].value == "Expo"
    assert {row[0].value for row in sheet.iter_rows(min_row=2)} == {two_years.title}


# --- Who may see it --------------------------------------------------------------------------------


def _urls(expo) -> dict[str, str]:
    year = timezone.localtime(expo.opens_at).year
    return {
        "page": reverse("manage:reports:upward", args=[expo.slug]),
        "year": reverse("manage:reports:upward_year", args=[expo.slug, year]),
        "xlsx": reverse("manage:reports:upward_xlsx", args=[expo.slug]),
        "year_xlsx": reverse("manage:reports:upward_year_xlsx", args=[expo.slug, year]),
    }


def test_only_the_offices_organisers_see_the_upward_report(
    client, expo, organiser, booths, make_organiser, make_vendor_user, buyer
):
    stranger = make_organiser()  # an organiser of another office
    vendor = make_vendor_user(booths[0])
    for user in (stranger, vendor, buyer):
        client.force_login(user)
        for name, url in _urls(expo).items():
            assert client.get(url).status_code == 403, (user, name)
        pdf = reverse("manage:reports:upward_pdf", args=[expo.slug])
        assert client.post(pdf).status_code == 403
    assert not ReportJob.objects.exists()
    client.logout()
    for url in _urls(expo).values():
        assert client.get(url).status_code == 302
    client.force_login(organiser)
    for name, url in _urls(expo).items():
        assert client.get(url).status_code == 200, name


def test_the_year_view_shows_only_the_offices_own_expos(client, organiser, expo, make_expo):
    make_expo("open")  # another office's expo in the same year
    client.force_login(organiser)
    year = timezone.localtime(expo.opens_at).year
    response = client.get(reverse("manage:reports:upward_year", args=[expo.slug, year]))
    assert [r.expo for r in response.context["reports"]] == [expo]
    assert (
        client.get(reverse("manage:reports:upward_year", args=[expo.slug, 1900])).status_code == 404
    )


def test_the_upward_report_is_reached_from_the_reports_navigation(client, organiser, expo):
    client.force_login(organiser)
    html = client.get(reverse("manage:reports:dashboard", args=[expo.slug])).content.decode()
    assert reverse("manage:reports:upward", args=[expo.slug]) in html
