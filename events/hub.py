"""Per-process fan-out of room frames to the sockets of this process.

The textbook design — a consumer per socket, each in the room's channel-layer group, every frame
dispatched through each consumer's handler — costs a channel-layer receive, a database-connection
cleanup and a task hand-off per recipient, and collapses near a thousand sockets in one room. Here
each process holds one :class:`Hub` (per event loop) instead:

- one channel-layer subscription per room per process: the hub's own channel joins the room's group
  when the first local socket joins, and leaves it when the room has been empty a while;
- a frame is JSON-encoded once by whoever publishes it, travels through the layer as that text, and
  is handed to every local socket's bounded outbox (:class:`events.outbox.Outbox`) as is: no
  per-recipient decoding, handler dispatch or database-connection cleanup (these frames touch no
  database);
- on the in-memory layer (one process by definition) the hub skips the layer altogether and delivers
  directly, so its per-receive expiry sweep never runs;
- presence (how many sockets are in a room, across processes) is counted by the hub's
  :class:`events.presence.Presence`, which this hub tells of every join and leave and which asks it
  to deliver the coalesced ``presence`` frames. Nothing touches the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.db import transaction

from events import presence, rooms
from events.outbox import Frame

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10.0
ROOM_IDLE_SECONDS = 30.0
GROUP_REFRESH_SECONDS = 1800.0


class Socket(Protocol):
    """What the hub writes to: a socket's outbox (see :class:`events.outbox.Outbox`)."""

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
        shared = self.layer is not None and settings.REDIS_URL
        self.presence = presence.Presence(
            loop,
            shared=presence.RedisPresence(settings.REDIS_URL) if shared else None,
            announce_local=self._announce_local,
            announce_shared=self._announce_shared,
        )
        self._channel: asyncio.Task | None = None
        self._receiver: asyncio.Task | None = None
        self._maintenance: asyncio.Task | None = None

    # --- Joining and leaving ---------------------------------------------------------------------

    async def begin_join(self, room: str, socket: Socket, tags: Iterable[str] = ()) -> None:
        """Subscribe ``socket`` to ``room`` and count it present; live frames are held back until
        :meth:`finish_join` (the caller reads the history in between)."""
        local = self._room(room)
        local.joining[socket] = []
        local.idle_since = None
        self.presence.change((room, *tags), 1)
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
            self.presence.change((room, *tags), -1)
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

    # --- Presence (counted by events.presence, delivered here) ----------------------------------

    def _announce_local(self, room: str, count: int) -> None:
        local = self.rooms.get(room)
        if local is not None and local.last_count != count:
            self.deliver(room, presence.frame(room, count), None, count)

    async def _announce_shared(self, room: str, total: int) -> None:
        await self.publish(room, presence.frame(room, total), count=total)

    # --- Background work (only with a real channel layer) -----------------------------------------

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
        if self.presence.shared is not None:
            # Counts of a process that died stop counting: republish totals that changed.
            shown = [name for name, local in self.rooms.items() if not local.empty]
            for room, total in (await self.presence.heartbeat(shown)).items():
                local = self.rooms.get(room)
                if local is not None and local.last_count != total:
                    await self._announce_shared(room, total)


# --- Access from anywhere ------------------------------------------------------------------------

_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def get_hub() -> Hub:
    """This event loop's hub (created on first use)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = Hub(loop)
    return hub


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
