"""A version number per expo's catalogue, in the cache. Hall, booth and product pages key their
cached fragments on it; every write to a booth or product bumps it, so caches never go stale."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction


def _key(expo_id: int) -> str:
    return f"catalogue-version:{expo_id}"


def version(expo_id: int) -> int:
    value = cache.get(_key(expo_id))
    if value is None:
        cache.add(_key(expo_id), 1, timeout=None)
        value = cache.get(_key(expo_id), 1)
    return int(value)


def bump(expo_id: int) -> None:
    def do() -> None:
        try:
            cache.incr(_key(expo_id))
        except ValueError:
            cache.set(_key(expo_id), 2, timeout=None)

    transaction.on_commit(do)


def bump_all(expo_ids: Iterable[int]) -> None:
    for expo_id in set(expo_ids):
        bump(expo_id)
