"""Presence: how many sockets are in a room, counted without a database write.

Each room hub (:mod:`events.hub`) keeps a :class:`Presence`: a count of its sockets per room and per
presence *tag* (``inquiry:40#vendor``: the vendor's members in a thread, never broadcast), in
memory. With ``REDIS_URL`` the counts are also written to a Redis hash per room
(``umkm:presence:<room>``, one field per process) with a heartbeat per process
(``umkm:presence:processes``): a process that stops cleanly takes its counts away, one that dies
stops counting after :data:`PROCESS_STALE_SECONDS`. Changes are coalesced into one announcement
per room every :data:`COALESCE_SECONDS`, not one per join or leave; the hub turns announcements into
``presence`` frames. :func:`online` answers synchronous code (services, reports).

**When presence's Redis cannot be reached** (refused, reset, or accepting and never answering),
presence degrades to what this process knows, and nothing raises:

- every Redis call gives up after :data:`CONNECT_TIMEOUT_SECONDS` to connect and
  :data:`TIMEOUT_SECONDS` to answer, retried once at once (a connection a restart broke), and is
  bounded as a whole by :data:`GIVE_UP_SECONDS`: a stalled server holds no join, no heartbeat, no
  page and no process exit for longer. Flushes and heartbeats run as tasks of the event loop, never
  in it, so sockets are served meanwhile;
- joins, leaves and chat go on; each process announces its own counts to its own sockets (a
  ``presence`` frame delivered in-process, without the channel layer, which may be down with the
  same Redis), and :func:`online` answers this process's count. A count is then low for people on
  other processes: a vendor on another process may get an e-mail they did not need, the bell may
  ring for a tab elsewhere, a call may take a fifth peer. Each errs towards telling people, as the
  cache's outage does (:mod:`expo.cache`);
- while it is down Redis is tried again at most once every :data:`RETRY_SECONDS` (by a flush, the
  hub's heartbeat or :func:`online`); everything else answers locally at once;
- the log gets one line when the outage starts (with the cause), at most one a minute while it
  lasts, and one when Redis answers again (:class:`expo.cache.Outage`, one per process) — not a
  traceback per call;
- when Redis answers again the next write (a flush, or the heartbeat every
  ``events.hub.HEARTBEAT_SECONDS``) re-publishes all of this process's counts, not only the changed
  ones (a restarted Redis has forgotten them), and totals across processes are announced again.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import logging
import os
import socket as socketlib
import threading
import time
import uuid
import weakref
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from django.conf import settings

from events import rooms
from expo.cache import Outage

logger = logging.getLogger(__name__)

COALESCE_SECONDS = 0.5
PROCESS_STALE_SECONDS = 30.0
PREFIX = "umkm:presence:"
PROCESSES = "umkm:presence:processes"
# A Redis call gives up after these (a host that does not answer, a server that accepts and never
# replies); one retry at once; the whole call (retry included) never takes longer than the last.
CONNECT_TIMEOUT_SECONDS = 0.5
TIMEOUT_SECONDS = 1.0
GIVE_UP_SECONDS = 4.0
# While Redis is unreachable, it is tried again at most this often; other calls answer locally.
RETRY_SECONDS = 5.0

# Every Presence of this process (one per hub, so per event loop), for online() without Redis.
_counters: weakref.WeakSet[Presence] = weakref.WeakSet()
# online()'s client, for the REDIS_URL it was made for.
_sync_client: tuple[str, Any] | None = None
_sync_lock = threading.Lock()
# Presence's Redis as this process sees it: shared by the hubs' writes and online().
outage = Outage(
    "presence: Redis",
    logger,
    meanwhile="each process counts and announces its own sockets until it answers",
    retry_seconds=RETRY_SECONDS,
)


def _client_options(*, asynchronous: bool, retries: int = 1) -> dict[str, Any]:
    from redis.backoff import NoBackoff

    if asynchronous:
        from redis.asyncio.retry import Retry
    else:
        from redis.retry import Retry
    return {
        "socket_connect_timeout": CONNECT_TIMEOUT_SECONDS,
        "socket_timeout": TIMEOUT_SECONDS,
        "retry": Retry(NoBackoff(), retries),
    }


def frame(room: str, count: int) -> str:
    """The ``presence`` frame of a room, encoded."""
    return json.dumps(
        {"type": "presence", "room": room, "count": count},
        separators=(",", ":"),
        ensure_ascii=False,
    )


class Presence:
    """The counts of one hub and their coalesced announcements.

    ``announce_local(room, count)`` is called (synchronously) for each changed room when this
    process's count is the one to show: without Redis (this process holds every socket), and while
    Redis cannot be reached. With Redis, ``announce_shared(room, total)`` is awaited with the total
    across live processes.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        shared: RedisPresence | None,
        announce_local: Callable[[str, int], None],
        announce_shared: Callable[[str, int], Awaitable[None]],
    ) -> None:
        self.loop = loop
        self.shared = shared
        self.counts: Counter[str] = Counter()
        self._announce_local = announce_local
        self._announce_shared = announce_shared
        self._dirty: set[str] = set()
        self._flush_timer: asyncio.TimerHandle | None = None
        self._background: set[asyncio.Task] = set()
        _counters.add(self)

    def count(self, key: str) -> int:
        """Sockets of this process in a room (or under a presence tag)."""
        return self.counts.get(key, 0)

    def change(self, keys: Iterable[str], delta: int) -> None:
        """A socket came (+1) or went (-1) under ``keys`` (a room and its tags)."""
        for key in keys:
            value = self.counts[key] + delta
            if value > 0:
                self.counts[key] = value
            else:
                self.counts.pop(key, None)
            self._dirty.add(key)
        if self._flush_timer is None:
            self._flush_timer = self.loop.call_later(COALESCE_SECONDS, self._flush)

    def _flush(self) -> None:
        self._flush_timer = None
        dirty, self._dirty = self._dirty, set()
        if self.shared is None:
            self._announce_here(dirty)
            return
        task = self.loop.create_task(self._flush_shared(dirty))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        task.add_done_callback(_log_failure)

    def _announce_here(self, keys: Iterable[str]) -> None:
        """This process's own counts of ``keys``, to its own sockets."""
        for key in keys:
            if not rooms.is_tag(key):
                self._announce_local(key, self.counts.get(key, 0))

    async def _flush_shared(self, keys: set[str]) -> None:
        shown = [key for key in keys if not rooms.is_tag(key)]
        totals = await self.shared.sync(self.counts, keys, shown)
        if totals is None:  # Redis unreachable: this process's counts, here
            self._announce_here(shown)
            return
        for room, total in totals.items():
            await self._announce_shared(room, total)

    async def heartbeat(self, shown: list[str]) -> dict[str, int]:
        """Refresh this process's counts in Redis; the totals of the ``shown`` rooms (a process
        that died stops counting, so they may have changed without a join or leave here). While
        Redis cannot be reached: announces this process's counts of them itself and answers
        nothing (never raises)."""
        totals = await self.shared.sync(self.counts, None, shown)
        if totals is None:
            self._announce_here(shown)
            return {}
        return totals


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("presence: background task failed", exc_info=task.exception())


def _unreachable(error: BaseException) -> bool:
    """An error that means Redis cannot be reached (or does not answer in time)."""
    import redis.exceptions

    return isinstance(
        error, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError | OSError
    )


class RedisPresence:
    """Per-process counts in one Redis hash per room (field = process), totals over live processes."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.process = f"{socketlib.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._client: Any = None
        # The keys this process has a field in, as far as Redis last answered.
        self._written: set[str] = set()
        # Whether Redis may lack some of this process's counts (a write failed, or Redis restarted
        # meanwhile): the next write sends all of them.
        self.stale = False

    def client(self) -> Any:
        if self._client is None:
            import redis.asyncio

            self._client = redis.asyncio.Redis.from_url(
                self.url, **_client_options(asynchronous=True)
            )
            # A process that stops cleanly (a deploy, a restart) takes its counts away at once;
            # one that dies stops counting after PROCESS_STALE_SECONDS.
            atexit.register(self.forget)
        return self._client

    def forget(self) -> None:
        """Take this process's counts away (at exit: bounded, never raises)."""
        import redis

        options = _client_options(asynchronous=False, retries=0)
        with contextlib.suppress(Exception), redis.Redis.from_url(self.url, **options) as client:
            pipe = client.pipeline(transaction=False)
            pipe.zrem(PROCESSES, self.process)
            for key in self._written:
                pipe.hdel(PREFIX + key, self.process)
            pipe.execute()

    async def sync(
        self, counts: dict[str, int], changed: Iterable[str] | None, shown: list[str]
    ) -> dict[str, int] | None:
        """Write this process's ``changed`` counts (all of them when ``changed`` is None: the
        heartbeat, which also clears the fields of keys it no longer counts in) and read the totals
        of the ``shown`` rooms, in one round trip. None when Redis cannot be reached (or is not
        tried, see RETRY_SECONDS); other errors raise."""
        if not outage.may_try():
            self.stale = True
            return None
        full = changed is None or self.stale
        try:
            async with asyncio.timeout(GIVE_UP_SECONDS):  # (wait_for may swallow a cancellation)
                totals = await self._sync(counts, None if full else changed, shown)
        except Exception as error:
            if not _unreachable(error):
                raise
            self.stale = True
            outage.failed(error)
            return None
        self.stale = False
        outage.answered()
        return totals

    async def _sync(
        self, counts: dict[str, int], changed: Iterable[str] | None, shown: list[str]
    ) -> dict[str, int]:
        now = time.time()
        pipe = self.client().pipeline(transaction=False)
        pipe.zadd(PROCESSES, {self.process: now})
        written = set(self._written)
        if changed is None:
            changed = list(counts)
            # Keys this process counted in but no longer does: clear its field.
            for key in written - set(changed):
                pipe.hdel(PREFIX + key, self.process)
                written.discard(key)
            pipe.zremrangebyscore(PROCESSES, "-inf", now - 3600)
        for key in changed:
            value = counts.get(key, 0)
            if value > 0:
                pipe.hset(PREFIX + key, self.process, value)
                pipe.expire(PREFIX + key, int(PROCESS_STALE_SECONDS * 4))
                written.add(key)
            else:
                pipe.hdel(PREFIX + key, self.process)
                written.discard(key)
        pipe.zrangebyscore(PROCESSES, now - PROCESS_STALE_SECONDS, "+inf")
        for key in shown:
            pipe.hgetall(PREFIX + key)
        answers = await pipe.execute()
        self._written = written
        alive, hashes = answers[-len(shown) - 1], answers[len(answers) - len(shown) :]
        return {key: _sum_alive(found, alive) for key, found in zip(shown, hashes, strict=True)}


def _sum_alive(counts: dict[bytes, bytes], alive: list[bytes]) -> int:
    living = set(alive)
    return sum(int(value) for process, value in counts.items() if process in living)


def _here(key: str) -> int:
    return sum(counter.count(key) for counter in list(_counters))


def online(key: str) -> int:
    """Sockets in a room (or under a presence tag) across all processes; callable from sync code.
    Without Redis: the sockets of this process, which is all of them. While Redis cannot be
    reached: the sockets of this process (see the module's docstring); never raises for that."""
    if not settings.REDIS_URL:
        return _here(key)
    if not outage.may_try():
        return _here(key)
    try:
        pipe = _sync_redis(settings.REDIS_URL).pipeline(transaction=False)
        pipe.zrangebyscore(PROCESSES, time.time() - PROCESS_STALE_SECONDS, "+inf")
        pipe.hgetall(PREFIX + key)
        alive, counts = pipe.execute()
    except Exception as error:
        if not _unreachable(error):
            raise
        outage.failed(error)
        return _here(key)
    outage.answered()
    return _sum_alive(counts, alive)


def _sync_redis(url: str) -> Any:
    global _sync_client
    with _sync_lock:
        if _sync_client is None or _sync_client[0] != url:
            import redis

            _sync_client = (url, redis.Redis.from_url(url, **_client_options(asynchronous=False)))
        return _sync_client[1]
