"""How fast does one busy chat room fan out to N sockets, next to a plain websockets ceiling?

    .venv/bin/python bench/chat_fanout.py [--clients 1000] [--messages 100] [--rate 10]
                                          [--redis [URL]] [--processes 1] [--timeout 30]
                                          [--no-ceiling] [--profile DIR]
    .venv/bin/python bench/chat_fanout.py --clients 10000 --processes 2 --rate 1   # a big session

Seeds an open expo with one booth and a logged-in sender into a fresh SQLite database (in
``/dev/shm`` when there is one, so that disk fsyncs do not blur the figures; or a new database on
the PostgreSQL server of ``--postgres URL``, or of a throw-away server with ``--postgres`` alone:
its connection pool makes the joins of many sockets cheaper than SQLite's connection per query),
starts
Daphne (DEBUG off) on the in-memory channel layer — or, with ``--redis``, on Redis pub/sub: the URL
given, else ``REDIS_URL``, else a throw-away ``redis-server`` on a free port — and connects
``--clients`` websocket clients (the ``websockets`` package), all joined to the booth's room. One
sender posts ``--messages`` messages at ``--rate`` per second (``--rate 0``: a burst) through the real
protocol (stored, rate-limited — the limit raised for the bench — and broadcast after commit). With
``--processes 2`` two Daphne processes serve the room on Redis (a throw-away one unless
``--redis`` names one) and the clients are split between them. Then the same clients and sender run against a plain ``websockets`` broadcast server
(each frame encoded once, ``websockets.broadcast``), the ceiling.

The clients run in processes of their own (``--client-processes``, one per 1,000 clients by
default), apart from the sender; latency is from the send time each message carries to its arrival
at each client (``time.perf_counter`` is CLOCK_MONOTONIC on Linux, one clock for all processes).
Clients, sender and servers share the machine's CPUs. The bench raises its open-files limit to the
hard limit (the servers and client processes inherit it).

Memory per idle socket: each server's resident memory (``VmRSS``) is read once 32 warm-up sockets
per server process have joined the room (so that its worker threads and their memory are in use), and again once every client has joined and the room has
been quiet for a moment; (after − before) / sockets, summed over the server processes, is
``rss_per_socket_kb`` (and ``ceiling_rss_per_socket_kb`` for the plain server).

``--profile DIR``: where each Daphne process spends its time while the messages go out. With
``py-spy`` (on PATH, in ``.venv/bin``, or named by ``$PY_SPY``) each process is sampled from the
first message to the last delivery (``DIR/daphne-N.txt``, collapsed stacks); without it, Daphne's
event-loop thread runs under ``cProfile`` (switched on by the bench's settings through the
``BENCH_CPROFILE`` variable, dumped to ``DIR/daphne-N.prof`` when the server stops). The busiest
functions are printed either way.

The last line printed is one JSON object: {"clients", "connected", "expected", "delivered",
"duplicates", "p50_ms", "p95_ms", "p99_ms", "deliveries_per_s", "ceiling_deliveries_per_s",
"ceiling_p99_ms", "burst_ratio" or "p99_ratio" (against the ceiling), "rss_per_socket_kb", "layer",
"load", ...}; ``load`` is the machine's 1-minute load average before and after the run. Exit status: 0 every message delivered exactly once, 2 some were lost or doubled,
1 setup failed. Servers are stopped and temporary files removed at the end, always.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from _common import (
    BIN,
    PYTHON,
    BenchError,
    DaphneServer,
    free_port,
    json_line,
    log,
    postgres_server,
    rounded,
    workspace,
)

SEED = """
import json
import django
django.setup()
from datetime import timedelta
from django.test import Client
from django.utils import timezone
from booths.models import Booth, Vendor, VendorMembership
from expo.models import Expo, Office, Region, Sector, User
now = timezone.now()
office = Office.objects.create(name="Dinkop Bench", province="Bench", slug="bench")
region = Region.objects.create(province="Bench", code="99.99", name="Bench", kind="kota")
sector = Sector.objects.create(slug="bench", name_en="Bench", name_id="Bench")
expo = Expo.objects.create(
    office=office, slug="bench-expo", title_en="Bench Expo", title_id="Expo Bench",
    applications_open_at=now - timedelta(days=10), application_deadline=now - timedelta(days=5),
    opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=2),
)
vendor = Vendor.objects.create(name="Bench Batik", slug="bench-batik", owner_name="Sri",
                               region=region, sector=sector)
booth = Booth.objects.create(expo=expo, vendor=vendor, slug="bench-batik")
sender = User.objects.create_user(email="sender@bench.example", password="x", name="Sender")
VendorMembership.objects.create(vendor=vendor, user=sender)
client = Client()
client.force_login(sender)
print(json.dumps({"room": f"booth:{booth.pk}", "session": client.cookies["sessionid"].value}))
"""

SHM = "/dev/shm"
# Sockets per server joined before its memory is first read (not counted among the clients).
WARM_SOCKETS = 32
# The bench's sender posts far faster than a person may: lift the per-account limit for it only.
SETTINGS_OVERLAY = "\nCHAT_RATE_LIMIT = (1_000_000, 1)\n"
# --profile without py-spy: the server's event-loop thread (where settings are imported) runs under
# cProfile, dumped when the process ends.
CPROFILE_OVERLAY = """
import os as _os
if _os.environ.get("BENCH_CPROFILE"):
    import atexit as _atexit, cProfile as _cProfile
    _profiler = _cProfile.Profile()
    _profiler.enable()
    _out = _os.path.join(_os.environ["BENCH_CPROFILE"], f"daphne-{_os.getpid()}.prof")
    _atexit.register(lambda: (_profiler.disable(), _profiler.dump_stats(_out)))
"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--rate", type=float, default=10.0, help="messages per second; 0 = burst")
    parser.add_argument(
        "--redis",
        nargs="?",
        const="",
        default=None,
        metavar="URL",
        help="Redis pub/sub layer (URL, else REDIS_URL, else a throw-away redis-server)",
    )
    parser.add_argument("--processes", type=int, default=1, help="Daphne processes (Redis only)")
    parser.add_argument(
        "--postgres",
        nargs="?",
        const="",
        default=None,
        metavar="URL",
        help="PostgreSQL: a fresh database on the server of URL, else on a throw-away server",
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait after sending")
    parser.add_argument("--connect-concurrency", type=int, default=64)
    parser.add_argument(
        "--client-processes",
        type=int,
        default=0,
        help="processes the clients run in (default: one per 1,000 clients)",
    )
    parser.add_argument("--no-ceiling", action="store_true", help="skip the websockets ceiling")
    parser.add_argument("--profile", metavar="DIR", help="profile the Daphne processes into DIR")
    parser.add_argument("--serve-ceiling", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.clients < 1 or args.messages < 1 or args.rate < 0 or args.processes < 1:
        parser.error("--clients, --messages and --processes must be positive, --rate >= 0")
    if args.processes > 1 and args.redis is None:
        args.redis = ""  # several processes share the room through Redis: a throw-away one
    return args


# --- The ceiling: a plain websockets broadcast server --------------------------------------------


async def serve_ceiling(port: int) -> None:
    import websockets
    from websockets.asyncio.server import serve

    members: set = set()
    counter = 0

    async def handler(ws) -> None:
        nonlocal counter
        with contextlib.suppress(websockets.ConnectionClosed):
            await serve_one(ws)

    async def serve_one(ws) -> None:
        nonlocal counter
        try:
            async for raw in ws:
                frame = json.loads(raw)
                if frame.get("type") == "join":
                    members.add(ws)
                    await ws.send(
                        json.dumps({"type": "history", "room": frame["room"], "messages": []})
                    )
                elif frame.get("type") == "message":
                    counter += 1
                    text = json.dumps(
                        {
                            "type": "message",
                            "room": frame["room"],
                            "id": counter,
                            "author": {"name": "Sender", "role": "vendor"},
                            "body": frame["body"],
                            "sent_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
                            "client_id": frame["client_id"],
                        },
                        separators=(",", ":"),
                    )
                    websockets.broadcast(members, text)
        finally:
            members.discard(ws)

    async with serve(handler, "127.0.0.1", port, compression=None, max_queue=None):
        await asyncio.Future()


@contextlib.contextmanager
def ceiling_server() -> Iterator[tuple[str, int]]:
    """The plain server's URL and process id."""
    port = free_port()
    process = subprocess.Popen(
        [str(PYTHON), str(Path(__file__).resolve()), "--serve-ceiling", str(port)],
        start_new_session=True,
    )
    try:
        _wait_for_port(port, process, "the ceiling server")
        yield f"ws://127.0.0.1:{port}/", process.pid
    finally:
        _stop(process)


# --- A throw-away Redis ------------------------------------------------------------------------


@contextlib.contextmanager
def redis_server(given: str | None) -> Iterator[str | None]:
    if given is None:
        yield None
        return
    url = given or os.environ.get("REDIS_URL", "")
    if url:
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        raise BenchError("--redis without a URL needs redis-server (apt-get install redis-server)")
    port = free_port()
    folder = tempfile.mkdtemp(prefix="umkm-bench-redis-")
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            folder,
        ],  # fmt: skip
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_for_port(port, process, "redis-server")
        log(f"throw-away redis-server on port {port}")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        _stop(process)
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def own_postgres(given: str | None) -> Iterator[str | None]:
    """The PostgreSQL server URL to make the bench's database on: the one given, else (``--postgres``
    without a URL) a throw-away server's; None for SQLite."""
    if not given:
        if given is None:
            yield None
            return
        with postgres_server(max_connections=200) as server:
            log(f"throw-away PostgreSQL on port {server.port}")
            yield server.url
        return
    yield given


def _wait_for_port(port: int, process: subprocess.Popen, what: str, timeout: float = 15) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"{what} exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise BenchError(f"{what} did not listen on port {port} within {timeout:.0f}s")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, 15)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, 9)
        process.wait(timeout=5)


# --- The load --------------------------------------------------------------------------------------


@dataclass
class Outcome:
    name: str
    clients: int
    messages: int
    connected: int = 0
    delivered: int = 0
    duplicates: int = 0
    refused: int = 0
    closed: dict[str, int] = field(default_factory=dict)  # close code -> sockets ended early
    latencies: list[float] = field(default_factory=list)
    by_message: dict[int, list[float]] = field(default_factory=dict)
    first_send: float = 0.0
    last_delivery: float = 0.0
    rss_before: int = 0  # the servers' resident bytes with the warm-up sockets joined
    rss_after: int = 0  # ... with every client joined and idle

    @property
    def rss_per_socket_kb(self) -> float | None:
        if not self.connected or not self.rss_after:
            return None
        return (self.rss_after - self.rss_before) / self.connected / 1024

    @property
    def expected(self) -> int:
        return self.connected * self.messages

    def percentile_ms(self, q: int) -> float | None:
        if not self.latencies:
            return None
        if len(self.latencies) == 1:
            return self.latencies[0] * 1000
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[q - 1] * 1000

    @property
    def deliveries_per_s(self) -> float:
        span = self.last_delivery - self.first_send
        return self.delivered / span if span > 0 else 0.0

    def slowest(self, n: int = 5) -> str:
        """The messages whose median delivery was slowest: where the tail comes from."""
        medians = sorted(
            ((statistics.median(v) * 1000, seq) for seq, v in self.by_message.items()),
            reverse=True,
        )[:n]
        return ", ".join(f"#{seq} {ms:.0f} ms" for ms, seq in medians)

    def line(self) -> str:
        def ms(q: int) -> str:
            value = self.percentile_ms(q)
            return "-" if value is None else f"{value:.1f}"

        return (
            f"{self.name:<28} connected {self.connected}/{self.clients}  delivered "
            f"{self.delivered}/{self.expected}  duplicates {self.duplicates}  p50 {ms(50)} ms  "
            f"p95 {ms(95)} ms  p99 {ms(99)} ms  {self.deliveries_per_s:,.0f} deliveries/s"
            + (f"  REFUSED {self.refused}" if self.refused else "")
        )


def _client_worker(
    urls: list[str], room: str, indices: list[int], messages: int, connect_concurrency: int,
    deadline_after_ready: float, pipe,
) -> None:  # fmt: skip
    """One client process: open its share of the sockets, report ready, count what arrives from
    the "start" of the sending on until every message came or the deadline passed."""
    _raise_open_files()
    result = asyncio.run(
        _clients(urls, room, indices, messages, connect_concurrency, deadline_after_ready, pipe)
    )
    pipe.send(result)
    pipe.close()


async def _clients(urls, room, indices, messages, connect_concurrency, deadline_after_ready, pipe):
    from websockets.asyncio.client import connect

    gate = asyncio.Semaphore(connect_concurrency)
    origin = urls[0].replace("ws://", "http://").rstrip("/").rsplit("/", 1)[0]
    finished = asyncio.Event()
    result = {"connected": 0, "delivered": 0, "duplicates": 0, "latencies": [], "by_message": {},
              "last_delivery": 0.0, "failures": [], "closed": {}}  # fmt: skip
    remaining = 0

    async def open_client(i: int):
        async with gate:
            ws = await connect(urls[i % len(urls)], origin=origin, compression=None,
                               ping_interval=None, open_timeout=60, max_size=2**20)  # fmt: skip
            await ws.send(json.dumps({"type": "join", "room": room}))
            frame = json.loads(await ws.recv())
            while frame.get("type") != "history":  # presence frames come before the history
                frame = json.loads(await ws.recv())
        # Read from now on, as a browser does: a socket left unread fills its receive queue,
        # stops reading, cannot answer Daphne's pings, and is dropped (1006) once its ping times
        # out (20 + 30 s) — with 10,000 sockets connecting for minutes, the sockets that joined
        # first were lost that way before the first message.
        readers.append(asyncio.create_task(read(ws)))
        return ws

    async def read(ws) -> None:
        try:
            await read_frames(ws)
        finally:
            if ws.close_code is not None:  # the connection ended before the bench ended it
                code = str(ws.close_code)
                result["closed"][code] = result["closed"].get(code, 0) + 1

    async def read_frames(ws) -> None:
        nonlocal remaining
        seen = bytearray(messages)
        count = 0
        latencies, by_message = result["latencies"], result["by_message"]
        async for raw in ws:
            if '"type":"message"' not in raw:
                continue
            now = time.perf_counter()
            _word, seq, sent = json.loads(raw)["body"].split()
            seq = int(seq)
            if seen[seq]:
                result["duplicates"] += 1
                continue
            seen[seq] = 1
            result["delivered"] += 1
            latency = now - float(sent)
            latencies.append(latency)
            by_message.setdefault(seq, []).append(latency)
            result["last_delivery"] = now
            count += 1
            if count == messages:
                remaining -= 1
                if remaining == 0:
                    finished.set()

    readers: list[asyncio.Task] = []
    opened = await asyncio.gather(*(open_client(i) for i in indices), return_exceptions=True)
    sockets = [ws for ws in opened if not isinstance(ws, BaseException)]
    result["failures"] = [repr(e) for e in opened if isinstance(e, BaseException)][:3]
    result["connected"] = remaining = len(sockets)
    pipe.send("ready")
    # The deadline counts from the first message (other processes may still be connecting).
    await asyncio.get_running_loop().run_in_executor(None, pipe.recv)
    if remaining:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(finished.wait(), deadline_after_ready)
    for task in readers:
        task.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    for ws in sockets:
        ws.transport.abort()
    return result


async def run_load(
    name: str,
    urls: list[str],
    room: str,
    *,
    clients: int,
    messages: int,
    rate: float,
    timeout: float,
    cookie: str = "",
    connect_concurrency: int = 64,
    client_processes: int = 1,
    server_pids: list[int] = (),
    profiler: Profiler | None = None,
) -> Outcome:
    """Clients in ``client_processes`` processes of their own (so that reading does not starve the
    sender or one another); latency from the send time each message carries (CLOCK_MONOTONIC is
    system-wide on Linux) to its arrival. The servers' memory is read before the clients connect
    (the warm-up sockets joined) and once they all sit idle in the room."""
    import multiprocessing

    from websockets.asyncio.client import connect

    outcome = Outcome(name, clients, messages)
    origin = urls[0].replace("ws://", "http://").rstrip("/").rsplit("/", 1)[0]
    sending = messages / rate if rate else 5.0
    options = dict(origin=origin, compression=None, ping_interval=None, open_timeout=60)

    async def warm_up(url: str):
        ws = await connect(url, **options)
        await ws.send(json.dumps({"type": "join", "room": room}))
        while json.loads(await ws.recv()).get("type") != "history":
            pass
        return ws

    # The first sockets of a process load what every later one shares (code, the worker threads
    # and their memory): WARM_SOCKETS per server join at once before the memory is first read.
    async def drain(ws) -> None:
        with contextlib.suppress(Exception):
            async for _raw in ws:
                pass

    warm = []
    for url in urls:
        warm += await asyncio.gather(*(warm_up(url) for _ in range(WARM_SOCKETS)))
    drains = [asyncio.create_task(drain(ws)) for ws in warm]  # read, or Daphne drops them
    await asyncio.sleep(1.0)
    outcome.rss_before = sum(rss(pid) for pid in server_pids)
    fork = multiprocessing.get_context("fork")
    per_process = max(4, connect_concurrency // client_processes)
    workers = []
    for k in range(client_processes):
        ours, theirs = fork.Pipe()
        indices = list(range(k, clients, client_processes))
        process = fork.Process(
            target=_client_worker,
            args=(urls, room, indices, messages, per_process, sending + timeout + 5, theirs),
            daemon=True,
        )
        process.start()
        workers.append((process, ours))
    connecting = time.perf_counter()
    for _process, pipe in workers:
        assert await received(pipe) == "ready"
    log(
        f"{name}: {clients} clients connected and joined in {time.perf_counter() - connecting:.1f}s"
    )
    headers = {"Cookie": f"sessionid={cookie}"} if cookie else None
    sender = await connect(urls[0], additional_headers=headers, **options)

    async def watch_sender() -> None:
        async for raw in sender:
            frame = json.loads(raw)
            if frame.get("type") == "error":
                outcome.refused += 1
                if outcome.refused == 1:
                    log(f"{name}: the sender was refused: {frame}")

    watcher = asyncio.create_task(watch_sender())
    await asyncio.sleep(2.0)  # let presence settle: the sockets are idle
    outcome.rss_after = sum(rss(pid) for pid in server_pids)
    if profiler is not None:
        profiler.start()
    for _process, pipe in workers:
        pipe.send("start")
    log(f"{name}: {clients} clients in {client_processes} process(es); sending {messages} messages"
        f"{f' at {rate:g}/s' if rate else ' in a burst'}")  # fmt: skip
    start = time.perf_counter()
    outcome.first_send = start
    for seq in range(messages):
        if rate:
            delay = start + seq / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        body = f"bench {seq} {time.perf_counter():.6f}"
        frame = {"type": "message", "room": room, "body": body, "client_id": str(seq)}
        await sender.send(json.dumps(frame))
    results = [await received(pipe) for _process, pipe in workers]
    if profiler is not None:
        profiler.stop()
    for task in (watcher, *drains):
        task.cancel()
    await asyncio.gather(watcher, *drains, return_exceptions=True)
    for ws in (sender, *warm):
        ws.transport.abort()
    for process, _pipe in workers:
        process.join(timeout=10)
    for result in results:
        outcome.connected += result["connected"]
        outcome.delivered += result["delivered"]
        outcome.duplicates += result["duplicates"]
        outcome.latencies += result["latencies"]
        outcome.last_delivery = max(outcome.last_delivery, result["last_delivery"])
        for seq, values in result["by_message"].items():
            outcome.by_message.setdefault(seq, []).extend(values)
        if result["failures"]:
            log(f"{name}: some clients could not connect (first: {result['failures'][0]})")
        for code, n in result["closed"].items():
            outcome.closed[code] = outcome.closed.get(code, 0) + n
    if outcome.closed:
        log(f"{name}: sockets closed before the end, by close code: {outcome.closed}")
    return outcome


async def received(pipe):
    """The next object from a client process, waited for on the loop (not in a thread that an
    interrupted run would wait for forever); EOFError when the process died."""
    loop = asyncio.get_running_loop()
    while not pipe.poll():
        readable = loop.create_future()
        loop.add_reader(pipe.fileno(), _settle, readable)
        try:
            with contextlib.suppress(TimeoutError):  # poll again: the process may have ended
                await asyncio.wait_for(readable, 5.0)
        finally:
            loop.remove_reader(pipe.fileno())
    return pipe.recv()


def _settle(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)


def rss(pid: int) -> int:
    """A process's resident memory in bytes (0 when it cannot be read)."""
    with contextlib.suppress(OSError), open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


# --- Profiling ---------------------------------------------------------------------------------


def py_spy() -> str | None:
    found = os.environ.get("PY_SPY") or shutil.which("py-spy")
    if not found and (BIN / "py-spy").exists():
        found = str(BIN / "py-spy")
    return found


class Profiler:
    """py-spy sampling each Daphne process while the messages go out (see the module's
    docstring); without py-spy the servers profile themselves (cProfile) and this only reads the
    dumps once they stopped."""

    def __init__(self, folder: Path, pids: list[int]) -> None:
        self.folder = folder
        self.pids = pids
        self.binary = py_spy()
        self.samplers: list[subprocess.Popen] = []

    def start(self) -> None:
        if self.binary is None:
            return
        for n, pid in enumerate(self.pids):
            self.samplers.append(
                subprocess.Popen(
                    [self.binary, "record", "--pid", str(pid), "--rate", "200", "--nonblocking",
                     "--format", "raw", "-o", str(self.folder / f"daphne-{n}.txt")],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )
            )  # fmt: skip

    def stop(self) -> None:
        for sampler in self.samplers:
            sampler.send_signal(2)  # py-spy writes its file on Ctrl-C
        for sampler in self.samplers:
            try:
                sampler.wait(timeout=30)
            except subprocess.TimeoutExpired:
                sampler.kill()

    def report(self, top: int = 15) -> None:
        if self.binary is not None:
            for path in sorted(self.folder.glob("daphne-*.txt")):
                log(f"profile {path} (share of the event loop thread's samples, self time):")
                for share, where in busiest(path, top):
                    log(f"  {share:5.1f}%  {where}")
            return
        import pstats

        for path in sorted(self.folder.glob("daphne-*.prof")):
            log(f"profile {path} (cProfile of the event loop thread, by own time):")
            stats = pstats.Stats(str(path))
            total = sum(entry[2] for entry in stats.stats.values()) or 1.0
            rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:top]
            for (file, line, function), entry in rows:
                log(f"  {100 * entry[2] / total:5.1f}%  {function} ({Path(file).name}:{line})")


def busiest(path: Path, top: int) -> list[tuple[float, str]]:
    """The functions the main thread's samples of a py-spy raw file end in, by share."""
    own: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack.startswith("<module> (daphne"):
            continue  # worker threads: the event loop is the one that fans out
        function, _, place = stack.rsplit(";", 1)[-1].partition(" (")
        where = f"{function} ({place.rsplit('/', 1)[-1].split(':')[0]})"
        own[where] = own.get(where, 0) + int(count)
        total += int(count)
    rows = sorted(own.items(), key=lambda item: item[1], reverse=True)[:top]
    return [(100 * n / (total or 1), where) for where, n in rows]


# --- Main ------------------------------------------------------------------------------------------


def _raise_open_files() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def summary(
    args: argparse.Namespace, main: Outcome | None, ceiling: Outcome | None, load: list[float]
) -> dict:
    main = main or Outcome("-", args.clients, args.messages)
    data = {
        "clients": args.clients,
        "connected": main.connected,
        "expected": main.expected,
        "delivered": main.delivered,
        "duplicates": main.duplicates,
        "p50_ms": rounded(main.percentile_ms(50)),
        "p95_ms": rounded(main.percentile_ms(95)),
        "p99_ms": rounded(main.percentile_ms(99)),
        "deliveries_per_s": rounded(main.deliveries_per_s, 0),
        "ceiling_deliveries_per_s": rounded(ceiling.deliveries_per_s, 0) if ceiling else None,
        "ceiling_p99_ms": rounded(ceiling.percentile_ms(99)) if ceiling else None,
        "rss_per_socket_kb": rounded(main.rss_per_socket_kb),
        "ceiling_rss_per_socket_kb": rounded(ceiling.rss_per_socket_kb) if ceiling else None,
        "layer": "redis" if args.redis is not None else "memory",
        "processes": args.processes,
        "messages": args.messages,
        "rate": args.rate,
        "load": load,
    }
    if ceiling and ceiling.deliveries_per_s and main.latencies:
        if args.rate:
            data["p99_ratio"] = rounded(main.percentile_ms(99) / ceiling.percentile_ms(99), 2)
        else:
            data["burst_ratio"] = rounded(main.deliveries_per_s / ceiling.deliveries_per_s, 2)
    return data


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def main(argv: list[str] | None = None) -> int:
    """Long because it is the bench's whole run, in order: services, seed, Daphne, the load, the
    ceiling, the report."""
    args = parse_args(argv)
    if args.serve_ceiling:
        asyncio.run(serve_ceiling(args.serve_ceiling))
        return 0
    _raise_open_files()
    if args.postgres is None and os.path.isdir(SHM) and os.access(SHM, os.W_OK):
        # SQLite's commits and checkpoints on a disk shared with other work add fsync stalls
        # that have nothing to do with fan-out; the throw-away database lives in memory.
        tempfile.tempdir = SHM
    outcome = ceiling = None
    loads = [load_average()]
    load = dict(
        clients=args.clients,
        messages=args.messages,
        rate=args.rate,
        timeout=args.timeout,
        connect_concurrency=args.connect_concurrency,
        client_processes=args.client_processes or max(1, round(args.clients / 1000)),
    )
    profile_dir = Path(args.profile).resolve() if args.profile else None
    try:
        with (
            redis_server(args.redis) as redis_url,
            own_postgres(args.postgres) as postgres_url,
            workspace(postgres=postgres_url, redis=redis_url) as ws,
        ):
            with open(ws.dir / "bench_settings.py", "a") as overlay:
                overlay.write(SETTINGS_OVERLAY + CPROFILE_OVERLAY)
            ws.env["DJANGO_LOG_LEVEL"] = "INFO"  # sockets told to resume are logged at INFO
            ws.manage("migrate", "--noinput", "-v0")
            seeded = json.loads(ws.python("-c", SEED).strip().splitlines()[-1])
            layer = "Redis pub/sub" if redis_url else "in-memory"
            profiler = None
            if profile_dir is not None:
                profile_dir.mkdir(parents=True, exist_ok=True)
                if py_spy() is None:
                    ws.env["BENCH_CPROFILE"] = str(profile_dir)
            with contextlib.ExitStack() as servers:
                daphnes = [DaphneServer(ws, log_name=f"daphne-{n}.log")
                           for n in range(args.processes)]  # fmt: skip
                for server in daphnes:
                    servers.callback(server.stop)
                bases = [server.start() for server in daphnes]
                pids = [server.process.pid for server in daphnes]
                if profile_dir is not None:
                    profiler = Profiler(profile_dir, pids)
                urls = [base.replace("http://", "ws://") + "/ws/" for base in bases]
                log(f"Daphne × {args.processes} on the {layer} layer: {', '.join(bases)}")
                name = f"daphne ×{args.processes} ({'redis' if redis_url else 'memory'})"
                outcome = asyncio.run(
                    run_load(name, urls, seeded["room"], cookie=seeded["session"],
                             server_pids=pids, profiler=profiler, **load)
                )  # fmt: skip
                log(outcome.line())
                log(f"slowest messages (median over clients): {outcome.slowest()}")
                for n, server in enumerate(daphnes):
                    for problem in server.problems()[:3]:
                        log(f"Daphne logged: {problem[:200]}")
                    text = server.log_path.read_text(errors="replace")
                    log(f"Daphne {n}: {text.count('too slow to keep up')} sockets told to resume "
                        f"(too slow), {text.count('catching up')} catch-ups after a broken "
                        "subscription")  # fmt: skip
            if profiler is not None:
                profiler.report()
            if not args.no_ceiling:
                with ceiling_server() as (url, pid):
                    ceiling = asyncio.run(
                        run_load("websockets ceiling", [url], "booth:1", server_pids=[pid], **load)
                    )
                    log(ceiling.line())
    except BenchError as exc:
        log(f"setup failed: {exc}")
        print(json_line(summary(args, outcome, ceiling, [*loads, load_average()])))
        return 1
    except KeyboardInterrupt:
        log("interrupted")
        print(json_line(summary(args, outcome, ceiling, [*loads, load_average()])))
        return 1

    figures = summary(args, outcome, ceiling, [*loads, load_average()])
    print()
    print(
        f"UMKM Virtual Expo — chat fan-out: {args.clients} clients in one room, {args.messages} "
        f"messages {f'at {args.rate:g}/s' if args.rate else 'in a burst'}, "
        f"{args.processes} Daphne process(es), {figures['layer']} layer, "
        f"{os.cpu_count()} CPUs shared by servers and clients, load {figures['load']}"
    )
    for result in (outcome, ceiling):
        if result is not None:
            memory = result.rss_per_socket_kb
            print(result.line() + ("" if memory is None else f"  {memory:.1f} KB/idle socket"))
    lost = outcome.delivered != outcome.expected or outcome.duplicates
    if lost:
        print(f"! {outcome.expected - outcome.delivered} deliveries missing, "
              f"{outcome.duplicates} duplicates")  # fmt: skip
    print(json_line(figures))
    return 2 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
