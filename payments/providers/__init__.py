"""Payment providers behind one small interface (:class:`~payments.providers.base.PaymentProvider`):
manual bank transfer, the default that needs no keys, and Stripe card payments when its keys are
set."""

from __future__ import annotations

from payments.providers.base import (
    PaymentDeclined,
    PaymentProvider,
    ProviderError,
    ProviderRefund,
    ProviderState,
)
from payments.providers.manual import ManualTransfer
from payments.providers.stripe import StripeCards

MANUAL = ManualTransfer()
STRIPE = StripeCards()

# The order checkout offers them in; the first is the default.
REGISTRY: dict[str, PaymentProvider] = {MANUAL.name: MANUAL, STRIPE.name: STRIPE}

__all__ = [
    "MANUAL",
    "REGISTRY",
    "STRIPE",
    "PaymentDeclined",
    "PaymentProvider",
    "ProviderError",
    "ProviderRefund",
    "ProviderState",
    "available",
    "get",
]


def get(name: str) -> PaymentProvider:
    """The provider called ``name`` (KeyError for an unknown one)."""
    return REGISTRY[name]


def available() -> list[PaymentProvider]:
    return [provider for provider in REGISTRY.values() if provider.is_available()]
