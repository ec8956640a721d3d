"""Hybrid expos: the organiser sets the venue, numbers its stands and assigns each to a booth."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from booths.models import Booth, Stand, Venue
from expo import permissions
from expo.models import Expo, User
from expo.services import audit_log

MAX_STANDS = 500
MAX_NEW_AT_ONCE = 100


def _require_organiser(expo: Expo, by: User) -> None:
    permissions.require(permissions.can_manage_office(by, expo.office_id))


@transaction.atomic
def venue_save(*, expo: Expo, by: User, name: str, address: str = "") -> Venue:
    """Give the expo a physical venue (or rename it): only the office's organisers."""
    _require_organiser(expo, by)
    name = " ".join(str(name or "").split())
    if not name:
        raise ValidationError({"name": _("Name the venue.")})
    venue, created = Venue.objects.get_or_create(
        expo=expo, defaults={"name": name[:160], "address": address[:240]}
    )
    if not created:
        venue.name, venue.address = name[:160], address[:240]
        venue.save(update_fields=["name", "address"])
    audit_log(
        action="booths.venue.created" if created else "booths.venue.updated",
        obj=venue,
        user=by,
        expo_id=expo.pk,
        name=venue.name,
    )
    return venue


@transaction.atomic
def stands_add(*, venue: Venue, by: User, count: int) -> list[Stand]:
    """Add ``count`` stands numbered after the venue's last one."""
    expo = venue.expo
    _require_organiser(expo, by)
    if not 1 <= count <= MAX_NEW_AT_ONCE:
        raise ValidationError(
            {"count": _("Add between 1 and %(n)s stands at once.") % {"n": MAX_NEW_AT_ONCE}}
        )
    Venue.objects.select_for_update().filter(pk=venue.pk).first()  # one numbering at a time
    last = venue.stands.aggregate(last=Max("number"))["last"] or 0
    if last + count > MAX_STANDS:
        raise ValidationError({"count": _("A venue has at most %(n)s stands.") % {"n": MAX_STANDS}})
    stands = [Stand.objects.create(venue=venue, number=last + i) for i in range(1, count + 1)]
    audit_log(
        action="booths.stands.added",
        obj=venue,
        user=by,
        expo_id=expo.pk,
        numbers=[s.number for s in stands],
    )
    return stands


@transaction.atomic
def stand_assign(*, stand: Stand, by: User, booth: Booth | None) -> Stand:
    """Give the stand to a booth of the same expo (or free it). A booth has at most one stand."""
    expo = stand.venue.expo
    _require_organiser(expo, by)
    if booth is not None and booth.expo_id != expo.pk:
        raise ValidationError({"booth": _("Choose a booth of this expo.")})
    before = stand.booth_id
    stand.booth = booth
    try:
        with transaction.atomic():
            stand.save(update_fields=["booth"])
    except IntegrityError as error:
        raise ValidationError({"booth": _("This booth has a stand already.")}) from error
    audit_log(
        action="booths.stand.assigned",
        obj=stand,
        user=by,
        expo_id=expo.pk,
        number=stand.number,
        booth=[before, booth.pk if booth else None],
    )
    return stand
