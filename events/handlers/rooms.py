"""Entering and leaving rooms, for every kind (see :mod:`events.rooms`).

Frames from the client:

==========  ====================================================================================
``join``    ``{"room"}``: enter a room; its kind's catch-up (a ``history`` frame…), then live
``resume``  ``{"room", "after_id"}``: enter again after a reconnect, from the last message seen
``leave``   ``{"room"}``: leave a room
==========  ====================================================================================

A socket is subscribed to the room's hub *before* its catch-up is read; live frames that arrive
meanwhile are held back and sent after it, skipping those it already holds (nothing lost, nothing
twice). A socket leaves every room when it goes.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from events import hub, rooms
from events.consumer import RealtimeError, SocketConsumer, handler, on_disconnect
from events.db import socket_db
from events.rooms import Room

MAX_ROOMS_PER_SOCKET = 20


def room_of(frame: dict[str, Any]) -> Room:
    """The room a frame names, or a ``room_invalid`` refusal."""
    room = rooms.parse(frame.get("room"))
    if room is None:
        raise RealtimeError("room_invalid", _("This chat room does not exist."))
    return room


def not_found(room: Room) -> RealtimeError:
    return RealtimeError(
        "room_not_found", _("This chat does not exist or is not open to you."), room=room.name
    )


async def _enter(consumer: SocketConsumer, room: Room, *, after_id: int | None) -> None:
    if room.name in consumer.rooms:
        _leave(consumer, room.name)
    elif len(consumer.rooms) >= MAX_ROOMS_PER_SOCKET:
        raise RealtimeError(
            "too_many_rooms", _("Too many chats are open in this tab."), room=room.name
        )
    kind = rooms.kind_of(room)
    admission = await socket_db(kind.admit)(room, consumer.user)
    if admission is None:
        raise not_found(room)
    room_hub = hub.get_hub()
    consumer.rooms[room.name] = admission.tags
    await room_hub.begin_join(room.name, consumer.outbox, admission.tags)
    try:
        caught = await socket_db(kind.catch_up)(room, consumer.user, admission, after_id)
    except BaseException:
        _leave(consumer, room.name)
        raise
    frames = [hub.encode(frame) for frame in caught.frames]
    room_hub.finish_join(
        room.name,
        consumer.outbox,
        frames,
        after_id=caught.last_id,
        message_ids=caught.message_ids,
        resumed_after=after_id,
    )


def _leave(consumer: SocketConsumer, name: str) -> None:
    tags = consumer.rooms.pop(name, None)
    if tags is not None:
        hub.get_hub().leave(name, consumer.outbox, tags)


@handler("join")
async def join(consumer: SocketConsumer, frame: dict[str, Any]) -> None:
    """Enter a room: for a chat, its last 50 messages, then everything live."""
    await _enter(consumer, room_of(frame), after_id=None)


@handler("resume")
async def resume(consumer: SocketConsumer, frame: dict[str, Any]) -> None:
    """Enter a room again after a reconnect: exactly the messages after ``after_id``."""
    room = room_of(frame)
    after_id = frame.get("after_id")
    if not isinstance(after_id, int) or isinstance(after_id, bool) or after_id < 0:
        raise RealtimeError("frame_invalid", _("This message could not be read."), room=room.name)
    await _enter(consumer, room, after_id=after_id)


@handler("leave")
async def leave(consumer: SocketConsumer, frame: dict[str, Any]) -> None:
    _leave(consumer, room_of(frame).name)


@on_disconnect
async def leave_all(consumer: SocketConsumer) -> None:
    for name in list(consumer.rooms):
        _leave(consumer, name)
