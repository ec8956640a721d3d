"""The whole Redis stops under two Daphne processes (channel layer, presence and cache on one
server, as in production), with sockets connected to both, then starts again.

Each process goes on with what it knows: its sockets keep their connection, may join and chat (the
message is stored; live frames wait for the layer, which catches the rooms up once it is back), and
get ``presence`` frames with the process's own count; a page that calls ``online()`` (the omzet
dashboard's "viewers now") answers. Once Redis is back the counts of both processes add up again,
by themselves. Each process logs the outage of presence's Redis in two lines, not one per call.
"""

from __future__ import annotations

import re
import urllib.request

import pytest
from django.urls import reverse

from events import services
from tests.events.servers import Daphnes, Peer, session_cookie, wait_for
from tests.events.test_sessions import _fields

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

BOUND = 60.0  # generous: the heartbeat that re-publishes runs every 10 s


def _count(peer: Peer, room: str) -> int | None:
    """The count of the last ``presence`` frame the peer got for ``room``."""
    with peer.lock:
        counts = [f["count"] for f in peer.frames if f["type"] == "presence" and f["room"] == room]
    return counts[-1] if counts else None


def _counts_become(peers: list[Peer], room: str, count: int, what: str) -> None:
    wait_for(
        lambda: all(_count(p, room) == count for p in peers),
        f"{what}: {count} (seen {[_count(p, room) for p in peers]})",
        BOUND,
    )


def _viewers_now(servers: Daphnes, index: int, path: str, cookie: str) -> tuple[int, int]:
    """The dashboard page served by process ``index``: its status and the live session's
    "viewers now"."""
    request = urllib.request.Request(f"{servers.urls[index]}{path}", headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=BOUND) as answer:
        html = answer.read().decode()
        found = re.search(r'data-label="Viewers now">(\d+)</td>', html)
        return answer.status, int(found.group(1)) if found else -1


def test_the_whole_redis_stops_under_two_processes_and_comes_back(
    two_daphnes, own_redis, transactional_db, make_expo, make_booth, make_user, make_organiser
):
    from booths.models import VendorMembership

    booth = make_booth(make_expo("open"))
    member = make_user(name="Budi Vendor")
    VendorMembership.objects.create(vendor=booth.vendor, user=member)
    session = services.session_create(booth=booth, by=member, **_fields(booth.expo))
    room = session.room
    organiser = session_cookie(make_organiser(office=booth.expo.office, name="Sri Organiser"))
    dashboard = reverse("manage:reports:dashboard", args=[booth.expo.slug])

    ayu = Peer(two_daphnes.ws(0), session_cookie(make_user(name="Ayu")))
    budi = Peer(two_daphnes.ws(1), session_cookie(member))
    dewi = Peer(two_daphnes.ws(1))
    for peer in (ayu, budi, dewi):
        peer.join(room)
    _counts_become([ayu, budi, dewi], room, 3, "both processes counted")
    assert _viewers_now(two_daphnes, 0, dashboard, organiser) == (200, 3)

    own_redis.stop()
    sari = Peer(two_daphnes.ws(0), session_cookie(make_user(name="Sari")))
    sari.join(room)  # joins and reads the history: no Redis needed
    _counts_become([ayu, sari], room, 2, "process 0 counts its own sockets")
    dewi.close()
    _counts_become([budi], room, 1, "process 1 counts its own sockets")
    assert _viewers_now(two_daphnes, 0, dashboard, organiser) == (200, 2)
    assert _viewers_now(two_daphnes, 1, dashboard, organiser) == (200, 1)
    sari.send(type="message", room=room, body="Masih ada stok?", client_id="during")

    own_redis.start()
    _counts_become([ayu, sari, budi], room, 3, "shared again")
    for peer in (ayu, sari, budi):  # the message sent during the outage, caught up
        sent = peer.wait(lambda f: f.get("client_id") == "during", timeout=BOUND)
        assert sent["body"] == "Masih ada stok?"
    assert _viewers_now(two_daphnes, 1, dashboard, organiser) == (200, 3)
    reply = budi.say(room, "Ada, kak.", "after")
    ayu.wait(lambda f: f.get("id") == reply["id"], timeout=BOUND)

    for peer in (ayu, budi, sari):
        assert not peer.closed.is_set(), f"a socket was closed: {peer.close_code}"
        errors = [f for f in peer.frames if f["type"] == "error"]
        assert errors == [], errors
        peer.close()
    log = two_daphnes.log()
    assert log.count("presence: Redis unreachable") == 2, log  # once per process, not per call
    assert log.count("presence: Redis answers again") == 2, log
    assert "presence: background task failed" not in log
