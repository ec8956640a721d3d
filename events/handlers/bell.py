"""The bell on the socket: the ``user`` room kind (a person's own room, for their tabs only) and
marking notifications read.

Frames from the client:

=============  ===================================================================================
``bell_read``  ``{"id": 91}``: that notification was read; ``{"all": true}``: all of them were
=============  ===================================================================================

Frames to the client, in ``user:<id>``: ``bell`` — on joining (the unread count and the latest
notifications), on every new or updated notification (published by :mod:`events.bell.services`
after commit) and when some were read in another tab. See ``docs/realtime.md``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from events import rooms
from events.bell import selectors, services
from events.consumer import RealtimeError, SocketConsumer, call, handler
from events.rooms import Admission, CatchUp, Kind, Missed, Room
from expo import permissions


class UserKind(Kind):
    """``user:<id>``: joined only by that account's own sockets; server frames only. Its history
    is always empty; the ``bell`` snapshot follows it."""

    def admit(self, room: Room, user: Any) -> Admission | None:
        if not permissions.is_authenticated(user) or user.pk != room.object_id:
            return None
        return Admission()

    def catch_up(
        self, room: Room, user: Any, admission: Admission, after_id: int | None
    ) -> CatchUp:
        empty = {"type": "history", "room": room.name, "messages": [], "after_id": None}
        # Whatever was missed while away, the snapshot is the whole current state.
        return CatchUp([{**empty, "more": False}, selectors.snapshot(user_id=room.object_id)])

    def missed(self, room: Room, *, after_id: int, since: datetime) -> Missed:
        return Missed(frames=[selectors.snapshot(user_id=room.object_id)])


rooms.register(UserKind("user"))


@handler("bell_read")
async def bell_read(consumer: SocketConsumer, frame: dict[str, Any]) -> None:
    """A notification (``id``), or all of them (``all``), was read in this tab."""
    if frame.get("all") is True:
        await call(services.notifications_read_all, by=consumer.user)
        return
    notification_id = frame.get("id")
    if not isinstance(notification_id, int) or isinstance(notification_id, bool):
        raise RealtimeError("frame_invalid", _("This message could not be read."))
    await call(services.notification_read, notification_id=notification_id, by=consumer.user)
