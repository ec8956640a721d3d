"""A whole expo day, measured: the real site under a growing crowd of every kind of visitor.

    .venv/bin/python bench/expo_day.py [--steps 10,25,50,100,200] [--duration 40] [--booths 40]
                                       [--products 10] [--processes 2] [--profile DIR]

Starts its own PostgreSQL and Redis (bench/_common), migrates a fresh database, seeds an open expo
(``expo.demo.seed_hall``: ``--booths`` booths of ``--products`` products, plenty of stock, the
office's collecting account for transfers), a live session on the first booth, signed-in buyer
accounts and an organiser, collects the static files and starts ``--processes`` Daphne processes
(DEBUG off, as behind the TLS proxy) sharing the Redis channel layer.

Then, for each number of users in ``--steps``, Locust (``bench/expo_day_locust.py``, run headless in
a process of its own: gevent patches everything it runs in) spawns that many users — each sent to
one of the Daphne processes as a load balancer would — within about five seconds, and measures them
from the first one on for ``--duration`` seconds more. The mix, by weight:

- guests (6): the hall, a search, a booth, a product, in any order, 1–3 s apart;
- buyers checking out (1): a product, add to cart, the cart, the checkout page, the order by bank
  transfer, the order page; then again;
- signed-in buyers in a booth's chat (2) and in the live session (1): one websocket each, joined
  to the room, a message every 10–20 s; every message's arrival at every socket is timed from
  its send time (``chat delivery``);
- one organiser with the live dashboard open: the page, its figures every 5 s, the ``omzet`` room.

Reported per step: p50/p95 and failures per kind of request (HTTP pages, websocket joins and
``chat message``: a message's round trip to its sender), orders per second, chat delivery p99,
the CPU each part used (Daphne, PostgreSQL, Redis, Locust, in cores) and the machine's load. The
largest step at which every p95 stayed under 500 ms with no failure is ``max_good_users``. With
``--profile DIR`` the Daphne processes are sampled by py-spy (on PATH, in ``.venv/bin`` or named by
``$PY_SPY``) during the last step and their busiest project functions printed: what limits the
next step.

The last line printed is one JSON object: {"steps": [{"users", "requests": {kind: {"n", "p50_ms",
"p95_ms", "failures"}}, "orders_per_s", "chat_delivery_p99_ms", "cpu_cores", "load", ...}],
"max_good_users", ...}. Exit status 0, or 1 when setup failed. Everything it started is stopped
and every temporary file removed, always.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import (
    BIN,
    ROOT,
    BenchError,
    DaphneServer,
    json_line,
    log,
    postgres_server,
    redis_server,
    workspace,
)

LOCUSTFILE = Path(__file__).resolve().with_name("expo_day_locust.py")
GOOD_P95_MS = 500.0
# Kinds of request that are latencies of the site's answers (chat delivery is reported apart).
NOT_A_REQUEST = {"chat delivery"}
APPS = ("expo/", "booths/", "events/", "payments/", "frontend/")  # the project's code, for profiles

SEED = """
import json, sys
import django
django.setup()
from datetime import timedelta
from django.conf import settings
from django.test import Client
from django.utils import timezone
from booths.models import Booth, Product
from events.models import LiveSession
from expo import services as expo_services
from expo.demo import seed as demo
from expo.models import User
from payments.models import CollectingAccount

booths, per_booth, buyers = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
summary = demo.seed_hall(slug="expo-day", booths=booths, products_per_booth=per_booth, pool=2)
expo = summary.expo
Product.objects.filter(booth__expo=expo).update(
    stock=10_000_000, is_active=True, is_preorder=False, preorder_quota=None, min_order=1
)
organiser = User.objects.create_user(email="day-organiser@example.com", password=None)
expo_services.office_add_organiser(office=expo.office, user=organiser)
CollectingAccount.objects.create(
    expo=expo, bank_name="Bank Bench", account_number="000-111", account_holder="Bench Office"
)
now = timezone.now()
booth_rows = list(Booth.objects.filter(expo=expo).order_by("pk"))
session = LiveSession.objects.create(
    booth=booth_rows[0], title_en="Launch", title_id="Peluncuran",
    starts_at=now - timedelta(minutes=30), ends_at=now + timedelta(hours=8),
)
cookie = settings.SESSION_COOKIE_NAME

def signed_in(user):
    client = Client()
    client.force_login(user)
    return client.cookies[cookie].value

buyer_sessions = [
    signed_in(User.objects.create_user(email=f"day-buyer{n}@example.com", password=None,
                                       name=f"Buyer {n}"))
    for n in range(buyers)
]
products = Product.objects.filter(booth__expo=expo).select_related("booth").order_by("pk")
print(json.dumps({
    "expo": expo.pk, "slug": expo.slug, "cookie": cookie,
    "booths": [f"/expos/{expo.slug}/booths/{b.slug}/" for b in booth_rows],
    "chat_rooms": [f"booth:{b.pk}" for b in booth_rows[1:4]],
    "session_room": f"session:{session.pk}",
    "products": [
        {"id": p.pk, "path": f"/expos/{expo.slug}/booths/{p.booth.slug}/products/{p.slug}/"}
        for p in products
    ],
    "organiser": signed_in(organiser),
    "dashboard": f"/manage/expos/{expo.slug}/dashboard/",
    "buyers": buyer_sessions,
}))
"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", default="10,25,50,100,200", help="users per step")
    parser.add_argument("--duration", type=float, default=40.0, help="seconds measured per step")
    parser.add_argument("--booths", type=int, default=40)
    parser.add_argument("--products", type=int, default=10, help="products per booth")
    parser.add_argument("--processes", type=int, default=2, help="Daphne processes")
    parser.add_argument("--profile", metavar="DIR", help="py-spy the servers in the last step")
    args = parser.parse_args(argv)
    args.steps = [int(n) for n in args.steps.split(",") if n.strip()]
    if not args.steps or min(args.steps) < 1 or args.processes < 1:
        parser.error("--steps are positive numbers of users, --processes at least 1")
    return args


# --- CPU of each part ------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


class CpuMeter:
    """CPU seconds of each part of the system, read at the start and the end of a step (processes
    that come and go within the step, such as PostgreSQL's backends, count from when they are
    first seen)."""

    def __init__(self, parts: dict[str, callable]) -> None:
        self.parts = parts  # name -> function giving that part's pids now
        self.start: dict[str, dict[int, float]] = {}
        self.started = 0.0

    def begin(self) -> None:
        self.started = time.monotonic()
        self.start = {
            name: {pid: cpu_seconds(pid) for pid in pids()} for name, pids in self.parts.items()
        }

    def end(self) -> dict[str, float]:
        wall = time.monotonic() - self.started
        used = {}
        for name, pids in self.parts.items():
            before = self.start.get(name, {})
            total = sum(cpu_seconds(pid) - before.get(pid, 0.0) for pid in pids())
            used[name] = round(total / wall, 2) if wall else 0.0
        return used


# --- One step --------------------------------------------------------------------------------------


def run_step(
    users: int, args: argparse.Namespace, config: Path, folder: Path, meter: CpuMeter,
    profile: list[int] | None,
) -> dict:  # fmt: skip
    """Locust headless with ``users`` users, spawned within about five seconds and measured from
    the first (their websocket joins and first pages count) for ``--duration`` seconds more; the
    servers' CPU from when all are spawned."""
    prefix = folder / f"step-{users}"
    spawn_rate = max(1.0, users / 5)
    run_time = int(args.duration + users / spawn_rate + 1)
    env = {**os.environ, "EXPO_DAY_CONFIG": str(config), "PYTHONUNBUFFERED": "1"}
    command = [
        str(BIN / "locust"), "-f", str(LOCUSTFILE), "--headless", "--only-summary",
        "--users", str(users), "--spawn-rate", f"{spawn_rate:g}", "--run-time", f"{run_time}s",
        "--csv", str(prefix), "--loglevel", "WARNING", "--stop-timeout", "5",
        "--exit-code-on-error", "0",
    ]  # fmt: skip
    log(f"step: {users} users (spawned at {spawn_rate:g}/s, {run_time}s in all)")
    output = open(folder / f"locust-{users}.log", "w")  # noqa: SIM115 (closed after the step)
    started = time.monotonic()
    locust = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    meter.parts["locust"] = lambda: [locust.pid, *children(locust.pid)]
    time.sleep(users / spawn_rate + 2)  # measure CPU once they are all there, as the stats
    load_before = round(os.getloadavg()[0], 2)
    meter.begin()
    samplers = _start_py_spy(profile, folder) if profile else []
    try:
        # Read the CPU times while Locust still runs (a process that ended has none to read).
        time.sleep(max(1.0, started + run_time - 1.0 - time.monotonic()))
        cpu = meter.end()
        locust.wait(timeout=120)
    except subprocess.TimeoutExpired:
        locust.kill()
        raise BenchError(f"Locust did not finish the {users}-user step") from None
    finally:
        output.close()
        for sampler in samplers:
            sampler.send_signal(2)
        for sampler in samplers:
            with contextlib.suppress(subprocess.TimeoutExpired):
                sampler.wait(timeout=30)
    measured = float(run_time)
    step = read_stats(prefix, users, measured)
    step["cpu_cores"] = cpu
    step["load"] = [load_before, round(os.getloadavg()[0], 2)]
    step["locust_exit"] = locust.returncode
    if not step["requests"]:
        tail = (folder / f"locust-{users}.log").read_text(errors="replace")[-2000:]
        raise BenchError(f"Locust measured nothing in the {users}-user step:\n{tail}")
    return step


def read_stats(prefix: Path, users: int, seconds: float) -> dict:
    """Locust's ``<prefix>_stats.csv``: per kind of request n, p50, p95, p99 and failures."""
    requests: dict[str, dict] = {}
    with open(f"{prefix}_stats.csv", newline="") as rows:
        for row in csv.DictReader(rows):
            if row["Name"] == "Aggregated":
                continue
            requests[row["Name"]] = {
                "n": int(row["Request Count"]),
                "p50_ms": _number(row["50%"]),
                "p95_ms": _number(row["95%"]),
                "p99_ms": _number(row["99%"]),
                "failures": int(row["Failure Count"]),
            }
    failures = []
    with contextlib.suppress(OSError), open(f"{prefix}_failures.csv", newline="") as rows:
        failures = [f"{r['Name']}: {r['Error'][:160]} ×{r['Occurrences']}" for r in csv.DictReader(rows)]  # fmt: skip
    orders = requests.get("checkout POST", {})
    chat = requests.pop("chat delivery", None)
    pages = {k: v for k, v in requests.items() if k not in NOT_A_REQUEST}
    return {
        "users": users,
        "seconds": round(seconds, 1),
        "requests": pages,
        "failures": sum(v["failures"] for v in pages.values()),
        "failure_kinds": failures[:6],
        "orders_per_s": round((orders.get("n", 0) - orders.get("failures", 0)) / seconds, 2),
        "chat_deliveries": chat["n"] if chat else 0,
        "chat_delivery_p50_ms": chat["p50_ms"] if chat else None,
        "chat_delivery_p99_ms": chat["p99_ms"] if chat else None,
        "worst_p95_ms": max((v["p95_ms"] or 0 for v in pages.values()), default=None),
    }


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def good(step: dict) -> bool:
    return step["failures"] == 0 and all(
        (v["p95_ms"] or 0) < GOOD_P95_MS for v in step["requests"].values()
    )


# --- Profiling -------------------------------------------------------------------------------------


def _py_spy() -> str | None:
    found = os.environ.get("PY_SPY") or shutil.which("py-spy")
    if not found and (BIN / "py-spy").exists():
        found = str(BIN / "py-spy")
    return found


def _start_py_spy(pids: list[int], folder: Path) -> list[subprocess.Popen]:
    binary = _py_spy()
    if binary is None:
        log("--profile: py-spy not found (PATH, .venv/bin or $PY_SPY); no profile")
        return []
    return [
        subprocess.Popen(
            [
                binary,
                "record",
                "--pid",
                str(pid),
                "--rate",
                "100",
                "--nonblocking",
                "--format",
                "raw",
                "-o",
                str(folder / f"daphne-{n}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for n, pid in enumerate(pids)
    ]


def profile_report(folder: Path, top: int = 12) -> dict:
    """Where the servers' busy samples went (all threads): by own time, and the share of samples
    under each of the project's functions (inclusive)."""
    own: dict[str, int] = {}
    under: dict[str, int] = {}
    total = 0
    for path in sorted(folder.glob("daphne-*.txt")):
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            n = int(count)
            total += n
            frames = stack.split(";")
            own[_where(frames[-1])] = own.get(_where(frames[-1]), 0) + n
            for name in {_where(f) for f in frames if _ours(f)}:
                under[name] = under.get(name, 0) + n
    share = lambda n: round(100 * n / (total or 1), 1)  # noqa: E731
    return {
        "samples": total,
        "own": [(share(n), k) for k, n in sorted(own.items(), key=lambda i: -i[1])[:top]],
        "project": [(share(n), k) for k, n in sorted(under.items(), key=lambda i: -i[1])[:top]],
    }


def _ours(frame: str) -> bool:
    """A frame of the project's code (py-spy names it by its path under the checkout)."""
    return frame.partition(" (")[2].startswith(APPS)


def _where(frame: str) -> str:
    function, _, place = frame.partition(" (")
    place = place.rsplit(":", 1)[0].rstrip(")")
    return f"{function} ({place if place.startswith(APPS) else place.rsplit('/', 1)[-1]})"


# --- Main ------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Long because it is the bench's whole run, in order: services, seed, servers, the steps,
    the report."""
    args = parse_args(argv)
    steps: list[dict] = []
    profile = None
    started_load = round(os.getloadavg()[0], 2)
    folder = Path(tempfile.mkdtemp(prefix="umkm-expo-day-"))
    try:
        with (
            postgres_server(max_connections=200) as pg,
            redis_server() as redis,
            workspace(postgres=pg.url, redis=redis.url) as ws,
        ):
            ws.manage("migrate", "--noinput", "-v0")
            buyers = max(40, max(args.steps))
            log(f"seeding {args.booths} booths × {args.products} products, {buyers} buyers")
            seeded = json.loads(
                ws.python("-c", SEED, str(args.booths), str(args.products), str(buyers))
                .strip()
                .splitlines()[-1]
            )
            ws.manage("collectstatic", "--noinput", "-v0")
            with contextlib.ExitStack() as stack:
                daphnes = [DaphneServer(ws, log_name=f"daphne-{n}.log")
                           for n in range(args.processes)]  # fmt: skip
                for server in daphnes:
                    stack.callback(server.stop)
                bases = [server.start() for server in daphnes]
                pids = [server.process.pid for server in daphnes]
                log(f"Daphne × {args.processes} on PostgreSQL and Redis: {', '.join(bases)}")
                config = folder / "config.json"
                config.write_text(json.dumps({**seeded, "bases": bases}))
                postmaster = int((pg.data / "postmaster.pid").read_text().split()[0])
                meter = CpuMeter(
                    {
                        "daphne": lambda: pids,
                        "postgres": lambda: [postmaster, *children(postmaster)],
                        "redis": lambda: [redis.process.pid],
                    }
                )
                for n, users in enumerate(args.steps):
                    last = n == len(args.steps) - 1
                    step = run_step(
                        users, args, config, folder, meter, pids if last and args.profile else None
                    )
                    steps.append(step)
                    log(describe(step))
                if args.profile:
                    profile = profile_report(folder)
                    if args.profile != "-":
                        target = Path(args.profile)
                        target.mkdir(parents=True, exist_ok=True)
                        for path in folder.glob("daphne-*.txt"):
                            shutil.copy(path, target / path.name)
                for server in daphnes:
                    for problem in server.problems()[:3]:
                        log(f"Daphne logged: {problem[:200]}")
    except BenchError as exc:
        log(f"setup failed: {exc}")
        print(json_line(summary(args, steps, profile, started_load)))
        return 1
    except KeyboardInterrupt:
        log("interrupted")
        print(json_line(summary(args, steps, profile, started_load)))
        return 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print()
    print(
        f"UMKM Virtual Expo — an expo day: {args.processes} Daphne processes on PostgreSQL and "
        f"Redis, {os.cpu_count()} CPUs shared with Locust and the databases"
    )
    for step in steps:
        print(describe(step))
        for kind, figures in sorted(step["requests"].items()):
            print(
                f"    {kind:<16} n {figures['n']:>6}  p50 {figures['p50_ms']} ms  "
                f"p95 {figures['p95_ms']} ms  failures {figures['failures']}"
            )
    if profile:
        print(f"profile of the last step ({profile['samples']} samples, all threads):")
        for share, where in profile["own"]:
            print(f"    own {share:5.1f}%  {where}")
        for share, where in profile["project"]:
            print(f"    in  {share:5.1f}%  {where}")
    print(json_line(summary(args, steps, profile, started_load)))
    return 0


def describe(step: dict) -> str:
    return (
        f"{step['users']:>5} users: worst p95 {step['worst_p95_ms']} ms, {step['failures']} "
        f"failures, {step['orders_per_s']} orders/s, chat delivery p99 "
        f"{step['chat_delivery_p99_ms']} ms ({step['chat_deliveries']} deliveries), CPU cores "
        f"{step['cpu_cores']}, load {step['load']}" + ("  OK" if good(step) else "")
    )


def summary(args: argparse.Namespace, steps: list[dict], profile: dict | None, load: float) -> dict:
    passing = [step["users"] for step in steps if good(step)]
    return {
        "steps": steps,
        "max_good_users": max(passing) if passing else None,
        "good_p95_ms": GOOD_P95_MS,
        "processes": args.processes,
        "duration_s": args.duration,
        "booths": args.booths,
        "products_per_booth": args.products,
        "load_at_start": load,
        "profile": profile,
    }


if __name__ == "__main__":
    sys.exit(main())
