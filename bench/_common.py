"""Shared pieces of the benchmarks: a throw-away database and media folder, the production-like
server environment, Daphne in a subprocess, and a bounded HTTP load generator.

Run a bench as a script from the checkout: ``.venv/bin/python bench/hall.py``. Everything a bench
creates lives in one temporary folder (and, with ``--postgres``, one temporary database) that is
removed at the end whatever happens.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PYTHON = BIN / "python"
DAPHNE = BIN / "daphne"
# Variables that would point the server at services the bench did not start.
SERVICE_VARIABLES = (
    "REDIS_URL",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "STRIPE_SECRET_KEY",
    "STRIPE_PUBLISHABLE_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "STRIPE_API_BASE",
    "EMAIL_URL",
    "DJANGO_SETTINGS_MODULE",
)


class BenchError(RuntimeError):
    """Setting up the bench failed; the message says where and shows the output."""


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(text: str, lines: int = 30) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


# --- The throw-away workspace --------------------------------------------------------------------


@dataclass
class Workspace:
    dir: Path
    database_url: str
    env: dict[str, str] = field(default_factory=dict)

    def manage(self, *args: str, timeout: float = 600) -> str:
        """Run ``manage.py`` with the server's environment; its stdout, or BenchError."""
        return self.python(str(ROOT / "manage.py"), *args, timeout=timeout)

    def python(self, *args: str, timeout: float = 600) -> str:
        done = subprocess.run(
            [str(PYTHON), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            shown = " ".join(a if len(a) < 60 else a[:57] + "..." for a in args)
            raise BenchError(
                f"`python {shown}` failed ({done.returncode}):\n{_tail(done.stderr or done.stdout)}"
            )
        return done.stdout


def _postgres_database(admin_url: str) -> tuple[str, callable]:
    """Create a fresh database next to ``admin_url``'s; its URL and a function that drops it."""
    import psycopg
    from psycopg import sql

    name = f"umkm_bench_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        raise BenchError(f"could not create a database on the --postgres server: {exc}") from None
    parts = urlsplit(admin_url)
    url = urlunsplit(parts._replace(path=f"/{name}"))

    def drop() -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    return url, drop


@contextlib.contextmanager
def workspace(*, postgres: str | None = None, redis: str | None = None) -> Iterator[Workspace]:
    """A temporary folder (SQLite file, media, static files, task queue) and the environment of a
    production-like server (DEBUG off, a fresh secret key); removed on exit, always."""
    folder = Path(tempfile.mkdtemp(prefix="umkm-bench-"))
    drop = None
    try:
        if postgres:
            database_url, drop = _postgres_database(postgres)
        else:
            database_url = f"sqlite:///{folder / 'bench.sqlite3'}"
        # STATIC_ROOT is not read from the environment: a two-line settings module next to the
        # data puts the collected static files in the temporary folder too.
        (folder / "bench_settings.py").write_text(
            "from expo.settings import *  # noqa: F403\n"
            "from pathlib import Path\n"
            f"STATIC_ROOT = Path({str(folder / 'static')!r})\n"
        )
        env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "bench_settings",
                "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)]),
                "DJANGO_DEBUG": "0",
                "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
                "DJANGO_SECURE_SSL_REDIRECT": "0",
                "DJANGO_LOG_LEVEL": "WARNING",
                "DATABASE_URL": database_url,
                "MEDIA_ROOT": str(folder / "media"),
                "HUEY_SQLITE_PATH": str(folder / "huey.sqlite3"),
                "PYTHONUNBUFFERED": "1",
            }
        )
        if redis:
            env["REDIS_URL"] = redis
        yield Workspace(folder, database_url, env)
    finally:
        if drop is not None:
            try:
                drop()
            except Exception as exc:  # report, but keep cleaning up
                log(f"could not drop the bench database: {exc}")
        shutil.rmtree(folder, ignore_errors=True)


# --- Daphne --------------------------------------------------------------------------------------


def _get(url: str, timeout: float = 2.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


class DaphneServer:
    """One Daphne process serving the project on a fixed 127.0.0.1 port, which can be killed and
    started again on the same port (the fault bench does); :func:`daphne` serves one for the
    benches that only need it up. Its output goes to ``log_name`` in the workspace, appended to
    across restarts."""

    def __init__(self, ws: Workspace, *, port: int | None = None,
                 log_name: str = "daphne.log") -> None:  # fmt: skip
        self.ws = ws
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = ws.dir / log_name
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 40) -> str:
        """Start the process; its base URL once /healthz answers 200, else BenchError."""
        mode = "ab" if self.process is not None else "wb"
        with open(self.log_path, mode) as output:
            self.process = subprocess.Popen(
                [str(DAPHNE), "-b", "127.0.0.1", "-p", str(self.port), "expo.asgi:application"],
                cwd=ROOT,
                env=self.ws.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        status = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(
                    f"Daphne exited with {self.process.returncode} before answering:\n"
                    + _tail(self.log_path.read_text(errors="replace"))
                )
            with contextlib.suppress(OSError):
                status = _get(f"{self.base}/healthz")
                if status == 200:
                    return self.base
            time.sleep(0.2)
        raise BenchError(
            f"/healthz did not answer 200 within {timeout:.0f}s (last: {status}):\n"
            + _tail(self.log_path.read_text(errors="replace"))
        )

    def kill(self) -> None:
        """SIGKILL the process group, as a crash would end it: no shutdown, no goodbye frames."""
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)

    def problems(self) -> list[str]:
        """The log lines that show a server error (tracebacks, ERROR records)."""
        if not self.log_path.exists():
            return []
        return [
            line
            for line in self.log_path.read_text(errors="replace").splitlines()
            if "Traceback" in line or " ERROR " in line
        ]


@contextlib.contextmanager
def daphne(ws: Workspace, *, port: int | None = None, timeout: float = 40) -> Iterator[str]:
    """Serve the project with Daphne on 127.0.0.1; yields the base URL once /healthz answers 200.
    The process (and its process group) is stopped on exit, always."""
    server = DaphneServer(ws, port=port)
    try:
        yield server.start(timeout)
    finally:
        server.stop()
        problems = server.problems()
        if problems:
            log(f"Daphne logged {len(problems)} error line(s); first: {problems[0][:200]}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


# --- PostgreSQL and Redis servers of the bench's own ----------------------------------------------

PG_BIN_CANDIDATES = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def _as_postgres(command: list[str]) -> list[str]:
    """initdb and pg_ctl refuse to run as root: as root, run them as the ``postgres`` user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PostgresServer:
    """A PostgreSQL server in a temporary folder on a free 127.0.0.1 port that can be stopped and
    started again on the same port. ``url`` is the admin URL (hand it to :func:`workspace`)."""

    def __init__(self, *, max_connections: int = 100) -> None:
        if not PG_BIN_CANDIDATES:
            raise BenchError("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin")
        self.bin = PG_BIN_CANDIDATES[0]
        self.max_connections = max_connections
        self.folder = Path(tempfile.mkdtemp(prefix="umkm-bench-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"
        self.running = False

    def _run(self, *command: str) -> subprocess.CompletedProcess:
        # A session of its own: a Ctrl-C in the terminal must not reach the postmaster.
        return subprocess.run(
            _as_postgres([str(self.bin / command[0]), *command[1:]]),
            capture_output=True, text=True, check=False, start_new_session=True,
        )  # fmt: skip

    def init(self) -> None:
        sock = self.folder / "sock"
        sock.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
            shutil.chown(sock, "postgres", "postgres")
        done = self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust",
                         "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")  # fmt: skip
        if done.returncode != 0:
            raise BenchError(f"initdb failed:\n{done.stderr or done.stdout}")

    def start(self) -> None:
        """Start (again) on the same port; returns once it accepts connections."""
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder / 'sock'} "
            f"-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            f"-c max_connections={self.max_connections}"
        )
        log_file = self.folder / "server.log"
        done = self._run("pg_ctl", "-D", str(self.data), "-l", str(log_file), "-w", "-t", "30",
                         "-o", options, "start")  # fmt: skip
        if done.returncode != 0:
            text = log_file.read_text(errors="replace") if log_file.exists() else ""
            raise BenchError(f"pg_ctl start failed:\n{done.stderr or done.stdout}\n{text[-2000:]}")
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``fast``: open connections are cut, as in a failover)."""
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")
            self.running = False

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@contextlib.contextmanager
def postgres_server(*, max_connections: int = 100) -> Iterator[PostgresServer]:
    """A started :class:`PostgresServer`; stopped and removed on exit, always."""
    server = PostgresServer(max_connections=max_connections)
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.remove()


class RedisServer:
    """A ``redis-server`` without persistence in a temporary folder on a free 127.0.0.1 port that
    can be shut down (``SHUTDOWN NOSAVE``: everything in it is gone) and started again on the same
    port. ``url`` is its ``redis://`` URL."""

    def __init__(self) -> None:
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            raise BenchError("redis-server is missing (apt-get install redis-server)")
        self.folder = Path(tempfile.mkdtemp(prefix="umkm-bench-redis-"))
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def command(self, *words: str, timeout: float = 2.0) -> bytes:
        """Send one command (RESP) and return the first line of the answer."""
        request = f"*{len(words)}\r\n".encode() + b"".join(
            f"${len(w.encode())}\r\n{w}\r\n".encode() for w in words
        )
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as conn:
            conn.sendall(request)
            return conn.makefile("rb").readline()

    def start(self, timeout: float = 15) -> None:
        """Start (again) on the same port; returns once it answers PING."""
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"redis-server exited with {self.process.returncode}")
            with contextlib.suppress(OSError):
                if self.command("PING").startswith(b"+PONG"):
                    return
            time.sleep(0.05)
        raise BenchError(f"redis-server did not answer on port {self.port} within {timeout:.0f}s")

    def shutdown(self) -> None:
        """``SHUTDOWN NOSAVE`` and wait for the process to end (killed if it does not)."""
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(OSError):
            self.command("SHUTDOWN", "NOSAVE")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _stop(self.process)

    def remove(self) -> None:
        self.shutdown()
        shutil.rmtree(self.folder, ignore_errors=True)


@contextlib.contextmanager
def redis_server() -> Iterator[RedisServer]:
    """A started :class:`RedisServer`; stopped and removed on exit, always."""
    server = RedisServer()
    try:
        server.start()
        yield server
    finally:
        server.remove()


# --- Load ----------------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    path: str
    seconds: float
    latencies: list[float] = field(default_factory=list)  # of 200 responses, in seconds
    statuses: Counter = field(default_factory=Counter)
    body_bytes: int = 0

    @property
    def ok(self) -> int:
        return self.statuses.get(200, 0)

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != 200)

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile_ms(self, q: float) -> float | None:
        if not self.latencies:
            return None
        if len(self.latencies) == 1:
            return self.latencies[0] * 1000
        cuts = statistics.quantiles(self.latencies, n=100, method="inclusive")
        return cuts[round(q) - 1] * 1000

    def describe_errors(self) -> str:
        return ", ".join(
            f"{status}×{n}" for status, n in sorted(self.statuses.items(), key=str) if status != 200
        )


async def _load_aiohttp(
    url: str,
    concurrency: int,
    duration: float,
    result: Result,
    *,
    paths: Iterator[str] | None = None,
) -> None:
    """Anonymous GETs of ``url`` for ``duration`` seconds; with ``paths``, each request takes the
    next path after ``url`` as its base (uncached pages, a new query each time)."""
    import aiohttp

    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=15)
    headers = {"Accept-Language": "en", "Accept": "text/html,application/json"}
    async with aiohttp.ClientSession(
        connector=connector,
        timeout=timeout,
        headers=headers,
        cookie_jar=aiohttp.DummyCookieJar(),  # every request an anonymous visitor
    ) as session:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + duration

        async def worker() -> None:
            while loop.time() < deadline:
                started = time.perf_counter()
                try:
                    target = url + next(paths) if paths is not None else url
                    async with session.get(target, allow_redirects=False) as response:
                        body = await response.read()
                        status: int | str = response.status
                except (TimeoutError, aiohttp.ClientError) as exc:
                    status, body = type(exc).__name__, b""
                elapsed = time.perf_counter() - started
                result.statuses[status] += 1
                if status == 200:
                    result.latencies.append(elapsed)
                    result.body_bytes += len(body)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        result.seconds = time.perf_counter() - started


def _load_threads(url: str, concurrency: int, duration: float, result: Result) -> None:
    """The same load from threads with keep-alive connections (when aiohttp is missing)."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def worker() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                conn.request("GET", target, headers={"Accept-Language": "en"})
                response = conn.getresponse()
                body = response.read()
                status: int | str = response.status
            except (OSError, http.client.HTTPException) as exc:
                status, body = type(exc).__name__, b""
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
            elapsed = time.perf_counter() - started
            with lock:
                result.statuses[status] += 1
                if status == 200:
                    result.latencies.append(elapsed)
                    result.body_bytes += len(body)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - started


def client_kind() -> str:
    try:
        import aiohttp  # noqa: F401
    except ImportError:
        return "threads"
    return "aiohttp"


def measure(name: str, base: str, path: str, *, concurrency: int, duration: float,
            warmup: float) -> Result:  # fmt: skip
    """Warm up, then keep ``concurrency`` requests in flight for ``duration`` seconds."""
    url = base + path
    if warmup > 0:
        _run(url, concurrency, warmup, Result(name, path, 0.0))
    result = Result(name, path, 0.0)
    _run(url, concurrency, duration, result)
    return result


def _run(url: str, concurrency: int, duration: float, result: Result) -> None:
    if client_kind() == "aiohttp":
        asyncio.run(_load_aiohttp(url, concurrency, duration, result))
    else:
        _load_threads(url, concurrency, duration, result)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def table(results: Sequence[Result]) -> str:
    rows = [("page", "req/s", "p50 ms", "p95 ms", "p99 ms", "ok", "errors", "KB/page", "path")]
    for r in results:
        size = f"{r.body_bytes / r.ok / 1024:.1f}" if r.ok else "-"
        rows.append(
            (
                r.name,
                f"{r.rps:.1f}",
                _ms(r.percentile_ms(50)),
                _ms(r.percentile_ms(95)),
                _ms(r.percentile_ms(99)),
                str(r.ok),
                str(r.errors),
                size,
                r.path,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            cell.ljust(widths[i]) if i in (0, len(row) - 1) else cell.rjust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def json_line(data: dict) -> str:
    return json.dumps(data, separators=(", ", ": "))
