"""Scale-out: two Daphne processes on one real Redis serve one room together.

Each process is the real ASGI application under Daphne (as production runs it), with ``REDIS_URL``
set, so the channel layer is Redis pub/sub and presence is counted in Redis; both share the test's
PostgreSQL database. Clients are real websocket clients (the ``websockets`` package).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator

import pytest
from django.test import Client
from websockets.sync.client import ClientConnection, connect

from booths.models import VendorMembership
from events import rooms
from expo import permissions
from tests.e2e.conftest import _database_url
from tests.events import servers

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

# The processes' own Redis database (presence keys); pub/sub channels are server-wide anyway.
REDIS_DB = 11


@pytest.fixture(scope="module")
def two_daphnes(django_db_setup, redis_url: str) -> Iterator[servers.Daphnes]:
    from django.db import connection

    database_url = _database_url(connection.settings_dict)
    if not database_url.startswith("postgres"):
        pytest.fail(
            "Two processes share one database: run with DATABASE_URL pointing at PostgreSQL, "
            "e.g. DATABASE_URL=$TEST_POSTGRES_URL pytest -m postgres tests/events.",
            pytrace=False,
        )
    redis = redis_url.rsplit("/", 1)[0] + f"/{REDIS_DB}"
    import redis as redis_client

    with redis_client.Redis.from_url(redis) as client:
        client.flushdb()  # presence left by an earlier run that did not stop cleanly
    with servers.daphnes(2, database_url=database_url, redis_url=redis) as running:
        yield running


@pytest.fixture
def open_booth(transactional_db, make_expo, make_booth):
    return make_booth(make_expo("open"))


@pytest.fixture
def session_of(transactional_db):
    def cookie(user) -> str:
        client = Client()
        client.force_login(user)
        return f"sessionid={client.cookies['sessionid'].value}"

    return cookie


class Peer:
    """A synchronous websocket client reading frames on a thread of its own."""

    def __init__(self, url: str, cookie: str = "") -> None:
        origin = url.replace("ws://", "http://").rsplit("/ws/", 1)[0]
        headers = {"Cookie": cookie} if cookie else None
        self.conn: ClientConnection = connect(
            url, origin=origin, additional_headers=headers
        ).__enter__()
        self.frames: list[dict] = []
        self.lock = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        try:
            for raw in self.conn:
                with self.lock:
                    self.frames.append(json.loads(raw))
                    self.lock.notify_all()
        except Exception:  # closed
            return

    def send(self, **frame) -> None:
        self.conn.send(json.dumps(frame))

    def wait(self, predicate, timeout: float = 10.0) -> dict:
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                for frame in self.frames:
                    if predicate(frame):
                        return frame
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no matching frame; got {self.frames[-10:]}")
                self.lock.wait(left)

    def messages(self, room: str) -> list[int]:
        with self.lock:
            ids = [f["id"] for f in self.frames if f["type"] == "message" and f["room"] == room]
            for f in self.frames:
                if f["type"] == "history" and f["room"] == room:
                    ids += [m["id"] for m in f["messages"]]
        return sorted(ids)

    def join(self, room: str, after_id: int | None = None) -> dict:
        if after_id is None:
            self.send(type="join", room=room)
        else:
            self.send(type="resume", room=room, after_id=after_id)
        return self.wait(lambda f: f["type"] == "history" and f["room"] == room)

    def close(self) -> None:
        self.conn.close()
        self.reader.join(timeout=5)


def test_a_message_sent_through_one_process_reaches_both(
    two_daphnes, open_booth, buyer, session_of
):
    room = rooms.booth(open_booth.pk)
    on_a = Peer(two_daphnes.ws(0), session_of(buyer))
    on_b = Peer(two_daphnes.ws(1))
    on_a.join(room)
    on_b.join(room)

    on_a.send(type="message", room=room, body="Halo dari proses A", client_id="a-1")

    for peer in (on_a, on_b):
        frame = peer.wait(lambda f: f["type"] == "message")
        assert frame["body"] == "Halo dari proses A"
        assert frame["client_id"] == "a-1"
        assert frame["author"]["role"] == "buyer"
    time.sleep(0.3)
    assert on_b.messages(room) == on_a.messages(room)  # once each, nothing doubled
    assert len(on_b.messages(room)) == 1
    on_a.close()
    on_b.close()


def test_deleting_on_one_process_removes_it_on_the_other(
    two_daphnes, open_booth, buyer, make_user, session_of
):
    room = rooms.booth(open_booth.pk)
    member = make_user(name="Budi")
    VendorMembership.objects.create(vendor=open_booth.vendor, user=member)
    permissions.forget(member)
    author = Peer(two_daphnes.ws(1), session_of(buyer))
    vendor = Peer(two_daphnes.ws(0), session_of(member))
    author.join(room)
    vendor.join(room)
    author.send(type="message", room=room, body="oops", client_id="x")
    sent = vendor.wait(lambda f: f["type"] == "message")

    vendor.send(type="delete", room=room, id=sent["id"])

    assert author.wait(lambda f: f["type"] == "deleted") == {
        "type": "deleted",
        "room": room,
        "id": sent["id"],
    }
    author.close()
    vendor.close()


def test_presence_counts_sockets_on_both_processes(two_daphnes, open_booth):
    room = rooms.booth(open_booth.pk)
    on_a = Peer(two_daphnes.ws(0))
    on_a.join(room)
    on_a.wait(lambda f: f["type"] == "presence" and f["count"] == 1)
    on_b = Peer(two_daphnes.ws(1))
    on_b.join(room)
    also_b = Peer(two_daphnes.ws(1))
    also_b.join(room)

    for peer in (on_a, on_b, also_b):
        peer.wait(lambda f: f["type"] == "presence" and f["count"] == 3)
    also_b.close()
    on_a.wait(lambda f: f["type"] == "presence" and f["count"] == 2, timeout=15)
    on_a.close()
    on_b.wait(lambda f: f["type"] == "presence" and f["count"] == 1, timeout=15)
    on_b.close()


def test_a_dropped_connection_resumes_without_losing_anything(
    two_daphnes, open_booth, buyer, make_user, session_of
):
    """Others keep talking while one client is away; on its return, through the other process,
    ``resume`` gives exactly what it missed."""
    room = rooms.booth(open_booth.pk)
    talker = Peer(two_daphnes.ws(0), session_of(make_user(name="Talker")))
    talker.join(room)
    listener = Peer(two_daphnes.ws(1), session_of(buyer))
    listener.join(room)
    stop = threading.Event()
    sent = itertools.count()

    def talk() -> None:
        while not stop.is_set():
            n = next(sent)
            talker.send(type="message", room=room, body=f"live {n}", client_id=f"t-{n}")
            time.sleep(0.02)

    worker = threading.Thread(target=talk)
    worker.start()
    try:
        listener.wait(lambda f: f["type"] == "message" and f["body"] == "live 5")
        before = listener.messages(room)
        listener.conn.close_socket()  # the network drops: no close handshake
        listener.reader.join(timeout=5)
        time.sleep(0.5)  # talking goes on meanwhile
        back = Peer(two_daphnes.ws(0), session_of(buyer))
        back.join(room, after_id=before[-1])
        time.sleep(0.5)
    finally:
        stop.set()
        worker.join()
    total = next(sent)  # how many were sent
    last = talker.wait(lambda f: f["type"] == "message" and f["client_id"] == f"t-{total - 1}")
    back.wait(lambda f: f["type"] == "message" and f["id"] == last["id"])

    everything = talker.messages(room)
    assert len(everything) == total
    got = before + back.messages(room)
    assert got == everything  # nothing lost, nothing twice, in order
    talker.close()
    back.close()
