"""The Content-Security-Policy in Chromium against the real server: a guest, a buyer, a vendor and an
organiser walk through their main pages, and the walk fails on ANY policy violation the browser
reports (a ``securitypolicyviolation`` event, a console message about the Content-Security-Policy
or the Permissions-Policy) or any script error. On the way, the live parts must still work under
the policy: the countdown ticks, the banner carousel fills, the chat connects and a message goes
through, the session counts its viewer, stripe.js (localstripe's) takes a card payment, the
vendor's and organiser's forms show and hide their fields, the omzet dashboard goes live with its
charts, a destructive button asks first, and a PDF report's page follows the job.

The watch is installed into each browser context before any page loads (an init script, which the
page's policy does not govern); a first test proves it sees a violation when there is one.
"""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, expect

from booths.models import VendorMembership
from events.models import LiveSession
from expo import permissions
from expo.banners import services as banner_services
from expo.banners.models import BannerCampaign
from expo.reports.models import ReportJob
from payments import services as payment_services
from payments.attribution import DIRECT
from payments.models import Cart, CollectingAccount, Order
from tests.e2e.conftest import DaphneServer, sign_in

pytestmark = pytest.mark.e2e

VIDEO = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"

# Runs in every document of the context before its own scripts: collects every violation.
WATCH = """
(() => {
  window.__policyViolations = [];
  document.addEventListener("securitypolicyviolation", (event) => {
    const seen = {
      directive: event.effectiveDirective,
      blocked: event.blockedURI,
      source: event.sourceFile,
      line: event.lineNumber,
      sample: event.sample,
      page: location.href,
    };
    window.__policyViolations.push(seen);
    console.error("securitypolicyviolation " + JSON.stringify(seen));
  }, true);
})();
"""
POLICY_MESSAGE = re.compile(
    r"securitypolicyviolation|Content[- ]Security[- ]Policy|Permissions[- ]Policy|"
    r"Refused to (load|execute|apply|connect|frame|evaluate)",
    re.IGNORECASE,
)


class PolicyWatch:
    """What the browser said about the policies, and any script error, for one context."""

    def __init__(self, context: BrowserContext) -> None:
        self.problems: list[str] = []
        context.add_init_script(WATCH)
        context.on("console", self._console)
        context.on("weberror", lambda error: self.problems.append(f"[script error] {error.error}"))

    def _console(self, message: ConsoleMessage) -> None:
        if POLICY_MESSAGE.search(message.text):
            self.problems.append(f"[{message.type}] {message.text} ({message.location.get('url')})")

    def check(self, page: Page, where: str) -> None:
        """Fail if anything was reported so far; ``where`` names the step for the message."""
        in_page = page.evaluate("window.__policyViolations || []")
        problems = self.problems + [json.dumps(v) for v in in_page]
        assert problems == [], f"{where}: the policy was violated:\n" + "\n".join(problems)


def _watched(page: Page) -> PolicyWatch:
    return PolicyWatch(page.context)


def _image(width: int, height: int) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 110, 90)).save(out, format="JPEG")
    return SimpleUploadedFile("banner.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def fair(daphne_server, make_expo, make_booth, make_organiser, make_user):
    """An open expo with a booth (its video, a live session, a hero banner) and its vendor's
    member, a published expo of the same office (its hall counts down), and the organiser."""
    organiser = make_organiser(name="Sri Organiser")
    office = organiser.offices.get()
    expo = make_expo("open", office=office, slug="expo-csp-open")
    upcoming = make_expo("published", office=office, slug="expo-csp-soon")
    CollectingAccount.objects.create(
        expo=expo, bank_name="Bank Jateng", account_number="2-034-56789-0", account_holder="Dinkop"
    )
    booth = make_booth(
        expo,
        name="Batik Sekar",
        product_names=("Batik tulis", "Selendang"),
        prices=(150_000, 60_000),
    )
    booth.video_url = VIDEO
    booth.save(update_fields=["video_url"])
    make_booth(upcoming, name="Kopi Gunung")
    vendor = make_user(name="Budi Vendor")
    VendorMembership.objects.create(vendor=booth.vendor, user=vendor)
    permissions.forget(vendor)
    now = timezone.now()
    session = LiveSession.objects.create(
        booth=booth,
        title_en="Batik demo",
        title_id="Demo batik",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(minutes=55),
        stream_url=VIDEO,
    )
    slots = banner_services.slots_ensure()
    first, last = banner_services.expo_days(expo)
    banner_services.banner_place(
        expo=expo,
        slot=slots["hall_hero"],
        target=BannerCampaign.Target.BOOTH,
        booth=booth,
        title_en="Batik week",
        image_en=_image(slots["hall_hero"].width, slots["hall_hero"].height),
        starts_on=first,
        ends_on=last,
        by=organiser,
    )
    return {
        "expo": expo,
        "upcoming": upcoming,
        "booth": booth,
        "session": session,
        "organiser": organiser,
        "vendor": vendor,
    }


def test_the_watch_sees_a_violation(page: Page, daphne_server: DaphneServer):
    """The watch itself: a JSON data block passes the policy (CSP does not run it), an inline
    style is refused and reported."""
    watch = _watched(page)
    home = page.goto(f"{daphne_server.url}/")
    policy = home.headers["content-security-policy"]
    watch.check(page, "home")
    # A page of the site under the site's own policy, holding a data block the way a template would.
    page.route(
        f"{daphne_server.url}/data-block/",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": policy},
            body='<!DOCTYPE html><title>data</title><script type="application/json" id="data">'
            '{"omzet": 1250000}</script>',
        ),
    )
    page.goto(f"{daphne_server.url}/data-block/")
    assert page.evaluate("JSON.parse(document.getElementById('data').textContent).omzet") == 1250000
    watch.check(page, "a JSON data block")

    page.evaluate("document.body.setAttribute('style', 'outline: 3px solid red')")

    page.wait_for_function("window.__policyViolations.length > 0")
    with pytest.raises(AssertionError, match="style-src"):
        watch.check(page, "after an inline style")


def test_a_guest_walks_the_public_pages(page: Page, daphne_server: DaphneServer, fair):
    server, expo, booth = daphne_server, fair["expo"], fair["booth"]
    watch = _watched(page)

    page.goto(f"{server.url}/")
    expect(page.locator("h1").first).to_be_visible()
    watch.check(page, "home")

    with page.expect_response(lambda r: "/b/slot/" in r.url):
        page.goto(f"{server.url}/expos/{expo.slug}/")
    # banners.js filled the hero slot; the filters opened as a sidebar on a wide screen.
    expect(page.get_by_test_id("banner").first).to_be_visible()
    expect(page.locator("details[data-open-wide]")).to_have_attribute("open", "")
    watch.check(page, "hall")

    page.goto(f"{server.url}/expos/{fair['upcoming'].slug}/")
    clock = page.locator("[data-countdown]")
    first = clock.inner_text()
    expect(clock).not_to_have_text(first)  # it ticks
    watch.check(page, "hall counting down")

    page.goto(f"{server.url}/expos/{expo.slug}/booths/{booth.slug}/")
    expect(page.locator("[data-chat]")).to_have_attribute("data-status", "open")
    expect(page.locator(".video-frame iframe")).to_have_attribute(
        "src", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    )
    watch.check(page, "booth")

    product = booth.products.order_by("pk").first()
    page.goto(f"{server.url}/expos/{expo.slug}/booths/{booth.slug}/products/{product.slug}/")
    expect(page.get_by_test_id("add-to-cart")).to_be_visible()
    watch.check(page, "product")

    page.goto(f"{server.url}/expos/{expo.slug}/sessions/{fair['session'].pk}/")
    expect(page.get_by_test_id("stream-embed")).to_be_visible()
    expect(page.get_by_test_id("viewer-count")).to_have_text("1")
    watch.check(page, "session")

    page.goto(f"{server.url}/api/v1/docs/")
    expect(page.locator("h1")).to_contain_text("v")
    watch.check(page, "API docs")


def test_a_buyer_chats_and_pays_by_card(page: Page, daphne_server: DaphneServer, fair, buyer):
    server, expo, booth = daphne_server, fair["expo"], fair["booth"]
    watch = _watched(page)
    sign_in(page, server, buyer)

    page.goto(f"{server.url}/expos/{expo.slug}/booths/{booth.slug}/")
    chat = page.locator("[data-chat]")
    expect(chat).to_have_attribute("data-status", "open")
    chat.locator("textarea").fill("Halo! Ada ukuran L?")
    chat.locator("button[type=submit]").click()
    expect(chat.locator(".chat-msg", has_text="Ada ukuran L?")).to_be_visible()
    watch.check(page, "booth chat")

    product = booth.products.order_by("pk").first()
    page.goto(f"{server.url}/expos/{expo.slug}/booths/{booth.slug}/products/{product.slug}/")
    page.get_by_test_id("add-to-cart").click()
    expect(page.locator("[data-cart-count]").first).to_have_text("1")
    page.goto(f"{server.url}/cart/")
    expect(page.get_by_test_id("cart-line")).to_have_count(1)
    watch.check(page, "cart")

    page.get_by_test_id("checkout").click()
    page.fill("input[name=email]", "emma@example.com")
    page.fill("input[name=name]", "Emma Lawson")
    page.fill("input[name=phone]", "+61 400 123 456")
    with page.expect_response(lambda r: "/quote/" in r.url):  # checkout.js asks for shipping
        page.select_option("select[name=country]", "AU")
    page.fill("textarea[name=address]", "12 Collins Street")
    page.fill("input[name=city]", "Melbourne")
    page.fill("input[name=state]", "Victoria")
    page.check("input[name=provider][value=stripe]")
    watch.check(page, "checkout")

    page.get_by_test_id("place-order").click()
    card = page.get_by_test_id("card-element")
    card.locator("input[placeholder=number]").fill("4242424242424242")
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("31")
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("3000")
    watch.check(page, "order page with stripe.js")
    page.get_by_test_id("pay").click()
    expect(page.get_by_test_id("order-paid")).to_be_visible(timeout=15_000)
    watch.check(page, "paid order")
    assert Order.objects.get(expo=expo).status == Order.Status.PAID


def test_a_vendor_walks_the_workspace(page: Page, daphne_server: DaphneServer, fair):
    server, expo, booth = daphne_server, fair["expo"], fair["booth"]
    vendor = booth.vendor.slug
    watch = _watched(page)
    sign_in(page, server, fair["vendor"])

    page.goto(f"{server.url}/vendor/{vendor}/")
    expect(page.locator("h1").first).to_be_visible()
    watch.check(page, "vendor dashboard")

    page.goto(f"{server.url}/vendor/{vendor}/booths/{expo.slug}/products/")
    expect(page.get_by_test_id("product-list")).to_contain_text("Batik tulis")
    watch.check(page, "products")

    product = booth.products.order_by("pk").first()
    page.goto(f"{server.url}/vendor/{vendor}/booths/{expo.slug}/products/{product.pk}/")
    preorder = page.locator("[data-preorder] input[type=checkbox]")
    fields = page.locator("[data-preorder-fields]")
    expect(fields).to_be_hidden()
    preorder.check()
    expect(fields).to_be_visible()
    watch.check(page, "product form")

    page.goto(f"{server.url}/vendor/{vendor}/shipping/")
    zone = page.locator("[data-zone]").first
    zone.locator("input[type=radio][value=flat]").check()
    expect(zone.locator("[data-amount-for]")).to_be_visible()
    zone.locator("input[type=radio]:not([value=flat])").first.check()
    expect(zone.locator("[data-amount-for]")).to_be_hidden()
    watch.check(page, "shipping")

    page.goto(f"{server.url}/vendor/{vendor}/banners/new/")
    page.check("input[name=target][value=product]")
    expect(page.locator("[data-target-field=product]")).to_be_visible()
    expect(page.locator("[data-target-field=booth]")).to_be_hidden()
    watch.check(page, "banner form")

    page.goto(f"{server.url}/vendor/{vendor}/inbox/")
    page.goto(f"{server.url}/vendor/{vendor}/sessions/")
    expect(page.locator("h1").first).to_be_visible()
    watch.check(page, "inbox and sessions")


def _transfer_order(expo, booth) -> Order:
    cart = Cart.objects.create()
    payment_services.cart_add(cart=cart, product=booth.products.order_by("pk").first(), quantity=1)
    details = payment_services.BuyerDetails(
        email="emma@example.com",
        name="Emma Lawson",
        phone="+61 400 123 456",
        address="12 Collins Street",
        city="Melbourne",
        region="Victoria",
        postal_code="3000",
        country="AU",
    )
    return payment_services.order_place(
        cart=cart, expo=expo, details=details, provider="manual", buyer=None, attribution=DIRECT
    )


def test_an_organiser_walks_the_workspace(page: Page, daphne_server: DaphneServer, fair):
    server, expo = daphne_server, fair["expo"]
    order = _transfer_order(expo, fair["booth"])
    job = ReportJob.objects.create(
        expo=expo, language="en", status=ReportJob.Status.RUNNING, progress=40, step="Figures"
    )
    watch = _watched(page)
    sign_in(page, server, fair["organiser"])

    page.goto(f"{server.url}/manage/")
    page.goto(f"{server.url}/manage/expos/{expo.slug}/")
    expect(page.get_by_test_id("stat-booths")).to_be_visible()
    watch.check(page, "organiser home and expo")

    page.goto(f"{server.url}/manage/expos/{expo.slug}/dashboard/")
    expect(page.get_by_test_id("live-status")).to_have_attribute("data-state", "open")
    expect(page.locator(".db-chart svg.chart").first).to_be_visible()
    expect(page.get_by_test_id("kpi-omzet").locator("[data-figure=omzet]")).to_have_text("Rp 0")
    watch.check(page, "omzet dashboard")

    page.goto(f"{server.url}/manage/expos/{expo.slug}/banners/")
    expect(page.locator("table").first).to_contain_text("Batik week")
    watch.check(page, "banners")

    page.goto(f"{server.url}/manage/expos/{expo.slug}/payments/")
    row = page.locator("tr").filter(has_text=order.code)
    expect(row).to_be_visible()
    watch.check(page, "transfers")
    asked: list[str] = []

    def refuse(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", refuse)
    row.get_by_test_id("confirm-transfer").click()
    expect(row).to_be_visible()
    assert asked, "the destructive button did not ask first"
    order.refresh_from_db()
    assert order.status != Order.Status.PAID  # refused in the dialog: nothing sent

    page.goto(f"{server.url}/manage/expos/{expo.slug}/dashboard/report/{job.pk}/")
    bar = page.locator("[data-job-bar]")
    expect(bar).to_have_class("pct-40")
    ReportJob.objects.filter(pk=job.pk).update(
        status=ReportJob.Status.DONE, progress=100, step="", pdf=b"%PDF-1.4"
    )
    expect(page.get_by_test_id("job-download")).to_be_visible()
    expect(bar).to_have_class("pct-100")
    watch.check(page, "report job")
