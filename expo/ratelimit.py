"""One rate limiter for everything that counts: chat messages, data API requests and whatever comes
next. It is the ``limits`` library's moving window, kept on Redis when ``REDIS_URL`` is set (so every
Daphne process shares the count) and in the process's memory otherwise (the embedded default).

A moving window, not a fixed one: "5 in 5 seconds" holds for every 5 seconds. Fixed windows start
afresh at their edge, so a client that spends its allowance just before the edge and again just
after it gets twice the rate through in a fraction of a second.

No database write per hit. When Redis cannot be reached the limiter lets the action through and
logs it: an outage of the counter must not stop chat or the API. Its Redis connections have the
cache's timeouts (``RATELIMIT_REDIS_OPTIONS``), so a Redis host that does not answer at all costs
a hit about a second, not the system's TCP timeout.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from limits import RateLimitItemPerSecond, strategies
from limits.storage import Storage, storage_from_string

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rate:
    """``amount`` hits per ``seconds``."""

    amount: int
    seconds: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # whole seconds until the oldest counted hit leaves the window


def configured(name: str, default: tuple[int, int]) -> Rate:
    """The rate a setting names as ``(amount, seconds)``, else ``default``."""
    amount, seconds = getattr(settings, name, None) or default
    return Rate(int(amount), int(seconds))


REDIS_SCHEMES = ("redis://", "rediss://", "redis+unix://")


@cache
def _storage(uri: str) -> Storage:
    if not uri.startswith(REDIS_SCHEMES):
        return storage_from_string(uri)
    return storage_from_string(uri, **settings.RATELIMIT_REDIS_OPTIONS)


def storage() -> Storage:
    return _storage(settings.RATELIMIT_STORAGE_URI)


def hit(scope: str, key: object, rate: Rate) -> Verdict:
    """Count one hit of ``key`` in ``scope`` (``"chat"``, ``"api"``…) against ``rate``."""
    item = RateLimitItemPerSecond(rate.amount, rate.seconds)
    limiter = strategies.MovingWindowRateLimiter(storage())
    try:
        if limiter.hit(item, scope, str(key)):
            return Verdict(True)
        reset_at = limiter.get_window_stats(item, scope, str(key)).reset_time
    except Exception:  # the counter's store is down: let the action through
        log.warning("rate limiter unavailable; allowing %s:%s", scope, key, exc_info=True)
        return Verdict(True)
    return Verdict(False, max(1, math.ceil(reset_at - time.time())))


def reset() -> None:
    """Forget every count (tests, and an operator after a misconfigured limit)."""
    storage().reset()
