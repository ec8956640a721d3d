"""Frame handlers of the live side, registered on the one consumer (:mod:`events.consumer`).

``join``/``resume``/``leave`` put a socket in a room of the per-process hub (:mod:`events.hub`);
``message``, ``delete``, ``mute``, ``report`` and ``read`` call the services, which hold the rules.
The protocol is described in ``docs/realtime.md``.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from events import hub, rooms, selectors, services
from events.consumer import RealtimeError, SocketConsumer, handler, on_disconnect
from events.models import Inquiry
from events.rooms import Room
from expo.timebox import ExpoStateError

MAX_ROOMS_PER_SOCKET = 20


def _room(frame: dict[str, Any]) -> Room:
    room = rooms.parse(frame.get("room"))
    if room is None:
        raise RealtimeError("room_invalid", _("This chat room does not exist."))
    return room


def _refusal(exc: Exception, **extra: Any) -> RealtimeError:
    """A service's refusal as an error frame: stable code, message in the user's language."""
    if isinstance(exc, services.Refused):
        return RealtimeError(exc.code, exc.message, **extra)
    if isinstance(exc, ExpoStateError):
        return RealtimeError("chat_closed", str(exc.message), **extra)
    if isinstance(exc, ValidationError):
        return RealtimeError(exc.code or "invalid", " ".join(exc.messages), **extra)
    return RealtimeError("forbidden", _("You are not allowed to do this."), **extra)


async def _call(fn: Any, /, extra: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    try:
        return await database_sync_to_async(fn)(**kwargs)
    except (PermissionDenied, ValidationError) as exc:
        raise _refusal(exc, **(extra or {})) from None


# --- Rooms -----------------------------------------------------------------------------------------


async def _enter(consumer: SocketConsumer, room: Room, *, after_id: int | None) -> None:
    if room.name in consumer.rooms:
        _leave(consumer, room.name)
    elif len(consumer.rooms) >= MAX_ROOMS_PER_SOCKET:
        raise RealtimeError(
            "too_many_rooms", _("Too many chats are open in this tab."), room=room.name
        )
    owned = rooms.rule(room.kind)
    if owned is not None:
        await _enter_owned(consumer, room, owned)
        return
    access = await database_sync_to_async(selectors.room_access)(
        room, consumer.user, now=timezone.now()
    )
    if access is None:
        raise RealtimeError(
            "room_not_found", _("This chat does not exist or is not open to you."), room=room.name
        )
    room_hub = hub.get_hub()
    consumer.rooms[room.name] = access.tags
    await room_hub.begin_join(room.name, consumer.outbox, access.tags)
    try:
        history, pinned = await database_sync_to_async(_read_room)(room, access, after_id)
    except BaseException:
        _leave(consumer, room.name)
        raise
    frame = {
        "type": "history",
        "room": room.name,
        "messages": history.messages,
        "after_id": after_id,
        "more": history.more,
        "you": access.describe(consumer.user),
    }
    if after_id is not None:
        frame["deleted"] = history.deleted
    frames = [hub.encode(frame)]
    if pinned is not None:
        frames.append(hub.encode(pinned))
    last = history.last_id if history.last_id is not None else after_id
    room_hub.finish_join(room.name, consumer.outbox, frames, after_id=last)


async def _enter_owned(consumer: SocketConsumer, room: Room, owned: rooms.RoomRule) -> None:
    """A room another app owns (see :func:`events.rooms.register`): its rule says who may join;
    the socket gets an empty history, the rule's snapshot, then every frame."""
    allowed = await database_sync_to_async(owned.may_join)(room, consumer.user)
    if not allowed:
        raise RealtimeError(
            "room_not_found", _("This chat does not exist or is not open to you."), room=room.name
        )
    room_hub = hub.get_hub()
    consumer.rooms[room.name] = ()
    await room_hub.begin_join(room.name, consumer.outbox, ())
    try:
        snapshot = await database_sync_to_async(owned.snapshot)(room)
    except BaseException:
        _leave(consumer, room.name)
        raise
    empty = {"type": "history", "room": room.name, "messages": [], "after_id": None, "more": False}
    frames = [hub.encode(empty), hub.encode(snapshot)]
    room_hub.finish_join(room.name, consumer.outbox, frames, after_id=None)


def _read_room(
    room: Room, access: selectors.RoomAccess, after_id: int | None
) -> tuple[selectors.History, dict[str, Any] | None]:
    if room.kind == "inbox":
        return selectors.History([], False, []), None
    history = selectors.room_history(room, after_id=after_id)
    pinned = None
    session = access.context.session
    if session is not None:
        booth = session.booth
        pinned = selectors.pinned_frame(session, expo_slug=booth.expo.slug, booth_slug=booth.slug)
    return history, pinned


def _leave(consumer: SocketConsumer, name: str) -> None:
    tags = consumer.rooms.pop(name, None)
    if tags is not None:
        hub.get_hub().leave(name, consumer.outbox, tags)


@handler("join")
async def join(consumer: SocketConsumer, frame: dict[str, Any]) -> None:
    """Enter a room: its last 50 messages, then everything live."""
    await _enter(consumer, _room(frame), after_id=None)


@handler("resume")
async def resume(consumer: SocketConsumer, frame: dict[str, Any]) -> None:
    """Enter a room again after a reconnect: exactly the messages after ``after_id``."""
    room = _room(frame)
    after_id = frame.get("after_id")
    if not isinstance(after_id, int) or isinstance(after_id, bool) or after_id < 0:
        raise RealtimeError("frame_invalid", _("This message could not be read."), room=room.name)
    await _enter(consumer, room, after_id=after_id)


@handler("leave")
async def leave(consumer: SocketConsumer, frame: dict[str, Any]) -> None:
    _leave(consumer, _room(frame).name)


@on_disconnect
async def leave_all(consumer: SocketConsumer) -> None:
    for name in list(consumer.rooms):
        _leave(consumer, name)


# --- Chat ------------------------------------------------------------------------------------------


@handler("message")
async def message(consumer: SocketConsumer, frame: dict[str, Any]) -> None:
    """Send a chat message; it comes back to every socket in the room (this one too), carrying the
    sender's ``client_id``."""
    room = _room(frame)
    client_id = frame.get("client_id", "")
    extra = {"room": room.name}
    if isinstance(client_id, str) and len(client_id) <= services.MAX_CLIENT_ID:
        extra["client_id"] = client_id
    await _call(
        services.message_send,
        extra,
        room=room,
        body=frame.get("body"),
        client_id=client_id,
        by=consumer.user,
    )


@handler("delete")
async def delete(consumer: SocketConsumer, frame: dict[str, Any]) -> None:
    room = _room(frame)
    extra = {"room": room.name}

    def run() -> None:
        target = services.message_for(room=room, message_id=frame.get("id"))
        services.message_delete(message=target, by=consumer.user)

    await _call(run, extra)


@handler("mute")
async def mute(consumer: SocketConsumer, frame: dict[str, Any]) -> None:
    """Mute the author of message ``id`` in the room for ``minutes`` (10, 60 or 1440)."""
    room = _room(frame)
    extra = {"room": room.name}

    def run() -> str:
        target = services.message_for(room=room, message_id=frame.get("id"))
        if target.author is None:
            raise services.Refused("message_not_found", _("This message no longer exists."))
        services.mute_create(
            room=room, user=target.author, minutes=frame.get("minutes", 60), by=consumer.user
        )
        return target.author_name

    name = await _call(run, extra)
    minutes = frame.get("minutes", 60)
    await consumer.send_json(
        {
            "type": "notice",
            "room": room.name,
            "code": "muted_user",
            "message": _("%(name)s cannot write here for %(minutes)d minutes.")
            % {"name": name, "minutes": minutes},
        }
    )


@handler("report")
async def report(consumer: SocketConsumer, frame: dict[str, Any]) -> None:
    room = _room(frame)

    def run() -> None:
        target = services.message_for(room=room, message_id=frame.get("id"))
        services.message_report(message=target, by=consumer.user, reason=frame.get("reason", ""))

    await _call(run, {"room": room.name})
    await consumer.send_json(
        {
            "type": "notice",
            "room": room.name,
            "code": "reported",
            "message": _("Thank you. The organisers will look at this message."),
        }
    )


@handler("read")
async def read(consumer: SocketConsumer, frame: dict[str, Any]) -> None:
    """In an inquiry: everything up to message ``id`` has been read on this screen."""
    room = _room(frame)
    up_to = frame.get("id")
    if room.kind != "inquiry" or not isinstance(up_to, int) or isinstance(up_to, bool):
        raise RealtimeError("frame_invalid", _("This message could not be read."), room=room.name)

    def run() -> None:
        inquiry = Inquiry.objects.select_related("booth").filter(pk=room.object_id).first()
        if inquiry is None:
            raise services.Refused(
                "room_not_found", _("This chat does not exist or is not open to you.")
            )
        services.inquiry_mark_read(inquiry=inquiry, by=consumer.user, up_to_id=up_to)

    await _call(run, {"room": room.name})
