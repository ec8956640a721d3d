"""Unique visits per day to booth and product pages, counted without a write per page view.

A page view adds ``(kind, object id, day, visitor)`` to an in-process buffer (a set, so repeats in
the same process cost nothing). A background thread writes the buffer every few seconds in one
transaction (:func:`booths.services.visit_rollups.visits_write`): batched inserts that ignore rows
already there, so a visitor counts once per day per page even across several Daphne processes, and
the dashboard's visit rollups for the rows really inserted. A page view costs the same set insert
as before; the counting lands on the flush. ``flush()`` writes at once (tests, shutdown).
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import threading
import zoneinfo
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.db import close_old_connections
from django.http import HttpRequest
from django.utils import timezone

from booths.services.visit_rollups import visits_write

logger = logging.getLogger(__name__)

MAX_BUFFER = 50_000


class Flusher:
    """Calls ``flush`` every ``VISITS_FLUSH_SECONDS`` on one daemon thread per process (started on
    first use), and once more when the process exits. Shared by every in-process counter buffer
    (page visits here, banner impressions and clicks)."""

    def __init__(
        self, flush: Callable[[], object], *, name: str, what: str, at_exit: bool = True
    ) -> None:
        self._flush = flush
        self._name = name
        self._what = what
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        if at_exit:
            atexit.register(self._at_exit)

    def ensure_running(self) -> None:
        if settings.VISITS_FLUSH_SECONDS <= 0:
            return  # written only when flush() is called (tests)
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            self._wake.wait(settings.VISITS_FLUSH_SECONDS)
            self._wake.clear()
            try:
                close_old_connections()
                self._flush()
            except Exception:
                logger.exception("could not write %s", self._what)
            finally:
                close_old_connections()

    def _at_exit(self) -> None:
        try:
            self._flush()
        except Exception:  # the database may already be gone at interpreter exit
            logger.warning("%s not written at exit", self._what, exc_info=True)


_lock = threading.Lock()
_buffer: set[tuple[str, int, date, str]] = set()


def visitor_key(request: HttpRequest) -> str:
    """A short, non-reversible id for the visitor: the account, else the session, else IP + agent."""
    if request.user.is_authenticated:
        return account_key(request.user.pk)
    if request.session.session_key:
        raw = f"s:{request.session.session_key}"
    else:
        raw = f"a:{request.META.get('REMOTE_ADDR', '')}|{request.META.get('HTTP_USER_AGENT', '')[:200]}"
    return _hashed(raw)


def account_key(user_id: int) -> str:
    """The key a signed-in account's visits are recorded under, so that a report can tell whether
    a buyer (or a chatter) is among a booth's visitors without the visits naming anyone."""
    return _hashed(f"u:{user_id}")


def _hashed(raw: str) -> str:
    return hashlib.blake2b(
        raw.encode(), digest_size=12, key=settings.SECRET_KEY.encode()[:64]
    ).hexdigest()


def today() -> date:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()


def record(kind: str, object_id: int, request: HttpRequest) -> None:
    entry = (kind, object_id, today(), visitor_key(request))
    with _lock:
        if len(_buffer) < MAX_BUFFER:
            _buffer.add(entry)
    _flusher.ensure_running()


def flush() -> int:
    """Write the buffered visits; returns how many were taken from the buffer."""
    with _lock:
        taken = list(_buffer)
        _buffer.clear()
    if not taken:
        return 0
    try:
        visits_write(visits=taken)
    except Exception:
        # Kept for the next flush (a visit written twice still counts once).
        with _lock:
            _buffer.update(taken[: max(0, MAX_BUFFER - len(_buffer))])
        raise
    return len(taken)


_flusher = Flusher(lambda: flush(), name="visit-flusher", what="page visits")
