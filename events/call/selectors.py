"""Reads of the meeting rooms: who may enter a meeting's room, when it is open, who sits in its
call, and the ICE servers a browser is given. Nothing here writes.

A confirmed meeting's room opens ``MEETING_ROOM_OPENS_MINUTES`` before its start and closes
``MEETING_ROOM_CLOSES_MINUTES`` after its end (settings, 10 and 30 by default). Only the meeting's
participants (its buyer and the people in its participant rows: the vendor's members, a colleague,
an interpreter) and the organisers of its expo's office may open the page, join the room, receive
its signalling or read its chat.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from events.matching.models import Meeting, MeetingParticipant, MeetingStatus
from events.rooms import Room
from expo import permissions
from expo.refusals import Refused

MAX_PEERS = 4
# A meeting's room stays open (for those who may enter) in these states: confirmed, and once the
# sides have marked it (a mark can come while the room is still open).
ROOM_STATUSES = (MeetingStatus.CONFIRMED, MeetingStatus.HELD, MeetingStatus.NO_SHOW)
# How long a TURN credential made for one call.join stays valid.
TURN_CREDENTIAL_SECONDS = 12 * 3600


def room_name(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


def opens_at(meeting: Meeting) -> datetime:
    return meeting.starts_at - timedelta(minutes=settings.MEETING_ROOM_OPENS_MINUTES)


def closes_at(meeting: Meeting) -> datetime:
    return meeting.ends_at + timedelta(minutes=settings.MEETING_ROOM_CLOSES_MINUTES)


def room_state(meeting: Meeting, *, now: datetime) -> str:
    """``waiting`` (confirmed, not open yet), ``open``, ``closed`` (over) or ``unavailable``
    (not confirmed: requested, declined, cancelled)."""
    if meeting.status not in ROOM_STATUSES:
        return "unavailable"
    if now < opens_at(meeting):
        return "waiting"
    if now >= closes_at(meeting):
        return "closed"
    return "open"


def side_of(user: Any, meeting: Meeting, seats: list[MeetingParticipant]) -> str | None:
    """How ``user`` takes part in ``meeting`` (``vendor``, ``buyer``, ``organiser``), or None when
    they may not enter its room. ``seats`` are the meeting's participant rows."""
    if not permissions.is_authenticated(user):
        return None
    for seat in seats:
        if seat.user_id == user.pk:
            return seat.side
    if user.pk == meeting.buyer_id:
        return MeetingParticipant.Side.BUYER
    if permissions.can_manage_office(user, meeting.expo.office_id):
        return MeetingParticipant.Side.ORGANISER
    return None


def _meeting(meeting_id: int) -> Meeting | None:
    return (
        Meeting.objects.select_related("expo", "vendor", "booth", "buyer")
        .filter(pk=meeting_id)
        .first()
    )


def _seats(meeting: Meeting) -> list[MeetingParticipant]:
    return list(
        MeetingParticipant.objects.filter(meeting=meeting).select_related("user").order_by("id")
    )


@dataclass(frozen=True)
class MeetingRoom:
    """A meeting as one person may see its room."""

    meeting: Meeting
    side: str
    seats: list[MeetingParticipant]
    state: str
    opens_at: datetime
    closes_at: datetime

    @property
    def room(self) -> str:
        return room_name(self.meeting.pk)

    @property
    def is_vendor_side(self) -> bool:
        return self.side == MeetingParticipant.Side.VENDOR

    @property
    def is_participant(self) -> bool:
        return self.side in (MeetingParticipant.Side.VENDOR, MeetingParticipant.Side.BUYER)


def meeting_room(*, meeting_id: int, user: Any, now: datetime | None = None) -> MeetingRoom | None:
    """The room of a meeting for ``user`` (three queries), or None when the meeting does not
    exist or ``user`` may not enter it."""
    meeting = _meeting(meeting_id)
    if meeting is None:
        return None
    seats = _seats(meeting)
    side = side_of(user, meeting, seats)
    if side is None:
        return None
    now = now or timezone.now()
    return MeetingRoom(
        meeting, side, seats, room_state(meeting, now=now), opens_at(meeting), closes_at(meeting)
    )


def may_enter(user: Any, *, meeting_id: int) -> bool:
    """Whether ``user`` may join the meeting's socket room (and read its chat), at any time."""
    return meeting_room(meeting_id=meeting_id, user=user) is not None


def meeting_of_room(room: Room) -> Meeting | None:
    """The meeting behind a ``meeting:<id>`` room (with its expo), for the chat's room context."""
    return _meeting(room.object_id) if room.kind == "meeting" else None


@dataclass(frozen=True)
class Seat:
    """Who joins a call: the name the others see and their side."""

    name: str
    side: str


def call_seat(*, meeting_id: int, user: Any, now: datetime | None = None) -> Seat:
    """The seat of ``user`` in the meeting's call; a refusal when they may not enter
    (``room_not_found``) or the room is not open (``call_closed``)."""
    from events.services import display_name

    found = meeting_room(meeting_id=meeting_id, user=user, now=now)
    if found is None:
        raise Refused(_("This chat does not exist or is not open to you."), code="room_not_found")
    if found.state == "waiting":
        raise Refused(
            _("The meeting room is not open yet. It opens %(minutes)d minutes before the start.")
            % {"minutes": settings.MEETING_ROOM_OPENS_MINUTES},
            code="call_closed",
        )
    if found.state != "open":
        raise Refused(_("This meeting room is closed."), code="call_closed")
    return Seat(display_name(user), found.side)


def ice_servers(*, user_id: int, now: float | None = None) -> list[dict[str, Any]]:
    """What a browser's RTCPeerConnection is given: ``MEETING_ICE_SERVERS`` as configured (STUN,
    TURN with fixed credentials), and with ``MEETING_TURN_SECRET`` a TURN server of
    ``MEETING_TURN_URLS`` with a credential made for this person now (coturn's
    ``use-auth-secret``: the user name is the expiry time and an id, the password its HMAC-SHA1
    under the shared secret), valid for ``TURN_CREDENTIAL_SECONDS``."""
    servers = [dict(server) for server in settings.MEETING_ICE_SERVERS]
    secret = settings.MEETING_TURN_SECRET
    urls = list(settings.MEETING_TURN_URLS)
    if secret and urls:
        expires = int((now if now is not None else time.time()) + TURN_CREDENTIAL_SECONDS)
        username = f"{expires}:{user_id}"
        digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
        servers.append(
            {"urls": urls, "username": username, "credential": base64.b64encode(digest).decode()}
        )
    return servers
