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
  database); a room's frames of one turn of the event loop (in a burst: of FLUSH_GAP_SECONDS) go
  out together, one write per socket;
- :func:`broadcast` from a worker thread of the loop, on the in-memory layer, hands the frame to
  the hub without waiting for it;
- on the in-memory layer (one process by definition) the hub skips the layer altogether and delivers
  directly, so its per-receive expiry sweep never runs;
- presence (how many sockets are in a room, across processes) is counted by the hub's
  :class:`events.presence.Presence`, which this hub tells of every join and leave and which asks it
  to deliver the coalesced ``presence`` frames. Nothing touches the database;
- the layer does not keep what it could not deliver: a frame published while Redis is down, or
  before a process has subscribed again after a reconnect, reaches nobody. So the hub watches its
  subscription (a probe through the layer to its own channel every few seconds, and with
  channels-redis' pub/sub layer every reconnect of its subscriber connection, seen through
  :class:`PubSubReconnects`) and, once a probe comes back after a break, makes its rooms catch up
  from the database (:meth:`Hub.resync`): each socket gets the messages it lacks, once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.db import transaction

from events import presence, rooms
from events.db import socket_db
from events.outbox import Frame

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10.0
ROOM_IDLE_SECONDS = 30.0
GROUP_REFRESH_SECONDS = 1800.0
# The subscription is checked this often (a probe through the layer to the hub's own channel)...
PROBE_SECONDS = 2.0
# ...and is broken when a probe has not come back within this.
PROBE_TIMEOUT_SECONDS = 3.0
# Deletions are looked for from this long before the last good probe (clocks of processes differ).
DELETIONS_MARGIN_SECONDS = 60.0
# Message ids a room remembers having delivered, so that none is sent to a socket twice.
REMEMBERED_IDS = 1000
# The newest ids of a socket's history kept to tell a message it holds from one it lacks.
RECENT_HISTORY_IDS = 16
# A room's presence frames go to its sockets here at most once every (sockets / this) seconds, the
# latest count (a big live session's arrivals would otherwise cost more writes than its chat).
PRESENCE_WRITES_PER_SECOND = 2000
# A room writes again at most this long after its last write: a burst's frames go out together.
FLUSH_GAP_SECONDS = 0.01


class Socket(Protocol):
    """What the hub writes to: a socket's outbox (see :class:`events.outbox.Outbox`)."""

    closed: bool

    def push(self, frame: str | Frame) -> None: ...

    def overflow(self) -> None:
        """Give up on catching this socket up here: it is told to reconnect and resume."""


def encode(frame: dict[str, Any]) -> str:
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Seen:
    """The messages a socket's history held: every one up to ``last_id`` — except among the newest
    (from ``recent_from`` on), where only those in ``recent``: a message committed out of id order
    (two senders at once) can be missing from a history whose last id is higher, and must still
    reach the socket when its live frame comes."""

    last_id: int
    recent_from: int
    recent: frozenset[int]

    @classmethod
    def of(
        cls, message_ids: Iterable[int], last_id: int | None, resumed_after: int | None = None
    ) -> Seen:
        """What a history of ``message_ids`` (up to ``last_id``) gave a socket that had everything
        up to ``resumed_after`` already (a ``resume``; None for a first join)."""
        ids = sorted(message_ids)
        last = max(last_id or 0, ids[-1] if ids else 0)
        if not ids:
            return cls(last, last + 1, frozenset())
        start = ids[0] if resumed_after is None else resumed_after + 1
        newest = ids[-RECENT_HISTORY_IDS:]
        return cls(
            last, max(start, newest[0]) if len(ids) > len(newest) else start, frozenset(newest)
        )

    @property
    def floor(self) -> int:
        """The socket surely has every message up to this id."""
        return self.recent_from - 1

    def has(self, message_id: int) -> bool:
        if message_id > self.last_id:
            return False
        return message_id < self.recent_from or message_id in self.recent


@dataclass(eq=False)
class LocalRoom:
    name: str
    # Sockets that have their history and get every frame, each with what its history held: it
    # has those messages, and every one delivered since.
    sockets: dict[Socket, Seen] = field(default_factory=dict)
    # Sockets waiting for their history: live frames are held back so that none is lost or doubled.
    joining: dict[Socket, list[tuple[int | None, Frame]]] = field(default_factory=dict)
    ready: asyncio.Future | None = None
    idle_since: float | None = None
    last_count: int | None = None
    subscribed_at: float = 0.0
    # The last REMEMBERED_IDS message ids delivered to the room's sockets (live or caught up);
    # ids at or below ``forgotten_up_to`` were delivered too, longer ago.
    delivered: set[int] = field(default_factory=set)
    delivered_order: deque[int] = field(default_factory=deque)
    forgotten_up_to: int = 0
    # Frames delivered during this turn of the event loop, written together at its end.
    pending: list[tuple[int | None, Frame]] = field(default_factory=list)
    flushed_at: float = float("-inf")  # the loop's time when they were last written
    # The latest presence frame waiting for its turn in a big room, and when one last went out.
    presence_text: str | None = None
    presence_timer: asyncio.TimerHandle | None = None
    presence_at: float = 0.0

    @property
    def empty(self) -> bool:
        return not self.sockets and not self.joining

    def had(self, message_id: int) -> bool:
        """Whether the room's sockets were given this message already."""
        return message_id in self.delivered or message_id <= self.forgotten_up_to

    def remember(self, message_id: int) -> None:
        self.delivered.add(message_id)
        self.delivered_order.append(message_id)
        if len(self.delivered_order) > REMEMBERED_IDS:
            oldest = self.delivered_order.popleft()
            self.delivered.discard(oldest)
            self.forgotten_up_to = max(self.forgotten_up_to, oldest)


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
        self._watch: asyncio.Task | None = None
        # The subscription's watch: probes in flight, and whether a break was seen meanwhile.
        self._probes: dict[int, asyncio.Future] = {}
        self._probe_count = 0
        self._suspect = False
        self._probe_now = asyncio.Event()
        self._reconnects = PubSubReconnects(self.layer, self._layer_reconnected)

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
        self,
        room: str,
        socket: Socket,
        frames: Iterable[str],
        *,
        after_id: int | None,
        message_ids: Iterable[int] = (),
        resumed_after: int | None = None,
    ) -> None:
        """Send ``frames`` (the history: ``message_ids``, up to ``after_id``, to a socket that had
        everything up to ``resumed_after``), then what arrived meanwhile that it did not hold, then
        everything live."""
        local = self.rooms.get(room)
        held = local.joining.pop(socket, None) if local is not None else None
        if held is None:  # left, or disconnected, while the history was read
            return
        seen = Seen.of(message_ids, after_id, resumed_after)
        for text in frames:
            socket.push(text)
        for message_id, frame in held:
            if message_id is None or not seen.has(message_id):
                socket.push(frame)
        local.sockets[socket] = seen

    def leave(self, room: str, socket: Socket, tags: Iterable[str] = ()) -> None:
        local = self.rooms.get(room)
        if local is None:
            return
        was_in = local.sockets.pop(socket, None) is not None
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
        try:
            await self.layer.group_send(
                rooms.group_name(room),
                {
                    "type": "room.frame",
                    "room": room,
                    "text": text,
                    "id": message_id,
                    "count": count,
                },
            )
        except Exception:
            # The layer is down: the frame reaches nobody. Catch this process's sockets up once
            # it works again (the other processes see their own subscriptions break).
            self._layer_reconnected()
            raise

    def deliver(
        self, room: str, text: str, message_id: int | None = None, count: int | None = None
    ) -> None:
        """Hand a frame to the room's local sockets: written at the end of this turn of the event
        loop, or once FLUSH_GAP_SECONDS have passed since the room's last write, together with the
        room's other frames meanwhile (:meth:`_flush`)."""
        local = self.rooms.get(room)
        if local is None:
            return
        if count is not None:
            local.last_count = count
            gap = len(local.sockets) / PRESENCE_WRITES_PER_SECOND
            if gap > presence.COALESCE_SECONDS:  # a big room: the latest count, in its turn
                local.presence_text = text
                if local.presence_timer is None:
                    due = max(0.0, local.presence_at + gap - time.monotonic())
                    local.presence_timer = self.loop.call_later(due, self._presence_due, local)
                return
            local.presence_at = time.monotonic()
        if message_id is not None:
            if local.had(message_id):
                return  # already caught up from the database after an outage
            local.remember(message_id)
        self._queue(local, message_id, Frame(text))

    def _queue(self, local: LocalRoom, message_id: int | None, frame: Frame) -> None:
        if not local.pending:
            wait = local.flushed_at + FLUSH_GAP_SECONDS - self.loop.time()
            if wait > 0:  # written a moment ago: what else arrives meanwhile goes out with it
                self.loop.call_later(wait, self._flush, local)
            else:
                self.loop.call_soon(self._flush, local)
        local.pending.append((message_id, frame))

    def _presence_due(self, local: LocalRoom) -> None:
        local.presence_timer, local.presence_at = None, time.monotonic()
        text, local.presence_text = local.presence_text, None
        if text is not None and self.rooms.get(local.name) is local:
            self._queue(local, None, Frame(text))

    def _flush(self, local: LocalRoom) -> None:
        """Write the room's pending frames: encoded and framed once, one write per socket for all
        of them (a socket whose history already held one of the messages gets the others)."""
        pending, local.pending = local.pending, []
        if not pending:
            return
        batch = Frame.joined([frame for _id, frame in pending])
        ids = [message_id for message_id, _frame in pending if message_id is not None]
        lowest = min(ids) if ids else None
        for socket, seen in tuple(local.sockets.items()):
            if lowest is None or seen.last_id < lowest:  # its history held none of them
                socket.push(batch)
            else:  # a frame can come after the history that already held its message: not twice
                lacking = [f for m, f in pending if m is None or not seen.has(m)]
                if lacking:
                    socket.push(Frame.joined(lacking))
        for held in local.joining.values():
            held.extend(pending)
        local.flushed_at = self.loop.time()

    async def _subscribe(self, local: LocalRoom) -> None:
        channel = await self._hub_channel()
        await self.layer.group_add(rooms.group_name(local.name), channel)
        local.subscribed_at = time.monotonic()

    async def _hub_channel(self) -> str:
        failed = (
            self._channel is not None
            and self._channel.done()
            and (self._channel.cancelled() or self._channel.exception() is not None)
        )
        if self._channel is None or failed:  # a layer that was down when first asked: ask again
            self._channel = self.loop.create_task(self.layer.new_channel("hub."))
        channel = await asyncio.shield(self._channel)
        # Watch the subscriber connection from the first subscription on (not from the first
        # probe: an outage in between would go unseen).
        self._reconnects.hook()
        if self._receiver is None:
            self._receiver = self.loop.create_task(self._receive(channel))
        return channel

    async def _receive(self, channel: str) -> None:
        while True:
            try:
                message = await self.layer.receive(channel)
            except Exception:  # (a cancellation is no Exception: it ends the loop)
                logger.exception("room hub: receiving from the channel layer failed")
                self._layer_reconnected()  # what was published meanwhile may be lost
                await asyncio.sleep(1)
                continue
            kind = message.get("type")
            if kind == "room.frame":
                self.deliver(
                    message["room"], message["text"], message.get("id"), message.get("count")
                )
            elif kind == "hub.probe":
                waiter = self._probes.get(message.get("n"))
                if waiter is not None and not waiter.done():
                    waiter.set_result(None)

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
        if self._watch is None:
            self._watch = self.loop.create_task(self._watch_subscription())

    async def _maintain(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            try:
                await self._tick()
            except Exception:  # (a cancellation is no Exception: it ends the loop)
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

    # --- Outages of the layer: watch the subscription, then catch up from the database ----------

    def _layer_reconnected(self, *_args: Any) -> None:
        """The subscription broke (the layer reconnected, or receiving failed): frames published
        meanwhile are lost. Probe at once; the rooms catch up when a probe comes back."""
        self._suspect = True
        self._probe_now.set()

    async def _watch_subscription(self) -> None:
        """Every PROBE_SECONDS (at once after a reconnect) a probe goes through the layer to the
        hub's own channel. A probe that fails, or a reconnect seen meanwhile, marks the
        subscription broken since the last good probe; the first probe that comes back after that
        proves it works again (everything published later arrives), and :meth:`resync` brings the
        sockets up to date from the database. A resync that fails (the database is down too) is
        tried again after the next probe."""
        healthy_at = time.time()  # wall clock: compared with the time messages were deleted
        broken_since: float | None = None
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._probe_now.wait(), PROBE_SECONDS)
            self._probe_now.clear()
            if self._suspect and broken_since is None:
                broken_since = healthy_at
            self._suspect = False
            probed_at = time.time()
            try:
                ok = await self._probe()
                if ok and broken_since is not None:
                    await self.resync(since=broken_since - DELETIONS_MARGIN_SECONDS)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("room hub: catching up after a layer outage failed")
                ok = False
            if ok:
                broken_since = None
                healthy_at = probed_at
            elif broken_since is None:
                broken_since = healthy_at

    async def _probe(self) -> bool:
        """Whether a message sent through the layer to the hub's own channel comes back in time."""
        self._probe_count += 1
        number = self._probe_count
        waiter = self._probes[number] = self.loop.create_future()
        try:
            async with asyncio.timeout(PROBE_TIMEOUT_SECONDS):
                channel = await self._hub_channel()
                await self.layer.send(channel, {"type": "hub.probe", "n": number})
                await waiter
        except asyncio.CancelledError:
            raise
        except Exception:
            return False
        finally:
            self._probes.pop(number, None)
        return True

    async def resync(self, *, since: float) -> None:
        """Bring every socket of this process up to date after its subscription was broken: per
        room, its kind's :meth:`events.rooms.Kind.missed` (read once for the room) gives the
        messages after the lowest id any of its sockets is sure to have; each socket gets those it
        lacks, each once (live frames of messages caught up here are not sent again either)."""
        moment = datetime.fromtimestamp(since, tz=UTC)
        logger.warning("room hub: the channel layer's subscription was broken; catching up")
        for name, local in list(self.rooms.items()):
            room = rooms.parse(name)
            kind = rooms.kind_of(room) if room is not None else None
            if kind is None or not local.sockets:
                continue  # joining sockets get everything from their own history
            after_id = max(
                min(seen.floor for seen in local.sockets.values()), local.forgotten_up_to
            )
            missed = await socket_db(kind.missed)(room, after_id=after_id, since=moment)
            if self.rooms.get(name) is local:
                self._replay(local, missed)

    def _replay(self, local: LocalRoom, missed: rooms.Missed) -> None:
        if missed.more:  # too much to send from here: each socket resumes by itself
            for socket in (*local.sockets, *local.joining):
                if not socket.closed:
                    socket.overflow()
            return
        for message in missed.messages:  # after what was delivered live, each socket what it lacks
            if not local.had(message["id"]):
                local.remember(message["id"])
                local.pending.append((message["id"], Frame(encode(message))))
        local.pending += [(None, Frame(encode(extra))) for extra in missed.frames]
        self._flush(local)


class PubSubReconnects:
    """The one piece that knows channels-redis' pub/sub layer from inside (as
    :class:`events.outbox.DaphneWire` knows Daphne): it asks redis-py to call ``on_reconnect``
    whenever one of the layer's subscriber connections connects again. redis-py's ``PubSub``
    registered its own callback first, which subscribes again, so the subscriptions are on their
    way when ``on_reconnect`` runs. With another layer :meth:`hook` does nothing (the probes still
    find a break, a little later)."""

    def __init__(self, layer: Any, on_reconnect: Callable[..., None]) -> None:
        self.layer = layer
        self.on_reconnect = on_reconnect
        self._hooked: dict[int, Any] = {}  # shard index -> the connection hooked

    def hook(self) -> None:
        """Hook every subscriber connection not hooked yet (they exist after the first
        subscription, and a flushed layer makes new ones)."""
        try:
            shards = self.layer._get_layer()._shards
        except Exception:
            return
        for index, shard in enumerate(shards):
            connection = getattr(getattr(shard, "_pubsub", None), "connection", None)
            register = getattr(connection, "register_connect_callback", None)
            if register is not None and self._hooked.get(index) is not connection:
                register(self._connected)  # kept as a weak reference: this object must live on
                self._hooked[index] = connection

    def _connected(self, connection: Any) -> None:
        self.on_reconnect()


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
    """Publish from synchronous code (a view, a service run from a consumer's thread). From a
    worker thread of a loop whose hub delivers in-process (the in-memory layer), the frame is handed
    to that hub without waiting for it to go out; otherwise it is published before this returns
    (through a real layer, waiting keeps a fast sender from running ahead of its publishes)."""
    hub = _hub_of_caller()
    if hub is not None and hub.layer is None:
        hub.loop.call_soon_threadsafe(hub.deliver, room, encode(frame), message_id)
        return
    try:
        async_to_sync(publish)(room, frame, message_id=message_id)
    except Exception:
        # The change is committed; a lost live frame is repaired by the client's next resume.
        logger.exception("could not broadcast to %s", room)


def _hub_of_caller() -> Hub | None:
    """The hub of the running event loop whose worker thread this is (asgiref's ``SyncToAsync``
    notes the loop in the thread, as its ``AsyncToSync`` reads it), if it has one."""
    local = SyncToAsync.threadlocal
    loop = getattr(local, "main_event_loop", None)
    if loop is None or getattr(local, "main_event_loop_pid", None) != os.getpid():
        return None
    with contextlib.suppress(RuntimeError):  # no running loop: a worker thread
        asyncio.get_running_loop()
        return None  # called on a loop: not a worker thread
    return _hubs.get(loop) if loop.is_running() else None


def broadcast_on_commit(room: str, frame: dict[str, Any], *, message_id: int | None = None) -> None:
    """Publish once the current transaction has committed (never a frame about a rolled-back row)."""
    transaction.on_commit(lambda: broadcast(room, frame, message_id=message_id))
