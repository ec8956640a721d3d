"""Reads of the banner promotions: the serving pool and its weighted rotation, lists, single
campaigns and fees for the workspace pages, the forms' choices, reports.

Serving: the pages only hold an empty placeholder per slot (they are cached, whole or in parts, so
a banner baked into them would be shown to everybody for minutes). The browser asks
``banners:serve`` for the slot; that view takes the slot's *pool* — the campaigns that may run now,
as plain dicts — from the cache (rebuilt at most once a minute, or when a campaign changes, with a
fixed two queries) and draws the banners for this visitor with :func:`choose`. No database query
on a warm cache, and no write.
"""

from __future__ import annotations

import random
import zoneinfo
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from booths.models import Booth, Product, Vendor
from events.models import LiveSession
from expo import timebox
from expo.banners.models import (
    BannerCampaign,
    BannerDailyStat,
    BannerFee,
    BannerImpression,
    BannerSlot,
)
from expo.banners.services import local_day, pool_version
from expo.models import Expo
from payments.models import Channel, SalesLedgerEntry

POOL_SECONDS = 60


def _serving(expo: Expo, slot_code: str, today: date) -> QuerySet[BannerCampaign]:
    return BannerCampaign.objects.filter(
        expo=expo,
        slot__code=slot_code,
        status__in=BannerCampaign.SERVED_STATUSES,
        starts_on__lte=today,
        ends_on__gte=today,
    )


def serving_campaigns(
    *, expo: Expo, slot_code: str, sector: str = "", today: date | None = None
) -> list[BannerCampaign]:
    """Campaigns that may show in the slot today: approved (or priced and paid), inside their
    dates, at an expo whose hall is public; for the sector slot, of that sector only."""
    if not timebox.allows(expo, timebox.Action.VIEW_HALL):
        return []
    today = today or local_day(timezone.now())
    campaigns = _serving(expo, slot_code, today).select_related("sector", "slot")
    if slot_code == BannerSlot.Code.SECTOR_TOP:
        campaigns = campaigns.filter(sector__slug=sector) if sector else campaigns.none()
    return list(campaigns.order_by("pk"))


def _pool_entry(campaign: BannerCampaign) -> dict[str, Any]:
    image = campaign.image
    return {
        "id": campaign.pk,
        "weight": campaign.weight,
        "image": image.url if image else "",
        "alt": campaign.title,
        "width": campaign.slot.width,
        "height": campaign.slot.height,
        "href": reverse("banners:click", args=[campaign.pk]),
        "house": campaign.vendor_id is None,
        "booth": campaign.booth_id,
    }


def serving_pool(*, expo_slug: str, slot_code: str, sector: str = "") -> list[dict[str, Any]]:
    """The slot's pool for the active language, cached (a campaign's change starts a new version)."""
    today = local_day(timezone.now())
    key = ":".join(
        [
            "banners:pool",
            str(pool_version()),
            expo_slug,
            slot_code,
            sector[:60],
            get_language() or "",
            today.isoformat(),
        ]
    )
    pool = cache.get(key)
    if pool is None:
        expo = Expo.objects.filter(slug=expo_slug).first()
        campaigns = (
            serving_campaigns(expo=expo, slot_code=slot_code, sector=sector, today=today)
            if expo is not None
            else []
        )
        pool = [_pool_entry(c) for c in campaigns]
        cache.set(key, pool, POOL_SECONDS)
    return pool


def choose(pool: list[dict[str, Any]], count: int, rng: random.Random | None = None) -> list[dict]:
    """Draw up to ``count`` different banners, each draw weighted by the campaigns' weights, so
    over many visitors each campaign is shown in proportion to its weight."""
    rng = rng or random
    left = [entry for entry in pool if entry.get("weight", 0) > 0]
    chosen: list[dict[str, Any]] = []
    while left and len(chosen) < count:
        total = sum(entry["weight"] for entry in left)
        point = rng.random() * total
        picked = len(left) - 1  # rounding may leave a sliver past the last one
        for position, entry in enumerate(left):
            point -= entry["weight"]
            if point < 0:
                picked = position
                break
        chosen.append(left.pop(picked))
    return chosen


def slot_for(code: str) -> BannerSlot | None:
    """The slot (cached an hour: the five slots change only by migration)."""
    key = f"banners:slot:{code}"
    slot = cache.get(key)
    if slot is None:
        slot = BannerSlot.objects.filter(code=code).first()
        if slot is not None:
            cache.set(key, slot, 3600)
    return slot


# --- Lists ----------------------------------------------------------------------------------------


def _ledger(campaign_ref: Any) -> QuerySet[SalesLedgerEntry]:
    return SalesLedgerEntry.objects.filter(
        channel=Channel.BANNER, attribution_id=campaign_ref, expo_id=OuterRef("expo_id")
    )


def with_totals(campaigns: QuerySet[BannerCampaign]) -> QuerySet[BannerCampaign]:
    """Each campaign with its running figures, in a fixed number of queries however many."""
    stats = BannerDailyStat.objects.filter(campaign=OuterRef("pk")).values("campaign")
    omzet = _ledger(OuterRef("pk")).values("attribution_id").annotate(s=Sum("amount")).values("s")
    orders = (
        _ledger(OuterRef("pk"))
        .filter(kind=SalesLedgerEntry.Kind.SALE)
        .values("attribution_id")
        .annotate(n=Count("order", distinct=True))
        .values("n")
    )
    return campaigns.select_related("slot", "vendor", "booth__vendor", "fee").annotate(
        total_impressions=Coalesce(
            Subquery(stats.annotate(n=Sum("impressions")).values("n")[:1]), 0
        ),
        total_clicks=Coalesce(Subquery(stats.annotate(n=Sum("clicks")).values("n")[:1]), 0),
        total_orders=Coalesce(Subquery(orders[:1]), 0),
        total_omzet=Coalesce(Subquery(omzet[:1]), 0),
    )


def vendor_campaigns(*, vendor_id: int) -> QuerySet[BannerCampaign]:
    return with_totals(
        BannerCampaign.objects.filter(vendor_id=vendor_id).select_related("expo")
    ).order_by("-created_at", "-pk")


def expo_campaigns(*, expo: Expo, status: str = "") -> QuerySet[BannerCampaign]:
    campaigns = BannerCampaign.objects.filter(expo=expo)
    if status:
        campaigns = campaigns.filter(status=status)
    return with_totals(campaigns).order_by("-created_at", "-pk")


def expo_status_counts(*, expo: Expo) -> dict[str, int]:
    return dict(
        BannerCampaign.objects.filter(expo=expo)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )


def expo_fee_totals(*, expo: Expo) -> dict[str, int]:
    """The organiser's banner income, apart from any omzet: paid and still awaited."""
    rows = dict(
        BannerFee.objects.filter(expo=expo)
        .values_list("status")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    return {
        "paid": rows.get(BannerFee.Status.PAID, 0) or 0,
        "pending": rows.get(BannerFee.Status.PENDING, 0) or 0,
    }


# --- Single campaigns and fees ----------------------------------------------------------------------


def served_campaign(*, campaign_id: int) -> BannerCampaign | None:
    """A campaign a click may go through (one that may run), with what its target's URL needs."""
    return (
        BannerCampaign.objects.filter(pk=campaign_id, status__in=BannerCampaign.SERVED_STATUSES)
        .select_related("expo", "booth", "product")
        .first()
    )


def vendor_campaign(*, vendor: Vendor, campaign_id: int) -> BannerCampaign | None:
    """One of the vendor's own campaigns (another vendor's is ``None``), for its page."""
    return (
        BannerCampaign.objects.select_related("expo", "slot", "booth__vendor", "product")
        .filter(pk=campaign_id, vendor=vendor)
        .first()
    )


def expo_campaign(*, expo: Expo, campaign_id: int) -> BannerCampaign | None:
    """A campaign of this expo (another expo's is ``None``), for the organiser's pages."""
    campaign = (
        BannerCampaign.objects.select_related("slot", "vendor", "booth__vendor", "product")
        .filter(pk=campaign_id, expo=expo)
        .first()
    )
    if campaign is not None:
        campaign.expo = expo  # already read, with its office
    return campaign


def campaign_fee(*, campaign: BannerCampaign) -> BannerFee | None:
    """The campaign's fee, once it was priced."""
    return BannerFee.objects.filter(campaign=campaign).first()


def expo_fee(*, expo: Expo, fee_id: int) -> BannerFee | None:
    """A banner fee of this expo (another expo's is ``None``), with its campaign."""
    fee = BannerFee.objects.select_related("campaign").filter(pk=fee_id, expo=expo).first()
    if fee is not None:
        fee.expo = expo
    return fee


def expo_pending_fees(*, expo: Expo) -> list[BannerFee]:
    """The fees still waiting for the vendor's payment, for the organiser's fee desk."""
    return list(
        BannerFee.objects.filter(expo=expo, status=BannerFee.Status.PENDING).select_related(
            "campaign__vendor"
        )
    )


# --- The forms' choices ------------------------------------------------------------------------------


def all_slots() -> QuerySet[BannerSlot]:
    """The five slots, in their order."""
    return BannerSlot.objects.all()


def vendor_link_choices(*, vendor: Vendor) -> dict[str, QuerySet]:
    """What a vendor's banner may link to: its booths at expos whose catalogue may still change,
    its active products and its live sessions (keyword arguments of the banner form)."""
    booths = (
        Booth.objects.filter(vendor=vendor)
        .select_related("expo", "vendor")
        .order_by("-expo__opens_at")
    )
    bookable = [b.pk for b in booths if timebox.allows(b.expo, timebox.Action.EDIT_CATALOGUE)]
    return {
        "booths": Booth.objects.filter(pk__in=bookable).select_related("expo", "vendor"),
        "products": Product.objects.filter(booth__vendor=vendor, is_active=True)
        .select_related("booth__vendor")
        .order_by("name_en"),
        "sessions": LiveSession.objects.filter(booth__vendor=vendor)
        .select_related("booth__vendor")
        .order_by("starts_at"),
    }


def expo_link_choices(*, expo: Expo) -> dict[str, QuerySet]:
    """What the organiser's own banner may link to: any booth, active product or live session of
    the expo (keyword arguments of the banner form)."""
    return {
        "booths": Booth.objects.filter(expo=expo).select_related("vendor").order_by("vendor__name"),
        "products": Product.objects.filter(booth__expo=expo, is_active=True)
        .select_related("booth__vendor")
        .order_by("name_en"),
        "sessions": LiveSession.objects.filter(booth__expo=expo)
        .select_related("booth__vendor")
        .order_by("starts_at"),
    }


# --- Reports ----------------------------------------------------------------------------------------


@dataclass
class ReportDay:
    day: date
    impressions: int = 0
    unique_viewers: int = 0
    clicks: int = 0
    orders: int = 0
    omzet: int = 0

    @property
    def ctr(self) -> float | None:
        """Clicks per impression, in per cent (None with no impressions)."""
        return round(100 * self.clicks / self.impressions, 2) if self.impressions else None


@dataclass
class CampaignReport:
    campaign: BannerCampaign
    days: list[ReportDay] = field(default_factory=list)
    impressions: int = 0
    unique_viewers: int = 0
    clicks: int = 0
    orders: int = 0
    omzet: int = 0

    @property
    def ctr(self) -> float | None:
        return round(100 * self.clicks / self.impressions, 2) if self.impressions else None

    @property
    def peak_impressions(self) -> int:
        return max((d.impressions for d in self.days), default=0)


def campaign_report(*, campaign: BannerCampaign) -> CampaignReport:
    """Per day: impressions, unique viewers, clicks, CTR, attributed orders and omzet (sales minus
    refunds of orders placed after a click on this banner, from the sales ledger)."""
    days: dict[date, ReportDay] = {}
    for stat in BannerDailyStat.objects.filter(campaign=campaign).order_by("day"):
        days[stat.day] = ReportDay(
            day=stat.day,
            impressions=stat.impressions,
            unique_viewers=stat.unique_viewers,
            clicks=stat.clicks,
        )
    ledger = SalesLedgerEntry.objects.filter(
        expo_id=campaign.expo_id, channel=Channel.BANNER, attribution_id=campaign.pk
    )
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    for row in (
        ledger.annotate(on=TruncDate("occurred_at", tzinfo=zone))
        .values("on")
        .annotate(omzet=Sum("amount"))
        .order_by()
    ):
        days.setdefault(row["on"], ReportDay(day=row["on"])).omzet = row["omzet"] or 0
    for row in (
        ledger.filter(kind=SalesLedgerEntry.Kind.SALE)
        .annotate(on=TruncDate("occurred_at", tzinfo=zone))
        .values("on")
        .annotate(n=Count("order", distinct=True))
        .order_by()
    ):
        days.setdefault(row["on"], ReportDay(day=row["on"])).orders = row["n"]
    report = CampaignReport(campaign=campaign, days=[days[d] for d in sorted(days)])
    report.impressions = sum(d.impressions for d in report.days)
    report.clicks = sum(d.clicks for d in report.days)
    report.omzet = sum(d.omzet for d in report.days)
    report.orders = (
        ledger.filter(kind=SalesLedgerEntry.Kind.SALE).values("order").distinct().count()
    )
    report.unique_viewers = (
        BannerImpression.objects.filter(campaign=campaign).values("visitor").distinct().count()
    )
    return report


def campaign_target_url(campaign: BannerCampaign) -> str:
    """Where a click on the banner goes."""
    expo_slug = campaign.expo.slug
    if campaign.target == BannerCampaign.Target.PRODUCT and campaign.product_id:
        return reverse(
            "booths:product", args=[expo_slug, campaign.booth.slug, campaign.product.slug]
        )
    if campaign.target == BannerCampaign.Target.SESSION and campaign.session_id:
        return reverse("events:session", args=[expo_slug, campaign.session_id])
    return reverse("booths:booth", args=[expo_slug, campaign.booth.slug])
