"""The whole path of a booth, each person in the browser: an UMKM registers and applies, the organiser
approves it in the curation queue, the vendor adds a product, and once the expo opens a buyer finds
the product with the hall's search and opens it. Screenshots of the hall, booth and product pages at
desktop and phone widths go to ``test-artifacts/``."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from booths.models import Booth, BoothApplication
from tests.conftest import move_to
from tests.e2e.conftest import ARTIFACTS, DaphneServer, sign_in

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def jpeg(colour: tuple[int, int, int], size: tuple[int, int] = (640, 480)) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, colour)
    # A second colour block, so the re-encoded photo is not a flat square.
    image.paste((250, 240, 220), (size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2))
    image.save(out, format="JPEG")
    return out.getvalue()


def test_from_application_to_a_buyer_opening_the_product(
    page: Page,
    daphne_server: DaphneServer,
    make_user,
    make_expo,
    make_organiser,
    make_booth,
    regions,
    sectors,
):
    server = daphne_server
    organiser = make_organiser(name="Sri Wahyuni")
    expo = make_expo("accepting", office=organiser.offices.get(), slug="expo-jateng")
    for _ in range(3):  # neighbours in the hall, so the search has something to leave out
        make_booth(expo)

    # 1. The vendor registers its UMKM and applies.
    vendor_user = make_user(name="Siti Aminah")
    sign_in(page, server, vendor_user)
    page.goto(f"{server.url}/vendor/")
    page.get_by_test_id("register-vendor").click()
    form = page.get_by_test_id("vendor-form")
    form.locator("#id_name").fill("Tenun Lurik Klaten")
    form.locator("#id_owner_name").fill("Siti Aminah")
    form.locator("#id_nib").fill("9120001234567")
    form.locator("#id_sector").select_option(str(sectors[1].pk))
    form.locator("#id_region").select_option(str(regions[2].pk))
    form.locator("#id_whatsapp").fill("0813 2222 4444")
    form.locator("#id_story").fill("Woven on wooden looms in Pedan.")
    form.locator("button[type=submit]").first.click()
    expect(page.get_by_test_id("business-card")).to_contain_text("Tenun Lurik Klaten")

    page.get_by_test_id("apply").click()
    form = page.get_by_test_id("application-form")
    form.locator("#id_nib_document").set_input_files(
        files=[{"name": "nib.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    form.locator("#id_photos").set_input_files(
        files=[{"name": "lurik.jpg", "mimeType": "image/jpeg", "buffer": jpeg((30, 60, 110))}]
    )
    form.locator("input[name=stock][value=ready]").check()
    form.locator("#id_declared_turnover").fill("1.200.000.000")
    form.locator("button[type=submit]").first.click()
    expect(page.get_by_test_id("application-status")).to_have_text("Waiting for review")
    application = BoothApplication.objects.get(vendor__name="Tenun Lurik Klaten")

    # 2. The organiser approves it from the queue; the vendor is e-mailed.
    sign_in(page, server, organiser)
    page.goto(f"{server.url}/manage/expos/{expo.slug}/applications/")
    page.get_by_role("link", name="Tenun Lurik Klaten").click()
    page.get_by_role("button", name="Approve and open a booth").click()
    expect(page.locator(".flash-success")).to_contain_text("Tenun Lurik Klaten is approved")
    assert "Approved" in server.wait_for_mail(vendor_user.email)["Subject"]
    booth = Booth.objects.get(application=application)

    # 3. The vendor adds a product to the new booth.
    sign_in(page, server, vendor_user)
    page.goto(f"{server.url}/vendor/")
    page.get_by_role("link", name="Products").first.click()
    page.get_by_test_id("add-product").click()
    form = page.get_by_test_id("product-form")
    form.locator("#id_name_en").fill("Lurik shawl, indigo")
    form.locator("#id_name_id").fill("Selendang lurik nila")
    form.locator("#id_description_en").fill("Hand-woven cotton, 180 × 50 cm.")
    form.locator("#id_category").select_option("batik")
    form.locator("#id_price").fill("185.000")
    form.locator("#id_stock").fill("20")
    form.locator("#id_photos").set_input_files(
        files=[{"name": "shawl.jpg", "mimeType": "image/jpeg", "buffer": jpeg((40, 50, 120))}]
    )
    form.locator("button[type=submit]").first.click()
    expect(page.get_by_test_id("product-photos").locator("img")).to_have_count(1)

    # 4. The expo opens; a buyer searches the hall, finds the booth and opens the product.
    move_to(expo, "open")
    sign_in(page, server, make_user(name="Emily Tan", country="SG"))
    page.goto(f"{server.url}/expos/{expo.slug}/")
    expect(page.locator(".bcard")).to_have_count(4)
    page.locator("#id_q").fill("lurik")
    page.locator("#id_q").press("Enter")
    cards = page.locator(".bcard")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Tenun Lurik Klaten")
    cards.first.get_by_role("link", name="Tenun Lurik Klaten").first.click()
    expect(page).to_have_url(f"{server.url}/expos/{expo.slug}/booths/{booth.slug}/")
    expect(page.locator("h1")).to_have_text("Tenun Lurik Klaten")
    page.get_by_role("link", name="Lurik shawl, indigo").first.click()
    expect(page.locator("h1")).to_have_text("Lurik shawl, indigo")
    expect(page.get_by_test_id("price")).to_contain_text("Rp 185.000")

    ARTIFACTS.mkdir(exist_ok=True)
    product_url = page.url
    for width, label in ((1280, "desktop"), (390, "phone")):
        page.set_viewport_size({"width": width, "height": 900})
        for name, url in (
            ("hall", f"{server.url}/expos/{expo.slug}/"),
            ("booth", f"{server.url}/expos/{expo.slug}/booths/{booth.slug}/"),
            ("product", product_url),
        ):
            page.goto(url)
            page.screenshot(path=ARTIFACTS / f"marketplace-{name}-{label}.png", full_page=True)
