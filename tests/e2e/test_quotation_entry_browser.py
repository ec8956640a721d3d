"""Asking for a quotation from a product page (the product chosen) and from a private question,
in a browser; screenshots of the pages with their "Request a quotation" links go to
test-artifacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from booths.models import VendorMembership
from events.models import Inquiry
from expo import buyers, permissions
from tests.e2e.conftest import ARTIFACTS, DaphneServer, sign_in

pytestmark = pytest.mark.e2e


def test_product_page_and_question_lead_to_the_request_form(
    page: Page, daphne_server: DaphneServer, make_expo, make_booth, make_user
):
    expo = make_expo("open")
    booth = make_booth(
        expo,
        name="Sambal Bu Rudy",
        product_names=("Sambal bawang", "Sambal ijo"),
        prices=(30_000, 28_000),
    )
    vendor = make_user(name="Rudy Vendor")
    VendorMembership.objects.create(vendor=booth.vendor, user=vendor, role="owner")
    permissions.forget(vendor)
    buyer = make_user(name="Ann Importer", country="US")
    buyers.buyer_profile_save(
        user=buyer, company="Brooklyn Pantry LLC", country="US", buyer_type="importer", consent=True
    )
    ijo = booth.products.get(name_en="Sambal ijo")
    inquiry = Inquiry.objects.create(booth=booth, buyer=buyer)
    ARTIFACTS.mkdir(exist_ok=True)

    sign_in(page, daphne_server, buyer)
    page.goto(f"{daphne_server.url}/expos/{expo.slug}/booths/{booth.slug}/products/{ijo.slug}/")
    page.screenshot(path=str(ARTIFACTS / "quotation-entry-product.png"), full_page=True)
    page.get_by_test_id("ask-quotation-product").click()
    chosen = page.get_by_test_id("rfq-form").locator("select[name=form-0-product]")
    expect(chosen).to_have_value(str(ijo.pk))
    page.screenshot(path=str(ARTIFACTS / "quotation-entry-form.png"), full_page=True)

    page.goto(f"{daphne_server.url}/inquiries/{inquiry.pk}/")
    link = page.get_by_test_id("ask-quotation-inquiry")
    expect(link).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "quotation-entry-inquiry.png"), full_page=True)
    link.click()
    expect(page.get_by_test_id("rfq-form")).to_be_visible()
    assert "source=inquiry" in page.url
