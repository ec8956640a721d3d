"""An export deal in two browsers: a business buyer in New York (a browser and an account in
America/New_York) asks a booth for a quotation; the vendor, in Jakarta, answers from its workspace;
the buyer reads it (times in their own zone, ≈ in their currency), accepts and pays by card through
localstripe's stripe.js; the vendor sees the deal paid. Screenshots of each page go to
test-artifacts/."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from booths.models import QuoteRequest, VendorMembership
from expo import buyers, permissions
from payments.models import CollectingAccount, ExchangeRate, Order, SalesLedgerEntry
from tests.e2e.conftest import ARTIFACTS, DEFAULT_TIMEOUT_MS, DaphneServer, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def deal_world(daphne_server, make_expo, make_booth, make_organiser, make_user):
    organiser = make_organiser(name="Sri Organiser")
    expo = make_expo("open", office=organiser.offices.get())
    CollectingAccount.objects.create(
        expo=expo,
        bank_name="Bank Jateng",
        account_number="2-034-56789-0",
        account_holder="Dinkop UKM Jateng",
        swift_bic="PDJGIDJ1",
    )
    ExchangeRate.objects.create(expo=expo, currency="USD", idr_per_unit=Decimal("16000"))
    booth = make_booth(
        expo, name="Sambal Bu Rudy", product_names=("Sambal bawang",), prices=(30_000,)
    )
    booth.products.update(stock=10_000)
    vendor = make_user(name="Rudy Vendor")
    VendorMembership.objects.create(vendor=booth.vendor, user=vendor, role="owner")
    permissions.forget(vendor)
    buyer = make_user(name="Ann Importer", country="US", time_zone="America/New_York")
    buyers.buyer_profile_save(
        user=buyer, company="Brooklyn Pantry LLC", country="US", buyer_type="importer", consent=True
    )
    return expo, booth, vendor, buyer, organiser


@pytest.fixture
def new_york(browser, browser_context_args):
    context = browser.new_context(**{**browser_context_args, "timezone_id": "America/New_York"})
    page = context.new_page()
    page.set_default_timeout(DEFAULT_TIMEOUT_MS)
    yield page
    context.close()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"quotation-{name}.png"), full_page=True)


def test_rfq_to_card_payment_in_two_browsers(
    page: Page, new_york: Page, daphne_server: DaphneServer, deal_world
):
    expo, booth, vendor, buyer, organiser = deal_world
    server = daphne_server
    buyer_page, vendor_page = new_york, page

    # The buyer asks from the booth's page.
    sign_in(buyer_page, server, buyer)
    buyer_page.context.add_cookies([{"name": "umkm_currency", "value": "USD", "url": server.url}])
    buyer_page.goto(f"{server.url}/expos/{expo.slug}/booths/{booth.slug}/")
    buyer_page.get_by_test_id("ask-quotation").click()
    form = buyer_page.get_by_test_id("rfq-form")
    form.locator("select[name=form-0-product]").select_option(label="Sambal bawang")
    form.locator("input[name=form-0-quantity]").fill("2000")
    form.locator("select[name=form-0-unit]").select_option("jar")
    form.locator("select[name=destination_country]").select_option("US")
    form.locator("input[name=destination_place]").fill("Port Newark")
    form.locator("select[name=incoterm]").select_option("CIF")
    form.locator("input[name=needs_halal]").check()
    shot(buyer_page, "1-request-form")
    buyer_page.get_by_test_id("send-rfq").click()
    expect(buyer_page.get_by_test_id("waiting")).to_be_visible()
    request = QuoteRequest.objects.get()
    # Asked just now, shown in New York's time (EST or EDT), not Jakarta's.
    expect(buyer_page.locator(".quote-facts time").first).to_contain_text("E")
    assert "WIB" not in buyer_page.locator(".quote-facts").first.inner_text()

    # The vendor, in another browser, answers from its workspace.
    sign_in(vendor_page, server, vendor)
    vendor_page.goto(f"{server.url}/vendor/{booth.vendor.slug}/")
    vendor_page.get_by_test_id("nav-quotes").click()
    vendor_page.locator(f"tr[data-code='{request.code}'] a").click()
    expect(vendor_page.get_by_test_id("buyer-profile")).to_contain_text("Brooklyn Pantry LLC")
    offer = vendor_page.get_by_test_id("offer-form")
    offer.locator("input[name=form-0-unit_price]").fill("28000")
    offer.locator("input[name=form-0-min_quantity]").fill("500")
    offer.locator("input[name=named_place]").fill("Port Newark, New Jersey")
    offer.locator("input[name=payment_terms][value=full]").check()
    offer.locator("input[name=shipping_terms][value=quoted]").check()
    offer.locator("input[name=shipping_amount]").fill("6000000")
    shot(vendor_page, "2-vendor-offer")
    vendor_page.get_by_test_id("send-quotation").click()
    expect(vendor_page.get_by_test_id("quotation-status")).to_have_attribute("data-status", "sent")

    # The buyer reads it (≈ dollars beside the rupiah), accepts and pays by card.
    buyer_page.reload()
    expect(buyer_page.get_by_test_id("quote-total")).to_contain_text("62.000.000")
    expect(buyer_page.get_by_test_id("quote-approx")).to_contain_text("$")
    accept = buyer_page.get_by_test_id("accept-form")
    accept.locator("input[name=phone]").fill("+1 718 555 0100")
    accept.locator("textarea[name=address]").fill("12 Atlantic Ave")
    accept.locator("input[name=city]").fill("Brooklyn")
    accept.locator("input[name=state]").fill("NY")
    accept.locator("input[name=provider][value=stripe]").check()
    shot(buyer_page, "3-buyer-quotation")
    buyer_page.get_by_test_id("accept-quotation").click()
    buyer_page.get_by_test_id("pay-order").click()
    card = buyer_page.get_by_test_id("card-element")
    card.locator("input[placeholder=number]").fill("4242424242424242")
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("31")
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("11201")
    buyer_page.get_by_test_id("pay").click()
    expect(buyer_page.get_by_test_id("order-paid")).to_be_visible(timeout=20_000)

    order = Order.objects.get()
    assert order.channel == "quotation" and order.status == Order.Status.PAID
    assert SalesLedgerEntry.objects.get().amount == 2000 * 28_000

    # The vendor sees the deal paid, with the shipping documents.
    vendor_page.reload()
    expect(vendor_page.get_by_test_id("quote-order")).to_contain_text(order.code)
    expect(vendor_page.get_by_test_id("doc-invoice")).to_be_visible()
    shot(vendor_page, "4-vendor-paid")
    buyer_page.goto(f"{server.url}/quotes/{request.code}/")
    shot(buyer_page, "5-buyer-paid")

    # The buyer is now the vendor's lead (asked, bought), with the profile they share.
    vendor_page.get_by_test_id("nav-leads").click()
    row = vendor_page.get_by_test_id("lead-row")
    expect(row).to_contain_text("Ann Importer")
    expect(row).to_contain_text("Brooklyn Pantry LLC")
    shot(vendor_page, "6-vendor-leads")

    # The organiser's dashboard: the funnel, and leads as a count per booth.
    vendor_page.context.clear_cookies()
    sign_in(vendor_page, server, organiser)
    vendor_page.goto(f"{server.url}/manage/expos/{expo.slug}/dashboard/")
    expect(vendor_page.get_by_test_id("funnel-realised")).to_contain_text("56.000.000")
    expect(vendor_page.get_by_test_id("booth-leads")).to_contain_text("Sambal Bu Rudy")
    assert "Ann Importer" not in vendor_page.get_by_test_id("funnel").inner_text()
    vendor_page.get_by_test_id("funnel").screenshot(path=str(ARTIFACTS / "quotation-7-funnel.png"))
