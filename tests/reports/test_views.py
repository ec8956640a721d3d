"""The organiser's dashboard, deals, exports, PDF report, comparison and tokens; the vendor's
sales and deals. Every permission boundary is tested through the real URLs."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from expo.reports.models import ApiToken, PotentialDeal, ReportJob

pytestmark = pytest.mark.django_db


def _url(name, expo, *args):
    return reverse(f"manage:reports:{name}", args=[expo.slug, *args])


@pytest.fixture
def sales(expo, booths, write):
    at = timezone.now() - timedelta(hours=3)
    order, lines = write.order(
        lines=[(booths[0], 120_000, 2), (booths[1], 35_000, 1)], at=at, country="MY"
    )
    write.order(lines=[(booths[2], 50_000, 1)], at=at, email="budi@example.com")
    write.refund(order, lines[1], 35_000, at + timedelta(hours=1))
    return order


ORGANISER_PAGES = [
    ("dashboard", ()),
    ("figures", ()),
    ("deals", ()),
    ("report", ()),
    ("compare", ()),
    ("api_tokens", ()),
    ("export", ("booths", "csv")),
    ("export", ("all", "xlsx")),
]


@pytest.mark.parametrize(("name", "args"), ORGANISER_PAGES)
def test_organiser_pages_answer(client, organiser, expo, sales, name, args):
    client.force_login(organiser)
    response = client.get(_url(name, expo, *args))
    assert response.status_code == 200


@pytest.mark.parametrize(("name", "args"), ORGANISER_PAGES)
def test_organiser_of_another_office_is_refused(client, make_organiser, expo, sales, name, args):
    stranger = make_organiser(name="Other office")
    client.force_login(stranger)
    response = client.get(_url(name, expo, *args))
    assert response.status_code == 403
    assert b"240.000" not in response.content


@pytest.mark.parametrize(("name", "args"), ORGANISER_PAGES)
def test_vendor_and_buyer_are_refused(client, make_vendor_user, buyer, booths, expo, name, args):
    for user in (make_vendor_user(booths[0]), buyer):
        client.force_login(user)
        assert client.get(_url(name, expo, *args)).status_code == 403


def test_anonymous_is_sent_to_log_in(client, expo):
    response = client.get(_url("dashboard", expo))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_dashboard_shows_the_figures(client, organiser, expo, sales):
    client.force_login(organiser)
    response = client.get(_url("dashboard", expo))
    html = response.content.decode()
    assert "Rp 290.000" in html  # 240,000 + 35,000 + 50,000 − 35,000
    assert f'data-omzet-room="omzet:{expo.pk}"' in html
    assert "Malaysia" in html
    assert 'data-testid="tab-dashboard"' in html


def test_dashboard_query_count_does_not_grow(
    client, organiser, expo, booths, write, django_assert_max_num_queries
):
    client.force_login(organiser)
    at = timezone.now() - timedelta(hours=2)
    write.order(lines=[(booths[0], 1000, 1)], at=at)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get(_url("dashboard", expo))
    for i in range(25):
        write.order(
            lines=[(booths[i % 4], 1000, 1)], at=at - timedelta(hours=i), email=f"x{i}@example.com"
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(_url("dashboard", expo))


def test_platform_admin_sees_every_office(client, admin_user, expo, sales):
    client.force_login(admin_user)
    assert client.get(_url("dashboard", expo)).status_code == 200


# --- Exports ---------------------------------------------------------------------------------------


EVIL = ['=HYPERLINK("http://evil")', "+SUM(A1)", "-2+3", "@cmd", "\tTAB"]


@pytest.fixture
def evil_deals(expo, booths):
    for i, text in enumerate(EVIL):
        PotentialDeal.objects.create(
            expo=expo,
            booth=booths[0],
            vendor=booths[0].vendor,
            buyer_company=text,
            buyer_country="SG",
            product=f"=cmd|'/C calc'!A{i}",
            estimated_value=1000 + i,
        )
    booths[1].vendor.name = "=1+1 Kopi"
    booths[1].vendor.save(update_fields=["name"])


def test_csv_neutralises_formulas(client, organiser, expo, sales, evil_deals):
    client.force_login(organiser)
    response = client.get(_url("export", expo, "deals", "csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    for text in EVIL:
        assert "'" + text in cells
    assert not any(c.startswith(("=", "+", "@", "\t")) for c in cells)
    booth_rows = list(
        csv.reader(
            io.StringIO(
                client.get(_url("export", expo, "booths", "csv")).content.decode("utf-8-sig")
            )
        )
    )
    assert "'=1+1 Kopi" in [row[0] for row in booth_rows]
    # Negative numbers stay numbers.
    assert any(cell == "-35000" for row in booth_rows for cell in row)


def test_xlsx_neutralises_formulas(client, organiser, expo, sales, evil_deals):
    client.force_login(organiser)
    response = client.get(_url("export", expo, "all", "xlsx"))
    book = load_workbook(io.BytesIO(response.content))
    seen = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    seen.append(cell.value)
                    assert cell.data_type == "s", cell.value
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t"))
    assert '\'=HYPERLINK("http://evil")' in seen
    assert "'=1+1 Kopi" in seen
    assert len(book.worksheets) == 14  # with the export-deal funnel and the meetings


def test_unknown_export_is_404(client, organiser, expo):
    client.force_login(organiser)
    assert client.get(_url("export", expo, "nope", "csv")).status_code == 404
    assert client.get(_url("export", expo, "all", "csv")).status_code == 404


@pytest.mark.parametrize("language", ["id", "en"])
def test_pdf_report_is_built_in_the_background(
    client, organiser, expo, sales, language, django_capture_on_commit_callbacks
):
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("report", expo), {"language": language})
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == _url("report_job", expo, job.pk)
    status = client.get(_url("report_job", expo, job.pk) + "?format=json").json()
    assert status["status"] == "done" and status["progress"] == 100
    pdf = client.get(status["download"])
    body = b"".join(pdf.streaming_content)
    assert body.startswith(b"%PDF") and len(body) > 5000


def test_report_job_of_another_expo_is_404(client, organiser, expo, make_expo, sales):
    other = make_expo("open", office=expo.office)
    job = ReportJob.objects.create(expo=other, language="en", status="done", pdf=b"%PDF-1.7")
    client.force_login(organiser)
    assert client.get(_url("report_download", expo, job.pk)).status_code == 404


# --- Deals -----------------------------------------------------------------------------------------


def _vendor_url(name, vendor, *args):
    return reverse(f"vendor_reports:{name}", args=[vendor.slug, *args])


def test_vendor_records_and_organiser_verifies_a_deal(
    client, expo, booths, organiser, make_vendor_user, sales
):
    member = make_vendor_user(booths[0])
    client.force_login(member)
    response = client.post(
        _vendor_url("deals", booths[0].vendor),
        {
            "booth": booths[0].pk,
            "buyer_company": "Tokyo Foods KK",
            "buyer_country": "jp",
            "product": "Batik tulis",
            "estimated_value": "750000000",
            "status": "agreed",
        },
    )
    assert response.status_code == 302
    deal = PotentialDeal.objects.get()
    assert deal.buyer_country == "JP" and deal.verification == "pending"
    before = client.get(_url("dashboard", expo))  # a vendor cannot see it
    assert before.status_code == 403

    client.force_login(organiser)
    client.post(_url("deal_verify", expo, deal.pk), {"decision": "verify", "note": "MoU seen"})
    deal.refresh_from_db()
    assert deal.verification == "verified" and deal.verified_by == organiser
    html = client.get(_url("dashboard", expo)).content.decode()
    assert "Rp 750.000.000" in html  # shown as transaksi potensial
    assert "Rp 290.000" in html  # omzet unchanged


def test_bad_deal_input_changes_nothing(client, booths, make_vendor_user):
    client.force_login(make_vendor_user(booths[0]))
    response = client.post(
        _vendor_url("deals", booths[0].vendor),
        {
            "booth": booths[0].pk,
            "buyer_company": "X",
            "buyer_country": "ZZ",
            "product": "Y",
            "estimated_value": "-5",
            "status": "agreed",
        },
    )
    assert response.status_code == 200
    assert not PotentialDeal.objects.exists()
    assert "not a known country code" in response.content.decode()


def test_vendor_cannot_use_another_vendors_booth_or_deal(client, booths, make_vendor_user):
    other_deal = PotentialDeal.objects.create(
        expo=booths[1].expo,
        booth=booths[1],
        vendor=booths[1].vendor,
        buyer_company="PT A",
        buyer_country="ID",
        product="Kopi",
        estimated_value=5,
    )
    member = make_vendor_user(booths[0])
    client.force_login(member)
    # Another vendor's pages: 403; another vendor's deal through one's own workspace: 404.
    assert client.get(_vendor_url("sales", booths[1].vendor)).status_code == 403
    assert client.get(_vendor_url("deals", booths[1].vendor)).status_code == 403
    assert client.get(_vendor_url("deal_edit", booths[0].vendor, other_deal.pk)).status_code == 404
    response = client.post(
        _vendor_url("deals", booths[0].vendor),
        {
            "booth": booths[1].pk,
            "buyer_company": "X",
            "buyer_country": "ID",
            "product": "Y",
            "estimated_value": "5",
            "status": "agreed",
        },
    )
    assert response.status_code == 200
    assert PotentialDeal.objects.count() == 1


def test_organiser_of_another_office_cannot_verify(client, expo, booths, make_organiser):
    deal = PotentialDeal.objects.create(
        expo=expo,
        booth=booths[0],
        vendor=booths[0].vendor,
        buyer_company="PT A",
        buyer_country="ID",
        product="Kopi",
        estimated_value=5,
    )
    client.force_login(make_organiser(name="Stranger"))
    assert (
        client.post(_url("deal_verify", expo, deal.pk), {"decision": "verify"}).status_code == 403
    )
    deal.refresh_from_db()
    assert deal.verification == "pending"


def test_vendor_sales_page_shows_only_its_own_figures(
    client, expo, booths, make_vendor_user, sales
):
    client.force_login(make_vendor_user(booths[0]))
    html = client.get(_vendor_url("sales", booths[0].vendor)).content.decode()
    assert "Rp 240.000" in html
    assert "Rp 50.000" not in html  # booth 2's sale


def test_deal_lists_cost_the_same_queries_for_more_deals(
    client, expo, booths, organiser, make_vendor_user, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    member = make_vendor_user(booths[0])

    def add(n):
        PotentialDeal.objects.bulk_create(
            PotentialDeal(
                expo=expo,
                booth=booths[0],
                vendor=booths[0].vendor,
                buyer_company=f"PT {i}",
                buyer_country="SG",
                product="Batik",
                estimated_value=1000 + i,
            )
            for i in range(n)
        )

    add(1)
    pages = [
        (organiser, _url("deals", expo)),
        (member, _vendor_url("deals", booths[0].vendor)),
        (member, _vendor_url("sales", booths[0].vendor)),
    ]
    counts = []
    for user, url in pages:
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured.captured_queries))
    add(20)
    for (user, url), count in zip(pages, counts, strict=True):
        client.force_login(user)
        with django_assert_max_num_queries(count):
            client.get(url)


# --- Comparison and tokens -------------------------------------------------------------------------


def test_compare_shows_only_expos_of_the_same_office(client, organiser, expo, make_expo, sales):
    sibling = make_expo("closed", office=expo.office)
    stranger = make_expo("closed")
    client.force_login(organiser)
    html = client.get(_url("compare", expo)).content.decode()
    assert reverse("manage:reports:dashboard", args=[sibling.slug]) in html
    assert stranger.slug not in html
    assert "Rp 290.000" in html


def test_token_is_shown_once_and_stored_hashed(client, organiser, expo):
    client.force_login(organiser)
    response = client.post(_url("api_tokens", expo), {"name": "BPS sync"})
    raw = response.context["created"]["raw"]
    token = ApiToken.objects.get()
    assert raw.startswith("umkm_") and raw not in (token.token_hash, token.lookup)
    assert raw in response.content.decode()
    assert raw not in client.get(_url("api_tokens", expo)).content.decode()
    client.post(_url("api_token_revoke", expo, token.pk))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_other_office_cannot_revoke_a_token(client, expo, organiser, make_organiser, make_expo):
    token = ApiToken.objects.create(office=expo.office, name="x", lookup="abc", token_hash="0" * 64)
    stranger = make_organiser(name="Stranger")
    own = make_expo("open", office=stranger.offices.get())
    client.force_login(stranger)
    response = client.post(reverse("manage:reports:api_token_revoke", args=[own.slug, token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
