"""Writes for vendors (UMKM) and their teams."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from booths import catalogue
from booths.images import reencode
from booths.models import Vendor, VendorMembership
from booths.services.common import assign, delete_files_on_commit, unique_slug
from expo import permissions
from expo.models import User
from expo.services import audit_log

# What a vendor writes about itself (registration and the business profile); the logo apart.
VENDOR_FIELDS = (
    "name", "owner_name", "nib", "region", "sector", "size_class", "address", "whatsapp", "story",
)  # fmt: skip
# Paths under /vendor/ that a vendor's slug must not take.
RESERVED_VENDOR_SLUGS = frozenset({"register"})
LOGO_SIDE = 600


@transaction.atomic
def vendor_register(*, user: User, logo: UploadedFile | None = None, **fields: Any) -> Vendor:
    """Register an UMKM with ``user`` as its owner; ``fields`` are among :data:`VENDOR_FIELDS`."""
    vendor = Vendor()
    assign(vendor, fields, VENDOR_FIELDS)
    stem = slugify(fields["name"])[:150] or "umkm"
    if stem in RESERVED_VENDOR_SLUGS:
        stem = f"{stem}-umkm"
    vendor.slug = unique_slug(Vendor, stem)
    if logo is not None:
        vendor.logo = reencode(logo, max_side=LOGO_SIDE)
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
    """Change the business profile (members only); a new ``logo`` replaces the old file."""
    permissions.require(permissions.is_vendor_member(by, vendor))
    changed = assign(vendor, fields, VENDOR_FIELDS)
    if logo is not None:
        delete_files_on_commit([vendor.logo])
        vendor.logo = reencode(logo, max_side=LOGO_SIDE)
        changed.append("logo")
    vendor.full_clean()
    vendor.save(update_fields=changed)
    catalogue.bump_all(vendor.booths.values_list("expo_id", flat=True))
    return vendor


@transaction.atomic
def vendor_add_member(*, vendor: Vendor, email: str, by: User) -> VendorMembership:
    """Add an existing account to the vendor's team (owners only); an account already on the
    team is refused."""
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
    membership, created = VendorMembership.objects.get_or_create(vendor=vendor, user=user)
    if not created:
        raise ValidationError(_("This account is already on your team."), code="already_member")
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
