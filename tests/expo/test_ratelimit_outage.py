"""The project's rate limiter (expo.ratelimit) lets the action through, logged, while its Redis
cannot be reached (a real refused connection): a counter's outage stops neither chat nor the data
API. Its pages are tested where they live (tests/events, tests/reports)."""

from __future__ import annotations

import logging
import socket

import pytest

from expo import ratelimit


@pytest.fixture
def limiter_down(settings):
    """The limiter on Redis at a port where nothing listens: bound (so no other process takes
    it meanwhile), never listening, so every connection is refused. The limiter is back on its
    own store before other fixtures' teardowns (which reset the counts) run."""
    previous = settings.RATELIMIT_STORAGE_URI
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        port = held.getsockname()[1]
        settings.RATELIMIT_STORAGE_URI = f"redis://127.0.0.1:{port}/0"
        yield port
    settings.RATELIMIT_STORAGE_URI = previous


def test_every_hit_is_allowed_and_logged(limiter_down, caplog):
    rate = ratelimit.Rate(1, 60)
    with caplog.at_level(logging.WARNING, logger="expo.ratelimit"):
        verdicts = [ratelimit.hit("chat", 7, rate) for _ in range(3)]
    assert verdicts == [ratelimit.Verdict(True)] * 3
    warnings = [r.getMessage() for r in caplog.records if r.name == "expo.ratelimit"]
    assert warnings == ["rate limiter unavailable; allowing chat:7"] * 3


def test_a_redis_that_does_not_answer_cannot_hold_a_request_long(limiter_down):
    """Connect and read timeouts on the limiter's Redis, as on the cache's: a host that drops
    packets fails the hit within a second or so (then it is allowed), not after the system's
    TCP timeout."""
    pool = ratelimit.storage().storage.connection_pool
    assert pool.connection_kwargs["socket_connect_timeout"] == 0.5
    assert pool.connection_kwargs["socket_timeout"] == 1.0
