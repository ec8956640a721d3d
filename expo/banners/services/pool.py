"""The serving pool's version: the pools are cached (see :mod:`expo.banners.selectors`), and any
change to a campaign that may run starts a new version of them all."""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

POOL_VERSION_KEY = "banners:pool-version"


def pool_version() -> int:
    """The pools' current version (part of every pool's cache key)."""
    return cache.get_or_set(POOL_VERSION_KEY, 1, None) or 1


def pool_changed() -> None:
    """Serving pools are cached: a campaign's change starts a new version of them all."""

    def bump() -> None:
        try:
            cache.incr(POOL_VERSION_KEY)
        except ValueError:
            cache.set(POOL_VERSION_KEY, 2, None)

    transaction.on_commit(bump)
