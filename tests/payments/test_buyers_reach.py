"""Signed-in buyers are visitors of the booths they buy from (the conversion's rule), kept in the
booths' visit rollups in the sale's transaction: under real concurrency on PostgreSQL — payments
confirmed while the visits' flushes write the same people's visits to the same booths — the
rollups equal a recount from the visits and the buyers, and what a rebuild writes."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date

import pytest
from django.db import close_old_connections, connection

from booths.models import BoothReach, BoothVisit, BoothVisitor, ExpoReach, Product, ProductVisit
from booths.services.visit_rollups import visit_rollups_rebuild, visits_write
from booths.visits import account_key
from payments import services
from payments.models import Cart, OmzetBuyer

DAY = date(2026, 6, 1)


def recounted() -> tuple[set, dict, dict]:
    pairs = {
        (v.booth.expo_id, v.booth_id, v.visitor) for v in BoothVisit.objects.select_related("booth")
    }
    pairs |= {
        (v.product.booth.expo_id, v.product.booth_id, v.visitor)
        for v in ProductVisit.objects.select_related("product__booth")
    }
    pairs |= {
        (b.expo_id, b.booth_id, account_key(b.account_id))
        for b in OmzetBuyer.objects.filter(booth__isnull=False, account_id__isnull=False)
    }
    booths = dict(Counter((e, b) for e, b, _v in pairs))
    expos = dict(Counter(e for e, _v in {(e, v) for e, _b, v in pairs}))
    return pairs, booths, expos


def stored() -> tuple[set, dict, dict]:
    return (
        set(BoothVisitor.objects.values_list("expo_id", "booth_id", "visitor")),
        {
            (e, b): n
            for e, b, n in BoothReach.objects.values_list("expo_id", "booth_id", "visitors")
        },
        dict(ExpoReach.objects.values_list("expo_id", "visitors")),
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_payments_and_flushes_at_once_lose_no_visitor(
    expo, booth_a, booth_b, place, organiser, make_user
):
    assert connection.vendor == "postgresql", "the PostgreSQL pass: DATABASE_URL=postgres://…"
    Product.objects.filter(booth__in=[booth_a, booth_b]).update(stock=10_000)
    a, b = Product.objects.filter(booth=booth_a).first(), Product.objects.filter(booth=booth_b).first()  # fmt: skip
    buyers = [make_user(email=f"pembeli{n}@example.com") for n in range(6)]
    orders = []
    for n in range(12):
        buyer = buyers[n % 6]
        Cart.objects.filter(user=buyer).delete()  # an account has one cart
        orders.append(place((a, 1), *([(b, 1)] if n % 2 else []), buyer=buyer, email=buyer.email))
    # The same people's visits (their account's key) and guests', as two processes buffered them.
    visits = [
        (kind, pk, DAY, key)
        for key in [account_key(u.pk) for u in buyers] + ["guest-1", "guest-2"]
        for kind, pk in (("booth", booth_a.pk), ("product", b.pk))
    ]
    start = threading.Barrier(len(orders) + 4)
    problems: list[str] = []

    def pay(order_id: int) -> None:
        try:
            start.wait(timeout=60)
            order = type(orders[0]).objects.get(pk=order_id)
            services.transfer_confirm(payment=order.payments.get(), by=organiser)
        except Exception as exc:  # reported below, with the others
            problems.append(f"order {order_id}: {exc!r}")
        finally:
            close_old_connections()

    def flush(n: int) -> None:
        try:
            start.wait(timeout=60)
            visits_write(visits=visits[n::2])
        except Exception as exc:  # reported below, with the others
            problems.append(f"flush {n}: {exc!r}")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=pay, args=(o.pk,)) for o in orders]
    threads += [threading.Thread(target=flush, args=(n % 2,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a payment or flush never finished"
    assert problems == []
    kept = stored()
    assert kept == recounted()
    assert kept[2] == {expo.pk: 8}  # six buyers and two guests, each once
    visit_rollups_rebuild()
    assert stored() == kept
