"""The bell in real browsers against the real server: a vendor sits on a workspace page in one
browser context; in another, the organiser confirms a buyer's bank transfer; the vendor's bell
counts the paid order live, without a reload, and its notification leads to the order and is
read there. The organiser's own bell had the transfer to confirm."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from booths.models import VendorMembership
from events.models import Notification
from expo import permissions
from payments import services as pay
from payments.models import Cart, CollectingAccount
from tests.e2e.conftest import DaphneServer, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def scene(daphne_server, make_expo, make_booth, make_organiser, make_user):
    organiser = make_organiser(name="Sri Organiser")
    expo = make_expo("open", office=organiser.offices.get())
    CollectingAccount.objects.create(
        expo=expo, bank_name="Bank Jateng", account_number="2-034-56789-0", account_holder="Dinkop"
    )
    booth = make_booth(expo, name="Batik Sekar", product_names=("Batik tulis",), prices=(150_000,))
    vendor = make_user(name="Budi Vendor")
    VendorMembership.objects.create(vendor=booth.vendor, user=vendor)
    permissions.forget(vendor)
    buyer = make_user(name="Ayu Buyer")
    cart = Cart.objects.create(user=buyer)
    pay.cart_add(cart=cart, product=booth.products.get(), quantity=1)
    order = pay.order_place(
        cart=cart,
        expo=expo,
        details=pay.BuyerDetails(
            email=buyer.email,
            name="Ayu Buyer",
            phone="+62 812 3456 7890",
            address="Jl. Pemuda 12",
            city="Semarang",
            region="Jawa Tengah",
            postal_code="50132",
            country="ID",
            language="en",
        ),
        provider="manual",
        buyer=buyer,
    )
    return expo, organiser, booth, vendor, order


@pytest.fixture
def desk(browser, browser_context_args) -> Page:
    """The organiser's browser, beside the vendor's ``page``."""
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_a_paid_order_rings_the_vendors_bell_live(
    page: Page, desk: Page, daphne_server: DaphneServer, scene
):
    expo, organiser, booth, vendor, order = scene
    server = daphne_server
    part = order.parts.get()

    sign_in(page, server, vendor)
    page.goto(f"{server.url}/vendor/{booth.vendor.slug}/orders/")
    bell = page.get_by_test_id("bell")
    count = page.get_by_test_id("bell-count")
    expect(count).to_be_hidden()
    # The panel says "nothing yet" once the socket has the bell's first frame: it is listening.
    bell.click()
    panel = page.locator(".nav-account [data-bell-panel]")
    expect(panel.get_by_text("No notifications yet.")).to_be_visible()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    page.evaluate("window.__sameDocument = true")

    # The organiser: the transfer to confirm is on their bell; they confirm it.
    sign_in(desk, server, organiser)
    desk.goto(f"{server.url}/manage/expos/{expo.slug}/payments/")
    expect(desk.get_by_test_id("bell-count")).to_have_text("1")
    desk.on("dialog", lambda dialog: dialog.accept())
    desk.locator("tr").filter(has_text=order.code).get_by_test_id("confirm-transfer").click()
    desk.wait_for_load_state("networkidle")
    expect(desk.get_by_test_id("bell-count")).to_be_hidden()  # settled for every organiser

    # The vendor's bell rings without a reload.
    expect(count).to_have_text("1")
    assert page.evaluate("window.__sameDocument === true")
    bell.click()
    item = panel.get_by_test_id("bell-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(f"New paid order {order.code}: please ship")
    expect(item).to_contain_text("Rp 150.000")
    order_url = f"/vendor/{booth.vendor.slug}/orders/{part.pk}/"
    expect(item.locator("a")).to_have_attribute("href", order_url)

    # Followed: the order's page, and the notification is read.
    item.locator("a").click()
    page.wait_for_url(f"{server.url}{order_url}")
    expect(page.locator("main").get_by_text(order.code).first).to_be_visible()
    notification = Notification.objects.get(user=vendor)
    _wait_until(lambda: Notification.objects.get(pk=notification.pk).read_at is not None)
    expect(page.get_by_test_id("bell-count")).to_be_hidden()


def test_a_new_question_appears_in_the_vendors_inbox_live(
    page: Page, desk: Page, daphne_server: DaphneServer, scene, make_user
):
    expo, _organiser, booth, vendor, _order = scene
    server = daphne_server
    asker = make_user(name="Emma Buyer")

    sign_in(page, server, vendor)
    page.goto(f"{server.url}/vendor/{booth.vendor.slug}/inbox/")
    expect(page.get_by_text("No questions yet.")).to_be_visible()
    page.get_by_test_id("bell").click()  # listening once the bell has its first frame
    expect(page.locator(".nav-account").get_by_text("No notifications yet.")).to_be_visible()
    page.keyboard.press("Escape")
    page.evaluate("window.__sameDocument = true")

    # Another browser: a buyer asks the booth a private question.
    sign_in(desk, server, asker)
    desk.goto(f"{server.url}/expos/{expo.slug}/booths/{booth.slug}/ask/")
    desk.fill("textarea[name=body]", "Can you make 200 pieces by June? <b>urgent</b>")
    desk.get_by_test_id("send-inquiry").click()
    desk.wait_for_url("**/inquiries/*/")

    row = page.get_by_test_id("inbox-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Emma Buyer")
    expect(row).to_contain_text("Can you make 200 pieces by June? <b>urgent</b>")
    expect(row.get_by_test_id("unread")).to_have_text("1")
    expect(page.get_by_test_id("unread-total")).to_have_text("1")
    expect(page.get_by_test_id("bell-count")).to_have_text("1")
    assert page.evaluate("window.__sameDocument === true")

    # A second message in that thread moves the same row on, counted.
    desk.locator("[data-chat] textarea").fill("And in blue?")
    desk.locator("[data-chat] textarea").press("Enter")
    expect(row.get_by_test_id("unread")).to_have_text("2")
    expect(row).to_contain_text("And in blue?")
    expect(page.get_by_test_id("unread-total")).to_have_text("2")
    assert page.evaluate("window.__sameDocument === true")
