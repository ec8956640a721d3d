"""Accounts in a real browser against the real server: sign up, confirm, log in and out, switch
language, reset a password; and the home page at desktop and phone widths."""

from __future__ import annotations

import itertools
import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS, DaphneServer, email_links

pytestmark = pytest.mark.e2e

PASSWORD = "Batik-Solo-2024!"
_people = itertools.count(1)


def _unique_email(stem: str) -> str:
    return f"{stem}.{int(time.time() * 1000)}.{next(_people)}@example.com"


def _open_user_menu(page: Page) -> None:
    menu = page.locator("details.user-menu")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()
    expect(menu.locator("[data-testid=logout]")).to_be_visible()


def _log_out(page: Page) -> None:
    _open_user_menu(page)
    page.locator("[data-testid=logout]").click()
    # allauth logs out on POST at once; should it ask again, confirm on its page.
    confirm = page.locator("main form[action$='/accounts/logout/'] button[type=submit]")
    log_in_link = page.locator(".nav-account a[href='/accounts/login/']")
    expect(log_in_link.or_(confirm)).to_be_visible()
    if confirm.is_visible():
        confirm.click()
    expect(log_in_link).to_be_visible()
    expect(page.locator("details.user-menu")).to_have_count(0)


def _log_in(page: Page, server: DaphneServer, email: str, password: str) -> None:
    page.goto(f"{server.url}/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("details.user-menu")).to_be_visible()


def test_sign_up_confirm_log_in_switch_language_log_out(page: Page, daphne_server: DaphneServer):
    server = daphne_server
    email = _unique_email("sari")

    page.goto(f"{server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.locator(".nav-account a[href='/accounts/signup/']").click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    page.locator("input[name=name]").fill("Sari Wulandari")
    page.locator("select[name=country]").select_option("ID")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()

    # Mandatory verification: no session yet, a "check your inbox" page and a mail.
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    expect(page.locator("details.user-menu")).to_have_count(0)
    mail = server.wait_for_mail(email)
    assert "[UMKM Virtual Expo]" in mail["Subject"]
    links = [link for link in email_links(mail) if "/accounts/confirm-email/" in link]
    assert links, f"no confirmation link in:\n{mail}"
    assert links[0].startswith(server.url), links[0]

    page.goto(links[0])
    expect(page.locator("main")).to_contain_text(email)
    page.get_by_role("button", name="Confirm").click()

    # ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION: confirming logs the new account in.
    user_menu = page.locator("details.user-menu")
    expect(user_menu.locator(".user-name")).to_have_text("Sari")
    expect(user_menu.locator("[data-testid=role-badge]")).to_have_text("Buyer")

    _log_out(page)
    _log_in(page, server, email, PASSWORD)
    expect(page).to_have_url(f"{server.url}/")
    expect(user_menu.locator(".user-name")).to_have_text("Sari")
    expect(user_menu.locator("[data-testid=role-badge]")).to_have_text("Buyer")
    _open_user_menu(page)
    expect(user_menu.locator(".menu-email")).to_have_text(email)
    expect(page.locator("[data-testid=logout]")).to_have_text("Log out")

    # The language switch submits itself on change and comes back to the same page.
    page.locator("select#lang-select").select_option("id")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page).to_have_url(f"{server.url}/")
    expect(page.locator("select#lang-select")).to_have_value("id")
    _open_user_menu(page)
    # Django's own Indonesian catalogue translates these (the project's may not yet).
    expect(page.locator("[data-testid=logout]")).to_have_text("Keluar")
    # A page drawn by allauth, in Indonesian from allauth's catalogue.
    page.goto(f"{server.url}/accounts/password/change/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ubah Kata Sandi")

    _log_out(page)
    # The choice outlives the session: the cookie, and it was saved on the account.
    expect(page.locator("html")).to_have_attribute("lang", "id")
    from expo.models import User

    assert User.objects.get(email=email).language == "id"


def test_password_reset(page: Page, daphne_server: DaphneServer, make_user):
    server = daphne_server
    email = _unique_email("budi")
    make_user(email=email, password="old-password-81", name="Budi Santoso")
    new_password = "Wayang-Kulit-77"

    page.goto(f"{server.url}/accounts/login/")
    page.locator("main a[href='/accounts/password/reset/']").click()
    expect(page).to_have_url(re.compile(r"/accounts/password/reset/$"))
    page.locator("input[name=email]").fill(email)
    page.get_by_role("button", name="Reset My Password").click()
    expect(page).to_have_url(re.compile(r"/accounts/password/reset/done/$"))

    mail = server.wait_for_mail(email)
    links = [link for link in email_links(mail) if "/accounts/password/reset/key/" in link]
    assert links, f"no reset link in:\n{mail}"
    page.goto(links[0])
    # allauth swaps the key in the address for a session token, then shows the form.
    expect(page).to_have_url(re.compile(r"/accounts/password/reset/key/[^/]+-set-password/$"))
    page.locator("input[name=password1]").fill(new_password)
    page.locator("input[name=password2]").fill(new_password)
    page.get_by_role("button", name="Change Password").click()
    expect(page).to_have_url(re.compile(r"/accounts/password/reset/key/done/$"))

    # The old password no longer works; the new one does.
    page.goto(f"{server.url}/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill("old-password-81")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("main")).to_contain_text("not correct")
    expect(page.locator("details.user-menu")).to_have_count(0)

    _log_in(page, server, email, new_password)
    expect(page.locator("details.user-menu .user-name")).to_have_text("Budi")
    _log_out(page)


def test_home_page_screenshots(page: Page, daphne_server: DaphneServer):
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{daphne_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "home-1280x900.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "home-390x844.png"), full_page=True)
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    if widths["scroll"] > widths["inner"]:
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
                .slice(0, 10)
                .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`
                    + ` right=${Math.round(el.getBoundingClientRect().right)}`)"""
        )
        pytest.fail(f"the phone layout overflows horizontally: {widths}; widest: {wide}")

    # The menu opens on a phone and shows the account links.
    page.locator("[data-nav-toggle]").click()
    expect(page.locator(".nav-account a[href='/accounts/login/']")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "home-390x844-menu.png"))
