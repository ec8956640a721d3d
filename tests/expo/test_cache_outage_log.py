"""An outage of the cache's Redis is logged as an outage, not as a traceback per cache call
(expo.cache): the first failure with its cause, at most one summary a minute while it lasts, one
line when Redis answers again. Each fault is real: a refused port, a Redis of the test's own
stopped and started again. The counts of log records are asserted, never how long anything took
(the summary's minute is read from a clock the test moves)."""

from __future__ import annotations

import logging

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from expo.settings import redis_cache
from tests.expo.test_cache_outage import cache_down  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

LOGGER = "django_redis.cache"


def _lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER]


def _every_kind_of_call() -> None:
    cache.get("a")
    cache.set("a", 1, 10)
    cache.get_many(["a", "b"])
    cache.set_many({"a": 1, "b": 2}, 10)
    cache.delete("a")
    cache.has_key("a")
    cache.incr("version")  # (django-redis's ``touch`` raises during an outage whatever the setting)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    """The cache's outage reads this clock (set on the backend the test's calls go through)."""
    moved = Clock()
    cache.outage.clock = moved
    return moved


def test_a_hundred_failed_calls_write_one_line_with_the_cause(
    cache_down,  # noqa: F811
    caplog,
):
    with caplog.at_level(logging.INFO, logger=LOGGER):
        for _ in range(15):
            _every_kind_of_call()
    lines = _lines(caplog)
    assert len(lines) == 1
    assert lines[0].levelno == logging.WARNING
    assert lines[0].exc_info is None  # no traceback
    message = lines[0].getMessage()
    assert "cache unreachable" in message and "Connection refused" in message


def test_a_page_during_the_outage_adds_no_line(client: Client, cache_down, caplog, make_expo):  # noqa: F811
    expo = make_expo("open")
    with caplog.at_level(logging.INFO, logger=LOGGER):
        for _ in range(3):
            assert client.get(reverse("booths:hall", args=[expo.slug])).status_code == 200
    assert len(_lines(caplog)) == 1


def test_a_summary_a_minute_while_it_lasts(cache_down, clock, caplog):  # noqa: F811
    with caplog.at_level(logging.INFO, logger=LOGGER):
        cache.get("a")  # the first line
        for _ in range(9):
            clock.now += 5
            cache.get("a")  # 45 s later: nothing more
        clock.now += 20
        cache.get("a")  # 65 s after the first line: the summary of the 10 since
        clock.now += 1
        cache.get("a")
    lines = _lines(caplog)
    assert len(lines) == 2
    assert "still unreachable after 65 s: 10 more calls failed" in lines[1].getMessage()
    assert "Connection refused" in lines[1].getMessage()


def test_nothing_is_logged_when_the_setting_says_so(settings, cache_down, caplog):  # noqa: F811
    settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = False
    settings.CACHES = {"default": redis_cache(f"redis://127.0.0.1:{cache_down}/0")}
    with caplog.at_level(logging.INFO, logger=LOGGER):
        _every_kind_of_call()
        assert cache.get("a") is None
    assert _lines(caplog) == []


def test_a_redis_stopped_and_started_again(settings, own_redis, caplog):
    """Three lines for the whole outage: before, nothing; then the first failure; then the first
    call that answers; then nothing again."""
    settings.CACHES = {"default": redis_cache(own_redis.url)}
    with caplog.at_level(logging.INFO, logger=LOGGER):
        cache.set("kept", 1, 60)
        assert cache.get("kept") == 1
        assert _lines(caplog) == []

        own_redis.stop()  # the connections the cache holds break under it
        for _ in range(5):
            _every_kind_of_call()
            assert cache.get("kept") is None
        assert len(_lines(caplog)) == 1
        assert "cache unreachable" in _lines(caplog)[0].getMessage()

        own_redis.start()  # empty: it forgot everything, as a cache may
        assert cache.get("kept") is None
        cache.set("kept", 2, 60)
        assert cache.get("kept") == 2
    lines = _lines(caplog)
    assert len(lines) == 2
    assert "cache answers again after" in lines[1].getMessage()


def test_add_keeps_its_line_per_call_and_counts_in_the_outage(cache_down, caplog):  # noqa: F811
    """``add`` still says, per call, that it went ahead (expo.cache's own logger); the outage's
    log has its one line."""
    with caplog.at_level(logging.INFO):
        assert cache.add("lock", 1, 10) is True
        assert cache.add("lock", 1, 10) is True
        cache.get("lock")
    assert len([r for r in caplog.records if r.name == "expo.cache"]) == 2
    assert len(_lines(caplog)) == 1
