"""Faults and hostile input on the socket, at the unit level (the real ASGI application through
``WebsocketCommunicator``): a server error closes the socket with a code a server may send, the
outbox never leaves a socket half dead, frames the parser cannot hold get ``frame_invalid`` and
the chat rate limit is a moving window.

The same faults on a real Daphne are ``test_fault_daphne.py``'s; a Redis restart under traffic is
``test_layer_outage.py``'s.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from channels.db import database_sync_to_async
from limits.storage import memory as limits_memory
from limits.storage import redis as limits_redis

from events import consumer, rooms
from events import outbox as outboxes
from events.models import ChatMessage
from events.outbox import Outbox
from expo import ratelimit

pytestmark = pytest.mark.django_db(transaction=True)


# --- A server error closes the socket with a code that is sent -----------------------------------


async def test_a_server_error_closes_with_a_code_a_server_may_send(connect):
    async def broken(consumer_: consumer.SocketConsumer, frame: dict[str, Any]) -> None:
        raise RuntimeError("boom")

    consumer.handler("test.fault")(broken)
    try:
        socket = await connect()
        await socket.send(type="test.fault")
        reply = await socket.get("error")
        closing = await socket.communicator.receive_output(timeout=30)
    finally:
        del consumer.HANDLERS["test.fault"]

    assert reply["code"] == "server_error"
    assert closing["type"] == "websocket.close"
    # Daphne's websocket library sends only 1000 and 3000-4999 from a server; anything else is
    # silently dropped and the client never learns that the socket is dead.
    assert 3000 <= closing["code"] <= 4999
    assert closing["code"] == consumer.CLOSE_SERVER_ERROR == 4500


def test_only_codes_a_server_may_send_are_sendable():
    assert outboxes.sendable_close_code(1000)
    assert outboxes.sendable_close_code(4500)
    assert not outboxes.sendable_close_code(1011)
    assert not outboxes.sendable_close_code(2999)
    assert not outboxes.sendable_close_code(5000)


async def test_the_outbox_refuses_a_close_code_the_server_would_drop():
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    outbox = Outbox(send, lambda: None)
    with pytest.raises(ValueError):
        outbox.close(1011)
    assert not outbox.closed  # still usable: the caller closes with a good code
    outbox.close(4500)
    await _until(lambda: sent)
    assert sent == [{"type": "websocket.close", "code": 4500}]
    outbox.stop()


async def test_a_close_the_server_refuses_still_ends_the_socket():
    """A server that raises on the close (as autobahn does for a code it will not send) must not
    leave the socket open with a closed outbox: the outbox closes it plainly instead."""
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        if message.get("code") == 4321:
            raise ValueError("invalid close code")
        sent.append(message)

    outbox = Outbox(send, lambda: None)
    outbox.push('{"type":"pong"}')
    outbox.close(4321)
    await _until(lambda: len(sent) >= 2)

    assert sent == [
        {"type": "websocket.send", "text": '{"type":"pong"}'},
        {"type": "websocket.close"},
    ]
    assert outbox.closed


async def test_a_send_the_server_refuses_ends_the_socket():
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        if message.get("text") == "bad":
            raise RuntimeError("the server refused the frame")
        sent.append(message)

    outbox = Outbox(send, lambda: None)
    outbox.push("bad")
    outbox.push("after")
    await _until(lambda: sent)

    assert sent == [{"type": "websocket.close"}]  # not "after" on a socket in an unknown state
    assert outbox.closed


async def _until(condition, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


# --- Frames the parser cannot hold ------------------------------------------------------------


def _nested(depth: int) -> str:
    return '{"type":"ping","ts":' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize(
    "text",
    [
        '{"type":"message","room":"ROOM","body":"\\ud800","client_id":"c-1"}',
        '{"type":"message","room":"ROOM","body":"ok \\udfff ok","client_id":"c-2"}',
        '{"type":"message","room":"ROOM","body":"halo","client_id":"\\ud83d"}',
        '{"type":"ping","\\udc00":1}',
        _nested(5000),
        _nested(100),
    ],
    ids=[
        "lone-high-surrogate",
        "lone-low-surrogate",
        "surrogate-in-client-id",
        "surrogate-in-key",
        "nested-5000",
        "nested-100",
    ],
)
async def test_frames_the_server_cannot_hold_get_frame_invalid(booth, buyer, connect, text):
    room = rooms.booth(booth.pk)
    socket = await connect(buyer)
    await socket.join(room)

    await socket.communicator.send_to(text_data=text.replace("ROOM", room))
    error = await socket.get("error")

    assert error["code"] == "frame_invalid"
    assert error["message"] == "This message could not be read."
    # The socket stays usable, and nothing was stored.
    await socket.send(type="ping", ts=9)
    assert (await socket.get("pong")) == {"type": "pong", "ts": 9}
    assert (await socket.say(room, "masih di sini"))["body"] == "masih di sini"
    assert await database_sync_to_async(ChatMessage.objects.count)() == 1
    await socket.close()


async def test_a_surrogate_pair_is_a_character_not_an_error(booth, buyer, connect):
    room = rooms.booth(booth.pk)
    socket = await connect(buyer)
    await socket.join(room)

    text = json.dumps({"type": "message", "room": room, "body": "halo 😀", "client_id": "e"})
    assert "\\ud83d\\ude00" in text  # escaped as a pair on the wire
    await socket.communicator.send_to(text_data=text)

    assert (await socket.get("message"))["body"] == "halo 😀"
    await socket.close()


# --- Chat rate limiting is a moving window -----------------------------------------------------


class Clock:
    """The clock of the limiter's memory storage, driven by the test (no wall-clock timing)."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch, settings):
    if not settings.RATELIMIT_STORAGE_URI.startswith("memory://"):
        pytest.fail("this test drives the memory storage's clock: run it without REDIS_URL")
    driven = Clock()
    monkeypatch.setattr(limits_memory, "time", driven)
    monkeypatch.setattr(ratelimit, "time", driven)  # its retry-after counts on the same clock
    ratelimit.reset()
    yield driven
    ratelimit.reset()


@pytest.fixture
def redis_clock(monkeypatch, settings, redis_url):
    """The limiter on the real Redis (a database of this test's own), its clock driven: the
    moving window's timestamps are the client's."""
    settings.RATELIMIT_STORAGE_URI = redis_url.rsplit("/", 1)[0] + "/13"
    driven = Clock()
    monkeypatch.setattr(limits_redis, "time", driven)
    monkeypatch.setattr(ratelimit, "time", driven)
    ratelimit.reset()
    yield driven
    ratelimit.reset()


def _window_edge(clock: Clock) -> None:
    rate = ratelimit.Rate(5, 5)
    assert ratelimit.hit("t", 1, rate).allowed
    clock.now += 4.9
    assert all(ratelimit.hit("t", 1, rate).allowed for _ in range(4))
    refused = ratelimit.hit("t", 1, rate)
    assert not refused.allowed
    assert refused.retry_after == 1  # the first hit leaves the window 0.1 s later

    clock.now += 0.15  # past the first hit's window: a fixed window would start afresh here
    assert ratelimit.hit("t", 1, rate).allowed  # the first hit's place
    refused = ratelimit.hit("t", 1, rate)
    assert not refused.allowed
    assert refused.retry_after == 5  # the four at 4.9 s leave the window at 9.9 s
    clock.now += 4.8
    assert not ratelimit.hit("t", 1, rate).allowed
    clock.now += 0.1
    assert ratelimit.hit("t", 1, rate).allowed
    assert ratelimit.hit("t", 2, rate).allowed  # another key is counted apart


def test_the_limiter_counts_a_moving_window(clock):
    _window_edge(clock)


@pytest.mark.redis
def test_the_limiter_counts_a_moving_window_on_redis(redis_clock):
    _window_edge(redis_clock)


async def test_chat_at_a_window_edge_is_refused_past_the_limit(
    booth, buyer, connect, settings, clock
):
    """Five messages in five seconds per account: one at the start, four just before the window
    ends, then two just after it. A fixed window lets both through (nine messages in a fraction
    of a second); the moving window lets one, the first message's place."""
    settings.CHAT_RATE_LIMIT = (5, 5)
    room = rooms.booth(booth.pk)
    socket = await connect(buyer)
    await socket.join(room)

    await socket.say(room, "pertama")
    clock.now += 4.9
    for n in range(4):
        await socket.say(room, f"di ujung {n}")
    clock.now += 0.15
    await socket.say(room, "tempat yang pertama")
    await socket.send(type="message", room=room, body="terlalu cepat", client_id="late")
    error = await socket.get("error")

    assert error["code"] == "rate_limited"
    assert error["client_id"] == "late"
    assert await database_sync_to_async(ChatMessage.objects.count)() == 6
    await socket.close()
