"""Real servers for the live side's fault tests: Daphne processes running the production ASGI
application, and a PostgreSQL or Redis server of the test's own that the test may stop and start
again (never the shared test services), plus a websocket client that reads on its own thread and
records how its socket was closed.

Used by ``test_fault_daphne.py`` and ``test_layer_outage.py``; the commands are those the test
services use (see ``scripts/services.sh``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.e2e.conftest import _free_port, _get_status

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")
START_TIMEOUT_S = 30.0
# Lets one test account talk faster than a person may.
SETTINGS = "from expo.settings import *  # noqa: F403\nCHAT_RATE_LIMIT = (1000, 1)\n"


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 30.0) -> Any:
    """Poll ``condition`` until it is truthy (generous bound; a passing test returns at once)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _run(*command: str, user: str | None = None, **kwargs: Any) -> subprocess.CompletedProcess:
    if user is not None and os.geteuid() == 0:
        command = ("runuser", "-u", user, "--", *command)
    kwargs.setdefault("text", True)
    done = subprocess.run(command, capture_output=True, check=False, **kwargs)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr!r}")
    return done


# --- A PostgreSQL server of the test's own -----------------------------------------------------


class OwnPostgres:
    """A throw-away PostgreSQL cluster on a free port, which the test may stop and start."""

    def __init__(self) -> None:
        if not (PG_BIN / "initdb").exists():
            pytest.fail(f"PostgreSQL 15's server binaries are missing in {PG_BIN}.", pytrace=False)
        # Its own directory under /tmp: the server's account must be able to reach it.
        self.dir = Path(tempfile.mkdtemp(prefix="umkm-own-postgres-"))
        self.port = _free_port()
        self.user = "postgres" if os.geteuid() == 0 else None  # initdb refuses to run as root
        (self.dir / "sock").mkdir(exist_ok=True)
        if self.user:
            shutil.chown(self.dir, self.user)
            shutil.chown(self.dir / "sock", self.user)
        _run(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.dir / "data"),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
            user=self.user,
        )
        self.start()

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir / 'sock'} "
            "-c fsync=off -c synchronous_commit=off"
        )
        _run(
            str(PG_BIN / "pg_ctl"),
            *("-D", str(self.dir / "data"), "-l", str(self.dir / "server.log")),
            *("-w", "-t", "30", "-o", options, "start"),
            user=self.user,
        )

    def stop(self) -> None:
        _run(
            str(PG_BIN / "pg_ctl"),
            *("-D", str(self.dir / "data"), "-m", "fast", "-w", "-t", "30", "stop"),
            user=self.user,
        )

    def copy_database(self, source_url: str, name: str) -> str:
        """A copy of the database at ``source_url`` (schema and rows) as ``name`` here."""
        _run(
            str(PG_BIN / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            name,
        )
        dump = _run(
            str(PG_BIN / "pg_dump"), "--format=custom", "--no-owner", "-d", source_url, text=False
        )
        subprocess.run(
            [str(PG_BIN / "pg_restore"), "--no-owner", "--exit-on-error", "-d", self.url(name)],
            input=dump.stdout,
            check=True,
            capture_output=True,
        )
        return self.url(name)

    def close(self) -> None:
        command = [str(PG_BIN / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "stop"]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, capture_output=True, check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


# --- A Redis server of the test's own ----------------------------------------------------------


class OwnRedis:
    """A Redis server on a free port that the test may restart (``shutdown nosave``, then start
    again on the same port), as an outage of the channel layer's server looks to the processes."""

    def __init__(self) -> None:
        if shutil.which("redis-server") is None:
            pytest.fail(
                "redis-server is missing: `apt-get install -y redis-server`.", pytrace=False
            )
        self.dir = Path(tempfile.mkdtemp(prefix="umkm-own-redis-"))
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.start()

    def _cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["redis-cli", "-p", str(self.port), *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )

    def up(self) -> bool:
        return self._cli("ping").stdout.strip() == "PONG"

    def start(self) -> None:
        _run(
            "redis-server",
            *("--port", str(self.port), "--bind", "127.0.0.1", "--daemonize", "yes"),
            *("--save", "", "--appendonly", "no", "--dir", str(self.dir)),
            *("--pidfile", str(self.dir / "redis.pid"), "--logfile", str(self.dir / "redis.log")),
        )
        wait_for(self.up, "redis-server to answer")

    def stop(self) -> None:
        self._cli("shutdown", "nosave")
        wait_for(lambda: not self.up(), "redis-server to stop")

    def close(self) -> None:
        if self.up():
            self._cli("shutdown", "nosave")
        shutil.rmtree(self.dir, ignore_errors=True)


# --- Daphne processes ---------------------------------------------------------------------------


class Daphnes:
    def __init__(self, urls: list[str], logs: list[Path]) -> None:
        self.urls = urls
        self.logs = logs

    def ws(self, index: int = 0) -> str:
        return self.urls[index].replace("http://", "ws://") + "/ws/"

    def log(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-20000:] for p in self.logs)

    def healthy(self, index: int = 0) -> bool:
        return _get_status(f"{self.urls[index]}/healthz") == 200


@contextmanager
def daphnes(count: int, *, database_url: str, redis_url: str = "") -> Iterator[Daphnes]:
    """``count`` Daphne processes serving ``expo.asgi:application`` on one database (and, with
    ``redis_url``, one channel layer), each on a free port; stopped on exit."""
    workdir = Path(tempfile.mkdtemp(prefix="umkm-faults-"))
    (workdir / "fault_settings.py").write_text(SETTINGS)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fault_settings",
        "PYTHONPATH": os.pathsep.join([str(workdir), str(ROOT)]),
        "DATABASE_URL": database_url,
        "EMAIL_URL": f"file://{workdir / 'outbox'}",
        "HUEY_IMMEDIATE": "1",
        "DJANGO_DEBUG": "1",
        "MEDIA_ROOT": str(workdir / "media"),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    processes, urls, logs = [], [], []
    with ExitStack() as stack:
        for n in range(count):
            port = _free_port()
            log_path = workdir / f"daphne-{n}.log"
            log = stack.enter_context(open(log_path, "wb"))
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
                    + ["expo.asgi:application"],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
            logs.append(log_path)
        servers = Daphnes(urls, logs)
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            for index, process in enumerate(processes):
                while not servers.healthy(index):
                    if process.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"Daphne did not start:\n{servers.log()}", pytrace=False)
                    time.sleep(0.1)
            yield servers
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
            shutil.rmtree(workdir, ignore_errors=True)


# --- A websocket client -------------------------------------------------------------------------


class Peer:
    """A synchronous websocket client reading frames on a thread of its own; ``close_code`` is the
    code the server closed with (None while open)."""

    def __init__(self, url: str, cookie: str = "") -> None:
        origin = url.replace("ws://", "http://").rsplit("/ws/", 1)[0]
        headers = {"Cookie": cookie} if cookie else None
        self.conn: ClientConnection = connect(
            url, origin=origin, additional_headers=headers
        ).__enter__()
        self.frames: list[dict] = []
        self.closed = threading.Event()
        self.close_code: int | None = None
        self.error: Exception | None = None
        self.lock = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        try:
            while True:
                raw = self.conn.recv()
                with self.lock:
                    self.frames.append(json.loads(raw))
                    self.lock.notify_all()
        except ConnectionClosed as exc:
            self.close_code = exc.rcvd.code if exc.rcvd is not None else None
        except Exception as exc:  # the test closed it under us
            self.error = exc
        finally:
            self.closed.set()
            with self.lock:
                self.lock.notify_all()

    def send(self, **frame: Any) -> None:
        self.conn.send(json.dumps(frame))

    def wait(self, predicate: Callable[[dict], bool], timeout: float = 15.0) -> dict:
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                for frame in self.frames:
                    if predicate(frame):
                        return frame
                left = deadline - time.monotonic()
                if left <= 0:
                    state = (
                        f"closed ({self.close_code}, {self.error!r})"
                        if self.closed.is_set()
                        else "open"
                    )
                    raise AssertionError(f"no matching frame ({state}); got {self.frames[-10:]}")
                self.lock.wait(left)

    def wait_closed(self, timeout: float = 15.0) -> int | None:
        if not self.closed.wait(timeout):
            raise AssertionError(f"the socket is still open; last frames {self.frames[-5:]}")
        return self.close_code

    def say(self, room: str, body: str, client_id: str) -> dict:
        self.send(type="message", room=room, body=body, client_id=client_id)
        return self.wait(lambda f: f["type"] == "message" and f.get("client_id") == client_id)

    def join(self, room: str, after_id: int | None = None) -> dict:
        if after_id is None:
            self.send(type="join", room=room)
        else:
            self.send(type="resume", room=room, after_id=after_id)
        return self.wait(lambda f: f["type"] == "history" and f["room"] == room)

    def message_ids(self, room: str) -> list[int]:
        """Every message id this client got in ``room``, live or in a history, in arrival order
        (duplicates kept, so that a test can count them)."""
        ids: list[int] = []
        with self.lock:
            for frame in self.frames:
                if frame.get("room") != room:
                    continue
                if frame["type"] == "message":
                    ids.append(frame["id"])
                elif frame["type"] == "history":
                    ids += [m["id"] for m in frame["messages"]]
        return ids

    def close(self) -> None:
        self.conn.close()
        self.reader.join(timeout=5)


def session_cookie(user) -> str:
    """A ``Cookie`` header value that signs ``user`` in (a session made by Django's test client)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"
