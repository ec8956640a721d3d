"""Writes of a vendor's booth application: the business documents it sends, the permits it must
hold, sending, resending after changes were asked, and withdrawing. The organisers' decisions are
:mod:`booths.services.curation`."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from booths.images import reencode
from booths.models import ApplicationPhoto, BoothApplication, Vendor
from booths.services.common import assign, delete_files_on_commit
from expo import permissions, timebox
from expo.models import Expo, User
from expo.services import audit_log

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
PERMIT_FIELDS = ("permit_kind", "permit_number", "halal_number")
# What a vendor writes in an application (the application form's fields).
# The permits' validity and the declared annual turnover (size class, naik kelas) come with them.
EXPIRY_FIELDS = ("permit_expires_on", "halal_expires_on")
APPLICATION_FIELDS = (
    *PERMIT_FIELDS,
    *EXPIRY_FIELDS,
    "declared_turnover",
    "stock",
    "stock_note",
    "motivation",
    *APPLICATION_DOCUMENTS,
)


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
    """Food and drink businesses must hold a P-IRT or BPOM registration."""
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


def _add_photos(application: BoothApplication, encoded: Sequence[Any]) -> None:
    for position, photo in enumerate(encoded):
        ApplicationPhoto.objects.create(application=application, image=photo, position=position)


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
    """Apply for a booth at ``expo`` (members of ``vendor``, while the expo takes applications,
    once per expo, in a sector the expo includes); ``fields`` are among
    :data:`APPLICATION_FIELDS`."""
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
        expo=expo, vendor=vendor, nib_document=_document(nib_document), stock=stock
    )
    assign(application, fields, APPLICATION_FIELDS)
    application.full_clean()
    application.save()
    _add_photos(application, encoded)
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

    ``fields`` (among :data:`APPLICATION_FIELDS`) may replace the documents (``nib_document``,
    ``permit_document``, ``halal_document``: new uploads); ``photos``, when given, replace all the
    product photos.
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
        name: getattr(application, name) for name in (*PERMIT_FIELDS, *APPLICATION_DOCUMENTS)
    }
    application_check(vendor=application.vendor, values={**current, **fields})
    replaced = [name for name in APPLICATION_DOCUMENTS if fields.get(name)]
    for name in replaced:
        fields[name] = _document(fields[name])
    encoded = [reencode(photo) for photo in photos] if photos else []
    delete_files_on_commit(getattr(application, name) for name in replaced)
    changed = assign(application, fields, APPLICATION_FIELDS)
    application.status = BoothApplication.Status.SUBMITTED
    application.full_clean()
    application.save(update_fields=[*changed, "status", "updated_at"])
    if encoded:
        delete_files_on_commit(photo.image for photo in application.photos.all())
        application.photos.all().delete()
        _add_photos(application, encoded)
    audit_log(
        action="booths.application.resubmitted",
        obj=application,
        user=by,
        expo_id=application.expo_id,
        replaced=sorted(replaced + (["photos"] if encoded else [])),
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
