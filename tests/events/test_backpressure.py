"""A client too slow to keep up does not hold the room back or grow the server's memory: its queue is
bounded, and past the bound it is told to resume, then disconnected."""

from __future__ import annotations

import asyncio
import functools
import json

import pytest
from channels.testing import WebsocketCommunicator

from events import consumer, hub, rooms
from events.outbox import Frame, Outbox
from expo.asgi import application
from tests.events.conftest import ORIGIN, Socket

pytestmark = pytest.mark.django_db(transaction=True)


class Stalling:
    """An ASGI wrapper whose ``send`` waits while the client is not reading, as a server with
    back-pressure does when the client's network buffers are full."""

    def __init__(self, app):
        self.app = app
        self.reading = asyncio.Event()
        self.reading.set()

    async def __call__(self, scope, receive, send):
        async def send_when_read(message):
            await self.reading.wait()
            await send(message)

        return await self.app(scope, receive, send_when_read)


@pytest.fixture
def small_queues(monkeypatch, settings):
    monkeypatch.setattr(Outbox, "max_frames", 20)
    # Generous: the slow client reads again as soon as the others got every message, and the
    # farewell then goes out at once; on a busy machine that can take seconds, and a farewell
    # that timed out first would close without the code the test reads.
    monkeypatch.setattr(Outbox, "farewell_timeout_seconds", 60.0)
    settings.CHAT_RATE_LIMIT = (1000, 1)


async def test_a_slow_client_is_told_to_resume_then_cut_off(booth, buyer, connect, small_queues):
    room = rooms.booth(booth.pk)
    stalling = Stalling(application)
    slow = WebsocketCommunicator(stalling, "/ws/", headers=[ORIGIN])
    assert (await slow.connect())[0]
    slow_socket = Socket(slow)
    await slow_socket.join(room)
    fast = await connect()
    await fast.join(room)
    talker = await connect(buyer)
    await talker.join(room)

    stalling.reading.clear()  # the slow client stops reading
    sent = [(await talker.say(room, f"flash sale {n}"))["id"] for n in range(30)]

    # The others got every message, in order, while the slow one was stuck.
    got = []
    while len(got) < len(sent):
        got.append((await fast.get("message"))["id"])
    assert got == sent
    local = hub.get_hub().rooms[room]
    assert len(local.sockets) == 2  # the slow socket has left the room

    stalling.reading.set()
    frames = []
    while True:
        output = await slow.receive_output(timeout=30)
        if output["type"] == "websocket.close":
            break
        frames.append(json.loads(output["text"]))
    assert output == {"type": "websocket.close", "code": consumer.CLOSE_TOO_SLOW}
    hint = frames[-1]
    assert hint["type"] == "resume"
    assert hint["code"] == "too_slow"
    assert hint["rooms"] == [room]
    # It never got more than the bound of what it could not read.
    assert len([f for f in frames if f["type"] == "message"]) <= Outbox.max_frames
    await slow.disconnect()
    await fast.close()
    await talker.close()


async def test_the_resumed_client_gets_what_it_missed(booth, buyer, connect, small_queues):
    """After the cut: reconnect, resume from the last id seen, and nothing is lost."""
    room = rooms.booth(booth.pk)
    talker = await connect(buyer)
    await talker.join(room)
    seen = (await talker.say(room, "before"))["id"]
    sent = [(await talker.say(room, f"while away {n}"))["id"] for n in range(25)]

    back = await connect()
    await back.send(type="resume", room=room, after_id=seen)
    history = await back.get("history")

    assert [m["id"] for m in history["messages"]] == sent
    await talker.close()
    await back.close()


class FakeSocket:
    def __init__(self):
        self.sent: list[bytes] = []
        self.room = 10**9  # bytes the kernel would still take

    def send(self, data: bytes) -> int:
        taken = min(len(data), self.room)
        self.room -= taken
        if not taken:
            raise BlockingIOError
        self.sent.append(data[:taken])
        return taken


class FakeTransport:
    """What the outbox reads of a Twisted TCP transport under Daphne."""

    def __init__(self):
        self.dataBuffer = b""
        self.offset = 0
        self._tempDataLen = 0
        self.buffered: list[bytes] = []
        self.socket = FakeSocket()
        self.connected = True
        self.disconnecting = False

    def write(self, data: bytes) -> None:
        self.buffered.append(data)
        self._tempDataLen += len(data)


class FakeProtocol:
    """Daphne's autobahn WebSocket protocol, as far as the outbox looks at it."""

    STATE_OPEN = 3

    def __init__(self):
        self.transport = FakeTransport()
        self.state = self.STATE_OPEN
        self.send_queue: list = []
        self._perMessageCompress = None
        self.replies: list[dict] = []


def _daphne_outbox(on_overflow=lambda: None):
    protocol = FakeProtocol()

    async def handle_reply(protocol, message):  # Daphne's Server.handle_reply
        protocol.replies.append(message)
        if message["type"] == "websocket.send":
            protocol.transport.write(Frame(message["text"]).wire)

    return protocol, Outbox(functools.partial(handle_reply, protocol), on_overflow)


def test_frames_are_framed_once_as_rfc6455_text():
    assert Frame("hi").wire == b"\x81\x02hi"
    long = Frame("x" * 300).wire
    assert long[:4] == b"\x81\x7e\x01\x2c" and len(long) == 304
    huge = Frame("y" * 70_000).wire
    assert huge[:2] == b"\x81\x7f" and int.from_bytes(huge[2:10], "big") == 70_000


async def test_under_daphne_a_broadcast_goes_straight_to_the_socket():
    protocol, outbox = _daphne_outbox()
    frame = Frame('{"type":"message"}')

    outbox.push(frame)

    assert protocol.transport.socket.sent == [frame.wire]  # at once: no task, no ASGI round
    assert protocol.replies == []
    # The kernel takes only part: the rest waits in Twisted's buffer, in order.
    protocol.transport.socket.room = 5
    outbox.push(Frame("second"))
    assert protocol.transport.socket.sent[-1] == Frame("second").wire[:5]
    assert protocol.transport.buffered == [Frame("second").wire[5:]]
    outbox.stop()


async def test_under_daphne_the_transport_buffer_counts():
    """A client that does not read shows as a growing transport buffer: frames queue behind it,
    and past the bound the outbox gives up instead of holding them."""
    overflowed = asyncio.Event()
    protocol, outbox = _daphne_outbox(overflowed.set)
    transport = protocol.transport
    outbox.max_frames = 10
    outbox.transport_high_water = 100
    transport.socket.room = 0  # the client stopped reading; the kernel buffer is full

    for n in range(3):
        outbox.push(Frame("x" * 60 + str(n)))
    assert len(transport.buffered) == 2  # over 100 bytes: the next one is queued
    assert outbox.pending == 1
    for n in range(10):
        outbox.push(Frame(f"more {n}"))
    await asyncio.wait_for(overflowed.wait(), 1)
    assert outbox.closed
    assert outbox.pending == 0  # what it held is dropped, not kept

    outbox.push(Frame("after the cut"))
    assert len(transport.buffered) == 2


async def test_a_drained_transport_lets_the_writer_go_on():
    protocol, outbox = _daphne_outbox()
    transport = protocol.transport
    outbox.transport_high_water = 10
    outbox.drain_poll_seconds = 0.01
    transport.socket.room = 0
    outbox.push(Frame("a" * 20))
    outbox.push(Frame("b"))
    await asyncio.sleep(0.05)
    assert transport.buffered == [Frame("a" * 20).wire]
    assert protocol.replies == []

    transport._tempDataLen = 0  # the client read it
    await asyncio.sleep(0.05)
    assert protocol.replies == [{"type": "websocket.send", "text": "b"}]
    outbox.stop()


async def test_a_closing_connection_is_not_written_to_directly():
    protocol, outbox = _daphne_outbox()
    protocol.state = 4  # closing
    outbox.push(Frame("late"))
    await asyncio.sleep(0.01)
    assert protocol.transport.socket.sent == []
    # Handed to Daphne, which drops frames for a connection that is closing.
    assert protocol.replies == [{"type": "websocket.send", "text": "late"}]
    outbox.stop()
