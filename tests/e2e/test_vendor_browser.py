"""The vendor workspace in a real browser against the real server: an account registers its UMKM,
applies with documents and photos, is approved, edits its booth (a refused video shows on its
field), adds a product with a typed rupiah price and a photo, and previews the booth."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from booths import services
from booths.models import BoothApplication, Vendor
from tests.e2e.conftest import DaphneServer, sign_in

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def jpeg(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (480, 360), colour).save(out, format="JPEG")
    return out.getvalue()


def test_vendor_registers_applies_and_sets_up_its_booth(
    page: Page, daphne_server: DaphneServer, make_user, make_expo, make_organiser, regions, sectors
):
    server = daphne_server
    expo = make_expo("accepting", slug="pekan-kriya")
    user = make_user(name="Sri Lestari")
    sign_in(page, server, user)

    # No business yet: the invitation, then registration.
    page.goto(f"{server.url}/vendor/")
    page.get_by_test_id("register-vendor").click()
    form = page.get_by_test_id("vendor-form")
    form.locator("#id_name").fill("Batik Sekar Jagad")
    form.locator("#id_owner_name").fill("Sri Lestari")
    form.locator("#id_nib").fill("9120 0012 3456 7")
    form.locator("#id_sector").select_option(str(sectors[1].pk))
    form.locator("#id_region").select_option(str(regions[1].pk))
    form.locator("#id_whatsapp").fill("0812-3456-7890")
    form.locator("#id_story").fill("Hand-drawn batik since 1998.")
    form.locator("button[type=submit]").first.click()
    card = page.get_by_test_id("business-card")
    expect(card).to_contain_text("Batik Sekar Jagad")
    expect(card).to_contain_text("+62 812-3456-7890")
    vendor = Vendor.objects.get()

    # Apply: documents and several photos at once.
    page.get_by_test_id("apply").click()
    form = page.get_by_test_id("application-form")
    form.locator("#id_nib_document").set_input_files(
        files=[{"name": "nib.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    form.locator("#id_photos").set_input_files(
        files=[
            {"name": "one.jpg", "mimeType": "image/jpeg", "buffer": jpeg((200, 80, 20))},
            {"name": "two.jpg", "mimeType": "image/jpeg", "buffer": jpeg((20, 80, 200))},
        ]
    )
    form.locator("input[name=stock][value=ready]").check()
    form.locator("#id_motivation").fill("To meet buyers abroad.")
    form.locator("#id_declared_turnover").fill("750.000.000")  # the size class, naik kelas
    form.locator("button[type=submit]").first.click()
    expect(page.get_by_test_id("application-status")).to_have_text("Waiting for review")
    application = BoothApplication.objects.get(vendor=vendor)
    assert application.photos.count() == 2

    # The organisers approve (their own pages have their own test).
    services.application_approve(application=application, by=make_organiser(office=expo.office))

    # The booth: a video off the allow-list is refused on its field, then saved.
    page.goto(f"{server.url}/vendor/")
    page.get_by_role("link", name="Set up your booth").first.click()
    form = page.get_by_test_id("booth-form")
    form.locator("#id_tagline_en").fill("Hand-drawn batik from Purbalingga")
    form.locator("#id_video_url").fill("https://video.example.com/watch?v=1")
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-field=video_url] .errorlist")).to_contain_text(
        "Only YouTube and Vimeo"
    )
    page.get_by_test_id("booth-form").locator("#id_video_url").fill(
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    )
    page.get_by_test_id("booth-form").locator("button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("Your booth was saved.")

    # A product with a price typed the Indonesian way and a photo.
    page.get_by_role("link", name="Products").first.click()
    page.get_by_test_id("add-product").click()
    form = page.get_by_test_id("product-form")
    form.locator("#id_name_en").fill("Batik scarf, hand-drawn")
    form.locator("#id_name_id").fill("Selendang batik tulis")
    form.locator("#id_category").select_option("batik")
    form.locator("#id_price").fill("275.000")
    form.locator("#id_stock").fill("12")
    form.locator("#id_photos").set_input_files(
        files=[{"name": "scarf.jpg", "mimeType": "image/jpeg", "buffer": jpeg((120, 30, 60))}]
    )
    expect(form.locator("[data-preorder-fields]")).to_be_hidden()
    form.locator("#id_is_preorder").check()
    expect(form.locator("[data-preorder-fields]")).to_be_visible()
    form.locator("#id_is_preorder").uncheck()
    form.locator("button[type=submit]").first.click()
    expect(page.get_by_test_id("product-photos").locator("img")).to_have_count(1)
    page.get_by_role("link", name="Products").first.click()
    expect(page.get_by_test_id("product-list")).to_contain_text("Rp 275.000")

    # The preview of the booth before the hall is published.
    with page.expect_popup() as popup:
        page.get_by_test_id("booth-public-link").click()
    preview = popup.value
    expect(preview.get_by_test_id("preview-banner")).to_be_visible()
    expect(preview.locator("h1")).to_have_text("Batik Sekar Jagad")
    expect(preview.locator("main")).to_contain_text("Batik scarf, hand-drawn")

    # The inbox and the live sessions are found from the workspace's tabs (issue 14: they were
    # linked from nowhere).
    page.goto(f"{server.url}/vendor/")
    page.get_by_test_id("tab-inbox").click()
    expect(page).to_have_url(re.compile(r"/vendor/[\w-]+/inbox/$"))
    page.goto(f"{server.url}/vendor/")
    page.get_by_test_id("tab-sessions").click()
    expect(page).to_have_url(re.compile(r"/vendor/[\w-]+/sessions/$"))
