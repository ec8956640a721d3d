"""A sale at the stand races an online buyer for the last item, on PostgreSQL: each in its own
thread and connection, released at the same moment. Both go through the checkout's conditional
``UPDATE … WHERE stock >= qty``: exactly one wins, the other gets a clear answer (sold out, naming
the product; a "busy, try again" is retried as a person would), the stock never goes below zero
and the ledger counts the item once.

Run in the PostgreSQL pass:
    DATABASE_URL=postgres://postgres@127.0.0.1:<port>/umkm_<name> .venv/bin/python -m pytest -m postgres tests/payments/test_stands_postgres.py
"""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from booths.models import Product
from payments import services
from payments.models import Cart, OfflineSale, Order, SalesLedgerEntry
from payments.services import offline

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 6
RETRIES = 5


def _online(cart_id: int, *, expo, details, n: int) -> str:
    cart = Cart.objects.get(pk=cart_id)
    for _attempt in range(RETRIES):
        try:
            services.order_place(
                cart=cart,
                expo=expo,
                details=details(email=f"online{n}@example.com"),
                provider="manual",
                buyer=None,
            )
        except services.SoldOut as refused:
            return "sold_out:" + " ".join(refused.messages)
        except services.Busy:
            continue
        return "won"
    return "busy"


def _at_stand(product: Product, *, booth, seller, n: int) -> str:
    for _attempt in range(RETRIES):
        try:
            offline.offline_sale_record(
                booth=booth,
                by=seller,
                lines=[offline.StandLine(product, 1)],
                payment_method="cash",
                receipt_number=f"R-{n}",
            )
        except services.SoldOut as refused:
            return "sold_out:" + " ".join(refused.messages)
        except services.Busy:
            continue
        return "won"
    return "busy"


def test_a_stand_sale_and_an_online_buyer_race_for_the_last_item(
    expo, booth_a, make_vendor_user, details
):
    assert connection.vendor == "postgresql", (
        "the PostgreSQL pass: DATABASE_URL=postgres://… .venv/bin/python -m pytest -m postgres"
    )
    seller = make_vendor_user(booth_a, email="penjual@example.com")
    product = booth_a.products.order_by("pk").first()
    outcomes = []
    for n in range(ROUNDS):
        Product.objects.filter(pk=product.pk).update(stock=1)
        product.refresh_from_db()
        cart = Cart.objects.create()
        services.cart_add(cart=cart, product=product, quantity=1)
        results: dict[str, str] = {}
        start = threading.Barrier(2)

        def run(name, action, results=results, start=start):
            try:
                start.wait(timeout=30)
                results[name] = action()
            except Exception as error:  # reported below, never swallowed
                results[name] = f"error:{type(error).__name__}:{error}"
            finally:
                close_old_connections()
                connection.close()

        threads = [
            threading.Thread(
                target=run,
                args=("online", lambda c=cart.pk, n=n: _online(c, expo=expo, details=details, n=n)),
            ),
            threading.Thread(
                target=run,
                args=(
                    "stand",
                    lambda n=n: _at_stand(product, booth=booth_a, seller=seller, n=n),
                ),
            ),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads), "a racer hung"
        product.refresh_from_db()
        winners = [name for name, result in results.items() if result == "won"]
        losers = [result for result in results.values() if result != "won"]
        assert len(winners) == 1, results
        assert len(losers) == 1 and losers[0].startswith("sold_out:"), results
        assert product.name in losers[0]
        assert product.stock == 0
        outcomes.append(winners[0])

    stand_sales = OfflineSale.objects.count()
    online_orders = Order.objects.exclude(channel="offline").count()
    assert stand_sales + online_orders == ROUNDS
    assert stand_sales == outcomes.count("stand")
    # Each stand sale is in the ledger once; an online order waits for its payment.
    assert SalesLedgerEntry.objects.filter(channel="offline", kind="sale").count() == stand_sales
