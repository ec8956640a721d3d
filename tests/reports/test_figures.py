"""The dashboard's figures equal an independent computation over random ledgers."""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from datetime import datetime, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from expo.reports import figures as reports
from expo.reports.models import PotentialDeal

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
# Around midnight in Jakarta (17:00 UTC): the day boundary the office reports by.
BASE = datetime(2026, 6, 1, 16, 0, tzinfo=zoneinfo.ZoneInfo("UTC"))

order_strategy = st.fixed_dictionaries(
    {
        "buyer": st.integers(0, 5),
        "country": st.sampled_from(["ID", "ID", "MY", "SG", "JP"]),
        "channel": st.sampled_from(
            [("direct", None), ("live_session", 7), ("live_session", 8), ("banner", 3)]
        ),
        "minutes": st.integers(0, 3 * 24 * 60),
        "lines": st.lists(
            st.tuples(st.integers(0, 3), st.integers(1, 500_000), st.integers(1, 4)),
            min_size=1,
            max_size=4,
        ),
        "refunds": st.lists(
            st.tuples(st.integers(0, 3), st.integers(1, 100), st.integers(0, 600)), max_size=2
        ),
    }
)


def _expected(orders, booths):
    """The figures computed by hand from what was written."""
    omzet = 0
    region = defaultdict(int)
    sector = defaultdict(int)
    size = defaultdict(int)
    booth = defaultdict(int)
    day = defaultdict(int)
    channel = defaultdict(int)
    session = defaultdict(int)
    country_orders = defaultdict(int)
    country_buyers = defaultdict(set)
    buyers = set()
    abroad = set()
    transactions = 0
    for o in orders:
        transactions += 1
        buyers.add(o["buyer_key"])
        country_buyers[o["country"]].add(o["buyer_key"])
        country_orders[o["country"]] += 1
        if o["country"] != "ID":
            abroad.add(o["buyer_key"])
        for b, amount, at in o["entries"]:
            vendor = booths[b].vendor
            omzet += amount
            region[vendor.region_id] += amount
            sector[vendor.sector_id] += amount
            size[vendor.size_class] += amount
            booth[booths[b].pk] += amount
            day[at.astimezone(JAKARTA).date()] += amount
            channel[o["channel"][0]] += amount
            if o["channel"][0] == "live_session":
                session[o["channel"][1]] += amount
    return {
        "omzet": omzet,
        "transactions": transactions,
        "buyers": len(buyers),
        "abroad": len(abroad),
        "region": dict(region),
        "sector": dict(sector),
        "size": dict(size),
        "booth": dict(booth),
        "day": dict(day),
        "channel": dict(channel),
        "session": dict(session),
        "country_orders": dict(country_orders),
        "country_buyers": {k: len(v) for k, v in country_buyers.items()},
    }


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    orders=st.lists(order_strategy, max_size=8),
    deals=st.lists(st.integers(1, 10**9), max_size=3),
)
def test_figures_match_an_independent_computation(expo, booths, write, make_user, orders, deals):
    with transaction.atomic():
        accounts = [make_user(email=f"acct{i}@example.com") for i in range(2)]
        written = []
        for spec in orders:
            at = BASE + timedelta(minutes=spec["minutes"])
            buyer = accounts[spec["buyer"]] if spec["buyer"] < 2 else None
            email = f"Buyer{spec['buyer']}@Example.com"
            key = ("u", buyer.pk) if buyer else ("e", email.lower())
            channel, attribution = spec["channel"]
            order, lines = write.order(
                lines=[(booths[b], price, qty) for b, price, qty in spec["lines"]],
                at=at,
                email=email,
                buyer=buyer,
                country=spec["country"],
                channel=channel,
                attribution_id=attribution,
                attribution_label=f"#{attribution}" if attribution else "",
            )
            entries = [(b, price * qty, at) for b, price, qty in spec["lines"]]
            for index, percent, minutes in spec["refunds"]:
                if index >= len(lines):
                    continue
                line = lines[index]
                amount = max(1, line.unit_price * line.quantity * percent // 100)
                refund_at = at + timedelta(minutes=minutes)
                write.refund(order, line, amount, refund_at)
                entries.append((spec["lines"][index][0], -amount, refund_at))
            written.append(
                {
                    "buyer_key": key,
                    "country": spec["country"],
                    "channel": spec["channel"],
                    "entries": entries,
                }
            )
        for value in deals:
            PotentialDeal.objects.create(
                expo=expo,
                booth=booths[0],
                vendor=booths[0].vendor,
                buyer_company="PT Mitra",
                buyer_country="SG",
                product="Batik",
                estimated_value=value,
                verification=PotentialDeal.Verification.VERIFIED,
            )

        expected = _expected(written, booths)
        board = reports.expo_dashboard(expo)
        totals = board.totals

        assert totals.omzet == expected["omzet"]  # refunds subtract; deals never count
        assert reports.headline(expo)["omzet"] == expected["omzet"]
        assert totals.transactions == expected["transactions"]
        assert totals.buyers == expected["buyers"]
        assert totals.buyers_abroad == expected["abroad"]
        if totals.transactions:
            assert abs(totals.aov * totals.transactions - totals.omzet) <= totals.transactions
        assert board.deals.value == sum(deals)

        def nonzero(rows):
            return {r.key: r.omzet for r in rows if r.omzet or r.money.sales}

        assert nonzero(board.by_region) == expected["region"]
        assert nonzero(board.by_sector) == expected["sector"]
        assert nonzero(board.by_size) == expected["size"]
        assert nonzero(board.by_booth) == expected["booth"]
        assert nonzero(board.by_channel) == expected["channel"]
        assert nonzero(board.live_sessions) == expected["session"]
        assert {r.key: r.orders for r in board.by_country} == expected["country_orders"]
        assert {r.key: r.extra["buyers"] for r in board.by_country} == expected["country_buyers"]
        days = {r.key: r.omzet for r in board.daily if r.omzet or r.money.sales}
        assert days == expected["day"]
        assert sum(r.omzet for r in board.hourly) == expected["omzet"]
        assert sum(r.orders for r in board.daily) == expected["transactions"]
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_jakarta_day_boundary(expo, booths, write):
    """16:59 UTC is 23:59 in Jakarta (that day); 17:00 UTC is already the next day."""
    write.order(
        lines=[(booths[0], 1000, 1)],
        at=datetime(2026, 6, 1, 16, 59, tzinfo=zoneinfo.ZoneInfo("UTC")),
    )
    write.order(
        lines=[(booths[0], 5000, 1)],
        at=datetime(2026, 6, 1, 17, 0, tzinfo=zoneinfo.ZoneInfo("UTC")),
    )
    board = reports.expo_dashboard(expo)
    days = {r.key.isoformat(): r.omzet for r in board.daily if r.omzet}
    assert days == {"2026-06-01": 1000, "2026-06-02": 5000}
    hours = [r.label for r in board.hourly]
    assert hours == ["01/06 23:00", "02/06 00:00"]


@pytest.mark.django_db
def test_refund_subtracts_and_deals_stay_apart(expo, booths, write):
    at = datetime(2026, 6, 2, 3, 0, tzinfo=JAKARTA)
    order, lines = write.order(lines=[(booths[1], 100_000, 2), (booths[2], 50_000, 1)], at=at)
    write.refund(order, lines[0], 100_000, at + timedelta(hours=2))
    PotentialDeal.objects.create(
        expo=expo,
        booth=booths[1],
        vendor=booths[1].vendor,
        buyer_company="Tokyo Foods KK",
        buyer_country="JP",
        product="Kopi",
        estimated_value=750_000_000,
    )
    board = reports.expo_dashboard(expo)
    assert board.totals.sales == 250_000
    assert board.totals.refunds == -100_000
    assert board.totals.omzet == 150_000
    assert board.totals.transactions == 1
    assert board.totals.aov == 150_000
    assert board.totals.vendors_with_sales == 2
    assert board.deals.value == 750_000_000 and board.deals.pending_count == 1
    assert board.deals.verified_value == 0


@pytest.mark.django_db
def test_dashboard_query_count_is_constant(expo, booths, write, django_assert_max_num_queries):
    at = datetime(2026, 6, 2, 3, 0, tzinfo=JAKARTA)
    write.order(lines=[(booths[0], 1000, 1)], at=at)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        reports.expo_dashboard(expo)
    for i in range(30):
        write.order(
            lines=[(booths[i % 4], 1000 + i, 1), (booths[(i + 1) % 4], 500, 2)],
            at=at + timedelta(hours=i),
            email=f"b{i}@example.com",
            country=["ID", "MY", "SG"][i % 3],
            channel="live_session" if i % 2 else "banner",
            attribution_id=1 + i % 5,
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        reports.expo_dashboard(expo)
