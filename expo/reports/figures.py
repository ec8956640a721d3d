"""Every figure of the omzet dashboard, the exports and the data API, read in one place.

Omzet is counted only from the append-only sales ledger (``payments.SalesLedgerEntry``): the sum of
its signed ``amount`` (sales positive, refunds negative). Potential deals are read apart and never
added to it. A transaction is an order with at least one sale entry (a paid order).

The whole dashboard of an expo costs a fixed handful of aggregate queries, whatever the size of the
ledger (see :func:`expo_dashboard`):

1. per booth (and its regency, sector, size class): omzet, sales, refunds, orders, quantity;
2. per order-level slice (buyer country, channel and attribution, Jakarta hour): the same. Every
   sale entry of one order shares these values (they are copied from the order, and an order's
   sale entries are written at one moment), so order counts add up exactly across slices;
3. buyers: unique buyers overall and abroad, and per country (two small queries on the orders);
4. booth visits per booth; 5. the booths; 6. live sessions and their chat; 7. potential deals;
8. names of regions and sectors.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, Lower, TruncHour
from django.utils.translation import gettext_lazy as _

from booths.models import Booth, BoothVisit, Vendor
from events.models import ChatMessage, LiveSession
from expo.banners.models import BannerDailyStat
from expo.countries import country_name
from expo.models import Expo, Region, Sector
from expo.reports.models import PotentialDeal
from payments.models import Channel, Order, SalesLedgerEntry

JAKARTA = zoneinfo.ZoneInfo(settings.TIME_ZONE)
HOME_COUNTRY = "ID"
SALE = SalesLedgerEntry.Kind.SALE
REFUND = SalesLedgerEntry.Kind.REFUND

SIZE_LABELS = dict(Vendor.SizeClass.choices)


# --- Rows ------------------------------------------------------------------------------------------


def average_order(omzet: int, transactions: int) -> int:
    """Average order value: omzet per paid order, in whole rupiah (rounded half up); 0 without
    orders."""
    if not transactions:
        return 0
    return (2 * omzet + transactions) // (2 * transactions)


@dataclass
class Money:
    """Sales, refunds (negative) and orders of one slice; omzet = sales + refunds."""

    sales: int = 0
    refunds: int = 0
    orders: int = 0
    quantity: int = 0

    @property
    def omzet(self) -> int:
        return self.sales + self.refunds

    def add(self, row: dict[str, Any]) -> None:
        self.sales += row["sales"] or 0
        self.refunds += row["refunds"] or 0
        self.orders += row["orders"] or 0
        self.quantity += row["quantity"] or 0


@dataclass
class Row:
    """One line of a breakdown table."""

    key: Any
    label: str
    money: Money = field(default_factory=Money)
    extra: dict[str, Any] = field(default_factory=dict)
    share: float = 0.0  # of the expo's omzet, 0..100 (for bars only, never summed)

    @property
    def omzet(self) -> int:
        return self.money.omzet

    @property
    def orders(self) -> int:
        return self.money.orders


@dataclass
class Totals:
    omzet: int = 0
    sales: int = 0
    refunds: int = 0  # negative or zero
    transactions: int = 0
    quantity: int = 0
    buyers: int = 0
    buyers_abroad: int = 0
    vendors_with_sales: int = 0
    booths: int = 0
    visits: int = 0

    @property
    def aov(self) -> int:
        return average_order(self.omzet, self.transactions)

    @property
    def conversion(self) -> float | None:
        """Paid orders per booth visit (unique visitor-day), in percent."""
        if not self.visits:
            return None
        return 100.0 * self.transactions / self.visits


@dataclass
class Deals:
    """Potential deals ("transaksi potensial"), apart from omzet."""

    count: int = 0
    value: int = 0
    verified_count: int = 0
    verified_value: int = 0
    pending_count: int = 0


@dataclass
class Dashboard:
    expo: Expo
    totals: Totals
    by_region: list[Row]
    by_sector: list[Row]
    by_size: list[Row]
    by_booth: list[Row]
    by_country: list[Row]
    by_channel: list[Row]
    live_sessions: list[Row]
    banners: list[Row]
    hourly: list[Row]
    daily: list[Row]
    deals: Deals

    @property
    def has_sales(self) -> bool:
        return bool(self.totals.sales)


# --- Queries ---------------------------------------------------------------------------------------


def _money() -> dict[str, Any]:
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
        .annotate(**_money())
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


def _buyer_key() -> Any:
    """Who bought, as one text: the account when there is one, else the e-mail address."""
    return Case(
        When(buyer_id__isnull=False, then=Concat(Value("u:"), Cast("buyer_id", CharField()))),
        default=Concat(Value("e:"), Lower("email")),
        output_field=CharField(),
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


# --- Assembling ------------------------------------------------------------------------------------


def _with_shares(rows: Iterable[Row], omzet: int) -> list[Row]:
    ordered = sorted(rows, key=lambda r: (-r.omzet, str(r.label).casefold()))
    top = max((r.omzet for r in ordered), default=0)
    for row in ordered:
        row.share = 100.0 * row.omzet / omzet if omzet > 0 else 0.0
        row.extra.setdefault("bar", 100.0 * max(row.omzet, 0) / top if top > 0 else 0.0)
    return ordered


def _timeline(hours: dict[datetime, Money], expo: Expo) -> tuple[list[Row], list[Row]]:
    """Hourly rows (every hour from the first to the last with entries, gaps as zero) and daily
    rows (every Jakarta day of the expo's time box and any day with entries)."""
    hourly: list[Row] = []
    if hours:
        first, last = min(hours), max(hours)
        moment = first
        while moment <= last:
            local = moment.astimezone(JAKARTA)
            hourly.append(Row(local, local.strftime("%d/%m %H:00"), hours.get(moment, Money())))
            moment += timedelta(hours=1)
    days: dict[date, Money] = {}
    start = expo.opens_at.astimezone(JAKARTA).date()
    end = (expo.closes_at - timedelta(microseconds=1)).astimezone(JAKARTA).date()
    if (end - start).days <= 62:
        day = start
        while day <= end:
            days[day] = Money()
            day += timedelta(days=1)
    for moment, money in hours.items():
        bucket = days.setdefault(moment.astimezone(JAKARTA).date(), Money())
        bucket.sales += money.sales
        bucket.refunds += money.refunds
        bucket.orders += money.orders
        bucket.quantity += money.quantity
    daily = [Row(day, day.strftime("%d/%m/%Y"), days[day]) for day in sorted(days)]
    return hourly, daily


def _hour_key(value: datetime) -> datetime:
    return value.astimezone(JAKARTA).replace(minute=0, second=0, microsecond=0)


def expo_dashboard(expo: Expo, *, with_names: bool = True) -> Dashboard:
    """Every figure of an expo's dashboard, in a fixed number of queries."""
    entries = ledger(expo)
    booth_data = booth_rows(entries)
    slice_data = slice_rows(entries)
    order_data = order_slices(expo)
    buyers, abroad, buyers_per_country = buyer_counts(expo)
    visits = visit_counts(expo)
    booths = {b.pk: b for b in Booth.objects.filter(expo=expo).select_related("vendor")}

    totals = Totals(booths=len(booths), visits=sum(visits.values()))
    per_booth: dict[int, Row] = {}
    regions: dict[int, Row] = {}
    sectors: dict[int, Row] = {}
    sizes: dict[str, Row] = {}
    for row in booth_data:
        booth = booths.get(row["booth_id"])
        label = booth.vendor.name if booth is not None else f"#{row['booth_id']}"
        target = per_booth.setdefault(row["booth_id"], Row(row["booth_id"], label))
        target.money.add(row)
        for bucket, key in (
            (regions, row["region_id"]),
            (sectors, row["sector_id"]),
            (sizes, row["size_class"]),
        ):
            item = bucket.setdefault(key, Row(key, ""))
            money = item.money
            money.sales += row["sales"] or 0
            money.refunds += row["refunds"] or 0
            money.quantity += row["quantity"] or 0
            if (row["sales"] or 0) > 0:
                item.extra.setdefault("booths", set()).add(row["booth_id"])
    for booth_id, booth in booths.items():
        item = per_booth.setdefault(booth_id, Row(booth_id, booth.vendor.name))
        item.extra["slug"] = booth.slug
        item.extra["vendor_slug"] = booth.vendor.slug
    for booth_id, item in per_booth.items():
        item.extra["visits"] = visits.get(booth_id, 0)
        item.extra["conversion"] = (
            100.0 * item.money.orders / item.extra["visits"] if item.extra["visits"] else None
        )

    countries: dict[str, Row] = {}
    channels: dict[str, Row] = {}
    sessions: dict[int, Row] = {}
    banners: dict[int, Row] = {}
    hours: dict[datetime, Money] = defaultdict(Money)
    for row in order_data:
        # Order counts come in rows of their own, shaped like the sums' rows.
        row["buyer_country"], row["sales"], row["refunds"], row["quantity"] = (
            row["country"],
            0,
            0,
            0,
        )
        row["attribution_label"] = ""
    for row in slice_data:
        row["orders"] = 0
    for row in (*slice_data, *order_data):
        totals.sales += row["sales"] or 0
        totals.refunds += row["refunds"] or 0
        totals.transactions += row["orders"] or 0
        totals.quantity += row["quantity"] or 0
        countries.setdefault(row["buyer_country"], Row(row["buyer_country"], "")).money.add(row)
        channels.setdefault(row["channel"], Row(row["channel"], "")).money.add(row)
        if row["channel"] == Channel.LIVE_SESSION and row["attribution_id"]:
            sessions.setdefault(row["attribution_id"], Row(row["attribution_id"], "")).money.add(
                row
            )
        elif row["channel"] == Channel.BANNER and row["attribution_id"]:
            # Named by the label written with the sale (the sums' rows come first).
            label = row["attribution_label"] or _("Banner #%(id)s") % {"id": row["attribution_id"]}
            banners.setdefault(row["attribution_id"], Row(row["attribution_id"], label)).money.add(
                row
            )
        if row["hour"] is not None:
            hours[_hour_key(row["hour"])].add(row)
    totals.omzet = totals.sales + totals.refunds
    totals.buyers, totals.buyers_abroad = buyers, abroad
    totals.vendors_with_sales = len(
        {
            booths[b].vendor_id if b in booths else b
            for b, item in per_booth.items()
            if item.money.sales > 0
        }
    )

    for code, item in countries.items():
        item.label = country_name(code) if code else "—"
        item.extra["buyers"] = buyers_per_country.get(code, 0)
    channel_labels = dict(Channel.choices)
    for code, item in channels.items():
        item.label = str(channel_labels.get(code, code))
    for key, item in sizes.items():
        item.label = str(SIZE_LABELS.get(key, key))
    if with_names:
        _name_regions_and_sectors(regions, sectors)
        _describe_sessions(expo, sessions)
        _banner_audience(expo, banners)
    for bucket in (regions, sectors, sizes):
        for item in bucket.values():
            item.extra["booths"] = len(item.extra.get("booths", ()))

    hourly, daily = _timeline(hours, expo)
    omzet = totals.omzet
    return Dashboard(
        expo=expo,
        totals=totals,
        by_region=_with_shares(regions.values(), omzet),
        by_sector=_with_shares(sectors.values(), omzet),
        by_size=_with_shares(sizes.values(), omzet),
        by_booth=_with_shares(per_booth.values(), omzet),
        by_country=_with_shares(countries.values(), omzet),
        by_channel=_with_shares(channels.values(), omzet),
        live_sessions=_with_shares(sessions.values(), omzet),
        banners=_with_shares(banners.values(), omzet),
        hourly=hourly,
        daily=daily,
        deals=deal_figures(expo),
    )


def _name_regions_and_sectors(regions: dict[int, Row], sectors: dict[int, Row]) -> None:
    for region in Region.objects.filter(pk__in=list(regions)):
        regions[region.pk].label = str(region)
    for sector in Sector.objects.filter(pk__in=list(sectors)):
        sectors[sector.pk].label = sector.name
    for bucket in (regions, sectors):
        for key, item in bucket.items():
            item.label = item.label or f"#{key}"


def _describe_sessions(expo: Expo, sessions: dict[int, Row]) -> None:
    """Every live session of the expo (with or without sales): its booth, time, chat activity
    and the viewers watching right now (presence is counted live, not stored)."""
    from events import hub

    for session in LiveSession.objects.filter(booth__expo=expo).select_related("booth__vendor"):
        item = sessions.setdefault(session.pk, Row(session.pk, ""))
        item.label = session.title
        item.extra.update(
            booth=session.booth.vendor.name,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            viewers_now=hub.online(session.room),
        )
    chat = (
        ChatMessage.objects.filter(expo=expo, room_kind="session", deleted_at__isnull=True)
        .values("room_id")
        .annotate(messages=Count("id"), chatters=Count("author_id", distinct=True))
        .order_by()
    )
    for row in chat:
        item = sessions.get(row["room_id"])
        if item is not None:
            item.extra.update(messages=row["messages"], chatters=row["chatters"])
    for key, item in sessions.items():
        item.label = item.label or _("Session #%(id)s") % {"id": key}
        item.extra.setdefault("messages", 0)
        item.extra.setdefault("chatters", 0)


def _banner_audience(expo: Expo, banners: dict[int, Row]) -> None:
    """Impressions and clicks of the expo's banners (rolled up per day by the banner promotions),
    the click-through rate and orders per click; omzet stays the ledger's attribution."""
    stats = (
        BannerDailyStat.objects.filter(campaign__expo=expo)
        .values("campaign_id", "campaign__title_en", "campaign__title_id")
        .annotate(impressions=Sum("impressions"), clicks=Sum("clicks"))
        .order_by()
    )
    for row in stats:
        key = row["campaign_id"]
        title = row["campaign__title_en"] or row["campaign__title_id"]
        item = banners.setdefault(key, Row(key, f"{title} (#{key})"))
        item.extra.update(impressions=row["impressions"] or 0, clicks=row["clicks"] or 0)
    for item in banners.values():
        impressions = item.extra.setdefault("impressions", 0)
        clicks = item.extra.setdefault("clicks", 0)
        item.extra["ctr"] = 100.0 * clicks / impressions if impressions else None
        item.extra["per_click"] = 100.0 * item.money.orders / clicks if clicks else None


# --- Comparison and vendors ------------------------------------------------------------------------


@dataclass
class ExpoSummary:
    expo: Expo
    omzet: int = 0
    transactions: int = 0
    buyers: int = 0
    buyers_abroad: int = 0
    booths: int = 0
    vendors_with_sales: int = 0
    deals_value: int = 0

    @property
    def aov(self) -> int:
        return average_order(self.omzet, self.transactions)


def office_comparison(expos: list[Expo]) -> list[ExpoSummary]:
    """Side-by-side figures of several expos (of one office) in four queries for any number."""
    ids = [e.pk for e in expos]
    summaries = {e.pk: ExpoSummary(e) for e in expos}
    for row in (
        SalesLedgerEntry.objects.filter(expo_id__in=ids)
        .values("expo_id")
        .annotate(
            omzet=Coalesce(Sum("amount"), 0),
            transactions=Count("order_id", distinct=True, filter=Q(kind=SALE)),
            vendors=Count("vendor_id", distinct=True, filter=Q(kind=SALE)),
        )
        .order_by()
    ):
        s = summaries[row["expo_id"]]
        s.omzet, s.transactions, s.vendors_with_sales = (
            row["omzet"],
            row["transactions"],
            row["vendors"],
        )
    for row in (
        Order.objects.filter(expo_id__in=ids, ledger__kind=SALE)
        .annotate(buyer_key=_buyer_key())
        .values("expo_id")
        .annotate(
            buyers=Count("buyer_key", distinct=True),
            abroad=Count("buyer_key", distinct=True, filter=~Q(country=HOME_COUNTRY)),
        )
        .order_by()
    ):
        summaries[row["expo_id"]].buyers = row["buyers"]
        summaries[row["expo_id"]].buyers_abroad = row["abroad"]
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
    omzet: int = 0
    sales: int = 0
    refunds: int = 0
    orders: int = 0
    quantity: int = 0
    visits: int = 0
    deals_value: int = 0

    @property
    def conversion(self) -> float | None:
        return 100.0 * self.orders / self.visits if self.visits else None


def vendor_figures(vendor: Vendor) -> list[VendorExpoFigures]:
    """A vendor's own omzet, orders, visits and conversion per expo it has a booth at (four
    queries for any number of expos). Never another vendor's."""
    booths = list(
        Booth.objects.filter(vendor=vendor).select_related("expo").order_by("-expo__opens_at")
    )
    rows = {b.expo_id: VendorExpoFigures(expo=b.expo, booth=b) for b in booths}
    for row in (
        SalesLedgerEntry.objects.filter(vendor=vendor)
        .values("expo_id")
        .annotate(**_money())
        .order_by()
    ):
        item = rows.get(row["expo_id"])
        if item is None:
            continue
        item.sales = row["sales"] or 0
        item.refunds = row["refunds"] or 0
        item.omzet = item.sales + item.refunds
        item.orders = row["orders"] or 0
        item.quantity = row["quantity"] or 0
    for row in (
        BoothVisit.objects.filter(booth__vendor=vendor)
        .values("booth__expo_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        if row["booth__expo_id"] in rows:
            rows[row["booth__expo_id"]].visits = row["n"]
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
    return [rows[b.expo_id] for b in booths]
