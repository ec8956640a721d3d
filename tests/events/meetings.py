"""A confirmed meeting between a booth's vendor and a buyer, built straight in the database, for
the meeting room's tests (the requests and confirmations that lead to one have their own)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from events.matching.models import Meeting, MeetingParticipant, MeetingStatus


def make_meeting(
    booth,
    *,
    buyer,
    vendor_user,
    starts_in: timedelta = timedelta(minutes=2),
    minutes: int = 30,
    status: str = MeetingStatus.CONFIRMED,
    external_link: str = "",
    extra: tuple = (),
) -> Meeting:
    """``extra``: (user, side) of the others in it (a colleague, an interpreter)."""
    starts = timezone.now() + starts_in
    ends = starts + timedelta(minutes=minutes)
    meeting = Meeting.objects.create(
        expo=booth.expo,
        vendor=booth.vendor,
        booth=booth,
        buyer=buyer,
        status=status,
        starts_at=starts,
        ends_at=ends,
        agenda="Export of batik tulis to Qatar",
        external_link=external_link,
    )
    active = status == MeetingStatus.CONFIRMED
    for user, side in ((buyer, "buyer"), (vendor_user, "vendor"), *extra):
        MeetingParticipant.objects.create(
            meeting=meeting, user=user, side=side, starts_at=starts, ends_at=ends, is_active=active
        )
    return meeting
