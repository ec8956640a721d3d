"""How fast are the hall, search, booth and product pages, next to the /healthz ceiling?

    .venv/bin/python bench/hall.py [--booths 200] [--products 15] [--concurrency 16]
                                   [--duration 10] [--warmup 2] [--postgres URL] [--redis URL]

Seeds an open expo with 200 booths and 3,000 products (expo.demo.seed_hall) into a fresh database
(a temporary SQLite file, or a new database on the PostgreSQL server of ``--postgres``), collects
the static files, starts Daphne with DEBUG off on a free 127.0.0.1 port, waits for /healthz, then
keeps ``--concurrency`` requests in flight for ``--duration`` seconds per page (after a warm-up)
and reports requests/s and latency. A page that answers anything but 200 is counted as errors and
shown. The load generator runs on the same machine as the server and takes some of its CPU.

Search is measured twice. ``search`` asks one search again and again, as a popular search is: from
the second request on, the page comes from the cache. ``search_uncached`` asks a different search
every time (typos, synonyms, phrases, filters, each with its own price ceiling), so that no cache
helps: every request runs the search itself (booths.search) and builds the page. The search index
is built by the first search of the warm-up, as after any catalogue change. ``hall_uncached`` asks
the same filters without a search word, each page new too: what building a hall page costs
without any search, for comparison.

The last line printed is one JSON object:
{"hall_rps", "hall_p95_ms", "search_rps", "search_p95_ms", "search_uncached_rps",
 "search_uncached_p95_ms", "hall_uncached_rps", "hall_uncached_p95_ms", "booth_p95_ms",
 "product_p95_ms", "healthz_rps", "hall_vs_healthz", "search_vs_healthz",
 "search_uncached_vs_healthz"}. Exit status: 0 all pages answered 200, 2 some
answered errors, 1 setup failed. Daphne is stopped and every temporary file removed at the end,
always.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import sys
import time
from collections.abc import Iterator
from urllib.parse import urlencode

from _common import (
    BenchError,
    Result,
    _load_aiohttp,
    client_kind,
    daphne,
    json_line,
    log,
    measure,
    rounded,
    table,
    workspace,
)

# What visitors type: words of the catalogue in both languages, typos, phrases the synonyms know.
SEARCH_WORDS = (
    "batik", "kopi", "coffee", "battik", "keripik", "chips", "palm sugar", "gula aren", "tenun",
    "weaving", "madu", "honey", "jenang", "rotan", "rattan", "gerabah", "bamboo", "cofee",
    "teak", "sambal", "carica", "lurik", "tas", "kripik", "batik tulis", "kopi bubuk",
)  # fmt: skip
SEARCH_SECTORS = ("", "kuliner", "kriya", "fashion", "agribisnis")

SEED = """
import json, sys
import django
django.setup()
from booths.models import Booth
from expo.demo import seed as demo
summary = demo.seed_hall(booths=int(sys.argv[1]), products_per_booth=int(sys.argv[2]))
booth = (
    Booth.objects.filter(expo=summary.expo, product_count__gt=0)
    .order_by("vendor__name", "pk").first()
)
product = booth.products.filter(is_active=True).order_by("-is_featured", "name_en").first()
print(json.dumps({
    "expo": summary.expo.slug, "booth": booth.slug, "product": product.slug,
    "seconds": round(summary.seconds, 1), "totals": summary.totals,
}))
"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--booths", type=int, default=200)
    parser.add_argument("--products", type=int, default=15, help="products per booth")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per page")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up per page")
    parser.add_argument(
        "--postgres", metavar="URL", help="PostgreSQL server URL; a fresh database is created on it"
    )
    parser.add_argument("--redis", metavar="URL", help="use Redis for the cache and channel layer")
    args = parser.parse_args(argv)
    if args.booths < 1 or args.products < 1 or args.concurrency < 1 or args.duration <= 0:
        parser.error("--booths, --products, --concurrency and --duration must be positive")
    return args


def pages(seeded: dict[str, str]) -> list[tuple[str, str]]:
    expo, booth, product = seeded["expo"], seeded["booth"], seeded["product"]
    return [
        ("hall", f"/expos/{expo}/"),
        ("search", f"/expos/{expo}/?q=batik&sector=kriya&price_max=500000"),
        ("booth", f"/expos/{expo}/booths/{booth}/"),
        ("product", f"/expos/{expo}/booths/{booth}/products/{product}/"),
        ("healthz", "/healthz"),
    ]


def uncached_searches(expo: str, *, words: bool = True) -> Iterator[str]:
    """Endless search paths, each different from all before it (its own price ceiling), over the
    words, sectors and orders visitors use; ``words=False``: the same without a search word."""
    for n in itertools.count():
        params = [("q", SEARCH_WORDS[n % len(SEARCH_WORDS)])] if words else []
        sector = SEARCH_SECTORS[(n // len(SEARCH_WORDS)) % len(SEARCH_SECTORS)]
        if sector:
            params.append(("sector", sector))
        params.append(("price_max", str(2_000_000 + n)))
        if n % 7 == 3:
            params.append(("sort", "price_low"))
        yield f"/expos/{expo}/?{urlencode(params)}"


def measure_uncached(
    base: str, expo: str, *, words: bool, concurrency: int, duration: float, warmup: float
) -> Result:
    """Like measure(), but every request a page never asked before (see uncached_searches)."""
    if client_kind() != "aiohttp":
        raise BenchError("the uncached pages need aiohttp (pip install aiohttp)")
    paths = uncached_searches(expo, words=words)
    pattern = f"/expos/{expo}/?{'q=<word>&' if words else ''}sector=<…>&price_max=<n>"
    if warmup > 0:
        asyncio.run(_load_aiohttp(base, concurrency, warmup, Result("", "", 0.0), paths=paths))
    result = Result("search_uncached" if words else "hall_uncached", pattern, 0.0)
    asyncio.run(_load_aiohttp(base, concurrency, duration, result, paths=paths))
    return result


def summary(results: dict[str, Result]) -> dict[str, float | None]:
    healthz = results.get("healthz")

    def p95(name: str) -> float | None:
        result = results.get(name)
        return rounded(result.percentile_ms(95)) if result else None

    def rps(name: str) -> float | None:
        result = results.get(name)
        return rounded(result.rps) if result else None

    def vs_healthz(name: str) -> float | None:
        result = results.get(name)
        return round(result.rps / healthz.rps, 3) if result and healthz and healthz.rps else None

    return {
        "hall_rps": rps("hall"),
        "hall_p95_ms": p95("hall"),
        "search_rps": rps("search"),
        "search_p95_ms": p95("search"),
        "search_uncached_rps": rps("search_uncached"),
        "search_uncached_p95_ms": p95("search_uncached"),
        "hall_uncached_rps": rps("hall_uncached"),
        "hall_uncached_p95_ms": p95("hall_uncached"),
        "booth_p95_ms": p95("booth"),
        "product_p95_ms": p95("product"),
        "healthz_rps": rps("healthz"),
        "hall_vs_healthz": vs_healthz("hall"),
        "search_vs_healthz": vs_healthz("search"),
        "search_uncached_vs_healthz": vs_healthz("search_uncached"),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results: dict[str, Result] = {}
    try:
        with workspace(postgres=args.postgres, redis=args.redis) as ws:
            where = "PostgreSQL" if args.postgres else "SQLite"
            log(f"workspace {ws.dir} ({where})")
            started = time.perf_counter()
            ws.manage("migrate", "--noinput", "-v0")
            log(f"migrated in {time.perf_counter() - started:.1f}s")
            started = time.perf_counter()
            seeded = json.loads(
                ws.python("-c", SEED, str(args.booths), str(args.products)).strip().splitlines()[-1]
            )
            totals = seeded["totals"]
            log(
                f"seeded {totals['booths']} booths, {totals['products']} products in "
                f"{time.perf_counter() - started:.1f}s (seed_hall {seeded['seconds']}s)"
            )
            started = time.perf_counter()
            ws.manage("collectstatic", "--noinput", "-v0")
            log(f"static files collected in {time.perf_counter() - started:.1f}s")
            with daphne(ws) as base:
                log(
                    f"Daphne on {base}; {args.concurrency} concurrent requests, "
                    f"{args.warmup:g}s warm-up + {args.duration:g}s per page ({client_kind()} "
                    f"client, {os.cpu_count()} CPUs shared with the server)"
                )
                for name, path in pages(seeded):
                    result = measure(
                        name,
                        base,
                        path,
                        concurrency=args.concurrency,
                        duration=args.duration,
                        warmup=args.warmup,
                    )
                    results[name] = result
                    note = f"  ERRORS: {result.describe_errors()}" if result.errors else ""
                    log(f"{name:<8} {result.rps:8.1f} req/s{note}")
                for words in (True, False):
                    result = measure_uncached(
                        base,
                        seeded["expo"],
                        words=words,
                        concurrency=args.concurrency,
                        duration=args.duration,
                        warmup=args.warmup,
                    )
                    results[result.name] = result
                    note = f"  ERRORS: {result.describe_errors()}" if result.errors else ""
                    log(f"{result.name} {result.rps:8.1f} req/s{note}")
    except BenchError as exc:
        log(f"setup failed: {exc}")
        print(json_line(summary(results)))
        return 1
    except KeyboardInterrupt:
        log("interrupted")
        print(json_line(summary(results)))
        return 1

    print()
    print(
        f"UMKM Virtual Expo — hall benchmark: {args.booths} booths × {args.products} products, "
        f"{args.concurrency} concurrent, {args.duration:g}s per page, DEBUG off, "
        f"{'PostgreSQL' if args.postgres else 'SQLite'}"
        f"{', Redis' if args.redis else ''}"
    )
    print(table(list(results.values())))
    failed = [r for r in results.values() if r.errors]
    for r in failed:
        print(
            f"! {r.name}: {r.errors} of {r.ok + r.errors} requests were not 200 ({r.describe_errors()})"
        )
    if failed:
        print("! pages that did not answer 200 have no latency and count 0 req/s")
    print(json_line(summary(results)))
    return 2 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
