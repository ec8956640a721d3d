"""The background writer of in-process counters: with a flush interval set, buffered page visits
reach the database without anybody calling flush(), and a failing write is logged, not fatal."""

from __future__ import annotations

import time

import pytest

from booths import visits


@pytest.mark.django_db(transaction=True)
def test_a_running_flusher_writes_on_its_own(settings):
    settings.VISITS_FLUSH_SECONDS = 0.05
    written = []
    flusher = visits.Flusher(
        lambda: written.append(time.monotonic()), name="test-flusher", what="x"
    )
    flusher.ensure_running()
    flusher.ensure_running()  # one thread, however often asked
    deadline = time.monotonic() + 5
    while len(written) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(written) >= 2


def test_without_an_interval_nothing_runs_in_the_background(settings):
    settings.VISITS_FLUSH_SECONDS = 0
    calls = []
    flusher = visits.Flusher(lambda: calls.append(1), name="idle-flusher", what="x", at_exit=False)
    flusher.ensure_running()
    time.sleep(0.1)
    assert calls == [] and flusher._thread is None


@pytest.mark.django_db(transaction=True)
def test_a_failing_write_is_logged_and_the_thread_goes_on(settings, caplog):
    settings.VISITS_FLUSH_SECONDS = 0.05
    attempts = []
    failing = [True]

    def broken() -> None:
        attempts.append(1)
        if failing[0]:
            raise RuntimeError("database away")

    flusher = visits.Flusher(broken, name="broken-flusher", what="test counters", at_exit=False)
    flusher.ensure_running()
    deadline = time.monotonic() + 5
    while len(attempts) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(attempts) >= 2 and flusher._thread.is_alive()
    failing[0] = False  # the thread lives on (a daemon): quiet from here
    assert "could not write test counters" in caplog.text
