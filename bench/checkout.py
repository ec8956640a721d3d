"""How many orders per second does the checkout page take on PostgreSQL when buyers race for few
items, and does it ever sell an item twice?

    .venv/bin/python bench/checkout.py [--buyers 50] [--products 20] [--stock 10] [--hot 3]
                                       [--hot-share 0.8] [--postgres URL] [--processes 1[,2…]]
                                       [--cpu-limit CORES] [--redis | --no-redis]
                                       [--profile none|counts|cprofile] [--profile-out DIR]

Starts its own PostgreSQL server (initdb + pg_ctl in a temporary folder, on a free 127.0.0.1
port; as root it runs as the ``postgres`` user), or, with ``--postgres``, creates a fresh database
on that server. Migrates, seeds an open expo with ``--products`` products (``--stock`` each, the
organiser's collecting account for bank transfers), collects the static files and starts
``--processes`` Daphne processes with DEBUG off, each on a free port (bench/_common.DaphneServer);
buyer n uses process n mod N, as a load balancer spreading visitors would. With ``--redis`` (the
default with more than one process) it starts a Redis of its own for the cache, so the processes
share the catalogue versions as in production. ``--processes 1,2`` runs the whole race once per
count, each on a fresh database, and reports each count's orders/s over the first's (the scaling).

``--cpu-limit CORES`` puts each Daphne process in a cgroup of its own allowed CORES of CPU (needs
root and the cgroup cpu controller). On a 2-core machine that also runs the buyers and PostgreSQL,
one unlimited process already takes a core and the second can only have what is left, so the
scaling would measure the machine; with a budget per process (as a container's CPU limit gives
one) it measures whether the processes serialise on something they share (the database's row
locks, the cache). The figures say how long the kernel held the processes back for their budget.

Then ``--buyers`` buyers, each a thread with its own HTTP session and cookie jar, shop like a
browser: open the product pages of 1–3 products (most of them among the ``--hot`` first, so buyers
collide), add each to the cart (POST /cart/add/, with the CSRF token of the page), open the cart
(/cart/), open /checkout/<expo>/ and read the subtotal the page states. All wait at a barrier, then place their
orders at the same moment with the bank-transfer provider (POST /checkout/<expo>/). A redirect to
/orders/<code>/ is an order placed; the checkout page again with "sold out" (or "only n left") is
a clear sold-out answer; the page's "busy, try again" is retried as it asks the buyer to;
anything else is an error. Every placed order's transfer is then confirmed by the organiser
(``payments.services.transfer_confirm`` in a subprocess), so the orders are paid.

The server runs as behind the production TLS proxy: requests carry ``X-Forwarded-Proto: https``
and an ``Origin``, and the buyers' cookie jars send the (Secure) session and CSRF cookies back over
the plain HTTP of 127.0.0.1. The buyers run on the same machine and take some of its CPU.

Measured: orders placed per second over the race (from the barrier to the last answer), the
latency of the checkout POST and of the pages, and the servers' CPU time during the race (user +
system, from /proc, of every Daphne process) divided by the checkout POSTs answered: the CPU per
checkout (sold-out answers included, which render the checkout page again). The backends of our
own PostgreSQL are counted too (a lower bound: a backend that ends within the race is missed).
``--profile counts`` puts bench/_request_profile.py's middleware first in the bench server (never
in the project's settings) and prints, per kind of request, the SQL queries, the time in the
database and the view thread's CPU; ``--profile cprofile`` also runs each request under cProfile
timed by the thread's CPU clock and prints where the checkout POST's CPU goes (``--profile-out``
keeps the .pstats files). The profiler costs CPU itself: compare CPU figures without it. Checked afterwards on the database: no product sold more than its
stock (``oversold`` = Σ max(0, sold − starting stock)), stock + sold = the starting stock for every
product, every placed order paid, and one ledger sale per paid line.

The last line printed is one JSON object: {"buyers", "processes", "orders_per_s", "p95_ms",
"cpu_ms_per_checkout", "oversold", "sold_out_answers", "paid_orders", "errors", "page_p95_ms",
"load_before", "load_after", "machine_cores_busy", "client_cpu_ms_per_checkout", ...} (load
averages and the cores busy during the race: the machine's, to judge the noise and to tell the
server's limit from the machine's; the buyers' clients run on the same cores). Exit status: 0 when nothing was oversold and
there was no error, 2 otherwise, 1 when setup failed. Everything it started (PostgreSQL, Redis,
Daphne) is stopped and every temporary file removed, always.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import http.cookiejar
import json
import os
import random
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
from _common import (
    BenchError,
    DaphneServer,
    Result,
    json_line,
    log,
    postgres_server,
    redis_server,
    rounded,
    workspace,
)
from _cpu import CpuMeter, cpu_limit, profile_report, with_profiler

SEED = """
import json, sys
import django
django.setup()
from booths.models import Product
from expo import services as expo_services
from expo.demo import seed as demo
from expo.models import User
from payments.models import CollectingAccount

products, stock = int(sys.argv[1]), int(sys.argv[2])
per_booth = 10
booths = max(1, -(-products // per_booth))
summary = demo.seed_hall(slug="bench-checkout", booths=booths, products_per_booth=per_booth, pool=2)
expo = summary.expo
ids = list(Product.objects.filter(booth__expo=expo).order_by("pk").values_list("pk", flat=True))
keep, extra = ids[:products], ids[products:]
Product.objects.filter(pk__in=extra).update(is_active=False, stock=0)
Product.objects.filter(pk__in=keep).update(
    stock=stock, is_active=True, is_preorder=False, preorder_quota=None, min_order=1
)
organiser = User.objects.create_user(email="bench-organiser@example.com", password=None)
expo_services.office_add_organiser(office=expo.office, user=organiser)
CollectingAccount.objects.create(
    expo=expo, bank_name="Bank Bench", account_number="000-111", account_holder="Bench Office"
)
rows = Product.objects.filter(pk__in=keep).select_related("booth").order_by("pk")
print(json.dumps({
    "expo": expo.pk, "expo_slug": expo.slug, "organiser": organiser.pk,
    "products": [
        {"id": p.pk, "path": f"/expos/{expo.slug}/booths/{p.booth.slug}/products/{p.slug}/"}
        for p in rows
    ],
}))
"""

CONFIRM = """
import json, sys, time
import django
django.setup()
from expo.models import User
from payments import services
from payments.models import Payment

organiser = User.objects.get(pk=int(sys.argv[1]))
codes = json.loads(sys.argv[2])
out = {"confirmed": 0, "errors": [], "seconds": 0.0}
started = time.perf_counter()
payments = Payment.objects.filter(order__code__in=codes, provider="manual").order_by("pk")
found = 0
for payment in payments:
    found += 1
    try:
        services.transfer_confirm(payment=payment, by=organiser)
        out["confirmed"] += 1
    except Exception as error:
        out["errors"].append(f"{payment.order.code}: {type(error).__name__}: {error}"[:300])
if found != len(codes):
    out["errors"].append(f"{len(codes)} orders placed, {found} bank-transfer payments found")
out["seconds"] = time.perf_counter() - started
print(json.dumps(out))
"""

CHECK = """
import json, sys
import django
django.setup()
from django.db.models import Q, Sum
from booths.models import Product
from payments.models import Order, OrderLine, SalesLedgerEntry

expo_id, stock = int(sys.argv[1]), int(sys.argv[2])
ids = json.loads(sys.argv[3])
holding = Q(order__stock__in=[Order.Stock.HELD, Order.Stock.SOLD])
sold = dict(
    OrderLine.objects.filter(holding, order__expo_id=expo_id)
    .values_list("product_id").annotate(n=Sum("quantity"))
)
left = dict(Product.objects.filter(pk__in=ids).values_list("pk", "stock"))
oversold = sum(max(0, sold.get(pk, 0) - stock) for pk in ids)
inconsistent = [pk for pk in ids if left[pk] < 0 or left[pk] + sold.get(pk, 0) != stock]
paid_lines = OrderLine.objects.filter(order__expo_id=expo_id, order__paid_at__isnull=False)
sales = SalesLedgerEntry.objects.filter(expo_id=expo_id, kind="sale")
print(json.dumps({
    "oversold": oversold,
    "inconsistent": len(inconsistent),
    "orders": Order.objects.filter(expo_id=expo_id).count(),
    "paid_orders": Order.objects.filter(expo_id=expo_id, status="paid").count(),
    "items_sold": sum(sold.values()),
    "sold_out_products": sum(1 for pk in ids if left[pk] == 0),
    "ledger_ok": sales.count() == paid_lines.count()
        and (sales.aggregate(t=Sum("amount"))["t"] or 0)
        == sum(line.amount for line in paid_lines),
}))
"""


# --- The buyers ---------------------------------------------------------------------------------------

PLACED = re.compile(r"/orders/([^/?#]+)/")
INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')
FORM_ERRORS = re.compile(r'data-testid="checkout-errors"[^>]*>(.*?)</div>', re.DOTALL)
TAG = re.compile(r"<[^>]+>")
TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL | re.IGNORECASE)
# services.SoldOut in English: "Sorry, X is sold out.", "Sorry, only n of X are left.", and
# "Only n of X are in stock." when the shortage is seen before reserving.
SOLD_OUT = ("sold out", "are left", "are in stock")
BUSY = "Many buyers are checking out"  # services.Busy: nothing changed, try again
ATTEMPTS = 8
SATURATED = 0.9  # share of the machine's cores busy from which a race measured the machine
PREPARING_AT_ONCE = 16  # buyers filling their carts at the same time before the race
TIMEOUT = 60.0  # seconds for one request


class BehindProxy(http.cookiejar.DefaultCookiePolicy):
    """The bench stands in for the TLS proxy: Secure cookies go back over its plain HTTP."""

    def return_ok_secure(self, cookie: http.cookiejar.Cookie, request: object) -> bool:
        return True


class BuyerSession(requests.Session):
    """A browser's cookie jar. (requests builds each request's cookies in a fresh jar with the
    default policy, which keeps Secure cookies off plain HTTP; they come from this jar instead.)"""

    def __init__(self) -> None:
        super().__init__()
        self.cookies.set_policy(BehindProxy())

    def prepare_request(self, request: requests.Request) -> requests.PreparedRequest:
        prepared = super().prepare_request(request)
        prepared.prepare_cookies(self.cookies)
        return prepared


def hidden_value(page: str, name: str) -> str | None:
    for tag in INPUT.findall(page):
        attributes = dict(ATTRIBUTE.findall(tag))
        if attributes.get("name") == name:
            return html.unescape(attributes.get("value", ""))
    return None


def brief(response: requests.Response) -> str:
    """A short description of an unexpected answer, for the error list."""
    if response.headers.get("Content-Type", "").startswith("application/json"):
        return response.text[:200]
    title = TITLE.search(response.text)
    text = form_errors(response.text) or (html.unescape(title.group(1).strip()) if title else "")
    location = response.headers.get("Location")
    return " ".join(filter(None, [text[:200], f"→ {location}" if location else ""])) or "-"


def form_errors(page: str) -> str:
    found = FORM_ERRORS.search(page)
    return " ".join(html.unescape(TAG.sub(" ", found.group(1))).split()) if found else ""


@dataclass
class Race:
    """What the buyers saw, filled in by their threads (under ``lock``)."""

    steps: dict[str, Result]
    lock: threading.Lock = field(default_factory=threading.Lock)
    placed: list[str] = field(default_factory=list)
    sold_out: int = 0
    busy: int = 0
    errors: list[str] = field(default_factory=list)
    ended: float = 0.0

    def timed(self, step: str, started: float, status: int | str) -> None:
        with self.lock:
            result = self.steps[step]
            result.statuses[status] += 1
            result.latencies.append(time.perf_counter() - started)

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message[:300])


STEPS = {
    "product page": "GET /expos/<expo>/booths/<booth>/products/<product>/",
    "cart add": "POST /cart/add/",
    "cart page": "GET /cart/",
    "checkout page": "GET /checkout/<expo>/",
    "checkout POST": "POST /checkout/<expo>/",
}


class Buyer:
    def __init__(self, n: int, base: str, expo_slug: str, picks: list[dict], race: Race) -> None:
        self.n, self.base, self.picks, self.race = n, base, picks, race
        self.origin = "https://" + base.split("://", 1)[1]
        self.checkout_path = f"/checkout/{expo_slug}/"
        self.session = BuyerSession()
        self.session.headers.update(
            {
                "Accept-Language": "en",
                "X-Forwarded-Proto": "https",
                "User-Agent": "umkm-bench-checkout",
            }
        )
        self.form: dict[str, str] = {}

    def _request(self, step: str, method: str, path: str, **kwargs: object) -> requests.Response:
        if method == "POST":
            kwargs["headers"] = {
                "Origin": self.origin,
                "Referer": self.origin + kwargs.pop("referer", path),  # type: ignore[operator]
                **kwargs.get("headers", {}),  # type: ignore[dict-item]
            }
        started = time.perf_counter()
        try:
            response = self.session.request(
                method, self.base + path, allow_redirects=False, timeout=TIMEOUT, **kwargs
            )
        except requests.RequestException as exc:
            self.race.timed(step, started, type(exc).__name__)
            raise BenchError(f"{step}: {type(exc).__name__}: {exc}") from None
        self.race.timed(step, started, response.status_code)
        return response

    def prepare(self) -> None:
        """Product pages, cart, checkout page: ready to place the order."""
        for product in self.picks:
            page = self._request("product page", "GET", product["path"])
            token = hidden_value(page.text, "csrfmiddlewaretoken")
            if page.status_code != 200 or not token:
                raise BenchError(
                    f"product page {product['path']}: {page.status_code} {brief(page)}"
                )
            added = self._request(
                "cart add",
                "POST",
                "/cart/add/",
                referer=product["path"],
                headers={"Accept": "application/json"},
                data={
                    "csrfmiddlewaretoken": token,
                    "product": product["id"],
                    "quantity": 1,
                    "next": product["path"],
                },
            )
            if added.status_code != 200 or not added.json().get("ok"):
                raise BenchError(
                    f"cart add {product['id']}: {added.status_code} {added.text[:200]}"
                )
        page = self._request("cart page", "GET", "/cart/")
        if page.status_code != 200 or self.checkout_path not in page.text:
            raise BenchError(f"cart page: {page.status_code} {brief(page)}")
        page = self._request("checkout page", "GET", self.checkout_path)
        subtotal = hidden_value(page.text, "expected_subtotal")
        token = hidden_value(page.text, "csrfmiddlewaretoken")
        if page.status_code != 200 or not subtotal or not token:
            raise BenchError(f"checkout page: {page.status_code} {brief(page)}")
        self.form = {
            "csrfmiddlewaretoken": token,
            "email": f"buyer{self.n}@example.com",
            "name": f"Buyer {self.n}",
            "phone": f"+62 812 0000 {self.n:04d}",
            "country": "ID",
            "address": "Jl. Pemuda 12",
            "city": "Semarang",
            "province": "Jawa Tengah",
            "state": "",
            "postal_code": "50132",
            "provider": "manual",
            "expected_subtotal": subtotal,
        }

    def place(self, rnd: random.Random) -> None:
        """The order: placed, sold out, or (after retrying "busy") an error."""
        for _attempt in range(ATTEMPTS):
            answer = self._request("checkout POST", "POST", self.checkout_path, data=self.form)
            if answer.status_code == 302:
                placed = PLACED.search(answer.headers.get("Location", ""))
                if placed is None:
                    raise BenchError(f"checkout redirected to {answer.headers.get('Location')!r}")
                with self.race.lock:
                    self.race.placed.append(placed.group(1))
                return
            text = form_errors(answer.text) if answer.status_code == 200 else ""
            if BUSY in text:
                with self.race.lock:
                    self.race.busy += 1
                self.form["expected_subtotal"] = (
                    hidden_value(answer.text, "expected_subtotal") or self.form["expected_subtotal"]
                )
                time.sleep(rnd.uniform(0.05, 0.2))
                continue
            if any(words in text for words in SOLD_OUT):
                with self.race.lock:
                    self.race.sold_out += 1
                return
            raise BenchError(f"checkout answered {answer.status_code}: {brief(answer)}")
        raise BenchError(f"checkout still busy after {ATTEMPTS} attempts")


def choose(rnd: random.Random, products: list[dict], hot: int, hot_share: float) -> list[dict]:
    """1–3 different products, most of them among the ``hot`` first."""
    chosen: dict[int, dict] = {}
    for _i in range(rnd.randint(1, 3)):
        pool = products[:hot] if hot and rnd.random() < hot_share else products
        product = rnd.choice(pool)
        chosen[product["id"]] = product
    return list(chosen.values())


def race(
    bases: list[str], args: argparse.Namespace, seeded: dict, meter: CpuMeter
) -> tuple[Race, float]:
    """Every buyer fills its cart and opens the checkout page, waits at the barrier, then places
    its order; what they saw and the race's wall time (barrier to the last answer). Buyer ``n``
    uses server ``n mod len(bases)``, as a load balancer spreading new visitors would. ``meter``
    reads the servers' CPU time when the race starts and when the last answer is in."""
    outcome = Race({name: Result(name, path, 0.0) for name, path in STEPS.items()})
    barrier = threading.Barrier(args.buyers + 1)
    gate = threading.Semaphore(PREPARING_AT_ONCE)

    def run(n: int) -> None:
        rnd = random.Random(args.seed * 100_003 + n)
        picks = choose(rnd, seeded["products"], args.hot, args.hot_share)
        buyer = Buyer(n, bases[n % len(bases)], seeded["expo_slug"], picks, outcome)
        ready = False
        try:
            with gate:
                buyer.prepare()
            ready = True
        except Exception as exc:  # every buyer reaches the barrier
            outcome.error(f"buyer {n} before the race: {exc}")
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            if ready:
                outcome.error(f"buyer {n}: the race never started")
            ready = False
        try:
            if ready:
                buyer.place(rnd)
        except Exception as exc:
            outcome.error(f"buyer {n}: {exc}")
        finally:
            with outcome.lock:
                outcome.ended = max(outcome.ended, time.perf_counter())
            buyer.session.close()

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(args.buyers)]
    for thread in threads:
        thread.start()
    try:
        barrier.wait(timeout=max(120.0, args.buyers * 2.0))
    except threading.BrokenBarrierError:
        barrier.abort()
        raise BenchError("the buyers did not get ready in time") from None
    meter.start()
    started = time.perf_counter()
    outcome.ended = started
    log(f"{args.buyers} buyers are at the checkout; go")
    for thread in threads:
        thread.join(timeout=ATTEMPTS * TIMEOUT + 60)
    meter.stop()
    seconds = outcome.ended - started
    outcome.steps["checkout POST"].seconds = seconds
    return outcome, seconds


# --- Report ---------------------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def table(steps: dict[str, Result]) -> str:
    rows = [("step", "requests", "p50 ms", "p95 ms", "p99 ms", "answers", "path")]
    for result in steps.values():
        answers = ", ".join(
            f"{status}×{n}" for status, n in sorted(result.statuses.items(), key=str)
        )
        rows.append(
            (
                result.name,
                str(sum(result.statuses.values())),
                _ms(result.percentile_ms(50)),
                _ms(result.percentile_ms(95)),
                _ms(result.percentile_ms(99)),
                answers or "-",
                result.path,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            cell.ljust(widths[i]) if i in (0, 5, 6) else cell.rjust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def process_counts(value: str) -> list[int]:
    try:
        return [int(part) for part in value.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number or a list of numbers: {value!r}") from None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--buyers", type=int, default=50, help="concurrent buyers")
    parser.add_argument("--products", type=int, default=20)
    parser.add_argument("--stock", type=int, default=10, help="starting stock of each product")
    parser.add_argument("--hot", type=int, default=3, help="products most buyers want")
    parser.add_argument(
        "--hot-share", type=float, default=0.8, help="share of picks among the hot products"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--postgres", metavar="URL", help="use this PostgreSQL server (a fresh database on it)"
    )
    parser.add_argument(
        "--processes",
        type=process_counts,
        default=[1],
        help="Daphne processes, the buyers spread over them; a list (1,2) runs the race once per "
        "count, each on a fresh database, and reports the orders/s of each against the first",
    )
    parser.add_argument(
        "--cpu-limit",
        type=float,
        metavar="CORES",
        help="allow each Daphne process this much CPU (a cgroup quota; needs root): the same "
        "budget per process however many run, so a scaling figure is not the machine's cores",
    )
    parser.add_argument(
        "--redis",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="start a Redis for the cache (default: with more than one process)",
    )
    parser.add_argument(
        "--profile",
        choices=["none", "counts", "cprofile"],
        default="none",
        help="per-request queries, database time and CPU inside Django (cprofile: and where)",
    )
    parser.add_argument("--profile-out", type=Path, help="keep the .pstats files in this folder")
    args = parser.parse_args(argv)
    if min(args.buyers, args.products, args.stock, *args.processes) < 1 or args.hot < 0:
        parser.error("--buyers, --products, --stock and --processes must be positive")
    if args.cpu_limit is not None and args.cpu_limit <= 0:
        parser.error("--cpu-limit must be positive")
    if args.redis is None:
        args.redis = max(args.processes) > 1
    args.hot = min(args.hot, args.products)
    return args


def run(args: argparse.Namespace, processes: int) -> tuple[int, dict]:
    """One race on ``processes`` Daphne processes, on a database of its own: the exit status
    (see the module's docstring) and the figures."""
    load_before = list(os.getloadavg())
    summary: dict = {"buyers": args.buyers, "processes": processes, "orders_per_s": None,
                     "p95_ms": None, "cpu_ms_per_checkout": None, "oversold": None,
                     "sold_out_answers": None, "paid_orders": None, "errors": None}  # fmt: skip
    try:
        with contextlib.ExitStack() as stack:
            connections = (args.buyers + 10) * processes + 50
            own = (
                None
                if args.postgres
                else stack.enter_context(postgres_server(max_connections=connections))
            )
            redis = stack.enter_context(redis_server()).url if args.redis else None
            ws = stack.enter_context(workspace(postgres=args.postgres or own.url, redis=redis))
            # E-mails to memory; their tasks queue in the workspace's huey file (no consumer).
            ws.env.update({"EMAIL_URL": "locmem://", "DJANGO_LOG_LEVEL": "WARNING"})
            log(f"workspace {ws.dir}, PostgreSQL {'given' if args.postgres else 'of our own'}"
                f"{', Redis of our own' if redis else ''}")  # fmt: skip
            profile_dir = with_profiler(ws, args.profile) if args.profile != "none" else None
            started = time.perf_counter()
            ws.manage("migrate", "--noinput", "-v0")
            log(f"migrated in {time.perf_counter() - started:.1f}s")
            seeded = json.loads(
                ws.python("-c", SEED, str(args.products), str(args.stock)).strip().splitlines()[-1]
            )
            ws.manage("collectstatic", "--noinput", "-v0")
            log(
                f"seeded {len(seeded['products'])} products × {args.stock} in stock; "
                f"{args.hot_share:.0%} of picks among the first {args.hot}"
            )
            servers = [DaphneServer(ws, log_name=f"daphne-{i}.log") for i in range(processes)]
            limit = stack.enter_context(cpu_limit(args.cpu_limit))
            try:
                bases = [server.start() for server in servers]
                for server in servers if limit else ():
                    limit.add(server.process.pid)
                meter = CpuMeter(
                    [server.process.pid for server in servers], own.data if own else None
                )
                log(
                    f"Daphne × {len(bases)} on {', '.join(bases)}; {args.buyers} buyers filling their carts"
                )
                throttled_before = limit.throttled_s() if limit else 0.0
                outcome, seconds = race(bases, args, seeded, meter)
                throttled = limit.throttled_s() - throttled_before if limit else None
            finally:
                for server in servers:
                    server.stop()
            server_errors = sum(len(server.problems()) for server in servers)
            profiled = (
                profile_report(profile_dir, keep=args.profile_out) if profile_dir else ("", {})
            )
            confirmed = json.loads(
                ws.python("-c", CONFIRM, str(seeded["organiser"]), json.dumps(outcome.placed))
                .strip()
                .splitlines()[-1]
            )
            ids = [product["id"] for product in seeded["products"]]
            check = json.loads(
                ws.python("-c", CHECK, str(seeded["expo"]), str(args.stock), json.dumps(ids))
                .strip()
                .splitlines()[-1]
            )
    except BenchError as exc:
        log(f"setup failed: {exc}")
        return 1, summary

    steps = outcome.steps
    errors = outcome.errors + confirmed["errors"]
    placed = len(outcome.placed)
    problems = []
    if check["inconsistent"]:
        problems.append(f"stock + sold ≠ starting stock for {check['inconsistent']} products")
    if not check["ledger_ok"]:
        problems.append("the ledger's sales disagree with the paid lines")
    if check["orders"] != placed or check["paid_orders"] != placed:
        problems.append(
            f"{placed} orders placed over HTTP, {check['orders']} in the database, "
            f"{check['paid_orders']} paid"
        )
    if placed + outcome.sold_out + len(outcome.errors) != args.buyers:
        problems.append("some buyers got no answer")
    post = steps["checkout POST"]
    posts = sum(post.statuses.values())
    summary.update(
        {
            "orders_per_s": rounded(placed / seconds if seconds > 0 else 0.0),
            "p95_ms": rounded(post.percentile_ms(95)),
            "oversold": check["oversold"],
            "sold_out_answers": outcome.sold_out,
            "paid_orders": check["paid_orders"],
            "errors": len(errors),
            "placed_orders": placed,
            "p50_ms": rounded(post.percentile_ms(50)),
            "race_s": rounded(seconds, 2),
            "busy_retries": outcome.busy,
            "items_sold": check["items_sold"],
            "consistent": not problems,
            "cpu_ms_per_checkout": rounded(1000 * meter.daphne_s / posts if posts else None),
            "postgres_cpu_ms_per_checkout": rounded(
                1000 * meter.postgres_s / posts if posts and meter.postgres_s is not None else None
            ),
            "client_cpu_ms_per_checkout": rounded(1000 * meter.client_s / posts if posts else None),
            "machine_cores_busy": rounded(meter.machine_s / seconds if seconds else None, 2),
            "cores": os.cpu_count(),
            "page_p95_ms": {
                name: rounded(steps[name].percentile_ms(95))
                for name in ("product page", "cart page", "checkout page")
            },
            "redis": bool(args.redis),
            "cpu_limit_cores": args.cpu_limit,
            "throttled_s": rounded(throttled, 2) if throttled is not None else None,
            "load_before": load_before,
            "load_after": list(os.getloadavg()),
            **({"profile": profiled[1]} if profiled[1] else {}),
        }
    )
    print()
    print(
        f"UMKM Virtual Expo — checkout race: {args.buyers} buyers, {args.products} products × "
        f"{args.stock} in stock ({args.hot_share:.0%} of picks among {args.hot}), Daphne with "
        f"DEBUG off on PostgreSQL, bank transfer"
    )
    print(table(steps))
    print(
        f"race {seconds:.2f}s: {placed} orders placed ({summary['orders_per_s']} orders/s), "
        f"{outcome.sold_out} sold-out answers, {outcome.busy} busy retries, "
        f"{len(outcome.errors)} errors"
    )
    print(
        f"confirmed {confirmed['confirmed']} transfers in {confirmed['seconds']:.1f}s: "
        f"{check['paid_orders']} paid orders, {check['items_sold']} items sold, "
        f"{check['sold_out_products']} products sold out; oversold {check['oversold']}, "
        f"ledger {'agrees' if check['ledger_ok'] else 'DISAGREES'}"
    )
    cpu = summary["cpu_ms_per_checkout"]
    print(
        f"server CPU during the race: Daphne {meter.daphne_s:.2f}s over {posts} checkout POSTs"
        f" = {cpu} ms each"
        + (f"; PostgreSQL ≥ {meter.postgres_s:.2f}s" if meter.postgres_s is not None else "")
        + f"; load average {load_before[0]:.2f} before, {summary['load_after'][0]:.2f} after"
    )
    print(
        f"the machine during the race: {summary['machine_cores_busy']} of {os.cpu_count()} cores"
        f" busy; the buyers' own clients {meter.client_s:.2f}s of CPU"
        + (
            f"; each Daphne allowed {args.cpu_limit} core, held back {throttled:.2f}s in all"
            if throttled is not None
            else ""
        )
    )
    if profiled[0]:
        print(profiled[0])
    if server_errors:
        print(f"! Daphne logged {server_errors} error line(s) (first one shown above)")
    for error in errors[:10]:
        print(f"! {error}")
    if len(errors) > 10:
        print(f"! … and {len(errors) - 10} more errors")
    for problem in problems:
        print(f"! {problem}")
    return (0 if check["oversold"] == 0 and not errors and not problems else 2), summary


def main(argv: list[str] | None = None) -> int:
    """Run the race once per process count. With one count the last line is that race's figures;
    with several it is {"runs": [each race's figures], "scaling": {count: orders/s over the first
    count's}, ...}: the ratios come from one invocation, on the same machine minutes apart."""
    args = parse_args(argv)
    runs: list[dict] = []
    status = 0
    try:
        for processes in args.processes:
            code, summary = run(args, processes)
            runs.append(summary)
            status = max(status, code)
            if code == 1:
                break
    except KeyboardInterrupt:
        log("interrupted")
        status = 1
    if len(args.processes) == 1:
        print(json_line(runs[0] if runs else {"processes": args.processes[0]}))
        return status
    first = runs[0]["orders_per_s"] if runs else None
    scaling = {
        str(summary["processes"]): rounded(summary["orders_per_s"] / first, 2)
        for summary in runs
        if first and summary["orders_per_s"] is not None
    }
    print()
    # A run that found the machine's cores all busy measured the machine, not the processes.
    saturated = [
        r["processes"]
        for r in runs
        if (r.get("machine_cores_busy") or 0) >= SATURATED * (os.cpu_count() or 1)
    ]
    for summary in runs:
        print(
            f"{summary['processes']} process(es): {summary['orders_per_s']} orders/s "
            f"(×{scaling.get(str(summary['processes']))}), POST p95 {summary['p95_ms']} ms, "
            f"Daphne CPU {summary['cpu_ms_per_checkout']} ms per checkout, "
            f"{summary['machine_cores_busy']} cores busy, oversold {summary['oversold']}"
        )
    if saturated:
        print(
            f"! the machine's cores were {SATURATED:.0%}+ busy during the run(s) with "
            f"{', '.join(map(str, saturated))} process(es): the scaling there is the machine's "
            "(try a smaller --cpu-limit, or a quieter machine)"
        )
    print(
        json_line(
            {
                "processes": args.processes,
                "cpu_limit_cores": args.cpu_limit,
                "scaling": scaling,
                "orders_per_s": {str(r["processes"]): r["orders_per_s"] for r in runs},
                "oversold": sum(r["oversold"] or 0 for r in runs),
                "saturated_runs": saturated,
                "runs": runs,
            }
        )
    )
    return status


if __name__ == "__main__":
    sys.exit(main())
