"""Everything written to one socket goes through its :class:`Outbox`: in order, bounded, never
waiting on the caller.

Room broadcasts reach an outbox straight from the per-process room hub (:mod:`events.hub`) as a
:class:`Frame`, JSON-encoded once for the whole room. Under Daphne a frame goes straight to the
socket while the client keeps up; that fast path, and everything it knows of Daphne's, Twisted's
and autobahn's internals, is the one adapter :class:`DaphneWire`. Otherwise frames are queued for
the socket's writer task; a client too slow to keep up overflows the bound and is cut off (the
consumer tells it to resume) instead of growing the server's memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import struct
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

logger = logging.getLogger(__name__)

Send = Callable[[dict[str, Any]], Awaitable[None]]


def sendable_close_code(code: int) -> bool:
    """Whether a server may close a websocket with ``code``: 1000 or 3000-4999 (RFC 6455 leaves
    the rest to the protocol itself, and Daphne's websocket library refuses to send them)."""
    return code == 1000 or 3000 <= code <= 4999


class Frame:
    """One or more text frames encoded once for any number of sockets: their JSON texts and, built
    on first use, their bytes on the wire (RFC 6455: unmasked, as a server sends it). A frame of
    several texts (:meth:`joined`) is what the hub writes when frames of a room pile up within one
    turn of the event loop: one system call per socket for all of them."""

    __slots__ = ("texts", "_wire")

    def __init__(self, text: str) -> None:
        self.texts: tuple[str, ...] = (text,)
        self._wire: bytes | None = None

    @classmethod
    def joined(cls, frames: list[Frame]) -> Frame:
        """The frames one after the other (the frame itself when there is one)."""
        if len(frames) == 1:
            return frames[0]
        batch = cls.__new__(cls)
        batch.texts = tuple(text for frame in frames for text in frame.texts)
        batch._wire = b"".join(frame.wire for frame in frames)
        return batch

    @property
    def wire(self) -> bytes:
        if self._wire is None:
            self._wire = b"".join(_framed(text) for text in self.texts)
        return self._wire


def _framed(text: str) -> bytes:
    payload = text.encode()
    size = len(payload)
    if size < 126:
        header = bytes((0x81, size))
    elif size < 1 << 16:
        header = struct.pack("!BBH", 0x81, 126, size)
    else:
        header = struct.pack("!BBQ", 0x81, 127, size)
    return header + payload


class DaphneWire:
    """The socket under an ASGI ``send`` when the server is Daphne: with ``expo.daphne_sockets``
    (what Daphne keeps per socket), the only code that touches Daphne's, Twisted's and autobahn's
    private attributes.

    Daphne hands the application ``functools.partial(server.handle_reply, protocol)``; a
    middleware that wraps it (Channels' session middleware did) keeps the original as
    ``real_send``, which is followed too. Daphne writes
    every frame into the Twisted transport's buffer at once, which grows without bound for a client
    that does not read: its size is the only way to see that client fall behind, and writing a
    frame encoded once straight to the socket is what makes a broadcast to a thousand sockets cheap.
    """

    __slots__ = ("protocol", "transport")

    def __init__(self, protocol: Any) -> None:
        self.protocol = protocol
        self.transport = protocol.transport

    @classmethod
    def under(cls, send: Any) -> DaphneWire | None:
        """The wire under ``send`` for a plain TCP connection without compression; else None."""
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
                        return cls(arg)
                return None
            owner = getattr(target, "__self__", None)
            target = getattr(owner, "real_send", None)
            if target is None:
                return None
        return None

    @property
    def buffered(self) -> int:
        """Bytes Twisted holds for this socket that the kernel has not taken yet."""
        transport = self.transport
        try:
            return len(transport.dataBuffer) - transport.offset + transport._tempDataLen
        except AttributeError:
            return 0

    def write(self, frame: Frame, high_water: int) -> bool:
        """Write ``frame`` now if the connection is open and keeping up (under ``high_water``
        buffered bytes); False to queue it instead."""
        protocol, transport = self.protocol, self.transport
        if (
            protocol.state != protocol.STATE_OPEN
            or protocol.send_queue
            or not transport.connected
            or transport.disconnecting
        ):
            return False
        pending = self.buffered
        if pending > high_water:
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

    def abort(self) -> None:
        """Drop the connection without a close handshake (the last resort when the server refused
        to close it properly): Daphne then tells the application that the socket went."""
        with contextlib.suppress(Exception):
            self.protocol.dropConnection(abort=True)


class Outbox:
    """The frames waiting to be written to one socket, in order, bounded.

    ``push`` never waits. Under Daphne, while nothing is queued, a frame's wire bytes go straight
    to the socket through :class:`DaphneWire` (one system call per recipient, no task hand-off; a
    room's frames are framed once for all its sockets) as long as the transport's write buffer is
    below ``transport_high_water``. Otherwise the frame is queued and a writer task sends it
    through the ASGI ``send`` (a server with back-pressure makes it wait; under Daphne it also waits
    for the transport's buffer to drain). The writer task and the queue exist only while something
    waits: an idle socket holds neither. When more than ``max_frames`` frames or ``max_bytes``
    bytes are waiting, the client is too slow: the queue is dropped and ``on_overflow`` is called
    (the consumer tells the client to resume, then closes).
    """

    max_frames = 1000
    max_bytes = 1024 * 1024
    transport_high_water = 256 * 1024
    drain_poll_seconds = 0.05
    farewell_timeout_seconds = 10.0

    def __init__(self, send: Send, on_overflow: Callable[[], None]) -> None:
        self.closed = False
        self._send = send
        self._on_overflow = on_overflow
        self._queue: deque[str | dict[str, Any]] | None = None
        self._bytes = 0
        self._wakeup: asyncio.Future | None = None
        self._wire = DaphneWire.under(send)
        self._writer: asyncio.Task | None = None
        self._farewell: asyncio.Task | None = None

    def push(self, frame: str | Frame) -> None:
        if self.closed:
            return
        wire = self._wire
        if wire is not None and not self._queue:
            if not isinstance(frame, Frame):
                frame = Frame(frame)  # one socket's own frame (an answer, the history)
            if wire.write(frame, self.transport_high_water):
                return
        queue = self._waiting()
        for text in frame.texts if isinstance(frame, Frame) else (frame,):
            queue.append(text)
            self._bytes += len(text)
        if len(queue) > self.max_frames or self._bytes > self.max_bytes:
            self.overflow()
            return
        self._wake()

    def close(self, code: int | None = None) -> None:
        """Close the socket once everything queued before has been written. ``code`` must be one a
        server may send (:func:`sendable_close_code`): any other would be dropped by the server,
        leaving the client on a socket that no longer answers."""
        if self.closed:
            return
        if code is not None and not sendable_close_code(code):
            raise ValueError(f"a server cannot close a websocket with code {code}")
        self._waiting().append(
            {"type": "websocket.close", "code": code} if code else {"type": "websocket.close"}
        )
        self.closed = True
        self._wake()

    def overflow(self) -> None:
        self.closed = True
        self._drop()
        self._on_overflow()

    def farewell(self, text: str, code: int) -> None:
        """After an overflow: one last frame and a close, not waiting forever for the client."""

        async def say() -> None:
            await self._send({"type": "websocket.send", "text": text})
            await self._send({"type": "websocket.close", "code": code})

        async def bounded() -> None:
            try:
                await asyncio.wait_for(say(), self.farewell_timeout_seconds)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # timed out, or the server refused: end it another way
                await self._end(exc)

        self._farewell = asyncio.get_running_loop().create_task(bounded())

    def stop(self) -> None:
        """The socket is gone: drop what is queued and end the writer."""
        self.closed = True
        self._drop()

    @property
    def pending(self) -> int:
        return len(self._queue) if self._queue else 0

    def _waiting(self) -> deque[str | dict[str, Any]]:
        """The queue, made (with its writer) when a first frame has to wait."""
        if self._queue is None:
            self._queue = deque()
        if self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(self._write())
        return self._queue

    def _drop(self) -> None:
        if self._queue is not None:
            self._queue.clear()
        self._bytes = 0
        if self._writer is not None:
            self._writer.cancel()
            self._writer = None

    def _wake(self) -> None:
        wakeup = self._wakeup
        if wakeup is not None and not wakeup.done():
            wakeup.set_result(None)

    async def _write(self) -> None:
        try:
            await self._write_queue()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            await self._end(exc)

    async def _write_queue(self) -> None:
        """Write what is queued, in order, then end (the next frame that has to wait starts a new
        writer); a close ends the writing for good."""
        loop = asyncio.get_running_loop()
        queue = self._queue
        while not queue:  # created with the queue, before its first frame was appended
            self._wakeup = loop.create_future()
            await self._wakeup
            self._wakeup = None
        wire = self._wire
        while queue:
            if wire is not None and wire.buffered > self.transport_high_water:
                await asyncio.sleep(self.drain_poll_seconds)
                continue
            item = queue.popleft()
            if isinstance(item, str):
                self._bytes -= len(item)
                await self._send({"type": "websocket.send", "text": item})
            else:
                await self._send(item)
                return
        self._writer = None
        self._queue = None

    async def _end(self, error: BaseException) -> None:
        """The server refused a frame or a close (or the client stopped reading): never leave the
        socket open behind a closed outbox, where the client would wait forever for frames that
        are no longer written. Close it plainly (code 1000 is always sendable); if even that
        fails, drop the connection."""
        logger.warning("websocket outbox: %r; closing the connection", error)
        self.closed = True
        if self._queue is not None:
            self._queue.clear()  # (this may be the writer itself: it is not cancelled)
        self._bytes = 0
        try:
            await asyncio.wait_for(self._send({"type": "websocket.close"}), 1.0)
        except asyncio.CancelledError:
            raise
        except Exception:
            if self._wire is not None:
                self._wire.abort()
