"""Messages are not lost across a restart of the channel layer's Redis.

Two Daphne processes share the test's PostgreSQL database and a Redis server of the test's own
(``RedisPubSubChannelLayer``), which the test restarts (``shutdown nosave``, then started again on
the same port) while two clients, one on each process, keep sending. Frames published while Redis
was down, or in the moment before a process had subscribed again, never reach anybody; the
receivers' sockets stay open, so they would never resume by themselves. Each process notices that
its subscription broke and makes its sockets catch up from the database: at the end every receiver
has every stored message exactly once.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter

import pytest

from events import rooms
from events.models import ChatMessage
from tests.events.servers import Daphnes, Peer, session_cookie, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

RECEIVERS_PER_PROCESS = 3


class Talker:
    """Sends a message every few milliseconds on a thread of its own, alternating between two
    clients (one per process); a client the server closed is replaced, as a browser would."""

    def __init__(self, servers: Daphnes, cookies: list[str], room: str) -> None:
        self.servers = servers
        self.cookies = cookies
        self.room = room
        self.peers = [self._open(index) for index in range(2)]
        self.sent = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _open(self, index: int) -> Peer:
        peer = Peer(self.servers.ws(index), self.cookies[index])
        peer.join(self.room)
        return peer

    def _run(self) -> None:
        for n in itertools.count():
            if self.stop.is_set():
                return
            index = n % 2
            if self.peers[index].closed.is_set():
                self.peers[index] = self._open(index)
            try:
                self.peers[index].send(
                    type="message", room=self.room, body=f"pesan {n}", client_id=f"m-{n}"
                )
            except Exception:  # closed under us: replaced on its next turn
                continue
            self.sent += 1
            time.sleep(0.02)

    def sent_more(self, count: int) -> None:
        start = self.sent
        wait_for(lambda: self.sent >= start + count, f"{count} more messages sent")


def test_every_receiver_has_every_message_once_across_a_redis_restart(
    two_daphnes, own_redis, transactional_db, make_expo, make_booth, make_user
):
    booth = make_booth(make_expo("open"))
    room = rooms.booth(booth.pk)
    receivers = [Peer(two_daphnes.ws(index % 2)) for index in range(2 * RECEIVERS_PER_PROCESS)]
    for receiver in receivers:
        receiver.join(room)
    cookies = [session_cookie(make_user(name=f"Penjual {n}")) for n in range(2)]
    talker = Talker(two_daphnes, cookies, room)
    talker.thread.start()
    try:
        talker.sent_more(10)
        own_redis.stop()
        talker.sent_more(10)  # while Redis is down: stored, but no live frame goes anywhere
        own_redis.start()
        talker.sent_more(60)  # right after it came back, while the processes subscribe again
    finally:
        talker.stop.set()
        talker.thread.join(timeout=10)

    # Each sender's last frame is answered once everything it sent before has been handled.
    for n, peer in enumerate(talker.peers):
        peer.say(room, f"terakhir {n}", f"end-{n}")
    everything = list(
        ChatMessage.objects.filter(room_kind="booth", room_id=booth.pk)
        .order_by("id")
        .values_list("id", flat=True)
    )
    assert len(everything) >= 40
    for receiver in receivers:
        assert not receiver.closed.is_set(), "a receiver was disconnected"
        try:
            wait_for(lambda r=receiver: set(r.message_ids(room)) >= set(everything), "", 60)
        except AssertionError:
            missing = sorted(set(everything) - set(receiver.message_ids(room)))
            raise AssertionError(
                f"receiver {receivers.index(receiver)} lacks {missing}\n{two_daphnes.log()}"
            ) from None
    # Live delivery works again, and a last message arrives after anything sent twice would have.
    marker = talker.peers[0].say(room, "selesai", "last")["id"]
    for receiver in receivers:
        receiver.wait(lambda f: f["type"] == "message" and f["id"] == marker)
    for receiver in receivers:
        counts = Counter(receiver.message_ids(room))
        assert sorted(counts) == [*everything, marker]
        assert [m for m, n in counts.items() if n > 1] == []
    for peer in (*receivers, *talker.peers):
        peer.close()
