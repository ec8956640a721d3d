"""A server error on a real Daphne closes the socket, and the client that comes back loses nothing.

The fault is real: the Daphne under test runs on a PostgreSQL server of the test's own (a copy of
the test database), which the test stops while a client sends a message. Storing it fails, the
consumer answers ``server_error`` and closes with 4500 — a code Daphne actually sends; 1011 was
silently dropped, which left the client on a socket that answered nothing more. The database comes
back, others talk meanwhile, and the client reconnects and resumes from the last message it saw.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from events import consumer, rooms
from tests.e2e.conftest import _database_url
from tests.events.servers import OwnPostgres, Peer, daphnes, wait_for

pytestmark = [pytest.mark.postgres]


@pytest.fixture(scope="module")
def own_postgres() -> Iterator[OwnPostgres]:
    server = OwnPostgres()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def session_of(transactional_db):
    def cookie(user) -> str:
        client = Client()
        client.force_login(user)
        return f"sessionid={client.cookies['sessionid'].value}"

    return cookie


def test_a_server_error_closes_the_socket_and_a_resume_loses_nothing(
    own_postgres, transactional_db, make_expo, make_booth, buyer, make_user, session_of
):
    from django.db import connection

    source = _database_url(connection.settings_dict)
    if not source.startswith("postgres"):
        pytest.fail(
            "run with DATABASE_URL pointing at PostgreSQL (the postgres pass)", pytrace=False
        )
    booth = make_booth(make_expo("open"))
    room = rooms.booth(booth.pk)
    sender_cookie = session_of(buyer)
    talker_cookie = session_of(make_user(name="Talker"))
    # The Daphne's database: a copy of the test's, on the server the test may stop.
    database_url = own_postgres.copy_database(source, f"faults_{booth.pk}")

    with daphnes(1, database_url=database_url) as server:
        talker = Peer(server.ws(), talker_cookie)
        talker.join(room)
        sender = Peer(server.ws(), sender_cookie)
        sender.join(room)
        before = sender.say(room, "sebelum", "s-1")["id"]
        talker.wait(lambda f: f["type"] == "message" and f["id"] == before)

        own_postgres.stop()
        try:
            sender.send(type="message", room=room, body="saat database mati", client_id="s-2")
            error = sender.wait(lambda f: f["type"] == "error")
            assert error["code"] == "server_error"
            # Closed, with the code that says so, instead of left open and silent.
            code = sender.wait_closed(timeout=15)
        finally:
            own_postgres.start()
        assert code == consumer.CLOSE_SERVER_ERROR
        assert 3000 <= code <= 4999

        # Others talk while the sender is away (once the database answers again).
        wait_for(server.healthy, "the Daphne to reach its database again")
        meanwhile = [talker.say(room, f"sementara {n}", f"t-{n}")["id"] for n in range(5)]

        back = Peer(server.ws(), sender_cookie)
        history = back.join(room, after_id=before)

        assert [m["id"] for m in history["messages"]] == meanwhile  # everything, once, in order
        assert history["more"] is False
        again = back.say(room, "kembali", "s-3")["id"]
        # The talker's socket was never disturbed: it saw every stored message once.
        talker.wait(lambda f: f["type"] == "message" and f["id"] == again)
        assert talker.message_ids(room) == [before, *meanwhile, again]
        for peer in (talker, back):
            peer.close()
