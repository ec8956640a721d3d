"""Does the chat lose, double or freeze anything when a Daphne dies, Redis restarts and PostgreSQL
stops for a while, and do public pages survive the cache going away?

    .venv/bin/python bench/faults.py [--clients 200] [--rate 10] [--duration 90] [--ping 5]
                                     [--heartbeat 15] [--redis-down 3] [--pg-down 5] [--settle 25]

Starts its own PostgreSQL and Redis (temporary folders, free ports), migrates a fresh database,
seeds one open expo with one booth, ``--clients`` buyers and a sender (each logged in: a session
cookie) and starts TWO Daphne processes (DEBUG off) on that PostgreSQL with ``REDIS_URL`` set (the
Redis channel layer, cache and rate limiter).

The clients (``websockets``, in a process of their own, half on each Daphne, with their cookie and
an ``Origin``) join the booth's room and behave like the browser's ``socket.js``: after a close
they reconnect to the same server after a growing delay with jitter (1 s doubling to 30 s,
× 0.5–1.5) and ``resume`` from the last message id they saw (again while ``more`` is true). They
``ping`` every ``--ping`` s; a socket that receives no frame at all (no message, no pong) for
longer than ``--heartbeat`` s (by default the pings' spacing plus the 10 s the browser gives a
pong) is *frozen*: counted, then dropped and resumed, as the browser does when a pong is late.
The sender, such a client on the first Daphne, posts ``--rate`` messages a second for
``--duration`` s, each carrying its sequence number and send time. Faults, at fixed points of the
sending: at 10 % the second Daphne is killed (SIGKILL) and started again on its port (over when
/healthz answers 200); at 45 % Redis is shut down (``SHUTDOWN NOSAVE``) and started again on its
port ``--redis-down`` s later; at 70 % PostgreSQL is stopped (``pg_ctl stop -m fast``) for
``--pg-down`` s. A probe GETs the public hall page from the first Daphne every 0.2 s.

Then the clients get up to ``--settle`` s to catch up (less once nothing can change any more), and
what each received is compared with the room's ChatMessage rows:

- ``sent``: message frames the sender wrote to an open socket; ``stored``: the room's rows;
- ``lost``: stored messages some client never received, even after resuming (``lost_deliveries``:
  client × message pairs; ``lost_by_phase``: when they were stored);
- ``duplicates``: a message delivered to the same client a second time (live or in a history);
- ``frozen_sockets``: sockets, the sender's included (``sender_frozen``), silent past
  ``--heartbeat`` while messages were being sent (``longest_silence_s``: the longest wait for a
  frame on a socket that did not freeze);
- ``http_5xx_while_cache_down``: hall answers >= 500 to requests started while Redis was going,
  down or back for less than 5 s (its clients reconnecting), PostgreSQL up all along
  (``http_5xx_by_phase``: all of them, by fault);
- ``recovery_s``: over the faults, the longest time from a fault's end until every client had
  received a message stored after that end (live or in a resumed history);
- ``echo_p50_s``/``echo_max_s``: how long the sender's own messages took to come back to it (how
  far the server lagged the sending).

Progress goes to stderr; a summary, then as the LAST line one JSON object with those keys first,
to stdout. Exit status: 0 when lost, duplicates, frozen sockets and 5xx while the cache was down are
all 0; 2 otherwise; 1 when setup failed or the run was interrupted. Everything it started
(PostgreSQL, Redis, both Daphne processes, the clients' process) is stopped and every temporary
file removed, on errors and Ctrl-C too.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import random
import resource
import shutil
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import (
    BenchError,
    DaphneServer,
    PostgresServer,
    RedisServer,
    json_line,
    log,
    postgres_server,
    redis_server,
    workspace,
)

SEED = """
import json, sys
import django
django.setup()
from datetime import timedelta
from django.test import Client
from django.utils import timezone
from booths.models import Booth, Vendor
from events.models import ChatMessage
from expo.models import Expo, Office, Region, Sector, User

buyers = int(sys.argv[1])
now = timezone.now()
office = Office.objects.create(name="Dinkop Faults", province="Bench", slug="faults")
region = Region.objects.create(province="Bench", code="99.98", name="Bench", kind="kota")
sector = Sector.objects.create(slug="faults", name_en="Bench", name_id="Bench")
expo = Expo.objects.create(
    office=office, slug="faults-expo", title_en="Faults Expo", title_id="Expo Gangguan",
    applications_open_at=now - timedelta(days=10), application_deadline=now - timedelta(days=5),
    opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=2),
)
expo.sectors.add(sector)
vendor = Vendor.objects.create(name="Faults Batik", slug="faults-batik", owner_name="Sri",
                               region=region, sector=sector)
booth = Booth.objects.create(expo=expo, vendor=vendor, slug="faults-batik")

def session(email, name):
    user = User.objects.create_user(email=email, password=None, name=name)
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value

print(json.dumps({
    "room": f"booth:{booth.pk}",
    "table": ChatMessage._meta.db_table,
    "hall": f"/expos/{expo.slug}/",
    "sender": session("sender@faults.example", "Sender"),
    "buyers": [session(f"buyer{n}@faults.example", f"Buyer {n}") for n in range(buyers)],
}))
"""

# The sender posts far faster than a person may: lift the per-account limit for the bench. Static
# files are not collected (that took half a minute on a busy machine): pages name them without the
# manifest's hashes, and nothing here fetches them.
SETTINGS_OVERLAY = """
CHAT_RATE_LIMIT = (1_000_000, 1)
STORAGES = {**STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
"""

# The browser client's reconnect delays (socket.js): 1 s doubling to 30 s, × 0.5–1.5 jitter.
FIRST_DELAY_S = 1.0
MAX_DELAY_S = 30.0
# Fault points, as fractions of the sending time.
# Run from a clean copy of a commit with the project's virtualenv, the servers must serve that copy:
# the editable install's finder (appended to sys.meta_path) would otherwise fill in modules the copy
# lacks from the working tree it was installed from. Loaded by every server process (PYTHONPATH).
ONLY_THIS_CHECKOUT = """import sys
sys.meta_path[:] = [f for f in sys.meta_path if "_EditableFinder" not in getattr(f, "__name__", "")]
"""
# A page that fails on a stale cache connection just after Redis is back fails because of the outage.
CACHE_BACK_S = 5.0
# The Daphne comes first: its clients come back over up to half a minute of reconnect delays, which
# should be over before the next fault.
PLAN = (("daphne_kill", 0.10), ("redis_restart", 0.45), ("postgres_stop", 0.70))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rate", type=float, default=10.0, help="messages per second")
    parser.add_argument("--duration", type=float, default=90.0, help="seconds of sending")
    parser.add_argument("--ping", type=float, default=5.0, help="seconds between a client's pings")
    parser.add_argument(
        "--heartbeat",
        type=float,
        default=15.0,
        help="silence (s) after which a socket is frozen (default: the pings' spacing plus the "
        "browser's 10 s pong timeout)",
    )
    parser.add_argument("--redis-down", type=float, default=3.0, help="seconds Redis stays down")
    parser.add_argument("--pg-down", type=float, default=5.0, help="seconds PostgreSQL stays down")
    parser.add_argument(
        "--settle", type=float, default=25.0, help="seconds the clients get to catch up at the end"
    )
    parser.add_argument("--logs", metavar="DIR", help="copy the servers' logs there at the end")
    args = parser.parse_args(argv)
    if args.clients < 2 or args.rate <= 0 or args.duration < 20:
        parser.error("--clients must be at least 2, --rate positive, --duration at least 20")
    if args.heartbeat <= args.ping:
        parser.error("--heartbeat must be longer than --ping")
    return args


# --- A chat client that behaves like the browser's -------------------------------------------------


@dataclass
class Options:
    ping: float
    heartbeat: float


class ChatClient:
    """One tab's socket: joins the room, resumes after every reconnect, pings, and treats a
    silence longer than the heartbeat window as a dead socket. Records when each message id first
    arrived, second deliveries, freezes (silent since, noticed at) and refusals."""

    def __init__(self, url: str, cookie: str, room: str, options: Options) -> None:
        self.url, self.cookie, self.room, self.options = url, cookie, room, options
        self.origin = url.replace("ws://", "http://").rsplit("/ws/", 1)[0]
        self.received: dict[int, float] = {}
        self.duplicates = 0
        # The first few second deliveries: (id, "live" or "history", when).
        self.duplicate_ids: list[tuple[int, str, float]] = []
        self.last_id: int | None = None
        self.frozen: list[tuple[float, float]] = []
        # Silences of an open socket longer than two pings' spacing that ended with a frame.
        self.silences: list[tuple[float, float]] = []
        self.errors: Counter = Counter()
        self.connections = 0
        self.failed_connects = 0
        self.joined = asyncio.Event()
        self.ws = None  # the open socket, once it has its history
        self.delay = FIRST_DELAY_S
        self.last_frame = 0.0

    async def run(self, stop: asyncio.Event) -> None:
        from websockets.asyncio.client import connect

        while not stop.is_set():
            try:
                # A browser gives the opening handshake no deadline of its own: a server slow to
                # answer (a reconnect storm) is waited for, not given up on and retried later.
                ws = await connect(
                    self.url, origin=self.origin, additional_headers={"Cookie": f"sessionid={self.cookie}"},
                    compression=None, ping_interval=None, open_timeout=60, close_timeout=1,
                    max_size=2**22,
                )  # fmt: skip
            except Exception:
                self.failed_connects += 1
                await self._pause(stop)
                continue
            self.delay = FIRST_DELAY_S
            self.connections += 1
            try:
                await self._session(ws, stop)
            finally:
                self.ws = None
                ws.transport.abort()
            if not stop.is_set():
                await self._pause(stop)

    async def _pause(self, stop: asyncio.Event) -> None:
        wait = min(MAX_DELAY_S, self.delay) * (0.5 + random.random())
        self.delay = min(MAX_DELAY_S, self.delay * 2)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), wait)

    async def _session(self, ws, stop: asyncio.Event) -> None:
        """One connection: enter the room, then read, ping and watch for silence until the socket
        closes, goes silent (frozen: noted, then dropped) or the run ends."""
        self.last_frame = time.monotonic()
        if self.last_id is None:
            await ws.send(json.dumps({"type": "join", "room": self.room}))
        else:
            await ws.send(
                json.dumps({"type": "resume", "room": self.room, "after_id": self.last_id})
            )
        tasks = {
            asyncio.create_task(self._read(ws)),
            watcher := asyncio.create_task(self._watch()),
            asyncio.create_task(stop.wait()),
        }
        pinger = asyncio.create_task(self._ping(ws))
        try:
            done, _pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            if watcher in done:
                self.frozen.append((self.last_frame, time.monotonic()))
        finally:
            for task in (*tasks, pinger):
                task.cancel()
            await asyncio.gather(*tasks, pinger, return_exceptions=True)

    async def _read(self, ws) -> None:
        import websockets

        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in ws:
                now = time.monotonic()
                if now - self.last_frame > 2 * self.options.ping:
                    self.silences.append((self.last_frame, now))
                self.last_frame = now
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == "message" and frame.get("room") == self.room:
                    self._got(frame["id"], now, "live")
                elif kind == "history" and frame.get("room") == self.room:
                    for message in frame.get("messages", []):
                        self._got(message["id"], now, "history")
                    if self.last_id is None:
                        self.last_id = frame.get("after_id") or 0
                    if frame.get("more"):
                        resume = {"type": "resume", "room": self.room, "after_id": self.last_id}
                        await ws.send(json.dumps(resume))
                    self.ws = ws
                    self.joined.set()
                elif kind == "error":
                    self.errors[frame.get("code")] += 1
                    self.on_error(frame)
                elif kind == "resume":  # too slow: the server closes; come back quickly
                    self.delay = 0.25

    def _got(self, message_id: int, now: float, how: str) -> None:
        if message_id in self.received:
            self.duplicates += 1
            if len(self.duplicate_ids) < 5:
                self.duplicate_ids.append((message_id, how, now))
            return
        self.received[message_id] = now
        self.last_id = max(self.last_id or 0, message_id)
        self.on_message(message_id)

    def on_message(self, message_id: int) -> None:
        """Hook for the sender (its own messages coming back)."""

    def on_error(self, frame: dict[str, Any]) -> None:
        """Hook for the sender (its refused messages)."""

    async def _ping(self, ws) -> None:
        await asyncio.sleep(random.uniform(0, self.options.ping))  # spread the clients' pings
        with contextlib.suppress(Exception):
            while True:
                await ws.send(json.dumps({"type": "ping", "ts": int(time.time() * 1000)}))
                await asyncio.sleep(self.options.ping)

    async def _watch(self) -> None:
        while time.monotonic() - self.last_frame <= self.options.heartbeat:
            await asyncio.sleep(0.25)

    def result(self, *, open_at_end: bool) -> dict[str, Any]:
        return {
            "server": self.url,
            "received": self.received,
            "duplicates": self.duplicates,
            "duplicate_ids": self.duplicate_ids,
            "frozen": self.frozen,
            "silences": self.silences,
            "errors": dict(self.errors),
            "connections": self.connections,
            "failed_connects": self.failed_connects,
            "open_at_end": open_at_end,
        }


# --- The clients' process ----------------------------------------------------------------------------


def clients_process(pipe, urls: list[str], cookies: list[str], room: str, options: Options) -> None:
    """The clients run apart from the sender and the fault injection, so that reading 2,000 frames a
    second does not delay either. Talks to the bench through ``pipe``: "ready" once joined, then
    ("settle", stored ids, seconds) → waits for every client to hold them all → the results."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the bench stops this process itself
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    pipe.send(asyncio.run(_clients(pipe, urls, cookies, room, options)))
    pipe.close()


async def _clients(pipe, urls, cookies, room, options) -> list[dict[str, Any]]:
    loop = asyncio.get_running_loop()
    clients = [ChatClient(urls[n % len(urls)], cookie, room, options)
               for n, cookie in enumerate(cookies)]  # fmt: skip
    stop = asyncio.Event()
    tasks = []
    for client in clients:
        tasks.append(asyncio.create_task(client.run(stop)))
        await asyncio.sleep(0.01)  # tabs opening, not a thundering herd
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*(c.joined.wait() for c in clients)), 60)
    pipe.send(("ready", sum(c.joined.is_set() for c in clients)))
    reporter = asyncio.create_task(_report(clients))
    command, stored, settle = await loop.run_in_executor(None, pipe.recv)
    assert command == "settle"
    stored = set(stored)
    await _settle(clients, stored, settle, options)
    caught_up = sum(stored <= c.received.keys() for c in clients)
    log(f"clients: {caught_up}/{len(clients)} hold every stored message")
    open_at_end = [c.ws is not None for c in clients]
    stop.set()
    reporter.cancel()
    _done, opening = await asyncio.wait(tasks, timeout=5)
    for task in opening:  # still in an opening handshake
        task.cancel()
    await asyncio.gather(*tasks, reporter, return_exceptions=True)
    return [c.result(open_at_end=is_open) for c, is_open in zip(clients, open_at_end, strict=True)]


async def _settle(clients: list[ChatClient], stored: set[int], settle: float,
                  options: Options) -> None:  # fmt: skip
    """Wait until every client holds every stored message, or nothing can change any more: every
    socket open and answering its pings (so none is frozen and waiting to be noticed), and nothing
    new for 3 s. A client that missed a message live without being closed never asks again."""
    deadline = time.monotonic() + settle
    held, quiet_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        if all(stored <= c.received.keys() for c in clients):
            return
        now = time.monotonic()
        now_held = sum(len(c.received) for c in clients)
        answering = all(c.ws is not None and now - c.last_frame < options.ping + 2 for c in clients)
        if now_held != held or not answering:
            held, quiet_since = now_held, now
        elif now - quiet_since > 3:
            return
        await asyncio.sleep(0.25)


async def _report(clients: list[ChatClient]) -> None:
    """A progress line every 10 s: how many sockets are open, the newest id every client holds."""
    while True:
        await asyncio.sleep(10)
        open_now = sum(c.ws is not None for c in clients)
        frozen = sum(len(c.frozen) for c in clients)
        newest = min((c.last_id or 0) for c in clients)
        log(f"clients: {open_now}/{len(clients)} open, every client has up to id {newest}, "
            f"{frozen} freezes so far, {sum(c.connections for c in clients)} connections")  # fmt: skip


# --- The sender --------------------------------------------------------------------------------------


class Sender(ChatClient):
    """A chat client that also posts: ``rate`` messages per second while its socket is open (a tick
    that finds it closed is skipped, as a person would wait)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sent = 0
        self.skipped = 0
        self.echoed = 0
        self.refused: Counter = Counter()

    def on_message(self, message_id: int) -> None:
        self.echoed += 1

    def on_error(self, frame: dict[str, Any]) -> None:
        self.refused[frame.get("code")] += 1

    async def post(self, rate: float, duration: float) -> tuple[float, float]:
        """Post for ``duration`` seconds; the (start, end) of the sending."""
        start = time.monotonic()
        seq = 0
        while True:
            delay = start + seq / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            if time.monotonic() - start >= duration:
                return start, time.monotonic()
            seq += 1
            ws = self.ws
            if ws is None:
                self.skipped += 1
                continue
            body = f"fault {seq} {time.monotonic():.6f}"
            frame = {"type": "message", "room": self.room, "body": body, "client_id": str(seq)}
            try:
                await ws.send(json.dumps(frame))
                self.sent += 1
            except Exception:
                self.skipped += 1


# --- The HTTP probe ----------------------------------------------------------------------------------


class Probe(threading.Thread):
    """GET the hall page every ``every`` seconds; records (started, status) with status an int or
    the name of the exception (a refused connection, a timeout)."""

    def __init__(self, url: str, every: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.url, self.every = url, every
        self.answers: list[tuple[float, int | str]] = []
        self.done = threading.Event()

    def run(self) -> None:
        tick = time.monotonic()
        while not self.done.is_set():
            started = time.monotonic()
            try:
                request = urllib.request.Request(self.url, headers={"Accept-Language": "en"})
                with urllib.request.urlopen(request, timeout=5) as response:
                    response.read()
                    status: int | str = response.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            except Exception as exc:
                status = type(exc).__name__
            self.answers.append((started, status))
            tick += self.every
            self.done.wait(max(0.0, tick - time.monotonic()))


# --- The faults --------------------------------------------------------------------------------------


@dataclass
class Fault:
    name: str
    began: float = 0.0  # the fault was injected (the service going)
    down: float = 0.0  # the service was gone
    ended: float = 0.0  # the service was back (Daphne: /healthz 200; Redis: PING; PostgreSQL: up)


@dataclass
class Services:
    postgres: PostgresServer
    redis: RedisServer
    daphnes: list[DaphneServer]


def inject(fault: Fault, services: Services, args: argparse.Namespace) -> None:
    """Run one fault from start to end (blocking: called in a worker thread)."""
    fault.began = time.monotonic()
    if fault.name == "daphne_kill":
        victim = services.daphnes[-1]
        victim.kill()
        fault.down = time.monotonic()
        victim.start(timeout=60)
    elif fault.name == "redis_restart":
        services.redis.shutdown()
        fault.down = time.monotonic()
        time.sleep(args.redis_down)
        services.redis.start()
    elif fault.name == "postgres_stop":
        services.postgres.stop("fast")
        fault.down = time.monotonic()
        time.sleep(args.pg_down)
        services.postgres.start()
    fault.ended = time.monotonic()


async def run_faults(faults: list[Fault], start: float, services: Services,
                     args: argparse.Namespace) -> None:  # fmt: skip
    loop = asyncio.get_running_loop()
    for fault, (_name, at) in zip(faults, PLAN, strict=True):
        delay = start + at * args.duration - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        log(f"t={time.monotonic() - start:5.1f}s fault: {fault.name} begins")
        await loop.run_in_executor(None, inject, fault, services, args)
        log(f"t={time.monotonic() - start:5.1f}s fault: {fault.name} over "
            f"(down {fault.ended - fault.down:.1f}s)")  # fmt: skip


async def run_sending(sender: Sender, faults: list[Fault], services: Services,
                      args: argparse.Namespace) -> tuple[float, float]:  # fmt: skip
    """Connect the sender, then post for ``--duration`` seconds while the faults happen."""
    stop = asyncio.Event()
    connection = asyncio.create_task(sender.run(stop))
    try:
        await asyncio.wait_for(sender.joined.wait(), 30)
    except TimeoutError:
        raise BenchError("the sender could not join the room") from None
    start = time.monotonic()
    injector = asyncio.create_task(run_faults(faults, start, services, args))
    progress = asyncio.create_task(_sender_progress(sender, start))
    try:
        span = await sender.post(args.rate, args.duration)
        await injector  # a fault still running at the end of the sending is finished first
    finally:
        progress.cancel()
        injector.cancel()
        await asyncio.sleep(1.0)  # the last messages' commits and echoes
        stop.set()
        if not (await asyncio.wait({connection}, timeout=5))[0]:
            connection.cancel()  # still in an opening handshake
        await asyncio.gather(connection, injector, progress, return_exceptions=True)
    return span


async def _sender_progress(sender: Sender, start: float) -> None:
    while True:
        await asyncio.sleep(10)
        refused = ", ".join(f"{code}×{n}" for code, n in sender.refused.items()) or "none"
        log(f"t={time.monotonic() - start:5.1f}s sender: {sender.sent} sent, {sender.echoed} "
            f"echoed, {sender.skipped} ticks skipped, refused: {refused}")  # fmt: skip


# --- The figures -------------------------------------------------------------------------------------


@dataclass
class Run:
    """Everything measured, for the figures: the room's rows, the clients' results, the sender,
    the faults, the probe, the sending's (start, end) and when the clients stopped."""

    stored: list[tuple[int, str, float]]  # id, body, when it was stored (monotonic clock)
    results: list[dict[str, Any]]
    sender: Sender
    faults: list[Fault]
    probe: Probe
    span: tuple[float, float]
    end: float

    @property
    def sent_at(self) -> dict[int, float]:
        return {message_id: float(body.split()[2]) for message_id, body, _at in self.stored}

    @property
    def stored_at(self) -> dict[int, float]:
        # A message is live again when it is stored: under load the server can lag the sender.
        return {message_id: at for message_id, _body, at in self.stored}

    def during(self, t: float) -> Fault | None:
        return next((f for f in self.faults if f.ended and f.began <= t <= f.ended), None)

    def phase(self, t: float) -> str:
        """When ``t`` was: during a fault (first), just before one, or in the 5 s after one."""
        fault = self.during(t)
        if fault is not None:
            return f"during {fault.name}"
        for fault in self.faults:
            if fault.ended and fault.began - 1 <= t < fault.began:
                return f"within 1s before {fault.name}"
        for fault in self.faults:
            if fault.ended and fault.ended < t <= fault.ended + 5:
                return f"within 5s after {fault.name}"
        return "outside the faults"

    def at(self, t: float) -> str:
        return f"t={t - self.span[0]:.1f}s"

    def missing(self) -> dict[int, list[str]]:
        """Each stored message some client never received: the servers of those clients."""
        ids = [message_id for message_id, _body, _at in self.stored]
        gone: dict[int, list[str]] = {}
        for result in self.results:
            for message_id in ids:
                if message_id not in result["received"]:
                    gone.setdefault(message_id, []).append(result["server"])
        return gone

    def recovery(self) -> tuple[dict[str, float], dict[str, int]]:
        """Per fault: the longest wait from its end until a client received a message stored after
        it, and how many clients never did (their wait runs to the end of the run)."""
        stored_at = self.stored_at
        recovery, unrecovered = {}, {}
        for fault in self.faults:
            if not fault.ended:
                continue
            after = [i for i in stored_at if stored_at[i] >= fault.ended]
            worst, behind = 0.0, 0
            for result in self.results:
                times = [result["received"][i] for i in after if i in result["received"]]
                if times:
                    worst = max(worst, min(times) - fault.ended)
                else:
                    behind += 1
                    worst = max(worst, self.end - fault.ended)
            recovery[fault.name] = round(worst, 2)
            unrecovered[fault.name] = behind
        return recovery, unrecovered

    def cache_only_down(self, t: float) -> bool:
        """Redis going, gone, or back for less than CACHE_BACK_S (its clients reconnecting),
        and no other fault under way or about to begin (a request takes a while)."""
        redis = next((f for f in self.faults if f.name == "redis_restart" and f.ended), None)
        others = [f for f in self.faults if f is not redis and f.ended]
        return (
            redis is not None
            and redis.began <= t <= redis.ended + CACHE_BACK_S
            and not any(f.began - 1 <= t <= f.ended for f in others)
        )

    def http_errors(self) -> list[float]:
        return [t for t, status in self.probe.answers if isinstance(status, int) and status >= 500]


def figures(run: Run) -> dict[str, Any]:
    """What the clients received against what the database holds; see the module's docstring."""
    missing = run.missing()
    sent_at, stored_at = run.sent_at, run.stored_at
    errors = run.http_errors()
    # How far the server lagged the sender: from sending to the sender's own copy coming back.
    echoes = sorted(
        run.sender.received[i] - sent_at[i] for i in sent_at if i in run.sender.received
    )
    recovery, unrecovered = run.recovery()

    def overlaps_sending(freeze: tuple[float, float]) -> bool:
        return freeze[0] < run.span[1] and freeze[1] > run.span[0]

    # The sender is a socket like the others (and the one that writes, where errors happen).
    frozen = [f for r in run.results for f in r["frozen"]] + run.sender.frozen
    # How close the others came: the longest wait for a frame on a socket that did not freeze.
    silences = [s for r in run.results for s in r["silences"] if overlaps_sending(s)]

    return {
        "sent": run.sender.sent,
        "stored": len(run.stored),
        "lost": len(missing),
        "duplicates": sum(r["duplicates"] for r in run.results),
        "frozen_sockets": sum(overlaps_sending(f) for f in frozen),
        "http_5xx_while_cache_down": sum(map(run.cache_only_down, errors)),
        "recovery_s": max(recovery.values()) if recovery else None,
        "longest_silence_s": round(max((b - a for a, b in silences), default=0.0), 1),
        "lost_deliveries": sum(len(servers) for servers in missing.values()),
        "lost_by_phase": dict(Counter(run.phase(stored_at[i]) for i in missing)),
        "clients": len(run.results),
        "open_at_end": sum(r["open_at_end"] for r in run.results),
        "connections": sum(r["connections"] for r in run.results),
        "failed_connects": sum(r["failed_connects"] for r in run.results),
        "sender_frozen": sum(overlaps_sending(f) for f in run.sender.frozen),
        "sender_refused": dict(run.sender.refused),
        "echo_p50_s": round(echoes[len(echoes) // 2], 2) if echoes else None,
        "echo_max_s": round(echoes[-1], 2) if echoes else None,
        "http_5xx_total": len(errors),
        "http_probes_while_cache_down": sum(run.cache_only_down(t) for t, _s in run.probe.answers),
        "http_5xx_by_phase": dict(Counter(map(run.phase, errors))),
        "recovery_by_fault_s": recovery,
        "unrecovered_clients": unrecovered,
    }


def describe(summary: dict[str, Any], run: Run, args: argparse.Namespace) -> list[str]:
    """The human-readable summary printed before the JSON line."""
    statuses = Counter(str(s) for _t, s in run.probe.answers)
    lines = [
        f"UMKM Virtual Expo — faults: {summary['clients']} chat clients on 2 Daphne processes "
        f"(Redis layer, PostgreSQL), {args.rate:g} messages/s for {args.duration:g}s",
        "faults: "
        + "; ".join(
            f"{f.name} at {run.at(f.began)}, down {f.ended - f.down:.1f}s"
            for f in run.faults
            if f.ended
        ),  # fmt: skip
        f"sent {summary['sent']}, stored {summary['stored']}, sender refused "
        f"{summary['sender_refused'] or 'nothing'}, sender frozen {summary['sender_frozen']}; its "
        f"own messages came back after {summary['echo_p50_s']}s (median), "
        f"{summary['echo_max_s']}s at most",
        f"lost {summary['lost']} messages ({summary['lost_deliveries']} deliveries), duplicates "
        f"{summary['duplicates']}, frozen sockets {summary['frozen_sockets']} (longest silence "
        f"otherwise {summary['longest_silence_s']}s), "
        f"{summary['open_at_end']}/{summary['clients']} open at the end, "
        f"{summary['connections']} connections in all ({summary['failed_connects']} attempts "
        "failed)",
        f"lost messages by when they were stored: {summary['lost_by_phase'] or 'none'}",
        "recovery after each fault: "
        + ", ".join(
            f"{name} {s:.1f}s"
            + (
                f" ({summary['unrecovered_clients'][name]} clients never)"
                if summary["unrecovered_clients"][name]
                else ""
            )
            for name, s in summary["recovery_by_fault_s"].items()
        ),  # fmt: skip
        f"hall probe: {dict(statuses)}; 5xx while only the cache was down or just back "
        f"{summary['http_5xx_while_cache_down']} of {summary['http_probes_while_cache_down']}; "
        f"5xx by phase: {summary['http_5xx_by_phase'] or 'none'}",
    ]
    return lines + details(run)


def details(run: Run) -> list[str]:
    """Where to look: the lost messages, the second deliveries, 5xx outside the faults, the error
    frames the clients got (times from the start of the sending; servers by port)."""
    lines = []
    sent_at, stored_at = run.sent_at, run.stored_at
    missing = run.missing()
    if missing:
        shown = [
            f"#{i} sent {run.at(sent_at[i])} stored {run.at(stored_at[i])} missed by {len(servers)} ("
            + ", ".join(f"{n} on :{url.split(':')[2].split('/')[0]}"
                        for url, n in sorted(Counter(servers).items())) + ")"
            for i, servers in sorted(missing.items())[:8]
        ]  # fmt: skip
        lines.append(f"lost ({len(missing)}): " + "; ".join(shown))
    duplicates = [(i, how, run.at(t), r["server"].split(":")[2].split("/")[0])
                  for r in run.results for i, how, t in r["duplicate_ids"]]  # fmt: skip
    if duplicates:
        lines.append(f"second deliveries (id, how, when, server): {duplicates[:8]}")
    frozen = [(r["server"].split(":")[2].split("/")[0], run.at(since), run.at(noticed))
              for r in run.results for since, noticed in r["frozen"]]  # fmt: skip
    frozen += [("sender", run.at(since), run.at(noticed)) for since, noticed in run.sender.frozen]
    if frozen:
        lines.append(f"frozen sockets (server, silent since, noticed): {frozen[:8]}")
    outside = [run.at(t) for t in run.http_errors() if run.phase(t) == "outside the faults"]
    if outside:
        lines.append(f"hall 5xx outside the faults at: {', '.join(outside[:8])}")
    errors: Counter = Counter()
    for result in run.results:
        errors.update(result["errors"])
    if errors:
        lines.append(f"error frames to the clients: {dict(errors)}")
    return lines


# --- Main ----------------------------------------------------------------------------------------------

EMPTY = {"sent": None, "stored": None, "lost": None, "duplicates": None, "frozen_sockets": None,
         "http_5xx_while_cache_down": None, "recovery_s": None}  # fmt: skip


def _terminate(*_args: Any) -> None:
    raise KeyboardInterrupt  # SIGTERM: clean up as for Ctrl-C


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    summary: dict[str, Any] = dict(EMPTY)
    try:
        with contextlib.ExitStack() as stack:
            summary, lines = run(args, stack)
    except BenchError as exc:
        log(f"setup failed: {exc}")
        print(json_line(summary))
        return 1
    except KeyboardInterrupt:
        log("interrupted; everything started was stopped")
        print(json_line(summary))
        return 1
    print()
    for line in lines:
        print(line)
    print(json_line(summary))
    targets = ("lost", "duplicates", "frozen_sockets", "http_5xx_while_cache_down")
    return 0 if all(summary[k] == 0 for k in targets) else 2


def run(args: argparse.Namespace, stack: contextlib.ExitStack) -> tuple[dict, list[str]]:
    """Set everything up on ``stack`` (undone by the caller, whatever happens), run the clients,
    the sender, the probe and the faults, and work out the figures."""
    started = time.monotonic()
    postgres = stack.enter_context(postgres_server(max_connections=args.clients + 100))
    redis = stack.enter_context(redis_server())
    ws = stack.enter_context(workspace(postgres=postgres.url, redis=redis.url))
    with open(ws.dir / "bench_settings.py", "a") as overlay:
        overlay.write(SETTINGS_OVERLAY)
    (ws.dir / "sitecustomize.py").write_text(ONLY_THIS_CHECKOUT)
    log(f"PostgreSQL on {postgres.port}, Redis on {redis.port}, workspace {ws.dir}")
    if args.logs:
        stack.callback(_keep_logs, ws.dir, postgres, args.logs)
    ws.manage("migrate", "--noinput", "-v0")
    log(f"migrated in {time.monotonic() - started:.0f}s")
    daphnes = [DaphneServer(ws, log_name=f"daphne-{n}.log") for n in range(2)]
    for server in daphnes:
        stack.callback(server.stop)
    with ThreadPoolExecutor(3) as pool:  # seeding and the servers' start take as long
        seeding = pool.submit(ws.python, "-c", SEED, str(args.clients))
        list(pool.map(DaphneServer.start, daphnes))
        seeded = json.loads(seeding.result().strip().splitlines()[-1])
    log(
        f"seeded {args.clients} buyers; Daphne × 2: {', '.join(d.base for d in daphnes)} "
        f"({time.monotonic() - started:.0f}s since the start)"
    )
    hall = daphnes[0].base + seeded["hall"]
    probe = Probe(hall)
    with urllib.request.urlopen(hall, timeout=10) as response:
        if response.status != 200:
            raise BenchError(f"the hall page answered {response.status}")
    urls = [d.base.replace("http://", "ws://") + "/ws/" for d in daphnes]
    options = Options(ping=args.ping, heartbeat=args.heartbeat)
    fork = multiprocessing.get_context("fork")
    ours, theirs = fork.Pipe()
    clients = fork.Process(target=clients_process, daemon=True,
                           args=(theirs, urls, seeded["buyers"], seeded["room"], options))  # fmt: skip
    clients.start()
    stack.callback(_stop_process, clients)
    _ready, ready = _receive(ours, clients, 120)
    log(f"{ready}/{args.clients} clients joined {seeded['room']}, half on each Daphne")
    if ready < args.clients:
        raise BenchError(f"only {ready} of {args.clients} clients could join the room")
    services = Services(postgres, redis, daphnes)
    faults = [Fault(name) for name, _at in PLAN]
    sender = Sender(urls[0], seeded["sender"], seeded["room"], options)
    probe.start()
    stack.callback(probe.done.set)
    span = asyncio.run(run_sending(sender, faults, services, args))
    stored = _stored(ws.database_url, seeded["table"], seeded["room"])
    log(f"sending over: {sender.sent} sent, {len(stored)} stored; clients settle "
        f"(at most {args.settle:g}s)")  # fmt: skip
    ours.send(("settle", [message_id for message_id, _body, _at in stored], args.settle))
    results = _receive(ours, clients, args.settle + 60)
    probe.done.set()
    measured = Run(stored, results, sender, faults, probe, span, time.monotonic())
    summary = figures(measured)
    for server in daphnes:
        for exception, n in _exceptions(server.log_path).most_common(4):
            log(f"{server.log_path.name}: {n}× {exception}")
    return summary, describe(summary, measured, args)


def _stored(database_url: str, table: str, room: str) -> list[tuple[int, str, float]]:
    """The room's messages as the database holds them, by id: (id, body, when it was stored on
    this process's monotonic clock; the server runs on the same machine)."""
    import psycopg
    from psycopg import sql

    kind, pk = room.split(":")
    query = sql.SQL(
        "SELECT id, body, extract(epoch FROM sent_at)::float FROM {} "
        "WHERE room_kind = %s AND room_id = %s ORDER BY id"
    )
    with psycopg.connect(database_url, connect_timeout=10) as conn:
        rows = conn.execute(query.format(sql.Identifier(table)), (kind, int(pk))).fetchall()
    offset = time.time() - time.monotonic()
    return [(message_id, body, epoch - offset) for message_id, body, epoch in rows]


def _exceptions(path) -> Counter:
    """The last line of each traceback a server logged (what was raised), counted."""
    found: Counter = Counter()
    inside = False
    for line in path.read_text(errors="replace").splitlines() if path.exists() else []:
        if line.startswith("Traceback"):
            inside = True
        elif inside and line and not line[0].isspace():
            found[line[:200]] += 1
            inside = False
    return found


def _keep_logs(ws_dir, postgres: PostgresServer, target: str) -> None:
    folder = Path(target)
    folder.mkdir(parents=True, exist_ok=True)
    for path in [*ws_dir.glob("daphne-*.log"), postgres.folder / "server.log"]:
        if path.exists():
            shutil.copy(path, folder / ("postgres.log" if path.name == "server.log" else path.name))
    log(f"logs kept in {folder}")


def _receive(pipe, process, timeout: float) -> Any:
    """The clients' next answer, or BenchError if their process died or kept silent."""
    deadline = time.monotonic() + timeout
    while not pipe.poll(0.5):
        if not process.is_alive():
            raise BenchError(f"the clients' process ended ({process.exitcode})")
        if time.monotonic() > deadline:
            raise BenchError(f"the clients' process did not answer within {timeout:.0f}s")
    return pipe.recv()


def _stop_process(process) -> None:
    if process.is_alive():
        process.terminate()
        process.join(5)
        if process.is_alive():
            process.kill()
            process.join(5)


if __name__ == "__main__":
    sys.exit(main())
