"""Writes of the banner promotions: requests and decisions, fees, the organiser's own banners, and
the impression and click counters.

Counting stays off the request path's database: the beacon and the click redirect add
``(kind, campaign, hour, day, visitor)`` to an in-process buffer (a set, so repeats in the same
process cost nothing), and a background thread writes it every few seconds in one batched insert
that ignores rows already there — one row per visitor per banner per hour, even across several
Daphne processes — then rolls the touched days up into :class:`BannerDailyStat`. This is the
pattern of :mod:`booths.visits`; :func:`flush` writes at once (tests, shutdown).
"""

from __future__ import annotations

import hashlib
import io
import logging
import secrets
import threading
import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from booths import images, visits
from booths.models import Booth, Product, Vendor
from events.models import LiveSession
from expo import permissions, timebox
from expo.banners.models import (
    BannerCampaign,
    BannerClick,
    BannerDailyStat,
    BannerFee,
    BannerImpression,
    BannerSlot,
)
from expo.models import Expo, ExpoState, User
from expo.services import audit_log
from payments import attribution
from payments import hooks as pay_hooks
from payments import selectors as pay_selectors
from payments import services as pay_services
from payments.models import Channel, Charge, CollectingAccount

logger = logging.getLogger(__name__)

MAX_BANNER_BYTES = 3 * 1024 * 1024
# An upload may differ this much from the slot's shape; it is then cropped to it exactly.
ASPECT_TOLERANCE = 0.1
MAX_WEIGHT = 100
MAX_PRICE = 1_000_000_000
# The checkout's name for what a banner's fee is (payments.Charge.purpose).
FEE_PURPOSE = "banner_fee"
VISITOR_COOKIE = "umkm_bv"
VISITOR_COOKIE_AGE = 365 * 24 * 3600
TOKEN_SALT = "expo.banners.impression"
TOKEN_MAX_AGE = 2 * 3600
MAX_BUFFER = 50_000
POOL_VERSION_KEY = "banners:pool-version"

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
    agent = (user_agent or "").strip().lower()
    return not agent or any(marker in agent for marker in BOT_MARKERS)


# --- Visitors and impression tokens ----------------------------------------------------------------


def _hash(raw: str) -> str:
    return hashlib.blake2b(
        raw.encode(), digest_size=12, key=settings.SECRET_KEY.encode()[:64]
    ).hexdigest()


def new_visitor_cookie() -> str:
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


# --- The serving pool's version --------------------------------------------------------------------


def pool_version() -> int:
    return cache.get_or_set(POOL_VERSION_KEY, 1, None) or 1


def _pool_changed() -> None:
    """Serving pools are cached: a campaign's change starts a new version of them all."""

    def bump() -> None:
        try:
            cache.incr(POOL_VERSION_KEY)
        except ValueError:
            cache.set(POOL_VERSION_KEY, 2, None)

    transaction.on_commit(bump)


# --- Checks shared by the requests and the organiser's banners -------------------------------------


def local_day(moment: datetime) -> date:
    return moment.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()


def expo_days(expo: Expo) -> tuple[date, date]:
    """The first and last day (Asia/Jakarta) a banner of this expo may run."""
    return local_day(expo.opens_at), local_day(expo.closes_at - timedelta(microseconds=1))


def banner_image(upload: UploadedFile, *, slot: BannerSlot, field: str) -> ContentFile:
    """Check an upload against the slot (a real raster image, at most 3 MB, the slot's shape and
    at least half its size) and re-encode it at exactly the slot's size."""
    size = getattr(upload, "size", 0) or 0
    if size > MAX_BANNER_BYTES:
        raise ValidationError(
            {
                field: _("The image is too large (%(size)s MB); the limit is %(limit)s MB.")
                % {"size": round(size / 1024 / 1024, 1), "limit": MAX_BANNER_BYTES // 1024 // 1024}
            }
        )
    try:
        image = images.validate_image(upload)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error
    image = ImageOps.exif_transpose(image)
    wanted = slot.width / slot.height
    ratio = image.width / image.height
    if abs(ratio - wanted) / wanted > ASPECT_TOLERANCE or image.width < slot.width // 2:
        raise ValidationError(
            {
                field: _(
                    "This slot needs an image of %(width)s × %(height)s pixels (or the same shape, "
                    "at least half as large); yours is %(w)s × %(h)s."
                )
                % {"width": slot.width, "height": slot.height, "w": image.width, "h": image.height}
            }
        )
    fitted = ImageOps.fit(image.convert("RGB"), (slot.width, slot.height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    fitted.save(out, format="JPEG", quality=86, optimize=True, progressive=True)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


@dataclass(frozen=True)
class BannerTarget:
    """What a banner links to, checked to belong to the expo (and to the vendor, for requests)."""

    kind: str
    booth: Booth
    product: Product | None = None
    session: LiveSession | None = None


def banner_target(
    *,
    expo: Expo,
    kind: str,
    booth: Booth | None = None,
    product: Product | None = None,
    session: LiveSession | None = None,
    vendor: Vendor | None = None,
) -> BannerTarget:
    """Resolve and check a target; raises ValidationError with a field-named message."""
    if kind == BannerCampaign.Target.PRODUCT:
        if product is None:
            raise ValidationError({"product": _("Choose the product the banner links to.")})
        booth = product.booth
    elif kind == BannerCampaign.Target.SESSION:
        if session is None:
            raise ValidationError({"session": _("Choose the live session the banner links to.")})
        booth = session.booth
    elif kind != BannerCampaign.Target.BOOTH:
        raise ValidationError({"target": _("Choose what the banner links to.")})
    if booth is None:
        raise ValidationError({"booth": _("Choose the booth the banner links to.")})
    if booth.expo_id != expo.pk:
        raise ValidationError({"booth": _("That booth is not at this expo.")})
    if vendor is not None and booth.vendor_id != vendor.pk:
        raise ValidationError({"booth": _("A banner can only link to your own booth.")})
    return BannerTarget(
        kind=kind,
        booth=booth,
        product=product if kind == BannerCampaign.Target.PRODUCT else None,
        session=session if kind == BannerCampaign.Target.SESSION else None,
    )


def _check_dates(expo: Expo, starts_on: date | None, ends_on: date | None) -> None:
    first, last = expo_days(expo)
    if starts_on is None or ends_on is None:
        raise ValidationError({"starts_on": _("Give the banner's first and last day.")})
    if starts_on > ends_on:
        raise ValidationError({"ends_on": _("The last day must be on or after the first day.")})
    if starts_on < first or ends_on > last:
        raise ValidationError(
            {
                "starts_on": _("A banner runs inside the expo: between %(first)s and %(last)s.")
                % {"first": first.isoformat(), "last": last.isoformat()}
            }
        )


def _check_weight(weight: int) -> None:
    if not 1 <= weight <= MAX_WEIGHT:
        raise ValidationError(
            {"weight": _("The weight is a whole number from 1 to %(max)s.") % {"max": MAX_WEIGHT}}
        )


def _require_manage(expo: Expo, by: User) -> None:
    permissions.require(permissions.can_manage_office(by, expo.office_id))


def _require_not_closed(expo: Expo) -> None:
    if expo.state == ExpoState.CLOSED:
        raise ValidationError(_("This expo has closed; its banners can no longer be changed."))


def _new_campaign(
    *,
    expo: Expo,
    slot: BannerSlot,
    vendor: Vendor | None,
    target: BannerTarget,
    title_en: str,
    title_id: str,
    image_en: UploadedFile | None,
    image_id: UploadedFile | None,
    starts_on: date,
    ends_on: date,
    weight: int,
    status: str,
    by: User,
) -> BannerCampaign:
    title_en, title_id = (title_en or "").strip(), (title_id or "").strip()
    if not title_en:
        raise ValidationError({"title_en": _("Give the banner a title (it is its alt text).")})
    _check_dates(expo, starts_on, ends_on)
    _check_weight(weight)
    if image_en is None:
        raise ValidationError({"image_en": _("Upload the banner's image.")})
    # Check both images before storing either, so a bad one leaves nothing behind.
    encoded_en = banner_image(image_en, slot=slot, field="image_en")
    encoded_id = banner_image(image_id, slot=slot, field="image_id") if image_id else None
    campaign = BannerCampaign(
        expo=expo,
        slot=slot,
        vendor=vendor,
        target=target.kind,
        booth=target.booth,
        product=target.product,
        session=target.session,
        sector=target.booth.vendor.sector if slot.code == BannerSlot.Code.SECTOR_TOP else None,
        title_en=title_en[:120],
        title_id=title_id[:120],
        starts_on=starts_on,
        ends_on=ends_on,
        weight=weight,
        status=status,
        requested_by=by,
    )
    campaign.image_en.save(encoded_en.name, encoded_en, save=False)
    if encoded_id is not None:
        campaign.image_id.save(encoded_id.name, encoded_id, save=False)
    campaign.save()
    return campaign


# --- Requests and decisions ------------------------------------------------------------------------


@transaction.atomic
def banner_request(
    *,
    expo: Expo,
    vendor: Vendor,
    slot: BannerSlot,
    target: str,
    booth: Booth | None = None,
    product: Product | None = None,
    session: LiveSession | None = None,
    title_en: str,
    title_id: str = "",
    image_en: UploadedFile | None,
    image_id: UploadedFile | None = None,
    starts_on: date,
    ends_on: date,
    by: User,
) -> BannerCampaign:
    """A vendor asks to run a banner for its own booth, product or live session."""
    permissions.require(permissions.is_vendor_member(by, vendor))
    timebox.require(expo, timebox.Action.EDIT_CATALOGUE)
    checked = banner_target(
        expo=expo, kind=target, booth=booth, product=product, session=session, vendor=vendor
    )
    campaign = _new_campaign(
        expo=expo,
        slot=slot,
        vendor=vendor,
        target=checked,
        title_en=title_en,
        title_id=title_id,
        image_en=image_en,
        image_id=image_id,
        starts_on=starts_on,
        ends_on=ends_on,
        weight=1,
        status=BannerCampaign.Status.REQUESTED,
        by=by,
    )
    audit_log(action="expo.banner.requested", obj=campaign, user=by, expo_id=expo.pk)
    return campaign


@transaction.atomic
def banner_place(
    *,
    expo: Expo,
    slot: BannerSlot,
    target: str,
    booth: Booth | None = None,
    product: Product | None = None,
    session: LiveSession | None = None,
    title_en: str,
    title_id: str = "",
    image_en: UploadedFile | None,
    image_id: UploadedFile | None = None,
    starts_on: date,
    ends_on: date,
    weight: int = 1,
    by: User,
) -> BannerCampaign:
    """The organiser places one of the expo's own banners: approved at once, no fee."""
    _require_manage(expo, by)
    _require_not_closed(expo)
    checked = banner_target(expo=expo, kind=target, booth=booth, product=product, session=session)
    campaign = _new_campaign(
        expo=expo,
        slot=slot,
        vendor=None,
        target=checked,
        title_en=title_en,
        title_id=title_id,
        image_en=image_en,
        image_id=image_id,
        starts_on=starts_on,
        ends_on=ends_on,
        weight=weight,
        status=BannerCampaign.Status.APPROVED,
        by=by,
    )
    campaign.decided_by, campaign.decided_at = by, timezone.now()
    campaign.save(update_fields=["decided_by", "decided_at"])
    audit_log(action="expo.banner.placed", obj=campaign, user=by, expo_id=expo.pk)
    _pool_changed()
    return campaign


def _locked(campaign: BannerCampaign) -> BannerCampaign:
    return BannerCampaign.objects.select_for_update().select_related("expo").get(pk=campaign.pk)


def _decide(campaign: BannerCampaign, by: User, status: str, fields: list[str]) -> None:
    campaign.status = status
    campaign.decided_by, campaign.decided_at = by, timezone.now()
    campaign.save(update_fields=["status", "decided_by", "decided_at", *fields])


@transaction.atomic
def banner_approve(
    *, campaign: BannerCampaign, weight: int | None = None, by: User
) -> BannerCampaign:
    """Approve a requested banner to run free of charge (optionally with its rotation weight)."""
    _require_manage(campaign.expo, by)
    campaign = _locked(campaign)
    _require_not_closed(campaign.expo)
    if campaign.status != BannerCampaign.Status.REQUESTED:
        raise ValidationError(_("Only a banner waiting for review can be approved."))
    if weight is not None:
        _check_weight(weight)
        campaign.weight = weight
    _decide(campaign, by, BannerCampaign.Status.APPROVED, ["weight"])
    audit_log(
        action="expo.banner.approved",
        obj=campaign,
        user=by,
        expo_id=campaign.expo_id,
        weight=campaign.weight,
    )
    _pool_changed()
    return campaign


@transaction.atomic
def banner_reject(*, campaign: BannerCampaign, reason: str, by: User) -> BannerCampaign:
    """Reject a request (or a priced one not paid yet), saying why."""
    _require_manage(campaign.expo, by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the banner is rejected; the vendor sees it.")})
    campaign = _locked(campaign)
    if campaign.status not in (BannerCampaign.Status.REQUESTED, BannerCampaign.Status.PRICED):
        raise ValidationError(_("Only a banner that is not running yet can be rejected."))
    for fee in BannerFee.objects.filter(campaign=campaign, status=BannerFee.Status.PENDING):
        pay_services.charge_cancel(purpose=FEE_PURPOSE, object_id=fee.pk)
    BannerFee.objects.filter(campaign=campaign, status=BannerFee.Status.PENDING).update(
        status=BannerFee.Status.CANCELLED
    )
    campaign.reject_reason = reason[:300]
    _decide(campaign, by, BannerCampaign.Status.REJECTED, ["reject_reason"])
    audit_log(
        action="expo.banner.rejected",
        obj=campaign,
        user=by,
        expo_id=campaign.expo_id,
        reason=reason,
    )
    _pool_changed()
    return campaign


@transaction.atomic
def banner_withdraw(*, campaign: BannerCampaign, by: User) -> BannerCampaign:
    """The vendor takes back a request that is not running yet (waiting for review, or priced and
    not paid): its unpaid fee and the checkout's charge are closed."""
    permissions.require(
        campaign.vendor_id is not None and permissions.is_vendor_member(by, campaign.vendor_id)
    )
    campaign = _locked(campaign)
    if campaign.status not in (BannerCampaign.Status.REQUESTED, BannerCampaign.Status.PRICED):
        raise ValidationError(_("Only a banner that is not running or paid yet can be withdrawn."))
    for fee in BannerFee.objects.filter(campaign=campaign, status=BannerFee.Status.PENDING):
        pay_services.charge_cancel(purpose=FEE_PURPOSE, object_id=fee.pk)
        fee.status = BannerFee.Status.CANCELLED
        fee.save(update_fields=["status"])
    campaign.status = BannerCampaign.Status.WITHDRAWN
    campaign.save(update_fields=["status", "updated_at"])
    audit_log(action="expo.banner.withdrawn", obj=campaign, user=by, expo_id=campaign.expo_id)
    return campaign


def _fee_reference(campaign: BannerCampaign) -> str:
    return f"BNR-{campaign.pk}-{secrets.token_hex(2).upper()}"


@transaction.atomic
def banner_set_price(
    *, campaign: BannerCampaign, price: int, weight: int | None = None, by: User
) -> BannerFee:
    """Approve a request for a fee: it runs once the vendor's bank transfer is confirmed."""
    _require_manage(campaign.expo, by)
    if isinstance(price, bool) or not isinstance(price, int) or not 1 <= price <= MAX_PRICE:
        raise ValidationError({"price": _("The price is a whole number of rupiah above zero.")})
    campaign = _locked(campaign)
    _require_not_closed(campaign.expo)
    if campaign.status not in (BannerCampaign.Status.REQUESTED, BannerCampaign.Status.PRICED):
        raise ValidationError(_("Only a banner waiting for review or payment can be priced."))
    if campaign.vendor_id is None:
        raise ValidationError(_("The organiser's own banners have no fee."))
    if weight is not None:
        _check_weight(weight)
        campaign.weight = weight
    campaign.price = price
    _decide(campaign, by, BannerCampaign.Status.PRICED, ["price", "weight"])
    account = CollectingAccount.objects.filter(expo_id=campaign.expo_id).first()
    fee = BannerFee.objects.filter(campaign=campaign).first()
    if fee is None:
        fee = BannerFee(
            campaign=campaign, expo_id=campaign.expo_id, reference=_fee_reference(campaign)
        )
    fee.amount, fee.status = price, BannerFee.Status.PENDING
    if account is not None:
        fee.bank_name = account.bank_name
        fee.account_number = account.account_number
        fee.account_holder = account.account_holder
    fee.save()
    # Paid through the checkout's providers (transfer or card); never an order, never omzet.
    charge = pay_services.charge_open(
        expo=campaign.expo,
        purpose=FEE_PURPOSE,
        object_id=fee.pk,
        label=_("Banner: %(title)s") % {"title": campaign.title or campaign.slot.name},
        amount=price,
        payer=campaign.requested_by,
    )
    transfer = pay_selectors.charge_transfer(charge)
    fee.reference = transfer.reference
    fee.save(update_fields=["reference"])
    audit_log(
        action="expo.banner.priced", obj=campaign, user=by, expo_id=campaign.expo_id, price=price
    )
    return fee


def fee_charge(fee: BannerFee) -> Charge | None:
    """The checkout's charge a fee is paid through."""
    return Charge.objects.filter(purpose=FEE_PURPOSE, object_id=fee.pk).first()


def banner_fee_confirm(*, fee: BannerFee, by: User, note: str = "") -> BannerFee:
    """The organiser saw the vendor's transfer arrive: confirmed like any checkout transfer, and
    the fee is paid (by :func:`_fee_paid`, in the same transaction) and the banner runs.
    Organiser's income: never an order, never in the sales ledger."""
    _require_manage(fee.expo, by)
    if fee.status != BannerFee.Status.PENDING:
        raise ValidationError(_("This fee is not waiting for a transfer."))
    if fee.campaign.status != BannerCampaign.Status.PRICED:
        raise ValidationError(_("This banner is not waiting for payment."))
    charge = fee_charge(fee)
    transfer = pay_selectors.charge_transfer(charge) if charge else None
    if transfer is None:
        raise ValidationError(_("This fee is not waiting for a transfer."))
    pay_services.transfer_confirm(payment=transfer, by=by, note=(note or "").strip())
    fee.refresh_from_db()
    return fee


def _fee_paid(charge: Charge) -> None:
    """The checkout was paid for a banner's fee (a confirmed transfer or a card): the fee is paid
    and the banner runs. Called inside the payment's transaction."""
    fee = BannerFee.objects.select_for_update().get(pk=charge.object_id)
    if fee.status == BannerFee.Status.PAID:
        return
    payment = pay_selectors.charge_received_payment(charge)
    campaign = _locked(fee.campaign)
    fee.status, fee.paid_at = BannerFee.Status.PAID, charge.paid_at or timezone.now()
    fee.confirmed_by = payment.confirmed_by if payment else None
    fee.note = (payment.note if payment else "")[:255]
    fee.save(update_fields=["status", "paid_at", "confirmed_by", "note"])
    if campaign.status == BannerCampaign.Status.PRICED:
        campaign.status = BannerCampaign.Status.PAID
        campaign.save(update_fields=["status"])
    audit_log(
        action="expo.banner.fee_paid",
        obj=campaign,
        user=fee.confirmed_by,
        expo_id=campaign.expo_id,
        amount=fee.amount,
        reference=fee.reference,
        provider=payment.provider if payment else "",
    )
    _pool_changed()


pay_hooks.register_charge(FEE_PURPOSE, on_paid=_fee_paid)


# --- Slots -----------------------------------------------------------------------------------------

# The five slots (created by migration 0004_banners; kept here so tests and the demo can restore
# them after a database flush): code, English name, Indonesian name, width, height, shown at once.
SLOTS = (
    ("hall_hero", "Hall: hero carousel", "Aula: karusel utama", 1200, 400, 3),
    ("hall_side", "Hall: side column", "Aula: kolom samping", 600, 500, 2),
    ("sector_top", "Top of a sector's page", "Atas halaman sektor", 1200, 200, 1),
    ("booth_page", "Booth page (cross-promotion)", "Halaman booth (promosi silang)", 1200, 200, 1),
    ("session_page", "Live session page", "Halaman sesi live", 600, 500, 1),
)


def slots_ensure() -> dict[str, BannerSlot]:
    """Create the five slots where missing; returns them by code."""
    found = {s.code: s for s in BannerSlot.objects.all()}
    for position, (code, name_en, name_id, width, height, shows) in enumerate(SLOTS):
        if code not in found:
            found[code] = BannerSlot.objects.create(
                code=code,
                name_en=name_en,
                name_id=name_id,
                width=width,
                height=height,
                shows=shows,
                position=position,
            )
    return found
