"""Fixtures of the report tests: an expo with booths in different regencies, sectors and size
classes, and a writer that puts paid orders and refunds into the sales ledger through its one writer,
``payments.services.ledger.write`` (one sale entry per line at the moment the order is paid,
refunds as negative entries later), which keeps the omzet rollups with it."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime

import pytest
from django.core.cache import cache

from booths.models import VendorMembership
from expo import permissions
from payments.models import Order, OrderLine, OrderPart, SalesLedgerEntry
from payments.services import ledger

_codes = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@dataclass
class LedgerWriter:
    expo: object

    def order(
        self,
        *,
        lines: list[tuple[object, int, int]],
        at: datetime,
        email: str = "ayu@example.com",
        buyer=None,
        country: str = "ID",
        channel: str = "direct",
        attribution_id: int | None = None,
        attribution_label: str = "",
    ) -> tuple[Order, list[OrderLine]]:
        """A paid order of ``lines`` = [(booth, unit price, quantity)], paid at ``at``."""
        subtotal = sum(price * qty for _booth, price, qty in lines)
        order = Order.objects.create(
            code=f"T{next(_codes):08d}",
            expo=self.expo,
            buyer=buyer,
            access_key="k" * 43,
            email=email,
            name="Buyer",
            phone="0812",
            address="Jl. Uji 1",
            city="Semarang",
            country=country,
            status=Order.Status.PAID,
            stock=Order.Stock.SOLD,
            provider="manual",
            channel=channel,
            attribution_id=attribution_id,
            attribution_label=attribution_label,
            subtotal=subtotal,
            total=subtotal,
            placed_at=at,
            paid_at=at,
        )
        parts: dict[int, OrderPart] = {}
        created = []
        for booth, price, qty in lines:
            part = parts.get(booth.pk)
            if part is None:
                part = parts[booth.pk] = OrderPart.objects.create(
                    order=order,
                    booth=booth,
                    vendor=booth.vendor,
                    status=OrderPart.Status.PAID,
                    subtotal=0,
                    shipping_zone="domestic",
                    shipping_method="arrange",
                )
            line = OrderLine.objects.create(
                order=order,
                part=part,
                name_en="Item",
                name_id="Barang",
                unit_price=price,
                quantity=qty,
            )
            created.append(line)
        # Through the one writer of the ledger, which keeps the omzet rollups with it.
        ledger.write(
            order, [(line, line.amount, line.quantity) for line in created], occurred_at=at
        )
        return order, created

    def refund(self, order: Order, line: OrderLine, amount: int, at: datetime) -> SalesLedgerEntry:
        ledger.write(order, [(line, -amount, 0)], occurred_at=at)
        return SalesLedgerEntry.objects.filter(line=line, kind="refund").latest("id")


@pytest.fixture
def expo(make_expo, make_organiser):
    organiser = make_organiser(name="Sri Organiser")
    expo = make_expo("open", office=organiser.offices.get())
    expo.organiser = organiser
    return expo


@pytest.fixture
def organiser(expo):
    return expo.organiser


@pytest.fixture
def booths(expo, make_booth, regions, sectors):
    """Four booths: two regencies share one sector, a city, and a medium-sized business."""
    a = make_booth(expo, name="Batik Sekar", region=regions[0], sector=sectors[1])
    b = make_booth(expo, name="Kopi Gunung", region=regions[1], sector=sectors[0])
    c = make_booth(expo, name="Keripik Solo", region=regions[2], sector=sectors[0])
    d = make_booth(expo, name="Gula Semut", region=regions[0], sector=sectors[0])
    d.vendor.size_class = "menengah"
    d.vendor.save(update_fields=["size_class"])
    return [a, b, c, d]


@pytest.fixture
def write(expo):
    return LedgerWriter(expo)


@pytest.fixture
def make_vendor_user(make_user):
    def build(booth, **extra):
        user = make_user(**extra)
        VendorMembership.objects.create(vendor=booth.vendor, user=user, role="owner")
        permissions.forget(user)
        return user

    return build
