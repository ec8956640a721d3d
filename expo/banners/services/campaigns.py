"""A banner's life before it runs: a vendor's request, the organiser's own banner placed at once,
the organiser's decisions (approve free of charge, reject) and the vendor's withdrawal. Pricing a
request and its fee are in :mod:`expo.banners.services.fees`."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from booths import images
from booths.models import Booth, Product, Vendor
from events.models import LiveSession
from expo import permissions, timebox
from expo.banners.models import BannerCampaign, BannerSlot
from expo.banners.services.fees import fees_cancel_pending
from expo.banners.services.pool import pool_changed
from expo.banners.services.rules import (
    campaign_decide,
    campaign_locked,
    check_dates,
    check_weight,
    require_manage,
    require_not_closed,
)
from expo.models import Expo, User
from expo.services import audit_log

MAX_BANNER_BYTES = 3 * 1024 * 1024
# An upload may differ this much from the slot's shape; it is then cropped to it exactly.
ASPECT_TOLERANCE = 0.1


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
    check_dates(expo, starts_on, ends_on)
    check_weight(weight)
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
    require_manage(expo, by)
    require_not_closed(expo)
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
    pool_changed()
    return campaign


@transaction.atomic
def banner_approve(
    *, campaign: BannerCampaign, weight: int | None = None, by: User
) -> BannerCampaign:
    """Approve a requested banner to run free of charge (optionally with its rotation weight)."""
    require_manage(campaign.expo, by)
    campaign = campaign_locked(campaign)
    require_not_closed(campaign.expo)
    if campaign.status != BannerCampaign.Status.REQUESTED:
        raise ValidationError(_("Only a banner waiting for review can be approved."))
    if weight is not None:
        check_weight(weight)
        campaign.weight = weight
    campaign_decide(campaign, by, BannerCampaign.Status.APPROVED, ["weight"])
    audit_log(
        action="expo.banner.approved",
        obj=campaign,
        user=by,
        expo_id=campaign.expo_id,
        weight=campaign.weight,
    )
    pool_changed()
    return campaign


@transaction.atomic
def banner_reject(*, campaign: BannerCampaign, reason: str, by: User) -> BannerCampaign:
    """Reject a request (or a priced one not paid yet), saying why."""
    require_manage(campaign.expo, by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the banner is rejected; the vendor sees it.")})
    campaign = campaign_locked(campaign)
    if campaign.status not in (BannerCampaign.Status.REQUESTED, BannerCampaign.Status.PRICED):
        raise ValidationError(_("Only a banner that is not running yet can be rejected."))
    fees_cancel_pending(campaign=campaign)
    campaign.reject_reason = reason[:300]
    campaign_decide(campaign, by, BannerCampaign.Status.REJECTED, ["reject_reason"])
    audit_log(
        action="expo.banner.rejected",
        obj=campaign,
        user=by,
        expo_id=campaign.expo_id,
        reason=reason,
    )
    pool_changed()
    return campaign


@transaction.atomic
def banner_withdraw(*, campaign: BannerCampaign, by: User) -> BannerCampaign:
    """The vendor takes back a request that is not running yet (waiting for review, or priced and
    not paid): its unpaid fee and the checkout's charge are closed."""
    permissions.require(
        campaign.vendor_id is not None and permissions.is_vendor_member(by, campaign.vendor_id)
    )
    campaign = campaign_locked(campaign)
    if campaign.status not in (BannerCampaign.Status.REQUESTED, BannerCampaign.Status.PRICED):
        raise ValidationError(_("Only a banner that is not running or paid yet can be withdrawn."))
    fees_cancel_pending(campaign=campaign)
    campaign.status = BannerCampaign.Status.WITHDRAWN
    campaign.save(update_fields=["status", "updated_at"])
    audit_log(action="expo.banner.withdrawn", obj=campaign, user=by, expo_id=campaign.expo_id)
    return campaign
