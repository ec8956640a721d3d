"""Card payments through Stripe PaymentIntents (offered only when the keys are set).

The PaymentIntent is created on the server when the order is placed. In the page, stripe.js
collects the card and turns it into a token; the server attaches it to the PaymentIntent and
confirms it, and stripe.js then completes any authentication step (3-D Secure) with
``confirmCardPayment``. Whatever the page reports, the server acts only on what it re-reads from
Stripe; webhooks are triggers for the same re-read (their bodies are checked in :mod:`.events`).

``STRIPE_API_BASE`` points the client at another API server (localstripe in tests).
"""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING, Any

import stripe
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from payments.money import from_stripe_amount, to_stripe_amount
from payments.providers.base import (
    Attempt,
    PaymentProvider,
    ProviderError,
    ProviderRefund,
    ProviderState,
    RefundSeen,
)

if TYPE_CHECKING:
    from payments.models import Payment

logger = logging.getLogger(__name__)

CURRENCY = "idr"
PENDING_STATUSES = frozenset(
    {"requires_confirmation", "requires_action", "processing", "requires_capture"}
)


@functools.cache
def _client(key: str, api_base: str) -> stripe.StripeClient:
    options: dict[str, Any] = {"max_network_retries": 2}
    if api_base:
        options["base_addresses"] = {"api": api_base.rstrip("/")}
    return stripe.StripeClient(key, **options)


def _unreachable(exc: Exception) -> ProviderError:
    logger.warning("Stripe request failed: %s", exc)
    return ProviderError(
        gettext("The card payment service could not be reached. Nothing was charged; try again.")
    )


class StripeCards(PaymentProvider):
    name = "stripe"
    label = _("Card (Visa, Mastercard, …)")
    description = _("Pay now with a card. Card details go straight to Stripe, never to us.")
    staff_label = _("Card (Stripe)")
    short_label = _("Card")
    refund_note = _("Card payments are refunded to the card through Stripe at once.")
    pays_in_page = True
    reports_refunds = True
    page_template = "payments/providers/stripe_card.html"
    urls = "payments.providers.stripe.urls"

    @property
    def reservation_minutes(self) -> int:  # type: ignore[override]
        return int(settings.RESERVATION_MINUTES)

    def is_available(self) -> bool:
        return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_PUBLISHABLE_KEY)

    @property
    def client(self) -> stripe.StripeClient:
        return _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE or "")

    # --- The interface ---------------------------------------------------------------------------

    def start(self, payment: Payment) -> None:
        code = payment.code
        try:
            intent = self.client.v1.payment_intents.create(
                params={
                    "amount": to_stripe_amount(payment.amount, CURRENCY),
                    "currency": CURRENCY,
                    "payment_method_types": ["card"],
                    "metadata": {"order": code, "payment": str(payment.pk)},
                },
                options={"idempotency_key": f"umkm-payment-{code}-{payment.pk}-create"},
            )
        except stripe.StripeError as exc:
            raise _unreachable(exc) from exc
        payment.provider_ref = intent.id

    def state(self, payment: Payment) -> ProviderState | None:
        if not payment.provider_ref:
            return ProviderState("cancelled")  # never reached Stripe
        return self._state(self._retrieve(payment))

    def refund(self, payment: Payment, *, amount: int, key: str) -> ProviderRefund:
        try:
            refund = self.client.v1.refunds.create(
                params={
                    "payment_intent": payment.provider_ref,
                    "amount": to_stripe_amount(amount, CURRENCY),
                },
                options={"idempotency_key": key},
            )
        except stripe.StripeError as exc:
            raise _unreachable(exc) from exc
        return ProviderRefund(provider_ref=refund.id, done=refund.status != "failed")

    def cancel(self, payment: Payment) -> None:
        if not payment.provider_ref:
            return
        try:
            self.client.v1.payment_intents.cancel(payment.provider_ref)
        except stripe.InvalidRequestError:
            # Already cancelled, or it went through meanwhile: the caller re-reads the state.
            logger.info("PaymentIntent %s could not be cancelled", payment.provider_ref)
        except stripe.StripeError as exc:
            raise _unreachable(exc) from exc

    # --- Card payments in the page ---------------------------------------------------------------

    def client_config(self, *, pay_url: str, sync_url: str) -> dict[str, Any]:
        return {
            "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            "js_url": settings.STRIPE_JS_URL,
            "pay_url": pay_url,
            "sync_url": sync_url,
        }

    def pay(self, payment: Payment, *, data: str) -> Attempt:
        """Attach the card (``data``: a token's card id or a PaymentMethod id from stripe.js) and
        confirm."""
        card = data
        intent_id = payment.provider_ref
        try:
            self.client.v1.payment_intents.update(intent_id, params={"payment_method": card})
            self.client.v1.payment_intents.confirm(intent_id)
        except stripe.CardError:
            pass  # declined: the re-read below says so, with Stripe's reason
        except stripe.InvalidRequestError as exc:
            logger.info("Card for %s refused: %s", intent_id, exc)
        except stripe.StripeError as exc:
            raise _unreachable(exc) from exc
        intent = self._retrieve(payment)
        state = self._state(intent)
        if intent.status == "requires_action":
            return Attempt(state, requires_action=True, client_secret=intent.client_secret)
        return Attempt(state)

    def refunds_of(self, payment: Payment) -> list[RefundSeen]:
        """The payment's refunds at Stripe."""
        try:
            found = self.client.v1.refunds.list(
                params={"payment_intent": payment.provider_ref, "limit": 100}
            )
        except stripe.StripeError as exc:
            raise _unreachable(exc) from exc
        return [
            RefundSeen(
                provider_ref=r.id,
                amount=from_stripe_amount(int(r.amount), getattr(r, "currency", None) or CURRENCY),
                status=r.status,
            )
            for r in found.data
        ]

    # --- Helpers -----------------------------------------------------------------------------------

    def _retrieve(self, payment: Payment) -> stripe.PaymentIntent:
        try:
            return self.client.v1.payment_intents.retrieve(payment.provider_ref)
        except stripe.StripeError as exc:
            raise _unreachable(exc) from exc

    @staticmethod
    def _state(intent: stripe.PaymentIntent) -> ProviderState:
        status = intent.status
        if status == "succeeded":
            received = getattr(intent, "amount_received", None) or intent.amount
            return ProviderState(
                "succeeded", amount=from_stripe_amount(int(received), intent.currency)
            )
        if status == "canceled":
            return ProviderState("cancelled")
        if status in PENDING_STATUSES:
            return ProviderState("pending")
        # Stripe objects are not dicts (no .get): read optional fields with getattr.
        error = getattr(intent, "last_payment_error", None)
        if error:  # requires_payment_method after a declined attempt
            message = getattr(error, "message", "") or ""
            return ProviderState("failed", message=message or "")
        return ProviderState("pending")  # requires_payment_method: no card given yet
