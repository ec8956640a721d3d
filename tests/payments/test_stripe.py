"""Card payments through the services against localstripe over real HTTP: a PaymentIntent per
order (amount in Stripe's minor units), paying with a test card, a declined card, refunds per
line and in full through Stripe's refund API, refunds made directly at Stripe, reconciliation of
payments whose webhook never came (also through ``manage.py reconcile_payments``) and expiry that
asks Stripe first.

localstripe's test cards: 4242424242424242 is paid; 4000000000000341 is declined when charged
(4000000000000002 is declined only when attached to a customer, which this flow never does).
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from io import StringIO

import pytest
import stripe
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from payments import providers, services
from payments.models import (
    Order,
    OrderPart,
    Payment,
    Refund,
    SalesLedgerEntry,
    ShippingMethod,
    ShippingZone,
    VendorShippingRate,
)
from payments.money import to_stripe_amount

pytestmark = [pytest.mark.stripe, pytest.mark.django_db]

PAID_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000341"


def products(booth):
    return list(booth.products.order_by("pk"))


def stripe_client():
    return providers.get("stripe").client


def card(number: str) -> str:
    """A PaymentMethod at localstripe for a test card (what stripe.js makes in the page)."""
    method = stripe_client().v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    return method.id


def intent_of(order: Order):
    payment = order.payments.get()
    return stripe_client().v1.payment_intents.retrieve(payment.provider_ref)


def pay_at_stripe(order: Order, number: str = PAID_CARD) -> None:
    """The card is charged at Stripe without our server hearing of it (the page closed, the
    webhook lost)."""
    intent_id = order.payments.get().provider_ref
    stripe_client().v1.payment_intents.update(intent_id, params={"payment_method": card(number)})
    with contextlib.suppress(stripe.CardError):  # a declined card: the intent says so
        stripe_client().v1.payment_intents.confirm(intent_id)


def refunds_at_stripe(order: Order) -> list:
    intent_id = order.payments.order_by("pk").first().provider_ref
    return stripe_client().v1.refunds.list(params={"payment_intent": intent_id}).data


@pytest.fixture
def shipping_rate(booth_a):
    return VendorShippingRate.objects.create(
        vendor=booth_a.vendor, zone=ShippingZone.DOMESTIC, method=ShippingMethod.FLAT, amount=18_000
    )


# --- Paying --------------------------------------------------------------------------------------


def test_the_payment_intent_is_created_at_stripe_for_the_total_times_100(
    stripe_settings, place, booth_a, shipping_rate
):
    shirt, scarf = products(booth_a)
    order = place((shirt, 2), (scarf, 1), provider="stripe")
    assert order.total == 2 * 100_000 + 40_000 + 18_000

    payment = order.payments.get()
    assert payment.provider == "stripe" and payment.provider_ref.startswith("pi_")
    assert payment.amount == order.total
    intent = intent_of(order)
    assert intent.amount == order.total * 100 == to_stripe_amount(order.total)
    assert intent.currency == "idr"
    assert intent.status == "requires_payment_method"
    assert intent.metadata["order"] == order.code
    assert order.reserved_until - order.placed_at == timedelta(minutes=30)
    shirt.refresh_from_db()
    assert shirt.stock == 3  # reserved while the buyer pays


def test_paying_with_a_test_card_marks_the_order_paid_writes_the_ledger_and_mails(
    stripe_settings,
    place,
    booth_a,
    booth_b,
    buyer,
    make_vendor_user,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    shirt, _ = products(booth_a)
    (coffee,) = products(booth_b)
    vendor_a = make_vendor_user(booth_a)
    vendor_b = make_vendor_user(booth_b)
    with django_capture_on_commit_callbacks(execute=True):
        order = place((shirt, 1), (coffee, 2), buyer=buyer, provider="stripe")
    assert mailoutbox == []  # a card buyer is not sent transfer instructions

    with django_capture_on_commit_callbacks(execute=True):
        attempt = services.payment_pay_with_card(order=order, card=card(PAID_CARD), by=buyer)

    assert attempt.state.status == "succeeded" and not attempt.requires_action
    assert attempt.state.amount == order.total
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order.stock == Order.Stock.SOLD
    payment = order.payments.get()
    assert payment.status == Payment.Status.SUCCEEDED and payment.confirmed_by is None
    assert intent_of(order).status == "succeeded"
    entries = SalesLedgerEntry.objects.order_by("amount")
    assert [(e.kind, e.amount, e.vendor_id) for e in entries] == [
        ("sale", 100_000, booth_a.vendor_id),
        ("sale", 110_000, booth_b.vendor_id),
    ]
    recipients = sorted(m.to[0] for m in mailoutbox)
    assert recipients == sorted(["ayu@example.com", vendor_a.email, vendor_b.email])
    assert all(order.code in m.subject for m in mailoutbox)

    # A second confirmation (the webhook arriving after the page) changes nothing.
    services.payment_sync(payment=payment)
    assert SalesLedgerEntry.objects.count() == 2


def test_a_declined_card_cancels_the_order_releases_stock_and_restores_the_cart(
    stripe_settings, place, booth_a, buyer
):
    shirt, scarf = products(booth_a)
    order = place((shirt, 2), (scarf, 1), buyer=buyer, provider="stripe")
    shirt.refresh_from_db()
    assert shirt.stock == 3
    assert not buyer.cart.items.exists()

    attempt = services.payment_pay_with_card(order=order, card=card(DECLINED_CARD), by=buyer)

    assert attempt.state.status == "failed"
    assert "declined" in attempt.state.message
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert order.cancel_reason == Order.CancelReason.PAYMENT_FAILED
    assert order.stock == Order.Stock.RELEASED
    payment = order.payments.get()
    assert payment.status == Payment.Status.FAILED
    assert "declined" in payment.failure_message
    shirt.refresh_from_db(), scarf.refresh_from_db()
    assert (shirt.stock, scarf.stock) == (5, 5)
    assert dict(buyer.cart.items.values_list("product_id", "quantity")) == {
        shirt.pk: 2,
        scarf.pk: 1,
    }
    assert not SalesLedgerEntry.objects.exists()
    # Stripe is told: the same PaymentIntent cannot be completed later.
    assert intent_of(order).status == "canceled"


def test_paying_an_order_that_is_no_longer_pending_is_refused(stripe_settings, place, booth_a):
    shirt, _ = products(booth_a)
    order = place((shirt, 1), provider="stripe")
    services.payment_pay_with_card(order=order, card=card(PAID_CARD))
    order.refresh_from_db()
    with pytest.raises(ValidationError, match="not waiting for a payment"):
        services.payment_pay_with_card(order=order, card=card(PAID_CARD))
    assert SalesLedgerEntry.objects.count() == 1


def test_stripe_unreachable_when_placing_changes_nothing(stripe_settings, place, booth_a, buyer):
    shirt, _ = products(booth_a)
    stripe_settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    with pytest.raises(providers.ProviderError):
        place((shirt, 2), buyer=buyer, provider="stripe")
    order = Order.objects.get()
    assert order.status == Order.Status.CANCELLED
    shirt.refresh_from_db()
    assert shirt.stock == 5
    assert dict(buyer.cart.items.values_list("product_id", "quantity")) == {shirt.pk: 2}


# --- Refunds ---------------------------------------------------------------------------------------


def test_refund_per_line_then_in_full_through_stripes_refund_api(
    stripe_settings, place, booth_a, booth_b, organiser, make_vendor_user, shipping_rate
):
    shirt, scarf = products(booth_a)
    (coffee,) = products(booth_b)
    order = place((shirt, 1), (scarf, 2), (coffee, 1), provider="stripe")
    services.payment_pay_with_card(order=order, card=card(PAID_CARD))
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    scarf_line = order.lines.get(product=scarf)

    refund = services.order_refund(
        order=order, lines=[scarf_line], by=make_vendor_user(booth_a), reason="Out of stock"
    )
    assert refund.amount == 80_000 and refund.shipping == 0
    assert refund.status == Refund.Status.SUCCEEDED
    assert refund.provider_ref.startswith("re_")
    at_stripe = {r.id: r for r in refunds_at_stripe(order)}
    assert at_stripe[refund.provider_ref].amount == 80_000 * 100
    negative = SalesLedgerEntry.objects.get(kind="refund")
    assert (negative.amount, negative.line_id, negative.refund_id) == (
        -80_000,
        scarf_line.pk,
        refund.pk,
    )

    full = services.order_refund(order=order, by=organiser, reason="Buyer cancelled")
    assert full.amount == 100_000 + 55_000 + 18_000 and full.shipping == 18_000
    assert full.provider_ref.startswith("re_") and full.provider_ref != refund.provider_ref
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert order.refunded_total == order.total
    assert set(order.parts.values_list("status", flat=True)) == {OrderPart.Status.REFUNDED}
    assert sum(r.amount for r in refunds_at_stripe(order)) == order.total * 100
    refund_entries = SalesLedgerEntry.objects.filter(kind="refund")
    assert sorted(refund_entries.values_list("amount", flat=True)) == [-100_000, -80_000, -55_000]
    assert sum(SalesLedgerEntry.objects.values_list("amount", flat=True)) == 0

    # Reading the refunds back from Stripe finds nothing new: each was recorded once.
    assert services.payment_sync_refunds(payment=order.payments.get()) == 0
    assert Refund.objects.count() == 2


def test_a_refund_made_directly_at_stripe_is_recorded_once(
    stripe_settings, place, booth_a, booth_b
):
    shirt, _ = products(booth_a)
    (coffee,) = products(booth_b)
    order = place((shirt, 1), (coffee, 1), provider="stripe")
    services.payment_pay_with_card(order=order, card=card(PAID_CARD))
    payment = order.payments.get()
    made = stripe_client().v1.refunds.create(
        params={"payment_intent": payment.provider_ref, "amount": to_stripe_amount(100_000)}
    )

    assert services.payment_sync_refunds(payment=payment) == 1
    assert services.payment_sync_refunds(payment=payment) == 0  # run twice: recorded once

    refund = Refund.objects.get()
    assert (refund.provider_ref, refund.amount, refund.status) == (made.id, 100_000, "succeeded")
    entry = SalesLedgerEntry.objects.get(kind="refund")
    assert entry.amount == -100_000 and entry.vendor_id == booth_a.vendor_id
    order.refresh_from_db()
    assert order.refunded_total == 100_000
    assert order.status == Order.Status.PAID  # the coffee is still to be sent


# --- Reconciliation and expiry --------------------------------------------------------------------


def _backdate(order: Order, minutes: int) -> None:
    Payment.objects.filter(order=order).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )


def test_reconcile_confirms_a_payment_whose_webhook_never_came(
    stripe_settings, place, booth_a, booth_b, mailoutbox, django_capture_on_commit_callbacks
):
    shirt, scarf = products(booth_a)
    (coffee,) = products(booth_b)
    paid = place((shirt, 1), provider="stripe")
    declined = place((scarf, 1), provider="stripe")
    fresh = place((coffee, 1), provider="stripe")
    pay_at_stripe(paid)
    pay_at_stripe(declined, DECLINED_CARD)
    pay_at_stripe(fresh)
    _backdate(paid, 15), _backdate(declined, 15)

    with django_capture_on_commit_callbacks(execute=True):
        counts = services.payments_reconcile(older_than_minutes=10)

    assert counts["checked"] == 2 and counts["confirmed"] == 1 and counts["failed"] == 1
    assert counts["unreachable"] == 0
    paid.refresh_from_db(), declined.refresh_from_db(), fresh.refresh_from_db()
    assert paid.status == Order.Status.PAID
    assert SalesLedgerEntry.objects.get().order_id == paid.pk
    assert any(m.to == ["ayu@example.com"] and paid.code in m.subject for m in mailoutbox)
    assert declined.status == Order.Status.CANCELLED
    scarf.refresh_from_db()
    assert scarf.stock == 5
    assert fresh.status == Order.Status.PENDING  # younger than 10 minutes: its webhook may come

    again = services.payments_reconcile(older_than_minutes=10)
    assert again["checked"] == 0 and again["confirmed"] == 0
    assert SalesLedgerEntry.objects.count() == 1


def test_reconcile_payments_command(stripe_settings, place, booth_a):
    shirt, _ = products(booth_a)
    order = place((shirt, 1), provider="stripe")
    pay_at_stripe(order)
    out = StringIO()

    call_command("reconcile_payments", "--older-than", "0", stdout=out)

    text = out.getvalue()
    assert "1 waiting payments checked" in text and "1 confirmed" in text
    assert "0 provider unreachable" in text
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    with pytest.raises(CommandError, match="0 or more"):
        call_command("reconcile_payments", "--older-than", "-1", stdout=StringIO())


def test_expiry_asks_stripe_first(stripe_settings, place, booth_a, booth_b):
    shirt, _ = products(booth_a)
    (coffee,) = products(booth_b)
    paid_late = place((shirt, 2), provider="stripe")
    abandoned = place((coffee, 3), provider="stripe")
    pay_at_stripe(paid_late)
    later = timezone.now() + timedelta(minutes=31)

    assert services.orders_expire(now=later) == 1

    paid_late.refresh_from_db(), abandoned.refresh_from_db()
    assert paid_late.status == Order.Status.PAID  # paid at Stripe: not expired
    assert SalesLedgerEntry.objects.filter(order=paid_late).count() == 1
    assert abandoned.status == Order.Status.CANCELLED
    assert abandoned.cancel_reason == Order.CancelReason.EXPIRED
    assert intent_of(abandoned).status == "canceled"  # it cannot be paid any more
    shirt.refresh_from_db(), coffee.refresh_from_db()
    assert (shirt.stock, coffee.stock) == (3, 5)
