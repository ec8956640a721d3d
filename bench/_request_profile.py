"""Where a request's time goes inside the server: a middleware the benches put first in the
bench server's settings (never in the project's), with ``BENCH_PROFILE_DIR`` set.

Per kind of request (method and page) it counts requests, SQL queries, the time spent in the
database (wall, lock waits included), the thread's own CPU time (``time.thread_time``: the Python
and driver work of the view thread, nothing of the other requests) and the wall time. With
``BENCH_PROFILE=cprofile`` each request also runs under cProfile, timed by the thread's CPU clock
(so the listing shows where the CPU goes, not the waits), and the profiles of one kind are added up. Everything is written to ``BENCH_PROFILE_DIR`` when the process ends (Daphne stops on
SIGTERM through the reactor, so ``atexit`` runs): ``requests.json`` and ``<kind>.pstats``.
"""

from __future__ import annotations

import atexit
import cProfile
import json
import os
import pstats
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connection

OUT = Path(os.environ["BENCH_PROFILE_DIR"])
CPROFILE = os.environ.get("BENCH_PROFILE") == "cprofile"
_lock = threading.Lock()
_totals: dict[str, dict[str, float]] = {}
_stats: dict[str, pstats.Stats] = {}

KINDS = (
    (re.compile(r"^/expos/[^/]+/booths/[^/]+/products/"), "product page"),
    (re.compile(r"^/cart/add/"), "cart add"),
    (re.compile(r"^/cart/$"), "cart page"),
    (re.compile(r"^/checkout/[^/]+/$"), "checkout"),
    (re.compile(r"^/orders/"), "order page"),
)


def kind_of(method: str, path: str) -> str:
    for pattern, name in KINDS:
        if pattern.search(path):
            return f"{method} {name}"
    return f"{method} other"


class Queries:
    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - started


class Profiler:
    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        kind = kind_of(request.method, request.path)
        queries = Queries()
        # The thread's CPU clock: waits for the database, locks and the GIL count nothing.
        profile = cProfile.Profile(time.thread_time) if CPROFILE else None
        wall, cpu = time.perf_counter(), time.thread_time()
        with connection.execute_wrapper(queries):
            if profile is not None:
                profile.enable()
            try:
                response = self.get_response(request)
            finally:
                if profile is not None:
                    profile.disable()
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
        with _lock:
            row = _totals.setdefault(
                kind, {"requests": 0, "queries": 0, "db_s": 0.0, "cpu_s": 0.0, "wall_s": 0.0}
            )
            row["requests"] += 1
            row["queries"] += queries.count
            row["db_s"] += queries.seconds
            row["cpu_s"] += cpu
            row["wall_s"] += wall
            if profile is not None:
                if kind in _stats:
                    _stats[kind].add(profile)
                else:
                    _stats[kind] = pstats.Stats(profile)
        return response


def _write() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with _lock:
        (OUT / f"requests-{os.getpid()}.json").write_text(json.dumps(_totals))
        for kind, stats in _stats.items():
            stats.dump_stats(OUT / f"{kind.replace(' ', '_')}-{os.getpid()}.pstats")


atexit.register(_write)
