"""Correctly signed Stripe webhook bodies that are not events, and signatures stamped in the future:
each answers 400 and changes nothing (never a server error); an event signed a little ahead of our
clock, within the tolerance, still counts."""

# The order fixture is imported from test_webhook: tests name it as a parameter, which pyflakes
# reads as a redefinition.
# ruff: noqa: F811

from __future__ import annotations

import json
import time

import pytest
import stripe

from payments.models import Order, SalesLedgerEntry, WebhookEvent
from tests.payments.conftest import WEBHOOK_SECRET
from tests.payments.test_webhook import (  # noqa: F401 - fixture
    card_order,
    deliver,
    event,
    pay_at_stripe,
    signed,
)

pytestmark = pytest.mark.django_db

TOLERANCE = stripe.Webhook.DEFAULT_TOLERANCE


def stripe_signed(payload: bytes, at: int | None = None) -> str:
    """The Stripe-Signature header as Stripe's own library writes it."""
    return stripe.WebhookSignature.generate_signature_header(
        payload.decode(), WEBHOOK_SECRET, timestamp=at
    )


def body(**fields) -> bytes:
    return json.dumps(fields).encode()


def an_event(**overrides) -> dict:
    fields = {
        "id": "evt_odd",
        "object": "event",
        "type": "payment_intent.succeeded",
        "data": {"object": {"id": "pi_123", "object": "payment_intent"}},
    }
    fields.update(overrides)
    return fields


NOT_EVENTS = {
    "data is a list": body(**an_event(data=[1])),
    "data.object is a string": body(**an_event(data={"object": "pi_123"})),
    "data.object is missing": body(**an_event(data={})),
    "data is missing": body(**{k: v for k, v in an_event().items() if k != "data"}),
    "data is null": body(**an_event(data=None)),
    "the id is a number": body(**an_event(id=42)),
    "the id is empty": body(**an_event(id="")),
    "the type is a list": body(**an_event(type=["payment_intent.succeeded"])),
    "not an event object": body(**an_event(object="charge")),
    "the object's id is an object": body(**an_event(data={"object": {"id": {"x": 1}}})),
    "payment_intent is an object": body(
        **an_event(data={"object": {"id": "ch_1", "object": "charge", "payment_intent": {}}})
    ),
    "a list": b"[1]",
    "a string": b'"evt_1"',
    "a number": b"42",
    "null": b"null",
    "not JSON": b"{not json",
    "empty": b"",
    "nested 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
    "not UTF-8": b'{"id": "evt_\xff\xfe", "object": "event"}',
}


@pytest.mark.parametrize("payload", NOT_EVENTS.values(), ids=NOT_EVENTS.keys())
def test_a_signed_body_that_is_not_an_event_is_a_400_and_changes_nothing(
    client, card_order, payload
):
    order, payment = card_order
    assert pay_at_stripe(payment) == "succeeded"
    payload = payload.replace(b"pi_123", payment.provider_ref.encode())
    answer = deliver(client, payload, signed(payload))  # HMAC over the raw bytes, as Stripe signs
    assert answer.status_code == 400
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert not WebhookEvent.objects.exists() and not SalesLedgerEntry.objects.exists()


def test_stripe_signs_the_odd_bodies_the_same_way(client, card_order):
    """The two bodies of the report, signed by Stripe's library rather than by hand."""
    for payload in (NOT_EVENTS["data is a list"], NOT_EVENTS["data.object is a string"]):
        assert deliver(client, payload, stripe_signed(payload)).status_code == 400
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize("ahead", [TOLERANCE + 60, 3600, 10 * 365 * 86400])
def test_a_signature_stamped_in_the_future_is_refused_like_an_old_one(client, card_order, ahead):
    order, payment = card_order
    assert pay_at_stripe(payment) == "succeeded"
    payload = event("evt_future", "payment_intent.succeeded", payment.provider_ref)
    future = int(time.time()) + ahead
    assert deliver(client, payload, stripe_signed(payload, at=future)).status_code == 400
    assert deliver(client, payload, signed(payload, at=future)).status_code == 400
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert not WebhookEvent.objects.exists() and not SalesLedgerEntry.objects.exists()


def test_a_clock_a_little_ahead_is_tolerated(
    client, card_order, django_capture_on_commit_callbacks
):
    order, payment = card_order
    assert pay_at_stripe(payment) == "succeeded"
    payload = event("evt_soon", "payment_intent.succeeded", payment.provider_ref)
    with django_capture_on_commit_callbacks(execute=True):
        answer = deliver(client, payload, stripe_signed(payload, at=int(time.time()) + 60))
    assert answer.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert WebhookEvent.objects.get().event_id == "evt_soon"


@pytest.mark.parametrize(
    "subject",
    [
        {"object": "balance", "available": []},  # an object without an id
        {"id": "ch_1", "object": "charge", "payment_intent": None},
    ],
)
def test_events_of_other_shapes_that_stripe_sends_are_acknowledged(
    client, stripe_settings, subject
):
    payload = body(**an_event(id="evt_other", type="balance.available", data={"object": subject}))
    assert deliver(client, payload, stripe_signed(payload)).status_code == 200
    assert WebhookEvent.objects.get().event_id == "evt_other"
