"""Writes for vendors, applications, booths and products. Views, admin and commands call these."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Max, Min, Q
from django.db.models.fields.files import FieldFile
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
from booths.video import validate_video_url
from expo import permissions, timebox
from expo.models import Expo, User
from expo.services import audit_log, send_templated_email


def delete_files_on_commit(files: Iterable[FieldFile | None]) -> None:
    """Remove replaced or deleted uploads from their storage once the change is committed (a
    rolled-back change keeps them). Names are read now: the caller may reassign the fields next."""
    doomed = [(f.storage, f.name) for f in files if f and f.name]

    def remove() -> None:
        for storage, name in doomed:
            storage.delete(name)

    if doomed:
        transaction.on_commit(remove)


MAX_PRODUCT_IMAGES = 8
MAX_APPLICATION_PHOTOS = 6
# Sectors whose products need a food permit (P-IRT or BPOM); slugs from expo/data/sectors.csv.
FOOD_SECTOR_SLUGS = frozenset({"kuliner"})
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
# Business documents are recognised by their first bytes, never by their name or declared type.
DOCUMENT_SIGNATURES = (
    (b"%PDF-", "pdf"),
    (b"\xff\xd8\xff", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
)
APPLICATION_DOCUMENTS = ("nib_document", "permit_document", "halal_document")
# Paths under /vendor/ that a vendor's slug must not take.
RESERVED_VENDOR_SLUGS = frozenset({"register"})


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
    stem = slugify(fields["name"])[:150] or "umkm"
    if stem in RESERVED_VENDOR_SLUGS:
        stem = f"{stem}-umkm"
    vendor.slug = _unique_slug(Vendor, stem)
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
        delete_files_on_commit([vendor.logo])
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


@transaction.atomic
def vendor_remove_member(*, membership: VendorMembership, by: User) -> None:
    """Take an account off the vendor's team. Owners remove anyone; a staff member may leave.
    The last owner always stays: a business without an owner could not be managed."""
    # Lock the vendor row so that two owners removing each other cannot both succeed.
    vendor = Vendor.objects.select_for_update().get(pk=membership.vendor_id)
    permissions.require(permissions.is_vendor_member(by, vendor))
    team = {
        m.user_id: m for m in VendorMembership.objects.filter(vendor=vendor).select_related("user")
    }
    actor = team.get(by.pk)
    target = team.get(membership.user_id)
    permissions.require(
        actor is not None
        and (actor.role == VendorMembership.Role.OWNER or membership.user_id == by.pk)
    )
    if target is None:
        raise ValidationError(_("This account is no longer on the team."))
    owners = sum(1 for m in team.values() if m.role == VendorMembership.Role.OWNER)
    if target.role == VendorMembership.Role.OWNER and owners <= 1:
        raise ValidationError(
            _("A business needs at least one owner. Make someone else an owner first.")
        )
    target.delete()
    permissions.forget(by)
    audit_log(
        action="booths.vendor.member_removed",
        obj=vendor,
        user=by,
        member=target.user.email,
    )


# --- Applications and curation -------------------------------------------------------------------


def validate_document(upload: UploadedFile) -> str:
    """Check that a business document is a PDF, JPEG or PNG (by its content) within the size
    limit; return its extension. Raises ValidationError with a message for the vendor."""
    size = getattr(upload, "size", None) or 0
    if size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB."),
            code="document_too_large",
            params={
                "size": round(size / 1024 / 1024, 1),
                "limit": MAX_DOCUMENT_BYTES // 1024 // 1024,
            },
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, extension in DOCUMENT_SIGNATURES:
        if head.startswith(signature):
            return extension
    raise ValidationError(
        _("Upload the document as a PDF, JPEG or PNG file (a scan or a photo)."),
        code="invalid_document",
    )


def _document(upload: UploadedFile) -> UploadedFile:
    # A fresh random name: the vendor's own file name says nothing the curators need.
    upload.name = f"{uuid.uuid4().hex}.{validate_document(upload)}"
    return upload


def needs_food_permit(vendor: Vendor) -> bool:
    return vendor.sector.slug in FOOD_SECTOR_SLUGS


def application_check(*, vendor: Vendor, values: Mapping[str, Any]) -> None:
    """The permits an application must hold, given its (new or current) ``values``.

    Food and drink businesses need a P-IRT or BPOM registration: kind, number and document. Other
    businesses may give one, then completely. The halal certificate is optional, but its number
    and document go together. Raises a ValidationError keyed by field.
    """
    errors: dict[str, str] = {}
    kind = values.get("permit_kind") or ""
    number = (values.get("permit_number") or "").strip()
    document = values.get("permit_document")
    if needs_food_permit(vendor) or kind or number or document:
        if not kind:
            errors["permit_kind"] = (
                _("Food and drink businesses need a P-IRT or BPOM registration.")
                if needs_food_permit(vendor)
                else _("Choose the kind of permit.")
            )
        if not number:
            errors["permit_number"] = _("Enter the registration number.")
        if not document:
            errors["permit_document"] = _("Upload the P-IRT or BPOM document.")
    halal_number = (values.get("halal_number") or "").strip()
    halal_document = values.get("halal_document")
    if halal_number and not halal_document:
        errors["halal_document"] = _("Upload the halal certificate too, or leave its number empty.")
    elif halal_document and not halal_number:
        errors["halal_number"] = _("Enter the certificate's number too, or leave both empty.")
    if errors:
        raise ValidationError(errors)


def _check_photo_count(photos: Sequence[UploadedFile]) -> None:
    if not photos:
        raise ValidationError(_("Add at least one photo of your products."))
    if len(photos) > MAX_APPLICATION_PHOTOS:
        raise ValidationError(
            {
                "photos": _("Send at most %(n)s photos.") % {"n": MAX_APPLICATION_PHOTOS},
            }
        )


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
    _check_photo_count(photos)
    application_check(vendor=vendor, values=fields)
    for name in APPLICATION_DOCUMENTS[1:]:
        if fields.get(name):
            fields[name] = _document(fields[name])
    encoded = [reencode(photo) for photo in photos]
    application = BoothApplication(
        expo=expo, vendor=vendor, nib_document=_document(nib_document), stock=stock, **fields
    )
    application.full_clean()
    application.save()
    for position, photo in enumerate(encoded):
        ApplicationPhoto.objects.create(application=application, image=photo, position=position)
    audit_log(action="booths.application.submitted", obj=application, user=by, expo_id=expo.pk)
    return application


@transaction.atomic
def application_resubmit(
    *,
    application: BoothApplication,
    by: User,
    photos: Sequence[UploadedFile] | None = None,
    **fields: Any,
) -> BoothApplication:
    """After changes were requested, the vendor updates its application and sends it back.

    ``fields`` may replace the documents (``nib_document``, ``permit_document``,
    ``halal_document``: new uploads); ``photos``, when given, replace all the product photos.
    """
    application = (
        BoothApplication.objects.select_for_update()
        .select_related("vendor__sector", "expo")
        .get(pk=application.pk)
    )
    permissions.require(permissions.is_vendor_member(by, application.vendor_id))
    timebox.require(application.expo, timebox.Action.APPLY)
    if application.status != BoothApplication.Status.CHANGES_REQUESTED:
        raise ValidationError(_("This application is not waiting for changes."))
    if photos:
        _check_photo_count(photos)
    current = {
        name: getattr(application, name)
        for name in ("permit_kind", "permit_number", "halal_number", *APPLICATION_DOCUMENTS)
    }
    application_check(vendor=application.vendor, values={**current, **fields})
    for name in APPLICATION_DOCUMENTS:
        if fields.get(name):
            fields[name] = _document(fields[name])
    encoded = [reencode(photo) for photo in photos] if photos else []
    delete_files_on_commit(
        getattr(application, name) for name in APPLICATION_DOCUMENTS if fields.get(name)
    )
    for name, value in fields.items():
        setattr(application, name, value)
    application.status = BoothApplication.Status.SUBMITTED
    application.full_clean()
    application.save()
    if encoded:
        delete_files_on_commit(photo.image for photo in application.photos.all())
        application.photos.all().delete()
        for position, photo in enumerate(encoded):
            ApplicationPhoto.objects.create(application=application, image=photo, position=position)
    audit_log(
        action="booths.application.resubmitted",
        obj=application,
        user=by,
        expo_id=application.expo_id,
        replaced=sorted(
            [n for n in APPLICATION_DOCUMENTS if fields.get(n)] + (["photos"] if encoded else [])
        ),
    )
    return application


@transaction.atomic
def application_withdraw(*, application: BoothApplication, by: User) -> BoothApplication:
    """The vendor takes back an application the organisers have not decided yet (for good: one
    application per expo)."""
    application = (
        BoothApplication.objects.select_for_update().select_related("expo").get(pk=application.pk)
    )
    permissions.require(permissions.is_vendor_member(by, application.vendor_id))
    timebox.require(application.expo, timebox.Action.CURATE)
    if application.status not in (
        BoothApplication.Status.SUBMITTED,
        BoothApplication.Status.CHANGES_REQUESTED,
    ):
        raise ValidationError(_("This application has already been decided."))
    application.status = BoothApplication.Status.WITHDRAWN
    application.save(update_fields=["status", "updated_at"])
    audit_log(
        action="booths.application.withdrawn",
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


def _require_booth_editor(booth: Booth, by: User) -> None:
    permissions.require(permissions.is_vendor_member(by, booth.vendor_id))
    timebox.require(booth.expo, timebox.Action.EDIT_CATALOGUE)


@transaction.atomic
def booth_update(
    *,
    booth: Booth,
    by: User,
    cover_image: UploadedFile | None = None,
    featured: Iterable[int] | None = None,
    **fields: Any,
) -> Booth:
    """Change the booth's texts, cover, video and visibility; ``featured`` (product ids of this
    booth), when given, becomes the exact set of its featured products."""
    _require_booth_editor(booth, by)
    validate_video_url(fields.get("video_url", booth.video_url))
    for name, value in fields.items():
        setattr(booth, name, value)
    if cover_image is not None:
        delete_files_on_commit([booth.cover_image])
        booth.cover_image = reencode(cover_image)
    booth.full_clean()
    booth.save()
    if featured is not None:
        chosen = set(featured)
        products = Product.objects.filter(booth=booth)
        products.filter(pk__in=chosen).exclude(is_featured=True).update(is_featured=True)
        products.exclude(pk__in=chosen).exclude(is_featured=False).update(is_featured=False)
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


def _renumber_images(product: Product, first: ProductImage | None = None) -> None:
    """Positions 0, 1, 2… in the current order, with ``first`` (the cover) moved to the front."""
    images = list(ProductImage.objects.filter(product=product).order_by("position", "id"))
    if first is not None:
        images = [first] + [i for i in images if i.pk != first.pk]
    for position, image in enumerate(images):
        if image.position != position:
            ProductImage.objects.filter(pk=image.pk).update(position=position)


@transaction.atomic
def product_image_delete(*, image: ProductImage, by: User) -> None:
    product = image.product
    _require_booth_editor(product.booth, by)
    delete_files_on_commit([image.image, image.thumbnail])
    image.delete()
    _renumber_images(product)
    audit_log(
        action="booths.product.image_deleted",
        obj=product,
        user=by,
        expo_id=product.booth.expo_id,
    )
    catalogue.bump(product.booth.expo_id)


@transaction.atomic
def product_image_make_cover(*, image: ProductImage, by: User) -> None:
    """Make ``image`` the product's first photo: the one cards and shares show."""
    product = image.product
    _require_booth_editor(product.booth, by)
    _renumber_images(product, first=image)
    catalogue.bump(product.booth.expo_id)
