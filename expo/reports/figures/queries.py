"""The aggregate queries every figure is built from.

Omzet is counted only from the append-only sales ledger (``payments.SalesLedgerEntry``): the sum of
its signed ``amount`` (sales positive, refunds negative). Potential deals are read apart and never
added to it. A transaction is an order with at least one sale entry (a paid order).

The dashboard reads the ledger through its rollups (``payments.models.rollups``), added to in the
same transaction as each ledger write and rebuilt from it by ``manage.py rebuild_omzet_rollups``:
a few hundred rows per expo, however many entries the ledger holds. :func:`ledger`,
:func:`money_sums` and :func:`paid_orders` read the ledger itself, for the figures that are not
rolled up (a vendor's own figures, the office's comparison).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from booths.models import BoothVisitDay
from expo.models import Expo
from expo.reports.figures.rows import Deals
from expo.reports.models import PotentialDeal
from payments.models import (
    Channel,
    OmzetBuyerCount,
    OmzetByBooth,
    OmzetByHour,
    OmzetByOrigin,
    Order,
    SalesLedgerEntry,
)

JAKARTA = zoneinfo.ZoneInfo(settings.TIME_ZONE)
HOME_COUNTRY = "ID"
SALE = SalesLedgerEntry.Kind.SALE
REFUND = SalesLedgerEntry.Kind.REFUND
MONEY = ("sales", "refunds", "orders", "quantity")


def money_sums() -> dict[str, Any]:
    """Sales, refunds, paid orders and quantity of ledger entries, as aggregates."""
    return {
        "sales": Sum("amount", filter=Q(kind=SALE)),
        "refunds": Sum("amount", filter=Q(kind=REFUND)),
        "orders": Count("order_id", distinct=True, filter=Q(kind=SALE)),
        "quantity": Sum("quantity"),
    }


def ledger(expo: Expo | int) -> QuerySet[SalesLedgerEntry]:
    expo_id = expo if isinstance(expo, int) else expo.pk
    return SalesLedgerEntry.objects.filter(expo_id=expo_id).order_by()


def booth_rows(expo: Expo | int, *, channels: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Per booth, with the regency, sector and size class its entries were written with: sales,
    refunds, orders and quantity, read from the rollup (``payments.OmzetByBooth``), every channel
    together unless ``channels`` names some."""
    rows = OmzetByBooth.objects.filter(expo_id=_id(expo))
    if channels is not None:
        rows = rows.filter(channel__in=list(channels))
    return list(
        rows.values("booth_id", "vendor_id", "region_id", "sector_id", "size_class")
        .annotate(**_sums())
        .order_by()
    )


def paid_orders(expo: Expo | int) -> QuerySet[Order]:
    """The expo's orders with at least one sale entry in the ledger: its transactions."""
    sold = SalesLedgerEntry.objects.filter(order_id=OuterRef("pk"), kind=SALE)
    return Order.objects.filter(expo_id=_id(expo)).filter(Exists(sold)).order_by()


def origin_rows(expo: Expo | int) -> list[dict[str, Any]]:
    """Sales, refunds, orders and quantity per buyer country, channel and attribution (id and
    label), from the rollup (``payments.OmzetByOrigin``; each paid order counted once)."""
    rows = list(
        OmzetByOrigin.objects.filter(expo_id=_id(expo)).values(
            "buyer_country", "channel", "attribution_id", "attribution_label", *MONEY
        )
    )
    for row in rows:
        row["attribution_id"] = row["attribution_id"] or None
    return rows


def hour_rows(expo: Expo | int) -> list[dict[str, Any]]:
    """Sales, refunds, orders and quantity per hour (its start in Asia/Jakarta) and channel, from
    the rollup (``payments.OmzetByHour``)."""
    return list(OmzetByHour.objects.filter(expo_id=_id(expo)).values("hour", "channel", *MONEY))


def channel_rows(expo: Expo | int) -> dict[str, dict[str, int]]:
    """Omzet by channel: ``{channel: {"sales", "refunds", "orders", "quantity", "omzet"}}`` for
    every channel the expo sold through (one query on the rollup, whatever the ledger's size).
    Orders add up across channels: an order has one channel."""
    out: dict[str, dict[str, int]] = {}
    for row in (
        OmzetByOrigin.objects.filter(expo_id=_id(expo))
        .values("channel")
        .annotate(**_sums())
        .order_by()
    ):
        money = {k: row[k] or 0 for k in MONEY}
        money["omzet"] = money["sales"] + money["refunds"]
        out[row["channel"]] = money
    return out


def buyer_counts(expo: Expo | int) -> tuple[int, int, dict[str, int]]:
    """Unique buyers, unique buyers abroad, and unique buyers per country (one query on the
    buyer counts kept exactly with the first-seen table, ``payments.OmzetBuyerCount``; a buyer is
    the account, else the e-mail address)."""
    buyers = abroad = 0
    per_country: dict[str, int] = {}
    for scope, n in OmzetBuyerCount.objects.filter(
        expo_id=_id(expo), booth__isnull=True
    ).values_list("scope", "buyers"):
        if scope == "expo":
            buyers = n
        elif scope == "abroad":
            abroad = n
        elif scope.startswith("country:"):
            per_country[scope.removeprefix("country:")] = n
    return buyers, abroad, per_country


def visit_counts(expo: Expo | int) -> dict[int, int]:
    """Unique visitor-days per booth of the expo, from the rollup kept with the visits
    (``booths.BoothVisitDay``: one row per booth and day, whatever the visits)."""
    return dict(
        BoothVisitDay.objects.filter(expo_id=_id(expo))
        .values("booth_id")
        .annotate(n=Sum("visits"))
        .order_by()
        .values_list("booth_id", "n")
    )


def deal_figures(expo: Expo | int) -> Deals:
    expo_id = expo if isinstance(expo, int) else expo.pk
    valid = ~Q(status=PotentialDeal.Status.CANCELLED) & ~Q(
        verification=PotentialDeal.Verification.REJECTED
    )
    verified = Q(verification=PotentialDeal.Verification.VERIFIED) & ~Q(
        status=PotentialDeal.Status.CANCELLED
    )
    row = PotentialDeal.objects.filter(expo_id=expo_id).aggregate(
        count=Count("id", filter=valid),
        value=Sum("estimated_value", filter=valid),
        verified_count=Count("id", filter=verified),
        verified_value=Sum("estimated_value", filter=verified),
        pending=Count("id", filter=Q(verification=PotentialDeal.Verification.PENDING)),
    )
    return Deals(
        count=row["count"] or 0,
        value=row["value"] or 0,
        verified_count=row["verified_count"] or 0,
        verified_value=row["verified_value"] or 0,
        pending_count=row["pending"] or 0,
    )


def headline(expo: Expo | int) -> dict[str, int]:
    """The live ticker's figures (one query on the rollup): omzet and transactions."""
    # The expo's own omzet: the mall's sales after closing are counted apart (figures.channels).
    row = (
        OmzetByOrigin.objects.filter(expo_id=_id(expo))
        .exclude(channel=Channel.MALL)
        .aggregate(**_sums())
    )
    return {
        "omzet": (row["sales"] or 0) + (row["refunds"] or 0),
        "transactions": row["orders"] or 0,
    }


def _id(expo: Expo | int) -> int:
    return expo if isinstance(expo, int) else expo.pk


def _sums() -> dict[str, Any]:
    return {name: Sum(name) for name in MONEY}
