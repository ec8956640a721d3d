"""The omzet rollups equal a full recomputation from the ledger, whatever happened.

- On random histories (hypothesis) through the real services — orders placed at two expos from
  several booths, by guests (an e-mail written in two cases is one buyer) and accounts, from
  several countries and every channel with and without an attribution; transfers confirmed, lines
  and whole orders refunded — the rollups the ledger writer kept equal what this file works out
  from the ledger's rows alone, and what ``omzet_rebuild`` recomputes.
- Under real concurrency on PostgreSQL: many payments confirmed and refunded at the same moment
  (the same rollup rows, hot), then the same equalities: no update lost.
- ``manage.py rebuild_omzet_rollups`` puts back rollups that were wrong or missing, for one expo
  or all, and refuses an unknown expo.
"""

from __future__ import annotations

import contextlib
import threading
from collections import defaultdict
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import close_old_connections, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booths.models import Product
from payments import services
from payments.attribution import Attribution
from payments.models import (
    Cart,
    Channel,
    OmzetBuyer,
    OmzetBuyerCount,
    OmzetByBooth,
    OmzetByHour,
    OmzetByOrigin,
    Order,
    OrderLine,
    SalesLedgerEntry,
)
from payments.services.rollups import HOME_COUNTRY, hour_of, omzet_rebuild

pytestmark = pytest.mark.django_db

CHANNELS = [c.value for c in Channel]
EMAILS = ["ayu@example.com", "AYU@Example.com", "budi@example.com"]


# --- The rollups as stored, and as worked out from the ledger alone ------------------------------


def stored() -> dict[str, Any]:
    """Every rollup row, keyed, without the row ids."""
    money = ("sales", "refunds", "orders", "quantity")
    out: dict[str, Any] = {}
    for name, model in (("booth", OmzetByBooth), ("origin", OmzetByOrigin), ("hour", OmzetByHour)):
        rows = model.objects.values_list(*model.KEY, *money)
        n = len(model.KEY)
        out[name] = {tuple(r[:n]): tuple(r[n:]) for r in rows}
    out["seen"] = set(OmzetBuyer.objects.values_list("expo_id", "scope", "person", "booth_id"))
    out["counts"] = {
        (e, s, b): (n, g)
        for e, s, b, n, g in OmzetBuyerCount.objects.values_list(
            "expo_id", "scope", "booth_id", "buyers", "guests"
        )
    }
    return out


def recomputed() -> dict[str, Any]:
    """The same, worked out in Python from the ledger's rows and their orders: an order counts
    where its first sale entry is (per booth: its first sale entry at that booth)."""
    entries = list(SalesLedgerEntry.objects.select_related("order").order_by("id"))
    sums: dict[str, dict[tuple, list[int]]] = {k: defaultdict(lambda: [0, 0, 0, 0]) for k in ("booth", "origin", "hour")}  # fmt: skip
    first_of_order: set[int] = set()
    first_at_booth: set[tuple[int, int]] = set()
    seen: set[tuple] = set()
    for e in entries:
        sale = e.kind == SalesLedgerEntry.Kind.SALE
        keys = {
            "booth": (
                e.expo_id,
                e.booth_id,
                e.vendor_id,
                e.region_id,
                e.sector_id,
                e.size_class,
                e.channel,
            ),  # fmt: skip
            "origin": (
                e.expo_id,
                e.channel,
                e.attribution_id or 0,
                e.attribution_label,
                e.buyer_country,
            ),  # fmt: skip
            "hour": (e.expo_id, e.channel, hour_of(e.occurred_at)),
        }
        for name, key in keys.items():
            row = sums[name][key]
            row[0 if sale else 1] += e.amount
            row[3] += e.quantity
        if not sale:
            continue
        if e.order_id not in first_of_order:
            first_of_order.add(e.order_id)
            sums["origin"][keys["origin"]][2] += 1
            sums["hour"][keys["hour"]][2] += 1
        if (e.order_id, e.booth_id) not in first_at_booth:
            first_at_booth.add((e.order_id, e.booth_id))
            sums["booth"][keys["booth"]][2] += 1
        order = e.order
        person = f"u:{order.buyer_id}" if order.buyer_id else f"e:{order.email.lower()}"
        scopes = [("expo", None), (f"country:{e.buyer_country}", None), (f"booth:{e.booth_id}", e.booth_id)]  # fmt: skip
        if e.buyer_country != HOME_COUNTRY:
            scopes.append(("abroad", None))
        seen.update((e.expo_id, scope, person, booth) for scope, booth in scopes)
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for expo_id, scope, person, booth in seen:
        counts[(expo_id, scope, booth)][0] += 1
        counts[(expo_id, scope, booth)][1] += person.startswith("e:")
    out: dict[str, Any] = {
        name: {k: tuple(v) for k, v in rows.items()} for name, rows in sums.items()
    }
    out["seen"] = seen
    out["counts"] = {k: tuple(v) for k, v in counts.items()}
    return out


def assert_rollups_exact() -> None:
    """The rollups kept with the writes = the recomputation = what a rebuild writes."""
    kept = stored()
    assert kept == recomputed()
    omzet_rebuild()
    assert stored() == kept


# --- Random histories through the real services --------------------------------------------------


@pytest.fixture
def world(expo, booth_a, booth_b, make_expo, make_booth, regions, sectors, make_user):
    second = make_expo("open", office=expo.office)
    booth_c = make_booth(second, name="Gerabah Kasongan", region=regions[1], sector=sectors[1])
    Product.objects.filter(booth__in=[booth_a, booth_b, booth_c]).update(stock=10_000)
    products = {
        e.pk: list(Product.objects.filter(booth__expo=e).order_by("pk")) for e in (expo, second)
    }
    buyers = [make_user(email="sari@example.com"), make_user(email="tono@example.com")]
    return [expo, second], products, buyers


place_step = st.tuples(
    st.just("place"),
    st.integers(0, 1),  # the expo
    st.lists(st.tuples(st.integers(0, 9), st.integers(1, 3)), min_size=1, max_size=3),
    st.sampled_from(["ID", "ID", "JP", "MY"]),
    st.sampled_from(CHANNELS),
    st.sampled_from([None, 1, 2]),  # the attribution
    st.integers(0, len(EMAILS) + 1),  # a guest's e-mail, else an account
)
other_step = st.tuples(
    st.sampled_from(["pay", "pay", "refund_lines", "refund_all"]),
    st.integers(0, 30),
    st.lists(st.integers(0, 9), min_size=1, max_size=2),
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=st.lists(st.one_of(place_step, other_step, other_step), min_size=2, max_size=14))
def test_rollups_equal_the_ledger_recomputed(world, place, organiser, history):
    expos, products, buyers = world
    with transaction.atomic():
        orders: list[int] = []
        for step in history:
            if step[0] == "place":
                orders.append(_place(step, expos, products, buyers, place))
            elif orders:
                _pay_or_refund(step, orders, organiser)
        assert_rollups_exact()
        transaction.set_rollback(True)


def _place(step, expos, products, buyers, place) -> int:
    _kind, expo_index, wanted, country, channel, attribution, who = step
    choices = products[expos[expo_index].pk]
    quantities: dict[Product, int] = defaultdict(int)
    for index, quantity in wanted:
        quantities[choices[index % len(choices)]] += quantity
    extra: dict[str, Any] = {"country": country, "region": "Jawa Tengah"}
    buyer = None
    if who < len(EMAILS):
        extra["email"] = EMAILS[who]
    else:
        buyer = buyers[who - len(EMAILS)]
        Cart.objects.filter(user=buyer).delete()  # an account has one cart
    if channel == Channel.DIRECT:
        attribution = None
    label = f"{channel} {attribution}" if attribution else ""
    order = place(
        *quantities.items(),
        buyer=buyer,
        attribution=Attribution(channel=channel, id=attribution, label=label),
        **extra,
    )
    return order.pk


def _pay_or_refund(step, orders: list[int], organiser) -> None:
    kind, index, chosen = step
    order = Order.objects.get(pk=orders[index % len(orders)])
    if kind == "pay":
        payment = order.payments.order_by("-pk").first()
        services.transfer_confirm(payment=payment, by=organiser)
        return
    lines = None
    if kind == "refund_lines":
        mine = list(order.lines.order_by("pk"))
        lines = list({mine[i % len(mine)] for i in chosen})
    with contextlib.suppress(ValidationError):  # not paid, or refunded: nothing written
        services.order_refund(order=order, lines=lines, by=organiser, reason="test")


# --- The same under real concurrency -------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_and_refunds_lose_no_update(
    expo, booth_a, booth_b, place, organiser, make_user
):
    assert connection.vendor == "postgresql", "the PostgreSQL pass: DATABASE_URL=postgres://…"
    Product.objects.filter(booth__in=[booth_a, booth_b]).update(stock=10_000)
    a, b = Product.objects.filter(booth=booth_a).first(), Product.objects.filter(booth=booth_b).first()  # fmt: skip
    account = make_user(email="sari@example.com")
    orders = []
    for n in range(24):
        # Half of them by two people (the buyer counts race too), every channel, both booths.
        wanted = [(a, 1 + n % 3)] + ([(b, 1)] if n % 2 else [])
        extra = {"email": EMAILS[n % 2] if n % 4 else f"buyer{n}@example.com"}
        extra["country"] = "ID" if n % 3 else "JP"
        channel = CHANNELS[n % len(CHANNELS)]
        ident = None if channel == Channel.DIRECT else 1 + n % 2
        Cart.objects.filter(user=account).delete()  # an account has one cart
        order = place(
            *wanted,
            buyer=account if n % 5 == 0 else None,
            attribution=Attribution(channel=channel, id=ident, label=""),
            **extra,
        )
        orders.append(order.pk)
    problems: list[str] = []
    start = threading.Barrier(len(orders))

    def pay_then_refund(n: int, order_id: int) -> None:
        try:
            start.wait(timeout=60)
            order = Order.objects.get(pk=order_id)
            services.transfer_confirm(payment=order.payments.get(), by=organiser)
            if n % 3 == 0:
                line = OrderLine.objects.filter(order_id=order_id).order_by("pk").first()
                services.order_refund(order=order, lines=[line], by=organiser, reason="race")
        except Exception as exc:  # reported below, with the others
            problems.append(f"order {order_id}: {exc!r}")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=pay_then_refund, args=(n, pk)) for n, pk in enumerate(orders)]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a payment never finished"
    assert problems == []
    assert SalesLedgerEntry.objects.filter(kind="refund").exists()
    assert sum(OmzetByOrigin.objects.values_list("orders", flat=True)) == len(orders)
    assert_rollups_exact()


# --- The rebuild command -------------------------------------------------------------------------


def test_rebuild_command_puts_back_what_was_lost(
    expo, booth_a, booth_b, place, organiser, make_expo
):
    product = Product.objects.filter(booth=booth_a).first()
    for email in ("ayu@example.com", "budi@example.com"):
        order = place((product, 2), email=email, country="MY")
        services.transfer_confirm(payment=order.payments.get(), by=organiser)
    services.order_refund(order=order, lines=None, by=organiser, reason="test")
    kept = stored()
    assert kept == recomputed() and kept["booth"]

    # Wrong and missing rows, as after a bug or a restore of one table.
    OmzetByBooth.objects.update(sales=1)
    OmzetByOrigin.objects.all().delete()
    OmzetBuyerCount.objects.all().delete()
    out = StringIO()
    call_command("rebuild_omzet_rollups", "--expo", expo.slug, stdout=out)
    assert "1 expo(s)" in out.getvalue() and "from 3 ledger entries" in out.getvalue()
    assert stored() == kept

    # Every expo (an expo without sales keeps no rows), and by id.
    other = make_expo("open", office=expo.office)
    OmzetByHour.objects.all().delete()
    call_command("rebuild_omzet_rollups", stdout=StringIO())
    assert stored() == kept
    call_command("rebuild_omzet_rollups", "--expo", str(other.pk), stdout=StringIO())
    assert stored() == kept


def test_rebuild_command_refuses_an_unknown_expo(expo):
    with pytest.raises(CommandError, match="no-such-expo"):
        call_command("rebuild_omzet_rollups", "--expo", "no-such-expo", stdout=StringIO())
