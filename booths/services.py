"""Writes for vendors, applications, booths and products. Views, admin and commands call these."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from booths import catalogue
from booths.images import reencode, reencode_with_thumbnail
from booths.models import (
    ApplicationPhoto,
    Booth,
    BoothApplication,
    Product,
    ProductImage,
    Vendor,
    VendorMembership,
)
from expo import permissions, timebox
from expo.models import Expo, User
from expo.services import audit_log, send_templated_email

ALLOWED_VIDEO_HOSTS = {
    "youtube.com",
    "www.youtube.com",
    "m.youtube.com",
    "youtu.be",
    "vimeo.com",
    "www.vimeo.com",
    "player.vimeo.com",
}
MAX_PRODUCT_IMAGES = 8


def _unique_slug(model: Any, base: str, **scope: Any) -> str:
    stem = slugify(base)[:150] or "item"
    slug, n = stem, 2
    while model.objects.filter(slug=slug, **scope).exists():
        slug, n = f"{stem}-{n}", n + 1
    return slug


# --- Vendors -------------------------------------------------------------------------------------


@transaction.atomic
def vendor_register(*, user: User, logo: UploadedFile | None = None, **fields: Any) -> Vendor:
    """Register an UMKM with ``user`` as its owner."""
    vendor = Vendor(**fields)
    vendor.slug = _unique_slug(Vendor, fields["name"])
    if logo is not None:
        vendor.logo = reencode(logo, max_side=600)
    vendor.full_clean()
    vendor.save()
    VendorMembership.objects.create(vendor=vendor, user=user, role=VendorMembership.Role.OWNER)
    permissions.forget(user)
    audit_log(action="booths.vendor.registered", obj=vendor, user=user)
    return vendor


@transaction.atomic
def vendor_update(
    *, vendor: Vendor, by: User, logo: UploadedFile | None = None, **fields: Any
) -> Vendor:
    permissions.require(permissions.is_vendor_member(by, vendor))
    for name, value in fields.items():
        setattr(vendor, name, value)
    if logo is not None:
        vendor.logo = reencode(logo, max_side=600)
    vendor.full_clean()
    vendor.save()
    catalogue.bump_all(vendor.booths.values_list("expo_id", flat=True))
    return vendor


@transaction.atomic
def vendor_add_member(*, vendor: Vendor, email: str, by: User) -> VendorMembership:
    """Add an existing account to the vendor's team (owners only)."""
    permissions.require(
        VendorMembership.objects.filter(
            vendor=vendor, user=by, role=VendorMembership.Role.OWNER
        ).exists()
    )
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise ValidationError(
            _("No account uses %(email)s. Ask them to sign up first."), params={"email": email}
        )
    membership, _created = VendorMembership.objects.get_or_create(vendor=vendor, user=user)
    permissions.forget(user)
    audit_log(action="booths.vendor.member_added", obj=vendor, user=by, member=user.email)
    return membership


# --- Applications and curation -------------------------------------------------------------------


@transaction.atomic
def application_submit(
    *,
    expo: Expo,
    vendor: Vendor,
    by: User,
    nib_document: UploadedFile,
    stock: str,
    photos: Sequence[UploadedFile] = (),
    **fields: Any,
) -> BoothApplication:
    permissions.require(permissions.is_vendor_member(by, vendor))
    timebox.require(expo, timebox.Action.APPLY)
    if not expo.sectors.filter(pk=vendor.sector_id).exists():
        raise ValidationError(_("This expo does not include your sector."))
    if BoothApplication.objects.filter(expo=expo, vendor=vendor).exists():
        raise ValidationError(_("You have already applied to this expo."))
    if not photos:
        raise ValidationError(_("Add at least one photo of your products."))
    encoded = [reencode(photo) for photo in photos]
    application = BoothApplication(
        expo=expo, vendor=vendor, nib_document=nib_document, stock=stock, **fields
    )
    application.full_clean()
    application.save()
    for position, photo in enumerate(encoded):
        ApplicationPhoto.objects.create(application=application, image=photo, position=position)
    audit_log(action="booths.application.submitted", obj=application, user=by, expo_id=expo.pk)
    return application


@transaction.atomic
def application_resubmit(
    *, application: BoothApplication, by: User, **fields: Any
) -> BoothApplication:
    """After changes were requested, the vendor updates its application and sends it back."""
    application = BoothApplication.objects.select_for_update().get(pk=application.pk)
    permissions.require(permissions.is_vendor_member(by, application.vendor_id))
    timebox.require(application.expo, timebox.Action.APPLY)
    if application.status != BoothApplication.Status.CHANGES_REQUESTED:
        raise ValidationError(_("This application is not waiting for changes."))
    for name, value in fields.items():
        setattr(application, name, value)
    application.status = BoothApplication.Status.SUBMITTED
    application.full_clean()
    application.save()
    audit_log(
        action="booths.application.resubmitted",
        obj=application,
        user=by,
        expo_id=application.expo_id,
    )
    return application


def _lock_for_decision(application: BoothApplication, by: User) -> tuple[BoothApplication, Expo]:
    # Lock the expo row first: approvals of one expo then queue up and the quota holds.
    expo = Expo.objects.select_for_update().get(pk=application.expo_id)
    permissions.require(permissions.can_manage_office(by, expo.office_id))
    timebox.require(expo, timebox.Action.CURATE)
    application = (
        BoothApplication.objects.select_for_update().select_related("vendor").get(pk=application.pk)
    )
    if application.status not in (
        BoothApplication.Status.SUBMITTED,
        BoothApplication.Status.CHANGES_REQUESTED,
    ):
        raise ValidationError(_("This application has already been decided."))
    return application, expo


def _notify_vendor(application: BoothApplication, template: str) -> None:
    context = {"application": application, "expo": application.expo, "vendor": application.vendor}
    for membership in application.vendor.memberships.select_related("user"):
        send_templated_email(to=membership.user, template=template, context=context)


@transaction.atomic
def application_approve(*, application: BoothApplication, by: User) -> Booth:
    application, expo = _lock_for_decision(application, by)
    if expo.booths.count() >= expo.booth_quota:
        raise ValidationError(
            _("The booth quota of this expo (%(quota)s) is reached."),
            params={"quota": expo.booth_quota},
        )
    application.status = BoothApplication.Status.APPROVED
    application.decided_by = by
    application.decided_at = timezone.now()
    application.decision_reason = ""
    application.save(
        update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated_at"]
    )
    vendor = application.vendor
    booth = Booth.objects.create(
        expo=expo,
        vendor=vendor,
        application=application,
        slug=_unique_slug(Booth, vendor.name, expo=expo),
        is_halal=application.is_halal,
        description_en=vendor.story,
        description_id=vendor.story,
    )
    audit_log(action="booths.application.approved", obj=application, user=by, expo_id=expo.pk)
    _notify_vendor(application, "booths/email/application_approved")
    catalogue.bump(expo.pk)
    return booth


def _decide(
    *, application: BoothApplication, by: User, reason: str, status: str, missing_reason: str
) -> BoothApplication:
    """Reject or ask for changes: both need a reason the vendor reads, and both notify it."""
    if not reason.strip():
        raise ValidationError(missing_reason)
    application, expo = _lock_for_decision(application, by)
    application.status = status
    application.decision_reason = reason.strip()
    application.decided_by = by
    application.decided_at = timezone.now()
    application.save(
        update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated_at"]
    )
    audit_log(
        action=f"booths.application.{status}",
        obj=application,
        user=by,
        expo_id=expo.pk,
        reason=application.decision_reason,
    )
    _notify_vendor(application, f"booths/email/application_{status}")
    return application


@transaction.atomic
def application_reject(*, application: BoothApplication, by: User, reason: str) -> BoothApplication:
    return _decide(
        application=application,
        by=by,
        reason=reason,
        status=BoothApplication.Status.REJECTED,
        missing_reason=_("Give the vendor a reason for the rejection."),
    )


@transaction.atomic
def application_request_changes(
    *, application: BoothApplication, by: User, reason: str
) -> BoothApplication:
    return _decide(
        application=application,
        by=by,
        reason=reason,
        status=BoothApplication.Status.CHANGES_REQUESTED,
        missing_reason=_("Tell the vendor what to change."),
    )


# --- Booths and products -------------------------------------------------------------------------


def validate_video_url(url: str) -> None:
    from urllib.parse import urlparse

    if url and (urlparse(url).hostname or "").lower() not in ALLOWED_VIDEO_HOSTS:
        raise ValidationError(_("Only YouTube and Vimeo videos can be embedded."))


def _require_booth_editor(booth: Booth, by: User) -> None:
    permissions.require(permissions.is_vendor_member(by, booth.vendor_id))
    timebox.require(booth.expo, timebox.Action.EDIT_CATALOGUE)


@transaction.atomic
def booth_update(
    *, booth: Booth, by: User, cover_image: UploadedFile | None = None, **fields: Any
) -> Booth:
    _require_booth_editor(booth, by)
    validate_video_url(fields.get("video_url", booth.video_url))
    for name, value in fields.items():
        setattr(booth, name, value)
    if cover_image is not None:
        booth.cover_image = reencode(cover_image)
    booth.full_clean()
    booth.save()
    audit_log(action="booths.booth.updated", obj=booth, user=by, expo_id=booth.expo_id)
    catalogue.bump(booth.expo_id)
    return booth


def booth_refresh_aggregates(booth_ids: Iterable[int]) -> None:
    """Recompute the hall's denormalised price range, pre-order flag and product count."""
    rows = (
        Product.objects.filter(booth_id__in=list(booth_ids), is_active=True)
        .values("booth_id")
        .annotate(
            lo=Min("price"),
            hi=Max("price"),
            n=Count("id"),
            pre=Count("id", filter=Q(is_preorder=True)),
        )
    )
    found = {row["booth_id"]: row for row in rows}
    for booth_id in booth_ids:
        row = found.get(booth_id)
        Booth.objects.filter(pk=booth_id).update(
            min_price=row["lo"] if row else None,
            max_price=row["hi"] if row else None,
            product_count=row["n"] if row else 0,
            has_preorder=bool(row and row["pre"]),
        )


PRODUCT_FIELDS = (
    "name_en", "name_id", "description_en", "description_id", "category", "price", "stock",
    "is_preorder", "preorder_lead_days", "preorder_quota", "weight_grams", "min_order",
    "is_featured", "is_active",
)  # fmt: skip


def _clean_product(product: Product) -> None:
    if not product.is_preorder:
        product.preorder_lead_days = None
        product.preorder_quota = None
    elif product.preorder_lead_days is None or product.preorder_quota is None:
        raise ValidationError(_("A pre-order product needs a lead time and a quota."))
    product.full_clean(exclude=["slug"] if not product.slug else None)


@transaction.atomic
def product_create(
    *, booth: Booth, by: User, images: Sequence[UploadedFile] = (), **fields: Any
) -> Product:
    _require_booth_editor(booth, by)
    product = Product(booth=booth, **{k: v for k, v in fields.items() if k in PRODUCT_FIELDS})
    product.slug = _unique_slug(
        Product, fields.get("name_en") or fields.get("name_id", ""), booth=booth
    )
    _clean_product(product)
    product.save()
    for upload in images:
        _add_image(product, upload)
    booth_refresh_aggregates([booth.pk])
    audit_log(action="booths.product.created", obj=product, user=by, expo_id=booth.expo_id)
    catalogue.bump(booth.expo_id)
    return product


@transaction.atomic
def product_update(
    *, product: Product, by: User, images: Sequence[UploadedFile] = (), **fields: Any
) -> Product:
    _require_booth_editor(product.booth, by)
    for name, value in fields.items():
        if name in PRODUCT_FIELDS:
            setattr(product, name, value)
    _clean_product(product)
    product.save()
    for upload in images:
        _add_image(product, upload)
    booth_refresh_aggregates([product.booth_id])
    audit_log(action="booths.product.updated", obj=product, user=by, expo_id=product.booth.expo_id)
    catalogue.bump(product.booth.expo_id)
    return product


def _add_image(product: Product, upload: UploadedFile) -> ProductImage:
    count = product.images.count()
    if count >= MAX_PRODUCT_IMAGES:
        raise ValidationError(
            _("A product can have at most %(n)s photos."), params={"n": MAX_PRODUCT_IMAGES}
        )
    full, thumb = reencode_with_thumbnail(upload)
    return ProductImage.objects.create(product=product, image=full, thumbnail=thumb, position=count)


@transaction.atomic
def product_image_delete(*, image: ProductImage, by: User) -> None:
    product = image.product
    _require_booth_editor(product.booth, by)
    image.delete()
    catalogue.bump(product.booth.expo_id)


def ensure_vendor_member(user: User, vendor_id: int) -> None:
    if not permissions.is_vendor_member(user, vendor_id):
        raise PermissionDenied
