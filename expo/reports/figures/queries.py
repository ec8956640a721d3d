"""The aggregate queries every figure is built from.

Omzet is counted only from the append-only sales ledger (``payments.SalesLedgerEntry``): the sum of
its signed ``amount`` (sales positive, refunds negative). Potential deals are read apart and never
added to it. A transaction is an order with at least one sale entry (a paid order).
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, Lower, TruncHour

from booths.models import BoothVisit
from expo.models import Expo
from expo.reports.figures.rows import Deals
from expo.reports.models import PotentialDeal
from payments.models import Order, SalesLedgerEntry

JAKARTA = zoneinfo.ZoneInfo(settings.TIME_ZONE)
HOME_COUNTRY = "ID"
SALE = SalesLedgerEntry.Kind.SALE
REFUND = SalesLedgerEntry.Kind.REFUND


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


def booth_rows(entries: QuerySet[SalesLedgerEntry]) -> list[dict[str, Any]]:
    """Per booth, with the regency, sector and size class its entries were written with."""
    return list(
        entries.values("booth_id", "vendor_id", "region_id", "sector_id", "size_class")
        .annotate(**money_sums())
        .order_by()
    )


def slice_rows(entries: QuerySet[SalesLedgerEntry]) -> list[dict[str, Any]]:
    """Sums per buyer country, channel, attribution (id and label) and hour in Asia/Jakarta.

    No order count here: counting distinct orders would sort every entry of the expo. Orders per
    slice come from :func:`order_slices`, one row per paid order."""
    return list(
        entries.annotate(hour=TruncHour("occurred_at", tzinfo=JAKARTA))
        .values("buyer_country", "channel", "attribution_id", "attribution_label", "hour")
        .annotate(
            sales=Sum("amount", filter=Q(kind=SALE)),
            refunds=Sum("amount", filter=Q(kind=REFUND)),
            quantity=Sum("quantity"),
        )
        .order_by()
    )


def paid_orders(expo: Expo | int) -> QuerySet[Order]:
    """The expo's orders with at least one sale entry in the ledger: its transactions."""
    expo_id = expo if isinstance(expo, int) else expo.pk
    sold = SalesLedgerEntry.objects.filter(order_id=OuterRef("pk"), kind=SALE)
    return Order.objects.filter(expo_id=expo_id).filter(Exists(sold)).order_by()


def order_slices(expo: Expo | int) -> list[dict[str, Any]]:
    """Paid orders per buyer country, channel, attribution and Jakarta hour of payment.

    An order's sale entries carry exactly these values (copied from the order, written at the
    moment it was paid), so these counts split the ledger's transactions without double counting
    an order that bought from several booths."""
    return list(
        paid_orders(expo)
        .annotate(hour=TruncHour("paid_at", tzinfo=JAKARTA))
        .values("country", "channel", "attribution_id", "hour")
        .annotate(orders=Count("id"))
        .order_by()
    )


def buyer_counts(expo: Expo | int) -> tuple[int, int, dict[str, int]]:
    """Unique buyers, unique buyers abroad, and unique buyers per country (one query: the
    distinct buyer and country pairs; a buyer is the account, else the e-mail address)."""
    pairs = (
        paid_orders(expo)
        .annotate(guest=Case(When(buyer_id__isnull=True, then=Lower("email")), default=Value("")))
        .values_list("buyer_id", "guest", "country")
        .distinct()
    )
    buyers: set[tuple[Any, str]] = set()
    abroad: set[tuple[Any, str]] = set()
    per_country: dict[str, set[tuple[Any, str]]] = defaultdict(set)
    for buyer_id, guest, country in pairs:
        key = (buyer_id, guest)
        buyers.add(key)
        per_country[country].add(key)
        if country != HOME_COUNTRY:
            abroad.add(key)
    return len(buyers), len(abroad), {c: len(keys) for c, keys in per_country.items()}


def visit_counts(expo: Expo | int) -> dict[int, int]:
    """Unique visitor-days per booth of the expo."""
    expo_id = expo if isinstance(expo, int) else expo.pk
    return dict(
        BoothVisit.objects.filter(booth__expo_id=expo_id)
        .values("booth_id")
        .annotate(n=Count("id"))
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
    """The live ticker's figures (two queries): omzet and transactions."""
    omzet = ledger(expo).aggregate(omzet=Coalesce(Sum("amount"), 0))["omzet"]
    return {"omzet": omzet, "transactions": paid_orders(expo).count()}
