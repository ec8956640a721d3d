"""A meeting's video call in real browsers against the real server: the vendor and the buyer, each
in a Chromium context of their own with fake camera and microphone, join the meeting room and reach
a connected RTCPeerConnection on loopback (no STUN or TURN); the vendor turns its camera off and
the buyer's page shows it; the buyer mutes and shares a screen and the vendor's page shows it; the
buyer reloads and the call connects again by itself.

Every wait is for a condition (data attributes call.js keeps: the section's ``data-connected``,
each tile's ``data-connection`` and ``data-camera``), with generous bounds: the machine is shared.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, expect

from booths.models import VendorMembership
from expo import permissions
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, DaphneServer
from tests.events.meetings import make_meeting

pytestmark = pytest.mark.e2e

WAIT_MS = 60_000
FAKE_MEDIA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture(scope="module")
def call_browser(browser_type) -> Browser:
    """Chromium with a fake camera and microphone that never asks for permission."""
    browser = browser_type.launch(
        executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *FAKE_MEDIA]
    )
    yield browser
    browser.close()


def _signed_in(browser: Browser, server: DaphneServer, user) -> tuple[BrowserContext, Page]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale="en-US",
        timezone_id="Asia/Jakarta",
        permissions=["camera", "microphone"],
    )
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.console = []  # what the page said, shown when the test fails
    page.on("console", lambda msg: page.console.append(f"[{msg.type}] {msg.text}"))
    page.on("pageerror", lambda exc: page.console.append(f"[pageerror] {exc}"))
    return context, page


def _state(page: Page) -> str:
    """The call's section and tiles as call.js left them, and the page's console."""
    try:
        tiles = page.evaluate(
            "JSON.stringify([document.querySelector('[data-call]')?.dataset,"
            " ...[...document.querySelectorAll('[data-peer]')].map((t) => t.dataset)])"
        )
    except Exception as exc:  # the page may be gone; the rest still helps
        tiles = repr(exc)
    return f"{page.url}\n{tiles}\n" + "\n".join(page.console[-40:])


@pytest.fixture
def scene(daphne_server, make_expo, make_booth, make_user):
    booth = make_booth(make_expo("open"), name="Batik Sekar")
    vendor = make_user(name="Budi Vendor")
    VendorMembership.objects.create(vendor=booth.vendor, user=vendor)
    permissions.forget(vendor)
    buyer = make_user(name="Emma Buyer")
    meeting = make_meeting(booth, buyer=buyer, vendor_user=vendor, starts_in=timedelta(minutes=1))
    return meeting, vendor, buyer


def _join(page: Page, url: str) -> None:
    page.goto(url)
    call = page.locator("[data-call]")
    expect(call).to_have_attribute("data-call-state", "prejoin", timeout=WAIT_MS)
    page.get_by_test_id("call-join").click()
    expect(call).to_have_attribute("data-call-state", "in-call", timeout=WAIT_MS)


def _connected(page: Page) -> None:
    expect(page.locator("[data-call]")).to_have_attribute("data-connected", "1", timeout=WAIT_MS)
    expect(page.locator("[data-remote]")).to_have_count(1, timeout=WAIT_MS)
    expect(page.locator("[data-remote]")).to_have_attribute(
        "data-connection", "connected", timeout=WAIT_MS
    )


def test_two_browsers_call_see_the_camera_go_off_and_reconnect_after_a_reload(
    call_browser: Browser, daphne_server: DaphneServer, scene
):
    meeting, vendor, buyer = scene
    url = f"{daphne_server.url}/meetings/{meeting.pk}/room/"
    vendor_context, vendor_page = _signed_in(call_browser, daphne_server, vendor)
    buyer_context, buyer_page = _signed_in(call_browser, daphne_server, buyer)
    try:
        _join(vendor_page, url)
        _join(buyer_page, url)
        _connected(vendor_page)
        _connected(buyer_page)
        # The names come with the peers' state.
        expect(buyer_page.locator("[data-remote] .call-name")).to_have_text("Budi Vendor")
        # Media flows: the vendor's page plays the buyer's (fake) camera.
        vendor_page.wait_for_function(
            "() => { const v = document.querySelector('[data-remote] video');"
            " return v && v.videoWidth > 0; }",
            timeout=WAIT_MS,
        )

        vendor_page.get_by_test_id("call-camera").click()
        remote = buyer_page.locator("[data-remote]")
        expect(remote).to_have_attribute("data-camera", "off", timeout=WAIT_MS)
        expect(remote.locator(".call-tile-off")).to_be_visible()
        expect(remote.locator(".call-off-text")).to_have_text("Camera off")

        # The buyer mutes and shows a screen (a catalogue): the vendor's page says so.
        buyer_page.get_by_test_id("call-mic").click()
        vendor_remote = vendor_page.locator("[data-remote]")
        expect(vendor_remote).to_have_attribute("data-mic", "off", timeout=WAIT_MS)
        expect(vendor_remote.locator(".call-muted")).to_be_visible()
        buyer_page.get_by_test_id("call-share").click()
        expect(vendor_remote).to_have_attribute("data-screen", "on", timeout=WAIT_MS)
        buyer_page.get_by_test_id("call-share").click()
        expect(vendor_remote).to_have_attribute("data-screen", "off", timeout=WAIT_MS)
        expect(vendor_remote).to_have_attribute("data-connection", "connected")

        # The buyer reloads: the page joins again by itself, and both sides connect again.
        buyer_page.reload()
        expect(buyer_page.locator("[data-call]")).to_have_attribute(
            "data-call-state", "in-call", timeout=WAIT_MS
        )
        _connected(buyer_page)
        _connected(vendor_page)
        # The vendor's camera is still off on the buyer's new page.
        expect(buyer_page.locator("[data-remote]")).to_have_attribute(
            "data-camera", "off", timeout=WAIT_MS
        )
    except BaseException:
        print("vendor:", _state(vendor_page), "\nbuyer:", _state(buyer_page), sep="\n")
        raise
    finally:
        vendor_context.close()
        buyer_context.close()


def test_a_browser_that_cannot_call_is_given_the_vendors_link(
    call_browser: Browser, daphne_server: DaphneServer, make_expo, make_booth, make_user
):
    booth = make_booth(make_expo("open"), name="Batik Sekar")
    vendor = make_user(name="Budi Vendor")
    VendorMembership.objects.create(vendor=booth.vendor, user=vendor)
    buyer = make_user(name="Emma Buyer")
    meeting = make_meeting(
        booth, buyer=buyer, vendor_user=vendor, external_link="https://meet.example.com/batik"
    )
    context, page = _signed_in(call_browser, daphne_server, buyer)
    try:
        # An old browser: no WebRTC at all.
        context.add_init_script("delete window.RTCPeerConnection;")
        page.goto(f"{daphne_server.url}/meetings/{meeting.pk}/room/")
        expect(page.locator("[data-call]")).to_have_attribute("data-call-state", "unsupported")
        link = page.get_by_test_id("external-link")
        expect(link).to_be_visible()
        expect(link).to_have_attribute("href", "https://meet.example.com/batik")
        expect(page.get_by_test_id("call-join")).to_be_hidden()
    except BaseException:
        print("buyer:", _state(page), sep="\n")
        raise
    finally:
        context.close()
