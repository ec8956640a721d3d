"""The live omzet dashboard in a real browser against the real server: an organiser watches the
dashboard while, in another browser context, a bank transfer is confirmed through the payments
workspace (``payments.services.transfer_confirm`` writes the sales ledger). The dashboard's omzet
changes within a second of that payment, over the websocket, without reloading the page."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from payments import services
from payments.attribution import DIRECT
from payments.models import Cart, CollectingAccount, Order
from tests.e2e.conftest import DaphneServer, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def fair(daphne_server, make_expo, make_booth, make_organiser, sectors):
    organiser = make_organiser(name="Sri Organiser")
    expo = make_expo("open", office=organiser.offices.get())
    CollectingAccount.objects.create(
        expo=expo, bank_name="Bank Jateng", account_number="2-034-56789-0", account_holder="Dinkop"
    )
    batik = make_booth(expo, name="Batik Sekar", product_names=("Batik tulis",), prices=(150_000,))
    return expo, organiser, batik


def _transfer_order(expo, booth) -> Order:
    cart = Cart.objects.create()
    services.cart_add(cart=cart, product=booth.products.get(), quantity=2)
    details = services.BuyerDetails(
        email="emma@example.com",
        name="Emma Lawson",
        phone="+61 400 123 456",
        address="12 Collins Street",
        city="Melbourne",
        region="Victoria",
        postal_code="3000",
        country="AU",
    )
    return services.order_place(
        cart=cart, expo=expo, details=details, provider="manual", buyer=None, attribution=DIRECT
    )


def test_omzet_changes_within_a_second_of_a_payment(
    page: Page, daphne_server: DaphneServer, fair, browser
):
    expo, organiser, batik = fair
    sign_in(page, daphne_server, organiser)
    page.goto(f"{daphne_server.url}/manage/expos/{expo.slug}/dashboard/")
    omzet = page.get_by_test_id("kpi-omzet").locator("[data-figure=omzet]")
    expect(omzet).to_have_text("Rp 0")
    expect(page.get_by_test_id("live-status")).to_have_attribute("data-state", "open")
    page.evaluate("window.__notReloaded = true")

    order = _transfer_order(expo, batik)
    staff = browser.new_context()
    desk = staff.new_page()
    sign_in(desk, daphne_server, organiser)
    desk.goto(f"{daphne_server.url}/manage/expos/{expo.slug}/payments/")
    desk.on("dialog", lambda dialog: dialog.accept())
    row = desk.locator("tr").filter(has_text=order.code)
    expect(row).to_be_visible()

    clicked = time.monotonic()
    with desk.expect_navigation():
        row.get_by_test_id("confirm-transfer").click()
    paid = time.monotonic()
    expect(omzet).to_have_text("Rp 300.000", timeout=1000)
    seen = time.monotonic()
    staff.close()

    assert seen - paid < 1.0, f"the dashboard changed {seen - paid:.2f}s after the payment"
    assert seen - clicked < 3.0
    assert page.evaluate("window.__notReloaded") is True  # updated live, not reloaded
    expect(
        page.get_by_test_id("kpi-transactions").locator("[data-figure=transactions]")
    ).to_have_text("1")
    # The detailed figures follow (fetched at most once a second): the buyer abroad shows.
    expect(page.get_by_test_id("country-table")).to_contain_text("Australia")


def test_an_organiser_of_another_office_gets_no_dashboard(
    page: Page, daphne_server: DaphneServer, fair, make_organiser
):
    expo, _organiser, _batik = fair
    stranger = make_organiser(name="Other office")
    sign_in(page, daphne_server, stranger)
    response = page.goto(f"{daphne_server.url}/manage/expos/{expo.slug}/dashboard/")
    assert response is not None and response.status == 403
