"""Business meetings in the reports: the potential deals vendors record after a meeting (the
outcome "deal" with its value in rupiah, ``events.call.services.meeting_outcome_record``).

Like every potential deal they are never omzet: they are added to the expo's potential-deal
figures (:class:`~expo.reports.figures.rows.Deals`, as recorded and not verified) and shown apart
from the ledger's money. One query per expo, whatever the number of meetings.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.db.models import Count, Sum

from events.matching.models import Meeting, MeetingOutcome, MeetingStatus
from expo.models import Expo
from expo.reports.figures.rows import Deals


@dataclass(frozen=True)
class MeetingDeals:
    """Meetings whose vendor recorded a deal, and the sum of those deals' potential values."""

    count: int = 0
    value: int = 0


def meeting_deals(expo: Expo | int) -> MeetingDeals:
    """The expo's meeting deals: outcome "deal" with a value, of a meeting that took place (a
    meeting marked a no-show by both sides, or cancelled, does not count)."""
    expo_id = expo if isinstance(expo, int) else expo.pk
    row = (
        Meeting.objects.filter(
            expo_id=expo_id, outcome=MeetingOutcome.DEAL, deal_value__isnull=False
        )
        .exclude(status__in=(MeetingStatus.NO_SHOW, MeetingStatus.CANCELLED))
        .aggregate(count=Count("id"), value=Sum("deal_value"))
    )
    return MeetingDeals(count=row["count"] or 0, value=row["value"] or 0)


def with_meeting_deals(deals: Deals, expo: Expo | int) -> Deals:
    """``deals`` (the recorded potential deals) with the expo's meeting deals added to its count and
    value; the verified figures stay the office's own."""
    found = meeting_deals(expo)
    return dataclasses.replace(
        deals, count=deals.count + found.count, value=deals.value + found.value
    )
