"""A buyer in Tokyo, in a real browser whose clock is in Asia/Tokyo, from a fresh context: the site
learns the zone on the first page, sign-up saves it on the account, and every time the buyer
meets is in Japan Standard Time (UTC+9) and says so — the agenda, the hall's countdown, a live
session, a chat message and the order's transfer deadline.

Each time is chosen so that Tokyo and Jakarta (UTC+7, what everyone got before) differ."""

from __future__ import annotations

import itertools
import re
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.utils import timezone as django_timezone
from playwright.sync_api import Page, expect

from booths.models import VendorMembership
from events.models import ChatMessage, LiveSession
from expo import permissions
from expo.models import User
from payments.models import CollectingAccount, Order
from tests.e2e.conftest import ARTIFACTS, DEFAULT_TIMEOUT_MS, DaphneServer, email_links

pytestmark = pytest.mark.e2e

PASSWORD = "Sakura-Batik-2025!"
JST = timezone(timedelta(hours=9), "JST")
_people = itertools.count(1)


def jst(moment: datetime) -> datetime:
    return moment.astimezone(JST)


@pytest.fixture
def tokyo(browser, browser_context_args, request):
    """A fresh browser context as a buyer in Tokyo has it: the zone and a Japanese locale."""
    context = browser.new_context(
        **{**browser_context_args, "timezone_id": "Asia/Tokyo", "locale": "ja-JP"}
    )
    page = context.new_page()
    page.set_default_timeout(DEFAULT_TIMEOUT_MS)
    console: list[str] = []
    page.on("console", lambda msg: console.append(f"[{msg.type}] {msg.text}"))
    page.on("pageerror", lambda exc: console.append(f"[pageerror] {exc}"))
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    stem = ARTIFACTS / "tokyo-buyer-last-page"
    try:
        page.screenshot(path=f"{stem}.png", full_page=True)
    except Exception as exc:  # the page may be gone; the console still helps
        console.append(f"[screenshot failed] {exc}")
    (ARTIFACTS / "tokyo-buyer-console.txt").write_text(f"url: {page.url}\n" + "\n".join(console))
    context.close()


@pytest.fixture
def expo_world(daphne_server, make_expo, make_booth, make_organiser, make_user):
    """An open expo (a booth with a vendor's chat message, a session tomorrow, a bank account for
    transfers) and a published one whose hall counts down to its opening."""
    organiser = make_organiser(name="Sri Organiser")
    expo = make_expo("open", office=organiser.offices.get())
    CollectingAccount.objects.create(
        expo=expo, bank_name="Bank Jateng", account_number="2-034-56789-0", account_holder="Dinkop"
    )
    booth = make_booth(expo, name="Kopi Gunung", product_names=("Kopi Sindoro",), prices=(55_000,))
    vendor = make_user(name="Budi Vendor")
    VendorMembership.objects.create(vendor=booth.vendor, user=vendor, role="owner")
    permissions.forget(vendor)

    tomorrow = (django_timezone.now() + timedelta(days=1)).date()
    # 02:00 UTC: 11:00 in Tokyo, 09:00 in Jakarta.
    starts = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 2, 0, tzinfo=UTC)
    session = LiveSession.objects.create(
        booth=booth,
        title_en="Roasting demo",
        title_id="Demo sangrai",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        stream_url="https://zoom.us/j/123456789",
    )
    yesterday = (django_timezone.now() - timedelta(days=1)).date()
    message = ChatMessage.objects.create(
        room_kind="booth",
        room_id=booth.pk,
        expo=expo,
        author=vendor,
        author_name="Budi Vendor",
        author_role="vendor",
        body="Selamat datang! Ready stock.",
    )
    # 02:30 UTC yesterday: 11:30 in Tokyo, 09:30 in Jakarta.
    sent = datetime(yesterday.year, yesterday.month, yesterday.day, 2, 30, tzinfo=UTC)
    ChatMessage.objects.filter(pk=message.pk).update(sent_at=sent)

    coming = make_expo("published", office=organiser.offices.get())
    make_booth(coming, name="Tenun Sumba")
    return expo, booth, session, sent, coming


def _sign_up(page: Page, server: DaphneServer) -> str:
    email = f"haruka.{int(time.time() * 1000)}.{next(_people)}@example.jp"
    page.locator(".nav-account a[href='/accounts/signup/']").click()
    page.locator("input[name=name]").fill("Haruka Sato")
    page.locator("select[name=country]").select_option("JP")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    mail = server.wait_for_mail(email)
    link = next(link for link in email_links(mail) if "/accounts/confirm-email/" in link)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("details.user-menu .user-name")).to_have_text("Haruka")
    return email


def test_a_buyer_in_tokyo_sees_japan_standard_time_everywhere(
    tokyo: Page, daphne_server: DaphneServer, expo_world
):
    page, server = tokyo, daphne_server
    expo, booth, session, sent, coming = expo_world

    # The first page of the visit tells the server the browser's zone, and then shows it.
    page.goto(f"{server.url}/")
    expect(page.locator(".site-footer")).to_contain_text("Times are shown in Asia/Tokyo.")

    email = _sign_up(page, server)
    assert User.objects.get(email=email).time_zone == "Asia/Tokyo"

    # The agenda: the session at 11:00 JST, and the page says which zone.
    page.goto(f"{server.url}/expos/{expo.slug}/agenda/")
    expect(page.locator(".live-hero .lead")).to_contain_text(
        "Times are in your time zone, Asia/Tokyo."
    )
    item = page.get_by_test_id("agenda-session").filter(has_text="Roasting demo")
    expect(item.locator(".agenda-time")).to_contain_text(
        f"{jst(session.starts_at):%H:%M}– {jst(session.ends_at):%H:%M} JST"
    )

    # The session's own page.
    page.goto(f"{server.url}/expos/{expo.slug}/sessions/{session.pk}/")
    expect(page.locator(".session-meta")).to_contain_text(
        f"{jst(session.starts_at):%H:%M}–{jst(session.ends_at):%H:%M} JST"
    )

    # The published expo's hall counts down, and names its opening in JST.
    page.goto(f"{server.url}/expos/{coming.slug}/")
    countdown = page.get_by_test_id("countdown")
    expect(countdown.locator("[data-countdown]")).to_have_text(re.compile(r"^\d+d \d\d:\d\d:\d\d$"))
    opening = countdown.locator("time[data-local-time]")
    expect(opening).to_contain_text(f"{jst(coming.opens_at):%H:%M} JST")
    expect(opening).to_have_attribute("title", re.compile("Japan Standard Time"))

    # A chat message from yesterday, at 11:30 in Tokyo, named in full in its title.
    page.goto(f"{server.url}/expos/{expo.slug}/booths/{booth.slug}/")
    message = page.locator(".chat-msg", has_text="Ready stock.")
    expect(message.locator(".chat-time")).to_contain_text(f"{jst(sent):%I:%M}")
    expect(message.locator(".chat-time")).to_have_attribute(
        "title", re.compile("Japan Standard Time")
    )

    # An order paid by bank transfer: the deadline is in JST.
    product = booth.products.get()
    page.goto(f"{server.url}/expos/{expo.slug}/booths/{booth.slug}/products/{product.slug}/")
    page.get_by_test_id("add-to-cart").click()
    expect(page.locator("[data-cart-count]").first).to_have_text("1")
    page.goto(f"{server.url}/cart/")
    page.get_by_test_id("checkout").click()
    page.fill("input[name=email]", email)
    page.fill("input[name=name]", "Haruka Sato")
    page.fill("input[name=phone]", "+81 3 1234 5678")
    page.select_option("select[name=country]", "JP")
    page.fill("textarea[name=address]", "1-1 Marunouchi, Chiyoda-ku")
    page.fill("input[name=city]", "Tokyo")
    page.fill("input[name=state]", "Tokyo")
    page.get_by_test_id("place-order").click()
    instructions = page.get_by_test_id("transfer-instructions")
    expect(instructions).to_be_visible()
    order = Order.objects.get(expo=expo, buyer__email=email)
    deadline = jst(order.reserved_until)
    expect(instructions.locator("strong").first).to_have_text(
        f"{deadline.day} {deadline:%B %Y, %H:%M} JST"
    )
