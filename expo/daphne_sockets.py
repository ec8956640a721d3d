"""What Daphne keeps per websocket, cut to what an open socket uses (:func:`lighten`, applied by
``expo.guard.prepare_daphne`` before Daphne listens; nothing happens where Daphne is not
installed).

An idle websocket under Daphne held, besides the socket itself, objects made for its opening that
nothing reads again once it is open. Measured with ``tracemalloc`` (``docs/realtime.md``, "Memory
per idle socket"), per socket:

- **the HTTP request it arrived as** (Twisted's request, its headers and body buffer, its
  channel: about 2 KB): Twisted's channel keeps the request in its list of requests in progress,
  and the connection's transport keeps the channel as its producer. Once Daphne has handed the
  connection to the websocket protocol, :func:`release_upgraded` takes both away. The channel did
  nothing for the websocket: it never pauses a transport while a request is in progress, which
  an upgraded request always is;
- **Daphne's application queue** (``asyncio.Queue``: three deques and an ``Event`` with a fourth,
  about 2.8 KB, whether or not anything is queued): :class:`SocketQueue` behaves the same for the
  one reader an ASGI application is, and holds a deque only while events wait;
- **autobahn's copy of the server's websocket options** (29 attributes copied onto every
  protocol, so that the factory's later changes would not reach it; Daphne never changes them):
  :class:`LightWebSocketProtocol` reads them from the factory instead, and a per-socket change
  (autobahn's ``setTrackTimings``) still lands on the socket;
- **the parsed opening handshake** (its raw bytes, the header dictionary, the response): dropped
  once the socket is open; Daphne's log lines read only the path, which is kept.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from functools import partial
from typing import Any


class SocketQueue:
    """Daphne's queue of events for one websocket's application (its ``receive``):
    ``asyncio.Queue``'s behaviour as Daphne and an ASGI application use it — unbounded, first in
    first out, ``get`` waits while it is empty, a cancelled ``get`` loses nothing — without its
    deques and lock allocated for every connection. Never empty-is-false: Daphne tests the queue
    for truth."""

    __slots__ = ("_items", "_getters")

    def __init__(self) -> None:
        self._items: deque[Any] | None = None
        self._getters: list[asyncio.Future[None]] = []

    def qsize(self) -> int:
        return len(self._items) if self._items else 0

    def empty(self) -> bool:
        return not self._items

    def put_nowait(self, item: Any) -> None:
        if self._items is None:
            self._items = deque()
        self._items.append(item)
        self._wake_next()

    def get_nowait(self) -> Any:
        if not self._items:
            raise asyncio.QueueEmpty
        item = self._items.popleft()
        if not self._items:
            self._items = None
        return item

    async def get(self) -> Any:
        while not self._items:
            getter = asyncio.get_running_loop().create_future()
            self._getters.append(getter)
            try:
                await getter
            except BaseException:
                getter.cancel()
                with contextlib.suppress(ValueError):
                    self._getters.remove(getter)
                if self._items and not getter.cancelled():
                    self._wake_next()  # it was woken for an item it will not take
                raise
        return self.get_nowait()

    def _wake_next(self) -> None:
        while self._getters:
            getter = self._getters.pop(0)
            if not getter.done():
                getter.set_result(None)
                return


class _FromFactory:
    """One websocket option of autobahn's, read from the protocol's factory unless set on the
    protocol itself (a non-data descriptor: an attribute set on the instance wins)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, protocol: Any, owner: type | None = None) -> Any:
        if protocol is None:
            return self
        return getattr(protocol.factory, self.name)


class _Opened:
    """What Daphne's log lines read of the opening request once the socket is open."""

    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        self.path = path


# Left by autobahn's opening handshake on the protocol, read by nothing once the socket is open.
HANDSHAKE_LEFTOVERS = (
    "http_request_data",
    "http_headers",
    "http_status_line",
    "http_request_uri",
    "http_request_params",
    "http_response_data",
)


def light_protocol(base: type) -> type:
    """Daphne's websocket protocol class, with autobahn's options read from the factory and the
    handshake's leftovers dropped once the socket is open."""

    class LightWebSocketProtocol(base):
        light = True

        def onOpen(self) -> None:
            super().onOpen()
            request = getattr(self, "request", None)
            if request is not None:
                self.request = _Opened(request.path)
            for name in HANDSHAKE_LEFTOVERS:
                self.__dict__.pop(name, None)

    # autobahn copies each option onto a new protocol only where the protocol has none yet.
    for name in base.CONFIG_ATTRS:
        if name not in vars(base):
            setattr(LightWebSocketProtocol, name, _FromFactory(name))
    return LightWebSocketProtocol


def lighten() -> None:
    """Fit Daphne's websocket side as the module docstring says (idempotent)."""
    try:
        from daphne import server, ws_protocol
    except ImportError:  # served by another ASGI server
        return
    factory = ws_protocol.WebSocketFactory
    if not getattr(factory.protocol, "light", False):
        factory.protocol = light_protocol(factory.protocol)
    if not getattr(server.Server.create_application, "light", False):
        server.Server.create_application = _create_application(server.Server.create_application)


def _create_application(daphne_create: Any) -> Any:
    """Daphne's ``Server.create_application`` with a :class:`SocketQueue` for a websocket (its
    body, for websockets only; HTTP requests keep Daphne's own)."""
    from daphne.ws_protocol import WebSocketProtocol

    def create_application(server: Any, protocol: Any, scope: dict[str, Any]) -> Any:
        if not isinstance(protocol, WebSocketProtocol):
            return daphne_create(server, protocol, scope)
        assert "application_instance" not in server.connections[protocol]
        queue = SocketQueue()
        scope.setdefault("asgi", {"version": "3.0"})
        instance = server.application(
            scope=scope, receive=queue.get, send=partial(server.handle_reply, protocol)
        )
        if protocol not in server.connections:
            return None
        server.connections[protocol]["application_instance"] = asyncio.ensure_future(
            instance, loop=asyncio.get_event_loop()
        )
        return queue

    create_application.light = True
    return create_application


def release_upgraded(request: Any) -> None:
    """Let go of a Twisted request that Daphne upgraded to a websocket (see the module docstring):
    out of its channel's requests in progress, and the channel no longer the transport's
    producer. Nothing happens to any other request."""
    channel = getattr(request, "channel", None)
    if channel is None or request.transport is not None:
        return  # not handed over (still answering as HTTP, or already finished)
    upgrade = request.requestHeaders.getRawHeaders(b"upgrade") or []
    if not any(value.lower() == b"websocket" for value in upgrade):
        return
    requests = getattr(channel, "requests", None)
    if requests and request in requests:
        requests.remove(request)
    producer = getattr(channel, "_networkProducer", None)
    if producer is not None and getattr(producer, "producer", None) is channel:
        producer.unregisterProducer()
