"""The one websocket per browser tab (``/ws/``): parsing, the user's language, dispatch by frame
type, and the one converter from a refusal to an ``error`` frame.

A frame is a JSON object with a ``type``. The consumer looks the type up in :data:`HANDLERS`, which
the feature modules of :mod:`events.handlers` (and any app above) fill with :func:`handler`, so
chat, rooms or inquiries are modules of their own rather than copies of a consumer. A handler
raises :class:`RealtimeError` — or lets a service's refusal through :func:`call`, which converts it
with :meth:`RealtimeError.of` — to answer with an ``error`` frame carrying a stable code and a
message in the user's language; anything unexpected is logged and the socket closed cleanly.

Everything written to a socket goes through its :class:`events.outbox.Outbox`. Room broadcasts
reach it straight from the per-process room hub (:mod:`events.hub`), never through this consumer's
handlers. The consumer keeps the rooms the socket is in (``rooms``) and runs the
:func:`on_disconnect` hooks of the features when it goes. See ``docs/realtime.md`` for the protocol.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
import re
import zoneinfo
from collections.abc import Awaitable, Callable
from typing import Any

from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from events.db import socket_db
from events.outbox import Outbox
from expo.middleware import known_zone, supported_language, zone_from_cookie
from expo.refusals import code_of, text_of

logger = logging.getLogger(__name__)

MAX_FRAME_BYTES = 16 * 1024

Handler = Callable[["SocketConsumer", dict[str, Any]], Awaitable[None]]
HANDLERS: dict[str, Handler] = {}
DisconnectHook = Callable[["SocketConsumer"], Awaitable[None]]
DISCONNECT_HOOKS: list[DisconnectHook] = []

# Close codes (a server may send only 1000 and 3000-4999: Daphne's websocket library silently drops
# any other, which would leave the client on a socket that answers nothing).
# After the "resume" hint to a client that could not keep up.
CLOSE_TOO_SLOW = 4008
# After a ``server_error`` frame: something broke while answering; reconnect and resume.
CLOSE_SERVER_ERROR = 4500
# How deep a frame may nest (the protocol's frames are flat objects; deeper is hostile).
MAX_FRAME_DEPTH = 8
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class RealtimeError(Exception):
    """A refusal the client should see: a stable ``code`` and a translated message. ``extra``
    fields (such as the ``room`` or the ``client_id`` of a refused message) go into the frame."""

    # Codes of the base's refusals that the socket protocol names otherwise. The time box's refusal
    # (``expo_state``) is ``chat_closed`` on the wire: the only socket actions it governs are chat,
    # and clients and the protocol document know it by that name.
    WIRE_CODES = {"expo_state": "chat_closed"}

    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra

    @classmethod
    def of(cls, error: Exception, **extra: Any) -> RealtimeError:
        """The error frame for any refusal (``expo.refusals.Refused`` and its subclasses,
        ``ValidationError``, ``PermissionDenied``): its stable code, its message in the user's
        language. The socket's one converter."""
        code = code_of(error)
        return cls(cls.WIRE_CODES.get(code, code), text_of(error), **extra)


async def call(
    fn: Callable[..., Any], /, extra: dict[str, Any] | None = None, **kwargs: Any
) -> Any:
    """Run a synchronous service (or read) in a worker thread with a database connection; a refusal
    it raises becomes a :class:`RealtimeError` carrying ``extra`` (the room, the client id)."""
    try:
        return await socket_db(fn)(**kwargs)
    except (PermissionDenied, ValidationError) as exc:
        raise RealtimeError.of(exc, **(extra or {})) from None


def handler(frame_type: str) -> Callable[[Handler], Handler]:
    """Register the coroutine that answers frames of ``frame_type`` (one per type)."""

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


class SocketConsumer(AsyncWebsocketConsumer):
    """Parses frames, applies the user's language and dispatches by ``type``."""

    # No channel per socket: room frames reach sockets through the per-process room hub
    # (events.hub), not through a channel-layer receive and a handler per recipient.
    channel_layer_alias = None
    channel_layer = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Channels' consumer loop for a consumer without a channel: each event from the server,
        in turn, to its handler. Channels' own loop (``await_many_dispatch``) runs every receive
        in a task of its own, and waits for it with ``asyncio.wait`` — a task, a waiter and
        their callbacks per idle socket (about 1 KB) for the one source this consumer has.

        Each event is handled in a copy of the socket's context, dropped once it is handled: a
        worker-thread call (``call``, ``socket_db``) copies the thread's context variables back
        into the caller's when it returns (asgiref re-homes every ``Local`` of Django's — the
        database connections, the active language — into new storage objects), which the
        socket's own context would otherwise keep for the socket's whole life (about 3.5 KB per
        idle socket after a join)."""
        self.scope = scope
        self.base_send = send
        loop = asyncio.get_running_loop()
        with contextlib.suppress(StopConsumer):  # raised by the disconnect's handling: the end
            while True:
                message = await receive()
                await loop.create_task(self.dispatch(message), context=contextvars.copy_context())

    async def connect(self) -> None:
        self.user = self.scope.get("user")
        self.language = self._language()
        self.zone = self._zone()
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

    def _zone(self) -> zoneinfo.ZoneInfo | None:
        """The zone pages show this browser (see UserPreferencesMiddleware): the account's, else
        the one its script reported in a cookie, else the default (None)."""
        user = self.user
        if user is not None and getattr(user, "is_authenticated", False):
            zone = known_zone(user.time_zone)
            if zone is not None:
                return zone
        return zone_from_cookie(self.scope.get("cookies", {}).get(settings.TIMEZONE_COOKIE_NAME))

    async def send_json(self, payload: dict[str, Any]) -> None:
        self.push_json(payload)

    def push_json(self, payload: dict[str, Any]) -> None:
        self.outbox.push(json.dumps(payload, separators=(",", ":"), ensure_ascii=False))

    async def send_error(self, code: str, message: str, **extra: Any) -> None:
        self.push_json({"type": "error", "code": code, "message": message, **extra})

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        with translation.override(self.language), timezone.override(self.zone):
            frame = read_frame(text_data)
            if frame is None:
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
            except (PermissionDenied, ValidationError) as exc:
                # A refusal a handler let through outside call(): still a refusal, not a failure.
                error = RealtimeError.of(exc)
                await self.send_error(error.code, error.message)
            except Exception:
                logger.exception("websocket handler %s failed", frame["type"])
                await self.send_error("server_error", _("Something went wrong. Please reconnect."))
                await self.close(code=CLOSE_SERVER_ERROR)


def read_frame(text: str | None) -> dict[str, Any] | None:
    """The frame a client sent, or None when it is not one the server can hold: not text, over
    :data:`MAX_FRAME_BYTES`, not a JSON object with a text ``type``, nested deeper than
    :data:`MAX_FRAME_DEPTH`, or carrying a lone surrogate (``"\\ud800"`` is valid JSON but no
    character: it cannot be stored, encoded or sent to anybody)."""
    if text is None:
        return None
    try:
        if len(text.encode()) > MAX_FRAME_BYTES:
            return None
        frame = json.loads(text)
    except (ValueError, RecursionError):  # UnicodeError is a ValueError
        return None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        return None
    return frame if _plain(frame) else None


def _plain(frame: dict[str, Any]) -> bool:
    """No nesting deeper than MAX_FRAME_DEPTH and no lone surrogate in any key or text (walked
    without recursion, so a hostile frame cannot exhaust the stack)."""
    stack: list[tuple[Any, int]] = [(frame, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return False
        elif isinstance(value, dict | list):
            if depth > MAX_FRAME_DEPTH:
                return False
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and _SURROGATE.search(key):
                    return False
                stack.append((item, depth + 1))
    return True


@handler("ping")
async def ping(consumer: SocketConsumer, frame: dict[str, Any]) -> None:
    """Keep-alive and round-trip measure for the client."""
    await consumer.send_json({"type": "pong", "ts": frame.get("ts")})
