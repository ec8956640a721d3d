"""The sockets' database work runs in a pool of its own (events.db), not in asgiref's one global
thread, where every socket's joins and messages of a process queued behind each other."""

from __future__ import annotations

import asyncio
import threading

import pytest
from asgiref.sync import SyncToAsync

from events import rooms
from events.db import THREAD_PREFIX, socket_db


@pytest.mark.django_db(transaction=True)
async def test_calls_run_in_the_sockets_pool_side_by_side(settings):
    """Two calls that each wait for the other finish: they hold two threads at once (in the one
    global thread the second would never start). PostgreSQL's default is four threads; SQLite's,
    which takes one writer at a time, one."""
    settings.REALTIME_DATABASE_THREADS = 2
    both = threading.Barrier(2, timeout=30)

    def meet() -> str:
        both.wait()
        return threading.current_thread().name

    names = await asyncio.gather(socket_db(meet)(), socket_db(meet)())
    assert all(name.startswith(THREAD_PREFIX) for name in names)
    assert len(set(names)) == 2


@pytest.mark.django_db(transaction=True)
async def test_a_join_reads_the_room_in_the_pool_not_in_the_global_thread(
    booth, buyer, connect, monkeypatch, settings
):
    settings.REALTIME_DATABASE_THREADS = 2  # PostgreSQL's way (SQLite keeps the one thread)
    room = rooms.booth(booth.pk)
    kind = rooms.kind_of(rooms.parse(room))
    seen: list[str] = []
    admit, catch_up = kind.admit, kind.catch_up

    def recording(call):
        def record(*args, **kwargs):
            seen.append(threading.current_thread().name)
            return call(*args, **kwargs)

        return record

    monkeypatch.setattr(kind, "admit", recording(admit))
    monkeypatch.setattr(kind, "catch_up", recording(catch_up))
    socket = await connect(buyer)
    await socket.join(room)
    await socket.close()

    assert seen and all(name.startswith(THREAD_PREFIX) for name in seen)
    global_thread = SyncToAsync.single_thread_executor._threads
    assert not any(thread.name in seen for thread in global_thread)


def test_sqlite_gets_one_thread_and_postgresql_four():
    import os
    import subprocess
    import sys

    def threads(url: str) -> str:
        code = "from django.conf import settings; print(settings.REALTIME_DATABASE_THREADS)"
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "expo.settings"}
        env.pop("REALTIME_DATABASE_THREADS", None)
        run = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return run.stdout.strip()

    assert threads("sqlite:////tmp/unused.sqlite3") == "1"
    assert threads("postgres://nobody@127.0.0.1:1/unused") == "4"


@pytest.mark.django_db(transaction=True)
async def test_with_one_thread_the_calls_stay_in_channels_global_thread(settings):
    settings.REALTIME_DATABASE_THREADS = 1
    name = await socket_db(lambda: threading.current_thread().name)()
    assert not name.startswith(THREAD_PREFIX)
    assert name in {thread.name for thread in SyncToAsync.single_thread_executor._threads}
