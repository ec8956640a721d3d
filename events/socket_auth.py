"""Who is on a websocket: the one ASGI middleware between the origin check and the route
(``expo.asgi``), in place of Channels' ``AuthMiddlewareStack`` (its cookie, session and auth
middleware).

At connect it reads the cookies once and resolves the session cookie to an account in one worker
thread hop, with the rules Django applies to a page (:func:`user_of_session`), then puts two things
in the scope: ``cookies`` (the parsed ``Cookie`` header, as ``request.COOKIES``) and ``user`` (the
account, else an ``AnonymousUser``). Nothing else is kept per connection: no session store, no lazy
user, no wrapped ``send``, one scope copy. Channels' stack kept all of these for the socket's whole
life (about 6 KB of Python objects per idle socket, most of them never read again).

There is no ``scope["session"]``: nothing on the socket reads or writes the session, and
``channels.auth.login``/``logout`` (which need it) are not used. Signing in and out happen on pages.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from contextvars import copy_context
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
    load_backend,
)
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http.cookie import parse_cookie
from django.utils.crypto import constant_time_compare

from events.db import socket_db

Scope = MutableMapping[str, Any]
App = Callable[
    [Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]
]


def cookies_of(scope: Scope) -> dict[str, str]:
    """The connection's cookies, as Django's ``request.COOKIES`` (the first ``Cookie`` header, as
    Channels' ``CookieMiddleware`` read it)."""
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            return parse_cookie(value.decode("latin-1"))
    return {}


def user_of_session(session_key: str | None) -> Any:
    """The account signed in under ``session_key``, else an ``AnonymousUser``; the rules of
    ``django.contrib.auth.get_user`` for a page request:

    - the session is loaded by ``SESSION_ENGINE`` (an unknown, expired or forged key is an empty
      session: anonymous);
    - its backend must be one of ``AUTHENTICATION_BACKENDS``, and that backend's ``get_user`` must
      return the account (Django's backends return nobody for an inactive account);
    - the session's auth hash must match the account's (a password change elsewhere signs the
      session out): a session that does not match is flushed, as a page would flush it. A hash made
      with one of ``SECRET_KEY_FALLBACKS`` still counts, as on a page; the page's upgrade of the
      session to the new key is left to the next page request (a websocket cannot set a cookie, so
      a new session key here would sign the browser out).
    """
    if not session_key:
        return AnonymousUser()
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    try:
        user_id = get_user_model()._meta.pk.to_python(session[SESSION_KEY])
        backend_path = session[BACKEND_SESSION_KEY]
    except (KeyError, ValidationError):
        return AnonymousUser()
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return AnonymousUser()
    user = load_backend(backend_path).get_user(user_id)
    if user is None:
        return AnonymousUser()
    if hasattr(user, "get_session_auth_hash"):
        session_hash = session.get(HASH_SESSION_KEY)
        verified = bool(session_hash) and (
            constant_time_compare(session_hash, user.get_session_auth_hash())
            or any(
                constant_time_compare(session_hash, fallback)
                for fallback in user.get_session_auth_fallback_hash()
            )
        )
        if not verified:
            session.flush()
            return AnonymousUser()
    return user


_user_of_session = socket_db(user_of_session)


class SessionAuth:
    """ASGI middleware for websockets: ``scope["cookies"]`` and ``scope["user"]`` (see the module
    docstring), resolved once at connect."""

    __slots__ = ("inner",)

    def __init__(self, inner: App) -> None:
        self.inner = inner

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        cookies = cookies_of(scope)
        # In a context of its own: a worker-thread call copies the thread's context variables
        # back into the caller's (asgiref re-homes every Local of Django's into new storage),
        # which the socket's task would keep for its whole life (about 3.5 KB per socket).
        lookup = _user_of_session(cookies.get(settings.SESSION_COOKIE_NAME))
        user = await asyncio.get_running_loop().create_task(lookup, context=copy_context())
        await self.inner({**scope, "cookies": cookies, "user": user}, receive, send)
