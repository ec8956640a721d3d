"""Reads of the expo base: which expos the public sees, and in what order."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q
from django.utils import timezone

from expo.models import Expo, ExpoState

# Open expos first (they are happening now), then the ones about to open, then applications, then
# the archive. Within a group, the soonest deadline first; the archive newest first.
STATE_ORDER = {
    ExpoState.OPEN: 0,
    ExpoState.PUBLISHED: 1,
    ExpoState.ACCEPTING: 2,
    ExpoState.MALL: 3,  # closed, its catalogue still selling: before the archive
    ExpoState.CLOSED: 4,
}


def public_expos(*, now: datetime | None = None, closed_limit: int = 6) -> list[Expo]:
    """Every announced expo with its number of booths in the hall, in one query.

    Each expo carries ``current_state`` (at ``now``) and ``booth_count``; draft expos are left out.
    """
    now = now or timezone.now()
    expos = list(
        Expo.objects.filter(applications_open_at__lte=now)
        .select_related("office")
        # "booths" is the booths app's reverse relation, read by name: the base imports no app.
        .annotate(booth_count=Count("booths", filter=Q(booths__is_active=True)))
    )
    for expo in expos:
        expo.current_state = expo.state_at(now)

    def order(expo: Expo) -> tuple:
        state = expo.current_state
        if state == ExpoState.OPEN:
            moment = expo.closes_at.timestamp()
        elif state == ExpoState.PUBLISHED:
            moment = expo.opens_at.timestamp()
        elif state == ExpoState.ACCEPTING:
            moment = expo.application_deadline.timestamp()
        else:
            moment = -expo.closes_at.timestamp()
        return (STATE_ORDER[state], moment, expo.pk)

    expos.sort(key=order)
    closed = [e for e in expos if e.current_state == ExpoState.CLOSED]
    if len(closed) > closed_limit:
        dropped = {e.pk for e in closed[closed_limit:]}
        expos = [e for e in expos if e.pk not in dropped]
    return expos
