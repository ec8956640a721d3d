"""Presence: how many sockets are in a room, counted without a database write.

Each room hub (:mod:`events.hub`) keeps a :class:`Presence`: a count of its sockets per room and per
presence *tag* (``inquiry:40#vendor``: the vendor's members in a thread, never broadcast), in
memory. With ``REDIS_URL`` the counts are also written to a Redis hash per room
(``umkm:presence:<room>``, one field per process) with a heartbeat per process
(``umkm:presence:processes``): a process that stops cleanly takes its counts away, one that dies
stops counting after :data:`PROCESS_STALE_SECONDS`. Changes are coalesced into one announcement
per room every :data:`COALESCE_SECONDS`, not one per join or leave; the hub turns announcements into
``presence`` frames. :func:`online` answers synchronous code (services, reports).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import logging
import os
import socket as socketlib
import time
import uuid
import weakref
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from django.conf import settings

from events import rooms

logger = logging.getLogger(__name__)

COALESCE_SECONDS = 0.5
PROCESS_STALE_SECONDS = 30.0
PREFIX = "umkm:presence:"
PROCESSES = "umkm:presence:processes"

# Every Presence of this process (one per hub, so per event loop), for online() without Redis.
_counters: weakref.WeakSet[Presence] = weakref.WeakSet()
_sync_redis: Any = None


def frame(room: str, count: int) -> str:
    """The ``presence`` frame of a room, encoded."""
    return json.dumps(
        {"type": "presence", "room": room, "count": count},
        separators=(",", ":"),
        ensure_ascii=False,
    )


class Presence:
    """The counts of one hub and their coalesced announcements.

    ``announce_local(room, count)`` is called (synchronously) for each changed room when there is
    no Redis: this process holds every socket. With Redis, ``announce_shared(room, total)`` is
    awaited with the total across live processes.
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
            for key in dirty:
                if not rooms.is_tag(key):
                    self._announce_local(key, self.counts.get(key, 0))
            return
        task = self.loop.create_task(self._flush_shared(dirty))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        task.add_done_callback(_log_failure)

    async def _flush_shared(self, keys: set[str]) -> None:
        await self.shared.write({key: self.counts.get(key, 0) for key in keys})
        shown = [key for key in keys if not rooms.is_tag(key)]
        for room, total in (await self.shared.totals(shown)).items():
            await self._announce_shared(room, total)

    async def heartbeat(self, shown: list[str]) -> dict[str, int]:
        """Refresh this process's counts in Redis; the totals of the ``shown`` rooms (a process
        that died stops counting, so they may have changed without a join or leave here)."""
        await self.shared.write(dict(self.counts), heartbeat=True)
        return await self.shared.totals(shown)


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("presence: background task failed", exc_info=task.exception())


class RedisPresence:
    """Per-process counts in one Redis hash per room (field = process), totals over live processes."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.process = f"{socketlib.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._client: Any = None
        self._written: set[str] = set()

    def client(self) -> Any:
        if self._client is None:
            import redis.asyncio

            self._client = redis.asyncio.Redis.from_url(self.url)
            # A process that stops cleanly (a deploy, a restart) takes its counts away at once;
            # one that dies stops counting after PROCESS_STALE_SECONDS.
            atexit.register(self.forget)
        return self._client

    def forget(self) -> None:
        import redis

        with contextlib.suppress(Exception), redis.Redis.from_url(self.url) as client:
            pipe = client.pipeline(transaction=False)
            pipe.zrem(PROCESSES, self.process)
            for key in self._written:
                pipe.hdel(PREFIX + key, self.process)
            pipe.execute()

    async def write(self, counts: dict[str, int], *, heartbeat: bool = False) -> None:
        pipe = self.client().pipeline(transaction=False)
        pipe.zadd(PROCESSES, {self.process: time.time()})
        if heartbeat:
            # Keys this process counted in but no longer does: clear its field.
            for key in self._written - set(counts):
                pipe.hdel(PREFIX + key, self.process)
            self._written &= set(counts)
            pipe.zremrangebyscore(PROCESSES, "-inf", time.time() - 3600)
        for key, value in counts.items():
            if value > 0:
                pipe.hset(PREFIX + key, self.process, value)
                pipe.expire(PREFIX + key, int(PROCESS_STALE_SECONDS * 4))
                self._written.add(key)
            else:
                pipe.hdel(PREFIX + key, self.process)
                self._written.discard(key)
        await pipe.execute()

    async def totals(self, keys: list[str]) -> dict[str, int]:
        if not keys:
            return {}
        pipe = self.client().pipeline(transaction=False)
        pipe.zrangebyscore(PROCESSES, time.time() - PROCESS_STALE_SECONDS, "+inf")
        for key in keys:
            pipe.hgetall(PREFIX + key)
        alive, *hashes = await pipe.execute()
        return {key: _sum_alive(found, alive) for key, found in zip(keys, hashes, strict=True)}


def _sum_alive(counts: dict[bytes, bytes], alive: list[bytes]) -> int:
    living = set(alive)
    return sum(int(value) for process, value in counts.items() if process in living)


def online(key: str) -> int:
    """Sockets in a room (or under a presence tag) across all processes; callable from sync code.
    Without Redis: the sockets of this process, which is all of them."""
    if settings.REDIS_URL:
        global _sync_redis
        if _sync_redis is None:
            import redis

            _sync_redis = redis.Redis.from_url(settings.REDIS_URL)
        pipe = _sync_redis.pipeline(transaction=False)
        pipe.zrangebyscore(PROCESSES, time.time() - PROCESS_STALE_SECONDS, "+inf")
        pipe.hgetall(PREFIX + key)
        alive, counts = pipe.execute()
        return _sum_alive(counts, alive)
    return sum(counter.count(key) for counter in list(_counters))
