"""Where a request for quotation comes from: a product page (the product chosen), a buyer's private
question, a meeting — each page links to the request form, and the request records its source. A
question or meeting of another buyer, or with another vendor, is ignored (the source is "booth")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from booths.models import QuoteRequest
from events.models import Inquiry
from tests.events.meetings import make_meeting
from tests.payments.quoting import business_buyer

pytestmark = pytest.mark.django_db


@pytest.fixture
def sambal(booth_a):
    return booth_a.products.order_by("pk").first()


@pytest.fixture
def importer(make_user):
    return business_buyer(make_user)


@pytest.fixture
def vendor_user(booth_a, make_vendor_user):
    return make_vendor_user(booth_a)


def _ask_url(booth) -> str:
    return reverse("payments:quote_ask", args=[booth.expo.slug, booth.slug])


def _post(client, url: str, product) -> QuoteRequest:
    data = {
        "destination_country": "QA",
        "destination_place": "Hamad Port",
        "incoterm": "FOB",
        "wanted_by": (timezone.localdate() + timedelta(days=40)).isoformat(),
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "20",
        "form-0-product": str(product.pk),
        "form-0-quantity": "1000",
        "form-0-unit": "jar",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return QuoteRequest.objects.latest("pk")


def test_product_page_links_to_the_form_with_the_product_chosen(client, booth_a, sambal, importer):
    page = client.get(
        reverse("booths:product", args=[booth_a.expo.slug, booth_a.slug, sambal.slug])
    ).content.decode()
    link = f"{_ask_url(booth_a)}?source=product&amp;product={sambal.pk}"
    assert link in page

    client.force_login(importer)
    url = f"{_ask_url(booth_a)}?source=product&product={sambal.pk}"
    form = client.get(url).content.decode()
    assert f'<option value="{sambal.pk}" selected' in form  # the product is pre-selected
    request = _post(client, url, sambal)
    assert (request.source, request.source_id) == (QuoteRequest.Source.PRODUCT, sambal.pk)


def test_a_product_of_another_booth_is_not_chosen(client, booth_a, booth_b, importer):
    other = booth_b.products.first()
    client.force_login(importer)
    url = f"{_ask_url(booth_a)}?source=product&product={other.pk}"
    assert f'<option value="{other.pk}" selected' not in client.get(url).content.decode()
    request = _post(client, url, booth_a.products.first())
    assert (request.source, request.source_id) == (QuoteRequest.Source.BOOTH, None)


def test_the_buyers_inquiry_links_to_the_form_and_is_recorded(
    client, booth_a, sambal, importer, vendor_user
):
    inquiry = Inquiry.objects.create(booth=booth_a, buyer=importer)
    client.force_login(importer)
    page = client.get(reverse("events:inquiry", args=[inquiry.pk])).content.decode()
    assert f"{_ask_url(booth_a)}?source=inquiry&amp;id={inquiry.pk}" in page
    request = _post(client, f"{_ask_url(booth_a)}?source=inquiry&id={inquiry.pk}", sambal)
    assert (request.source, request.source_id) == (QuoteRequest.Source.INQUIRY, inquiry.pk)

    client.force_login(vendor_user)  # the vendor's view of the thread has no such link
    page = client.get(
        reverse("events:vendor_inquiry", args=[booth_a.vendor.slug, inquiry.pk])
    ).content.decode()
    assert "source=inquiry" not in page


def test_the_buyers_meeting_links_to_the_form_and_is_recorded(
    client, booth_a, sambal, importer, vendor_user
):
    meeting = make_meeting(booth_a, buyer=importer, vendor_user=vendor_user)
    client.force_login(importer)
    page = client.get(reverse("events:meeting", args=[meeting.pk])).content.decode()
    assert f"{_ask_url(booth_a)}?source=meeting&amp;id={meeting.pk}" in page
    request = _post(client, f"{_ask_url(booth_a)}?source=meeting&id={meeting.pk}", sambal)
    assert (request.source, request.source_id) == (QuoteRequest.Source.MEETING, meeting.pk)

    client.force_login(vendor_user)
    assert (
        "source=meeting"
        not in client.get(reverse("events:meeting", args=[meeting.pk])).content.decode()
    )


def test_another_buyers_or_another_vendors_thread_or_meeting_is_not_recorded(
    client, booth_a, booth_b, sambal, importer, vendor_user, make_user, make_vendor_user
):
    someone = business_buyer(make_user, email="other@example.qa")
    theirs = Inquiry.objects.create(booth=booth_a, buyer=someone)
    their_meeting = make_meeting(booth_a, buyer=someone, vendor_user=vendor_user)
    mine_elsewhere = Inquiry.objects.create(booth=booth_b, buyer=importer)
    meeting_elsewhere = make_meeting(
        booth_b, buyer=importer, vendor_user=make_vendor_user(booth_b), starts_in=timedelta(hours=5)
    )
    client.force_login(importer)
    for kind, pk in (
        ("inquiry", theirs.pk),
        ("meeting", their_meeting.pk),
        ("inquiry", mine_elsewhere.pk),
        ("meeting", meeting_elsewhere.pk),
        ("inquiry", "x1"),
        ("nonsense", theirs.pk),
    ):
        request = _post(client, f"{_ask_url(booth_a)}?source={kind}&id={pk}", sambal)
        assert (request.source, request.source_id) == (QuoteRequest.Source.BOOTH, None), kind
