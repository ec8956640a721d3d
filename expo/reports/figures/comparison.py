"""Figures across expos and per vendor: an office's expos side by side, and a vendor's own figures
at every expo it has a booth at. A fixed number of queries for any number of expos."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum

from booths.models import Booth, BoothVisitDay, Vendor
from expo.models import Expo
from expo.reports.figures.conversion import vendor_conversion
from expo.reports.figures.rows import Conversion, average_order
from expo.reports.models import PotentialDeal
from payments.models import Channel, OmzetBuyerCount, OmzetByBooth, OmzetByOrigin


@dataclass
class ExpoSummary:
    expo: Expo
    omzet: int = 0  # the expo's own; the mall's after closing apart (figures.channels)
    mall_omzet: int = 0
    transactions: int = 0
    buyers: int = 0
    buyers_abroad: int = 0
    booths: int = 0
    vendors_with_sales: int = 0
    deals_value: int = 0

    @property
    def aov(self) -> int:
        return average_order(self.omzet, self.transactions)

    @property
    def total(self) -> int:
        """The expo's own omzet and its mall's together."""
        return self.omzet + self.mall_omzet


def office_comparison(expos: list[Expo]) -> list[ExpoSummary]:
    """Side-by-side figures of several expos (of one office) in five queries for any number, the
    money and buyers from the omzet rollups."""
    ids = [e.pk for e in expos]
    summaries = {e.pk: ExpoSummary(e) for e in expos}
    # From the omzet rollups (a few rows per expo, whatever the ledger holds).
    for row in (
        OmzetByOrigin.objects.filter(expo_id__in=ids)
        .values("expo_id", is_mall=Q(channel=Channel.MALL))
        .annotate(sales=Sum("sales"), refunds=Sum("refunds"), transactions=Sum("orders"))
        .order_by()
    ):
        s = summaries[row["expo_id"]]
        omzet = (row["sales"] or 0) + (row["refunds"] or 0)
        if row["is_mall"]:
            s.mall_omzet = omzet  # never merged into the expo's own
        else:
            s.omzet, s.transactions = omzet, row["transactions"] or 0
    for row in (
        OmzetByBooth.objects.filter(expo_id__in=ids, sales__gt=0)
        .values("expo_id")
        .annotate(vendors=Count("vendor_id", distinct=True))
        .order_by()
    ):
        summaries[row["expo_id"]].vendors_with_sales = row["vendors"]
    for expo_id, scope, buyers in OmzetBuyerCount.objects.filter(
        expo_id__in=ids, scope__in=["expo", "abroad"]
    ).values_list("expo_id", "scope", "buyers"):
        if scope == "expo":
            summaries[expo_id].buyers = buyers
        else:
            summaries[expo_id].buyers_abroad = buyers
    for row in (
        Booth.objects.filter(expo_id__in=ids).values("expo_id").annotate(n=Count("id")).order_by()
    ):
        summaries[row["expo_id"]].booths = row["n"]
    for row in (
        PotentialDeal.objects.filter(expo_id__in=ids)
        .exclude(status=PotentialDeal.Status.CANCELLED)
        .exclude(verification=PotentialDeal.Verification.REJECTED)
        .values("expo_id")
        .annotate(value=Sum("estimated_value"))
        .order_by()
    ):
        summaries[row["expo_id"]].deals_value = row["value"] or 0
    return [summaries[e.pk] for e in expos]


@dataclass
class VendorExpoFigures:
    expo: Expo
    booth: Booth
    omzet: int = 0  # at the expo itself; its mall's after closing apart
    mall_omzet: int = 0
    sales: int = 0
    refunds: int = 0
    orders: int = 0
    quantity: int = 0
    visits: int = 0  # booth page visits as recorded: each visitor once a day
    deals_value: int = 0
    reach: Conversion = field(default_factory=Conversion)

    @property
    def visitors(self) -> int:
        return self.reach.visitors

    @property
    def conversion(self) -> float | None:
        """The share of the booth's visitors who bought from it (the dashboard's figure)."""
        return self.reach.rate


def vendor_figures(vendor: Vendor) -> list[VendorExpoFigures]:
    """A vendor's own omzet, orders, visits, visitors and conversion per expo it has a booth at (a
    fixed number of queries for any number of expos). Never another vendor's."""
    booths = list(
        Booth.objects.filter(vendor=vendor).select_related("expo").order_by("-expo__opens_at")
    )
    rows = {b.expo_id: VendorExpoFigures(expo=b.expo, booth=b) for b in booths}
    for row in (
        OmzetByBooth.objects.filter(vendor=vendor)
        .values("expo_id", is_mall=Q(channel=Channel.MALL))
        .annotate(
            sales=Sum("sales"),
            refunds=Sum("refunds"),
            orders=Sum("orders"),
            quantity=Sum("quantity"),
        )
        .order_by()
    ):
        item = rows.get(row["expo_id"])
        if item is None:
            continue
        if row["is_mall"]:
            item.mall_omzet = (row["sales"] or 0) + (row["refunds"] or 0)
            continue
        item.sales = row["sales"] or 0
        item.refunds = row["refunds"] or 0
        item.omzet = item.sales + item.refunds
        item.orders = row["orders"] or 0
        item.quantity = row["quantity"] or 0
    for row in (
        BoothVisitDay.objects.filter(booth__vendor=vendor)
        .values("expo_id")
        .annotate(n=Sum("visits"))
        .order_by()
    ):
        if row["expo_id"] in rows:
            rows[row["expo_id"]].visits = row["n"]
    for row in (
        PotentialDeal.objects.filter(vendor=vendor)
        .exclude(status=PotentialDeal.Status.CANCELLED)
        .exclude(verification=PotentialDeal.Verification.REJECTED)
        .values("expo_id")
        .annotate(value=Sum("estimated_value"))
        .order_by()
    ):
        if row["expo_id"] in rows:
            rows[row["expo_id"]].deals_value = row["value"] or 0
    reach = vendor_conversion(vendor.pk)
    for booth in booths:
        rows[booth.expo_id].reach = reach.get(booth.pk, Conversion())
    return [rows[b.expo_id] for b in booths]
