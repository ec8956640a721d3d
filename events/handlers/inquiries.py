"""Private inquiries on the socket: the ``inquiry`` room kind (a buyer's thread with a booth: a
chat room, see :mod:`events.handlers.chat` for sending), the ``inbox`` room kind (a vendor's inbox
counters, for its members) and read marks.

Frames from the client:

========  ==============================================================================
``read``  ``{"room": "inquiry:…", "id"}``: everything up to message ``id`` was read here
========  ==============================================================================

Frames to the client: ``inbox`` in ``inbox:<vendor id>`` for every message in one of the vendor's
threads (published by :func:`events.services.message_send` after commit). Sockets in these rooms
are counted under presence tags (``#vendor``, ``#buyer``) so that the other side is e-mailed only
when none of them has the thread open.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from events import rooms, selectors, services
from events.consumer import RealtimeError, SocketConsumer, call, handler
from events.handlers.chat import ChatKind
from events.handlers.rooms import room_of
from events.rooms import Missed, Room
from expo.refusals import Refused


class InboxKind(ChatKind):
    """Server frames only: its ``history`` is always empty (it tells the client what it may do)."""

    def history(self, room: Room, after_id: int | None) -> selectors.History:
        return selectors.History([], False, [])

    def missed(self, room: Room, *, after_id: int, since: datetime) -> Missed:
        # Its frames only move counters on: the next message brings them up to date.
        return Missed()


rooms.register(ChatKind("inquiry"))
rooms.register(InboxKind("inbox"))


@handler("read")
async def read(consumer: SocketConsumer, frame: dict[str, Any]) -> None:
    """In an inquiry: everything up to message ``id`` has been read on this screen."""
    room = room_of(frame)
    up_to = frame.get("id")
    if room.kind != "inquiry" or not isinstance(up_to, int) or isinstance(up_to, bool):
        raise RealtimeError("frame_invalid", _("This message could not be read."), room=room.name)

    def run() -> None:
        inquiry = selectors.inquiry_thread(inquiry_id=room.object_id)
        if inquiry is None:
            raise Refused(
                _("This chat does not exist or is not open to you."), code="room_not_found"
            )
        services.inquiry_mark_read(inquiry=inquiry, by=consumer.user, up_to_id=up_to)

    await call(run, {"room": room.name})
