"""Live chat and sessions in real browsers against the real server: a buyer and a vendor, each in a
browser context of their own, chat in a booth; the vendor deletes a message and it vanishes on both
screens; the vendor pins a product in a live session and it appears on the buyer's screen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from booths.models import VendorMembership
from events.models import LiveSession
from expo import permissions
from tests.e2e.conftest import DaphneServer

pytestmark = pytest.mark.e2e


def _logged_in(context: BrowserContext, server: DaphneServer, user) -> None:
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": server.url}]
    )


@pytest.fixture
def scene(daphne_server, make_expo, make_booth, make_user):
    booth = make_booth(
        make_expo("open"), name="Batik Sekar", product_names=("Batik tulis Sekar Jagad", "Cap")
    )
    vendor = make_user(name="Budi Vendor")
    VendorMembership.objects.create(vendor=booth.vendor, user=vendor)
    permissions.forget(vendor)
    buyer = make_user(name="Emma Buyer")
    return booth, vendor, buyer


@pytest.fixture
def vendor_page(browser, browser_context_args, page: Page) -> Page:
    """A second browser (context) beside the buyer's ``page``."""
    context = browser.new_context(**browser_context_args)
    other = context.new_page()
    other.set_default_timeout(10_000)
    yield other
    context.close()


def test_buyer_and_vendor_chat_and_a_deleted_message_vanishes_on_both(
    page: Page, vendor_page: Page, daphne_server: DaphneServer, scene
):
    booth, vendor, buyer = scene
    server = daphne_server
    _logged_in(page.context, server, buyer)
    _logged_in(vendor_page.context, server, vendor)
    url = f"{server.url}/expos/{booth.expo.slug}/booths/{booth.slug}/"
    page.goto(url)
    vendor_page.goto(url)
    buyer_chat = page.locator("[data-chat]")
    vendor_chat = vendor_page.locator("[data-chat]")
    expect(buyer_chat.locator("[data-chat-form]")).to_be_visible()
    expect(vendor_chat.locator("[data-chat-form]")).to_be_visible()

    buyer_chat.locator("textarea").fill("Halo! Ada ukuran L? <b>tebal</b>")
    buyer_chat.locator("button[type=submit]").click()
    mine = buyer_chat.locator(".chat-msg", has_text="Ada ukuran L?")
    theirs = vendor_chat.locator(".chat-msg", has_text="Ada ukuran L?")
    expect(theirs).to_be_visible()
    expect(theirs.locator(".chat-author")).to_have_text("Emma Buyer")
    # Escaped, shown as typed: no <b> element was made from it.
    expect(theirs.locator(".chat-body")).to_have_text("Halo! Ada ukuran L? <b>tebal</b>")
    expect(theirs.locator(".chat-body b")).to_have_count(0)

    vendor_chat.locator("textarea").fill("Ada, kak! Ready stock.")
    vendor_chat.locator("textarea").press("Enter")
    answer = buyer_chat.locator(".chat-msg", has_text="Ready stock.")
    expect(answer).to_be_visible()
    expect(answer.locator(".badge-vendor")).to_be_visible()
    expect(buyer_chat.locator("[data-chat-count]")).to_have_text("2")

    vendor_page.once("dialog", lambda dialog: dialog.accept())
    theirs.hover()
    theirs.locator(".chat-actions-toggle").click()
    theirs.locator("[data-action=delete]").click()

    expect(mine).to_have_count(0)
    expect(theirs).to_have_count(0)
    expect(answer).to_be_visible()
    # A buyer is offered no delete button.
    answer.hover()
    expect(page.locator("[data-action=delete]")).to_have_count(0)


def test_a_pinned_product_appears_on_the_buyers_screen(
    page: Page, vendor_page: Page, daphne_server: DaphneServer, scene
):
    booth, vendor, buyer = scene
    server = daphne_server
    now = timezone.now()
    session = LiveSession.objects.create(
        booth=booth,
        title_en="Batik demo",
        title_id="Demo batik",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(minutes=55),
        stream_url="https://zoom.us/j/123456789",
    )
    product = booth.products.get(name_en="Batik tulis Sekar Jagad")
    _logged_in(page.context, server, buyer)
    _logged_in(vendor_page.context, server, vendor)
    url = f"{server.url}/expos/{booth.expo.slug}/sessions/{session.pk}/"
    page.goto(url)
    vendor_page.goto(url)
    pinned = page.locator("[data-pinned-list]")
    expect(page.locator("[data-pinned-empty]")).to_be_visible()
    expect(page.locator("[data-testid=stream-link]")).to_have_attribute("target", "_blank")
    expect(page.locator("[data-testid=viewer-count]")).to_have_text("2")

    vendor_page.locator(f"[data-testid=pin-{product.slug}]").click()

    card = pinned.locator(".pin-card")
    expect(card).to_have_count(1)
    expect(card.locator(".pin-name")).to_have_text("Batik tulis Sekar Jagad")
    expect(card.locator(".pin-price")).to_contain_text("Rp")
    expect(page.locator("[data-pinned-empty]")).to_be_hidden()
    expect(vendor_page.locator(f"[data-testid=pin-{product.slug}]")).to_have_text("Unpin")

    vendor_page.locator(f"[data-testid=pin-{product.slug}]").click()
    expect(card).to_have_count(0)
