"""The pages of a stand sale's rejection: the organiser's "Sales at the stands" page has a Reject
form (a reason required, what it does said before the button) beside Verify for each sale waiting,
and lists rejected sales with their reason; the vendor's stand page says a sale was rejected and
why. Every other role is refused (403, a guest sent to sign in, another expo's sale 404) and a
refused or bad POST changes nothing; the page's queries do not grow with the sales."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from booths.services import stands as stand_services
from events.models import Notification
from payments.models import OfflineSale, SalesLedgerEntry
from payments.services import offline

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(booth_a, make_vendor_user):
    return make_vendor_user(booth_a, email="penjual@example.com")


@pytest.fixture
def venue(expo, organiser, booth_a):
    venue = stand_services.venue_save(expo=expo, by=organiser, name="PRPP Semarang")
    (first,) = stand_services.stands_add(venue=venue, by=organiser, count=1)
    stand_services.stand_assign(stand=first, by=organiser, booth=booth_a)
    return venue


def _record(booth, by, qty=1, receipt="R-001"):
    booth.products.update(stock=100)
    return offline.offline_sale_record(
        booth=booth,
        by=by,
        lines=[offline.StandLine(booth.products.order_by("pk").first(), qty)],
        payment_method="cash",
        receipt_number=receipt,
    )


def _reject_url(expo, sale) -> str:
    return reverse("manage:stand_sale_reject", args=[expo.slug, sale.pk])


def _unchanged(sale) -> bool:
    sale.refresh_from_db()
    return sale.is_pending and not SalesLedgerEntry.objects.filter(kind="refund").exists()


def test_the_organiser_rejects_from_the_page_and_sees_it_listed(
    client, venue, booth_a, seller, expo, organiser
):
    sale = _record(booth_a, seller, qty=2, receipt="R-77")
    client.force_login(organiser)
    page_url = reverse("manage:stand_sales", args=[expo.slug])
    page = client.get(page_url).content.decode()
    assert f'action="{_reject_url(expo, sale)}"' in page
    assert 'name="reason"' in page and "required" in page
    assert "This cannot be undone" in page

    answer = client.post(_reject_url(expo, sale), {"reason": "No such receipt", "next": page_url})
    assert answer.status_code == 302 and answer["Location"] == page_url
    sale.refresh_from_db()
    assert sale.is_rejected and sale.rejection_reason == "No such receipt"
    page = client.get(page_url).content.decode()
    assert 'data-testid="rejected"' in page and "No such receipt" in page
    assert f'data-testid="reject-{sale.pk}"' not in page  # no longer waiting

    # The vendor's stand page says it, with the reason; the bell links there.
    client.force_login(seller)
    stand_url = reverse("payments:vendor_stand", args=[booth_a.vendor.slug])
    mine = client.get(stand_url, {"booth": booth_a.pk}).content.decode()
    assert 'data-testid="stand-rejected"' in mine and "No such receipt" in mine
    rung = Notification.objects.get(user=seller, kind=Notification.Kind.STAND_SALE)
    assert client.get(rung.url).status_code == 200


def test_a_sampled_receipt_can_be_rejected_outside_the_sign_off_form(
    client, venue, booth_a, seller, expo, organiser
):
    sale = _record(booth_a, seller)
    client.force_login(organiser)
    page = client.get(reverse("manage:stand_sales", args=[expo.slug]), {"sample": "1"})
    html = page.content.decode()
    assert 'data-testid="sample"' in html and f'data-testid="reject-{sale.pk}"' in html
    # The reason and the button belong to a form of their own, after the sign-off's form closed.
    own_form = f'<form id="reject-form-{sale.pk}" method="post" action="{_reject_url(expo, sale)}"'
    assert html.index(own_form) > html.index('data-testid="sign-off"')
    assert f'form="reject-form-{sale.pk}" type="text" name="reason"' in html


@pytest.mark.parametrize("reason", ["", "   "])
def test_no_reason_changes_nothing_and_says_why(
    reason, client, venue, booth_a, seller, expo, organiser
):
    sale = _record(booth_a, seller)
    client.force_login(organiser)
    answer = client.post(_reject_url(expo, sale), {"reason": reason}, follow=True)
    assert answer.status_code == 200
    assert "Say why this sale is rejected" in answer.content.decode()
    assert _unchanged(sale)


def test_a_verified_sale_is_not_rejected_from_the_page(
    client, venue, booth_a, seller, expo, organiser
):
    sale = _record(booth_a, seller)
    offline.offline_sale_verify(sale=sale, by=organiser)
    client.force_login(organiser)
    answer = client.post(_reject_url(expo, sale), {"reason": "Wrong amount"}, follow=True)
    assert "verified already" in answer.content.decode()
    sale.refresh_from_db()
    assert sale.is_verified and not sale.is_rejected


@pytest.mark.parametrize("who", ["seller", "stranger", "buyer"])
def test_every_other_role_is_refused(
    who, client, venue, booth_a, seller, expo, make_organiser, make_user
):
    sale = _record(booth_a, seller)
    by = {
        "seller": lambda: seller,
        "stranger": lambda: make_organiser(name="Another office"),
        "buyer": lambda: make_user(email="pembeli@example.com"),
    }[who]()
    client.force_login(by)
    assert client.post(_reject_url(expo, sale), {"reason": "x"}).status_code == 403
    assert client.get(reverse("manage:stand_sales", args=[expo.slug])).status_code == 403
    assert _unchanged(sale)


def test_a_guest_is_sent_to_sign_in(client, venue, booth_a, seller, expo):
    sale = _record(booth_a, seller)
    answer = client.post(_reject_url(expo, sale), {"reason": "x"})
    assert answer.status_code == 302 and "login" in answer["Location"]
    assert _unchanged(sale)


def test_another_expos_sale_is_not_found_and_a_get_is_not_allowed(
    client, venue, booth_a, seller, expo, organiser, make_expo, make_booth, make_vendor_user
):
    other_expo = make_expo("open", office=expo.office)
    other_booth = make_booth(other_expo, name="Gerabah Kasongan")
    other = _record(other_booth, make_vendor_user(other_booth), receipt="X-1")
    sale = _record(booth_a, seller)
    client.force_login(organiser)
    assert client.post(_reject_url(expo, other), {"reason": "x"}).status_code == 404
    missing = reverse("manage:stand_sale_reject", args=["no-such-expo", sale.pk])
    assert client.post(missing, {"reason": "x"}).status_code == 404
    assert client.get(_reject_url(expo, sale)).status_code == 405
    assert _unchanged(sale) and _unchanged(other)


def test_next_stays_on_this_site(client, venue, booth_a, seller, expo, organiser):
    sale = _record(booth_a, seller)
    client.force_login(organiser)
    answer = client.post(
        _reject_url(expo, sale), {"reason": "Duplicate", "next": "//evil.example/"}
    )
    assert answer["Location"] == reverse("manage:stand_sales", args=[expo.slug])


def test_the_page_costs_the_same_queries_with_more_sales(
    client, venue, booth_a, seller, expo, organiser
):
    client.force_login(organiser)
    url = reverse("manage:stand_sales", args=[expo.slug])
    offline.offline_sale_reject(
        sale=_record(booth_a, seller, receipt="A-0"), by=organiser, reason="Duplicate"
    )
    _record(booth_a, seller, receipt="A-1")
    client.get(url)  # warm the per-request caches of the workspace's header
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for i in range(2, 8):
        sale = _record(booth_a, seller, receipt=f"A-{i}")
        if i % 2:
            offline.offline_sale_reject(sale=sale, by=organiser, reason="Duplicate")
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert OfflineSale.objects.filter(rejected_at__isnull=False).count() == 4
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
