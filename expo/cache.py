"""The cache backend on Redis (``redis_cache`` in settings): django-redis's, with ``add`` answered
the way an empty cache would answer it while Redis cannot be reached.

The cache is an accelerator, not a dependency: with ``IGNORE_EXCEPTIONS`` an unreachable Redis
makes reads miss and writes vanish, as if the cache were empty and forgot everything. django-redis
keeps that promise for every method but ``add``, which it answers ``None`` ("not added", as if
the key were already there). ``add`` is the cache's lock and once-only guard, so a falsy answer
refuses whatever the caller guards, for as long as the outage lasts. django-allauth's rate limits
take a lock with ``add`` before counting a sign-in, sign-up or password reset, try for a second,
and answer 429: nobody could sign in while the cache's Redis was down.

Here ``add`` answers ``True`` ("added") when Redis cannot be reached, and logs it, as Django's own
``DummyCache`` (the cache that keeps nothing) answers it. Every caller then goes ahead as it would
on an empty cache:

- allauth's rate limits (sign-in, failed sign-ins, sign-up, password reset…) fail open for the
  outage: the lock is "taken", the count reads as empty, the new count is dropped. While Redis is
  up nothing changes: its own ``SET NX`` answers, and the limits hold as before.
- ``events.services`` e-mails the away side of an inquiry at most once a quarter of an hour,
  guarded by ``add``: during an outage each message to an away side sends its e-mail (the
  pause cannot be remembered; still one per message, never more).
  More mail for the outage's length beats a vendor never told that a buyer is asking.
- ``booths.catalogue.version`` seeds the catalogue's version with ``add`` and ignores the answer;
  during an outage nothing is cached, so the version does not matter.

Anything else, and every error while ``IGNORE_EXCEPTIONS`` is off, is django-redis's own behaviour.

Why here and not in allauth's limits: allauth counts in the default cache (``django.core.cache``)
with no setting or adapter hook around its lock, so the choice is this backend or patching its
internals, which an upgrade would silently undo.

**The log of an outage.** django-redis logs every ignored error with its traceback
(``DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS``): during an outage every cache call of every page wrote
one, dozens a second, burying anything else in the log. Here the same logger
(``django_redis.cache``, or ``DJANGO_REDIS_LOGGER``) gets an :class:`Outage`'s lines instead: the
first failure with its cause, then at most one summary every :attr:`Outage.SUMMARY_SECONDS`
while calls keep failing (how many, the last cause), and one line when Redis answers again. The
setting still switches it off. ``add``'s own line (above) stays one per call: each is a decision
(a lock or a limit let through). :class:`Outage` also serves :mod:`events.presence`.
"""

from __future__ import annotations

import functools
import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django_redis.cache import RedisCache as DjangoRedisCache
from django_redis.exceptions import ConnectionInterrupted

log = logging.getLogger(__name__)


class Outage:
    """A dependency of this process that may become unreachable, and the log of its outages.

    Callers report each call: :meth:`failed` (with the error) or :meth:`answered`. The log gets the
    first failure with its cause, then while failures go on at most one summary every
    :attr:`SUMMARY_SECONDS` (only when a call fails: no timer), then one line when the dependency
    answers again: three lines for a short outage, one more a minute for a long one, however many
    calls fail meanwhile. Warnings without tracebacks: the cause is the story. While down,
    :meth:`may_try` lets one call through every ``retry_seconds`` (0: every call), so that callers
    with an answer of their own (presence's local counts) do not wait on a dead server each time.
    Thread-safe: one per dependency per process, shared by threads and event loops.
    """

    SUMMARY_SECONDS = 60.0

    def __init__(
        self, what: str, logger: logging.Logger, *, meanwhile: str, retry_seconds: float = 0.0
    ) -> None:
        self.what = what
        self.logger = logger
        self.meanwhile = meanwhile
        self.retry_seconds = retry_seconds
        self.clock: Callable[[], float] = time.monotonic
        self.down_since: float | None = None
        self.failures = 0  # every failure reported, ever (tells a call that succeeded)
        self._lock = threading.Lock()
        self._unlogged = 0
        self._logged_at = 0.0
        self._tried_at = 0.0

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def may_try(self) -> bool:
        """Whether to call the dependency now: always while it answers; while it is down, once
        every ``retry_seconds`` (the call that may is counted as the try)."""
        with self._lock:
            if self.down_since is None:
                return True
            now = self.clock()
            if now - self._tried_at >= self.retry_seconds:
                self._tried_at = now
                return True
            return False

    def failed(self, error: BaseException) -> None:
        with self._lock:
            now = self.clock()
            self.failures += 1
            self._tried_at = now
            if self.down_since is None:
                self.down_since = self._logged_at = now
                self._unlogged = 0
                line: tuple[Any, ...] = (
                    "%s unreachable (%s): %s",
                    self.what,
                    _cause(error),
                    self.meanwhile,
                )
            else:
                self._unlogged += 1
                if now - self._logged_at < self.SUMMARY_SECONDS:
                    return
                line = (
                    "%s still unreachable after %.0f s: %d more calls failed since the last "
                    "line (the last: %s)",
                    self.what,
                    now - self.down_since,
                    self._unlogged,
                    _cause(error),
                )
                self._logged_at = now
                self._unlogged = 0
        self.logger.warning(*line)

    def answered(self) -> None:
        with self._lock:
            if self.down_since is None:
                return
            line = (
                "%s answers again after %.0f s",
                self.what,
                self.clock() - self.down_since,
            )
            self.down_since = None
            self._unlogged = 0
        self.logger.warning(*line)


def _cause(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return text if len(text) <= 300 else text[:299] + "…"


# One Outage per cache server, shared by every thread's instance of the backend (Django makes one
# per thread): the log sees one outage, not one per thread.
_outages: dict[str, Outage] = {}
_outages_lock = threading.Lock()


def _outage_of(server: Any, logger: logging.Logger) -> Outage:
    key = str(server)
    with _outages_lock:
        outage = _outages.get(key)
        if outage is None:
            outage = _outages[key] = Outage(
                "cache",
                logger,
                meanwhile="reads miss and writes are dropped until it answers",
            )
        return outage


class _IgnoredErrors:
    """Stands in for django-redis's logger of ignored errors (``self.logger.exception(...)``,
    called while the error is being handled): the error goes to the server's :class:`Outage`."""

    def __init__(self, outage: Outage) -> None:
        self.outage = outage

    def exception(self, *_args: Any, **_kwargs: Any) -> None:
        error = sys.exc_info()[1]
        if error is not None:
            self.outage.failed(error.__cause__ or error)


class RedisCache(DjangoRedisCache):
    """django-redis's cache whose ``add`` succeeds while Redis cannot be reached, and whose ignored
    errors are logged as outages, not one traceback each (see above)."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        logger = logging.getLogger(
            getattr(settings, "DJANGO_REDIS_LOGGER", None) or "django_redis.cache"
        )
        self.outage = _outage_of(server, logger)
        if self._log_ignored_exceptions:
            self.logger = _IgnoredErrors(self.outage)  # type: ignore[assignment]

    def add(self, key: Any, *args: Any, **kwargs: Any) -> bool:
        try:
            added = self.client.add(key, *args, **kwargs)
        except ConnectionInterrupted as interrupted:
            if not self._ignore_exceptions:
                raise interrupted.__cause__ from None  # as django-redis raises it
            if self._log_ignored_exceptions:
                self.outage.failed(interrupted.__cause__ or interrupted)
            log.warning(
                "cache unreachable (%s): add(%r) goes ahead as on an empty cache",
                interrupted.__cause__ or interrupted,
                key,
            )
            return True
        self.outage.answered()
        return added


def _answering(name: str) -> Callable[..., Any]:
    """django-redis's ``name`` (which talks to Redis once), telling the outage when it answered: a
    call during which no failure was reported (another thread's failure meanwhile only delays
    the news)."""
    inner = getattr(DjangoRedisCache, name)

    @functools.wraps(inner)
    def method(self: RedisCache, *args: Any, **kwargs: Any) -> Any:
        outage = self.outage
        if not outage.down:
            return inner(self, *args, **kwargs)
        failures = outage.failures
        result = inner(self, *args, **kwargs)
        if outage.failures == failures:
            outage.answered()
        return result

    return method


# The methods that make a round trip to Redis (not ``close``, ``lock`` or ``iter_keys``, which
# answer without one). ``get`` goes through ``_get``.
for _name in (
    "_get",
    "set",
    "get_many",
    "set_many",
    "delete",
    "delete_many",
    "has_key",
    "incr",
    "decr",
    "touch",
    "ttl",
    "expire",
    "persist",
    "clear",
):
    setattr(RedisCache, _name, _answering(_name))
