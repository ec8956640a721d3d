"""Meeting rooms on the socket: the ``meeting`` room kind (a business meeting's private chat, see
:mod:`events.handlers.chat` for sending) and the signalling of its video call (WebRTC, a mesh of up
to :data:`events.call.selectors.MAX_PEERS` browsers).

Frames from the client (each names the meeting's ``room``, which the socket must have joined):

===============  ==================================================================================
``call.join``    ``{"room", "mic", "camera"}``: enter the call; answered ``call.welcome``
``call.signal``  ``{"room", "to", "data"}``: an offer, answer or ICE candidate for one peer
``call.state``   ``{"room", "mic", "camera", "screen"}``: this peer's microphone, camera, screen
``call.leave``   ``{"room"}``: leave the call (going away, or a closed socket, does the same)
===============  ==================================================================================

Frames to the client: ``call.welcome`` (to the joining socket only: its ``peer`` id and the ICE
servers), ``call.joined``, ``call.state`` and ``call.left`` (to every socket in the meeting's room)
and ``call.signal`` (to the one peer it is addressed to).

Each socket in a call is a *peer*: a number that holds the meeting's id (so a signal can never be
addressed outside its meeting) and a random part. The socket is subscribed to a room of its own on
the hub, ``peer:<id>``, which only the server joins (``peer`` is not a registered kind: a client's
``join`` of it is ``room_invalid``); a signal is published there, so it reaches that one socket in
whichever process holds it and nobody else. Peers are counted under the presence tag
``meeting:<id>#call``, which bounds a call to four.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from events import hub, presence, rooms
from events.call import selectors
from events.consumer import RealtimeError, SocketConsumer, call, handler, on_disconnect
from events.handlers.chat import ChatKind
from events.handlers.rooms import room_of
from events.rooms import Room

# A peer id is meeting id × PEER_SPACE + a random part: meeting ids stay below 10**12 (a room id
# has at most 18 digits), and two peers of one meeting share an id once in a million joins.
PEER_SPACE = 10**6
MAX_SDP = 12_000
MAX_CANDIDATE = 1_000
DESCRIPTION_TYPES = ("offer", "answer", "rollback", "pranswer")


class MeetingKind(ChatKind):
    """``meeting:<id>``: a confirmed meeting's room, joined only by its participants and the
    organisers of its expo's office (:func:`events.selectors.room_access` asks
    :mod:`events.call.selectors`). Its history is the meeting's chat."""


rooms.register(MeetingKind("meeting"))


@dataclass
class Peer:
    """This socket's place in one meeting's call."""

    peer: int
    name: str
    side: str
    mic: bool = True
    camera: bool = True
    screen: bool = False

    @property
    def room(self) -> str:
        return f"peer:{self.peer}"

    def frame(self, kind: str, room: Room) -> dict[str, Any]:
        return {
            "type": kind,
            "room": room.name,
            "peer": self.peer,
            "name": self.name,
            "side": self.side,
            "mic": self.mic,
            "camera": self.camera,
            "screen": self.screen,
        }


def _peers(consumer: SocketConsumer) -> dict[str, Peer]:
    """The calls this socket is in, by meeting room."""
    peers = getattr(consumer, "call_peers", None)
    if peers is None:
        peers = consumer.call_peers = {}
    return peers


def _meeting_room(consumer: SocketConsumer, frame: dict[str, Any]) -> Room:
    """The meeting room a call frame names; the socket must be in it (joining it checked who may)."""
    room = room_of(frame)
    if room.kind != "meeting":
        raise RealtimeError("frame_invalid", _("This message could not be read."), room=room.name)
    if room.name not in consumer.rooms:
        raise RealtimeError("room_not_joined", _("Join the meeting room first."), room=room.name)
    return room


def _flag(frame: dict[str, Any], name: str, default: bool) -> bool:
    value = frame.get(name, default)
    return value if isinstance(value, bool) else default


def _current(consumer: SocketConsumer, room: Room) -> Peer:
    peer = _peers(consumer).get(room.name)
    if peer is None:
        raise RealtimeError("call_not_joined", _("You are not in this call."), room=room.name)
    return peer


@handler("call.join")
async def call_join(consumer: SocketConsumer, frame: dict[str, Any]) -> None:
    """Enter the meeting's call (again: a socket that was in it gets a new peer id). Refused
    before the room opens or after it closes (``call_closed``) and when four are in it
    (``call_full``)."""
    room = _meeting_room(consumer, frame)
    extra = {"room": room.name}
    seat = await call(selectors.call_seat, extra, meeting_id=room.object_id, user=consumer.user)
    await _leave_call(consumer, room)
    tag = room.tag("call")
    if await asyncio.to_thread(presence.online, tag) >= selectors.MAX_PEERS:
        raise RealtimeError(
            "call_full",
            _("This call already has %(count)d people in it.") % {"count": selectors.MAX_PEERS},
            **extra,
        )
    peer = Peer(
        room.object_id * PEER_SPACE + secrets.randbelow(PEER_SPACE - 1) + 1,
        seat.name,
        seat.side,
        mic=_flag(frame, "mic", True),
        camera=_flag(frame, "camera", True),
    )
    room_hub = hub.get_hub()
    await room_hub.begin_join(peer.room, consumer.outbox, (tag,))
    room_hub.finish_join(peer.room, consumer.outbox, [], after_id=None)
    _peers(consumer)[room.name] = peer
    ice_servers = await asyncio.to_thread(selectors.ice_servers, user_id=consumer.user.pk)
    consumer.push_json(
        {
            "type": "call.welcome",
            "room": room.name,
            "peer": peer.peer,
            "ice_servers": ice_servers,
            "max_peers": selectors.MAX_PEERS,
        }
    )
    await room_hub.publish(room.name, peer.frame("call.joined", room))


@handler("call.signal")
async def call_signal(consumer: SocketConsumer, frame: dict[str, Any]) -> None:
    """Hand an offer, an answer or an ICE candidate to one peer of the same meeting."""
    room = _meeting_room(consumer, frame)
    me = _current(consumer, room)
    to = frame.get("to")
    if (
        not isinstance(to, int)
        or isinstance(to, bool)
        or to // PEER_SPACE != room.object_id
        or to % PEER_SPACE == 0
        or to == me.peer
    ):
        raise RealtimeError("peer_invalid", _("This person is not in the call."), room=room.name)
    data = clean_signal(frame.get("data"))
    if data is None:
        raise RealtimeError("frame_invalid", _("This message could not be read."), room=room.name)
    await hub.get_hub().publish(
        f"peer:{to}", {"type": "call.signal", "room": room.name, "from": me.peer, "data": data}
    )


@handler("call.state")
async def call_state(consumer: SocketConsumer, frame: dict[str, Any]) -> None:
    """This peer's microphone, camera or screen went on or off: everybody in the room is told."""
    room = _meeting_room(consumer, frame)
    me = _current(consumer, room)
    me.mic = _flag(frame, "mic", me.mic)
    me.camera = _flag(frame, "camera", me.camera)
    me.screen = _flag(frame, "screen", me.screen)
    await hub.get_hub().publish(room.name, me.frame("call.state", room))


@handler("call.leave")
async def call_leave(consumer: SocketConsumer, frame: dict[str, Any]) -> None:
    await _leave_call(consumer, room_of(frame))


async def _leave_call(consumer: SocketConsumer, room: Room) -> None:
    peer = _peers(consumer).pop(room.name, None)
    if peer is None:
        return
    hub.get_hub().leave(peer.room, consumer.outbox, (room.tag("call"),))
    await hub.get_hub().publish(
        room.name, {"type": "call.left", "room": room.name, "peer": peer.peer}
    )


@on_disconnect
async def leave_calls(consumer: SocketConsumer) -> None:
    """A socket that goes leaves its calls; the others close their connection to it at once."""
    for name in list(_peers(consumer)):
        room = rooms.parse(name)
        if room is not None:
            await _leave_call(consumer, room)


def clean_signal(data: Any) -> dict[str, Any] | None:
    """A signal rebuilt from known fields only: ``{"description": {"type", "sdp"}}`` or
    ``{"candidate": {"candidate", "sdpMid", "sdpMLineIndex", "usernameFragment"} | null}``; None
    when it is neither."""
    if not isinstance(data, dict):
        return None
    if "description" in data:
        description = data["description"]
        if not isinstance(description, dict):
            return None
        kind, sdp = description.get("type"), description.get("sdp", "")
        if kind not in DESCRIPTION_TYPES or not isinstance(sdp, str) or len(sdp) > MAX_SDP:
            return None
        return {"description": {"type": kind, "sdp": sdp}}
    if "candidate" in data:
        candidate = data["candidate"]
        if candidate is None:
            return {"candidate": None}  # the end of the candidates
        if not isinstance(candidate, dict):
            return None
        text = candidate.get("candidate", "")
        mid = candidate.get("sdpMid")
        index = candidate.get("sdpMLineIndex")
        fragment = candidate.get("usernameFragment")
        if (
            not isinstance(text, str)
            or len(text) > MAX_CANDIDATE
            or not (mid is None or (isinstance(mid, str) and len(mid) <= 64))
            or not (index is None or (isinstance(index, int) and not isinstance(index, bool)))
            or not (fragment is None or (isinstance(fragment, str) and len(fragment) <= 256))
        ):
            return None
        return {
            "candidate": {
                "candidate": text,
                "sdpMid": mid,
                "sdpMLineIndex": index,
                "usernameFragment": fragment,
            }
        }
    return None
