"""Payment providers as plugins, behind one small interface
(:class:`~payments.providers.base.PaymentProvider`), found by name in a registry.

The core asks the registry (:func:`get`, :func:`available`, :func:`offline`, :func:`in_page`) and
never names a provider. Which providers exist is the list below, dotted paths as in
``INSTALLED_APPS``, overridable by the ``PAYMENT_PROVIDERS`` setting (the first is the default),
plus any a plugin outside this package adds with :func:`register` from its ``AppConfig.ready``.
Manual bank transfer needs no keys; card payments are offered only when their keys are set.
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.urls import include, path
from django.utils.module_loading import import_string

from payments.providers.base import (
    Attempt,
    PaymentProvider,
    ProviderError,
    ProviderRefund,
    ProviderState,
    RefundSeen,
)

INSTALLED = (
    "payments.providers.manual.ManualTransfer",
    "payments.providers.stripe.StripeCards",
)

__all__ = [
    "Attempt",
    "PaymentProvider",
    "ProviderError",
    "ProviderRefund",
    "ProviderState",
    "RefundSeen",
    "available",
    "find",
    "get",
    "in_page",
    "installed",
    "offline",
    "register",
    "urlpatterns",
]

_registered: dict[str, PaymentProvider] = {}


@functools.cache
def _registry(paths: tuple[str, ...]) -> dict[str, PaymentProvider]:
    found: dict[str, PaymentProvider] = {}
    for dotted in paths:
        provider = import_string(dotted)()
        found[provider.name] = provider
    return found


def _providers() -> dict[str, PaymentProvider]:
    return {**_registry(tuple(getattr(settings, "PAYMENT_PROVIDERS", INSTALLED))), **_registered}


def register(provider: PaymentProvider) -> PaymentProvider:
    """Offer ``provider`` beside the installed ones (a plugin calls it once, at start-up; its
    ``urls`` are served only if it registers before the URLconf is loaded)."""
    _registered[provider.name] = provider
    return provider


def installed() -> list[PaymentProvider]:
    """Every provider, in the order checkout offers them."""
    return list(_providers().values())


def get(name: str) -> PaymentProvider:
    """The provider called ``name`` (KeyError for an unknown one)."""
    return _providers()[name]


def find(name: str) -> PaymentProvider | None:
    """The provider called ``name``, or None (an old payment of a provider since removed)."""
    return _providers().get(name)


def available() -> list[PaymentProvider]:
    """The providers a buyer may choose now (their keys are set)."""
    return [provider for provider in installed() if provider.is_available()]


def offline() -> list[str]:
    """Names of the providers whose payments people confirm by hand (bank transfers)."""
    return [provider.name for provider in installed() if provider.confirms_offline]


def in_page() -> PaymentProvider | None:
    """The first available provider paid in the page (a card), or None."""
    return next((p for p in available() if p.pays_in_page), None)


def urlpatterns() -> list[Any]:
    """The providers' own views (webhooks), for ``payments.urls``."""
    return [path("", include(provider.urls)) for provider in installed() if provider.urls]
