"""A guest, in a real browser from a fresh context: "Exhibit your UMKM" explains exhibiting before
it asks for an account, and a "Remind me" pressed before logging in is still set after it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from events.models import LiveSession, SessionReminder
from tests.e2e.conftest import DaphneServer

pytestmark = pytest.mark.e2e

PASSWORD = "Lurik-Klaten-2025?"


@pytest.fixture
def agenda(daphne_server, make_expo, make_booth):
    expo = make_expo("open")
    booth = make_booth(expo, name="Kopi Gunung")
    starts = timezone.now() + timedelta(days=1)
    session = LiveSession.objects.create(
        booth=booth,
        title_en="Roasting demo",
        title_id="Demo sangrai",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        stream_url="https://zoom.us/j/123456789",
    )
    return expo, session


def test_exhibit_your_umkm_explains_before_it_asks_to_log_in(
    page: Page, daphne_server: DaphneServer, agenda
):
    server = daphne_server
    page.goto(f"{server.url}/")

    page.get_by_test_id("nav-vendor").click()

    # Not a bare login form: what exhibiting means, the steps, and why an account comes first.
    expect(page).to_have_url(f"{server.url}/vendor/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Bring your business to the virtual expo"
    )
    expect(page.locator(".ws-steps li")).to_have_count(3)
    expect(page.get_by_test_id("exhibit-account-note")).to_be_visible()
    expect(page.locator("input[name=password]")).to_have_count(0)

    # Then the way on: an account, coming back to the registration form.
    page.get_by_test_id("exhibit-log-in").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/vendor/register/$"))
    expect(page.locator("input[name=password]")).to_be_visible()


def test_a_reminder_set_before_logging_in_is_kept(
    page: Page, daphne_server: DaphneServer, agenda, make_user, settings
):
    server = daphne_server
    expo, session = agenda
    # The server checks passwords with Django's own hasher, not the tests' fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    user = make_user(email="wulan@example.com", password=PASSWORD, name="Wulan")
    page.goto(f"{server.url}/expos/{expo.slug}/agenda/")
    item = page.get_by_test_id("agenda-session").filter(has_text="Roasting demo")

    item.locator("a, button", has_text="Remind me").click()

    # Asked to log in, and told the reminder waits for it.
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    notice = " ".join(page.locator(".flash-stack").all_inner_texts())
    assert not SessionReminder.objects.exists()
    page.locator("input[name=login]").fill("wulan@example.com")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()

    # Back on the agenda, signed in, with the reminder set.
    expect(page).to_have_url(f"{server.url}/expos/{expo.slug}/agenda/")
    expect(page.locator("details.user-menu .user-name")).to_have_text("Wulan")
    expect(item.locator("button", has_text="Reminder set")).to_be_visible()
    expect(page.locator(".flash-stack")).to_contain_text(
        "We will e-mail you about 15 minutes before “Roasting demo” starts."
    )
    assert SessionReminder.objects.filter(user=user, session=session).count() == 1
    assert "Log in to get your reminder for “Roasting demo”." in notice
