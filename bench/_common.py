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


@contextlib.contextmanager
def daphne(ws: Workspace, *, port: int | None = None, timeout: float = 40) -> Iterator[str]:
    """Serve the project with Daphne on 127.0.0.1; yields the base URL once /healthz answers 200.
    The process (and its process group) is stopped on exit, always."""
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = ws.dir / "daphne.log"
    with open(log_path, "wb") as output:
        process = subprocess.Popen(
            [str(DAPHNE), "-b", "127.0.0.1", "-p", str(port), "expo.asgi:application"],
            cwd=ROOT,
            env=ws.env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + timeout
            status = None
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    raise BenchError(
                        f"Daphne exited with {process.returncode} before answering:\n"
                        + _tail(log_path.read_text(errors="replace"))
                    )
                with contextlib.suppress(OSError):
                    status = _get(f"{base}/healthz")
                    if status == 200:
                        break
                time.sleep(0.2)
            else:
                raise BenchError(
                    f"/healthz did not answer 200 within {timeout:.0f}s (last: {status}):\n"
                    + _tail(log_path.read_text(errors="replace"))
                )
            yield base
        finally:
            _stop(process)
            problems = [
                line
                for line in log_path.read_text(errors="replace").splitlines()
                if "Traceback" in line or " ERROR " in line
            ]
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


async def _load_aiohttp(url: str, concurrency: int, duration: float, result: Result) -> None:
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
                    async with session.get(url, allow_redirects=False) as response:
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
