"""Stock under real concurrency, on PostgreSQL: many buyers at the same moment, each in its own
thread with its own database connection, race for a few items. The conditional UPDATE in
``services.stock.reserve`` must let exactly as many orders through as there is stock, give every other
buyer a clear "sold out" answer naming the product, and the ledger must count each sale once.

Run in the PostgreSQL pass:
    DATABASE_URL=postgres://postgres@127.0.0.1:<port>/umkm_<name> .venv/bin/python -m pytest -m postgres tests/payments/test_oversell.py
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from functools import partial

import pytest
from django.db import close_old_connections, connection
from django.db.models import Sum

from booths.models import Product
from payments import services
from payments.models import Cart, Order, OrderLine, Payment, SalesLedgerEntry

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BUSY_RETRIES = 5


@dataclass
class Race:
    """What the buyers got: orders paid, "sold out" messages, anything else (a failure)."""

    paid: list[int] = field(default_factory=list)
    sold_out: list[str] = field(default_factory=list)
    busy: int = 0
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _require_postgres() -> None:
    assert connection.vendor == "postgresql", (
        "the PostgreSQL pass: DATABASE_URL=postgres://… .venv/bin/python -m pytest -m postgres"
    )


def _carts(wanted: list[list[tuple[Product, int]]]) -> list[int]:
    """One guest cart per buyer, filled before the race (a cart reserves nothing)."""
    ids = []
    for items in wanted:
        cart = Cart.objects.create()
        for product, quantity in items:
            services.cart_add(cart=cart, product=product, quantity=quantity)
        ids.append(cart.pk)
    return ids


def _race(cart_ids: list[int], *, expo, details, organiser) -> Race:
    """Every buyer places its order at the same moment (a barrier), then, if it got one, the
    organiser's staff confirm the transfer. A "busy, try again" answer is retried, as a buyer
    would."""
    race = Race()
    start = threading.Barrier(len(cart_ids))

    def buy(n: int, cart_id: int) -> None:
        try:
            cart = Cart.objects.get(pk=cart_id)
            start.wait(timeout=30)
            for _attempt in range(BUSY_RETRIES):
                try:
                    order = services.order_place(
                        cart=cart,
                        expo=expo,
                        details=details(email=f"buyer{n}@example.com"),
                        provider="manual",
                        buyer=None,
                    )
                except services.SoldOut as sold_out:
                    with race.lock:
                        race.sold_out.append(" ".join(sold_out.messages))
                    return
                except services.Busy:
                    with race.lock:
                        race.busy += 1
                    continue
                services.transfer_confirm(payment=order.payments.get(), by=organiser)
                with race.lock:
                    race.paid.append(order.pk)
                return
            with race.lock:
                race.unexpected.append(f"buyer {n}: busy {BUSY_RETRIES} times")
        except Exception as error:
            with race.lock:
                race.unexpected.append(f"buyer {n}: {type(error).__name__}: {error}")
        finally:
            close_old_connections()
            connection.close()

    threads = [
        threading.Thread(target=buy, args=(n, cart_id), name=f"buyer-{n}")
        for n, cart_id in enumerate(cart_ids)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a buyer thread hung"
    return race


def test_fifty_buyers_for_ten_items_give_ten_paid_orders_and_forty_sold_out(
    expo, booth_a, organiser, details
):
    _require_postgres()
    shirt = booth_a.products.order_by("pk").first()
    Product.objects.filter(pk=shirt.pk).update(stock=10)
    shirt.refresh_from_db()
    cart_ids = _carts([[(shirt, 1)] for _buyer in range(50)])

    race = _race(cart_ids, expo=expo, details=details, organiser=organiser)

    assert race.unexpected == []
    assert len(race.paid) == 10
    assert len(race.sold_out) == 40
    assert all(shirt.name_en in message and "sold out" in message for message in race.sold_out)
    shirt.refresh_from_db()
    assert shirt.stock == 0
    # Only the winners hold orders; every order is paid and sold its item.
    assert sorted(Order.objects.values_list("pk", flat=True)) == sorted(race.paid)
    assert set(Order.objects.values_list("status", "stock")) == {
        (Order.Status.PAID, Order.Stock.SOLD)
    }
    assert Payment.objects.filter(status=Payment.Status.SUCCEEDED).count() == 10
    assert OrderLine.objects.aggregate(n=Sum("quantity"))["n"] == 10
    sales = SalesLedgerEntry.objects.filter(kind=SalesLedgerEntry.Kind.SALE)
    assert sales.count() == 10
    assert sales.aggregate(total=Sum("amount"))["total"] == 10 * shirt.price
    assert sorted(sales.values_list("order_id", flat=True)) == sorted(race.paid)
    # The losers keep their carts; the winners' carts are empty.
    assert Cart.objects.filter(pk__in=cart_ids, items__isnull=False).count() == 40


def test_preorder_quota_is_never_exceeded_under_concurrency(expo, make_booth, organiser, details):
    _require_postgres()
    booth = make_booth(expo, name="Jamu Preorder", preorder=True)
    jamu = booth.products.get(is_preorder=True)
    Product.objects.filter(pk=jamu.pk).update(preorder_quota=10, stock=3)
    jamu.refresh_from_db()
    cart_ids = _carts([[(jamu, 2)] for _buyer in range(15)])

    race = _race(cart_ids, expo=expo, details=details, organiser=organiser)

    assert race.unexpected == []
    assert len(race.paid) == 5  # 5 × 2 = the quota of 10
    assert len(race.sold_out) == 10
    assert all(jamu.name_en in message for message in race.sold_out)
    jamu.refresh_from_db()
    assert (jamu.preorder_quota, jamu.stock) == (0, 3)  # the stock is not touched by pre-orders
    lines = OrderLine.objects.all()
    assert all(line.is_preorder and line.ships_by is not None for line in lines)
    assert SalesLedgerEntry.objects.filter(kind="sale").count() == 5


def test_buyers_of_two_products_in_either_order_neither_deadlock_nor_oversell(
    expo, booth_a, organiser, details
):
    """Half the carts hold (shirt, scarf), half (scarf, shirt): reservations are taken in product
    id order, so no two orders wait on each other in a circle."""
    _require_postgres()
    shirt, scarf = booth_a.products.order_by("pk")
    Product.objects.filter(pk__in=[shirt.pk, scarf.pk]).update(stock=6)
    shirt.refresh_from_db(), scarf.refresh_from_db()
    wanted = [[(shirt, 1), (scarf, 1)] if n % 2 else [(scarf, 1), (shirt, 1)] for n in range(20)]
    cart_ids = _carts(wanted)

    race = _race(cart_ids, expo=expo, details=details, organiser=organiser)

    assert race.unexpected == []
    assert len(race.paid) == 6 and len(race.sold_out) == 14
    shirt.refresh_from_db(), scarf.refresh_from_db()
    assert (shirt.stock, scarf.stock) == (0, 0)
    sold = Counter(OrderLine.objects.values_list("product_id", flat=True))
    assert sold == {shirt.pk: 6, scarf.pk: 6}
    assert SalesLedgerEntry.objects.filter(kind="sale").count() == 12


def test_confirming_a_transfer_while_the_order_expires_neither_deadlocks_nor_loses_it(
    expo, booth_a, organiser, place
):
    """The organiser confirms a transfer at the very moment the expiry job cancels its order: the
    two lock the order and its payment in the same order, so neither waits on the other in a
    circle; whichever comes first, the order ends paid (revived from expiry) with one sale."""
    _require_postgres()
    shirt = booth_a.products.order_by("pk").first()
    Product.objects.filter(pk=shirt.pk).update(stock=100)
    shirt.refresh_from_db()
    orders = [place((shirt, 1)) for _n in range(15)]
    failures: list[str] = []

    def run(action, barrier) -> None:
        try:
            barrier.wait(timeout=30)
            action()
        except Exception as error:
            failures.append(f"{type(error).__name__}: {error}")
        finally:
            close_old_connections()
            connection.close()

    def confirm(payment: Payment) -> None:
        services.transfer_confirm(payment=payment, by=organiser)

    def expire(order: Order) -> None:
        services.order_cancel(order=order, reason=Order.CancelReason.EXPIRED, by=None)

    for order in orders:
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=run, args=(partial(confirm, order.payments.get()), barrier)),
            threading.Thread(target=run, args=(partial(expire, order), barrier)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert failures == []
    assert set(Order.objects.values_list("status", flat=True)) == {Order.Status.PAID}
    assert SalesLedgerEntry.objects.filter(kind="sale").count() == len(orders)
    shirt.refresh_from_db()
    assert shirt.stock == 100 - len(orders)
