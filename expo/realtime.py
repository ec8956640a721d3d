"""The one websocket per browser tab (``/ws/``) and the registry of frame handlers.

A frame is a JSON object with a ``type``. The consumer looks the type up in :data:`HANDLERS`, which
feature modules fill with :func:`handler`, so chat, presence or the omzet ticker are modules of their
own rather than copies of a consumer. A handler raises :class:`RealtimeError` to answer with an
``error`` frame carrying a stable code and a message in the user's language; anything unexpected is
logged and the socket closed cleanly.
"""

from __future__ import annotations

import json
import logging
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


class RealtimeError(Exception):
    """A refusal the client should see: a stable ``code`` and a translated message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def handler(frame_type: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        if frame_type in HANDLERS and HANDLERS[frame_type] is not fn:
            raise RuntimeError(f"frame type {frame_type!r} already has a handler")
        HANDLERS[frame_type] = fn
        return fn

    return register


class SocketConsumer(AsyncWebsocketConsumer):
    """Parses frames, applies the user's language and dispatches by ``type``."""

    async def connect(self) -> None:
        self.user = self.scope.get("user")
        self.language = self._language()
        await self.accept()

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
        await self.send(text_data=json.dumps(payload, separators=(",", ":"), ensure_ascii=False))

    async def send_error(self, code: str, message: str) -> None:
        await self.send_json({"type": "error", "code": code, "message": message})

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
                await self.send_error(exc.code, exc.message)
            except Exception:
                logger.exception("websocket handler %s failed", frame["type"])
                await self.send_error("server_error", _("Something went wrong. Please reconnect."))
                await self.close(code=1011)


@handler("ping")
async def ping(consumer: SocketConsumer, frame: dict[str, Any]) -> None:
    """Keep-alive and round-trip measure for the client."""
    await consumer.send_json({"type": "pong", "ts": frame.get("ts")})
