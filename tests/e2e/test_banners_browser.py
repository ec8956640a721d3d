"""Banner promotions in Chromium against the real server: an impression counts only once the banner
is on screen (at least half of it, for a second), and a click followed by a purchase in the same
session shows up in the campaign's report with the right omzet.

The purchase goes through the real pages (product page, cart, checkout with the manual bank
transfer); the organiser's confirmation of the transfer is made through ``payments.services``.
The server writes impressions and clicks from its in-memory buffer every ``VISITS_FLUSH_SECONDS``
(5 s by default), so the test polls the database for them."""

from __future__ import annotations

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from playwright.sync_api import Page, expect

from expo.banners import services as banner_services
from expo.banners.models import BannerCampaign, BannerClick, BannerImpression
from expo.money import format_rupiah
from payments.models import CollectingAccount, Order, Payment
from tests.e2e.conftest import ARTIFACTS, DaphneServer, sign_in

pytestmark = pytest.mark.e2e

FLUSH_WAIT_S = 20


def _image(width: int, height: int) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 110, 90)).save(out, format="JPEG")
    return SimpleUploadedFile("banner.jpg", out.getvalue(), content_type="image/jpeg")


def _place(expo, organiser, *, slot: str, booth, **extra) -> BannerCampaign:
    slots = banner_services.slots_ensure()
    first, last = banner_services.expo_days(expo)
    values = {
        "expo": expo,
        "slot": slots[slot],
        "target": BannerCampaign.Target.BOOTH,
        "booth": booth,
        "title_en": "Batik week",
        "image_en": _image(slots[slot].width, slots[slot].height),
        "starts_on": first,
        "ends_on": last,
        "by": organiser,
    }
    values.update(extra)
    return banner_services.banner_place(**values)


def _wait_for(count, expected: int, timeout: float = FLUSH_WAIT_S) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (n := count()) >= expected:
            return n
        time.sleep(0.25)
    return count()


def test_a_banner_below_the_fold_counts_no_impression_until_scrolled_into_view(
    page: Page, daphne_server: DaphneServer, make_expo, make_organiser, make_booth
):
    server = daphne_server
    organiser = make_organiser(name="Sri Wahyuni")
    expo = make_expo("open", office=organiser.offices.get(), slug="expo-banner-fold")
    host = make_booth(expo, name="Kopi Gunung")
    promoted = make_booth(expo, name="Batik Sekar")
    campaign = _place(expo, organiser, slot="booth_page", booth=promoted)

    page.set_viewport_size({"width": 1280, "height": 420})
    with page.expect_response(lambda r: "/b/slot/" in r.url) as served:
        page.goto(f"{server.url}/expos/{expo.slug}/booths/{host.slug}/")
    assert served.value.ok
    banner = page.get_by_test_id("banner")
    expect(banner).to_have_count(1)
    top = banner.evaluate("el => el.getBoundingClientRect().top")
    assert top > page.viewport_size["height"], "the banner should start below the fold"

    # Well over a second on the page, and longer than the server's flush: nothing counted.
    page.wait_for_timeout(2500)
    beacons: list[str] = []
    page.on("request", lambda r: beacons.append(r.url) if "/b/seen/" in r.url else None)
    assert _wait_for(lambda: BannerImpression.objects.filter(campaign=campaign).count(), 1, 6) == 0
    assert beacons == []

    # A glimpse shorter than a second does not count either.
    banner.scroll_into_view_if_needed()
    page.mouse.wheel(0, -2000)
    page.wait_for_timeout(1500)
    assert beacons == []

    # On screen for a second: one impression, reported in one beacon.
    with page.expect_request(lambda r: "/b/seen/" in r.url and r.method == "POST", timeout=8000):
        banner.scroll_into_view_if_needed()
    assert _wait_for(lambda: BannerImpression.objects.filter(campaign=campaign).count(), 1) == 1

    # Seen again in the same hour (a reload): still one.
    page.reload()
    page.get_by_test_id("banner").scroll_into_view_if_needed()
    page.wait_for_timeout(2500)
    assert BannerImpression.objects.filter(campaign=campaign).count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "banners-booth-page.png"))


def test_a_click_and_a_purchase_in_the_same_session_show_in_the_campaigns_report(
    page: Page, daphne_server: DaphneServer, make_expo, make_organiser, make_booth
):
    server = daphne_server
    organiser = make_organiser(name="Sri Wahyuni")
    expo = make_expo("open", office=organiser.offices.get(), slug="expo-banner-sale")
    CollectingAccount.objects.create(
        expo=expo, bank_name="Bank Jateng", account_number="2-034-56789-0", account_holder="Dinkop"
    )
    booth = make_booth(expo, name="Batik Sekar", prices=(125_000,))
    make_booth(expo, name="Kopi Gunung")
    product = booth.products.get()
    campaign = _place(
        expo, organiser, slot="hall_hero", booth=None, target="product", product=product
    )

    # A buyer (a guest) sees the banner in the hall's carousel and clicks it.
    page.goto(f"{server.url}/expos/{expo.slug}/")
    banner = page.locator(".banner-area-hall_hero").get_by_test_id("banner")
    expect(banner).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "banners-hall.png"))
    banner.get_by_role("link").click()
    expect(page).to_have_url(
        f"{server.url}/expos/{expo.slug}/booths/{booth.slug}/products/{product.slug}/"
    )

    # ... and buys it: cart, checkout, bank transfer.
    page.get_by_test_id("add-to-cart").click()
    page.wait_for_timeout(500)
    page.goto(f"{server.url}/cart/")
    page.get_by_test_id("checkout").click()
    page.locator("#id_email").fill("ayu@example.com")
    page.locator("#id_name").fill("Ayu Lestari")
    page.locator("#id_phone").fill("+62 812 3456 7890")
    page.locator("#id_address").fill("Jl. Pemuda 12")
    page.locator("#id_city").fill("Semarang")
    page.locator("#id_province").select_option("Jawa Tengah")
    page.locator("#id_postal_code").fill("50132")
    page.get_by_test_id("place-order").click()
    page.wait_for_url("**/orders/**")

    order = Order.objects.get(expo=expo)
    assert (order.channel, order.attribution_id) == ("banner", campaign.pk)

    # The organiser sees the transfer arrive (payments' own service writes the sales ledger).
    from payments import services as payment_services

    payment = Payment.objects.get(order=order)
    payment_services.payment_confirm(payment=payment, by=organiser)

    assert _wait_for(lambda: BannerClick.objects.filter(campaign=campaign).count(), 1) == 1
    sign_in(page, server, organiser)
    page.goto(f"{server.url}/manage/expos/{expo.slug}/banners/{campaign.pk}/")
    report = page.get_by_test_id("banner-report")
    expect(report.get_by_test_id("report-clicks")).to_have_text("1")
    expect(report.get_by_test_id("report-orders")).to_have_text("1")
    expect(report.get_by_test_id("report-omzet")).to_have_text(format_rupiah(order.subtotal))
    assert order.subtotal == 125_000
    page.screenshot(path=str(ARTIFACTS / "banners-report.png"), full_page=True)
