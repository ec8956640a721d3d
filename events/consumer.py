"""The one websocket per browser tab (``/ws/``) and the registry of frame handlers.

A frame is a JSON object with a ``type``. The consumer looks the type up in :data:`HANDLERS`, which
feature modules fill with :func:`handler`, so chat, presence or the omzet ticker are modules of their
own rather than copies of a consumer. A handler raises :class:`RealtimeError` to answer with an
``error`` frame carrying a stable code and a message in the user's language; anything unexpected is
logged and the socket closed cleanly.

Everything written to a socket goes through its :class:`Outbox`. Room broadcasts reach it straight
from the per-process room hub (``events.hub``), never through this consumer's handlers; under Daphne
a frame encoded once for the room is written directly to each socket that keeps up, else queued
(bounded) for the socket's writer task; a client too slow to keep up is told to resume and
disconnected instead of growing the server's memory. The consumer keeps the rooms the socket is in
(``rooms``) and runs the :func:`on_disconnect` hooks of the features when it goes. See
``docs/realtime.md`` for the protocol.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import struct
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _

from expo.middleware import supported_language

logger = logging.getLogger(__name__)

MAX_FRAME_BYTES = 16 * 1024

Handler = Callable[["SocketConsumer", dict[str, Any]], Awaitable[None]]
HANDLERS: dict[str, Handler] = {}
DisconnectHook = Callable[["SocketConsumer"], Awaitable[None]]
DISCONNECT_HOOKS: list[DisconnectHook] = []

# Close code sent after the "resume" hint to a client that could not keep up.
CLOSE_TOO_SLOW = 4008


class RealtimeError(Exception):
    """A refusal the client should see: a stable ``code`` and a translated message. ``extra``
    fields (such as the ``room`` or the ``client_id`` of a refused message) go into the frame."""

    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra


def handler(frame_type: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        if frame_type in HANDLERS and HANDLERS[frame_type] is not fn:
            raise RuntimeError(f"frame type {frame_type!r} already has a handler")
        HANDLERS[frame_type] = fn
        return fn

    return register


def on_disconnect(fn: DisconnectHook) -> DisconnectHook:
    """Register a coroutine run when a socket goes (closed by either side, or cut for being slow)."""
    if fn not in DISCONNECT_HOOKS:
        DISCONNECT_HOOKS.append(fn)
    return fn


def _daphne_protocol(send: Any) -> Any:
    """The WebSocket protocol object under a socket's ASGI ``send`` when the server is Daphne and
    the connection is plain TCP without compression; else None.

    Daphne hands the application ``functools.partial(server.handle_reply, protocol)``; session
    middleware wraps it in a bound method that keeps the original as ``real_send``. Daphne writes
    every frame into the Twisted transport's buffer at once, which grows without bound for a client
    that does not read: its size is the only way to see that client fall behind, and writing a
    frame encoded once straight to the socket is what makes a broadcast to a thousand sockets cheap.
    """
    target = send
    for _depth in range(6):
        if isinstance(target, functools.partial):
            for arg in target.args:
                transport = getattr(arg, "transport", None)
                if (
                    transport is not None
                    and hasattr(transport, "_tempDataLen")
                    and hasattr(transport, "socket")
                    and hasattr(arg, "STATE_OPEN")
                    and getattr(arg, "_perMessageCompress", True) is None
                ):
                    return arg
            return None
        owner = getattr(target, "__self__", None)
        target = getattr(owner, "real_send", None)
        if target is None:
            return None
    return None


def _buffered(transport: Any) -> int:
    try:
        return len(transport.dataBuffer) - transport.offset + transport._tempDataLen
    except AttributeError:
        return 0


class Frame:
    """A text frame encoded once for any number of sockets: its JSON text and, built on first use,
    its bytes on the wire (RFC 6455: unmasked, as a server sends it)."""

    __slots__ = ("text", "_wire")

    def __init__(self, text: str) -> None:
        self.text = text
        self._wire: bytes | None = None

    @property
    def wire(self) -> bytes:
        if self._wire is None:
            payload = self.text.encode()
            size = len(payload)
            if size < 126:
                header = bytes((0x81, size))
            elif size < 1 << 16:
                header = struct.pack("!BBH", 0x81, 126, size)
            else:
                header = struct.pack("!BBQ", 0x81, 127, size)
            self._wire = header + payload
        return self._wire


class Outbox:
    """The frames waiting to be written to one socket, in order, bounded.

    ``push`` never waits. Under Daphne, while nothing is queued and the transport's write buffer is
    below ``transport_high_water``, a frame's wire bytes (encoded once for the whole room) go
    straight to the socket: one system call per recipient, no task hand-off, no per-recipient
    framing. Otherwise the frame is queued and the socket's writer task sends it through the ASGI
    ``send`` (a server with back-pressure makes it wait; under Daphne it also waits for the
    transport's buffer to drain). When more than ``max_frames`` frames or ``max_bytes`` bytes are
    waiting, the client is too slow: the queue is dropped and ``on_overflow`` is called (the
    consumer tells the client to resume, then closes).
    """

    max_frames = 1000
    max_bytes = 1024 * 1024
    transport_high_water = 256 * 1024
    drain_poll_seconds = 0.05
    farewell_timeout_seconds = 10.0

    def __init__(
        self, send: Callable[[dict[str, Any]], Awaitable[None]], on_overflow: Callable[[], None]
    ) -> None:
        self.closed = False
        self._send = send
        self._on_overflow = on_overflow
        self._queue: deque[str | dict[str, Any]] = deque()
        self._bytes = 0
        self._wakeup: asyncio.Future | None = None
        self._protocol = _daphne_protocol(send)
        self._transport = self._protocol.transport if self._protocol is not None else None
        self._writer = asyncio.get_running_loop().create_task(self._write())
        self._farewell: asyncio.Task | None = None

    def push(self, frame: str | Frame) -> None:
        if self.closed:
            return
        wire = self._protocol is not None and not self._queue and isinstance(frame, Frame)
        if wire and self._write_wire(frame):
            return
        text = frame.text if isinstance(frame, Frame) else frame
        self._queue.append(text)
        self._bytes += len(text)
        if len(self._queue) > self.max_frames or self._bytes > self.max_bytes:
            self.overflow()
            return
        self._wake()

    def _write_wire(self, frame: Frame) -> bool:
        """Write ``frame`` now if the connection is open and keeping up; False to queue it."""
        protocol, transport = self._protocol, self._transport
        if (
            protocol.state != protocol.STATE_OPEN
            or protocol.send_queue
            or not transport.connected
            or transport.disconnecting
        ):
            return False
        pending = _buffered(transport)
        if pending > self.transport_high_water:
            return False
        data = frame.wire
        if pending == 0:
            # Twisted holds nothing for this socket: the kernel gets the bytes in order directly.
            try:
                sent = transport.socket.send(data)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError:
                return True  # the connection is going away; Daphne sees it on its side
            if sent == len(data):
                return True
            data = data[sent:]
        transport.write(data)
        return True

    def close(self, code: int | None = None) -> None:
        """Close the socket once everything queued before has been written."""
        if self.closed:
            return
        self._queue.append(
            {"type": "websocket.close", "code": code} if code else {"type": "websocket.close"}
        )
        self.closed = True
        self._wake()

    def overflow(self) -> None:
        self.closed = True
        self._queue.clear()
        self._bytes = 0
        self._writer.cancel()
        self._on_overflow()

    def farewell(self, text: str, code: int) -> None:
        """After an overflow: one last frame and a close, not waiting forever for the client."""

        async def say() -> None:
            await self._send({"type": "websocket.send", "text": text})
            await self._send({"type": "websocket.close", "code": code})

        async def bounded() -> None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(say(), self.farewell_timeout_seconds)

        self._farewell = asyncio.get_running_loop().create_task(bounded())

    def stop(self) -> None:
        """The socket is gone: drop what is queued and end the writer."""
        self.closed = True
        self._queue.clear()
        self._bytes = 0
        self._writer.cancel()

    @property
    def pending(self) -> int:
        return len(self._queue)

    def _wake(self) -> None:
        wakeup = self._wakeup
        if wakeup is not None and not wakeup.done():
            wakeup.set_result(None)

    async def _write(self) -> None:
        loop = asyncio.get_running_loop()
        queue = self._queue
        while True:
            while not queue:
                self._wakeup = loop.create_future()
                await self._wakeup
                self._wakeup = None
            transport = self._transport
            while queue:
                if transport is not None and _buffered(transport) > self.transport_high_water:
                    await asyncio.sleep(self.drain_poll_seconds)
                    continue
                item = queue.popleft()
                if isinstance(item, str):
                    self._bytes -= len(item)
                    await self._send({"type": "websocket.send", "text": item})
                else:
                    await self._send(item)
                    return


class SocketConsumer(AsyncWebsocketConsumer):
    """Parses frames, applies the user's language and dispatches by ``type``."""

    # No channel per socket: room frames reach sockets through the per-process room hub
    # (events.hub), not through a channel-layer receive and a handler per recipient.
    channel_layer_alias = None

    async def connect(self) -> None:
        self.user = self.scope.get("user")
        self.language = self._language()
        # Rooms this socket is in, each with the presence tags it is counted under.
        self.rooms: dict[str, tuple[str, ...]] = {}
        self.gone = False
        await self.accept()
        self.outbox = Outbox(self.base_send, self._too_slow)

    async def disconnect(self, code: int) -> None:
        await self._leave_everything()
        outbox = getattr(self, "outbox", None)
        if outbox is not None:
            outbox.stop()

    async def _leave_everything(self) -> None:
        if self.gone:
            return
        self.gone = True
        for hook in DISCONNECT_HOOKS:
            try:
                await hook(self)
            except Exception:
                logger.exception("websocket disconnect hook %r failed", hook)
        self.rooms.clear()

    def _too_slow(self) -> None:
        with translation.override(self.language):
            hint = {
                "type": "resume",
                "code": "too_slow",
                "message": _("The connection fell behind. Reconnecting to catch up…"),
                "rooms": sorted(self.rooms),
            }
        logger.info("websocket too slow to keep up; told to resume (%d rooms)", len(self.rooms))
        text = json.dumps(hint, separators=(",", ":"), ensure_ascii=False)
        self.outbox.farewell(text, CLOSE_TOO_SLOW)
        asyncio.get_running_loop().create_task(self._leave_everything())

    async def close(self, code: int | bool | None = None, reason: str | None = None) -> None:
        outbox = getattr(self, "outbox", None)
        if outbox is None:
            await super().close(code=code, reason=reason)
        else:
            outbox.close(code if isinstance(code, int) and not isinstance(code, bool) else None)

    def _language(self) -> str:
        """The language pages use for this browser (see UserPreferencesMiddleware): a valid
        language cookie, else the account's preference, else Accept-Language, else the default."""
        cookies = self.scope.get("cookies", {})
        if supported_language(cookies.get(settings.LANGUAGE_COOKIE_NAME)) is None:
            user = self.user
            if user is not None and getattr(user, "is_authenticated", False):
                language = supported_language(user.language)
                if language is not None:
                    return language
        # Django's own choice for a request: cookie, then Accept-Language, then LANGUAGE_CODE.
        request = HttpRequest()
        request.COOKIES = dict(cookies)
        for name, value in self.scope.get("headers", []):
            if name.lower() == b"accept-language":
                request.META["HTTP_ACCEPT_LANGUAGE"] = value.decode("latin-1")
        return translation.get_language_from_request(request)

    async def send_json(self, payload: dict[str, Any]) -> None:
        self.push_json(payload)

    def push_json(self, payload: dict[str, Any]) -> None:
        self.outbox.push(json.dumps(payload, separators=(",", ":"), ensure_ascii=False))

    async def send_error(self, code: str, message: str, **extra: Any) -> None:
        self.push_json({"type": "error", "code": code, "message": message, **extra})

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        with translation.override(self.language):
            if text_data is None or len(text_data.encode()) > MAX_FRAME_BYTES:
                await self.send_error("frame_invalid", _("This message could not be read."))
                return
            try:
                frame = json.loads(text_data)
            except ValueError:
                frame = None
            if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
                await self.send_error("frame_invalid", _("This message could not be read."))
                return
            fn = HANDLERS.get(frame["type"])
            if fn is None:
                await self.send_error("type_unknown", _("This kind of message is not supported."))
                return
            try:
                await fn(self, frame)
            except RealtimeError as exc:
                await self.send_error(exc.code, exc.message, **exc.extra)
            except Exception:
                logger.exception("websocket handler %s failed", frame["type"])
                await self.send_error("server_error", _("Something went wrong. Please reconnect."))
                await self.close(code=1011)


@handler("ping")
async def ping(consumer: SocketConsumer, frame: dict[str, Any]) -> None:
    """Keep-alive and round-trip measure for the client."""
    await consumer.send_json({"type": "pong", "ts": frame.get("ts")})
