"""Buying in a real browser against the real server: a buyer adds products from two booths, checks
out and pays by card through localstripe's stripe.js (4242 4242 4242 4242), and sees the paid
order; a bank-transfer order is confirmed by the organiser in the workspace and the buyer sees it
paid. The ledger holds every paid line once."""

from __future__ import annotations

import pytest
from django.db.models import Sum
from playwright.sync_api import Page, expect

from payments.models import CollectingAccount, Order, SalesLedgerEntry
from tests.e2e.conftest import DaphneServer, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def shop(daphne_server, make_expo, make_booth, make_organiser, sectors):
    organiser = make_organiser(name="Sri Organiser")
    expo = make_expo("open", office=organiser.offices.get())
    CollectingAccount.objects.create(
        expo=expo, bank_name="Bank Jateng", account_number="2-034-56789-0", account_holder="Dinkop"
    )
    batik = make_booth(
        expo,
        name="Batik Sekar",
        product_names=("Batik tulis", "Selendang"),
        prices=(150_000, 60_000),
    )
    coffee = make_booth(
        expo,
        name="Kopi Gunung",
        sector=sectors[1],
        product_names=("Kopi Sindoro",),
        prices=(55_000,),
    )
    return expo, organiser, batik, coffee


def _product_url(server: DaphneServer, booth, product) -> str:
    return f"{server.url}/expos/{booth.expo.slug}/booths/{booth.slug}/products/{product.slug}/"


def _fill_address(page: Page) -> None:
    page.fill("input[name=email]", "emma@example.com")
    page.fill("input[name=name]", "Emma Lawson")
    page.fill("input[name=phone]", "+61 400 123 456")
    page.select_option("select[name=country]", "AU")
    page.fill("textarea[name=address]", "12 Collins Street")
    page.fill("input[name=city]", "Melbourne")
    page.fill("input[name=state]", "Victoria")


def _fill_cart(page: Page, server: DaphneServer, batik, coffee) -> None:
    shirt = batik.products.order_by("pk").first()
    beans = coffee.products.get()
    page.goto(_product_url(server, batik, shirt))
    page.get_by_test_id("add-to-cart").click()
    expect(page.locator("[data-cart-count]")).to_have_text(["1", "1"])  # header bar, nav
    page.goto(_product_url(server, coffee, beans))
    page.fill("[data-testid=quantity]", "2")
    page.get_by_test_id("add-to-cart").click()
    expect(page.locator("[data-cart-count]")).to_have_text(["3", "3"])
    page.goto(f"{server.url}/cart/")
    expect(page.get_by_test_id("cart-line")).to_have_count(2)
    expect(page.get_by_test_id("cart-subtotal")).to_have_text("Rp 260.000")
    page.get_by_test_id("checkout").click()


def test_a_buyer_pays_two_booths_by_card(page: Page, daphne_server: DaphneServer, shop, buyer):
    expo, _organiser, batik, coffee = shop
    sign_in(page, daphne_server, buyer)
    _fill_cart(page, daphne_server, batik, coffee)
    _fill_address(page)
    page.check("input[name=provider][value=stripe]")
    expect(page.get_by_test_id("checkout-total")).to_have_text("Rp 260.000")  # arranged shipping
    page.get_by_test_id("place-order").click()

    # The order page: stripe.js (localstripe's) collects the card.
    card = page.get_by_test_id("card-element")
    card.locator("input[placeholder=number]").fill("4242424242424242")
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("31")
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("3000")
    page.get_by_test_id("pay").click()
    expect(page.get_by_test_id("order-paid")).to_be_visible(timeout=15_000)
    expect(page.get_by_test_id("order-status")).to_contain_text("Paid")

    order = Order.objects.get(expo=expo)
    assert order.status == Order.Status.PAID and order.total == 260_000
    assert order.parts.count() == 2 and order.buyer_id == buyer.pk
    ledger = SalesLedgerEntry.objects.filter(order=order)
    assert ledger.count() == 2 and ledger.aggregate(t=Sum("amount"))["t"] == 260_000
    assert set(ledger.values_list("buyer_country", flat=True)) == {"AU"}


def test_a_declined_card_charges_nothing_and_gives_the_cart_back(
    page: Page, daphne_server: DaphneServer, shop, buyer
):
    expo, _organiser, batik, coffee = shop
    sign_in(page, daphne_server, buyer)
    _fill_cart(page, daphne_server, batik, coffee)
    _fill_address(page)
    page.check("input[name=provider][value=stripe]")
    page.get_by_test_id("place-order").click()
    card = page.get_by_test_id("card-element")
    card.locator("input[placeholder=number]").fill("4000000000000341")
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("31")
    card.locator("input[placeholder=cvc]").fill("123")
    page.get_by_test_id("pay").click()
    page.wait_for_url(f"{daphne_server.url}/cart/", timeout=15_000)
    expect(page.get_by_test_id("cart-line")).to_have_count(2)
    order = Order.objects.get(expo=expo)
    assert order.status == Order.Status.CANCELLED
    assert not SalesLedgerEntry.objects.exists()
    assert batik.products.order_by("pk").first().stock == 5


def test_a_bank_transfer_confirmed_by_the_organiser(
    page: Page, daphne_server: DaphneServer, shop, buyer, browser
):
    expo, organiser, batik, coffee = shop
    _fill_cart(page, daphne_server, batik, coffee)  # a guest
    _fill_address(page)
    page.get_by_test_id("place-order").click()
    expect(page.get_by_test_id("transfer-instructions")).to_be_visible()
    order = Order.objects.get(expo=expo)
    expect(page.get_by_test_id("transfer-reference")).to_have_text(order.code)
    expect(page.get_by_test_id("transfer-amount")).to_have_text("Rp 260.000")
    mail = daphne_server.wait_for_mail("emma@example.com")
    assert order.code in mail["Subject"]

    staff = browser.new_context()
    desk = staff.new_page()
    sign_in(desk, daphne_server, organiser)
    desk.goto(f"{daphne_server.url}/manage/expos/{expo.slug}/payments/")
    desk.on("dialog", lambda dialog: dialog.accept())  # "Confirm that Rp … arrived?"
    row = desk.locator("tr").filter(has_text=order.code)
    expect(row).to_be_visible()
    row.get_by_test_id("confirm-transfer").click()
    desk.wait_for_load_state("networkidle")
    staff.close()

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    page.reload()
    expect(page.get_by_test_id("order-paid")).to_be_visible()
    assert SalesLedgerEntry.objects.filter(order=order).aggregate(t=Sum("amount"))["t"] == 260_000
