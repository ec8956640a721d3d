"""Counting impressions and clicks, honestly: bots count nothing, a page can only count banners it
was served (a signed impression token per visitor), and a visitor counts once per banner per hour.

Counting stays off the request path's database: the beacon and the click redirect add
``(kind, campaign, hour, day, visitor)`` to an in-process buffer (a set, so repeats in the same
process cost nothing), and a background thread writes it every few seconds in one batched insert
that ignores rows already there — one row per visitor per banner per hour, even across several
Daphne processes — then rolls the touched days up into :class:`BannerDailyStat`. This is the
pattern of :mod:`booths.visits`; :func:`flush` writes at once (tests, shutdown).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import zoneinfo
from datetime import date, datetime

from django.conf import settings
from django.core import signing
from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from booths import visits
from expo import permissions
from expo.banners.models import BannerCampaign, BannerClick, BannerDailyStat, BannerImpression
from payments import attribution
from payments.models import Channel

VISITOR_COOKIE = "umkm_bv"
VISITOR_COOKIE_AGE = 365 * 24 * 3600
TOKEN_SALT = "expo.banners.impression"
TOKEN_MAX_AGE = 2 * 3600
MAX_BUFFER = 50_000

# Known crawlers and scripts (a lower-case substring of the User-Agent is enough). An empty agent
# is no browser either. Headless Chromium is left out on purpose: real people use it rarely, but
# it is what the site's own browser tests drive.
BOT_MARKERS = (
    "bot",
    "crawl",
    "spider",
    "slurp",
    "facebookexternalhit",
    "embedly",
    "preview",
    "lighthouse",
    "pingdom",
    "curl/",
    "wget/",
    "python-requests",
    "python-urllib",
    "httpclient",
    "okhttp",
    "go-http-client",
    "scrapy",
)


def is_bot(user_agent: str) -> bool:
    """No browser: a known crawler or script, or no User-Agent at all."""
    agent = (user_agent or "").strip().lower()
    return not agent or any(marker in agent for marker in BOT_MARKERS)


# --- Visitors and impression tokens ----------------------------------------------------------------


def _hash(raw: str) -> str:
    return hashlib.blake2b(
        raw.encode(), digest_size=12, key=settings.SECRET_KEY.encode()[:64]
    ).hexdigest()


def new_visitor_cookie() -> str:
    """A new value for the visitor cookie (random, unguessable)."""
    return secrets.token_urlsafe(16)


def visitor_id(request: HttpRequest, *, cookie: str | None = None) -> str:
    """Who is looking, for de-duplication: the account when signed in, else the banner cookie
    (set by the serving endpoint, so it survives a session starting at the click), else what
    :func:`booths.visits.visitor_key` falls back to (session, or address and agent)."""
    if permissions.is_authenticated(request.user):
        return visits.visitor_key(request)
    value = cookie or request.COOKIES.get(VISITOR_COOKIE, "")
    if 10 <= len(value) <= 64:
        return _hash(f"c:{value}")
    return visits.visitor_key(request)


def impression_token(*, campaign_id: int, visitor: str) -> str:
    """A signed note that this banner was served to this visitor: the beacon must bring it back,
    so a page cannot count banners it was never shown, nor for somebody else."""
    return signing.dumps([campaign_id, visitor], salt=TOKEN_SALT, compress=False)


def read_impression_token(token: str, *, visitor: str) -> int | None:
    """The campaign a token was signed for, if it is genuine, fresh and this visitor's."""
    try:
        campaign_id, owner = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if owner != visitor or not isinstance(campaign_id, int) or isinstance(campaign_id, bool):
        return None
    return campaign_id


# --- The counters' buffer --------------------------------------------------------------------------

_lock = threading.Lock()
_buffer: set[tuple[str, int, datetime, date, str]] = set()


def _hour_and_day(now: datetime | None = None) -> tuple[datetime, date]:
    now = now or timezone.now()
    hour = now.replace(minute=0, second=0, microsecond=0)
    return hour, hour.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()


def _buffer_add(kind: str, campaign_ids: list[int], visitor: str) -> None:
    hour, day = _hour_and_day()
    with _lock:
        for campaign_id in campaign_ids:
            if len(_buffer) < MAX_BUFFER:
                _buffer.add((kind, campaign_id, hour, day, visitor))
    _flusher.ensure_running()


def impressions_record(*, request: HttpRequest, tokens: list[str]) -> int:
    """Buffer the impressions a page's beacon reported; returns how many were accepted. Bots,
    forged or foreign tokens count nothing."""
    if is_bot(request.META.get("HTTP_USER_AGENT", "")):
        return 0
    visitor = visitor_id(request)
    ids = sorted(
        {i for t in tokens[:50] if (i := read_impression_token(t, visitor=visitor)) is not None}
    )
    if ids:
        _buffer_add("impression", ids, visitor)
    return len(ids)


def click_record(*, request: HttpRequest, campaign: BannerCampaign) -> None:
    """Count a click (once per visitor per hour; bots not) and remember the banner for the order
    the visitor may place next (payments' attribution, last touch wins)."""
    attribution.remember(
        request.session,
        channel=Channel.BANNER,
        id=campaign.pk,
        label=campaign.label,
        expo_id=campaign.expo_id,
    )
    if not is_bot(request.META.get("HTTP_USER_AGENT", "")):
        _buffer_add("click", [campaign.pk], visitor_id(request))


def flush() -> int:
    """Write the buffered impressions and clicks and roll up the days they touched; returns how
    many entries were taken from the buffer."""
    with _lock:
        taken = list(_buffer)
        _buffer.clear()
    if not taken:
        return 0
    existing = set(
        BannerCampaign.objects.filter(pk__in={c for _k, c, _h, _d, _v in taken}).values_list(
            "pk", flat=True
        )
    )
    taken = [row for row in taken if row[1] in existing]
    impressions = [
        BannerImpression(campaign_id=c, hour=h, day=d, visitor=v)
        for k, c, h, d, v in taken
        if k == "impression"
    ]
    clicks = [
        BannerClick(campaign_id=c, hour=h, day=d, visitor=v)
        for k, c, h, d, v in taken
        if k == "click"
    ]
    BannerImpression.objects.bulk_create(impressions, ignore_conflicts=True, batch_size=500)
    BannerClick.objects.bulk_create(clicks, ignore_conflicts=True, batch_size=500)
    stats_rollup(pairs={(c, d) for _k, c, _h, d, _v in taken})
    return len(taken)


def stats_rollup(*, pairs: set[tuple[int, date]]) -> None:
    """Recount the daily rows of these (campaign, day) pairs from the impression and click rows
    (a recount, not an increment, so a repeated flush never counts twice)."""
    if not pairs:
        return
    campaign_ids = {c for c, _d in pairs}
    days = {d for _c, d in pairs}
    seen = {
        (row["campaign_id"], row["day"]): row
        for row in BannerImpression.objects.filter(campaign_id__in=campaign_ids, day__in=days)
        .values("campaign_id", "day")
        .annotate(n=models.Count("id"), people=models.Count("visitor", distinct=True))
        .order_by()
    }
    clicked = {
        (row["campaign_id"], row["day"]): row["n"]
        for row in BannerClick.objects.filter(campaign_id__in=campaign_ids, day__in=days)
        .values("campaign_id", "day")
        .annotate(n=models.Count("id"))
        .order_by()
    }
    rows = [
        BannerDailyStat(
            campaign_id=c,
            day=d,
            impressions=seen.get((c, d), {}).get("n", 0),
            unique_viewers=seen.get((c, d), {}).get("people", 0),
            clicks=clicked.get((c, d), 0),
        )
        for c, d in pairs
    ]
    BannerDailyStat.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["campaign", "day"],
        update_fields=["impressions", "unique_viewers", "clicks"],
        batch_size=500,
    )


_flusher = visits.Flusher(
    lambda: flush(), name="banner-flusher", what="banner impressions and clicks"
)
