"""Writes of business matching's set-up: the organisers' settings of an expo (on or off, its
window inside the time box, the meeting length, the cancel cut-off) and the windows in which a
vendor's members can meet buyers. The meetings themselves are :mod:`events.matching.services`."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booths.models import Booth, VendorMembership
from events.matching import selectors as matching
from events.matching.models import MatchingSettings, MeetingAvailability
from expo import permissions
from expo.models import Expo, User
from expo.refusals import Refused
from expo.services import audit_log

# A published window is at most a day long, and a vendor publishes at most this many per expo.
MAX_WINDOW = timedelta(hours=24)
MAX_WINDOWS = 200


@transaction.atomic
def matching_configure(
    *,
    expo: Expo,
    by: User,
    enabled: bool,
    meeting_minutes: int,
    cancel_cutoff_minutes: int,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> MatchingSettings:
    """Turn business matching on or off for ``expo`` and set its window (inside the expo's time
    box), meeting length and cancel cut-off. Only the expo's organisers."""
    permissions.require(permissions.can_manage_office(by, expo.office_id))
    if meeting_minutes not in MatchingSettings.Length.values:
        raise ValidationError({"meeting_minutes": _("Meetings last 15, 20 or 30 minutes.")})
    if not 0 <= cancel_cutoff_minutes <= 7 * 24 * 60:
        raise ValidationError({"cancel_cutoff_minutes": _("Between 0 minutes and a week.")})
    for name, moment in (("starts_at", starts_at), ("ends_at", ends_at)):
        if moment is not None and not expo.opens_at <= moment <= expo.closes_at:
            raise ValidationError({name: _("Meetings take place while the expo is open.")})
    if starts_at is not None and ends_at is not None and starts_at >= ends_at:
        raise ValidationError({"ends_at": _("The end must come after the start.")})
    matching, _created = MatchingSettings.objects.select_for_update().get_or_create(expo=expo)
    matching.enabled = enabled
    matching.meeting_minutes = meeting_minutes
    matching.cancel_cutoff_minutes = cancel_cutoff_minutes
    matching.starts_at, matching.ends_at = starts_at, ends_at
    matching.updated_by = by
    matching.save()
    # The booth pages' cached bodies (their "Book a meeting" card) are keyed on the expo's last
    # change: touch it so they follow matching on or off at once.
    Expo.objects.filter(pk=expo.pk).update(updated_at=timezone.now())
    audit_log(
        action="events.matching.configured",
        obj=matching,
        user=by,
        expo_id=expo.pk,
        enabled=enabled,
        meeting_minutes=meeting_minutes,
    )
    return matching


def _booth_of(vendor_id: int, expo: Expo) -> Booth | None:
    return Booth.objects.filter(vendor_id=vendor_id, expo=expo, is_active=True).first()


@transaction.atomic
def availability_add(
    *, expo: Expo, vendor_id: int, member: User, starts_at: datetime, ends_at: datetime, by: User
) -> MeetingAvailability:
    """Publish a window in which ``member`` (a member of the vendor) meets buyers. Only the
    vendor's members, for an expo where it has a booth and matching is on."""
    permissions.require(permissions.is_vendor_member(by, vendor_id))
    window = matching.window_of(expo)
    if window is None:
        raise Refused(_("Business matching is not on at this expo."), code="matching_off")
    if _booth_of(vendor_id, expo) is None:
        raise Refused(_("You have no booth at this expo."), code="no_booth")
    if not VendorMembership.objects.filter(vendor_id=vendor_id, user=member).exists():
        raise ValidationError({"member": _("Choose a member of your business.")})
    if starts_at >= ends_at:
        raise ValidationError({"ends_at": _("The end must come after the start.")})
    if ends_at - starts_at > MAX_WINDOW:
        raise ValidationError({"ends_at": _("A window can last at most a day.")})
    if ends_at - starts_at < window.length:
        raise ValidationError({"ends_at": _("The window is shorter than one meeting.")})
    if starts_at < window.starts_at or ends_at > window.ends_at:
        raise ValidationError({"starts_at": _("Meetings take place inside the matching window.")})
    if MeetingAvailability.objects.filter(expo=expo, vendor_id=vendor_id).count() >= MAX_WINDOWS:
        raise Refused(_("You have published as many windows as an expo allows."), code="too_many")
    row = MeetingAvailability.objects.create(
        expo=expo, vendor_id=vendor_id, member=member, starts_at=starts_at, ends_at=ends_at
    )
    audit_log(action="events.meeting_availability.added", obj=row, user=by, expo_id=expo.pk)
    return row


@transaction.atomic
def availability_remove(*, availability: MeetingAvailability, by: User) -> None:
    """Take a window back. Meetings already asked for keep their time."""
    permissions.require(permissions.is_vendor_member(by, availability.vendor_id))
    audit_log(
        action="events.meeting_availability.removed",
        obj=availability,
        user=by,
        expo_id=availability.expo_id,
    )
    availability.delete()
