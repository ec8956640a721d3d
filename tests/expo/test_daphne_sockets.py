"""What Daphne keeps per websocket (``expo.daphne_sockets``): the application's queue behaves as
``asyncio.Queue`` does for an ASGI application, autobahn's options are read from the factory
instead of copied onto every protocol, the opening handshake's leftovers go once the socket is
open, and an upgraded Twisted request is let go."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from daphne.server import Server
from daphne.ws_protocol import WebSocketFactory
from twisted.internet.address import IPv4Address
from twisted.internet.testing import StringTransport

from expo import daphne_sockets
from expo.daphne_sockets import SocketQueue

daphne_sockets.lighten()

# --- The application's queue ----------------------------------------------------------------------


async def test_the_queue_is_first_in_first_out_and_get_waits():
    queue = SocketQueue()
    assert queue.empty() and queue.qsize() == 0 and bool(queue)  # Daphne tests it for truth
    waiting = asyncio.ensure_future(queue.get())
    await asyncio.sleep(0)
    assert not waiting.done()
    queue.put_nowait(1)
    queue.put_nowait(2)
    assert await asyncio.wait_for(waiting, 30) == 1
    assert await queue.get() == 2
    assert queue.empty() and queue._items is None  # no deque kept while nothing waits
    with pytest.raises(asyncio.QueueEmpty):
        queue.get_nowait()


async def test_a_cancelled_get_loses_nothing():
    queue = SocketQueue()
    first = asyncio.ensure_future(queue.get())
    second = asyncio.ensure_future(queue.get())
    await asyncio.sleep(0)
    queue.put_nowait("event")  # wakes the first getter ...
    first.cancel()  # ... which is cancelled before it runs: the second gets the event
    assert await asyncio.wait_for(second, 30) == "event"
    with pytest.raises(asyncio.CancelledError):
        await first
    assert queue._getters == []


# --- The websocket protocol -------------------------------------------------------------------------


class FakeServer:
    """What Daphne's websocket protocol asks of its server."""

    root_path = ""
    proxy_forwarded_address_header = None
    websocket_timeout = -1

    def __init__(self) -> None:
        self.connections: dict = {}
        self.actions: list = []

    def protocol_connected(self, protocol) -> None:
        self.connections[protocol] = {}

    def protocol_disconnected(self, protocol) -> None:
        self.connections.get(protocol, {}).setdefault("disconnected", 1)

    def create_application(self, protocol, scope) -> SocketQueue:
        self.scope = scope
        return SocketQueue()

    def log_action(self, protocol, action, details) -> None:
        self.actions.append((action, details["path"]))


HANDSHAKE = (
    b"GET /ws/ HTTP/1.1\r\nHost: localhost:8000\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    b"Origin: http://localhost\r\n\r\n"
)


def opened_protocol():
    server = FakeServer()
    factory = WebSocketFactory(server, server="Daphne")
    factory.setProtocolOptions(autoPingInterval=7, autoPingTimeout=11)
    protocol = factory.buildProtocol(IPv4Address("TCP", "127.0.0.1", 50000))
    transport = StringTransport(peerAddress=IPv4Address("TCP", "127.0.0.1", 50000))
    protocol._raw_query_string = b""
    protocol.makeConnection(transport)
    protocol.dataReceived(HANDSHAKE)
    protocol.serverAccept()
    return protocol, server, transport


def test_options_are_read_from_the_factory_not_copied_onto_each_protocol():
    protocol, _server, _transport = opened_protocol()
    assert protocol.autoPingInterval == 7 and protocol.autoPingTimeout == 11
    copied = set(protocol.CONFIG_ATTRS) & set(vars(protocol))
    assert copied <= {"trackTimings"}, copied  # autobahn sets that one itself, on the socket


def test_the_handshake_leftovers_go_once_open_and_the_path_stays_for_the_log():
    protocol, server, transport = opened_protocol()
    assert protocol.state == protocol.STATE_OPEN
    assert b"101 Switching Protocols" in transport.value()
    assert not set(daphne_sockets.HANDSHAKE_LEFTOVERS) & set(vars(protocol))
    assert not hasattr(protocol.request, "headers")
    protocol.onClose(True, 1000, "")
    assert ("disconnected", "/ws/") in server.actions
    assert server.scope["path"] == "/ws/"  # the application's scope was built before


async def test_a_websocket_application_gets_the_light_queue():
    protocol, _server, _transport = opened_protocol()
    received = []

    async def app(scope, receive, send):
        received.append(await receive())

    server = SimpleNamespace(connections={protocol: {}}, application=app)
    server.handle_reply = lambda protocol, message: None
    queue = Server.create_application(server, protocol, {"type": "websocket"})
    assert isinstance(queue, SocketQueue)
    queue.put_nowait({"type": "websocket.connect"})
    await asyncio.wait_for(server.connections[protocol]["application_instance"], 30)
    assert received == [{"type": "websocket.connect"}]


# --- The upgraded request ---------------------------------------------------------------------------


def upgraded_request(upgrade: bytes = b"websocket"):
    from twisted.web.http_headers import Headers

    channel = SimpleNamespace(requests=[])
    producer = SimpleNamespace(producer=channel)
    producer.unregisterProducer = lambda: setattr(producer, "producer", None)
    channel._networkProducer = producer
    request = SimpleNamespace(channel=channel, transport=None,
                              requestHeaders=Headers({b"upgrade": [upgrade]}))  # fmt: skip
    channel.requests.append(request)
    return request, channel, producer


def test_an_upgraded_request_is_let_go():
    request, channel, producer = upgraded_request()
    daphne_sockets.release_upgraded(request)
    assert channel.requests == []
    assert producer.producer is None


def test_any_other_request_is_left_alone():
    plain, channel, producer = upgraded_request(upgrade=b"h2c")
    daphne_sockets.release_upgraded(plain)
    assert channel.requests == [plain] and producer.producer is channel
    answering, channel, producer = upgraded_request()
    answering.transport = object()  # still answering as HTTP
    daphne_sockets.release_upgraded(answering)
    assert channel.requests == [answering] and producer.producer is channel
