"""Stripe's webhook.

Stripe's events are triggers only: a verified event makes the site re-read its PaymentIntent (or
its refunds) from the API and act on that (:func:`payments.services.webhook_event_handle`). A
repeated delivery is counted and ignored; events arriving out of order are harmless because the
state acted on is always Stripe's current one. A body that is not a Stripe event signed in time
(:mod:`.events`) is a 400 and changes nothing; an unreachable Stripe is a 503, so Stripe delivers
the event again later.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payments import providers, services
from payments.providers.stripe.events import EventRefused, event_verify
from payments.providers.stripe.provider import StripeCards

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    signature = request.headers.get("Stripe-Signature", "")
    try:
        event = event_verify(payload=request.body, signature=signature)
    except EventRefused as refused:
        logger.info("Refused a Stripe webhook: %s", refused.reason)
        return HttpResponseBadRequest(refused.reason)
    try:
        services.webhook_event_handle(
            provider=StripeCards.name,
            event_id=event.id,
            event_type=event.type,
            object_id=event.object_id,
            payment_ref=event.payment_ref,
        )
    except providers.ProviderError:
        return HttpResponse(status=503)  # Stripe delivers it again later
    return HttpResponse(status=200)
