"""The request guard: the outermost ASGI layer, in front of Django and Channels (``expo.asgi``).

It decides three things before any application code runs, so that they hold whatever the proxy in
front does:

- **Who is asking.** ``TRUSTED_PROXY_COUNT`` proxies stand in front of Daphne. With 0 the socket
  peer is the client. With N, the client is the address the outermost trusted proxy saw: the N-th
  entry from the right of ``X-Forwarded-For`` (each proxy appends the peer it saw, so entries to
  the left of that are whatever the client wrote and are never believed). ``scope["client"]``, and
  so ``REMOTE_ADDR`` and every per-IP limit (allauth's login limit), is that address.
- **How long the query string may be.** Past ``REQUEST_QUERY_LIMIT`` bytes: 414.
- **How large the body may be.** ``REQUEST_BODY_LIMIT`` bytes, or the route's own limit from
  ``REQUEST_BODY_LIMITS`` (the upload pages, by URL name or namespace). A ``Content-Length`` over the
  limit is answered 413 at once and the application never starts; a body without one (chunked) is
  counted as the application reads it, and reading stops at the limit: the application is told the
  client went away, and the client gets 413. Under Daphne, :func:`prepare_daphne` applies the same
  limit while the body arrives, since Daphne buffers a whole body before the guard sees the request.

Refusals are short plain text, or the data API's JSON error shape under ``REQUEST_GUARD_JSON_PATHS``.
Settings are read on every request, so tests can change them.
"""

from __future__ import annotations

import inspect
import ipaddress
import json
import sys
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.urls import Resolver404, resolve

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

DEFAULT_BODY_LIMIT = 1024 * 1024
DEFAULT_QUERY_LIMIT = 8 * 1024
# Twisted (under Daphne) drops a request whose request line or head passes 16 KiB without an answer;
# widened to this so that a long query string reaches the guard and gets its 414.
DAPHNE_HEAD_LIMIT = 64 * 1024


def _header_values(scope: Scope, name: bytes) -> Iterable[str]:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            yield value.decode("latin-1")


def _address(text: str) -> str | None:
    """An IP address as the proxy wrote it (``[v6]`` brackets allowed), or None."""
    try:
        return str(ipaddress.ip_address(text.strip().strip("[]")))
    except ValueError:
        return None


def client_of(scope: Scope, trusted_proxies: int) -> list[Any] | None:
    """The client's address for ``scope`` behind ``trusted_proxies`` proxies, as an ASGI ``client``
    pair (the port of a forwarded client is unknown: 0). The socket peer when no proxy is trusted,
    when fewer addresses were forwarded than proxies are trusted (the request did not come through
    them all), or when the trusted entry is not an address."""
    peer = scope.get("client")
    if trusted_proxies <= 0:
        return peer
    hops = [
        hop.strip()
        for value in _header_values(scope, b"x-forwarded-for")
        for hop in value.split(",")
        if hop.strip()
    ]
    if len(hops) < trusted_proxies:
        return peer
    address = _address(hops[-trusted_proxies])
    return [address, 0] if address else peer


def _forwarded_scheme(scope: Scope) -> str | None:
    """``X-Forwarded-Proto`` as the nearest proxy set it (http or https), else None."""
    values = [
        v.strip().lower() for h in _header_values(scope, b"x-forwarded-proto") for v in h.split(",")
    ]
    scheme = values[-1] if values else ""
    if scheme not in {"http", "https"}:
        return None
    if scope["type"] == "websocket":
        return "wss" if scheme == "https" else "ws"
    return scheme


def body_limit(path: str, root_path: str = "") -> int:
    """The largest body the route at ``path`` accepts: its entry in ``REQUEST_BODY_LIMITS`` (by URL
    name, else by namespace), else ``REQUEST_BODY_LIMIT``."""
    default = getattr(settings, "REQUEST_BODY_LIMIT", DEFAULT_BODY_LIMIT)
    limits: dict[str, int] = getattr(settings, "REQUEST_BODY_LIMITS", {})
    if root_path and path.startswith(root_path):
        path = path[len(root_path) :] or "/"
    try:
        match = resolve(path)
    except Resolver404:
        return default
    return limits.get(match.view_name) or limits.get(match.namespace) or default


def _declared_length(scope: Scope) -> int | None:
    for value in _header_values(scope, b"content-length"):
        if value.strip().isdigit():
            return int(value)
    return None


async def refuse(scope: Scope, send: Send, status: int, code: str, message: str) -> None:
    """Answer ``status`` with ``message``: the data API's JSON error under the JSON paths, plain
    text elsewhere. The connection closes after it (a refused body is not read)."""
    json_paths = getattr(settings, "REQUEST_GUARD_JSON_PATHS", ("/api/",))
    if scope.get("path", "").startswith(tuple(json_paths)):
        body = json.dumps({"error": {"code": code, "message": message}}).encode()
        kind = b"application/json"
    else:
        body = f"{status} {message}\n".encode()
        kind = b"text/plain; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", kind),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestGuard:
    """ASGI middleware: the client's address, then the query-string and body limits (see the module
    docstring). Wraps the whole application, HTTP and websockets."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        scope = dict(scope)
        trusted = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
        if trusted > 0:
            scope["client"] = client_of(scope, trusted)
            scope["scheme"] = _forwarded_scheme(scope) or scope.get("scheme", "http")
        query_limit = getattr(settings, "REQUEST_QUERY_LIMIT", DEFAULT_QUERY_LIMIT)
        too_long = len(scope.get("query_string", b"")) > query_limit
        if scope["type"] == "websocket":
            if too_long:
                await receive()  # websocket.connect; closing before accepting refuses it (403)
                await send({"type": "websocket.close"})
                return
            await self.app(scope, receive, send)
            return
        if too_long:
            message = (
                f"Request-URI Too Long: the query string may have at most {query_limit} bytes."
            )
            await refuse(scope, send, 414, "uri_too_long", message)
            return
        await self._limited(scope, receive, send)

    async def _limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the application with the body held to the route's limit."""
        default = getattr(settings, "REQUEST_BODY_LIMIT", DEFAULT_BODY_LIMIT)
        declared = _declared_length(scope)
        # Only a body that may pass the default limit costs a look at the URLconf.
        if declared is not None and declared <= default:
            limit = default
        else:
            limit = body_limit(scope.get("path", "/"), scope.get("root_path", ""))
        message = f"Content Too Large: this address accepts at most {limit} bytes."
        if declared is not None and declared > limit:
            await refuse(scope, send, 413, "too_large", message)
            return

        received = 0
        over = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, over
            if over:
                return {"type": "http.disconnect"}
            event = await receive()
            if event["type"] == "http.request":
                received += len(event.get("body", b""))
                if received > limit:
                    # Stop reading here: the application sees a client that went away.
                    over = True
                    return {"type": "http.disconnect"}
            return event

        async def watched_send(event: Message) -> None:
            nonlocal started
            if over and not started:
                return  # the 413 below answers instead
            if event["type"] == "http.response.start":
                started = True
            await send(event)

        await self.app(scope, counted_receive, watched_send)
        if over and not started:
            await refuse(scope, send, 413, "too_large", message)


def prepare_daphne(head_limit: int = DAPHNE_HEAD_LIMIT) -> None:
    """Fit Daphne's HTTP side (Twisted's) to the guard, before it listens; nothing happens where
    Daphne is not installed. Daphne hands a request to the application only once Twisted has
    received the whole body (into a temporary file), and then puts all of it at once into the
    application's queue in memory, so the guard alone would come too late for memory:

    - Twisted parses every POST body of a form type (``multipart/form-data``, urlencoded) into
      ``request.args``, which Daphne never reads: that parse took a 100 MB multipart body to
      gigabytes, and a body of line breaks to minutes of CPU, before any application code ran.
      Requests are made with ``parsePOSTFormSubmission=False``, Twisted's switch for it.
    - A request keeps only as much of its body as the guard's limit for its route, plus one byte
      (enough for the guard to see that it is over and answer 413); the rest is read and dropped,
      never stored on disk or queued in memory.
    - The request line and head may take ``head_limit`` bytes instead of 16 KiB, past which
      Twisted closes the connection without an answer (``MAX_LENGTH`` and ``totalHeadersSize``,
      the channel's documented limits): a long query string reaches the guard, which answers 414.
    """
    try:
        from daphne import http_protocol
        from twisted.web.http import HTTPChannel, Request
    except ImportError:  # served by another ASGI server
        return
    HTTPChannel.MAX_LENGTH = max(HTTPChannel.MAX_LENGTH, head_limit)
    HTTPChannel.totalHeadersSize = max(HTTPChannel.totalHeadersSize, head_limit)
    if not getattr(http_protocol.WebRequest, "guarded", False):
        # Daphne's factory looks the request class up by this name for every connection.
        switch = "parsePOSTFormSubmission" in inspect.signature(Request.__init__).parameters
        http_protocol.WebRequest = _guarded_request(http_protocol.WebRequest, unparsed=switch)
    from expo import daphne_sockets

    daphne_sockets.lighten()


def _guarded_request(base: type, *, unparsed: bool) -> type:
    """Daphne's request class with form parsing off (where Twisted has the switch) and the body
    held to its route's limit; a request upgraded to a websocket is let go once Daphne handed the
    connection over (``expo.daphne_sockets.release_upgraded``)."""
    from expo import daphne_sockets

    class GuardedWebRequest(base):
        guarded = True

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            if unparsed:
                kwargs.setdefault("parsePOSTFormSubmission", False)
            super().__init__(*args, **kwargs)
            self.body_room: int | None = None

        def process(self) -> Any:
            result = super().process()
            daphne_sockets.release_upgraded(self)
            return result

        def handleContentChunk(self, data: bytes) -> None:
            if self.body_room is None:
                self.body_room = self._room()
            if self.body_room > 0:
                kept = data[: self.body_room]
                self.body_room -= len(kept)
                super().handleContentChunk(kept)

        def _room(self) -> int:
            # The channel has parsed the request line; the request learns its path only once
            # the body is in. Without it (another Twisted), keep everything: the guard still
            # refuses, later.
            raw = getattr(self.channel, "_path", None)
            if not isinstance(raw, bytes):
                return sys.maxsize
            path = unquote(raw.split(b"?", 1)[0].decode("latin-1"))
            server = getattr(getattr(self.channel, "factory", None), "server", None)
            root = getattr(server, "root_path", "") or ""
            return body_limit(path, root) + 1

    return GuardedWebRequest
