"""Reads of business matching: an expo's settings, a vendor's free slots, who may see a meeting,
and the lists of meetings on the buyer's and the vendor's pages.

Slots are not rows: they are cut from the vendor members' published windows
(:class:`~events.matching.models.MeetingAvailability`) at the expo's meeting length, each window
from its own start, inside the expo's matching window. A slot is free when no active meeting of
the vendor overlaps it (and, for a given buyer, none of theirs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from events.matching.models import (
    ACTIVE_STATUSES,
    MatchingSettings,
    Meeting,
    MeetingAvailability,
    MeetingParticipant,
)
from expo import permissions
from expo.models import Expo


@dataclass(frozen=True)
class Window:
    """When meetings can take place at an expo, and how long each lasts."""

    starts_at: datetime
    ends_at: datetime
    length: timedelta
    cancel_cutoff: timedelta


@dataclass
class Slot:
    starts_at: datetime
    ends_at: datetime
    member_ids: list[int] = field(default_factory=list)

    @property
    def key(self) -> str:
        """How a form names the slot: its start in UTC (``2026-06-01T03:00:00Z``)."""
        return slot_key(self.starts_at)


def slot_key(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def settings_of(expo: Expo) -> MatchingSettings | None:
    return MatchingSettings.objects.filter(expo=expo).first()


def window_of(expo: Expo, matching: MatchingSettings | None = None) -> Window | None:
    """The expo's matching window, or None while matching is off."""
    matching = matching if matching is not None else settings_of(expo)
    if matching is None or not matching.enabled:
        return None
    starts = max(matching.starts_at or expo.opens_at, expo.opens_at)
    ends = min(matching.ends_at or expo.closes_at, expo.closes_at)
    if starts >= ends:
        return None
    return Window(
        starts_at=starts,
        ends_at=ends,
        length=timedelta(minutes=matching.meeting_minutes),
        cancel_cutoff=timedelta(minutes=matching.cancel_cutoff_minutes),
    )


def cut_slots(windows: list[tuple[int, datetime, datetime]], window: Window) -> list[Slot]:
    """Slots of ``window.length`` cut from each (member id, start, end) window, each from its own
    start, clipped to the matching window; a slot two members can take is one slot, with both."""
    by_start: dict[tuple[datetime, datetime], Slot] = {}
    for member_id, start, end in windows:
        moment = max(start, window.starts_at)
        if moment > start:  # clipped: keep the window's own grid
            steps = -(-(moment - start) // window.length)
            moment = start + steps * window.length
        last = min(end, window.ends_at)
        while moment + window.length <= last:
            slot = by_start.setdefault(
                (moment, moment + window.length), Slot(moment, moment + window.length)
            )
            if member_id not in slot.member_ids:
                slot.member_ids.append(member_id)
            moment += window.length
    return [by_start[key] for key in sorted(by_start)]


def _overlaps(slot: Slot, busy: list[tuple[datetime, datetime]]) -> bool:
    return any(start < slot.ends_at and slot.starts_at < end for start, end in busy)


def vendor_busy(vendor_id: int, *, exclude: int | None = None) -> list[tuple[datetime, datetime]]:
    meetings = Meeting.objects.filter(vendor_id=vendor_id, status__in=ACTIVE_STATUSES)
    if exclude is not None:
        meetings = meetings.exclude(pk=exclude)
    return list(meetings.values_list("starts_at", "ends_at"))


def person_busy(user_id: int, *, exclude: int | None = None) -> list[tuple[datetime, datetime]]:
    rows = MeetingParticipant.objects.filter(user_id=user_id, is_active=True)
    if exclude is not None:
        rows = rows.exclude(meeting_id=exclude)
    return list(rows.values_list("starts_at", "ends_at"))


def free_slots(
    *,
    expo: Expo,
    vendor_id: int,
    buyer: Any = None,
    now: datetime | None = None,
    window: Window | None = None,
    exclude_meeting: int | None = None,
) -> list[Slot]:
    """The vendor's slots at ``expo`` that nobody holds and that have not started, in time order;
    for ``buyer``, also not while the buyer is in another meeting. Three queries at most."""
    window = window or window_of(expo)
    if window is None:
        return []
    now = now or timezone.now()
    windows = list(
        MeetingAvailability.objects.filter(
            expo=expo,
            vendor_id=vendor_id,
            ends_at__gt=max(now, window.starts_at),
            starts_at__lt=window.ends_at,
        ).values_list("member_id", "starts_at", "ends_at")
    )
    if not windows:
        return []
    busy = vendor_busy(vendor_id, exclude=exclude_meeting)
    if buyer is not None and getattr(buyer, "is_authenticated", False):
        busy += person_busy(buyer.pk, exclude=exclude_meeting)
    return [
        slot
        for slot in cut_slots(windows, window)
        if slot.starts_at > now and not _overlaps(slot, busy)
    ]


def find_slot(
    *, expo: Expo, vendor_id: int, starts_at: datetime, exclude_meeting: int | None = None
) -> Slot | None:
    """The vendor's free slot that starts at ``starts_at``, if there is one."""
    for slot in free_slots(expo=expo, vendor_id=vendor_id, exclude_meeting=exclude_meeting):
        if slot.starts_at == starts_at:
            return slot
    return None


# --- Who sees what -----------------------------------------------------------------------------------


def may_see(user: Any, meeting: Meeting) -> bool:
    """The meeting's people (its buyer, its vendor's members, whoever was seated in it) and the
    organisers of its expo's office. Nobody else, not even to know it exists."""
    if not permissions.is_authenticated(user):
        return False
    if user.pk == meeting.buyer_id or permissions.is_vendor_member(user, meeting.vendor_id):
        return True
    if permissions.can_manage_office(user, meeting.expo.office_id):
        return True
    return MeetingParticipant.objects.filter(meeting=meeting, user=user).exists()


def side_of(user: Any, meeting: Meeting) -> str | None:
    """``buyer`` or ``vendor`` (the side whose steps this person may take), else None."""
    if not permissions.is_authenticated(user):
        return None
    if user.pk == meeting.buyer_id:
        return "buyer"
    if permissions.is_vendor_member(user, meeting.vendor_id):
        return "vendor"
    return None


def meeting_for(user: Any, meeting_id: int) -> Meeting | None:
    """The meeting, if ``user`` may see it; None otherwise (the page answers 404 either way)."""
    meeting = (
        Meeting.objects.select_related("expo", "expo__office", "vendor", "booth", "buyer")
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None or not may_see(user, meeting):
        return None
    return meeting


def _listed(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return meetings.select_related("expo", "vendor", "booth", "buyer").order_by("starts_at", "id")


def buyer_meetings(user: Any) -> QuerySet[Meeting]:
    """Every meeting ``user`` is in (as the buyer or seated), soonest first."""
    return _listed(
        Meeting.objects.filter(
            Q(buyer=user) | Q(pk__in=MeetingParticipant.objects.filter(user=user).values("meeting"))
        ).distinct()
    )


def vendor_meetings(vendor_id: int, *, expo: Expo | None = None) -> QuerySet[Meeting]:
    meetings = Meeting.objects.filter(vendor_id=vendor_id)
    if expo is not None:
        meetings = meetings.filter(expo=expo)
    return _listed(meetings)


def participants_of(meeting: Meeting) -> list[MeetingParticipant]:
    return list(meeting.participants.select_related("user").order_by("side", "id"))


def availability_of(vendor_id: int, expo: Expo) -> QuerySet[MeetingAvailability]:
    return MeetingAvailability.objects.filter(vendor_id=vendor_id, expo=expo).select_related(
        "member"
    )
