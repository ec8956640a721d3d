"""The Stripe webhook against the real localstripe: the signature is checked, the event is only
a trigger to re-read the PaymentIntent from the API, a repeated delivery counts once, and events
out of order cannot undo what Stripe says."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest
from django.core import mail
from django.urls import reverse

from payments import providers
from payments.models import Order, Payment, SalesLedgerEntry, WebhookEvent
from tests.payments.conftest import WEBHOOK_SECRET

pytestmark = pytest.mark.django_db


def products(booth):
    return list(booth.products.order_by("pk"))


def signed(payload: bytes, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    at = at or int(time.time())
    digest = hmac.new(secret.encode(), f"{at}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


def event(event_id: str, kind: str, intent_id: str, status: str = "succeeded") -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": kind,
            "data": {"object": {"id": intent_id, "object": "payment_intent", "status": status}},
        }
    ).encode()


def deliver(client, payload: bytes, signature: str | None = None):
    return client.post(
        reverse("payments:stripe_webhook"),
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature if signature is not None else signed(payload),
    )


def pay_at_stripe(payment: Payment, number: str = "4242424242424242") -> str:
    """The buyer's card goes through at Stripe, and nobody tells the site yet."""
    client = providers.get("stripe").client
    token = client.v1.tokens.create(
        params={"card": {"number": number, "exp_month": "12", "exp_year": "2031", "cvc": "123"}}
    )
    client.v1.payment_intents.update(payment.provider_ref, params={"payment_method": token.card.id})
    try:
        return client.v1.payment_intents.confirm(payment.provider_ref).status
    except Exception:
        return client.v1.payment_intents.retrieve(payment.provider_ref).status


@pytest.fixture
def card_order(stripe_settings, place, booth_a):
    shirt, scarf = products(booth_a)
    order = place((shirt, 1), (scarf, 2), provider="stripe")
    payment = order.payments.get()
    assert payment.provider_ref.startswith("pi_")
    return order, payment


def test_a_bad_signature_is_refused_and_changes_nothing(client, card_order):
    order, payment = card_order
    pay_at_stripe(payment)
    payload = event("evt_forged", "payment_intent.succeeded", payment.provider_ref)
    assert deliver(client, payload, signed(payload, secret="whsec_wrong")).status_code == 400
    assert deliver(client, payload, "").status_code == 400
    assert deliver(client, payload, signed(payload, at=int(time.time()) - 3600)).status_code == 400
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert not WebhookEvent.objects.exists() and not SalesLedgerEntry.objects.exists()


def test_without_a_webhook_secret_every_event_is_refused(client, card_order, settings):
    order, payment = card_order
    settings.STRIPE_WEBHOOK_SECRET = ""
    payload = event("evt_1", "payment_intent.succeeded", payment.provider_ref)
    assert deliver(client, payload).status_code == 400


def test_the_event_triggers_a_re_read_and_ten_deliveries_count_once(
    client, card_order, django_capture_on_commit_callbacks
):
    order, payment = card_order
    assert pay_at_stripe(payment) == "succeeded"
    payload = event("evt_paid", "payment_intent.succeeded", payment.provider_ref)
    with django_capture_on_commit_callbacks(execute=True):
        for _i in range(10):
            assert deliver(client, payload).status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert SalesLedgerEntry.objects.count() == 2  # two lines, sold once
    assert sum(SalesLedgerEntry.objects.values_list("amount", flat=True)) == order.subtotal
    record = WebhookEvent.objects.get()
    assert record.deliveries == 10 and record.processed_at is not None
    paid_mails = [
        m for m in mail.outbox if m.to == [order.email] and "payment received" in m.subject
    ]
    assert len(paid_mails) == 1


def test_a_claim_in_the_event_body_is_not_believed(client, card_order):
    """A correctly signed "succeeded" event for a payment Stripe has not received changes
    nothing: only Stripe's own state counts."""
    order, payment = card_order
    payload = event("evt_early", "payment_intent.succeeded", payment.provider_ref)
    assert deliver(client, payload).status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING and not SalesLedgerEntry.objects.exists()


def test_events_out_of_order_cannot_undo_a_payment(client, card_order):
    order, payment = card_order
    pay_at_stripe(payment)
    succeeded = event("evt_b", "payment_intent.succeeded", payment.provider_ref)
    late_failure = event(
        "evt_a", "payment_intent.payment_failed", payment.provider_ref, "requires_payment_method"
    )
    assert deliver(client, succeeded).status_code == 200
    assert deliver(client, late_failure).status_code == 200
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == Order.Status.PAID and payment.status == Payment.Status.SUCCEEDED
    assert SalesLedgerEntry.objects.count() == 2


def test_a_declined_card_event_cancels_and_releases_the_stock(client, card_order, booth_a):
    order, payment = card_order
    shirt = products(booth_a)[0]
    shirt.refresh_from_db()
    assert shirt.stock == 4
    pay_at_stripe(payment, number="4000000000000341")  # declined
    payload = event(
        "evt_failed",
        "payment_intent.payment_failed",
        payment.provider_ref,
        "requires_payment_method",
    )
    assert deliver(client, payload).status_code == 200
    order.refresh_from_db()
    shirt.refresh_from_db()
    assert order.status == Order.Status.CANCELLED and shirt.stock == 5
    assert not SalesLedgerEntry.objects.exists()


def test_events_about_unknown_intents_are_acknowledged(client, stripe_settings):
    payload = event("evt_other", "payment_intent.succeeded", "pi_not_ours")
    assert deliver(client, payload).status_code == 200
    assert WebhookEvent.objects.get().processed_at is not None
