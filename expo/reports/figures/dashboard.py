"""One expo's dashboard, assembled from the aggregate queries of
:mod:`expo.reports.figures.queries`: totals, the breakdowns per regency, sector, size class, booth,
buyer country, channel, live session and banner, and the hourly and daily timelines."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from booths.models import Booth, Vendor
from events.models import LiveSession, SessionChat
from expo.banners.models import BannerDailyStat
from expo.countries import country_name
from expo.models import Expo, Region, Sector
from expo.reports.figures.channels import EXPO_CHANNELS, MALL, channel_split
from expo.reports.figures.conversion import expo_conversion
from expo.reports.figures.meetings import with_meeting_deals
from expo.reports.figures.queries import (
    JAKARTA,
    booth_rows,
    buyer_counts,
    deal_figures,
    hour_rows,
    origin_rows,
    visit_counts,
)
from expo.reports.figures.rows import Conversion, Dashboard, Money, Row, Totals
from payments.models import Channel

SIZE_LABELS = dict(Vendor.SizeClass.choices)


def expo_dashboard(expo: Expo, *, with_names: bool = True) -> Dashboard:
    """Every figure of an expo's dashboard, its own (the mall's sales only in ``split`` and
    ``by_channel``), in a fixed number of queries (see the package's docstring; long because it
    assembles every section); ``with_names=False`` leaves out the queries that only name rows."""
    booth_data = booth_rows(expo, channels=EXPO_CHANNELS)
    origin_data = origin_rows(expo)
    hour_data = [row for row in hour_rows(expo) if row["channel"] != MALL]
    buyers, abroad, buyers_per_country = buyer_counts(expo)
    visits = visit_counts(expo)
    reach, expo_reach = expo_conversion(expo.pk)
    booths = {b.pk: b for b in Booth.objects.filter(expo=expo).select_related("vendor")}

    totals = Totals(booths=len(booths), visits=sum(visits.values()), reach=expo_reach)
    per_booth, regions, sectors, sizes = _booth_breakdowns(booth_data, booths, visits, reach)
    countries, channels, sessions, banners = _origin_breakdowns(origin_data, totals)
    hours: dict[datetime, Money] = defaultdict(Money)
    for row in hour_data:
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
        deals=with_meeting_deals(deal_figures(expo), expo),  # deals agreed in meetings too
        split=channel_split(expo, origin=origin_data),
    )


def _booth_breakdowns(
    booth_data: list[dict[str, Any]],
    booths: dict[int, Booth],
    visits: dict[int, int],
    reach: dict[int, Conversion],
) -> tuple[dict[int, Row], dict[int, Row], dict[int, Row], dict[str, Row]]:
    """Rows per booth (every booth of the expo, with or without sales, with its visits, visitors,
    buyers and conversion) and per regency, sector and size class (with the booths that sold in
    each)."""
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
        booth_reach = reach.get(booth_id, Conversion())
        item.extra["visits"] = visits.get(booth_id, 0)
        item.extra["visitors"] = booth_reach.visitors
        item.extra["buyers"] = booth_reach.buyers
        item.extra["conversion"] = booth_reach.rate
    return per_booth, regions, sectors, sizes


def _origin_breakdowns(
    origin_data: list[dict[str, Any]], totals: Totals
) -> tuple[dict[str, Row], dict[str, Row], dict[int, Row], dict[int, Row]]:
    """Rows per buyer country, channel, live session and banner from the rollup per origin (each
    paid order counted once, in the slice of its first sale); adds the money to ``totals``."""
    countries: dict[str, Row] = {}
    channels: dict[str, Row] = {}
    sessions: dict[int, Row] = {}
    banners: dict[int, Row] = {}
    for row in origin_data:
        channels.setdefault(row["channel"], Row(row["channel"], "")).money.add(row)
        if row["channel"] == MALL:
            continue  # the mall's sales: their own row above, never in the expo's figures
        totals.sales += row["sales"] or 0
        totals.refunds += row["refunds"] or 0
        totals.transactions += row["orders"] or 0
        totals.quantity += row["quantity"] or 0
        countries.setdefault(row["buyer_country"], Row(row["buyer_country"], "")).money.add(row)
        if row["channel"] == Channel.LIVE_SESSION and row["attribution_id"]:
            sessions.setdefault(row["attribution_id"], Row(row["attribution_id"], "")).money.add(
                row
            )
        elif row["channel"] == Channel.BANNER and row["attribution_id"]:
            # Named by the label written with the sale.
            label = row["attribution_label"] or _("Banner #%(id)s") % {"id": row["attribution_id"]}
            banners.setdefault(row["attribution_id"], Row(row["attribution_id"], label)).money.add(
                row
            )
    return countries, channels, sessions, banners


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
    from events import presence

    for session in LiveSession.objects.filter(booth__expo=expo).select_related("booth__vendor"):
        item = sessions.setdefault(session.pk, Row(session.pk, ""))
        item.label = session.title
        item.extra.update(
            booth=session.booth.vendor.name,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            viewers_now=presence.online(session.room),
        )
    # Messages still shown and the distinct accounts who wrote them, counted as they are written
    # (events.chat_counting): one row per session, whatever the number of messages.
    chat = SessionChat.objects.filter(expo=expo).values_list("session_id", "messages", "chatters")
    for session_id, messages, chatters in chat.order_by():
        item = sessions.get(session_id)
        if item is not None:
            item.extra.update(messages=messages, chatters=chatters)
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
