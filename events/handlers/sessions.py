"""Live sessions on the socket: the ``session`` room kind, a chat room whose joining sockets also
get the session's pinned products.

No frames from the client here (chat frames are :mod:`events.handlers.chat`'s; the vendor pins and
unpins from the session page). Frames to the client: ``pinned`` — once right after the ``history``
on joining, then on every change (published by :func:`events.services.session_pin` and
``session_unpin`` after commit).
"""

from __future__ import annotations

from typing import Any

from events import rooms, selectors
from events.handlers.chat import ChatKind
from events.models import LiveSession
from events.rooms import Room


class SessionKind(ChatKind):
    def extra_frames(self, access: selectors.RoomAccess) -> list[dict[str, Any]]:
        return [_pinned(access.context.session)]

    def changed_frames(self, room: Room) -> list[dict[str, Any]]:
        context = selectors.room_context(room)
        return [] if context is None or context.session is None else [_pinned(context.session)]


def _pinned(session: LiveSession) -> dict[str, Any]:
    booth = session.booth
    return selectors.pinned_frame(session, expo_slug=booth.expo.slug, booth_slug=booth.slug)


rooms.register(SessionKind("session"))
