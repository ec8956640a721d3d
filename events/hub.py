"""Per-process fan-out of room frames to the sockets of this process, and presence counts.

The textbook design — a consumer per socket, each in the room's channel-layer group, every frame
dispatched through each consumer's handler — costs a channel-layer receive, a database-connection
cleanup and a task hand-off per recipient, and collapses near a thousand sockets in one room. Here
each process holds one :class:`Hub` (per event loop) instead:

- one channel-layer subscription per room per process: the hub's own channel joins the room's group
  when the first local socket joins, and leaves it when the room has been empty a while;
- a frame is JSON-encoded once by whoever publishes it, travels through the layer as that text, and
  is handed to every local socket's bounded outbox (:class:`events.consumer.Outbox`) as is: no
  per-recipient decoding, handler dispatch or database-connection cleanup (these frames touch no
  database);
- on the in-memory layer (one process by definition) the hub skips the layer altogether and delivers
  directly, so its per-receive expiry sweep never runs;
- presence is a count of sockets per room, kept in memory per process and, with ``REDIS_URL``, in a
  Redis hash per room (one field per process, refreshed by a heartbeat; a silent process's counts
  stop counting after ``PROCESS_STALE_SECONDS``). Changes are coalesced into one ``presence`` frame
  per room every ``PRESENCE_COALESCE_SECONDS``, not one per join or leave. Nothing touches the
  database.
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
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.db import transaction

from events import rooms
from events.consumer import Frame

logger = logging.getLogger(__name__)

PRESENCE_COALESCE_SECONDS = 0.5
HEARTBEAT_SECONDS = 10.0
PROCESS_STALE_SECONDS = 30.0
ROOM_IDLE_SECONDS = 30.0
GROUP_REFRESH_SECONDS = 1800.0
PRESENCE_PREFIX = "umkm:presence:"
PRESENCE_PROCESSES = "umkm:presence:processes"


class Socket(Protocol):
    """What the hub writes to: a socket's outbox (see :class:`events.consumer.Outbox`)."""

    closed: bool

    def push(self, frame: str | Frame) -> None: ...


def encode(frame: dict[str, Any]) -> str:
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)


@dataclass(eq=False)
class LocalRoom:
    name: str
    # Sockets that have their history and get every frame (a dict as an ordered set).
    sockets: dict[Socket, None] = field(default_factory=dict)
    # Sockets waiting for their history: live frames are held back so that none is lost or doubled.
    joining: dict[Socket, list[tuple[int | None, Frame]]] = field(default_factory=dict)
    ready: asyncio.Future | None = None
    idle_since: float | None = None
    last_count: int | None = None
    subscribed_at: float = 0.0

    @property
    def empty(self) -> bool:
        return not self.sockets and not self.joining


class Hub:
    """One per event loop (so per process under Daphne). See the module's docstring."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        layer = get_channel_layer()
        # The in-memory layer only ever reaches this process: deliver directly instead.
        self.layer = None if layer is None or isinstance(layer, InMemoryChannelLayer) else layer
        self.rooms: dict[str, LocalRoom] = {}
        self.counts: Counter[str] = Counter()
        self.presence: RedisPresence | None = (
            RedisPresence(settings.REDIS_URL)
            if self.layer is not None and settings.REDIS_URL
            else None
        )
        self._dirty: set[str] = set()
        self._flush_timer: asyncio.TimerHandle | None = None
        self._channel: asyncio.Task | None = None
        self._receiver: asyncio.Task | None = None
        self._maintenance: asyncio.Task | None = None
        self._background: set[asyncio.Task] = set()

    # --- Joining and leaving ---------------------------------------------------------------------

    async def begin_join(self, room: str, socket: Socket, tags: Iterable[str] = ()) -> None:
        """Subscribe ``socket`` to ``room`` and count it present; live frames are held back until
        :meth:`finish_join` (the caller reads the history in between)."""
        local = self._room(room)
        local.joining[socket] = []
        local.idle_since = None
        for key in (room, *tags):
            self._count(key, 1)
        try:
            await asyncio.shield(local.ready)
        except BaseException:
            self.leave(room, socket, tags)
            failed = local.ready.done() and not local.ready.cancelled() and local.ready.exception()
            if failed and self.rooms.get(room) is local and local.empty:
                del self.rooms[room]  # the next join tries to subscribe again
            raise

    def finish_join(
        self, room: str, socket: Socket, frames: Iterable[str], *, after_id: int | None
    ) -> None:
        """Send ``frames`` (the history), then what arrived meanwhile and is newer than
        ``after_id``, then everything live."""
        local = self.rooms.get(room)
        held = local.joining.pop(socket, None) if local is not None else None
        if held is None:  # left, or disconnected, while the history was read
            return
        for text in frames:
            socket.push(text)
        for message_id, frame in held:
            if message_id is None or after_id is None or message_id > after_id:
                socket.push(frame)
        local.sockets[socket] = None

    def leave(self, room: str, socket: Socket, tags: Iterable[str] = ()) -> None:
        local = self.rooms.get(room)
        if local is None:
            return
        was_in = local.sockets.pop(socket, False) is None
        was_joining = local.joining.pop(socket, None) is not None
        if was_in or was_joining:
            for key in (room, *tags):
                self._count(key, -1)
        if local.empty:
            if self.layer is None:
                del self.rooms[room]
            else:
                # Kept subscribed a little: a reconnecting client comes straight back.
                local.idle_since = time.monotonic()

    def _room(self, room: str) -> LocalRoom:
        local = self.rooms.get(room)
        if local is None:
            local = self.rooms[room] = LocalRoom(room)
            if self.layer is None:
                local.ready = self.loop.create_future()
                local.ready.set_result(None)
            else:
                local.ready = self.loop.create_task(self._subscribe(local))
                self._start_background()
        return local

    # --- Publishing and delivering -----------------------------------------------------------------

    async def publish(
        self,
        room: str,
        frame: dict[str, Any] | str,
        *,
        message_id: int | None = None,
        count: int | None = None,
    ) -> None:
        """Send a frame to every socket in ``room``, in every process. ``message_id`` marks chat
        messages (joins skip the ones their history already holds)."""
        text = frame if isinstance(frame, str) else encode(frame)
        if self.layer is None:
            self.deliver(room, text, message_id, count)
            return
        await self.layer.group_send(
            rooms.group_name(room),
            {"type": "room.frame", "room": room, "text": text, "id": message_id, "count": count},
        )

    def deliver(
        self, room: str, text: str, message_id: int | None = None, count: int | None = None
    ) -> None:
        local = self.rooms.get(room)
        if local is None:
            return
        if count is not None:
            local.last_count = count
        frame = Frame(text)  # encoded for the wire once, for every socket of the room
        for socket in tuple(local.sockets):
            socket.push(frame)
        for held in local.joining.values():
            held.append((message_id, frame))

    async def _subscribe(self, local: LocalRoom) -> None:
        channel = await self._hub_channel()
        await self.layer.group_add(rooms.group_name(local.name), channel)
        local.subscribed_at = time.monotonic()

    async def _hub_channel(self) -> str:
        if self._channel is None:
            self._channel = self.loop.create_task(self.layer.new_channel("hub."))
        channel = await asyncio.shield(self._channel)
        if self._receiver is None:
            self._receiver = self.loop.create_task(self._receive(channel))
        return channel

    async def _receive(self, channel: str) -> None:
        while True:
            try:
                message = await self.layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("room hub: receiving from the channel layer failed")
                await asyncio.sleep(1)
                continue
            if message.get("type") == "room.frame":
                self.deliver(
                    message["room"], message["text"], message.get("id"), message.get("count")
                )

    # --- Presence ----------------------------------------------------------------------------------

    def count(self, key: str) -> int:
        """Sockets of this process in a room (or under a presence tag)."""
        return self.counts.get(key, 0)

    def _count(self, key: str, delta: int) -> None:
        value = self.counts[key] + delta
        if value > 0:
            self.counts[key] = value
        else:
            self.counts.pop(key, None)
        self._dirty.add(key)
        if self._flush_timer is None:
            self._flush_timer = self.loop.call_later(PRESENCE_COALESCE_SECONDS, self._flush)

    def _flush(self) -> None:
        self._flush_timer = None
        dirty, self._dirty = self._dirty, set()
        if self.presence is None:
            for key in dirty:
                if not rooms.is_tag(key):
                    self._announce_local(key, self.counts.get(key, 0))
            return
        self._spawn(self._flush_shared(dirty))

    def _announce_local(self, room: str, count: int) -> None:
        local = self.rooms.get(room)
        if local is not None and local.last_count != count:
            self.deliver(room, presence_frame(room, count), None, count)

    async def _flush_shared(self, keys: set[str]) -> None:
        await self.presence.write({key: self.counts.get(key, 0) for key in keys})
        shown = [key for key in keys if not rooms.is_tag(key)]
        for room, total in (await self.presence.totals(shown)).items():
            await self.publish(room, presence_frame(room, total), count=total)

    # --- Background work (only with a real channel layer) -----------------------------------------

    def _spawn(self, coroutine: Any) -> None:
        task = self.loop.create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        task.add_done_callback(_log_failure)

    def _start_background(self) -> None:
        if self._maintenance is None:
            self._maintenance = self.loop.create_task(self._maintain())

    async def _maintain(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            try:
                await self._tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("room hub: maintenance failed")

    async def _tick(self) -> None:
        now = time.monotonic()
        channel = await self._hub_channel()
        for name, local in list(self.rooms.items()):
            if local.empty and local.idle_since and now - local.idle_since > ROOM_IDLE_SECONDS:
                del self.rooms[name]
                with contextlib.suppress(Exception):
                    await self.layer.group_discard(rooms.group_name(name), channel)
            elif now - local.subscribed_at > GROUP_REFRESH_SECONDS and local.ready.done():
                # Layers with group expiry (channels-redis' core layer) forget members after a day.
                await self.layer.group_add(rooms.group_name(name), channel)
                local.subscribed_at = now
        if self.presence is not None:
            await self.presence.write(dict(self.counts), heartbeat=True)
            # Counts of a process that died stop counting: republish totals that changed.
            shown = [name for name, local in self.rooms.items() if not local.empty]
            for room, total in (await self.presence.totals(shown)).items():
                local = self.rooms.get(room)
                if local is not None and local.last_count != total:
                    await self.publish(room, presence_frame(room, total), count=total)


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("room hub: background task failed", exc_info=task.exception())


def presence_frame(room: str, count: int) -> str:
    return encode({"type": "presence", "room": room, "count": count})


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
            pipe.zrem(PRESENCE_PROCESSES, self.process)
            for key in self._written:
                pipe.hdel(PRESENCE_PREFIX + key, self.process)
            pipe.execute()

    async def write(self, counts: dict[str, int], *, heartbeat: bool = False) -> None:
        pipe = self.client().pipeline(transaction=False)
        pipe.zadd(PRESENCE_PROCESSES, {self.process: time.time()})
        if heartbeat:
            # Keys this process counted in but no longer does: clear its field.
            for key in self._written - set(counts):
                pipe.hdel(PRESENCE_PREFIX + key, self.process)
            self._written &= set(counts)
            pipe.zremrangebyscore(PRESENCE_PROCESSES, "-inf", time.time() - 3600)
        for key, value in counts.items():
            if value > 0:
                pipe.hset(PRESENCE_PREFIX + key, self.process, value)
                pipe.expire(PRESENCE_PREFIX + key, int(PROCESS_STALE_SECONDS * 4))
                self._written.add(key)
            else:
                pipe.hdel(PRESENCE_PREFIX + key, self.process)
                self._written.discard(key)
        await pipe.execute()

    async def totals(self, keys: list[str]) -> dict[str, int]:
        if not keys:
            return {}
        pipe = self.client().pipeline(transaction=False)
        pipe.zrangebyscore(PRESENCE_PROCESSES, time.time() - PROCESS_STALE_SECONDS, "+inf")
        for key in keys:
            pipe.hgetall(PRESENCE_PREFIX + key)
        alive, *hashes = await pipe.execute()
        return {key: _sum_alive(found, alive) for key, found in zip(keys, hashes, strict=True)}


def _sum_alive(counts: dict[bytes, bytes], alive: list[bytes]) -> int:
    living = set(alive)
    return sum(int(value) for process, value in counts.items() if process in living)


# --- Access from anywhere ------------------------------------------------------------------------

_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()
_sync_redis: Any = None


def get_hub() -> Hub:
    """This event loop's hub (created on first use)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = Hub(loop)
    return hub


def online(key: str) -> int:
    """Sockets in a room (or under a presence tag) across all processes; callable from sync code.
    Without Redis: the sockets of this process, which is all of them."""
    if settings.REDIS_URL:
        global _sync_redis
        if _sync_redis is None:
            import redis

            _sync_redis = redis.Redis.from_url(settings.REDIS_URL)
        pipe = _sync_redis.pipeline(transaction=False)
        pipe.zrangebyscore(PRESENCE_PROCESSES, time.time() - PROCESS_STALE_SECONDS, "+inf")
        pipe.hgetall(PRESENCE_PREFIX + key)
        alive, counts = pipe.execute()
        return _sum_alive(counts, alive)
    return sum(hub.count(key) for hub in list(_hubs.values()))


async def publish(room: str, frame: dict[str, Any], *, message_id: int | None = None) -> None:
    await get_hub().publish(room, frame, message_id=message_id)


def broadcast(room: str, frame: dict[str, Any], *, message_id: int | None = None) -> None:
    """Publish from synchronous code (a view, a service run from a consumer's thread)."""
    try:
        async_to_sync(publish)(room, frame, message_id=message_id)
    except Exception:
        # The change is committed; a lost live frame is repaired by the client's next resume.
        logger.exception("could not broadcast to %s", room)


def broadcast_on_commit(room: str, frame: dict[str, Any], *, message_id: int | None = None) -> None:
    """Publish once the current transaction has committed (never a frame about a rolled-back row)."""
    transaction.on_commit(lambda: broadcast(room, frame, message_id=message_id))
