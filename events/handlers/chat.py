"""Chat in a room: the ``booth`` room kind, and sending and moderating messages in any chat room
(``booth``, ``session``, ``inquiry``). The rules are :mod:`events.services`'; this module turns
frames into calls and answers.

Frames from the client:

==========  ====================================================================================
``message``  ``{"room", "body", "client_id"}``: send; it comes back to every socket in the room
``delete``   ``{"room", "id"}``: hide a message (the booth's team, the office's organisers)
``mute``     ``{"room", "id", "minutes"}``: keep the author of a message from writing for a while
``report``   ``{"room", "id", "reason"}``: ask the organisers to look at a message
==========  ====================================================================================

Frames to the client: ``history`` (on joining), ``message``, ``deleted`` (published by the
services after commit), ``notice`` (``muted_user``, ``reported``) and ``error``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from events import rooms, selectors, services
from events.consumer import SocketConsumer, call, handler
from events.handlers.rooms import room_of
from events.rooms import Admission, CatchUp, Missed, Room
from expo.refusals import Refused

# A room that missed more than this many resume answers' worth of messages during an outage is
# told to reconnect and resume instead (each socket then reads what it lacks itself).
MAX_MISSED_PAGES = 4


class ChatKind(rooms.Kind):
    """A chat room: who may join is :func:`events.selectors.room_access`'s answer; a joining
    socket gets the room's history with what its account may do there (``you``)."""

    def admit(self, room: Room, user: Any) -> Admission | None:
        access = selectors.room_access(room, user, now=timezone.now())
        return None if access is None else Admission(access.tags, access)

    def history(self, room: Room, after_id: int | None) -> selectors.History:
        return selectors.room_history(room, after_id=after_id)

    def extra_frames(self, access: selectors.RoomAccess) -> list[dict[str, Any]]:
        """Frames sent right after the history (a session's pinned products)."""
        return []

    def catch_up(
        self, room: Room, user: Any, admission: Admission, after_id: int | None
    ) -> CatchUp:
        access: selectors.RoomAccess = admission.state
        history = self.history(room, after_id)
        frame = {
            "type": "history",
            "room": room.name,
            "messages": history.messages,
            "after_id": after_id,
            "more": history.more,
            "you": access.describe(user),
        }
        if after_id is not None:
            frame["deleted"] = history.deleted
        last = history.last_id if history.last_id is not None else after_id
        return CatchUp([frame, *self.extra_frames(access)], last)

    def missed(self, room: Room, *, after_id: int, since: datetime) -> Missed:
        """The messages after ``after_id`` (up to MAX_MISSED_PAGES answers of the resume's size)
        and a ``deleted`` frame for each message deleted since ``since``."""
        messages: list[dict[str, Any]] = []
        more = True
        for _page in range(MAX_MISSED_PAGES):
            history = self.history(room, after_id)
            messages += history.messages
            more = history.more
            if not more:
                break
            after_id = history.last_id
        deleted = [
            {"type": "deleted", "room": room.name, "id": message_id}
            for message_id in reversed(selectors.deleted_since(room, since=since))
        ]
        return Missed(messages, more, deleted + self.changed_frames(room))

    def changed_frames(self, room: Room) -> list[dict[str, Any]]:
        """The room's current state sent again after an outage (a session's pinned products)."""
        return []


rooms.register(ChatKind("booth"))


@handler("message")
async def message(consumer: SocketConsumer, frame: dict[str, Any]) -> None:
    """Send a chat message; it comes back to every socket in the room (this one too), carrying the
    sender's ``client_id``."""
    room = room_of(frame)
    client_id = frame.get("client_id", "")
    extra = {"room": room.name}
    if isinstance(client_id, str) and len(client_id) <= services.MAX_CLIENT_ID:
        extra["client_id"] = client_id
    await call(
        services.message_send,
        extra,
        room=room,
        body=frame.get("body"),
        client_id=client_id,
        by=consumer.user,
    )


@handler("delete")
async def delete(consumer: SocketConsumer, frame: dict[str, Any]) -> None:
    room = room_of(frame)

    def run() -> None:
        target = services.message_for(room=room, message_id=frame.get("id"))
        services.message_delete(message=target, by=consumer.user)

    await call(run, {"room": room.name})


@handler("mute")
async def mute(consumer: SocketConsumer, frame: dict[str, Any]) -> None:
    """Mute the author of message ``id`` in the room for ``minutes`` (10, 60 or 1440)."""
    room = room_of(frame)

    def run() -> str:
        target = services.message_for(room=room, message_id=frame.get("id"))
        if target.author is None:
            raise Refused(_("This message no longer exists."), code="message_not_found")
        services.mute_create(
            room=room, user=target.author, minutes=frame.get("minutes", 60), by=consumer.user
        )
        return target.author_name

    name = await call(run, {"room": room.name})
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
    room = room_of(frame)

    def run() -> None:
        target = services.message_for(room=room, message_id=frame.get("id"))
        services.message_report(message=target, by=consumer.user, reason=frame.get("reason", ""))

    await call(run, {"room": room.name})
    await consumer.send_json(
        {
            "type": "notice",
            "room": room.name,
            "code": "reported",
            "message": _("Thank you. The organisers will look at this message."),
        }
    )
