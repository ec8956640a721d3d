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
"""

from __future__ import annotations

import logging
from typing import Any

from django_redis.cache import RedisCache as DjangoRedisCache
from django_redis.exceptions import ConnectionInterrupted

log = logging.getLogger(__name__)


class RedisCache(DjangoRedisCache):
    """django-redis's cache whose ``add`` succeeds while Redis cannot be reached (see above)."""

    def add(self, key: Any, *args: Any, **kwargs: Any) -> bool:
        try:
            return self.client.add(key, *args, **kwargs)
        except ConnectionInterrupted as interrupted:
            if not self._ignore_exceptions:
                raise interrupted.__cause__ from None  # as django-redis raises it
            log.warning(
                "cache unreachable (%s): add(%r) goes ahead as on an empty cache",
                interrupted.__cause__ or interrupted,
                key,
            )
            return True
