"""Mall & stands in Chromium against the real server (issue 18): the organiser reaches the
"Mall & stands" tab, sets the venue and a stand for a booth, opens the stand's card, keeps the
catalogue open as a mall (a date, then a confirmation); the vendor reaches "At the stand" from its
workspace tabs on a phone-sized screen and records a sale; the organiser sees it unverified,
verifies it, and the dashboard shows the expo, the mall and the total apart. A buyer in the mall
sees the hall's mall banner. Screenshots of each page go to test-artifacts/hybrid-*.png."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from booths.models import VendorMembership
from expo import permissions
from expo.models import Expo
from payments.models import OfflineSale
from tests.e2e.conftest import DaphneServer, sign_in

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"hybrid-{name}.png"), full_page=True)


def test_mall_and_stands_walk(
    page: Page,
    browser: Browser,
    daphne_server: DaphneServer,
    make_organiser,
    make_expo,
    make_booth,
    make_user,
):
    organiser = make_organiser(name="Sri Organiser")
    expo = make_expo("open", office=organiser.offices.get())
    booth = make_booth(expo, name="Batik Sekar", prices=(85_000, 40_000))
    make_booth(expo, name="Kopi Gunung")
    seller = make_user(email="penjual@example.com")
    VendorMembership.objects.create(vendor=booth.vendor, user=seller, role="owner")
    permissions.forget(seller)
    server = daphne_server

    # The organiser: the tab, the venue, two stands, the first for Batik Sekar, its card.
    sign_in(page, server, organiser)
    page.goto(f"{server.url}/manage/expos/{expo.slug}/")
    page.get_by_test_id("tab-hybrid").click()
    expect(page.get_by_test_id("mall")).to_be_visible()
    page.get_by_test_id("subnav-stands").click()
    form = page.get_by_test_id("venue-form")
    form.locator("input[name=name]").fill("PRPP Semarang, Hall B")
    form.locator("button[type=submit]").click()
    adding = page.get_by_test_id("stands-add")
    adding.locator("input[name=count]").fill("2")
    adding.locator("button[type=submit]").click()
    row = page.locator("tr[data-stand='1']")
    row.locator("select[name=booth]").select_option(label="Batik Sekar")
    row.locator("button[type=submit]").click()
    expect(page.get_by_test_id("card-1")).to_be_visible()
    _shot(page, "stands")
    card = page.request.get(server.url + page.get_by_test_id("card-1").get_attribute("href"))
    assert card.status == 200 and card.headers["content-type"] == "application/pdf"

    # The vendor on a phone: the workspace tab, a sale at the stand.
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="id-ID", timezone_id="Asia/Jakarta"
    )
    mobile = phone.new_page()
    sign_in(mobile, server, seller)
    mobile.goto(f"{server.url}/vendor/{booth.vendor.slug}/orders/")
    mobile.get_by_test_id("nav-stand").click()
    expect(mobile.get_by_test_id("stand-sale")).to_be_visible()
    mobile.get_by_test_id("qty").first.fill("2")
    mobile.locator("input[name=payment_method][value=qris]").check()
    mobile.get_by_test_id("receipt").fill("NOTA-0017")
    _shot(mobile, "vendor-stand-phone")
    mobile.get_by_test_id("stand-record").click()
    expect(mobile.get_by_test_id("stand-recent")).to_contain_text("NOTA-0017")
    _shot(mobile, "vendor-stand-recorded")
    phone.close()

    # The organiser: unverified apart, then verified.
    page.goto(f"{server.url}/manage/expos/{expo.slug}/mall/")
    page.get_by_test_id("subnav-sales").click()
    expect(page.get_by_test_id("offline-unverified")).not_to_have_text("Rp 0")
    _shot(page, "stand-sales")
    sale = OfflineSale.objects.get()
    page.get_by_test_id(f"verify-{sale.pk}").click()
    expect(page.get_by_test_id("offline-unverified")).to_have_text("Rp 0")

    # The mall: closed an hour ago; the organiser keeps the catalogue open for two weeks.
    now = timezone.now()
    Expo.objects.filter(pk=expo.pk).update(
        opens_at=now - timedelta(days=3), closes_at=now - timedelta(hours=1)
    )
    page.goto(f"{server.url}/manage/expos/{expo.slug}/mall/")
    until = (now + timedelta(days=14)).astimezone(timezone.get_fixed_timezone(420))
    page.locator("input[name=until]").fill(until.strftime("%Y-%m-%dT%H:%M"))
    _shot(page, "mall")
    page.get_by_test_id("mall-set").click()
    expect(page.get_by_test_id("mall-confirm")).to_be_visible()
    _shot(page, "mall-confirm")
    page.get_by_test_id("mall-confirm-button").click()
    expect(page.get_by_test_id("mall-until")).to_contain_text("Open now")

    page.goto(f"{server.url}/manage/expos/{expo.slug}/dashboard/")
    expect(page.get_by_test_id("channel-split")).to_be_visible()
    page.get_by_test_id("channel-split").scroll_into_view_if_needed()
    _shot(page, "dashboard-split")

    # A visitor in Tokyo: the hall says the expo has ended and the mall is open until a date in
    # their zone.
    visitor = browser.new_context(locale="en-US", timezone_id="Asia/Tokyo")
    hall = visitor.new_page()
    hall.goto(f"{server.url}/expos/{expo.slug}/booths/{booth.slug}/")
    banner = hall.get_by_test_id("mall-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("JST")
    _shot(hall, "hall-mall")
    visitor.close()
