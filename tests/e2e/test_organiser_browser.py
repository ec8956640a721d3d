"""The organiser's walk in Chromium against the real server (issue 14): signs in, takes an expo
through its stages with the overview's actions (each confirmed; publishing early leaves applications
open), reads a conversion that is a share of people (never over 100 %) on the omzet dashboard, gives
the collecting account its SWIFT/BIC for buyers abroad (who then see it on their order), and asks for
the PDF report, whose download link shows only once the file is ready. Then the hall's banner
carousel: it can be paused, and it holds still for a pointer, for focus and for reduced motion.

Each step failed on the code before: there were no stage actions, the dashboard said 2300 %, the
account had no SWIFT/BIC, the download link showed (and 404ed) while the report was queued, and the
carousel had no pause control."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from booths.services.visit_rollups import visits_write
from booths.visits import account_key
from expo.banners import services as banner_services
from expo.banners.models import BannerCampaign
from expo.models import Expo, ExpoState
from expo.reports import services as report_services
from expo.reports.models import ReportJob
from payments import services as payment_services
from payments.attribution import DIRECT
from payments.models import Cart, CollectingAccount
from tests.e2e.conftest import DaphneServer
from tests.reports.conftest import LedgerWriter

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-9"  # the password tests/conftest.py's make_user gives


def _log_in(page: Page, server: DaphneServer, email: str) -> None:
    page.goto(f"{server.url}/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("details.user-menu")).to_be_visible()


def _take_stage(page: Page, stage: str, *, close_applications: bool | None = None) -> None:
    """Press the overview's action for ``stage``, read the confirmation, confirm."""
    page.get_by_test_id(f"stage-{stage}").click()
    expect(page.get_by_test_id("stage-confirm")).to_be_visible()
    expect(page.get_by_test_id("stage-changes")).to_contain_text("now")
    if close_applications is not None:
        box = page.locator("input[name=close_applications]")
        expect(box).not_to_be_checked()  # publishing leaves applications open unless asked
        if close_applications:
            box.check()
    page.get_by_test_id("stage-confirm-button").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.get_by_test_id("timeline")).to_be_visible()


def _current_steps(page: Page) -> list[str]:
    return page.locator("[data-testid=timeline] [aria-current=step]").evaluate_all(
        "els => els.map(e => e.dataset.state)"
    )


def _place_order_abroad(expo, booth) -> object:
    cart = Cart.objects.create()
    payment_services.cart_add(cart=cart, product=booth.products.order_by("pk").first(), quantity=1)
    details = payment_services.BuyerDetails(
        email="haruto@example.jp",
        name="Haruto Sato",
        phone="+81 3 1234 5678",
        address="1-2-3 Shibuya",
        city="Tokyo",
        region="Tokyo",
        postal_code="150-0002",
        country="JP",
    )
    return payment_services.order_place(
        cart=cart, expo=expo, details=details, provider="manual", buyer=None, attribution=DIRECT
    )


def test_the_organisers_walk(
    page: Page,
    browser: Browser,
    daphne_server: DaphneServer,
    settings,
    make_organiser,
    make_expo,
    make_booth,
    make_user,
):
    server = daphne_server
    # The server checks passwords with its own hashers, not the test's fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    organiser = make_organiser(name="Sri Wahyuni")
    expo = make_expo("draft", office=organiser.offices.get(), slug="expo-walk")
    booth = make_booth(expo, name="Batik Sekar Jagad")
    overview = f"{server.url}/manage/expos/{expo.slug}/"

    # --- Signs in, takes the expo through its stages ------------------------------------------
    _log_in(page, server, organiser.email)
    page.goto(overview)
    expect(page.get_by_test_id("stage-publish")).to_have_count(0)  # nothing to publish yet
    _take_stage(page, "open-applications")
    assert _current_steps(page) == ["accepting"]

    _take_stage(page, "publish", close_applications=False)
    assert _current_steps(page) == ["accepting", "published"]
    expo.refresh_from_db()
    assert expo.state == ExpoState.ACCEPTING and expo.published_at is not None
    guest = browser.new_context()
    try:
        hall = guest.new_page()
        response = hall.goto(f"{server.url}/expos/{expo.slug}/")
        assert response is not None and response.status == 200
        expect(hall.get_by_text("Batik Sekar Jagad").first).to_be_visible()
    finally:
        guest.close()

    _take_stage(page, "open")
    assert _current_steps(page) == ["open"]
    expect(page.get_by_test_id("stage-close")).to_be_visible()
    expo.refresh_from_db()
    assert expo.state == ExpoState.OPEN

    # --- Conversion on the dashboard: one booth visit, 23 paid orders ---------------------------
    regular = make_user(name="Regular Buyer")
    visits_write(visits=[("booth", booth.pk, date.today(), account_key(regular.pk))])
    writer = LedgerWriter(expo)
    at = timezone.now() - timedelta(minutes=5)
    for _ in range(3):
        writer.order(lines=[(booth, 10_000, 1)], at=at, buyer=regular, email=regular.email)
    for n in range(20):
        writer.order(lines=[(booth, 10_000, 1)], at=at, email=f"guest{n}@example.com")
    page.goto(f"{overview}dashboard/")
    expect(page.get_by_test_id("kpi-conversion")).to_contain_text("% of them bought")
    rates = [
        float(m)
        for text in page.locator(
            "[data-testid=kpi-conversion], [data-testid=booth-table] td[data-label=Conversion]"
        ).all_inner_texts()
        for m in re.findall(r"(\d+(?:\.\d+)?)%", text)
    ]
    assert rates and all(0 <= rate <= 100 for rate in rates), rates
    expect(page.get_by_test_id("conversion-help")).to_be_visible()

    # --- SWIFT/BIC on the collecting account ---------------------------------------------------
    account_page = f"{server.url}/manage/expos/{expo.slug}/payments/account/"
    page.goto(account_page)
    form = page.get_by_test_id("account-form")
    form.get_by_label("Bank", exact=True).fill("BNI")
    form.get_by_label("Account number").fill("0123-456-789")
    form.get_by_label("Account holder").fill("Dinkop UKM Jawa Tengah")
    form.get_by_label("SWIFT/BIC").fill("BNIN 1DJA")  # a digit where the country goes
    form.get_by_label("Bank address").fill("Jl. Pemuda 1, Semarang 50132, Indonesia")
    form.get_by_label("Who pays the transfer fees").select_option("SHA")
    page.get_by_test_id("save-account").click()
    expect(page.locator(".mg-field[data-field=swift_bic]")).to_contain_text("SWIFT/BIC code")
    assert not CollectingAccount.objects.filter(expo=expo).exists()
    page.get_by_test_id("account-form").get_by_label("SWIFT/BIC").fill("bnin idja")
    page.get_by_test_id("save-account").click()
    expect(page.locator(".flash-success")).to_contain_text("Collecting account saved")
    account = CollectingAccount.objects.get(expo=expo)
    assert (account.swift_bic, account.transfer_fees) == ("BNINIDJA", "SHA")

    order = _place_order_abroad(expo, booth)
    buyer = browser.new_context(timezone_id="Asia/Tokyo")
    try:
        order_page = buyer.new_page()
        order_page.goto(f"{server.url}/orders/{order.code}/?key={order.access_key}")
        expect(order_page.get_by_test_id("transfer-swift")).to_contain_text("BNINIDJA")
        expect(order_page.get_by_test_id("transfer-bank-address")).to_contain_text("Semarang")
        expect(order_page.get_by_test_id("transfer-fees")).to_contain_text("SHA")
    finally:
        buyer.close()

    # --- The PDF report: the download shows only once the file is ready -----------------------
    # A report the worker has not reached yet: no download link.
    waiting = ReportJob.objects.create(expo=expo, language="en", requested_by=organiser)
    page.goto(f"{overview}dashboard/report/{waiting.pk}/")
    expect(page.get_by_test_id("job-status")).to_have_text("Queued")
    expect(page.get_by_test_id("job-download")).to_be_hidden()
    # The worker builds it; the page, polling, shows the link.
    report_services.report_build(job_id=waiting.pk)
    expect(page.get_by_test_id("job-download")).to_be_visible(timeout=20_000)
    expect(page.get_by_test_id("job-status")).to_have_text("Ready")
    with page.expect_download() as download:
        page.get_by_test_id("job-download").click()
    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"

    # And through the page's own form (the server builds it at once here).
    page.goto(f"{overview}dashboard/report/")
    page.get_by_test_id("report-form").get_by_role("button").click()
    expect(page.get_by_test_id("job-download")).to_be_visible(timeout=30_000)

    # --- Close now ------------------------------------------------------------------------------
    page.goto(overview)
    _take_stage(page, "close")
    assert _current_steps(page) == ["closed"]
    assert Expo.objects.get(pk=expo.pk).state == ExpoState.CLOSED


# --- The hall's banner carousel --------------------------------------------------------------------


def _image(width: int, height: int, colour: tuple[int, int, int]) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="JPEG")
    return SimpleUploadedFile("banner.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def hall_with_banners(make_organiser, make_expo, make_booth):
    organiser = make_organiser(name="Sri Wahyuni")
    expo = make_expo("open", office=organiser.offices.get(), slug="expo-carousel")
    booth = make_booth(expo, name="Batik Sekar Jagad")
    slots = banner_services.slots_ensure()
    first, last = banner_services.expo_days(expo)
    hero = slots["hall_hero"]
    for n, colour in enumerate([(20, 110, 90), (200, 90, 20), (30, 60, 160)]):
        banner_services.banner_place(
            expo=expo,
            slot=hero,
            target=BannerCampaign.Target.BOOTH,
            booth=booth,
            title_en=f"Batik week {n}",
            image_en=_image(hero.width, hero.height, colour),
            starts_on=first,
            ends_on=last,
            by=organiser,
        )
    return expo


def _shown(page: Page) -> str:
    return page.locator(".banner-area-hall_hero figure.banner:not([hidden])").get_attribute(
        "data-banner-id"
    )


def _open_hall(page: Page, server: DaphneServer, expo) -> None:
    page.clock.install()  # the carousel's timers run on the test's clock, not the wall's
    page.goto(f"{server.url}/expos/{expo.slug}/")
    expect(page.locator(".banner-area-hall_hero figure.banner")).to_have_count(3)
    page.mouse.move(0, 0)


def test_the_hall_carousel_can_be_paused_and_holds_still(
    page: Page, daphne_server: DaphneServer, hall_with_banners
):
    server, expo = daphne_server, hall_with_banners
    _open_hall(page, server, expo)
    toggle = page.get_by_test_id("banner-pause")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_text(re.compile("Pause"))

    # It turns on its own...
    first = _shown(page)
    page.clock.run_for(7_000)
    second = _shown(page)
    assert second != first

    # ...until paused: then it stays, and says Play.
    toggle.click()
    expect(toggle).to_have_text(re.compile("Play"))
    page.clock.run_for(30_000)
    assert _shown(page) == second
    toggle.click()
    expect(toggle).to_have_text(re.compile("Pause"))
    page.clock.run_for(7_000)
    third = _shown(page)
    assert third != second

    # A pointer on the banner holds it.
    page.locator(".banner-area-hall_hero .banner-track").hover()
    page.clock.run_for(30_000)
    assert _shown(page) == third
    page.mouse.move(0, 0)
    page.clock.run_for(7_000)
    fourth = _shown(page)
    assert fourth != third

    # So does the keyboard's focus in it.
    page.locator(".banner-area-hall_hero figure.banner:not([hidden]) a").focus()
    page.clock.run_for(30_000)
    assert _shown(page) == fourth


def test_the_carousel_stays_still_for_visitors_who_prefer_reduced_motion(
    browser: Browser, daphne_server: DaphneServer, hall_with_banners
):
    context = browser.new_context(reduced_motion="reduce")
    try:
        page = context.new_page()
        _open_hall(page, daphne_server, hall_with_banners)
        toggle = page.get_by_test_id("banner-pause")
        expect(toggle).to_have_text(re.compile("Play"))
        first = _shown(page)
        page.clock.run_for(30_000)
        assert _shown(page) == first
        toggle.click()  # the visitor may still choose to play it
        page.clock.run_for(7_000)
        assert _shown(page) != first
    finally:
        context.close()
