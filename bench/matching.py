"""Business matching under load: one buyer's slot page and the organiser's suggestions page with 300
vendors of 40 slots each and 3,000 business buyers, then 200 buyers requesting slots at once.

    .venv/bin/python bench/matching.py [--postgres URL] [--vendors 300] [--slots 40]
                                       [--buyers 3000] [--racers 200] [--repeat 30]

Starts its own PostgreSQL server (or uses the server of ``--postgres URL``) and a Daphne serving
the project (DEBUG off), migrates a fresh database and loads one expo with matching on (30-minute
meetings): ``--vendors`` vendors in ten sectors, each a booth with three products and windows
giving ``--slots`` slots over two days, and ``--buyers`` business buyers with a consented profile
(country, type, two sectors of interest, products). The organisers' suggested pairs are stored
with ``manage.py rebuild_suggestions`` (timed). Then, over HTTP:

- one buyer's slot page (``GET /expos/<expo>/booths/<booth>/meet/``) ``--repeat`` times, booths
  taken in turn, and the organiser's matchmaking page with its suggestions ``--repeat`` ÷ 3 times,
  one request at a time: p50/p95 (and the queries of each page, counted in a process of its own);
- ``--racers`` signed-in buyers each fetch a slot page, then all post their request at once (threads,
  released together), three buyers for each of the first slots of a third as many booths, so most
  slots are fought over: requests per second over the race, and each answer counted (a meeting, or
  the form again saying the time was just taken or is no longer free);
- afterwards the database is asked for any vendor or person with two overlapping active meetings,
  and the stored suggestions are compared with a fresh scoring of the expo (the race's meetings
  took their pairs out, each in its own transaction); then one buyer's and one vendor's pairs are
  scored again (timed: what a profile change and a vendor's change cost).

The last line printed is one JSON object:
{"slot_page_p95_ms": …, "suggestions_p95_ms": …, "requests_per_s": …, "double_booked": 0,
 "suggested_pairs": …, "suggestions_rebuild_s": …, "suggestions_equal_to_fresh": true,
 "buyer_refresh_ms": …, "vendor_refresh_ms": …, …}
Exit status 0 when nothing was double-booked, every racer got a clear answer and the stored
suggestions equal a fresh scoring, 2 when not, 1 when the setup failed.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import json
import os
import re
import statistics
import sys
import threading
import time

import requests
from _common import BenchError, DaphneServer, json_line, log, postgres_server, rounded, workspace
from checkout import BuyerSession

SEED = r"""
import json, sys, time
import django
django.setup()
from datetime import timedelta
from zoneinfo import ZoneInfo
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.utils import timezone
from booths.models import Booth, Product, Vendor, VendorMembership
from events.matching.models import MatchingSettings, MeetingAvailability
from expo.models import BuyerConsent, BuyerProfile, Expo, Office, OfficeMembership, Region, Sector, User

n_vendors, n_slots, n_buyers, n_racers = (int(a) for a in sys.argv[1:5])
started = time.perf_counter()
WIB = ZoneInfo("Asia/Jakarta")
office = Office.objects.create(name="Dinkop Bench", province="Bench", slug="bench")
region = Region.objects.create(province="Bench", code="88.01", name="Regency 1", kind="kabupaten")
WORDS = ["coffee", "tea", "batik", "rattan", "cocoa", "spice", "honey", "cashew", "silver", "soap"]
sectors = Sector.objects.bulk_create(
    Sector(slug=f"bench-{i}", name_en=f"Sector {WORDS[i]}", name_id=f"Sektor {WORDS[i]}", position=i)
    for i in range(10)
)
now = timezone.now()
opens = (now + timedelta(days=2)).astimezone(WIB).replace(hour=8, minute=0, second=0, microsecond=0)
expo = Expo.objects.create(
    office=office, slug="matching-bench", title_en="Matching bench", title_id="Bench",
    applications_open_at=now - timedelta(days=30), application_deadline=now - timedelta(days=10),
    opens_at=opens, closes_at=opens + timedelta(days=3, hours=12),
)
MatchingSettings.objects.create(expo=expo, enabled=True, meeting_minutes=30, cancel_cutoff_minutes=60)
password = make_password("bench-password-1")
members = User.objects.bulk_create(
    User(email=f"vendor{i}@bench.example", name=f"Vendor {i}", password=password)
    for i in range(n_vendors)
)
vendors = Vendor.objects.bulk_create(
    Vendor(name=f"UMKM {i:03d}", slug=f"umkm-{i:03d}", owner_name="Sri", region=region,
           sector=sectors[i % 10], size_class=("mikro", "kecil", "menengah")[i % 3])
    for i in range(n_vendors)
)
VendorMembership.objects.bulk_create(
    VendorMembership(vendor=v, user=m, role="owner") for v, m in zip(vendors, members)
)
booths = Booth.objects.bulk_create(
    Booth(expo=expo, vendor=v, slug=v.slug, tagline_en=f"Fine {WORDS[i % 10]}")
    for i, v in enumerate(vendors)
)
Product.objects.bulk_create(
    Product(booth=b, slug=f"p{k}", name_en=f"{WORDS[(i + k) % 10]} pack {k}",
            name_id=f"paket {WORDS[(i + k) % 10]} {k}", category="food", price=25_000 + k)
    for i, b in enumerate(booths) for k in range(3)
)
per_day = n_slots // 2
windows = []
for v, m in zip(vendors, members):
    for day in range(2):
        start = opens + timedelta(days=day)
        windows.append(MeetingAvailability(expo=expo, vendor=v, member=m, starts_at=start,
                                           ends_at=start + timedelta(minutes=30 * per_day)))
MeetingAvailability.objects.bulk_create(windows)
countries = ["JP", "SG", "MY", "AE", "QA", "NL", "US", "GB", "AU", "ID"]
kinds = ["importer", "distributor", "retailer", "horeca", "government", "individual"]
buyers = User.objects.bulk_create(
    User(email=f"buyer{i}@bench.example", name=f"Buyer {i}", password=password, time_zone="Asia/Tokyo")
    for i in range(n_buyers)
)
profiles = BuyerProfile.objects.bulk_create(
    BuyerProfile(user=u, company=f"Trading {i:04d}", country=countries[i % 10],
                 buyer_type=kinds[i % 6], products=f"{WORDS[i % 10]}, {WORDS[(i * 7) % 10]} gifts")
    for i, u in enumerate(buyers)
)
BuyerConsent.objects.bulk_create(
    BuyerConsent(profile=p, wording="bench", language="en") for p in profiles
)
through = BuyerProfile.sectors.through
through.objects.bulk_create(
    through(buyerprofile_id=p.pk, sector_id=sectors[(i + k * 3) % 10].pk)
    for i, p in enumerate(profiles) for k in range(2)
)
organiser = User.objects.create_user(email="organiser@bench.example", password="bench-password-1", name="Organiser")
OfficeMembership.objects.create(office=office, user=organiser)
def session(user):
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value
print(json.dumps({
    "expo": expo.slug,
    "booths": [b.slug for b in booths],
    "organiser": session(organiser),
    "buyers": [session(u) for u in buyers[:n_racers]],
    "seconds": round(time.perf_counter() - started, 1),
}))
"""

QUERIES = r"""
import json, sys
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from expo.models import User

expo, booth = sys.argv[1:3]
counts = {}
buyer = User.objects.get(email="buyer0@bench.example")
organiser = User.objects.get(email="organiser@bench.example")
for name, user, path in (
    ("slot_page", buyer, f"/expos/{expo}/booths/{booth}/meet/"),
    ("suggestions", organiser, f"/manage/expos/{expo}/matchmaking/"),
):
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)
    client.get(path, secure=True)
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path, secure=True).status_code
    counts[name] = len(queries)
    counts[name + "_status"] = status
print(json.dumps(counts))
"""

CHECK = r"""
import json, sys
import django
django.setup()
from django.db import connection
from events.matching.models import Meeting

with connection.cursor() as cursor:
    cursor.execute('''
        SELECT count(*) FROM events_meeting a JOIN events_meeting b
          ON a.vendor_id = b.vendor_id AND a.id < b.id
         AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
         WHERE a.status IN ('requested', 'proposed', 'confirmed')
           AND b.status IN ('requested', 'proposed', 'confirmed')
    ''')
    vendors = cursor.fetchone()[0]
    cursor.execute('''
        SELECT count(*) FROM events_meetingparticipant a JOIN events_meetingparticipant b
          ON a.user_id = b.user_id AND a.id < b.id
         AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
         WHERE a.is_active AND b.is_active
    ''')
    people = cursor.fetchone()[0]
print(json.dumps({"double_booked": vendors + people, "meetings": Meeting.objects.count()}))
"""

SUGGESTIONS = r"""
import json, sys, time
import django
django.setup()
from events.matching import suggestions
from expo.models import BuyerProfile, Expo
from booths.models import Booth

expo = Expo.objects.get(slug=sys.argv[1])
stored = suggestions.stored_pairs(expo)
fresh = suggestions.fresh_pairs(expo)
buyer = BuyerProfile.objects.order_by("pk").values_list("user_id", flat=True).first()
vendor = Booth.objects.filter(expo=expo).order_by("pk").values_list("vendor_id", flat=True).first()
started = time.perf_counter()
suggestions.suggestions_refresh(expo_ids=[expo.pk], buyer_ids=[buyer])
buyer_ms = (time.perf_counter() - started) * 1000
started = time.perf_counter()
suggestions.suggestions_refresh(expo_ids=[expo.pk], vendor_ids=[vendor])
vendor_ms = (time.perf_counter() - started) * 1000
print(json.dumps({
    "pairs": len(stored), "equal_to_fresh": stored == fresh,
    "buyer_refresh_ms": round(buyer_ms, 1), "vendor_refresh_ms": round(vendor_ms, 1),
    "equal_after_refresh": suggestions.stored_pairs(expo) == fresh,
}))
"""

INPUT = re.compile(r"<input\b[^>]*>", re.I)
ATTRIBUTE = re.compile(r'([a-zA-Z_:-]+)="([^"]*)"')
# What a racer that lost its slot reads: taken before its write, or by then no longer free.
TAKEN = ("taken this time", "no longer free")


def hidden_value(page: str, name: str) -> str | None:
    for tag in INPUT.findall(page):
        attributes = dict(ATTRIBUTE.findall(tag))
        if attributes.get("name") == name:
            return html.unescape(attributes.get("value", ""))
    return None


def slot_keys(page: str) -> list[str]:
    keys = []
    for tag in INPUT.findall(page):
        attributes = dict(ATTRIBUTE.findall(tag))
        if attributes.get("name") == "slot":
            keys.append(attributes.get("value", ""))
    return keys


def brief(page: str) -> str:
    """The words of an unexpected page, without its markup."""
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    return text[:300]


def session_for(base: str, cookie: str | None) -> requests.Session:
    session = BuyerSession()
    session.headers.update(
        {"Accept-Language": "en", "X-Forwarded-Proto": "https", "User-Agent": "umkm-bench-matching"}
    )
    if cookie:
        session.cookies.set("sessionid", cookie, domain="127.0.0.1", path="/", secure=True)
    return session


def p95(values: list[float]) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[94]


def timed_pages(base: str, cookie: str, paths: list[str]) -> list[float]:
    session = session_for(base, cookie)
    times = []
    for path in paths:
        started = time.perf_counter()
        response = session.get(base + path, allow_redirects=False, timeout=120)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise BenchError(f"GET {path}: {response.status_code} {response.text[:200]}")
        times.append(elapsed)
    return times


def race(base: str, seeded: dict, n_booths: int) -> dict:
    """Each racer fetches its booth's slot page, then all post at once."""
    racers = seeded["buyers"]
    origin = "https://" + base.split("://", 1)[1]
    barrier = threading.Barrier(len(racers) + 1, timeout=600)
    outcome = {"meetings": 0, "taken": 0, "other": 0, "errors": []}
    lock = threading.Lock()

    def run(n: int, cookie: str) -> None:
        booth = seeded["booths"][(n // 3) % n_booths]
        path = f"/expos/{seeded['expo']}/booths/{booth}/meet/"
        session = session_for(base, cookie)
        answer = "other"
        try:
            page = session.get(base + path, timeout=300)
            token = hidden_value(page.text, "csrfmiddlewaretoken")
            keys = slot_keys(page.text)
            barrier.wait()
            if not token or not keys:
                raise BenchError(f"slot page {path}: {page.status_code}")
            reply = session.post(
                base + path,
                data={"csrfmiddlewaretoken": token, "slot": keys[0], "agenda": f"Bench {n}"},
                headers={"Origin": origin, "Referer": origin + path},
                allow_redirects=False,
                timeout=300,
            )
            if reply.status_code == 302 and "/meetings/" in reply.headers.get("Location", ""):
                answer = "meetings"
            elif reply.status_code == 200 and any(words in reply.text for words in TAKEN):
                answer = "taken"
            else:
                raise BenchError(f"POST {path}: {reply.status_code} {brief(reply.text)}")
        except (BenchError, requests.RequestException, threading.BrokenBarrierError) as exc:
            with lock:
                outcome["errors"].append(str(exc)[-300:])
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.abort()
        with lock:
            outcome[answer] += 1

    threads = [
        threading.Thread(target=run, args=(n, cookie), daemon=True)
        for n, cookie in enumerate(racers)
    ]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    outcome["seconds"] = time.perf_counter() - started
    return outcome


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", metavar="URL", default=None)
    parser.add_argument("--vendors", type=int, default=300)
    parser.add_argument("--slots", type=int, default=40, help="slots per vendor (over two days)")
    parser.add_argument("--buyers", type=int, default=3000)
    parser.add_argument("--racers", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    if min(args.vendors, args.slots, args.buyers, args.racers, args.repeat) < 1:
        parser.error("every count must be positive")
    args.racers = min(args.racers, args.buyers)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load_before = list(os.getloadavg())
    summary: dict = {"slot_page_p95_ms": None, "suggestions_p95_ms": None,
                     "requests_per_s": None, "double_booked": None}  # fmt: skip
    try:
        with contextlib.ExitStack() as stack:
            own = None
            if not args.postgres:
                own = stack.enter_context(postgres_server(max_connections=args.racers + 60))
            ws = stack.enter_context(workspace(postgres=args.postgres or own.url))
            ws.env.update({"EMAIL_URL": "locmem://", "DATABASE_POOL_MAX_SIZE": "20"})
            started = time.perf_counter()
            ws.manage("migrate", "--noinput", "-v0")
            log(f"migrated in {time.perf_counter() - started:.1f}s")
            seeded = json.loads(
                ws.python(
                    "-c",
                    SEED,
                    str(args.vendors),
                    str(args.slots),
                    str(args.buyers),
                    str(args.racers),
                    timeout=3600,
                )
                .strip()
                .splitlines()[-1]
            )
            log(f"loaded {args.vendors} vendors, {args.buyers} buyers in {seeded['seconds']}s")
            started = time.perf_counter()
            ws.manage("rebuild_suggestions", "--expo", seeded["expo"], timeout=3600)
            rebuild_s = time.perf_counter() - started
            log(f"stored the suggested pairs in {rebuild_s:.1f}s")
            ws.manage("collectstatic", "--noinput", "-v0")
            queries = json.loads(
                ws.python("-c", QUERIES, seeded["expo"], seeded["booths"][0])
                .strip()
                .splitlines()[-1]
            )
            log(f"queries per page: {queries}")
            server = DaphneServer(ws)
            try:
                base = server.start()
                booths = seeded["booths"]
                slot_paths = [
                    f"/expos/{seeded['expo']}/booths/{booths[(i * 7) % len(booths)]}/meet/"
                    for i in range(args.repeat)
                ]
                timed_pages(base, seeded["buyers"][-1], slot_paths[:3])  # warm-up
                slot_ms = timed_pages(base, seeded["buyers"][-1], slot_paths)
                suggest_path = f"/manage/expos/{seeded['expo']}/matchmaking/"
                timed_pages(base, seeded["organiser"], [suggest_path])  # warm-up
                suggest_ms = timed_pages(
                    base, seeded["organiser"], [suggest_path] * max(3, args.repeat // 3)
                )
                log(f"racing {args.racers} buyers")
                outcome = race(base, seeded, max(1, args.racers // 3))
            finally:
                server.stop()
            server_errors = len(server.problems())
            check = json.loads(ws.python("-c", CHECK).strip().splitlines()[-1])
            stored = json.loads(
                ws.python("-c", SUGGESTIONS, seeded["expo"], timeout=3600).strip().splitlines()[-1]
            )
            log(f"stored suggestions after the race: {stored}")
    except BenchError as exc:
        log(f"setup failed: {exc}")
        print(json_line(summary))
        return 1
    answered = outcome["meetings"] + outcome["taken"]
    summary = {
        "slot_page_p95_ms": rounded(p95(slot_ms)),
        "suggestions_p95_ms": rounded(p95(suggest_ms)),
        "requests_per_s": rounded(args.racers / outcome["seconds"]) if outcome["seconds"] else None,
        "double_booked": check["double_booked"],
        "slot_page_p50_ms": rounded(statistics.median(slot_ms)),
        "suggestions_p50_ms": rounded(statistics.median(suggest_ms)),
        "suggested_pairs": stored["pairs"],
        "suggestions_rebuild_s": rounded(rebuild_s),
        "suggestions_equal_to_fresh": stored["equal_to_fresh"] and stored["equal_after_refresh"],
        "buyer_refresh_ms": stored["buyer_refresh_ms"],
        "vendor_refresh_ms": stored["vendor_refresh_ms"],
        "slot_page_queries": queries["slot_page"],
        "suggestions_queries": queries["suggestions"],
        "racers": args.racers,
        "meetings": outcome["meetings"],
        "slot_taken_answers": outcome["taken"],
        "unclear_answers": args.racers - answered,
        "server_errors": server_errors,
        "vendors": args.vendors,
        "buyers": args.buyers,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }
    print(
        f"slot page        p50 {summary['slot_page_p50_ms']} ms  p95 {summary['slot_page_p95_ms']} ms  ({queries['slot_page']} queries)"
    )
    print(
        f"suggestions page p50 {summary['suggestions_p50_ms']} ms  p95 {summary['suggestions_p95_ms']} ms  ({queries['suggestions']} queries)"
    )
    print(f"race: {args.racers} buyers in {outcome['seconds']:.2f}s -> {outcome['meetings']} meetings, "
          f"{outcome['taken']} 'taken' answers, {args.racers - answered} unclear; errors: {outcome['errors'][:3]}")  # fmt: skip
    print(f"double-booked: {check['double_booked']}")
    print(json_line(summary))
    print(
        f"suggestions: {stored['pairs']} pairs stored in {rebuild_s:.1f}s, equal to a fresh "
        f"scoring after the race: {summary['suggestions_equal_to_fresh']}; one buyer's refreshed in "
        f"{stored['buyer_refresh_ms']} ms, one vendor's in {stored['vendor_refresh_ms']} ms"
    )
    ok = (
        check["double_booked"] == 0
        and answered == args.racers
        and summary["suggestions_equal_to_fresh"]
    )
    return 0 if ok else 2


if __name__ == "__main__":
    sys.exit(main())
