"""The sales ledger on random histories (hypothesis): whatever sequence of orders, payments,
cancellations, per-line and full refunds happens, omzet counted from the ledger — per expo, per
vendor and per region — equals the paid lines minus the refunded lines, as worked out here from
the steps themselves; and no ledger entry is ever changed or removed.

Each example runs inside a transaction that is rolled back at its end, so the examples share the
expos, booths and products of one test and start from the same state.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from booths.models import Product
from payments import selectors, services
from payments.models import (
    Order,
    OrderLine,
    Refund,
    SalesLedgerEntry,
    ShippingMethod,
    ShippingZone,
    VendorShippingRate,
)

pytestmark = pytest.mark.django_db

SHIPPING = 20_000  # booth A's flat rate within Indonesia; everything else is "arrange"


# --- The model of what should have happened -------------------------------------------------------


@dataclass
class Line:
    pk: int
    amount: int
    expo_id: int
    vendor_id: int
    region_id: int
    part_id: int
    refunded: bool = False


@dataclass
class Placed:
    pk: int
    lines: list[Line]
    shipping: dict[int, int]  # part id → shipping amount
    paid: bool = False
    cancelled: bool = False
    refunded_shipping: set[int] = field(default_factory=set)

    def refund(self, chosen: list[Line]) -> None:
        for line in chosen:
            line.refunded = True
        for part_id in self.shipping:
            if all(line.refunded for line in self.lines if line.part_id == part_id):
                self.refunded_shipping.add(part_id)

    @property
    def refunded_total(self) -> int:
        lines = sum(line.amount for line in self.lines if line.refunded)
        return lines + sum(self.shipping[p] for p in self.refunded_shipping)


def _expected(orders: list[Placed], key: str) -> dict[int, int]:
    totals: dict[int, int] = defaultdict(int)
    for order in orders:
        if not order.paid:
            continue
        for line in order.lines:
            if not line.refunded:
                totals[getattr(line, key)] += line.amount
    return {k: v for k, v in totals.items() if v}


def _ledger(field_name: str) -> dict[int, int]:
    rows = SalesLedgerEntry.objects.values(field_name).annotate(total=Sum("amount"))
    return {row[field_name]: row["total"] for row in rows if row["total"]}


def _snapshot() -> dict[int, tuple]:
    return {
        row[0]: row[1:]
        for row in SalesLedgerEntry.objects.values_list(
            "pk",
            "kind",
            "amount",
            "expo_id",
            "vendor_id",
            "region_id",
            "order_id",
            "line_id",
            "refund_id",
            "quantity",
            "occurred_at",
        )
    }


# --- Steps ----------------------------------------------------------------------------------------

orders_index = st.integers(min_value=0, max_value=50)
place_step = st.tuples(
    st.just("place"),
    st.integers(min_value=0, max_value=1),  # which expo
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=9), st.integers(min_value=1, max_value=3)),
        min_size=1,
        max_size=3,
    ),
    st.sampled_from(["ID", "ID", "JP"]),
)
# Weighted towards paying and refunding, so most histories have refunds of paid orders (one_of
# would not weigh: it treats a strategy listed twice as one).
KINDS = ["place", "pay", "pay", "pay", "cancel", "refund_lines", "refund_lines", "refund_all"]
steps = st.sampled_from(KINDS).flatmap(
    lambda kind: (
        place_step
        if kind == "place"
        else st.tuples(
            st.just(kind),
            orders_index,
            st.lists(st.integers(min_value=0, max_value=9), min_size=1, max_size=2),
        )
    )
)


@pytest.fixture
def world(expo, booth_a, booth_b, make_expo, make_booth, regions, sectors):
    """Two open expos of one office: booths A and B (two vendors, two regions) in the first,
    booth C (a third region) in the second; plenty of stock; booth A charges shipping."""
    second = make_expo("open", office=expo.office)
    booth_c = make_booth(
        second,
        name="Gerabah Kasongan",
        region=regions[1],
        sector=sectors[1],
        prices=(25_000, 7_500, 150_000),
    )
    Product.objects.filter(booth__in=[booth_a, booth_b, booth_c]).update(stock=10_000)
    VendorShippingRate.objects.create(
        vendor=booth_a.vendor,
        zone=ShippingZone.DOMESTIC,
        method=ShippingMethod.FLAT,
        amount=SHIPPING,
    )
    products = {
        expo.pk: list(
            Product.objects.filter(booth__expo=expo).select_related("booth__vendor").order_by("pk")
        ),
        second.pk: list(
            Product.objects.filter(booth__expo=second)
            .select_related("booth__vendor")
            .order_by("pk")
        ),
    }
    return [expo, second], products, booth_a.vendor_id


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    first=st.lists(place_step, min_size=1, max_size=3),
    then=st.lists(steps, min_size=3, max_size=12),
)
def test_ledger_totals_equal_paid_lines_minus_refunds(world, place, organiser, first, then):
    expos, products, shipping_vendor = world
    history = first + then
    with transaction.atomic():
        _run(history, expos, products, shipping_vendor, place, organiser)
        transaction.set_rollback(True)


def _run(history, expos, products, shipping_vendor, place, organiser) -> None:
    orders: list[Placed] = []
    seen = _snapshot()
    assert seen == {}
    for step in history:
        kind = step[0]
        if kind == "place":
            _place(step, expos, products, shipping_vendor, place, orders)
        elif not orders:
            continue
        else:
            placed = orders[step[1] % len(orders)]
            order = Order.objects.get(pk=placed.pk)
            if kind == "pay":
                services.transfer_confirm(payment=order.payments.get(), by=organiser)
                if not placed.paid:
                    event("paid after cancel" if placed.cancelled else "paid")
                placed.paid, placed.cancelled = True, False
            elif kind == "cancel":
                services.order_cancel(order=order, reason=Order.CancelReason.BUYER, by=None)
                if not placed.paid:
                    placed.cancelled = True
            else:
                if kind == "refund_lines":
                    chosen = list(
                        dict.fromkeys(placed.lines[i % len(placed.lines)].pk for i in step[2])
                    )
                    model_lines = [line for line in placed.lines if line.pk in chosen]
                    lines = list(OrderLine.objects.filter(pk__in=chosen))
                else:
                    model_lines, lines = placed.lines, None
                possible = placed.paid and any(not line.refunded for line in model_lines)
                try:
                    services.order_refund(order=order, lines=lines, by=organiser, reason="test")
                except ValidationError:
                    assert not possible, f"refund refused for {step}"
                else:
                    assert possible, f"refund accepted for {step}"
                    placed.refund(model_lines)
                    event(f"{kind} accepted")

        # Nothing written before is ever changed or removed.
        now = _snapshot()
        assert {pk: now.get(pk) for pk in seen} == seen
        seen = now
        _check(orders, expos)


def _place(step, expos, products, shipping_vendor, place, orders) -> None:
    _kind, expo_index, wanted, country = step
    expo = expos[expo_index]
    choices = products[expo.pk]
    quantities: dict[int, int] = {}
    for index, quantity in wanted:
        pk = choices[index % len(choices)].pk
        quantities[pk] = quantities.get(pk, 0) + quantity
    by_pk = {p.pk: p for p in choices}
    order = place(
        *[(by_pk[pk], q) for pk, q in quantities.items()], country=country, region="Jawa Tengah"
    )
    lines = []
    shipping = {}
    for line in order.lines.select_related("part"):
        product = by_pk[line.product_id]
        vendor = product.booth.vendor
        lines.append(
            Line(
                pk=line.pk,
                amount=product.price * quantities[product.pk],
                expo_id=expo.pk,
                vendor_id=vendor.pk,
                region_id=vendor.region_id,
                part_id=line.part_id,
            )
        )
        shipping[line.part_id] = SHIPPING if vendor.pk == shipping_vendor and country == "ID" else 0
    assert sorted(quantities) == sorted(line.product_id for line in order.lines.all())
    orders.append(Placed(pk=order.pk, lines=lines, shipping=shipping))


def _check(orders: list[Placed], expos) -> None:
    # Omzet from the ledger, sliced three ways, against the model.
    assert _ledger("expo_id") == _expected(orders, "expo_id")
    assert _ledger("vendor_id") == _expected(orders, "vendor_id")
    assert _ledger("region_id") == _expected(orders, "region_id")
    expected_expo = _expected(orders, "expo_id")
    for expo in expos:
        assert selectors.omzet(expo=expo) == expected_expo.get(expo.pk, 0)
    # A paid line is sold exactly once; refunds never exceed what was sold.
    paid_lines = sorted(line.pk for o in orders if o.paid for line in o.lines)
    sold = sorted(SalesLedgerEntry.objects.filter(kind="sale").values_list("line_id", flat=True))
    assert sold == paid_lines
    # What the orders say about themselves agrees with the model and with the refund rows.
    for placed in orders:
        order = Order.objects.get(pk=placed.pk)
        assert (order.paid_at is not None) == placed.paid
        assert (order.status == Order.Status.CANCELLED) == placed.cancelled
        assert order.refunded_total == placed.refunded_total
        refunds = Refund.objects.filter(order=order).aggregate(total=Sum("amount"))["total"] or 0
        assert refunds == placed.refunded_total
    # Settlement: sales − refunds per vendor are the ledger's, shipping is what was kept.
    for expo in expos:
        vendor_totals = _expected([o for o in orders if o.lines[0].expo_id == expo.pk], "vendor_id")
        for row in selectors.settlements(expo=expo):
            assert row.net == vendor_totals.get(row.vendor.pk, 0)
            kept = sum(
                amount
                for o in orders
                if o.paid and o.lines[0].expo_id == expo.pk
                for part_id, amount in o.shipping.items()
                if part_id not in o.refunded_shipping and _part_vendor(o, part_id) == row.vendor.pk
            )
            assert row.shipping == kept


def _part_vendor(order: Placed, part_id: int) -> int:
    return next(line.vendor_id for line in order.lines if line.part_id == part_id)
