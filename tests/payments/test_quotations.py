"""Requests for quotation, quotations with revisions, acceptance into an order, the deposit and
the balance (bank transfers, on SQLite), and who may touch what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from booths.models import Lead, LeadActivity, QuoteRequest
from booths.services import rfq
from expo.refusals import Refused
from payments import selectors, services
from payments.models import Channel, Order, Payment, Quotation, SalesLedgerEntry
from payments.quotations import services as quotes
from tests.conftest import move_to
from tests.payments.quoting import ask, business_buyer, export_details, offer

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


def test_request_needs_a_signed_in_buyer_with_a_profile(booth_a, sambal, make_user, buyer):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(Refused) as error:
        ask(booth_a, AnonymousUser())
    assert error.value.code == "login_required"
    with pytest.raises(Refused) as error:
        ask(booth_a, buyer)  # an account without a business profile
    assert error.value.code == "buyer_profile_needed"
    assert not QuoteRequest.objects.exists()


def test_vendor_cannot_ask_its_own_booth(booth_a, sambal, vendor_user):
    from expo import buyers

    buyers.buyer_profile_save(
        user=vendor_user, company="Self", country="ID", buyer_type="retailer", consent=True
    )
    with pytest.raises(Refused):
        ask(booth_a, vendor_user)


def test_bad_requests_change_nothing(booth_a, sambal, importer, booth_b):
    for bad in (
        {"incoterm": "XYZ"},
        {"destination_place": "  "},
        {"destination_country": "ZZ"},
        {"wanted_by": timezone.localdate() - timedelta(days=1)},
    ):
        with pytest.raises(ValidationError):
            ask(booth_a, importer, **bad)
    with pytest.raises(ValidationError):
        ask(booth_a, importer, quantity=0)
    with pytest.raises(ValidationError):  # a product of another booth
        ask(booth_a, importer, product=booth_b.products.first())
    assert not QuoteRequest.objects.exists()


def test_request_makes_a_lead_once(booth_a, sambal, importer):
    first = ask(booth_a, importer)
    second = ask(booth_a, importer, quantity=500)
    assert first.buyer_country == "QA" and first.buyer_company == "Doha Fine Foods"
    lead = Lead.objects.get()
    assert lead.booth == booth_a and lead.buyer == importer
    assert set(LeadActivity.objects.values_list("kind", "ref_id")) == {
        ("rfq", first.pk),
        ("rfq", second.pk),
    }


def test_whole_path_with_transfers(booth_a, sambal, importer, vendor_user, organiser, details):
    """RFQ → quotation → revision asked → revision → accepted → deposit → balance → ledger."""
    request = ask(booth_a, importer)
    quotation = offer(request, vendor_user, unit_price=32_000)
    request.refresh_from_db()
    assert request.status == "quoted" and request.first_quoted_at is not None
    quotes.quotation_ask_revision(quotation=quotation, by=importer, note="Rp 30,000 per jar?")
    quotation = offer(request, vendor_user, unit_price=30_000)
    assert quotation.revision == 2
    assert list(quotation.revisions.values_list("number", flat=True)) == [2, 1]
    assert quotation.total == 2000 * 30_000 + 4_000_000

    with pytest.raises(ValidationError) as stale:
        quotes.quotation_accept(
            quotation=quotation,
            by=importer,
            revision=1,
            details=export_details(details),
            provider="manual",
        )
    assert stale.value.code == "stale"

    order = quotes.quotation_accept(
        quotation=quotation,
        by=importer,
        revision=2,
        details=export_details(details),
        provider="manual",
    )
    assert order.channel == Channel.QUOTATION and order.attribution_label == quotation.code
    assert order.total == quotation.total and order.expo == booth_a.expo
    sambal.refresh_from_db()
    assert sambal.stock == 3000  # reserved by the checkout's rules
    deposit = order.payments.get()
    assert deposit.amount == (order.total * 30 + 50) // 100

    services.transfer_confirm(payment=deposit, by=organiser)
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING and order.paid_at is None
    assert order.reserved_until is None  # held for the balance, not expired
    assert not SalesLedgerEntry.objects.exists()

    balance = quotes.quotation_pay_balance(order=order, by=importer, provider="manual")
    assert balance.amount == order.total - deposit.amount
    assert balance.reference == f"{order.code}-2"
    services.transfer_confirm(payment=balance, by=organiser)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    ledger = SalesLedgerEntry.objects.get()
    assert ledger.channel == "quotation" and ledger.amount == 2000 * 30_000
    assert selectors.omzet(expo=booth_a.expo, channel="quotation") == 60_000_000
    assert LeadActivity.objects.filter(kind="order", ref_id=order.pk).count() == 1


def test_a_failed_balance_leaves_the_order_and_its_deposit(
    booth_a, sambal, importer, vendor_user, organiser, details
):
    quotation = offer(ask(booth_a, importer), vendor_user)
    order = quotes.quotation_accept(
        quotation=quotation,
        by=importer,
        revision=1,
        details=export_details(details),
        provider="manual",
    )
    services.transfer_confirm(payment=order.payments.get(), by=organiser)
    balance = quotes.quotation_pay_balance(order=order, by=importer, provider="manual")
    services.payment_fail(payment=balance, message="declined")
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    with pytest.raises(ValidationError):
        services.order_cancel(order=order, reason=Order.CancelReason.BUYER, by=importer)
    again = quotes.quotation_pay_balance(order=order, by=importer, provider="manual")
    assert again.pk != balance.pk and again.status == Payment.Status.CREATED


def test_full_payment_terms_pay_once(booth_a, sambal, importer, vendor_user, organiser, details):
    quotation = offer(ask(booth_a, importer), vendor_user, deposit=0, shipping=0)
    order = quotes.quotation_accept(
        quotation=quotation,
        by=importer,
        revision=1,
        details=export_details(details),
        provider="manual",
    )
    payment = order.payments.get()
    assert payment.amount == order.total == 60_000_000
    services.transfer_confirm(payment=payment, by=organiser)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_declined_and_closed_requests_cannot_be_quoted(booth_a, sambal, importer, vendor_user):
    request = ask(booth_a, importer)
    quotation = offer(request, vendor_user)
    quotes.quotation_decline(quotation=quotation, by=importer)
    request.refresh_from_db()
    assert request.status == "declined"
    with pytest.raises(ValidationError):
        offer(request, vendor_user)
    withdrawn = ask(booth_a, importer)
    rfq.quote_request_withdraw(request=withdrawn, by=importer)
    with pytest.raises(ValidationError):
        offer(withdrawn, vendor_user)


def test_offer_checks(booth_a, sambal, importer, vendor_user):
    request = ask(booth_a, importer)
    with pytest.raises(ValidationError):
        offer(request, vendor_user, quantity=100)  # below its MOQ of 500
    with pytest.raises(ValidationError):
        offer(request, vendor_user, unit_price=0)
    with pytest.raises(ValidationError):
        offer(request, vendor_user, deposit=95)
    assert not Quotation.objects.exists()


def test_expired_quotation_cannot_be_accepted(booth_a, sambal, importer, vendor_user, details):
    quotation = offer(ask(booth_a, importer), vendor_user)
    quotation.revisions.update(valid_until=timezone.localdate() - timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        quotes.quotation_accept(
            quotation=quotation,
            by=importer,
            revision=1,
            details=export_details(details),
            provider="manual",
        )
    assert error.value.code == "expired"
    assert not Order.objects.exists()


def test_accepted_after_the_expo_closed_belongs_to_it(
    booth_a, sambal, importer, vendor_user, details, organiser
):
    quotation = offer(ask(booth_a, importer), vendor_user, deposit=0)
    move_to(booth_a.expo, "closed")
    order = quotes.quotation_accept(
        quotation=quotation,
        by=importer,
        revision=1,
        details=export_details(details),
        provider="manual",
    )
    services.transfer_confirm(payment=order.payments.get(), by=organiser)
    assert SalesLedgerEntry.objects.get().expo_id == booth_a.expo_id


def test_others_cannot_touch_a_quotation(
    booth_a, booth_b, sambal, importer, vendor_user, make_vendor_user, make_user, details
):
    request = ask(booth_a, importer)
    other_vendor = make_vendor_user(booth_b)
    with pytest.raises(PermissionDenied):
        offer(request, other_vendor)
    quotation = offer(request, vendor_user)
    stranger = business_buyer(make_user, country="SG")
    for action in (
        lambda: quotes.quotation_ask_revision(quotation=quotation, by=stranger, note="cheaper"),
        lambda: quotes.quotation_decline(quotation=quotation, by=stranger),
        lambda: quotes.quotation_accept(
            quotation=quotation,
            by=stranger,
            revision=1,
            details=export_details(details),
            provider="manual",
        ),
        lambda: quotes.quotation_accept(
            quotation=quotation,
            by=vendor_user,
            revision=1,
            details=export_details(details),
            provider="manual",
        ),
        lambda: rfq.quote_request_withdraw(request=request, by=stranger),
    ):
        with pytest.raises(PermissionDenied):
            action()
    quotation.refresh_from_db()
    assert quotation.status == "sent" and not Order.objects.exists()


def test_each_side_is_mailed_in_its_language(
    booth_a, sambal, importer, vendor_user, details, mailoutbox, django_capture_on_commit_callbacks
):
    vendor_user.language = "id"
    vendor_user.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(booth_a, importer)
    [to_vendor] = mailoutbox
    assert to_vendor.to == [vendor_user.email] and request.code in to_vendor.subject
    assert f"/vendor/{booth_a.vendor.slug}/quotes/{request.code}/" in to_vendor.body
    with django_capture_on_commit_callbacks(execute=True):
        quotation = offer(request, vendor_user)
    assert mailoutbox[-1].to == [importer.email] and quotation.code in mailoutbox[-1].body
    with django_capture_on_commit_callbacks(execute=True):
        quotes.quotation_ask_revision(quotation=quotation, by=importer, note="Rp 29.000?")
    assert mailoutbox[-1].to == [vendor_user.email] and "Rp 29.000?" in mailoutbox[-1].body
