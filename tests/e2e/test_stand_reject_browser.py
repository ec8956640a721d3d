"""Rejecting a stand sale in Chromium against the real server: the organiser sees the dashboard's
omzet with three sales recorded at a stand, reaches "Sales at the stands" from the "Mall & stands"
tab, opens Reject beside a sale, gives the reason and confirms; the sale is listed as rejected with
its reason and leaves the sample; a sampled duplicate is rejected from the sample, a new sample
signed off; the dashboard's omzet drops by exactly the rejected sales' totals. The vendor, on a phone, sees in
its stand-sales list that the sale was rejected and why. Screenshots go to
test-artifacts/stand-reject-*.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from booths.models import VendorMembership
from booths.services import stands as stand_services
from expo import permissions
from payments.models import OfflineSale
from payments.services import offline
from tests.e2e.conftest import DaphneServer, sign_in

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"stand-reject-{name}.png"), full_page=True)


def _omzet(page: Page, server: DaphneServer, slug: str) -> tuple[int, int]:
    """The dashboard's omzet (the headline figure and the expo's own in the channel split)."""
    page.goto(f"{server.url}/manage/expos/{slug}/dashboard/")
    headline = page.get_by_test_id("kpi-omzet").locator("[data-figure=omzet]")
    own = page.get_by_test_id("split-expo").locator("strong")
    return int(headline.get_attribute("data-value")), int(own.get_attribute("data-value"))


def test_the_organiser_rejects_a_stand_sale_and_the_omzet_drops(
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
    booth.products.update(stock=50)
    seller = make_user(email="penjual@example.com")
    VendorMembership.objects.create(vendor=booth.vendor, user=seller, role="owner")
    permissions.forget(seller)
    venue = stand_services.venue_save(expo=expo, by=organiser, name="PRPP Semarang, Hall B")
    (stand,) = stand_services.stands_add(venue=venue, by=organiser, count=1)
    stand_services.stand_assign(stand=stand, by=organiser, booth=booth)
    first, second = booth.products.order_by("pk")[:2]
    kept = offline.offline_sale_record(
        booth=booth,
        by=seller,
        lines=[offline.StandLine(first, 1)],
        payment_method="cash",
        receipt_number="NOTA-0017",
    )
    wrong = offline.offline_sale_record(
        booth=booth,
        by=seller,
        lines=[offline.StandLine(first, 2), offline.StandLine(second, 1)],
        payment_method="qris",
        receipt_number="NOTA-0018",
    )
    duplicate = offline.offline_sale_record(
        booth=booth,
        by=seller,
        lines=[offline.StandLine(second, 1)],
        payment_method="cash",
        receipt_number="NOTA-0019",
    )
    server = daphne_server
    everything = kept.total + wrong.total + duplicate.total

    sign_in(page, server, organiser)
    before = _omzet(page, server, expo.slug)
    assert before == (everything, everything)

    # From the workspace's tabs to the stand sales; Reject beside NOTA-0018, with a reason.
    page.goto(f"{server.url}/manage/expos/{expo.slug}/")
    page.get_by_test_id("tab-hybrid").click()
    page.get_by_test_id("subnav-sales").click()
    expect(page.get_by_test_id("unverified")).to_contain_text("NOTA-0018")
    page.get_by_test_id(f"reject-{wrong.pk}").locator("summary").click()
    page.get_by_test_id(f"reject-reason-{wrong.pk}").fill("No such receipt in the cash book")
    _shot(page, "organiser-confirm")
    page.get_by_test_id(f"reject-confirm-{wrong.pk}").click()
    rejected = page.get_by_test_id(f"rejected-{wrong.pk}")
    expect(rejected).to_contain_text("No such receipt in the cash book")
    expect(page.get_by_test_id("unverified")).not_to_contain_text("NOTA-0018")
    expect(page.get_by_test_id("offline-rejected")).not_to_have_text("Rp 0")
    _shot(page, "organiser-page")
    assert OfflineSale.objects.get(pk=wrong.pk).is_rejected

    # A sample of what is left: the rejected sale is not in it; a sampled duplicate is rejected
    # from the sample (its own form beside the sign-off's), then a new sample is signed off.
    page.get_by_test_id("draw-sample").click()
    sample = page.get_by_test_id("sample")
    expect(sample).to_contain_text("NOTA-0019")
    expect(sample).not_to_contain_text("NOTA-0018")
    page.get_by_test_id(f"reject-{duplicate.pk}").locator("summary").click()
    page.get_by_test_id(f"reject-reason-{duplicate.pk}").fill("Duplicate of NOTA-0017")
    _shot(page, "sample")
    page.get_by_test_id(f"reject-confirm-{duplicate.pk}").click()
    expect(page.get_by_test_id(f"rejected-{duplicate.pk}")).to_contain_text("Duplicate of")
    page.get_by_test_id("draw-sample").click()
    expect(page.get_by_test_id("sample")).not_to_contain_text("NOTA-0019")
    page.locator("input[name=checked]").check()
    page.locator("#signoff-note").fill("Receipts against the cash book")
    page.get_by_test_id("sign-off").click()
    expect(page.get_by_test_id("offline-unverified")).to_have_text("Rp 0")
    assert OfflineSale.objects.get(pk=kept.pk).is_verified
    assert OfflineSale.objects.get(pk=duplicate.pk).is_rejected

    after = _omzet(page, server, expo.slug)
    gone = wrong.total + duplicate.total
    assert after == (before[0] - gone, before[1] - gone)
    page.get_by_test_id("channel-split").scroll_into_view_if_needed()
    _shot(page, "dashboard")

    # The vendor, on a phone, in Indonesian: the sale marked rejected, with the reason.
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="id-ID", timezone_id="Asia/Jakarta"
    )
    mobile = phone.new_page()
    sign_in(mobile, server, seller)
    mobile.goto(f"{server.url}/vendor/{booth.vendor.slug}/stand/?booth={booth.pk}")
    listed = mobile.get_by_test_id("stand-recent").locator("li")
    entry = listed.filter(has=mobile.locator("strong", has_text="NOTA-0018"))
    expect(entry.get_by_test_id("stand-rejected")).to_be_visible()
    expect(entry.get_by_test_id("stand-rejection")).to_contain_text(
        "No such receipt in the cash book"
    )
    verified = listed.filter(has=mobile.locator("strong", has_text="NOTA-0017"))
    expect(verified.get_by_test_id("stand-rejected")).to_have_count(0)
    mobile.get_by_test_id("stand-recent").scroll_into_view_if_needed()
    _shot(mobile, "vendor-list")
    phone.close()
