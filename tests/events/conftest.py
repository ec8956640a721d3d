"""Fixtures of the live side's tests: an open booth with its team, logged-in sockets through the
real ASGI application, and a helper that reads frames by type."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.core.cache import cache
from django.test import Client

from booths.models import VendorMembership
from events import presence
from expo import permissions, ratelimit
from expo.asgi import application
from tests.e2e.conftest import _database_url
from tests.events.servers import Daphnes, daphnes

ORIGIN = (b"origin", b"http://localhost")


class Socket:
    """A websocket client of the test: send frames, read the next frame of a type (presence
    frames, which arrive on their own schedule, are skipped unless asked for)."""

    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.communicator = communicator
        self.skipped: list[dict[str, Any]] = []

    async def send(self, **frame: Any) -> None:
        await self.communicator.send_json_to(frame)

    async def next(self, timeout: float = 30.0) -> dict[str, Any]:
        return await self.communicator.receive_json_from(timeout=timeout)

    async def get(self, kind: str, timeout: float = 30.0, **match: Any) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            left = deadline - loop.time()
            if left <= 0:
                raise AssertionError(f"no {kind!r} frame; skipped {self.skipped}")
            try:
                frame = await self.next(timeout=left)
            except TimeoutError:
                raise AssertionError(f"no {kind!r} frame; skipped {self.skipped}") from None
            if frame.get("type") == kind and all(frame.get(k) == v for k, v in match.items()):
                return frame
            self.skipped.append(frame)

    async def join(self, room: str) -> dict[str, Any]:
        await self.send(type="join", room=room)
        return await self.get("history", room=room)

    async def say(self, room: str, body: str, client_id: str = "") -> dict[str, Any]:
        """Send and wait for the message to come back (told apart by its client id)."""
        client_id = client_id or uuid.uuid4().hex
        await self.send(type="message", room=room, body=body, client_id=client_id)
        return await self.get("message", room=room, client_id=client_id)

    async def silent(self, timeout: float = 0.3, ignore: tuple[str, ...] = ("presence",)) -> None:
        """Assert that nothing but ``ignore`` frames arrives within ``timeout``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (left := deadline - loop.time()) > 0:
            if await self.communicator.receive_nothing(timeout=left, interval=0.01):
                return
            output = await self.communicator.receive_output(timeout=1)
            if output["type"] != "websocket.send":
                raise AssertionError(f"unexpected {output}")
            frame = json.loads(output["text"])
            if frame.get("type") not in ignore:
                raise AssertionError(f"unexpected frame {frame}")

    async def close(self) -> None:
        await self.communicator.disconnect()


@pytest.fixture(autouse=True)
def _clean_counts():
    """Chat rate counts live in the rate limiter, e-mail pauses in the cache: each test starts
    afresh."""
    ratelimit.reset()
    cache.clear()
    yield
    ratelimit.reset()
    cache.clear()


@pytest.fixture(autouse=True)
def _quick_presence(monkeypatch):
    monkeypatch.setattr(presence, "COALESCE_SECONDS", 0.05)


@pytest.fixture
def booth(transactional_db, make_expo, make_booth):
    expo = make_expo("open")
    return make_booth(expo, name="Batik Sekar")


@pytest.fixture
def team_member(make_user, booth):
    """A member of the booth's vendor."""
    user = make_user(name="Budi Vendor")
    VendorMembership.objects.create(vendor=booth.vendor, user=user)
    permissions.forget(user)
    return user


@pytest.fixture
def organiser(make_organiser, booth):
    return make_organiser(office=booth.expo.office, name="Sri Organiser")


@pytest.fixture
def cookie_for(transactional_db):
    def build(user=None, *, language: str | None = None) -> bytes:
        parts = []
        if user is not None:
            client = Client()
            client.force_login(user)
            parts.append(f"sessionid={client.cookies['sessionid'].value}")
        if language:
            parts.append(f"umkm_language={language}")
        return "; ".join(parts).encode()

    return build


@pytest.fixture
def connect(cookie_for):
    """Open a socket as ``user`` (anonymous when None) through the real ASGI application."""
    opened: list[Socket] = []

    async def open_socket(user=None, *, language: str | None = None) -> Socket:
        headers = [ORIGIN]
        cookie = (
            await asyncio.to_thread(cookie_for, user, language=language)
            if (user is not None or language)
            else b""
        )
        if cookie:
            headers.append((b"cookie", cookie))
        communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
        connected, _ = await communicator.connect()
        assert connected
        socket = Socket(communicator)
        opened.append(socket)
        return socket

    return open_socket


@pytest.fixture
def two_daphnes(django_db_setup, own_redis) -> Iterator[Daphnes]:
    """Two Daphne processes on the test database (PostgreSQL) sharing ``own_redis``."""
    from django.db import connection

    database_url = _database_url(connection.settings_dict)
    if not database_url.startswith("postgres"):
        pytest.fail(
            "run with DATABASE_URL pointing at PostgreSQL (the postgres pass)", pytrace=False
        )
    with daphnes(2, database_url=database_url, redis_url=own_redis.url) as servers:
        yield servers
