"""The chat protocol through the real ASGI application: every rule of the issue, what each socket
receives, and what it must not."""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext

from events import presence, rooms
from events.models import ChatMessage, Inquiry, MessageReport, Mute
from tests.conftest import move_to

pytestmark = pytest.mark.django_db(transaction=True)


def _translated(message: str, language: str) -> str:
    with translation.override(language):
        return gettext(message)


@database_sync_to_async
def _messages(room: str) -> list[ChatMessage]:
    kind, object_id = room.split(":")
    return list(ChatMessage.objects.filter(room_kind=kind, room_id=int(object_id)).order_by("id"))


@database_sync_to_async
def _seed(booth, author, count: int) -> list[int]:
    rows = ChatMessage.objects.bulk_create(
        ChatMessage(
            room_kind="booth",
            room_id=booth.pk,
            expo=booth.expo,
            author=author,
            author_name="Seed",
            author_role="buyer",
            body=f"old {i}",
        )
        for i in range(count)
    )
    return [r.pk for r in rows]


async def _until(condition, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.05)


# --- Reading ---------------------------------------------------------------------------------------


async def test_anyone_reads_but_an_anonymous_visitor_cannot_send(booth, buyer, connect):
    room = rooms.booth(booth.pk)
    reader = await connect()
    writer = await connect(buyer)

    history = await reader.join(room)
    await writer.join(room)
    assert history["messages"] == []
    assert history["you"]["authenticated"] is False
    assert history["you"]["can_send"] is False
    assert history["you"]["code"] == "login_required"

    await reader.send(type="message", room=room, body="hello", client_id="anon-1")
    error = await reader.get("error")
    assert error["code"] == "login_required"
    assert error["room"] == room
    assert error["client_id"] == "anon-1"
    assert await _messages(room) == []
    await writer.silent()

    sent = await writer.say(room, "Halo, ada ukuran L?", client_id="c-1")
    seen = await reader.get("message")
    assert seen == sent
    assert sent["author"] == {"name": "Ayu Buyer", "role": "buyer"}
    assert sent["client_id"] == "c-1"
    assert sent["sent_at"].endswith("Z")
    await reader.close()
    await writer.close()


async def test_history_on_join_is_the_last_fifty(booth, buyer, connect):
    ids = await _seed(booth, buyer, 60)
    socket = await connect()

    history = await socket.join(rooms.booth(booth.pk))

    assert [m["id"] for m in history["messages"]] == ids[-50:]
    assert history["more"] is False
    await socket.close()


async def test_roles_are_labelled_at_send_time(booth, team_member, organiser, connect):
    room = rooms.booth(booth.pk)
    vendor = await connect(team_member)
    staff = await connect(organiser)
    await vendor.join(room)
    await staff.join(room)

    assert (await vendor.say(room, "Ready stock!"))["author"]["role"] == "vendor"
    assert (await staff.say(room, "Welcome"))["author"]["role"] == "organiser"
    await vendor.close()
    await staff.close()


async def test_private_inquiry_is_only_for_its_buyer_and_the_booth(
    booth, buyer, make_user, team_member, connect
):
    inquiry = await database_sync_to_async(Inquiry.objects.create)(booth=booth, buyer=buyer)
    room = rooms.inquiry(inquiry.pk)
    stranger = await connect(await database_sync_to_async(make_user)())
    anonymous = await connect()
    owner = await connect(buyer)
    vendor = await connect(team_member)

    for outsider in (stranger, anonymous):
        await outsider.send(type="join", room=room)
        assert (await outsider.get("error"))["code"] == "room_not_found"
    await owner.join(room)
    await vendor.join(room)
    await owner.say(room, "Can you ship to Perth?")
    assert (await vendor.get("message"))["body"] == "Can you ship to Perth?"
    await stranger.silent()
    for socket in (stranger, anonymous, owner, vendor):
        await socket.close()


@pytest.mark.parametrize("name", ["booth:0", "booth:abc", "lobby:1", 12, "booth:99999"])
async def test_unknown_rooms_are_refused(booth, connect, name):
    socket = await connect()
    await socket.send(type="join", room=name)
    assert (await socket.get("error"))["code"] in {"room_invalid", "room_not_found"}
    await socket.close()


# --- Writing rules ---------------------------------------------------------------------------------


async def test_a_closed_expo_is_read_only(booth, buyer, connect):
    await database_sync_to_async(move_to)(booth.expo, "closed")
    room = rooms.booth(booth.pk)
    socket = await connect(buyer)

    history = await socket.join(room)
    assert history["you"]["can_send"] is False
    assert history["you"]["code"] == "chat_closed"

    await socket.send(type="message", room=room, body="still there?")
    error = await socket.get("error")
    assert error["code"] == "chat_closed"
    assert error["message"] == "This expo has closed."
    assert await _messages(room) == []
    await socket.close()


async def test_before_opening_nobody_chats(booth, buyer, connect):
    await database_sync_to_async(move_to)(booth.expo, "published")
    room = rooms.booth(booth.pk)
    socket = await connect(buyer)
    await socket.join(room)

    await socket.send(type="message", room=room, body="early bird")

    assert (await socket.get("error"))["code"] == "chat_closed"
    assert await _messages(room) == []
    await socket.close()


async def test_errors_are_in_the_users_language(booth, make_user, connect):
    await database_sync_to_async(move_to)(booth.expo, "closed")
    sari = await database_sync_to_async(make_user)(name="Sari", language="id")
    room = rooms.booth(booth.pk)
    socket = await connect(sari)
    await socket.join(room)

    await socket.send(type="message", room=room, body="halo")
    error = await socket.get("error")

    assert error["code"] == "chat_closed"
    assert error["message"] == _translated("This expo has closed.", "id")
    assert error["message"] == "Expo ini sudah ditutup."
    await socket.close()


async def test_body_length_and_content(booth, buyer, connect):
    room = rooms.booth(booth.pk)
    socket = await connect(buyer)
    await socket.join(room)

    await socket.send(type="message", room=room, body="x" * 1001)
    assert (await socket.get("error"))["code"] == "body_too_long"
    await socket.send(type="message", room=room, body=" \n\t ")
    assert (await socket.get("error"))["code"] == "body_empty"
    await socket.send(type="message", room=room, body=["not", "text"])
    assert (await socket.get("error"))["code"] == "body_invalid"
    assert await _messages(room) == []

    exact = await socket.say(room, "y" * 1000)
    assert len(exact["body"]) == 1000
    markup = await socket.say(room, "  <script>alert(1)</script>\x07  ")
    # Stored and sent as plain text (trimmed, control characters dropped); pages escape it.
    assert markup["body"] == "<script>alert(1)</script>"
    await socket.close()


async def test_each_account_is_rate_limited(booth, buyer, make_user, connect):
    room = rooms.booth(booth.pk)
    fast = await connect(buyer)
    other = await connect(await database_sync_to_async(make_user)())
    await fast.join(room)
    await other.join(room)

    for n in range(5):
        await fast.say(room, f"beli {n}")
    await fast.send(type="message", room=room, body="beli 5", client_id="c-6")
    error = await fast.get("error")

    assert error["code"] == "rate_limited"
    assert error["client_id"] == "c-6"
    assert "too fast" in error["message"]
    assert len(await _messages(room)) == 5
    # Another account is not held back by it.
    await other.say(room, "me too")
    await fast.close()
    await other.close()


# --- Moderation ------------------------------------------------------------------------------------


async def test_the_booth_deletes_a_message_on_every_screen(booth, buyer, team_member, connect):
    room = rooms.booth(booth.pk)
    author = await connect(buyer)
    vendor = await connect(team_member)
    reader = await connect()
    for socket in (author, vendor, reader):
        await socket.join(room)
    sent = await author.say(room, "spam spam")
    await vendor.get("message")
    await reader.get("message")

    await vendor.send(type="delete", room=room, id=sent["id"])

    for socket in (author, vendor, reader):
        assert await socket.get("deleted") == {"type": "deleted", "room": room, "id": sent["id"]}
    later = await connect()
    assert (await later.join(room))["messages"] == []
    stored = (await _messages(room))[0]
    assert stored.deleted_at is not None
    assert stored.deleted_by_id == team_member.pk
    for socket in (author, vendor, reader, later):
        await socket.close()


async def test_a_buyer_cannot_delete_or_mute(booth, buyer, make_user, connect):
    room = rooms.booth(booth.pk)
    other = await database_sync_to_async(make_user)(name="Other")
    author = await connect(other)
    plain = await connect(buyer)
    await author.join(room)
    await plain.join(room)
    sent = await author.say(room, "my message")
    await plain.get("message")

    await plain.send(type="delete", room=room, id=sent["id"])
    assert (await plain.get("error"))["code"] == "forbidden"
    await plain.send(type="mute", room=room, id=sent["id"], minutes=60)
    assert (await plain.get("error"))["code"] == "forbidden"

    await author.silent()
    assert (await _messages(room))[0].deleted_at is None
    assert not await database_sync_to_async(Mute.objects.exists)()
    await author.close()
    await plain.close()


async def test_an_organiser_mutes_an_account_in_one_room(
    booth, buyer, organiser, make_booth, connect
):
    room = rooms.booth(booth.pk)
    other_booth = await database_sync_to_async(make_booth)(booth.expo)
    elsewhere = rooms.booth(other_booth.pk)
    loud = await connect(buyer)
    staff = await connect(organiser)
    await loud.join(room)
    await loud.join(elsewhere)
    await staff.join(room)
    sent = await loud.say(room, "BUY MY STUFF")
    await staff.get("message")

    await staff.send(type="mute", room=room, id=sent["id"], minutes=60)
    notice = await staff.get("notice")
    assert notice["code"] == "muted_user"

    await loud.send(type="message", room=room, body="again", client_id="m-2")
    error = await loud.get("error")
    assert error["code"] == "muted"
    assert error["client_id"] == "m-2"
    assert len(await _messages(room)) == 1
    # Muted in that room only.
    await loud.say(elsewhere, "hello there")
    # And the next join tells the client it is muted.
    again = await connect(buyer)
    assert (await again.join(room))["you"]["code"] == "muted"
    for socket in (loud, staff, again):
        await socket.close()


async def test_the_team_cannot_be_muted(booth, team_member, organiser, connect):
    room = rooms.booth(booth.pk)
    vendor = await connect(team_member)
    staff = await connect(organiser)
    await vendor.join(room)
    await staff.join(room)
    sent = await vendor.say(room, "Ready stock")

    await staff.send(type="mute", room=room, id=sent["id"], minutes=10)

    assert (await staff.get("error"))["code"] == "forbidden"
    await vendor.close()
    await staff.close()


async def test_anyone_logged_in_reports_a_message(booth, buyer, make_user, connect):
    room = rooms.booth(booth.pk)
    reporter = await connect(await database_sync_to_async(make_user)())
    author = await connect(buyer)
    await reporter.join(room)
    await author.join(room)
    sent = await author.say(room, "rude words")

    await reporter.send(type="report", room=room, id=sent["id"], reason="rude")
    assert (await reporter.get("notice"))["code"] == "reported"
    await reporter.send(type="report", room=room, id=sent["id"], reason="again")
    await reporter.get("notice")

    reports = await database_sync_to_async(list)(MessageReport.objects.all())
    assert [(r.message_id, r.reason) for r in reports] == [(sent["id"], "rude")]
    await author.silent(ignore=("presence", "message"))
    await reporter.close()
    await author.close()


# --- Resume ----------------------------------------------------------------------------------------


async def test_resume_returns_exactly_the_missing_messages(booth, buyer, make_user, connect):
    room = rooms.booth(booth.pk)
    talker = await connect(await database_sync_to_async(make_user)(name="Talker"))
    await talker.join(room)
    listener = await connect(buyer)
    await listener.join(room)
    first = await talker.say(room, "one")
    await listener.get("message", id=first["id"])
    await listener.close()

    missed = [(await talker.say(room, f"missed {n}"))["id"] for n in range(3)]
    back = await connect(buyer)
    await back.send(type="resume", room=room, after_id=first["id"])
    history = await back.get("history")

    assert [m["id"] for m in history["messages"]] == missed
    assert history["after_id"] == first["id"]
    assert history["deleted"] == []
    live = await talker.say(room, "after")
    assert (await back.get("message"))["id"] == live["id"]
    await back.silent()
    await talker.close()
    await back.close()


async def test_resume_reports_messages_deleted_while_away(booth, buyer, team_member, connect):
    room = rooms.booth(booth.pk)
    vendor = await connect(team_member)
    await vendor.join(room)
    gone = await vendor.say(room, "wrong price")
    kept = await vendor.say(room, "right price")
    await vendor.send(type="delete", room=room, id=gone["id"])
    await vendor.get("deleted")

    socket = await connect(buyer)
    await socket.send(type="resume", room=room, after_id=kept["id"])
    history = await socket.get("history")

    assert history["messages"] == []
    assert history["deleted"] == [gone["id"]]
    await vendor.close()
    await socket.close()


async def test_messages_sent_while_joining_arrive_once(booth, buyer, make_user, connect):
    """A burst while a socket reads its history: each message exactly once, in order."""
    room = rooms.booth(booth.pk)
    talker = await connect(await database_sync_to_async(make_user)(name="Talker"))
    await talker.join(room)
    await _seed(booth, buyer, 10)
    listener = await connect(buyer)

    await listener.send(type="join", room=room)
    for n in range(4):
        await talker.send(type="message", room=room, body=f"burst {n}")
    history = await listener.get("history")
    seen = [m["id"] for m in history["messages"]]
    while len([i for i in seen if i > history["messages"][9]["id"]]) < 4:
        frame = await listener.get("message")
        seen.append(frame["id"])

    assert len(seen) == len(set(seen))
    assert seen == sorted(seen)
    await listener.silent()
    await talker.close()
    await listener.close()


# --- Presence --------------------------------------------------------------------------------------


async def test_presence_counts_sockets_in_the_room(booth, buyer, connect):
    room = rooms.booth(booth.pk)
    first = await connect()
    await first.join(room)
    assert (await first.get("presence", room=room))["count"] == 1

    second = await connect(buyer)
    await second.join(room)
    assert (await first.get("presence", room=room))["count"] == 2
    assert (await second.get("presence", room=room))["count"] == 2

    await second.send(type="leave", room=room)
    assert (await first.get("presence", room=room))["count"] == 1
    await second.close()
    await first.close()


async def test_presence_is_coalesced(booth, connect, monkeypatch):
    monkeypatch.setattr(presence, "COALESCE_SECONDS", 0.3)
    room = rooms.booth(booth.pk)
    watcher = await connect()
    await watcher.join(room)
    crowd = [await connect() for _ in range(5)]
    for socket in crowd:
        await socket.join(room)

    frames = [await watcher.get("presence", room=room)]
    await asyncio.sleep(0.5)
    while not await watcher.communicator.receive_nothing(timeout=0.05):
        frames.append(await watcher.next())

    counts = [f["count"] for f in frames if f["type"] == "presence"]
    assert counts[-1] == 6
    assert len(counts) <= 2  # not one per join
    for socket in (watcher, *crowd):
        await socket.close()


# --- Inquiry e-mail --------------------------------------------------------------------------------


async def test_the_vendor_gets_an_email_when_nobody_is_online(booth, buyer, team_member, connect):
    inquiry = await database_sync_to_async(Inquiry.objects.create)(booth=booth, buyer=buyer)
    room = rooms.inquiry(inquiry.pk)
    socket = await connect(buyer)
    await socket.join(room)

    await socket.say(room, "Do you ship abroad?")
    await _until(lambda: mail.outbox)

    assert [m.to for m in mail.outbox] == [[team_member.email]]
    assert "Do you ship abroad?" in mail.outbox[0].body
    # A second message soon after does not send another.
    await socket.say(room, "Hello?")
    await asyncio.sleep(0.5)
    assert len(mail.outbox) == 1
    await socket.close()


async def test_no_email_while_a_member_has_the_thread_open(booth, buyer, team_member, connect):
    inquiry = await database_sync_to_async(Inquiry.objects.create)(booth=booth, buyer=buyer)
    room = rooms.inquiry(inquiry.pk)
    vendor = await connect(team_member)
    await vendor.join(room)
    socket = await connect(buyer)
    await socket.join(room)

    await socket.say(room, "Still open?")
    await vendor.get("message")
    await asyncio.sleep(0.5)

    assert mail.outbox == []
    await socket.close()
    await vendor.close()


async def test_a_muted_account_is_told_until_when_in_its_own_time_zone(
    booth, make_user, organiser, connect
):
    """The socket follows the page's zone order (the account's, else the browser's cookie): a
    buyer in Tokyo reads the end of the mute in JST, not in the server's WIB."""
    tokyo = await database_sync_to_async(make_user)(time_zone="Asia/Tokyo")
    room = rooms.booth(booth.pk)
    loud = await connect(tokyo)
    staff = await connect(organiser)
    await loud.join(room)
    await staff.join(room)
    sent = await loud.say(room, "BUY MY STUFF")
    await staff.get("message")
    await staff.send(type="mute", room=room, id=sent["id"], minutes=60)
    await staff.get("notice")

    await loud.send(type="message", room=room, body="again", client_id="m-9")
    error = await loud.get("error")
    assert error["code"] == "muted"
    assert error["message"].endswith("JST.")
    for socket in (loud, staff):
        await socket.close()
