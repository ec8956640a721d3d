"""The servers' CPU time during a bench, from /proc (Daphne's processes, and the backends of a
PostgreSQL server the bench started), a CPU budget per server process (a cgroup's quota), and the
per-request profile that ``bench/_request_profile.py`` writes inside a bench server."""

from __future__ import annotations

import contextlib
import io
import json
import os
import pstats
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from _common import ROOT, BenchError, Workspace

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def postgres_pids(data: Path) -> list[int]:
    """The postmaster (first line of postmaster.pid) and its children: every backend."""
    with contextlib.suppress(OSError, ValueError):
        postmaster = int((data / "postmaster.pid").read_text().split()[0])
        children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()
        return [postmaster, *map(int, children)]
    return []


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent busy so far (every core, every process), from
    /proc/stat: everything but idle and I/O wait."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / TICKS  # minus idle, iowait


@dataclass
class CpuMeter:
    """CPU seconds the Daphne processes (and our own PostgreSQL's processes) spent between
    :meth:`start` and :meth:`stop`. The backends of a connection opened and closed within the
    race are missed by PostgreSQL's figure (it is a lower bound then); Daphne's is exact. Also the
    bench's own process (its clients) and the whole machine, to tell a server's limit from the
    machine's."""

    servers: list[int]
    postgres_data: Path | None = None
    daphne_s: float = 0.0
    postgres_s: float | None = None
    client_s: float = 0.0
    machine_s: float = 0.0
    _daphne: dict[int, float] = field(default_factory=dict)
    _postgres: dict[int, float] = field(default_factory=dict)
    _client: float = 0.0
    _machine: float = 0.0

    def _read(self, pids: list[int]) -> dict[int, float]:
        found = {}
        for pid in pids:
            with contextlib.suppress(OSError, IndexError, ValueError):
                found[pid] = cpu_seconds(pid)
        return found

    def _postgres_pids(self) -> list[int]:
        return postgres_pids(self.postgres_data) if self.postgres_data else []

    def start(self) -> None:
        self._daphne = self._read(self.servers)
        self._postgres = self._read(self._postgres_pids())
        self._client = cpu_seconds(os.getpid())
        self._machine = machine_busy_seconds()

    def stop(self) -> None:
        now = self._read(self.servers)
        self.daphne_s = sum(now[pid] - self._daphne.get(pid, 0.0) for pid in now)
        self.client_s = cpu_seconds(os.getpid()) - self._client
        self.machine_s = machine_busy_seconds() - self._machine
        if self.postgres_data is not None:
            after = self._read(self._postgres_pids())
            self.postgres_s = sum(t - self._postgres.get(pid, 0.0) for pid, t in after.items())


# --- A CPU budget per server process -------------------------------------------------------------

CGROUP_V1 = Path("/sys/fs/cgroup/cpu")
CGROUP_V2 = Path("/sys/fs/cgroup")
QUOTA_PERIOD_US = 10_000  # short periods: a budget spent early in one stalls the process briefly


@dataclass
class CpuLimit:
    """Each of some processes in a cgroup of its own, allowed ``cores`` of CPU time (a CFS
    quota): a server process then gets the same budget however many run, as on a machine with a
    core per process, and a scaling figure measures the application rather than how many cores
    the client, PostgreSQL and the servers share. Needs root and the cpu controller (cgroup v1's
    ``/sys/fs/cgroup/cpu`` or v2's ``cpu.max``); :meth:`close` moves the processes back and
    removes the groups. ``throttled_s`` is how long the kernel held the processes back for their
    quota: the budget was what limited them."""

    cores: float
    groups: list[Path] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.cores <= 0:
            raise BenchError("the CPU budget must be positive")
        if (CGROUP_V1 / "cpu.cfs_quota_us").exists():
            self.root, self.v2 = CGROUP_V1, False
        elif "cpu" in _read(CGROUP_V2 / "cgroup.subtree_control").split():
            self.root, self.v2 = CGROUP_V2, True
        else:
            raise BenchError(
                "--cpu-limit needs the cgroup cpu controller: /sys/fs/cgroup/cpu (v1) or 'cpu' in "
                "/sys/fs/cgroup/cgroup.subtree_control (v2)"
            )

    def add(self, pid: int) -> None:
        group = self.root / f"umkm-bench-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        quota = max(1000, round(self.cores * QUOTA_PERIOD_US))
        try:
            group.mkdir()
            self.groups.append(group)
            if self.v2:
                (group / "cpu.max").write_text(f"{quota} {QUOTA_PERIOD_US}")
            else:
                (group / "cpu.cfs_period_us").write_text(str(QUOTA_PERIOD_US))
                (group / "cpu.cfs_quota_us").write_text(str(quota))
            (group / "cgroup.procs").write_text(str(pid))
        except OSError as exc:
            raise BenchError(f"could not limit process {pid}'s CPU in {group}: {exc}") from exc

    def throttled_s(self) -> float:
        total = 0.0
        for group in self.groups:
            stat = dict(
                line.split() for line in _read(group / "cpu.stat").splitlines() if " " in line
            )
            if self.v2:
                total += int(stat.get("throttled_usec", 0)) / 1e6
            else:
                total += int(stat.get("throttled_time", 0)) / 1e9
        return total

    def close(self) -> None:
        for group in self.groups:
            for pid in _read(group / "cgroup.procs").split():
                with contextlib.suppress(OSError):
                    (self.root / "cgroup.procs").write_text(pid)
            with contextlib.suppress(OSError):
                group.rmdir()
        self.groups.clear()


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


@contextlib.contextmanager
def cpu_limit(cores: float | None) -> Iterator[CpuLimit | None]:
    """A :class:`CpuLimit` of ``cores`` per process added to it (None: no limit), closed on exit."""
    if cores is None:
        yield None
        return
    limit = CpuLimit(cores)
    try:
        yield limit
    finally:
        limit.close()


# --- The per-request profile ---------------------------------------------------------------------


def with_profiler(ws: Workspace, mode: str) -> Path:
    """Put ``_request_profile.Profiler`` first in the bench server's middleware (``mode``:
    ``counts``, or ``cprofile`` to run every request under cProfile too); the folder it writes
    to when the server stops."""
    out = ws.dir / "profile"
    with open(ws.dir / "bench_settings.py", "a") as settings:
        settings.write('MIDDLEWARE = ["_request_profile.Profiler", *MIDDLEWARE]  # noqa: F405\n')
    ws.env["PYTHONPATH"] = os.pathsep.join([ws.env["PYTHONPATH"], str(ROOT / "bench")])
    ws.env["BENCH_PROFILE_DIR"] = str(out)
    ws.env["BENCH_PROFILE"] = mode
    return out


def profile_report(out: Path, *, top: int = 30, keep: Path | None = None) -> tuple[str, dict]:
    """The table of what each kind of request cost (per request: SQL queries, time in the
    database, the view thread's CPU, wall time), the cProfile listing of the checkout POST when
    there is one, and the figures as a dict. With ``keep``, the .pstats files are copied there."""
    totals: dict[str, dict[str, float]] = {}
    for path in sorted(out.glob("requests-*.json")):
        for kind, row in json.loads(path.read_text()).items():
            into = totals.setdefault(kind, dict.fromkeys(row, 0))
            for key, value in row.items():
                into[key] += value
    figures = {
        kind: {
            "requests": row["requests"],
            "queries": round(row["queries"] / row["requests"], 1),
            "db_ms": round(1000 * row["db_s"] / row["requests"], 1),
            "cpu_ms": round(1000 * row["cpu_s"] / row["requests"], 1),
            "wall_ms": round(1000 * row["wall_s"] / row["requests"], 1),
        }
        for kind, row in sorted(totals.items())
        if row["requests"]
    }
    lines = [
        "per request, inside Django (view thread):",
        f"{'request':<22} {'n':>5} {'queries':>8} {'db ms':>8} {'cpu ms':>8} {'wall ms':>8}",
    ]
    for kind, row in figures.items():
        lines.append(f"{kind:<22} {row['requests']:>5} {row['queries']:>8} {row['db_ms']:>8} "
                     f"{row['cpu_ms']:>8} {row['wall_ms']:>8}")  # fmt: skip
    dumps = sorted(out.glob("POST_checkout-*.pstats"))
    if dumps:
        stream = io.StringIO()
        stats = pstats.Stats(*map(str, dumps), stream=stream)
        stats.strip_dirs().sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)
        lines.append(stream.getvalue())
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        for path in out.glob("*.pstats"):
            (keep / path.name).write_bytes(path.read_bytes())
    return "\n".join(lines), figures
