"""How long do the export-deal funnel figures of one expo take with 100,000 quotations, next to the
plain SQL that computes the same figures?

    .venv/bin/python bench/funnel.py [--postgres URL] [--quotations 100000] [--booths 400]
                                     [--regions 35] [--repeat 5]

Starts its own PostgreSQL server (or uses the server of ``--postgres URL``), creates a fresh
database, migrates it, then loads — with ``generate_series`` inside PostgreSQL — one expo with
``--booths`` booths (20 of them in a small second expo), 5,000 buyer accounts, requests for quotation (one in ten never answered),
``--quotations`` quotations (a third accepted, half of those paid: an order on channel
``quotation`` with its sales-ledger entry, a quarter refunded for one in seven), hand-recorded potential
deals (half tied to a request) and a small second expo beside it, and builds the omzet rollups from
the ledger (``manage.py rebuild_omzet_rollups``). Then it computes
:func:`expo.reports.figures.funnel.expo_funnel` (totals, median time to first quotation, the four
breakdowns with their names) ``--repeat`` times after a warm-up, and the same figures as hand-written
SQL as many times, in the same run, taking turns; medians are compared, and the figures checked equal.

The last line printed is one JSON object:
{"quotations": 100000, "funnel_s": …, "sql_s": …, "ratio": …, "matches": true, …}
Target: ratio ≤ 1.5 and the same figures. Exit status 0 when both hold, 2 when not, 1 when the
setup failed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time

from _common import BenchError, log, postgres_server, workspace

LOAD = r"""
import json, sys, time
import django
django.setup()
from datetime import timedelta
from django.db import connection
from django.utils import timezone
from expo.models import Expo, Office, Region, Sector

quotations, n_booths, n_regions = (int(a) for a in sys.argv[1:4])
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
for e, days in enumerate((40, 5)):
    opens = now - timedelta(days=days)
    expos.append(Expo.objects.create(
        office=office, slug=f"funnel-expo-{e}", title_en=f"Funnel expo {e}", title_id=f"Expo {e}",
        applications_open_at=opens - timedelta(days=20), application_deadline=opens - timedelta(days=5),
        opens_at=opens, closes_at=opens + timedelta(days=3),
    ))
main, other = expos
requests = quotations * 10 // 9 + 10  # one in ten never answered
with connection.cursor() as c:
    c.execute(
        "INSERT INTO expo_user (password, is_superuser, email, name, country, language, time_zone, is_staff, is_active, date_joined) "
        "SELECT '!', false, 'buyer' || i || '@example.com', 'Buyer ' || i, "
        "(ARRAY['QA','JP','SG','MY','AE','NL','AU','US','SA','ID'])[1 + i %% 10], 'en', 'Asia/Jakarta', false, true, now() "
        "FROM generate_series(1, 5000) i",
        [],
    )
    c.execute("SELECT min(id) FROM expo_user WHERE email LIKE 'buyer%%@example.com'", [])
    user0 = c.fetchone()[0]
    c.execute(
        "INSERT INTO booths_vendor (name, slug, owner_name, nib, region_id, sector_id, size_class, address, whatsapp, story, logo, created_at) "
        "SELECT 'UMKM ' || i, 'bench-vendor-' || i, 'Owner', '', %s + (i %% %s), %s + (i %% 10), 'kecil', '', '', '', '', now() "
        "FROM generate_series(0, %s - 1) i",
        [regions[0].pk, n_regions, sectors[0].pk, n_booths],
    )
    c.execute("SELECT min(id) FROM booths_vendor")
    vendor0 = c.fetchone()[0]
    c.execute(
        "INSERT INTO booths_booth (expo_id, vendor_id, slug, tagline_en, tagline_id, description_en, description_id, cover_image, video_url, is_halal, is_active, has_preorder, product_count, created_at, updated_at) "
        "SELECT CASE WHEN i < %s THEN %s ELSE %s END, %s + i, 'booth-' || i, '', '', '', '', '', '', false, true, false, 0, now(), now() "
        "FROM generate_series(0, %s - 1) i",
        [n_booths - 20, main.pk, other.pk, vendor0, n_booths],
    )
    c.execute("SELECT min(id) FROM booths_booth")
    booth0 = c.fetchone()[0]
    # Requests: r spread over the booths (the last 20 are the other expo's), asked over the
    # expo's days; one in ten never answered; the answered ones quoted 1 to 72 hours later.
    c.execute(
        "INSERT INTO booths_quoterequest (id, code, expo_id, booth_id, vendor_id, buyer_id, buyer_country, buyer_company, destination_country, destination_place, incoterm, wanted_by, needs_halal, needs_bpom, needs_organic, packaging, note, source, source_id, status, created_at, first_quoted_at, updated_at) "
        "SELECT r, 'RFQ-' || r, b.expo_id, b.id, b.vendor_id, %s + r %% 5000, u.country, 'Company ' || r %% 5000, u.country, 'Port', 'FOB', NULL, false, false, false, '', '', 'booth', NULL, "
        "CASE WHEN r %% 10 = 0 THEN 'open' WHEN r %% 3 = 0 THEN 'accepted' ELSE 'quoted' END, "
        "%s + (r %% 259200) * interval '1 second', "
        "CASE WHEN r %% 10 = 0 THEN NULL ELSE %s + (r %% 259200) * interval '1 second' + (1 + r %% 72) * interval '1 hour' END, now() "
        "FROM generate_series(1, %s) r "
        "JOIN booths_booth b ON b.id = %s + CASE WHEN r > %s THEN %s - 20 + r %% 20 ELSE (r * 2654435761) %% (%s - 20) END "
        "JOIN expo_user u ON u.id = %s + r %% 5000",
        [user0, main.opens_at, main.opens_at, requests + 2000, booth0, requests, n_booths, n_booths, user0],
    )
    c.execute(
        "INSERT INTO payments_quotation (id, code, request_id, expo_id, booth_id, vendor_id, buyer_id, region_id, sector_id, buyer_country, status, revision, subtotal, shipping_amount, total, revision_note, order_id, sent_at, updated_at, accepted_at, declined_at) "
        "SELECT q.id, 'QUO-' || q.id, q.id, q.expo_id, q.booth_id, q.vendor_id, q.buyer_id, v.region_id, v.sector_id, q.buyer_country, "
        "CASE WHEN q.status = 'accepted' THEN 'accepted' WHEN q.id %% 7 = 0 THEN 'declined' ELSE 'sent' END, 1 + q.id %% 3, "
        "1000000 + (q.id %% 500) * 100000, 0, 1000000 + (q.id %% 500) * 100000, '', NULL, q.first_quoted_at, q.first_quoted_at, "
        "CASE WHEN q.status = 'accepted' THEN q.first_quoted_at + interval '1 day' END, NULL "
        "FROM booths_quoterequest q JOIN booths_vendor v ON v.id = q.vendor_id "
        "WHERE q.status <> 'open' AND (q.expo_id <> %s OR q.id IN (SELECT id FROM booths_quoterequest "
        "WHERE expo_id = %s AND status <> 'open' ORDER BY id LIMIT %s)) ORDER BY q.id",
        [main.pk, main.pk, quotations],
    )
    # Half the accepted quotations were paid: an order, its part, one line, one sale.
    c.execute(
        "CREATE TEMP TABLE bench_paid AS SELECT * FROM payments_quotation WHERE status = 'accepted' AND id %% 2 = 0",
        [],
    )
    c.execute(
        "INSERT INTO payments_order (id, code, expo_id, buyer_id, access_key, email, name, phone, address, city, region, postal_code, country, language, status, stock, provider, channel, attribution_id, attribution_label, subtotal, shipping_total, total, refunded_total, cancel_reason, placed_at, paid_at, updated_at) "
        "SELECT id, 'Q' || id, expo_id, buyer_id, 'k', 'b@example.com', 'Buyer', '1', 'Jl', 'Kota', '', '', buyer_country, 'en', 'paid', 'sold', 'manual', 'quotation', id, code, subtotal, 0, subtotal, 0, '', accepted_at, accepted_at + interval '2 days', now() FROM bench_paid"
    )
    c.execute(
        "INSERT INTO payments_orderpart (id, order_id, booth_id, vendor_id, status, subtotal, shipping_zone, shipping_method, shipping_amount, shipping_refunded, courier, courier_name, tracking_number) "
        "SELECT id, id, booth_id, vendor_id, 'paid', subtotal, 'international', 'arrange', 0, 0, '', '', '' FROM bench_paid"
    )
    c.execute(
        "INSERT INTO payments_orderline (id, order_id, part_id, name_en, name_id, unit_price, quantity, is_preorder, refunded_amount) "
        "SELECT id, id, id, 'Item', 'Barang', subtotal / 100, 100, false, 0 FROM bench_paid"
    )
    c.execute("UPDATE payments_quotation q SET order_id = q.id FROM bench_paid p WHERE p.id = q.id")
    c.execute(
        "INSERT INTO payments_salesledgerentry (kind, amount, expo_id, booth_id, vendor_id, region_id, sector_id, size_class, buyer_country, channel, attribution_id, attribution_label, order_id, line_id, quantity, occurred_at) "
        "SELECT 'sale', subtotal, expo_id, booth_id, vendor_id, region_id, sector_id, 'kecil', buyer_country, 'quotation', id, code, id, id, 100, accepted_at + interval '2 days' FROM bench_paid ORDER BY id"
    )
    c.execute(
        "INSERT INTO payments_salesledgerentry (kind, amount, expo_id, booth_id, vendor_id, region_id, sector_id, size_class, buyer_country, channel, attribution_id, attribution_label, order_id, line_id, quantity, occurred_at) "
        "SELECT 'refund', -(subtotal / 4), expo_id, booth_id, vendor_id, region_id, sector_id, 'kecil', buyer_country, 'quotation', id, code, id, id, 0, accepted_at + interval '5 days' FROM bench_paid WHERE id %% 7 = 1 ORDER BY id",
        [],
    )
    c.execute(
        "INSERT INTO expo_potentialdeal (expo_id, booth_id, vendor_id, buyer_company, buyer_country, product, estimated_value, status, note, verification, verification_note, quote_request_id, created_at, updated_at) "
        "SELECT b.expo_id, b.id, b.vendor_id, 'PT Mitra ' || b.id, 'SG', 'Produk', 10000000 + b.id * 1000, 'agreed', '', "
        "(ARRAY['pending','verified','rejected'])[1 + b.id %% 3], '', "
        "CASE WHEN b.id %% 2 = 0 THEN (SELECT min(id) FROM booths_quoterequest q WHERE q.booth_id = b.id) END, now(), now() FROM booths_booth b",
        [],
    )
    for table in ("booths_quoterequest", "payments_quotation", "payments_order", "payments_orderpart", "payments_orderline"):
        c.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    c.execute("ANALYZE")
    c.execute("SELECT count(*) FROM payments_quotation WHERE expo_id = %s", [main.pk])
    count = c.fetchone()[0]
print(json.dumps({"quotations": count, "expo": main.slug, "seconds": round(time.perf_counter() - started, 1)}))
"""

MEASURE = r"""
import json, statistics, sys, time
from datetime import timedelta
import django
django.setup()
from django.db import connection
from expo.reports.figures.funnel import expo_funnel
from expo.models import Expo

slug, repeat = sys.argv[1], int(sys.argv[2])
expo = Expo.objects.get(slug=slug)
X = expo.pk
ACC = "status = 'accepted'"
SQL = {
    "requests": ("SELECT COUNT(*), COUNT(*) FILTER (WHERE first_quoted_at IS NOT NULL) FROM booths_quoterequest WHERE expo_id = %s", [X]),
    "quotations": (f"SELECT COUNT(*), COUNT(*) FILTER (WHERE {ACC}), COALESCE(SUM(subtotal), 0), COALESCE(SUM(subtotal) FILTER (WHERE {ACC}), 0) FROM payments_quotation WHERE expo_id = %s", [X]),
    "realised": ("SELECT COALESCE(SUM(amount), 0) FROM payments_salesledgerentry WHERE expo_id = %s AND channel = 'quotation'", [X]),
    "recorded": ("SELECT COUNT(*), COALESCE(SUM(estimated_value), 0) FROM expo_potentialdeal WHERE expo_id = %s AND quote_request_id IS NULL AND status <> 'cancelled' AND verification <> 'rejected'", [X]),
    "median": ("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY first_quoted_at - created_at) FROM booths_quoterequest WHERE expo_id = %s AND first_quoted_at IS NOT NULL", [X]),
}
for column, names in (("vendor_id", "SELECT id, name FROM booths_vendor WHERE id = ANY(%s)"), ("buyer_country", None), ("sector_id", "SELECT id, name_en FROM expo_sector WHERE id = ANY(%s)"), ("region_id", "SELECT id, name FROM expo_region WHERE id = ANY(%s)")):
    SQL["q_" + column] = (f"SELECT {column}, COUNT(*), COUNT(*) FILTER (WHERE {ACC}), SUM(subtotal), SUM(subtotal) FILTER (WHERE {ACC}) FROM payments_quotation WHERE expo_id = %s GROUP BY 1", [X])
    SQL["l_" + column] = (f"SELECT {column}, SUM(amount) FROM payments_salesledgerentry WHERE expo_id = %s AND channel = 'quotation' GROUP BY 1", [X])
    SQL["n_" + column] = names


def sql_once():
    out = {}
    with connection.cursor() as c:
        for key, query in SQL.items():
            if key.startswith("n_"):
                continue
            c.execute(*query)
            out[key] = c.fetchall()
        for key, query in SQL.items():
            if key.startswith("n_") and query:
                ids = [row[0] for row in out["q_" + key[2:]] + out["l_" + key[2:]]]
                c.execute(query, [ids])
                out[key] = c.fetchall()
    return out


def side_by_side(first, second):
    # Each side repeat times after a warm-up, taking turns, so that a busy machine slows both
    # alike; the medians and every run of each.
    first(), second()
    runs = ([], [])
    results = [None, None]
    for _ in range(repeat):
        for i, fn in enumerate((first, second)):
            start = time.perf_counter()
            results[i] = fn()
            runs[i].append(time.perf_counter() - start)
    return [(statistics.median(r), r, out) for r, out in zip(runs, results)]


(funnel_s, funnel_runs, funnel), (sql_s, sql_runs, sql) = side_by_side(lambda: expo_funnel(expo), sql_once)
(requests, quoted), = sql["requests"]
(quotes, accepted, potential, agreed), = sql["quotations"]
(realised,), = sql["realised"]
(recorded_n, recorded), = sql["recorded"]
(median,), = sql["median"]
expected = {"requests": requests, "quoted": quoted, "quotations": quotes, "accepted": accepted,
            "potential": int(potential), "agreed": int(agreed), "realised": int(realised),
            "recorded": [recorded_n, int(recorded)], "median_s": round(median.total_seconds())}
shown = {"requests": funnel.requests, "quoted": funnel.quoted_requests, "quotations": funnel.quotations,
         "accepted": funnel.accepted, "potential": funnel.potential, "agreed": funnel.agreed,
         "realised": funnel.realised, "recorded": [funnel.recorded_count, funnel.recorded],
         "median_s": round(funnel.median_first_quote.total_seconds())}
for column, key in (("vendor_id", "vendor"), ("buyer_country", "buyer_country"), ("sector_id", "sector"), ("region_id", "region")):
    realised_by = dict(sql["l_" + column])
    expected[key] = sorted((str(k), n, a, int(p), int(g or 0), int(realised_by.get(k) or 0)) for k, n, a, p, g in sql["q_" + column])
    shown[key] = sorted((str(r.key), r.quotations, r.accepted, r.potential, r.agreed, r.realised) for r in funnel.by[key])
from django.test.utils import CaptureQueriesContext
with CaptureQueriesContext(connection) as captured:
    expo_funnel(expo)
print(json.dumps({"funnel_s": funnel_s, "sql_s": sql_s, "funnel_runs": funnel_runs, "sql_runs": sql_runs,
                  "queries": len(captured.captured_queries), "matches": shown == expected,
                  "potential": funnel.potential, "agreed": funnel.agreed, "realised": funnel.realised,
                  "differences": [k for k in expected if expected[k] != shown[k]]}, default=str))
"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", metavar="URL", default=None)
    parser.add_argument("--quotations", type=int, default=100_000)
    parser.add_argument("--booths", type=int, default=400)
    parser.add_argument("--regions", type=int, default=35)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    if min(args.quotations, args.booths - 20, args.regions, args.repeat) < 1:
        parser.error("every count must be positive (and more than 20 booths)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        with contextlib.ExitStack() as stack:
            admin = args.postgres
            if admin is None:
                server = stack.enter_context(postgres_server())
                admin = server.url
                log(f"own PostgreSQL on port {server.port}")
            ws = stack.enter_context(workspace(postgres=admin))
            started = time.perf_counter()
            ws.manage("migrate", "--noinput", "-v0")
            log(f"migrated in {time.perf_counter() - started:.1f}s")
            loaded = json.loads(
                ws.python(
                    "-c",
                    LOAD,
                    str(args.quotations),
                    str(args.booths),
                    str(args.regions),
                    timeout=3600,
                )
                .strip()
                .splitlines()[-1]
            )
            log(f"loaded {loaded['quotations']:,} quotations in {loaded['seconds']}s")
            # The ledger was loaded without its writer: the omzet rollups (the funnel's realised
            # omzet reads them) built from it, as after a restore.
            ws.manage("rebuild_omzet_rollups", timeout=3600)
            measured = json.loads(
                ws.python("-c", MEASURE, loaded["expo"], str(args.repeat), timeout=3600)
                .strip()
                .splitlines()[-1]
            )
    except BenchError as error:
        log(str(error))
        return 1
    ratio = measured["funnel_s"] / measured["sql_s"] if measured["sql_s"] else None
    print(f"quotations of the expo  {loaded['quotations']:>10,}")
    print(
        f"potential / agreed / realised  Rp {measured['potential']:,} / {measured['agreed']:,} / {measured['realised']:,}"
    )
    print(
        f"funnel (median)   {measured['funnel_s'] * 1000:8.1f} ms   ({measured['queries']} queries)   runs: "
        + ", ".join(f"{t * 1000:.1f}" for t in measured["funnel_runs"])
    )
    print(
        f"plain SQL (median){measured['sql_s'] * 1000:8.1f} ms   runs: "
        + ", ".join(f"{t * 1000:.1f}" for t in measured["sql_runs"])
    )
    print(f"ratio             {ratio:10.3f}   (target ≤ 1.5)")
    print(f"same figures as the plain SQL: {measured['matches']} {measured['differences'] or ''}")
    print(
        json.dumps(
            {
                "quotations": loaded["quotations"],
                "funnel_s": round(measured["funnel_s"], 4),
                "sql_s": round(measured["sql_s"], 4),
                "ratio": round(ratio, 3) if ratio else None,
                "queries": measured["queries"],
                "matches": measured["matches"],
            }
        )
    )
    return 0 if ratio is not None and ratio <= 1.5 and measured["matches"] else 2


if __name__ == "__main__":
    sys.exit(main())
