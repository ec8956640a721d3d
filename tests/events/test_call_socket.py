"""A meeting's room on the one websocket, through the real ASGI application: who may join it, the
call's frames (join, signal to one peer, state, leave), and what nobody else receives."""

from __future__ import annotations

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async

from booths.models import VendorMembership
from events.call import selectors
from events.handlers.call import PEER_SPACE, clean_signal
from events.matching.models import MeetingStatus
from events.models import ChatMessage
from expo import permissions
from tests.events.meetings import make_meeting

pytestmark = pytest.mark.django_db(transaction=True)

OFFER = {"description": {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}}
CANDIDATE = {
    "candidate": {
        "candidate": "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host",
        "sdpMid": "0",
        "sdpMLineIndex": 0,
        "usernameFragment": "abcd",
    }
}


@pytest.fixture
def meeting(booth, buyer, team_member):
    return make_meeting(booth, buyer=buyer, vendor_user=team_member)


@pytest.fixture
def outsiders(make_user, make_booth, make_organiser, booth):
    """Another buyer, a member of another vendor (in the same expo) and an organiser of another
    office."""
    other_booth = make_booth(booth.expo, name="Kopi Lain")
    other_vendor = make_user(name="Other Vendor")
    VendorMembership.objects.create(vendor=other_booth.vendor, user=other_vendor)
    permissions.forget(other_vendor)
    return {
        "another buyer": make_user(name="Other Buyer"),
        "another vendor": other_vendor,
        "another office's organiser": make_organiser(name="Other Organiser"),
    }


async def _in_call(connect, user, room: str, **state):
    socket = await connect(user)
    await socket.join(room)
    await socket.send(type="call.join", room=room, mic=True, camera=True, **state)
    welcome = await socket.get("call.welcome", room=room)
    return socket, welcome["peer"]


async def test_two_sides_join_and_a_signal_reaches_only_its_peer(
    meeting, buyer, team_member, organiser, connect
):
    room = selectors.room_name(meeting.pk)
    vendor, vendor_peer = await _in_call(connect, team_member, room)
    buyer_socket, buyer_peer = await _in_call(connect, buyer, room)
    assert vendor_peer // PEER_SPACE == meeting.pk and buyer_peer // PEER_SPACE == meeting.pk
    joined = await vendor.get("call.joined", room=room, peer=buyer_peer)
    assert joined["name"] == "Ayu Buyer" and joined["side"] == "buyer"
    assert joined["mic"] is True and joined["camera"] is True
    # The organiser watches the room (its chat) without being in the call.
    watcher = await connect(organiser)
    await watcher.join(room)

    await buyer_socket.send(type="call.signal", room=room, to=vendor_peer, data=OFFER)
    got = await vendor.get("call.signal", room=room)
    assert got["from"] == buyer_peer and got["data"] == OFFER
    await vendor.send(type="call.signal", room=room, to=buyer_peer, data=CANDIDATE)
    got = await buyer_socket.get("call.signal", room=room)
    assert got["from"] == vendor_peer and got["data"] == CANDIDATE
    # Addressed to one peer: the one in the room but not its addressee gets neither.
    await watcher.silent(ignore=("presence", "call.joined"))


async def test_camera_off_reaches_the_others_and_leaving_is_told(
    meeting, buyer, team_member, connect
):
    room = selectors.room_name(meeting.pk)
    vendor, vendor_peer = await _in_call(connect, team_member, room)
    buyer_socket, _buyer_peer = await _in_call(connect, buyer, room)

    await vendor.send(type="call.state", room=room, mic=True, camera=False)
    state = await buyer_socket.get("call.state", room=room, peer=vendor_peer)
    assert state["camera"] is False and state["mic"] is True and state["screen"] is False

    await vendor.close()  # a reload: the socket goes without a call.leave
    left = await buyer_socket.get("call.left", room=room)
    assert left["peer"] == vendor_peer
    # Back after the reload: a new peer id, and the others are told.
    again, new_peer = await _in_call(connect, team_member, room)
    assert new_peer != vendor_peer
    await buyer_socket.get("call.joined", room=room, peer=new_peer)
    await again.send(type="call.leave", room=room)
    await buyer_socket.get("call.left", room=room, peer=new_peer)


@pytest.mark.parametrize(
    "who", ["another buyer", "another vendor", "another office's organiser", "a guest"]
)
async def test_nobody_else_joins_the_room_the_call_or_hears_its_signalling(
    meeting, buyer, team_member, outsiders, connect, who
):
    room = selectors.room_name(meeting.pk)
    vendor, vendor_peer = await _in_call(connect, team_member, room)
    buyer_socket, buyer_peer = await _in_call(connect, buyer, room)
    await vendor.get("call.joined", room=room, peer=buyer_peer)

    stranger = await connect(outsiders.get(who))
    await stranger.send(type="join", room=room)
    assert (await stranger.get("error", room=room))["code"] == "room_not_found"
    await stranger.send(type="call.join", room=room)
    assert (await stranger.get("error", room=room))["code"] == "room_not_joined"
    await stranger.send(type="call.signal", room=room, to=vendor_peer, data=OFFER)
    assert (await stranger.get("error", room=room))["code"] == "room_not_joined"
    # A peer's own room is never a client's to join.
    await stranger.send(type="join", room=f"peer:{vendor_peer}")
    assert (await stranger.get("error"))["code"] == "room_invalid"
    await stranger.send(type="message", room=room, body="Hello?", client_id="x")
    assert (await stranger.get("error", room=room))["code"] in ("room_not_found", "login_required")

    await buyer_socket.send(type="call.signal", room=room, to=vendor_peer, data=OFFER)
    await vendor.send(type="call.state", room=room, camera=False)
    await vendor.get("call.signal", room=room)
    await stranger.silent(timeout=0.5)


async def test_the_organisers_of_the_expo_may_join(meeting, buyer, organiser, connect):
    room = selectors.room_name(meeting.pk)
    watcher, peer = await _in_call(connect, organiser, room)
    buyer_socket, _ = await _in_call(connect, buyer, room)
    joined = await watcher.get("call.joined", room=room, side="buyer")
    assert joined["name"] == "Ayu Buyer"
    await buyer_socket.send(type="call.signal", room=room, to=peer, data=OFFER)
    got = await watcher.get("call.signal", room=room)
    assert got["data"] == OFFER


async def test_a_signal_cannot_leave_its_meeting_nor_carry_anything_else(
    meeting, booth, buyer, team_member, make_user, connect
):
    room = selectors.room_name(meeting.pk)
    other_buyer = await database_sync_to_async(make_user)(name="B2")
    other = await database_sync_to_async(make_meeting)(
        booth, buyer=other_buyer, vendor_user=team_member, starts_in=timedelta(hours=2)
    )
    socket, peer = await _in_call(connect, buyer, room)
    await socket.send(type="call.signal", room=room, to=other.pk * PEER_SPACE + 7, data=OFFER)
    assert (await socket.get("error", room=room))["code"] == "peer_invalid"
    await socket.send(type="call.signal", room=room, to=peer, data=OFFER)
    assert (await socket.get("error", room=room))["code"] == "peer_invalid"
    await socket.send(type="call.signal", room=room, to=peer + 1, data={"script": "x"})
    assert (await socket.get("error", room=room))["code"] == "frame_invalid"
    assert clean_signal({"description": {"type": "offer", "sdp": "x", "extra": 1}}) == {
        "description": {"type": "offer", "sdp": "x"}
    }
    assert clean_signal({"description": {"type": "evil", "sdp": "x"}}) is None
    assert clean_signal({"candidate": None}) == {"candidate": None}
    assert clean_signal({"candidate": {"candidate": "x" * 2000}}) is None


async def test_the_room_opens_minutes_before_the_start_and_closes_after_the_end(
    booth, buyer, team_member, connect, settings
):
    settings.MEETING_ROOM_OPENS_MINUTES = 10
    settings.MEETING_ROOM_CLOSES_MINUTES = 30
    later = await database_sync_to_async(make_meeting)(
        booth, buyer=buyer, vendor_user=team_member, starts_in=timedelta(minutes=11)
    )
    past = await database_sync_to_async(make_meeting)(
        booth, buyer=buyer, vendor_user=team_member, starts_in=timedelta(minutes=-61)
    )
    cancelled = await database_sync_to_async(make_meeting)(
        booth,
        buyer=buyer,
        vendor_user=team_member,
        starts_in=timedelta(hours=3),
        status=MeetingStatus.CANCELLED,
    )
    socket = await connect(buyer)
    for meeting in (later, past, cancelled):
        room = selectors.room_name(meeting.pk)
        await socket.join(room)  # its chat can be read at any time
        await socket.send(type="call.join", room=room)
        error = await socket.get("error", room=room)
        assert error["code"] == "call_closed", meeting


async def test_four_people_at_most(meeting, buyer, connect):
    room = selectors.room_name(meeting.pk)
    for _ in range(selectors.MAX_PEERS):
        await _in_call(connect, buyer, room)
    fifth = await connect(buyer)
    await fifth.join(room)
    await fifth.send(type="call.join", room=room)
    assert (await fifth.get("error", room=room))["code"] == "call_full"


async def test_the_meeting_chat_is_kept_for_its_people(meeting, buyer, team_member, connect):
    room = selectors.room_name(meeting.pk)
    vendor = await connect(team_member)
    await vendor.join(room)
    buyer_socket = await connect(buyer)
    await buyer_socket.join(room)
    sent = await buyer_socket.say(room, "Here is our price list: https://example.com/p.pdf")
    got = await vendor.get("message", room=room, id=sent["id"])
    assert got["author"]["role"] == "buyer"
    rows = await database_sync_to_async(
        lambda: list(ChatMessage.objects.filter(room_kind="meeting", room_id=meeting.pk))
    )()
    assert [r.body for r in rows] == ["Here is our price list: https://example.com/p.pdf"]
    # A page load later, its history holds it.
    again = await connect(buyer)
    history = await again.join(room)
    assert [m["id"] for m in history["messages"]] == [sent["id"]]


def test_ice_servers_from_the_settings_and_a_turn_credential_per_person(settings):
    settings.MEETING_ICE_SERVERS = [{"urls": ["stun:stun.example.org:3478"]}]
    settings.MEETING_TURN_SECRET = ""
    settings.MEETING_TURN_URLS = ["turn:turn.example.org:3478"]
    assert selectors.ice_servers(user_id=5) == [{"urls": ["stun:stun.example.org:3478"]}]
    settings.MEETING_TURN_SECRET = "s3cret"
    servers = selectors.ice_servers(user_id=5, now=1_700_000_000)
    turn = servers[-1]
    assert turn["urls"] == ["turn:turn.example.org:3478"]
    assert turn["username"] == f"{1_700_000_000 + selectors.TURN_CREDENTIAL_SECONDS}:5"
    # coturn's use-auth-secret: base64(HMAC-SHA1(secret, username)).
    import base64
    import hashlib
    import hmac

    expected = base64.b64encode(
        hmac.new(b"s3cret", turn["username"].encode(), hashlib.sha1).digest()
    ).decode()
    assert turn["credential"] == expected
