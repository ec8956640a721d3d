"""A fragment missing from the cache is built once per process, however many requests want it at
the same moment (booths.catalogue.cached): the opening minute's visitors all ask for the same few
pages, none cached yet, and each building them again queued every one of them behind the rest."""

from __future__ import annotations

import threading

import pytest
from django.core.cache import cache

from booths import catalogue

WAIT_S = 30  # generous: the test goes on as soon as the other thread gets there


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_request_that_misses_while_another_builds_waits_and_takes_its_page(monkeypatch):
    key = "booths:test:one-page"
    first_started, first_may_finish = threading.Event(), threading.Event()
    second_missed = threading.Event()
    builds: list[str] = []

    def slow_build() -> str:
        builds.append("first")
        first_started.set()
        assert first_may_finish.wait(WAIT_S)
        return "<p>the page</p>"

    def second_build() -> str:
        builds.append("second")
        return "<p>built twice</p>"

    class WatchedCache:
        """The cache, telling when the second request found nothing."""

        def get(self, k, *args, **kwargs):
            value = cache.get(k, *args, **kwargs)
            if threading.current_thread().name == "second" and value is None:
                second_missed.set()
            return value

        def set(self, *args, **kwargs):
            return cache.set(*args, **kwargs)

    monkeypatch.setattr(catalogue, "cache", WatchedCache())
    results: dict[str, str] = {}
    first = threading.Thread(
        target=lambda: results.update(first=catalogue.cached(key, slow_build, 60)), name="first"
    )
    second = threading.Thread(
        target=lambda: results.update(second=catalogue.cached(key, second_build, 60)),
        name="second",
    )
    first.start()
    assert first_started.wait(WAIT_S)
    second.start()
    assert second_missed.wait(WAIT_S)  # the second request found nothing cached
    first_may_finish.set()
    first.join(WAIT_S)
    second.join(WAIT_S)
    assert builds == ["first"]
    assert results == {"first": "<p>the page</p>", "second": "<p>the page</p>"}


def test_a_cached_value_is_returned_without_building():
    cache.set("booths:test:warm", "<p>warm</p>", 60)
    assert catalogue.cached("booths:test:warm", lambda: pytest.fail("built again"), 60) == (
        "<p>warm</p>"
    )


def test_different_pages_are_built_side_by_side():
    """One page's build never holds another's: the second key builds while the first waits."""
    first_started, first_may_finish = threading.Event(), threading.Event()

    def slow_build() -> str:
        first_started.set()
        assert first_may_finish.wait(WAIT_S)
        return "a"

    first = threading.Thread(target=lambda: catalogue.cached("booths:test:a", slow_build, 60))
    first.start()
    assert first_started.wait(WAIT_S)
    assert catalogue.cached("booths:test:b", lambda: "b", 60) == "b"
    first_may_finish.set()
    first.join(WAIT_S)
    assert cache.get("booths:test:a") == "a"
