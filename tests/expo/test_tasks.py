"""The background jobs run in a real huey consumer: a queued e-mail is delivered by a worker thread,
and the daily session purge is enqueued by the consumer's scheduler at 03:17 and run by a worker.

The rest of the suite runs tasks inline (``HUEY.immediate = True``); here the queue is a fresh SQLite
file and the consumer's threads use their own database connections, so the tests commit what they
write (``transaction=True``).
"""

from __future__ import annotations

import datetime as dt
import signal
import time
from collections.abc import Callable, Iterator

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.mail import EmailMessage
from django.utils import timezone
from huey.consumer import Consumer
from huey.contrib.djhuey import HUEY
from huey.storage import SqliteStorage

from expo import tasks

# A bound for a busy machine, not a speed target: a passing test returns as soon as the work is done.
WAIT_SECONDS = 60.0


def _wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(f"the consumer did not {what} within {WAIT_SECONDS:.0f} s")


@pytest.fixture
def queue(tmp_path) -> Iterator[SqliteStorage]:
    """A real (not immediate) queue in a file of its own; inline mode again afterwards."""
    HUEY.immediate_use_memory = False  # keep the setter from opening the checkout's huey.sqlite3
    HUEY.immediate = False
    previous_storage = HUEY.storage
    HUEY.storage = SqliteStorage(name=HUEY.name, filename=str(tmp_path / "huey.sqlite3"))
    try:
        yield HUEY.storage
    finally:
        HUEY.storage.close()
        HUEY.storage = previous_storage
        HUEY.immediate_use_memory = True
        HUEY.immediate = True  # the setter gives it a new in-memory storage


@pytest.fixture
def consumer(queue) -> Iterator[Consumer]:
    """A consumer with one worker thread and the scheduler, as ``manage.py run_huey`` starts one."""
    # Consumer.start() installs its signal handlers in the main thread; give pytest its own back.
    handlers = {
        signum: signal.getsignal(signum)
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    }
    worker = HUEY.create_consumer(
        workers=1,
        worker_type="thread",
        periodic=True,
        initial_delay=0.05,
        max_delay=0.2,
        check_worker_health=False,
        shutdown_timeout=WAIT_SECONDS,
    )
    worker.start()
    try:
        yield worker
    finally:
        worker.stop(graceful=True)
        for signum, handler in handlers.items():
            signal.signal(signum, handler)


@pytest.mark.django_db(transaction=True)
def test_a_queued_mail_is_delivered_by_a_worker(consumer, queue):
    message = EmailMessage(
        subject="Booth approved",
        body="Your booth at the expo is approved.",
        to=["vendor@example.com"],
    )

    result = tasks.deliver_email(message)

    # Not sent on the spot: it waits in the queue for the worker.
    assert result.id
    _wait_until(lambda: len(mail.outbox) == 1, "deliver the queued e-mail")
    assert mail.outbox[0].subject == "Booth approved"
    assert mail.outbox[0].to == ["vendor@example.com"]
    assert result.get(blocking=True, timeout=WAIT_SECONDS) == 1
    # Our job left the queue. The queue itself need not be empty: the consumer's scheduler may have
    # enqueued a periodic job meanwhile (it did on a busy machine, at a minute's turn).
    assert result.id not in {task.id for task in HUEY.pending()}


def _session(*, expires_in: dt.timedelta) -> str:
    store = SessionStore()
    store["who"] = "someone"
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() + expires_in
    )
    return store.session_key


@pytest.mark.django_db(transaction=True)
def test_the_session_purge_is_scheduled_at_03_17_and_run_by_a_worker(consumer):
    expired = _session(expires_in=-dt.timedelta(days=1))
    current = _session(expires_in=dt.timedelta(days=1))
    # The consumer keeps no handle on its scheduler; one built the same way makes the same choice
    # as the scheduler thread does once a minute. huey compares crontabs with naive UTC times.
    scheduler = consumer._create_scheduler()

    not_yet = [t.name for t in HUEY.read_periodic(dt.datetime(2025, 3, 1, 3, 16))]
    assert tasks.purge_expired_sessions.name not in not_yet
    scheduler.enqueue_periodic_tasks(dt.datetime(2025, 3, 1, 3, 17))

    _wait_until(
        lambda: not Session.objects.filter(session_key=expired).exists(),
        "purge the expired session",
    )
    assert Session.objects.filter(session_key=current).exists()


@pytest.mark.django_db
def test_inline_mode_is_restored_for_the_rest_of_the_suite():
    assert HUEY.immediate is True
    message = EmailMessage(subject="Inline", body="Sent at once.", to=["a@example.com"])

    tasks.deliver_email(message)

    assert [m.subject for m in mail.outbox] == ["Inline"]
