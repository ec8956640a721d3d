"""What a Stripe webhook body must be before anything acts on it: signed with the webhook secret,
stamped within the tolerance of now in either direction, and a Stripe event in shape. Anything else
is an :class:`EventRefused` (the view answers 400 and changes nothing), never a server error.

Stripe's own verifier checks the signature and refuses stamps older than the tolerance; a stamp
from the future passes it, so a body signed with a leaked secret and a far-future time would stay
replayable for years. It is refused here like an old one.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import stripe
from django.conf import settings

# Seconds a signature's stamp may differ from our clock, either way (Stripe's default for the past).
TOLERANCE_S = stripe.Webhook.DEFAULT_TOLERANCE


class EventRefused(ValueError):
    """The body is not a Stripe event signed with our secret within the tolerance; ``reason`` says
    which part failed (for the log, and the 400's body)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SignedEvent:
    """The parts of a verified event the site acts on."""

    id: str
    type: str
    object_id: str  # the object the event is about
    payment_ref: str  # the PaymentIntent it concerns ("" for none)


def _stamp(header: str) -> int:
    """The header's ``t=``, read as Stripe's verifier reads it (the first one), once it has
    accepted the header."""
    for item in header.split(","):
        parts = item.split("=", 2)
        if parts[0] == "t":
            try:
                return int(parts[1])
            except (IndexError, ValueError):
                break
    raise EventRefused("bad signature")


def _verified_text(payload: bytes, header: str) -> str:
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise EventRefused("bad signature")  # no secret, no event is ours
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        raise EventRefused("not an event") from None
    try:
        stripe.WebhookSignature.verify_header(text, header, secret, TOLERANCE_S)
    except stripe.SignatureVerificationError:
        raise EventRefused("bad signature") from None
    if _stamp(header) > time.time() + TOLERANCE_S:
        raise EventRefused("bad signature")
    return text


def _event_of(body: Any) -> SignedEvent:
    """The event's parts, when ``body`` has the shape of a Stripe event: an object ``"event"``
    with a text id and type and ``data.object`` an object whose id and ``payment_intent`` are
    text or null when given."""
    if not isinstance(body, dict) or body.get("object") != "event":
        raise EventRefused("not an event")
    event_id, kind, data = body.get("id"), body.get("type"), body.get("data")
    if not (isinstance(event_id, str) and event_id and isinstance(kind, str) and kind):
        raise EventRefused("not an event")
    subject = data.get("object") if isinstance(data, dict) else None
    if not isinstance(subject, dict):
        raise EventRefused("not an event")
    # Some objects have no id (a balance); a charge's or refund's PaymentIntent may be null.
    object_id, intent = subject.get("id"), subject.get("payment_intent")
    if not all(value is None or isinstance(value, str) for value in (object_id, intent)):
        raise EventRefused("not an event")
    object_id, intent = object_id or "", intent or ""
    if subject.get("object") == "payment_intent":
        intent = object_id
    return SignedEvent(id=event_id, type=kind, object_id=object_id, payment_ref=intent)


def event_verify(*, payload: bytes, signature: str) -> SignedEvent:
    """The event in a webhook's raw body ``payload`` with its ``Stripe-Signature`` header, if the
    body is signed with ``STRIPE_WEBHOOK_SECRET`` within :data:`TOLERANCE_S` of now (past or
    future) and is a Stripe event; :class:`EventRefused` otherwise."""
    text = _verified_text(payload, signature)
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
        raise EventRefused("not an event") from None
    return _event_of(body)
