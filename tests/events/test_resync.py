"""After an outage of the channel layer the hub catches its sockets up from the database
(``Hub.resync``), each message once: what the sockets lack is sent, what they have is not, and a
live frame that turns up after its message was caught up is not sent again.

Run in one process on the in-memory layer, with the lost frames made by storing messages without
publishing them; the real outage (Redis restarted under two Daphne processes) is
``test_layer_outage.py``'s.
"""

from __future__ import annotations

import time

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from events import hub, rooms, selectors
from events.models import ChatMessage

pytestmark = pytest.mark.django_db(transaction=True)


def _store_without_publishing(booth, author, body: str) -> ChatMessage:
    """A message whose live frame was lost (stored while the layer was down)."""
    return ChatMessage.objects.create(
        room_kind="booth",
        room_id=booth.pk,
        expo=booth.expo,
        author=author,
        author_name=author.name,
        author_role="buyer",
        body=body,
    )


async def test_a_resync_sends_each_socket_what_it_lacks_once(booth, buyer, connect):
    room = rooms.booth(booth.pk)
    talker = await connect(buyer)
    listener = await connect()
    await talker.join(room)
    await listener.join(room)
    first = await talker.say(room, "satu")
    await listener.get("message", id=first["id"])

    lost = await database_sync_to_async(_store_without_publishing)(booth, buyer, "hilang")
    await database_sync_to_async(ChatMessage.objects.filter(pk=first["id"]).update)(
        deleted_at=timezone.now()
    )
    # A socket that joins now has the lost message in its history: it must not get it again.
    latecomer = await connect()
    history = await latecomer.join(room)
    assert [m["id"] for m in history["messages"]] == [lost.pk]

    await hub.get_hub().resync(since=time.time() - 60)

    for socket in (talker, listener):
        caught = await socket.get("message", id=lost.pk)
        assert caught["body"] == "hilang"
        assert await socket.get("deleted", id=first["id"])
    assert await latecomer.get("deleted", id=first["id"])  # deletions go to everyone

    # The lost message's live frame turns up late, and the layer breaks once more: nobody gets
    # the message a second time.
    frame = await database_sync_to_async(selectors.message_frame)(lost)
    await hub.get_hub().publish(room, frame, message_id=lost.pk)
    await hub.get_hub().resync(since=time.time() - 60)
    for socket in (talker, listener, latecomer):
        await socket.silent(timeout=0.5, ignore=("presence", "deleted"))
    # Live messages still arrive once.
    later = await talker.say(room, "dua")
    for socket in (listener, latecomer):
        assert (await socket.get("message"))["id"] == later["id"]
        await socket.silent(timeout=0.3, ignore=("presence", "deleted"))
    for socket in (talker, listener, latecomer):
        await socket.close()


async def test_too_much_to_catch_up_tells_the_sockets_to_resume(booth, buyer, connect, monkeypatch):
    from events.handlers import chat

    monkeypatch.setattr(chat, "MAX_MISSED_PAGES", 1)
    monkeypatch.setattr(selectors, "RESUME_LIMIT", 2)
    room = rooms.booth(booth.pk)
    listener = await connect()
    await listener.join(room)
    for n in range(3):
        await database_sync_to_async(_store_without_publishing)(booth, buyer, f"hilang {n}")

    await hub.get_hub().resync(since=time.time() - 60)

    hint = await listener.get("resume")
    assert hint["code"] == "too_slow"
    assert hint["rooms"] == [room]
    closing = await listener.communicator.receive_output(timeout=3)
    assert closing == {"type": "websocket.close", "code": 4008}
