"""A version number per expo's catalogue, in the cache. Hall, booth and product pages key their
cached fragments on it; every write to a booth or product bumps it, so caches never go stale.

:func:`cached` builds a missing fragment once per process however many requests want it at the
same moment (the opening minute: every visitor asks for the same few pages, none cached yet)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

_builders: dict[str, threading.Lock] = {}
_builders_guard = threading.Lock()


def cached(key: str, build: Callable[[], T], seconds: int) -> T:
    """The cache's value at ``key``, else ``build()`` stored there for ``seconds``. Requests of one
    process that miss the same key together wait for the first one's build instead of each
    building the page again (with the cache down, they build one after another)."""
    value = cache.get(key)
    if value is not None:
        return value
    with _builders_guard:
        lock = _builders.setdefault(key, threading.Lock())
    try:
        with lock:
            value = cache.get(key)  # built while this request waited
            if value is None:
                value = build()
                cache.set(key, value, seconds)
    finally:
        with _builders_guard:
            if _builders.get(key) is lock and not lock.locked():
                del _builders[key]
    return value


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
