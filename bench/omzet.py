"""How long does the full omzet dashboard of one expo take on a big ledger, next to plain SQL?

    .venv/bin/python bench/omzet.py [--postgres URL] [--rows 1000000] [--expos 5] [--booths 500]
                                    [--regions 35] [--repeat 5] [--accounts 0.0] [--chat 1.0]
                                    [--queries] [--profile N]

Starts its own PostgreSQL server (initdb + pg_ctl in a temporary folder, stopped and removed at the
end; or uses the server of ``--postgres URL``), creates a fresh database, migrates it, then loads — with
``generate_series`` inside PostgreSQL, no row goes through Python — ``--expos`` expos, ``--booths``
booths (spread evenly) of vendors in ``--regions`` regencies and 10 sectors, about ``rows / 2.6``
paid orders with one to four lines each, one sale entry per line and a refund for every 19th line
(``--rows`` ledger entries in all; ``--accounts``: the share of the 40,000 buyers who buy signed
in, the rest as guests), potential deals, and page visits that grow with the ledger: as many
booth-page visits as ledger rows and as many product-page visits (eight products a booth), each
expo's visitors opening ten booths over its three days, and 40 live sessions an expo with chat
messages that grow with the ledger too (``--chat``: messages as a share of the ledger rows,
default as many; by a pool of accounts of their own, one in 50 removed by a moderator). The
ledger, the visits and the messages are loaded without passing through their writers, so
``manage.py rebuild_omzet_rollups --expo``, ``manage.py rebuild_chat_counts --expo`` and
``manage.py rebuild_visit_rollups --expo`` then build the measured expo's rollups from them
(timed: the rebuild of one expo at this size). Then it builds one expo's dashboard
(:func:`expo.reports.figures.expo_dashboard`: every figure, names included; its money from the
rollups) ``--repeat`` times after a warm-up, and runs the aggregates the dashboard once ran over the
ledger as hand-written SQL as many times, in the same run. Medians are reported, with the slowest
queries of one dashboard (``--queries``: all of them; ``--profile N``: the page's N costliest functions),
the time of one dashboard spent in its queries, the whole dashboard page as an organiser loads it
(caches emptied before each load), the load average before and after, and a check
that the dashboard's omzet, transactions, buyers, visits, visitors (the sessions' chatters among
them) and each live session's messages and chatters equal what the plain SQL counts from the
ledger, the visits and the chat messages. ``chat_old_s`` is what the dashboard's two queries over
the chat messages (before it read the sessions' chat counts) take on the same data.

    .venv/bin/python bench/omzet.py --rows 10000000

The orders come through every channel of the ledger (direct, live session, banner, quotation,
stand, offline and mall), with a recorded stand sale for each offline order, about two in three of
them verified: the dashboard's channel split (the expo's own omzet, the mall's apart, the total,
the stand sales verified and unverified; ``expo.reports.figures.channels``) is checked against the
plain SQL of the same run, which also counts it from the ledger (``split`` in the JSON line).

The last line printed is one JSON object:
{"rows": 10000000, "dashboard_s": …, "sql_s": …, "ratio": …, "rebuild_s": …, "matches": true, …}
Target: the dashboard under 100 ms, and its figures equal to the plain SQL's. Exit status 0 when
both hold, 2 when not, 1 when the setup failed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time

from _common import BenchError, log, postgres_server, workspace

LOAD = r"""
import contextlib, json, sys, time
import django
django.setup()
from datetime import timedelta
from django.db import connection
from django.utils import timezone
from expo.models import Expo, Office, Region, Sector

rows, n_expos, n_booths, n_regions = (int(a) for a in sys.argv[1:5])
accounts = int(40000 * float(sys.argv[5]))  # of the 40,000 buyers, those who buy signed in
chat = int(rows * float(sys.argv[6]))  # live sessions' chat messages, in all the expos
started = time.perf_counter()
office = Office.objects.create(name="Dinkop UKM Bench", province="Bench", slug="bench")
regions = Region.objects.bulk_create(
    Region(province="Bench", code=f"88.{i:02d}", name=f"Regency {i:02d}", kind="kabupaten")
    for i in range(1, n_regions + 1)
)
sectors = Sector.objects.bulk_create(
    Sector(slug=f"bench-{i}", name_en=f"Sector {i}", name_id=f"Sektor {i}", position=i) for i in range(10)
)
now = timezone.now()
expos = []
for e in range(n_expos):
    opens = now - timedelta(days=3 + 10 * (n_expos - 1 - e))
    expos.append(Expo.objects.create(
        office=office, slug=f"bench-expo-{e}", title_en=f"Bench expo {e}", title_id=f"Expo uji {e}",
        applications_open_at=opens - timedelta(days=20), application_deadline=opens - timedelta(days=5),
        opens_at=opens, closes_at=opens + timedelta(days=3),
    ))
expo_ids = [x.pk for x in expos]
per_expo = n_booths // n_expos
orders = rows * 19 // 50  # 2.5 lines per order, and a refund for every 19th line: 2.63 rows each
region0, sector0 = regions[0].pk, sectors[0].pk
with connection.cursor() as c:
    # The generated rows are consistent: skip the foreign-key triggers (a superuser may; anyone
    # else keeps them and loads more slowly).
    with contextlib.suppress(Exception):
        c.execute("SET session_replication_role = replica")
    c.execute("CREATE TEMP TABLE bench_expo (e int PRIMARY KEY, id bigint, opens timestamptz)")
    c.executemany("INSERT INTO bench_expo VALUES (%s, %s, %s)", [(i, x.pk, x.opens_at) for i, x in enumerate(expos)])
    c.execute(
        "INSERT INTO booths_vendor (name, slug, owner_name, nib, region_id, sector_id, size_class, address, whatsapp, story, logo, created_at) "
        "SELECT 'UMKM ' || i, 'bench-vendor-' || i, 'Owner', '', %s + (i %% %s), %s + (i %% 10), "
        "(ARRAY['mikro','mikro','kecil','menengah'])[1 + i %% 4], '', '', '', '', now() FROM generate_series(0, %s - 1) i",
        [region0, n_regions, sector0, n_booths],
    )
    c.execute("SELECT min(id) FROM booths_vendor WHERE slug LIKE 'bench-vendor-%%'", [])
    vendor0 = c.fetchone()[0]
    c.execute(
        "INSERT INTO booths_booth (expo_id, vendor_id, slug, tagline_en, tagline_id, description_en, description_id, cover_image, video_url, is_halal, is_active, has_preorder, product_count, created_at, updated_at) "
        "SELECT (SELECT id FROM bench_expo WHERE e = i / %s), %s + i, 'booth-' || i, '', '', '', '', '', '', false, true, false, 0, now(), now() "
        "FROM generate_series(0, %s - 1) i",
        [per_expo, vendor0, per_expo * n_expos],
    )
    c.execute("SELECT min(id) FROM booths_booth")
    booth0 = c.fetchone()[0]
    # Orders in the order they were paid (the ledger is append-only, written as sales happen, and
    # the expos run one after another): expo by expo, each over its three days; the booth and the
    # buyer hashed; 1 in 5 from abroad; 1 in 10 from a live session, 1 in 10 from a banner.
    per = -(-orders // n_expos)
    c.execute(
        "CREATE TEMP TABLE bench_order AS SELECT o, (o - 1) / %s AS e, "
        "((o * 2654435761) %% %s) AS b, ((o - 1) %% %s) * 259200 / %s AS sec, "
        "(o * 97) %% 40000 AS buyer, 1 + (o * 7) %% 4 AS n FROM generate_series(1::bigint, %s) o",
        [per, per_expo, per, per, orders],
    )
    from expo.models import User
    c.execute("CREATE TEMP TABLE bench_account (buyer int PRIMARY KEY, id bigint)")
    c.executemany("INSERT INTO bench_account VALUES (%s, %s)", [
        (i, user.pk) for i, user in enumerate(User.objects.bulk_create(
            (User(email=f"buyer{i}@example.com", password="!") for i in range(accounts)), batch_size=2000))
    ])
    c.execute(
        "INSERT INTO payments_order (id, code, expo_id, access_key, email, name, phone, address, city, region, postal_code, country, language, status, stock, provider, channel, attribution_id, attribution_label, subtotal, shipping_total, total, refunded_total, cancel_reason, placed_at, paid_at, updated_at, buyer_id) "
        "SELECT o, 'B' || o, x.id, 'k', 'buyer' || buyer || '@example.com', 'Buyer', '1', 'Jl', 'Kota', '', '', "
        "CASE WHEN o %% 5 = 0 THEN (ARRAY['MY','SG','JP','AU','NL','SA','US'])[1 + (o / 5) %% 7] ELSE 'ID' END, 'id', 'paid', 'sold', 'manual', "
        "CASE o %% 10 WHEN 0 THEN 'live_session' WHEN 1 THEN 'banner' WHEN 2 THEN 'quotation' WHEN 3 THEN 'stand' "
        "WHEN 4 THEN 'offline' WHEN 5 THEN 'mall' ELSE 'direct' END, "
        "CASE o %% 10 WHEN 0 THEN 1 + o %% 40 WHEN 1 THEN 1 + o %% 12 END, "
        "CASE o %% 10 WHEN 0 THEN 'Session ' || (1 + o %% 40) WHEN 1 THEN 'Banner ' || (1 + o %% 12) ELSE '' END, "
        "0, 0, 0, 0, '', x.opens + sec * interval '1 second', x.opens + sec * interval '1 second', now(), a.id "
        "FROM bench_order JOIN bench_expo x USING (e) LEFT JOIN bench_account a USING (buyer)",
        [],
    )
    c.execute(
        "INSERT INTO payments_orderpart (id, order_id, booth_id, vendor_id, status, subtotal, shipping_zone, shipping_method, shipping_amount, shipping_refunded, courier, courier_name, tracking_number) "
        "SELECT o, o, %s + e * %s + b, %s + e * %s + b, 'paid', 0, 'domestic', 'arrange', 0, 0, '', '', '' FROM bench_order",
        [booth0, per_expo, vendor0, per_expo],
    )
    c.execute(
        "INSERT INTO payments_orderline (order_id, part_id, name_en, name_id, unit_price, quantity, is_preorder, refunded_amount) "
        "SELECT o, o, 'Item', 'Barang', 5000 + ((o * 31 + k * 17) %% 300) * 1000, 1 + (o + k) %% 3, false, 0 "
        "FROM bench_order, generate_series(1, n) k",
        [],
    )
    c.execute(
        "INSERT INTO payments_salesledgerentry (kind, amount, expo_id, booth_id, vendor_id, region_id, sector_id, size_class, buyer_country, channel, attribution_id, attribution_label, order_id, line_id, quantity, occurred_at) "
        "SELECT 'sale', l.unit_price * l.quantity, o.expo_id, p.booth_id, p.vendor_id, v.region_id, v.sector_id, v.size_class, o.country, o.channel, o.attribution_id, o.attribution_label, o.id, l.id, l.quantity, o.paid_at "
        "FROM payments_orderline l JOIN payments_order o ON o.id = l.order_id JOIN payments_orderpart p ON p.id = l.part_id JOIN booths_vendor v ON v.id = p.vendor_id ORDER BY l.id"
    )
    c.execute(
        "INSERT INTO payments_salesledgerentry (kind, amount, expo_id, booth_id, vendor_id, region_id, sector_id, size_class, buyer_country, channel, attribution_id, attribution_label, order_id, line_id, quantity, occurred_at) "
        "SELECT 'refund', -(amount / 2), expo_id, booth_id, vendor_id, region_id, sector_id, size_class, buyer_country, channel, attribution_id, attribution_label, order_id, line_id, 0, occurred_at + interval '1 hour' "
        "FROM payments_salesledgerentry WHERE kind = 'sale' AND line_id %% 19 = 0 ORDER BY id",
        [],
    )
    # Page visits as many as ledger rows, and as many product-page visits (issue 19: the visits
    # grow with the crowd as the ledger does). Per expo, visitors of a pool of visits / 10 each
    # open 10 booth pages over the three days and the pages of two products at five of them.
    from booths.models import Product
    per_booth_products = 8
    Product.objects.bulk_create(batch_size=1000, objs=(
        Product(booth_id=booth_id, slug=f"p{k}", name_en=f"Product {k}", name_id=f"Produk {k}",
                category="food", price=10_000, stock=100)
        for booth_id in range(booth0, booth0 + per_expo * n_expos) for k in range(per_booth_products)
    ))
    c.execute("SELECT min(id) FROM booths_product")
    product0 = c.fetchone()[0]
    visits = rows // n_expos
    c.execute(
        "INSERT INTO booths_boothvisit (booth_id, day, visitor) "
        "SELECT %s + x.e * %s + (i / 10 * 7919 + i %% 10) %% %s, "
        "(x.opens AT TIME ZONE 'Asia/Jakarta')::date + ((i %% 10) %% 3)::int, 'v' || x.e || '-' || i / 10 "
        "FROM bench_expo x, generate_series(0::bigint, %s - 1) i",
        [booth0, per_expo, per_expo, visits],
    )
    c.execute(
        "INSERT INTO booths_productvisit (product_id, day, visitor) "
        "SELECT %s + (x.e * %s + (i / 10 * 7919 + i %% 10 / 2) %% %s) * %s + (i / 10 + i %% 10) %% %s, "
        "(x.opens AT TIME ZONE 'Asia/Jakarta')::date + ((i %% 10) %% 3)::int, 'v' || x.e || '-' || i / 10 "
        "FROM bench_expo x, generate_series(0::bigint, %s - 1) i",
        [product0, per_expo, per_expo, per_booth_products, per_booth_products, visits],
    )
    c.execute(
        "INSERT INTO expo_potentialdeal (expo_id, booth_id, vendor_id, buyer_company, buyer_country, product, estimated_value, status, note, verification, verification_note, created_at, updated_at) "
        "SELECT b.expo_id, b.id, b.vendor_id, 'PT Mitra ' || b.id, 'SG', 'Produk', 10000000 + b.id * 1000, 'agreed', '', "
        "(ARRAY['pending','verified','rejected'])[1 + b.id %% 3], '', now(), now() FROM booths_booth b",
        [],
    )
    # Live sessions and their chat (issue 19: the chat grows with the crowd too): 40 sessions an
    # expo at its first booths, each an hour; the messages spread over them, written by a pool of
    # accounts of their own (one per 20 messages, at most 20,000), one in 50 removed.
    from events.models import LiveSession
    n_sessions = 40
    sessions = LiveSession.objects.bulk_create(
        LiveSession(booth_id=booth0 + e * per_expo + k % per_expo, title_en=f"Session {e}-{k}",
                    title_id=f"Sesi {e}-{k}", starts_at=x.opens_at + timedelta(hours=k),
                    ends_at=x.opens_at + timedelta(hours=k + 1), stream_url="https://example.com/live")
        for e, x in enumerate(expos) for k in range(n_sessions)
    )
    c.execute("CREATE TEMP TABLE bench_session (e int, k int, id bigint, starts timestamptz, PRIMARY KEY (e, k))")
    c.executemany("INSERT INTO bench_session VALUES (%s, %s, %s, %s)",
                  [(n // n_sessions, n % n_sessions, s.pk, s.starts_at) for n, s in enumerate(sessions)])
    chatters = min(20000, max(10, chat // 20)) if chat else 0
    c.execute("CREATE TEMP TABLE bench_chatter (k int PRIMARY KEY, id bigint)")
    c.executemany("INSERT INTO bench_chatter VALUES (%s, %s)", [
        (i, user.pk) for i, user in enumerate(User.objects.bulk_create(
            (User(email=f"chatter{i}@example.com", password="!") for i in range(chatters)), batch_size=2000))
    ])
    if chat:
        c.execute(
            "INSERT INTO events_chatmessage (room_kind, room_id, expo_id, author_id, author_name, author_role, body, client_id, sent_at, deleted_at, deleted_by_id) "
            "SELECT 'session', s.id, x.id, a.id, 'Pembeli', 'buyer', 'Halo, berapa harganya?', '', s.starts + (i %% 3600) * interval '1 second', "
            "CASE WHEN i %% 50 = 0 THEN s.starts + interval '2 hours' END, NULL "
            "FROM bench_expo x CROSS JOIN generate_series(0::bigint, %s - 1) i "
            "JOIN bench_session s ON s.e = x.e AND s.k = (i * 7) %% %s "
            "JOIN bench_chatter a ON a.k = (i * 7919 + x.e * 13) %% %s ORDER BY x.e, i",
            [chat // n_expos, n_sessions, chatters],
        )
    # Every channel (issue 18): 1 in 10 orders each from a live session, a banner, a quotation, a
    # stand's QR code, a sale recorded at a stand (offline: an OfflineSale each, about two in three
    # verified by a sign-off) and the mall after closing; the rest direct.
    from payments.models import OfflineVerification
    signer = User.objects.create_user(email="bench-organiser@example.com")
    c.execute("CREATE TEMP TABLE bench_verification (expo_id bigint PRIMARY KEY, id bigint)")
    c.executemany("INSERT INTO bench_verification VALUES (%s, %s)", [
        (x.pk, OfflineVerification.objects.create(expo=x, method="sample", population=0, signed_by=signer).pk)
        for x in expos
    ])
    c.execute(
        "INSERT INTO payments_offlinesale (order_id, expo_id, booth_id, vendor_id, stand_id, payment_method, receipt_number, total, recorded_by_id, recorded_at, verification_id) "
        "SELECT o.id, o.expo_id, p.booth_id, p.vendor_id, NULL, (ARRAY['cash','qris','transfer'])[1 + o.id %% 3], 'R' || o.id, s.total, %s, o.paid_at, "
        "CASE WHEN o.id %% 3 < 2 THEN v.id END "
        "FROM payments_order o JOIN payments_orderpart p ON p.order_id = o.id JOIN bench_verification v ON v.expo_id = o.expo_id "
        "JOIN (SELECT order_id, SUM(amount) AS total FROM payments_salesledgerentry WHERE kind = 'sale' AND channel = 'offline' GROUP BY 1) s ON s.order_id = o.id "
        "WHERE o.channel = 'offline'",
        [signer.pk],
    )
    for table in ("payments_order", "payments_orderpart", "payments_orderline", "payments_salesledgerentry",
                  "booths_boothvisit", "booths_productvisit", "events_chatmessage"):
        c.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT max(id) FROM {table}), 1))")
    c.execute("ANALYZE")
    c.execute("SELECT count(*) FROM payments_salesledgerentry")
    total = c.fetchone()[0]
print(json.dumps({"rows": total, "expo": expos[n_expos // 2].slug, "seconds": round(time.perf_counter() - started, 1)}))
"""

MEASURE = r"""
import json, statistics, sys, time
import django
django.setup()
from django.db import connection
from expo.reports import figures as reports
from expo.models import Expo

slug, repeat, profile = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
expo = Expo.objects.select_related("office").get(slug=slug)
X = expo.pk
SALE = "kind = 'sale'"
MONEY = (
    "SUM(amount) FILTER (WHERE kind = 'sale'), SUM(amount) FILTER (WHERE kind = 'refund'), "
    "COUNT(DISTINCT order_id) FILTER (WHERE kind = 'sale'), SUM(quantity)"
)
PAID = f"o.expo_id = %s AND EXISTS (SELECT 1 FROM payments_salesledgerentry l WHERE l.order_id = o.id AND l.{SALE})"
SUMS = "SUM(amount) FILTER (WHERE kind = 'sale'), SUM(amount) FILTER (WHERE kind = 'refund'), SUM(quantity)"
HOUR = "date_trunc('hour', {} AT TIME ZONE 'Asia/Jakarta')"
VISITORS = (
    "SELECT v.booth_id, v.visitor FROM booths_boothvisit v JOIN booths_booth b ON b.id = v.booth_id WHERE b.expo_id = %s "
    "UNION SELECT p.booth_id, v.visitor FROM booths_productvisit v JOIN booths_product p ON p.id = v.product_id "
    "JOIN booths_booth b ON b.id = p.booth_id WHERE b.expo_id = %s"
)
# What the dashboard once read from the chat messages: each session's messages and chatters, and
# the sessions' chatters (for the conversion).
CHAT_OLD = [
    ("SELECT room_id, COUNT(*), COUNT(DISTINCT author_id) FROM events_chatmessage "
     "WHERE expo_id = %s AND room_kind = 'session' AND deleted_at IS NULL GROUP BY 1", [X]),
    ("SELECT DISTINCT room_id, author_id FROM events_chatmessage WHERE room_kind = 'session' AND author_id IS NOT NULL "
     "AND room_id IN (SELECT s.id FROM events_livesession s JOIN booths_booth b ON b.id = s.booth_id WHERE b.expo_id = %s)", [X]),
]
SQL = [
    (f"SELECT booth_id, vendor_id, region_id, sector_id, size_class, {MONEY} FROM payments_salesledgerentry "
     "WHERE expo_id = %s GROUP BY 1, 2, 3, 4, 5", [X]),
    (f"SELECT buyer_country, channel, attribution_id, attribution_label, {HOUR.format('occurred_at')}, {SUMS} "
     "FROM payments_salesledgerentry WHERE expo_id = %s GROUP BY 1, 2, 3, 4, 5", [X]),
    (f"SELECT country, channel, attribution_id, {HOUR.format('paid_at')}, COUNT(*) FROM payments_order o WHERE {PAID} GROUP BY 1, 2, 3, 4", [X]),
    (f"SELECT DISTINCT buyer_id, CASE WHEN buyer_id IS NULL THEN lower(email) ELSE '' END, country FROM payments_order o WHERE {PAID}", [X]),
    ("SELECT v.booth_id, COUNT(*) FROM booths_boothvisit v JOIN booths_booth b ON b.id = v.booth_id WHERE b.expo_id = %s GROUP BY 1", [X]),
    # The conversion's visitors: each booth's distinct visitors (its page and its products' pages),
    # and the expo's.
    (f"SELECT booth_id, COUNT(*) FROM ({VISITORS}) v GROUP BY 1", [X, X]),
    (f"SELECT COUNT(DISTINCT visitor) FROM ({VISITORS}) v", [X, X]),
    ("SELECT b.*, v.* FROM booths_booth b JOIN booths_vendor v ON v.id = b.vendor_id WHERE b.expo_id = %s", [X]),
    ("SELECT * FROM expo_region WHERE id IN (SELECT DISTINCT region_id FROM booths_vendor)", []),
    ("SELECT * FROM expo_sector", []),
    ("SELECT s.* FROM events_livesession s JOIN booths_booth b ON b.id = s.booth_id WHERE b.expo_id = %s", [X]),
    *CHAT_OLD,
    ("SELECT s.campaign_id, c.title_en, c.title_id, SUM(s.impressions), SUM(s.clicks) FROM expo_bannerdailystat s "
     "JOIN expo_bannercampaign c ON c.id = s.campaign_id WHERE c.expo_id = %s GROUP BY 1, 2, 3", [X]),
    ("SELECT COUNT(*), SUM(estimated_value) FROM expo_potentialdeal WHERE expo_id = %s AND verification <> 'rejected'", [X]),
    # The channel split (issue 18): each channel's omzet and orders, and the stand sales not verified yet.
    (f"SELECT channel, {MONEY} FROM payments_salesledgerentry WHERE expo_id = %s GROUP BY 1", [X]),
    ("SELECT SUM(total), COUNT(*) FROM payments_offlinesale WHERE expo_id = %s AND verification_id IS NULL", [X]),
]


def sql_once(queries=SQL):
    with connection.cursor() as c:
        for text, params in queries:
            c.execute(text, params)
            c.fetchall()


def timed(fn):
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


board_holder = {}
def dashboard_once():
    board_holder["b"] = reports.expo_dashboard(expo)

dash, dash_all = timed(dashboard_once)
sql, sql_all = timed(sql_once)
chat_old, _chat_old_all = timed(lambda: sql_once(CHAT_OLD))

# The whole page as an organiser loads it (its figures, the funnel and meetings sections, the
# template), with every cache emptied first: each load counted as the first in a minute.
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from expo import services as expo_services
from expo.models import User
viewer = User.objects.create_user(email="bench-dashboard@example.com")
expo_services.office_add_organiser(office=expo.office, user=viewer)
browser = Client(HTTP_HOST="127.0.0.1")
browser.force_login(viewer)
page_url = reverse("manage:reports:dashboard", args=[expo.slug])
def page_once():
    cache.clear()
    response = browser.get(page_url)
    assert response.status_code == 200, response.status_code
page, page_all = timed(page_once)
from django.test.utils import CaptureQueriesContext
page_queries = []  # counted on the connection's wrapper: a request may reconnect
def counting(execute, sql, params, many, context):
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        page_queries.append({"time": time.perf_counter() - started, "sql": sql})
with connection.execute_wrapper(counting):
    page_once()
board = board_holder["b"]
with CaptureQueriesContext(connection) as captured:
    reports.expo_dashboard(expo)
every_query = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
profiled = ""
if profile:
    # Where one load of the page spends its time, its figures and queries included.
    import cProfile, io, pstats
    profiler = cProfile.Profile()
    profiler.runcall(page_once)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(profile)
    profiled = out.getvalue()
slowest = every_query[:3]
in_sql = sum(float(q["time"]) for q in every_query)
with connection.cursor() as c:
    c.execute("SELECT count(*) FROM payments_salesledgerentry WHERE expo_id = %s", [X])
    expo_rows = c.fetchone()[0]
    # What the dashboard shows, counted again from the ledger itself.
    c.execute("SELECT COALESCE(SUM(amount), 0), COUNT(DISTINCT order_id) FILTER (WHERE kind = 'sale'), "
              "COALESCE(SUM(quantity), 0) FROM payments_salesledgerentry WHERE expo_id = %s AND channel <> 'mall'", [X])
    omzet, transactions, quantity = c.fetchone()  # the expo's own: the mall is counted apart
    c.execute(f"SELECT COUNT(*) FROM (SELECT DISTINCT buyer_id, CASE WHEN buyer_id IS NULL THEN lower(email) ELSE '' END FROM payments_order o WHERE {PAID}) b", [X])
    buyers = c.fetchone()[0]
    c.execute("SELECT channel, SUM(amount) FROM payments_salesledgerentry WHERE expo_id = %s GROUP BY 1", [X])
    channels = dict(c.fetchall())
    c.execute("SELECT COALESCE(SUM(total), 0) FROM payments_offlinesale WHERE expo_id = %s AND verification_id IS NULL", [X])
    unverified = c.fetchone()[0]
    # The visits and visitors, counted from the visit rows; a guest buyer is a visitor too (the
    # conversion's rule: the bench's buyers are all guests).
    c.execute("SELECT COUNT(*) FROM booths_boothvisit v JOIN booths_booth b ON b.id = v.booth_id WHERE b.expo_id = %s", [X])
    visits = c.fetchone()[0]
    c.execute(f"SELECT booth_id, COUNT(*) FROM ({VISITORS}) v GROUP BY 1", [X, X])
    booth_visitors = dict(c.fetchall())
    c.execute(f"SELECT COUNT(DISTINCT visitor) FROM ({VISITORS}) v", [X, X])
    visitors = c.fetchone()[0]
    c.execute(f"SELECT p.booth_id, COUNT(DISTINCT lower(o.email)) FROM payments_order o JOIN payments_orderpart p ON p.order_id = o.id "
              f"WHERE o.buyer_id IS NULL AND {PAID} GROUP BY 1", [X])
    booth_guests = dict(c.fetchall())
    c.execute(f"SELECT COUNT(DISTINCT lower(email)) FROM payments_order o WHERE buyer_id IS NULL AND {PAID}", [X])
    guests = c.fetchone()[0]
    # Buyers who bought signed in: their visits would carry their account's key, which the
    # bench's visits never do, so each is a visitor more (the conversion's rule).
    c.execute(f"SELECT p.booth_id, COUNT(DISTINCT o.buyer_id) FROM payments_order o JOIN payments_orderpart p ON p.order_id = o.id "
              f"WHERE {PAID} GROUP BY 1", [X])
    booth_accounts = dict(c.fetchall())
    c.execute(f"SELECT COUNT(DISTINCT buyer_id) FROM payments_order o WHERE {PAID}", [X])
    account_buyers = c.fetchone()[0]
    # Each live session's messages still shown and their distinct authors; everyone who wrote in
    # a session is a visitor of its booth (their own accounts: no visit or order carries them).
    c.execute("SELECT room_id, COUNT(*), COUNT(DISTINCT author_id) FROM events_chatmessage "
              "WHERE expo_id = %s AND room_kind = 'session' AND deleted_at IS NULL GROUP BY 1", [X])
    session_chat = {str(room): [n, people] for room, n, people in c.fetchall()}
    c.execute("SELECT COUNT(*), COUNT(DISTINCT author_id) FROM events_chatmessage WHERE expo_id = %s", [X])
    chat_messages, chat_people = c.fetchone()
    c.execute("SELECT s.booth_id, COUNT(DISTINCT m.author_id) FROM events_chatmessage m JOIN events_livesession s "
              "ON s.id = m.room_id WHERE m.expo_id = %s AND m.room_kind = 'session' GROUP BY 1", [X])
    booth_chatters = dict(c.fetchall())
split = board.split
expected = {"omzet": omzet, "transactions": transactions, "quantity": quantity, "buyers": buyers, "channels": channels,
            "split": {"expo": omzet, "mall": channels.get("mall", 0), "total": sum(channels.values()),
                      "offline_verified": channels.get("offline", 0) - unverified, "offline_unverified": unverified},
            "visits": visits, "visitors": visitors + guests + account_buyers + chat_people,
            "booth_visitors": sum(booth_visitors.values()) + sum(booth_guests.values()) + sum(booth_accounts.values())
            + sum(booth_chatters.values()),
            "session_chat": session_chat}
shown = {
    "omzet": board.totals.omzet, "transactions": board.totals.transactions, "quantity": board.totals.quantity,
    "buyers": board.totals.buyers, "channels": {r.key: r.omzet for r in board.by_channel},
    "split": {"expo": split.expo.omzet, "mall": split.mall.omzet, "total": split.total,
              "offline_verified": split.offline_verified, "offline_unverified": split.offline_unverified},
    "visits": board.totals.visits, "visitors": board.totals.reach.visitors,
    "booth_visitors": sum(r.extra["visitors"] for r in board.by_booth),
    "session_chat": {str(r.key): [r.extra["messages"], r.extra["chatters"]] for r in board.live_sessions
                     if r.extra.get("messages") or r.extra.get("chatters")},
}
print(json.dumps({
    "dashboard_s": dash, "sql_s": sql, "dashboard_runs": dash_all, "sql_runs": sql_all,
    "page_s": page, "page_runs": page_all, "page_queries": len(page_queries),
    "page_slowest": [[q["time"], q["sql"][:160]] for q in sorted(page_queries, key=lambda q: -q["time"])[:5]],
    "expo_rows": expo_rows, "omzet": board.totals.omzet, "transactions": board.totals.transactions,
    "buyers": board.totals.buyers, "booths": board.totals.booths, "queries": len(captured.captured_queries),
    "split": shown["split"], "channels": len(channels),
    "slowest": [[float(q["time"]), q["sql"][:160]] for q in slowest],
    "every_query": [[float(q["time"]), q["sql"][:200]] for q in every_query], "in_sql_s": in_sql,
    "visits": visits, "visitors": visitors, "profile": profiled,
    "chat_messages": chat_messages, "chatters": chat_people, "chat_sessions": len(session_chat), "chat_old_s": chat_old,
    "matches": shown == expected, "expected": expected, "shown": shown,
}, default=str))
"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=None,
        help="an existing server's admin URL (default: start a server of the bench's own)",
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--expos", type=int, default=5)
    parser.add_argument("--booths", type=int, default=500)
    parser.add_argument("--regions", type=int, default=35)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--accounts",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="the share of the 40,000 buyers who buy signed in (default 0: all guests)",
    )
    parser.add_argument(
        "--chat",
        type=float,
        default=1.0,
        metavar="SHARE",
        help="live sessions' chat messages as a share of the ledger rows (default 1: as many)",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="profile one load of the page and print its N costliest functions (by own time)",
    )
    parser.add_argument(
        "--queries",
        action="store_true",
        help="print every query of one dashboard with its time (not only the slowest three)",
    )
    args = parser.parse_args(argv)
    if min(args.rows, args.expos, args.booths, args.regions, args.repeat) < 1:
        parser.error("every count must be positive")
    if not 0 <= args.accounts <= 1:
        parser.error("--accounts is a share between 0 and 1")
    if not 0 <= args.chat <= 10:
        parser.error("--chat is a share of the ledger rows between 0 and 10")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        with contextlib.ExitStack() as stack:
            admin = args.postgres
            if admin is None:
                server = stack.enter_context(postgres_server())
                admin = server.url
                _tune(server)
                log(f"own PostgreSQL on port {server.port}")
            loaded, rebuild_s, measured = _run(args, stack.enter_context(workspace(postgres=admin)))
    except BenchError as error:
        log(str(error))
        return 1
    return _report(loaded, rebuild_s, measured, every_query=args.queries)


def _tune(server: object) -> None:
    """Memory for the bulk load and the plain SQL (the same server serves both sides)."""
    import psycopg

    with psycopg.connect(server.url, autocommit=True) as conn:
        for name, value in (
            ("shared_buffers", "1GB"),
            ("work_mem", "64MB"),
            ("maintenance_work_mem", "512MB"),
            ("max_wal_size", "8GB"),
        ):
            conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
    server.stop()
    server.start()


def _run(args: argparse.Namespace, ws: object) -> tuple[dict, float, dict]:
    started = time.perf_counter()
    ws.manage("migrate", "--noinput", "-v0")
    ws.manage("collectstatic", "--noinput", "-v0")  # the page is rendered as in production
    log(f"migrated in {time.perf_counter() - started:.1f}s")
    loaded = json.loads(
        ws.python(
            "-c",
            LOAD,
            str(args.rows),
            str(args.expos),
            str(args.booths),
            str(args.regions),
            str(args.accounts),
            str(args.chat),
            timeout=7200,
        )
        .strip()
        .splitlines()[-1]
    )
    log(f"loaded {loaded['rows']:,} ledger rows in {loaded['seconds']}s")
    started = time.perf_counter()
    # The measured expo's rollups (a fifth of the ledger): what the dashboard reads.
    ws.manage("rebuild_omzet_rollups", "--expo", loaded["expo"], timeout=7200)
    rebuild_s = time.perf_counter() - started
    log(f"rollups rebuilt from the ledger in {rebuild_s:.1f}s")
    started = time.perf_counter()
    # The chat messages were loaded without the service that counts them (and the visit rollups'
    # rebuild reads the sessions' chatters from these counts).
    ws.manage("rebuild_chat_counts", "--expo", loaded["expo"], timeout=7200)
    loaded["chat_rebuild_s"] = time.perf_counter() - started
    log(f"chat counts rebuilt in {loaded['chat_rebuild_s']:.1f}s")
    started = time.perf_counter()
    # The visits too were loaded without the flush that keeps their rollups.
    ws.manage("rebuild_visit_rollups", "--expo", loaded["expo"], timeout=7200)
    loaded["visit_rebuild_s"] = time.perf_counter() - started
    log(f"visit rollups rebuilt in {loaded['visit_rebuild_s']:.1f}s; measuring {loaded['expo']}")
    loaded["load_before"] = [round(x, 2) for x in os.getloadavg()]
    measured = json.loads(
        ws.python("-c", MEASURE, loaded["expo"], str(args.repeat), str(args.profile), timeout=3600)
        .strip()
        .splitlines()[-1]
    )
    measured["load_after"] = [round(x, 2) for x in os.getloadavg()]
    return loaded, rebuild_s, measured


def _report(loaded: dict, rebuild_s: float, measured: dict, *, every_query: bool = False) -> int:
    dashboard_s, sql_s = measured["dashboard_s"], measured["sql_s"]
    ratio = dashboard_s / sql_s if sql_s else None
    print(f"ledger rows            {loaded['rows']:>12,}")
    print(f"rows of the expo       {measured['expo_rows']:>12,}")
    print(f"omzet of the expo      Rp {measured['omzet']:,}".replace(",", "."))
    print(f"transactions / buyers  {measured['transactions']:,} / {measured['buyers']:,}")
    print(f"rollups rebuilt in     {rebuild_s:>9.1f} s   (the measured expo, from the ledger)")
    print(
        f"dashboard (median)     {dashboard_s * 1000:>9.1f} ms   runs: {', '.join(f'{t * 1000:.1f}' for t in measured['dashboard_runs'])}"
        f"   ({measured['queries']} queries)"
    )
    print(
        f"plain SQL (median)     {sql_s * 1000:>9.0f} ms   runs: {', '.join(f'{t * 1000:.0f}' for t in measured['sql_runs'])}"
    )
    print(
        f"the page (median)      {measured['page_s'] * 1000:>9.1f} ms   runs: {', '.join(f'{t * 1000:.1f}' for t in measured['page_runs'])}"
        f"   ({measured['page_queries']} queries; caches emptied before each)"
    )
    if every_query:
        for seconds, text in measured["page_slowest"]:
            print(f"  page query {seconds * 1000:7.1f} ms  {text}")
    print(f"ratio                  {ratio:>12.4f}   (target: dashboard < 100 ms)")
    print(
        f"of one dashboard       {measured['in_sql_s'] * 1000:>9.1f} ms in its queries, the rest in Python"
    )
    for seconds, text in measured["every_query" if every_query else "slowest"]:
        print(f"  {'query' if every_query else 'slowest query'} {seconds * 1000:7.1f} ms  {text}")
    print(
        f"visits / visitors      {measured['visits']:,} booth-page visits, {measured['visitors']:,} visitors"
        f"   (visit rollups rebuilt in {loaded['visit_rebuild_s']:.1f} s)"
    )
    print(
        f"chat of the expo       {measured['chat_messages']:,} messages by {measured['chatters']:,} accounts in "
        f"{measured['chat_sessions']} sessions   (counts rebuilt in {loaded['chat_rebuild_s']:.1f} s; "
        f"the old chat queries: {measured['chat_old_s'] * 1000:.1f} ms)"
    )
    print(f"load average           {loaded['load_before']} before, {measured['load_after']} after")
    if measured["profile"]:
        print(measured["profile"])
    split = {k: f"Rp {v:,}".replace(",", ".") for k, v in measured["split"].items()}
    print(
        f"expo / mall / total    {split['expo']} / {split['mall']} / {split['total']}"
        f"   ({measured['channels']} channels)"
    )
    print(
        f"at the stands          {split['offline_verified']} verified, "
        f"{split['offline_unverified']} not yet"
    )
    print(f"same figures as the ledger: {measured['matches']}")
    if not measured["matches"]:
        print(f"  ledger:    {measured['expected']}\n  dashboard: {measured['shown']}")
    print(
        json.dumps(
            {
                "rows": loaded["rows"],
                "expo_rows": measured["expo_rows"],
                "dashboard_s": round(dashboard_s, 4),
                "page_s": round(measured["page_s"], 4),
                "page_queries": measured["page_queries"],
                "sql_s": round(sql_s, 3),
                "ratio": round(ratio, 4) if ratio else None,
                "rebuild_s": round(rebuild_s, 1),
                "visit_rebuild_s": round(loaded["visit_rebuild_s"], 1),
                "visits": measured["visits"],
                "visitors": measured["visitors"],
                "chat_messages": measured["chat_messages"],
                "chat_rebuild_s": round(loaded["chat_rebuild_s"], 1),
                "chat_old_s": round(measured["chat_old_s"], 4),
                "in_sql_s": round(measured["in_sql_s"], 4),
                "load": [loaded["load_before"], measured["load_after"]],
                "queries": measured["queries"],
                "matches": measured["matches"],
                "channels": measured["channels"],
                "split": measured["split"],
            }
        )
    )
    return 0 if dashboard_s < 0.1 and measured["matches"] else 2


if __name__ == "__main__":
    sys.exit(main())
