"""The websockets' database work, run in a few threads of their own.

Channels' ``database_sync_to_async`` is thread-sensitive by default: outside an HTTP request (whose
handler gives each request a thread) every call of every socket of the process runs in asgiref's
one global thread, one after another. Under an expo's opening rush that thread was the queue: each
join made three trips through it (the session's user, the room's admission, its history), each
behind every other socket's chat messages and joins, so joins took 0.4–0.5 s at 150 users while
pages answered in 20–40 ms.

:func:`socket_db` runs a function in a small pool instead (``REALTIME_DATABASE_THREADS``, four on
PostgreSQL): each thread has its own database connection, closed (given back to the pool) after
every call as Channels does. With SQLite the setting is 1 and the calls stay in Channels' one
thread: SQLite takes one writer at a time, and its shared in-memory test database refuses a read
beside a write ("database table is locked") instead of waiting. Nothing the socket side calls keeps per-thread state, and one
socket's frames are still handled one after the other, so a socket sees its own work in order.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

from channels.db import database_sync_to_async
from django.conf import settings

P = ParamSpec("P")
R = TypeVar("R")

THREAD_PREFIX = "socket-db"

_executor: ThreadPoolExecutor | None = None
_executor_size = 0
_executor_lock = threading.Lock()


def executor() -> ThreadPoolExecutor:
    """The process's pool for the sockets' database work (made on first use, and again if the
    setting changed: tests change it)."""
    global _executor, _executor_size
    size = max(1, int(settings.REALTIME_DATABASE_THREADS))
    with _executor_lock:
        if _executor is None or _executor_size != size:
            if _executor is not None:
                _executor.shutdown(wait=False)
            _executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix=THREAD_PREFIX)
            _executor_size = size
        return _executor


def socket_db(fn: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """``fn`` as a coroutine function run in the sockets' pool (the one of the moment of each
    call), with the database connection handling of Channels' ``database_sync_to_async``."""

    @functools.wraps(fn)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if settings.REALTIME_DATABASE_THREADS <= 1:  # SQLite: the one thread, as Channels does
            call: Any = database_sync_to_async(fn)
        else:
            call = database_sync_to_async(fn, thread_sensitive=False, executor=executor())
        return await call(*args, **kwargs)

    return run
