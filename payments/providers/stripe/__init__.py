"""Stripe card payments as a payments plugin: the provider (:mod:`.provider`), its webhook view
(:mod:`.views`), what a webhook body must be (:mod:`.events`) and the webhook's URL (:mod:`.urls`,
served at ``/stripe/webhook/``)."""

from payments.providers.stripe.provider import CURRENCY, StripeCards

__all__ = ["CURRENCY", "StripeCards"]
