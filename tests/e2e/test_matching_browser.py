"""Business matching in a real browser: a buyer in Tokyo (the browser's clock and the account in
Asia/Tokyo) finds "Book a meeting" on a booth, sees the vendor's 10:00 WIB slot as 12:00, asks for
it; the vendor, in Jakarta, finds the request in its workspace's "Meetings" tab and accepts it; the
buyer's page then says confirmed, at 12:00 JST, with its calendar invitation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from events.matching.models import Meeting, MeetingStatus
from expo.services import office_add_organiser
from tests.e2e.conftest import ARTIFACTS, DEFAULT_TIMEOUT_MS, sign_in
from tests.events.matching_fixtures import (
    make_business_buyer,
    make_matching_expo,
    make_stand,
    make_user,
    publish,
    wib,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def context_in(browser, browser_context_args):
    contexts = []

    def open_page(zone: str):
        context = browser.new_context(**{**browser_context_args, "timezone_id": zone})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(DEFAULT_TIMEOUT_MS)
        return page

    yield open_page
    for context in contexts:
        context.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"matching-{name}.png"), full_page=True)


def test_tokyo_buyer_requests_a_slot_and_the_vendor_accepts(daphne_server, context_in):
    expo = make_matching_expo()
    stand = make_stand(expo, name="Kopi Gayo Wine")
    publish(stand, wib(10), wib(11))
    buyer = make_business_buyer(name="Hana Tanaka", time_zone="Asia/Tokyo")

    tokyo = context_in("Asia/Tokyo")
    sign_in(tokyo, daphne_server, buyer)
    tokyo.goto(f"{daphne_server.url}/expos/{expo.slug}/booths/{stand.booth.slug}/")
    tokyo.get_by_test_id("book-meeting").scroll_into_view_if_needed()
    shot(tokyo, "booth")
    tokyo.get_by_test_id("book-meeting").click()
    expect(tokyo.get_by_test_id("slot-zone")).to_have_text("Asia/Tokyo")
    slots = tokyo.get_by_test_id("slot")
    expect(slots).to_have_count(2)
    expect(slots.first).to_contain_text("12:00–12:30")
    shot(tokyo, "slots-tokyo")
    slots.first.click()
    tokyo.get_by_label("What would you like to discuss?").fill("Arabica for our cafés in Osaka")
    tokyo.get_by_test_id("request-meeting").click()
    expect(tokyo.get_by_test_id("meeting-status")).to_have_text("Requested")
    expect(tokyo.get_by_test_id("meeting-when")).to_contain_text("12:00–12:30 JST")
    meeting = Meeting.objects.get()
    assert meeting.starts_at == wib(10)

    jakarta = context_in("Asia/Jakarta")
    sign_in(jakarta, daphne_server, stand.member)
    jakarta.goto(f"{daphne_server.url}/vendor/{stand.vendor.slug}/dashboard/")
    jakarta.get_by_test_id("tab-meetings").click()
    requests = jakarta.get_by_test_id("requests")
    expect(requests).to_contain_text("Hana Tanaka")
    expect(requests).to_contain_text("10:00–10:30 WIB")
    shot(jakarta, "vendor-tab")
    requests.get_by_role("link", name="Hana Tanaka").click()
    expect(jakarta.get_by_test_id("buyer-profile")).to_contain_text("Hana Tanaka Trading")
    shot(jakarta, "vendor-meeting")
    jakarta.get_by_test_id("meeting-accept").click()
    expect(jakarta.get_by_test_id("meeting-status")).to_have_text("Confirmed")
    expect(jakarta.get_by_test_id("meeting-when")).to_contain_text("10:00–10:30 WIB")

    tokyo.reload()
    expect(tokyo.get_by_test_id("meeting-status")).to_have_text("Confirmed")
    expect(tokyo.get_by_test_id("meeting-ics")).to_be_visible()
    shot(tokyo, "meeting-confirmed")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CONFIRMED

    # The buyer's menu leads to the business profile; the organiser's tab to the settings.
    tokyo.goto(f"{daphne_server.url}/meetings/")
    expect(tokyo.locator("main").get_by_role("link", name="Kopi Gayo Wine")).to_be_visible()
    tokyo.goto(f"{daphne_server.url}/accounts/business/")
    expect(tokyo.get_by_test_id("consent-standing")).to_be_visible()
    shot(tokyo, "profile")
    organiser = make_user(name="Sri Organiser")
    office_add_organiser(office=expo.office, user=organiser)
    sign_in(jakarta, daphne_server, organiser)
    jakarta.goto(f"{daphne_server.url}/manage/expos/{expo.slug}/")
    jakarta.get_by_test_id("tab-matching").click()
    expect(jakarta.get_by_test_id("matching-settings")).to_be_visible()
    shot(jakarta, "organiser-settings")
