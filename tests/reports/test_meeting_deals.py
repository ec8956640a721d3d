"""Meeting deals in the potential-deal figures: a deal the vendor recorded after a meeting counts
(apart from omzet); a no-show's or another outcome does not; one query however many meetings."""

from __future__ import annotations

from datetime import timedelta

import pytest

from booths.models import VendorMembership
from events.call import services
from expo import permissions
from expo.reports.figures.meetings import meeting_deals, with_meeting_deals
from expo.reports.figures.rows import Deals
from tests.events.meetings import make_meeting

pytestmark = pytest.mark.django_db


def test_meeting_deals_add_to_the_potential_deals(
    make_expo, make_booth, make_user, django_assert_num_queries
):
    booth = make_booth(make_expo("open"))
    vendor = make_user(name="Budi Vendor")
    VendorMembership.objects.create(vendor=booth.vendor, user=vendor)
    permissions.forget(vendor)
    meetings = [
        make_meeting(
            booth,
            buyer=make_user(),
            vendor_user=vendor,
            starts_in=timedelta(minutes=-120 + 40 * i),
        )
        for i in range(3)
    ]
    services.meeting_outcome_record(
        meeting=meetings[0], by=vendor, outcome="deal", deal_value="12500000"
    )
    services.meeting_outcome_record(meeting=meetings[1], by=vendor, outcome="interested")
    services.meeting_outcome_record(meeting=meetings[2], by=vendor, outcome="deal", deal_value=500)
    # The vendor then says nobody came to the third: it no longer counts.
    services.meeting_mark(meeting=meetings[2], by=vendor, mark="no_show")
    other_expo_booth = make_booth(make_expo("open"))
    VendorMembership.objects.create(vendor=other_expo_booth.vendor, user=vendor)
    permissions.forget(vendor)

    with django_assert_num_queries(1):
        found = meeting_deals(booth.expo)
    assert (found.count, found.value) == (1, 12_500_000)
    deals = with_meeting_deals(
        Deals(count=2, value=1_000, verified_count=1, verified_value=400), booth.expo.pk
    )
    assert (deals.count, deals.value) == (3, 12_501_000)
    assert (deals.verified_count, deals.verified_value) == (1, 400)
    assert meeting_deals(other_expo_booth.expo).count == 0
