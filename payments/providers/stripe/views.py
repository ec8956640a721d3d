"""Stripe's webhook.

Stripe's events are triggers only: a verified event makes the site re-read its PaymentIntent (or
its refunds) from the API and act on that (:func:`payments.services.webhook_event_handle`). A
repeated delivery is counted and ignored; events arriving out of order are harmless because the
state acted on is always Stripe's current one. A bad signature is a 400 and changes nothing; an
unreachable Stripe is a 503, so Stripe delivers the event again later.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payments import providers, services
from payments.providers.stripe.provider import StripeCards

logger = logging.getLogger(__name__)


def _ids(body: dict[str, Any]) -> tuple[str, str]:
    """The event's object id, and the PaymentIntent it is about ("" for none)."""
    data = (body.get("data") or {}).get("object") or {}
    object_id = str(data.get("id") or "")
    if str(data.get("object")) == "payment_intent":
        return object_id, object_id
    return object_id, str(data.get("payment_intent") or "")


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    signature = request.headers.get("Stripe-Signature", "")
    try:
        event = StripeCards().verify_event(request.body, signature)
    except Exception:
        logger.info("Refused a Stripe webhook with a bad signature")
        return HttpResponseBadRequest("bad signature")
    # Verified: read it as plain data (Stripe objects are not dicts).
    body = json.loads(request.body)
    object_id, intent_id = _ids(body)
    try:
        services.webhook_event_handle(
            provider=StripeCards.name,
            event_id=str(body.get("id") or event.id),
            event_type=str(body.get("type") or ""),
            object_id=object_id,
            payment_ref=intent_id,
        )
    except providers.ProviderError:
        return HttpResponse(status=503)  # Stripe delivers it again later
    return HttpResponse(status=200)
