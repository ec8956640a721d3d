"""The organiser's suggested pairs a page at a time in a real browser: with more suggestions than
a page holds, "More suggestions" shows the next ones (none of the first page again) under the same
filter, and "Better suggestions" goes back."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

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


def test_the_organiser_pages_through_the_suggestions(daphne_server, page):
    expo = make_matching_expo()
    stands = [make_stand(expo, name=f"Kopi {name}") for name in ("Gayo", "Toraja")]
    for stand in stands:
        publish(stand, wib(10), wib(12))
    for n in range(55):  # two pairs each: 110 suggestions, a page holds 100
        user = make_business_buyer(name=f"Buyer {n:02d}")
        buyers.buyer_profile_save(
            user=user,
            sectors=[stands[0].vendor.sector],
            country="JP",
            buyer_type="importer",
            products="coffee",
        )
    organiser = make_user(name="Organiser")
    office_add_organiser(office=expo.office, user=organiser)

    sign_in(page, daphne_server, organiser)
    page.goto(f"{daphne_server.url}/manage/expos/{expo.slug}/matchmaking/?country=JP")
    rows = page.locator('[data-testid="suggestions"] tbody tr')
    expect(rows).to_have_count(100)
    first = set(rows.evaluate_all("rows => rows.map(r => r.dataset.pair)"))
    page.get_by_test_id("next-suggestions").click()
    expect(rows).to_have_count(10)
    second = set(rows.evaluate_all("rows => rows.map(r => r.dataset.pair)"))
    assert not first & second
    assert "country=JP" in page.url and "page=2" in page.url
    page.screenshot(path=str(ARTIFACTS / "matchmaking-page-2.png"), full_page=True)
    page.get_by_role("link", name="Better suggestions").click()
    expect(rows).to_have_count(100)
