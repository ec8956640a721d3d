"""Presence while its Redis is away: the site stays up and says what this process knows.

The sockets are real (the production ASGI application, in this process) and the channel layer is
a Redis of the test's own that stays up, so chat is live throughout; presence's Redis
(``REDIS_URL``) is the one that fails, for real: a refused port, a Redis of the test's own stopped
while sockets are connected (and started again), a server that accepts connections and never
answers. What a person sees: the chat goes on, the ``presence`` frame counts this process's
sockets, the dashboard (which calls ``online()``) answers; once Redis is back the counts of every
process add up again. The log gets one line per outage, not one per call.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from collections.abc import Iterator

import pytest
from channels.layers import channel_layers
from django.test import Client
from django.urls import reverse

from events import hub as hub_module
from events import presence, rooms
from events.models import LiveSession
from expo.cache import Outage
from tests.events.servers import OwnRedis
from tests.events.test_sessions import _fields

ROOM_WAIT = 30.0


class StalledRedis:
    """A server that accepts connections and never answers (nor reads): a Redis that hangs."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.url = f"redis://127.0.0.1:{self.server.getsockname()[1]}/0"
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _address = self.server.accept()
            except OSError:  # closed
                return
            self.accepted.append(connection)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.server.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        self.thread.join(timeout=10)
        self.server.close()
        for connection in self.accepted:
            connection.close()


@pytest.fixture
def outage(monkeypatch) -> Outage:
    """This test's view of presence's Redis (a fresh one: no outage seen yet), retried often."""
    fresh = Outage(
        presence.outage.what,
        presence.logger,
        meanwhile=presence.outage.meanwhile,
        retry_seconds=0.2,
    )
    monkeypatch.setattr(presence, "outage", fresh)
    return fresh


@pytest.fixture
def live(settings, monkeypatch, own_redis, outage):
    """The channel layer on its own Redis (up); the hub's heartbeat every 0.3 s. The test sets
    ``settings.REDIS_URL`` (presence's Redis) before its first socket."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [own_redis.url]},
        }
    }
    channel_layers.backends.clear()
    monkeypatch.setattr(hub_module, "HEARTBEAT_SECONDS", 0.3)
    yield settings
    channel_layers.backends.clear()


@pytest.fixture
async def hub_stopped(live):
    """After the test: this loop's hub stops its background work and closes its connections."""
    yield
    hub = hub_module._hubs.get(asyncio.get_running_loop())
    if hub is None:
        return
    tasks = [t for t in (hub._maintenance, hub._watch, hub._receiver, hub._channel) if t]
    tasks += list(hub.presence._background)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    shared = hub.presence.shared
    if shared is not None and shared._client is not None:
        await shared._client.aclose()
    if hub.layer is not None:
        with contextlib.suppress(Exception):
            await hub.layer.flush()


@pytest.fixture
def session(booth, team_member) -> LiveSession:
    from events import services

    return services.session_create(booth=booth, by=team_member, **_fields(booth.expo))


@pytest.fixture
def refused_url() -> Iterator[str]:
    with socket.socket() as held:  # bound, never listening: every connection is refused
        held.bind(("127.0.0.1", 0))
        yield f"redis://127.0.0.1:{held.getsockname()[1]}/0"


async def _presence(sock, room: str, count: int) -> dict:
    return await sock.get("presence", timeout=ROOM_WAIT, room=room, count=count)


def _viewers_on_the_dashboard(organiser, expo) -> tuple[int, str]:
    """The organiser's omzet dashboard (its live sessions' "viewers now" come from online())."""
    client = Client()
    client.force_login(organiser)
    page = client.get(reverse("manage:reports:dashboard", args=[expo.slug]))
    return page.status_code, page.content.decode()


def _lines(caplog, text: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "events.presence" and text in r.getMessage()]


def _errors(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


async def _wait(condition, what: str, timeout: float = ROOM_WAIT):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = await condition()
        if value:
            return value
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def _online(key: str) -> int:
    return await asyncio.to_thread(presence.online, key)


# --- Refused ------------------------------------------------------------------------------------


async def test_chat_and_presence_go_on_with_presences_redis_refused(
    live, hub_stopped, refused_url, connect, buyer, team_member, organiser, session, caplog
):
    live.REDIS_URL = refused_url
    room = session.room
    with caplog.at_level(logging.INFO):
        ayu = await connect(buyer)
        await ayu.join(room)
        await _presence(ayu, room, 1)
        budi = await connect(team_member)
        await budi.join(room)
        for sock in (ayu, budi):  # this process's two sockets
            await _presence(sock, room, 2)

        sent = await ayu.say(room, "Masih buka?")
        heard = await budi.get("message", room=room, id=sent["id"])
        assert heard["body"] == "Masih buka?"

        assert await _online(room) == 2
        status, html = await asyncio.to_thread(
            _viewers_on_the_dashboard, organiser, session.booth.expo
        )
        assert status == 200
        assert 'data-label="Viewers now">2</td>' in html

        await budi.close()
        await _presence(ayu, room, 1)
        assert await _online(room) == 1
        await ayu.close()
    assert len(_lines(caplog, "unreachable")) == 1  # the whole outage, however many calls
    assert "Error 111 connecting" in _lines(caplog, "unreachable")[0].getMessage()  # the cause
    assert _errors(caplog) == []


# --- Stopped while sockets are connected, then back ----------------------------------------------


async def test_a_redis_stopped_under_connected_sockets_then_back(
    live, hub_stopped, connect, buyer, team_member, organiser, session, caplog
):
    """Another process (its presence, as it writes it) has 3 sockets in the room. Presence's
    Redis stops: this process's sockets go on chatting and see this process's count; it starts
    again (empty): the counts of both processes add up again, by themselves."""
    room = session.room
    presence_redis = OwnRedis()
    other = presence.RedisPresence(presence_redis.url)

    async def other_process_beats() -> None:
        while True:
            await other.sync({room: 3}, None, [])
            await asyncio.sleep(0.2)

    beating = asyncio.get_running_loop().create_task(other_process_beats())
    try:
        live.REDIS_URL = presence_redis.url
        with caplog.at_level(logging.INFO):
            ayu = await connect(buyer)
            await ayu.join(room)
            await _presence(ayu, room, 4)
            assert await _online(room) == 4

            await asyncio.to_thread(presence_redis.stop)
            budi = await connect(team_member)
            await budi.join(room)
            for sock in (ayu, budi):
                await _presence(sock, room, 2)  # this process's own sockets
            sent = await budi.say(room, "Ada ukuran L?")
            assert (await ayu.get("message", room=room, id=sent["id"]))["body"] == "Ada ukuran L?"
            assert await _online(room) == 2
            status, html = await asyncio.to_thread(
                _viewers_on_the_dashboard, organiser, session.booth.expo
            )
            assert status == 200 and 'data-label="Viewers now">2</td>' in html

            await asyncio.to_thread(presence_redis.start)
            for sock in (ayu, budi):
                await _presence(sock, room, 5)  # shared again: 2 here, 3 there
            await _wait(lambda: _online_is(room, 5), "online() to count both processes")
            sent = await ayu.say(room, "Ada.")
            await budi.get("message", room=room, id=sent["id"])
            await ayu.close()
            await budi.close()
        assert len(_lines(caplog, "unreachable")) == 1
        assert len(_lines(caplog, "answers again")) == 1
        assert _errors(caplog) == []
    finally:
        beating.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beating
        if other._client is not None:
            await other._client.aclose()
        presence_redis.close()


async def _online_is(key: str, count: int) -> bool:
    return await _online(key) == count


# --- Stalled: accepts, never answers ---------------------------------------------------------------


async def test_a_stalled_redis_holds_neither_the_sockets_nor_a_page(
    live, hub_stopped, connect, buyer, team_member, organiser, session, outage, caplog
):
    """Every call to presence's Redis gives up: joins get their (local) count, chat is served
    meanwhile, online() and the dashboard answer."""
    stalled = StalledRedis()
    outage.retry_seconds = presence.RETRY_SECONDS
    room = session.room
    try:
        live.REDIS_URL = stalled.url
        with caplog.at_level(logging.INFO):
            ayu = await connect(buyer)
            await ayu.join(room)
            budi = await connect(team_member)
            await budi.join(room)
            sent = await ayu.say(room, "Halo?")  # served while the first flush waits on Redis
            await budi.get("message", room=room, id=sent["id"])
            for sock in (ayu, budi):
                await _presence(sock, room, 2)
            assert stalled.accepted, "presence never reached the stalled server"

            assert await asyncio.wait_for(_online(room), ROOM_WAIT) == 2
            status, html = await asyncio.wait_for(
                asyncio.to_thread(_viewers_on_the_dashboard, organiser, session.booth.expo),
                ROOM_WAIT,
            )
            assert status == 200 and 'data-label="Viewers now">2</td>' in html
            await ayu.close()
            await budi.close()
        assert len(_lines(caplog, "unreachable")) == 1
        assert _errors(caplog) == []
    finally:
        stalled.close()


def test_online_gives_up_on_a_stalled_redis(settings, outage):
    """From synchronous code (a page, a service) with no socket here: zero, not a hang."""
    stalled = StalledRedis()
    try:
        settings.REDIS_URL = stalled.url
        answers: list[int] = []
        thread = threading.Thread(target=lambda: answers.append(presence.online("booth:1")))
        thread.start()
        thread.join(timeout=ROOM_WAIT)
        assert answers == [0]
        assert outage.down
    finally:
        stalled.close()


def test_a_process_exits_even_with_presences_redis_stalled(outage):
    """The exit hook (taking this process's counts away) gives up too."""
    stalled = StalledRedis()
    try:
        counted = presence.RedisPresence(stalled.url)
        counted._written = {"booth:1"}
        thread = threading.Thread(target=counted.forget, daemon=True)
        thread.start()
        thread.join(timeout=ROOM_WAIT)
        assert not thread.is_alive()
        assert stalled.accepted
    finally:
        stalled.close()


def test_a_process_exits_with_presences_redis_refused(refused_url, outage):
    counted = presence.RedisPresence(refused_url)
    counted._written = {"booth:1"}
    counted.forget()  # nothing raised


# --- Rooms of inquiries: the e-mail to an away side ----------------------------------------------


def test_a_message_to_an_away_vendor_is_mailed_with_presences_redis_refused(
    settings, refused_url, outage, booth, buyer, team_member, mailoutbox
):
    """``online()`` from a service (is the vendor in the thread?): this process's count, so the
    message goes out and the vendor is e-mailed, instead of the send failing after its commit."""
    from events import services
    from events.models import Inquiry

    settings.REDIS_URL = refused_url
    thread = rooms.parse(rooms.inquiry(Inquiry.objects.create(booth=booth, buyer=buyer).pk))
    services.message_send(room=thread, body="Do you ship abroad?", by=buyer)
    assert [m.to for m in mailoutbox] == [[team_member.email]]
