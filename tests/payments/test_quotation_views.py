"""The quotation pages through the test client: a buyer asks from a booth, the vendor answers from
its workspace, the buyer accepts; bad input changes nothing; another vendor, another buyer and a
guest see nothing of a request, a quotation or its documents."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from booths.models import QuoteRequest
from payments.models import Order, Quotation
from tests.payments.quoting import ask, business_buyer, offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def sambal(booth_a):
    product = booth_a.products.order_by("pk").first()
    product.stock = 5000
    product.save(update_fields=["stock"])
    return product


@pytest.fixture
def importer(make_user):
    return business_buyer(make_user)


@pytest.fixture
def vendor_user(booth_a, make_vendor_user):
    return make_vendor_user(booth_a)


def _lines(prefix: str, rows: list[dict]) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "20",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


def _offer_post(sambal, **terms) -> dict:
    values = {
        "incoterm": "FOB",
        "named_place": "Tanjung Emas, Semarang",
        "lead_time_days": "21",
        "valid_until": (timezone.localdate() + timedelta(days=10)).isoformat(),
        "payment_terms": "deposit",
        "deposit_percent": "30",
        "shipping_terms": "to_agree",
        "shipping_amount": "",
        "note": "",
    }
    values.update(terms)
    return values | _lines(
        "form",
        [
            {
                "product": str(sambal.pk),
                "name_en": "Sambal jar",
                "name_id": "Sambal toples",
                "quantity": "1000",
                "unit": "jar",
                "min_quantity": "500",
                "unit_price": "29000",
                "hs_code": "2103.90",
                "weight_grams": "200",
            }
        ],
    )


def test_booth_page_links_to_the_request_form(client, booth_a, sambal):
    html = client.get(reverse("booths:booth", args=[booth_a.expo.slug, booth_a.slug])).content
    assert reverse("payments:quote_ask", args=[booth_a.expo.slug, booth_a.slug]).encode() in html


def test_asking_needs_a_sign_in_and_a_profile(client, booth_a, sambal, buyer):
    url = reverse("payments:quote_ask", args=[booth_a.expo.slug, booth_a.slug])
    assert client.get(url).status_code == 302
    client.force_login(buyer)  # no business profile yet
    response = client.get(url)
    assert response.status_code == 302 and reverse("buyer_profile") in response["Location"]


def test_buyer_asks_vendor_quotes_buyer_accepts(client, booth_a, sambal, importer, vendor_user):
    url = reverse("payments:quote_ask", args=[booth_a.expo.slug, booth_a.slug])
    client.force_login(importer)
    assert client.get(url, {"product": sambal.slug}).status_code == 200
    post = {
        "destination_country": "QA",
        "destination_place": "Hamad Port",
        "incoterm": "FOB",
        "wanted_by": (timezone.localdate() + timedelta(days=40)).isoformat(),
        "needs_halal": "on",
        "packaging": "",
        "note": "<script>alert(1)</script>",
    } | _lines("form", [{"product": str(sambal.pk), "quantity": "1000", "unit": "jar"}])
    response = client.post(url, post)
    request = QuoteRequest.objects.get()
    assert response.status_code == 302 and request.code in response["Location"]
    assert request.needs_halal and request.lines.get().quantity == 1000
    page = client.get(reverse("payments:quote", args=[request.code])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page

    client.force_login(vendor_user)
    vendor_url = reverse("payments:vendor_quote", args=[booth_a.vendor.slug, request.code])
    listing = client.get(reverse("payments:vendor_quotes", args=[booth_a.vendor.slug]))
    assert request.code in listing.content.decode()
    page = client.get(vendor_url).content.decode()
    assert "Doha Fine Foods" in page  # the profile, shared with consent
    response = client.post(vendor_url, _offer_post(sambal))
    assert response.status_code == 302
    quotation = Quotation.objects.get()
    assert quotation.total == 29_000_000

    client.force_login(importer)
    accept = {
        "revision": "1",
        "email": "fatima@example.qa",
        "name": "Fatima",
        "phone": "+974 4444 1234",
        "country": "QA",
        "address": "Street 230",
        "city": "Doha",
        "state": "",
        "postal_code": "",
        "provider": "manual",
    }
    response = client.post(reverse("payments:quote_accept", args=[request.code]), accept)
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.channel == "quotation" and order.payments.get().amount == 8_700_000
    page = client.get(reverse("payments:quote", args=[request.code])).content.decode()
    assert order.code in page and 'data-testid="doc-proforma"' in page
    pdf = client.get(reverse("payments:quote_document", args=[request.code, "proforma"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert (
        client.get(reverse("payments:quote_document", args=[request.code, "invoice"])).status_code
        == 404
    )


def test_bad_offer_changes_nothing(client, booth_a, sambal, importer, vendor_user):
    request = ask(booth_a, importer)
    client.force_login(vendor_user)
    url = reverse("payments:vendor_quote", args=[booth_a.vendor.slug, request.code])
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(url, _offer_post(sambal, valid_until=past))
    assert response.status_code == 400 and "validity date has passed" in response.content.decode()
    response = client.post(url, _offer_post(sambal, payment_terms="deposit", deposit_percent="95"))
    assert response.status_code == 400
    assert not Quotation.objects.exists()


def test_stale_acceptance_is_refused_on_the_page(client, booth_a, sambal, importer, vendor_user):
    request = ask(booth_a, importer)
    offer(request, vendor_user)
    offer(request, vendor_user, unit_price=28_000)  # revision 2 while the buyer read 1
    client.force_login(importer)
    response = client.post(
        reverse("payments:quote_accept", args=[request.code]),
        {
            "revision": "1",
            "email": "a@example.qa",
            "name": "A",
            "phone": "+974 4444 1234",
            "country": "QA",
            "address": "x",
            "city": "Doha",
            "provider": "manual",
        },
    )
    assert response.status_code == 400 and "newer revision" in response.content.decode()
    assert not Order.objects.exists()


def test_others_see_nothing(
    client,
    booth_a,
    booth_b,
    sambal,
    importer,
    vendor_user,
    make_vendor_user,
    make_user,
    make_organiser,
):
    request = ask(booth_a, importer)
    offer(request, vendor_user)
    other_vendor = make_vendor_user(booth_b)
    client.force_login(other_vendor)
    # Its own workspace does not find another vendor's request; the other vendor's is forbidden.
    assert (
        client.get(
            reverse("payments:vendor_quote", args=[booth_b.vendor.slug, request.code])
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("payments:vendor_quote", args=[booth_a.vendor.slug, request.code])
        ).status_code
        == 403
    )
    assert client.get(reverse("payments:quote", args=[request.code])).status_code == 404
    assert (
        request.code
        not in client.get(
            reverse("payments:vendor_quotes", args=[booth_b.vendor.slug])
        ).content.decode()
    )

    stranger = business_buyer(make_user, country="SG")
    client.force_login(stranger)
    for name in ("payments:quote",):
        assert client.get(reverse(name, args=[request.code])).status_code == 404
    for name in ("payments:quote_decline", "payments:quote_revise", "payments:quote_withdraw"):
        assert client.post(reverse(name, args=[request.code]), {"note": "x"}).status_code == 404
    assert request.code not in client.get(reverse("payments:quotes")).content.decode()

    elsewhere = make_organiser()  # an organiser of another office
    client.force_login(elsewhere)
    assert client.get(reverse("payments:quote", args=[request.code])).status_code == 404
    assert (
        client.get(
            reverse("payments:vendor_quote", args=[booth_a.vendor.slug, request.code])
        ).status_code
        == 403
    )

    client.logout()
    assert client.get(reverse("payments:quote", args=[request.code])).status_code == 302
    request.refresh_from_db()
    assert request.status == "quoted" and Quotation.objects.get().status == "sent"


def test_admin_shows_the_deal_read_only(client, admin_user, booth_a, sambal, importer, vendor_user):
    quotation = offer(ask(booth_a, importer), vendor_user)
    client.force_login(admin_user)
    for model in (
        "booths/quoterequest",
        "payments/quotation",
        "payments/quotationrevision",
        "booths/lead",
    ):
        assert client.get(f"/admin/{model}/").status_code == 200, model
    page = client.get(f"/admin/payments/quotation/{quotation.pk}/change/")
    assert page.status_code == 200 and quotation.code in page.content.decode()
    assert client.get("/admin/payments/quotation/add/").status_code == 403
