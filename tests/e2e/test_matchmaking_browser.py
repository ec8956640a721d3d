"""The organiser's matchmaking in a real browser: from the expo workspace's "Matchmaking" tab, the
suggested pairs with their reasons; two are ticked and proposed at once; the page reports each
pair and counts the meetings per vendor, buyer country and sector."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from events.matching.models import Meeting, MeetingStatus
from expo import buyers
from expo.services import office_add_organiser
from tests.e2e.conftest import ARTIFACTS, sign_in
from tests.events.matching_fixtures import (
    make_business_buyer,
    make_matching_expo,
    make_stand,
    make_user,
    publish,
    wib,
)

pytestmark = pytest.mark.e2e


def test_the_organiser_proposes_suggested_pairs_in_bulk(daphne_server, page):
    expo = make_matching_expo()
    stands = [make_stand(expo, name=name) for name in ("Kopi Gayo", "Kopi Toraja")]
    for stand in stands:
        publish(stand, wib(10), wib(11))
    hana = make_business_buyer(name="Hana Tanaka")
    profile = buyers.profile_of(hana)
    buyers.buyer_profile_save(
        user=hana,
        sectors=[stands[0].vendor.sector],
        company=profile.company,
        country="JP",
        buyer_type="importer",
        products="coffee beans",
    )
    organiser = make_user(name="Organiser")
    office_add_organiser(office=expo.office, user=organiser)

    sign_in(page, daphne_server, organiser)
    page.goto(f"{daphne_server.url}/manage/expos/{expo.slug}/")
    page.get_by_test_id("tab-matchmaking").click()
    rows = page.get_by_test_id("suggestions").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Same sector: Coffee")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "matchmaking-suggestions.png"), full_page=True)
    for n in range(2):
        rows.nth(n).locator("input[type=checkbox]").check()
    page.get_by_test_id("propose-bulk").click()
    results = page.get_by_test_id("bulk-results").locator("tbody tr")
    expect(results).to_have_count(2)
    expect(results.first).to_contain_text("Proposed for")
    # Hana cannot be in two meetings at 10:00: the second gets her next free time, 10:30.
    expect(results.nth(1)).to_contain_text("10:30")
    expect(page.get_by_test_id("meetings-by-country")).to_contain_text("Japan")
    page.screenshot(path=str(ARTIFACTS / "matchmaking-proposed.png"), full_page=True)
    assert Meeting.objects.filter(status=MeetingStatus.PROPOSED).count() == 2
