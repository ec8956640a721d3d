"""The organiser workspace in a real browser, by keyboard: from the expo list to the curation queue,
approve one application, refuse a rejection without a reason, reject with one; the vendor is
e-mailed each decision. Screenshots of the workspace at desktop and phone widths."""

# The builders are pytest fixtures imported from tests/expo/test_manage: tests name them as
# parameters, which pyflakes reads as redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from booths.models import Booth, BoothApplication
from tests.e2e.conftest import ARTIFACTS, DaphneServer, sign_in
from tests.expo.test_manage import (  # noqa: F401 - fixtures
    make_application,
    make_vendor,
    private_files,
)

pytestmark = pytest.mark.e2e


def test_organiser_curates_by_keyboard(
    page: Page,
    daphne_server: DaphneServer,
    make_organiser,
    make_expo,
    make_user,
    make_vendor,
    make_application,
):
    server = daphne_server
    organiser = make_organiser(name="Sri Wahyuni")
    expo = make_expo("open", office=organiser.offices.get(), slug="expo-keyboard")
    first_member, second_member = make_user(), make_user()
    first = make_application(
        expo, files=False, vendor=make_vendor(name="Batik Sekar Jagad", members=(first_member,))
    )
    second = make_application(
        expo, files=False, vendor=make_vendor(name="Kopi Lereng Ungaran", members=(second_member,))
    )

    sign_in(page, server, organiser)
    page.goto(f"{server.url}/manage/")
    expect(page.get_by_role("heading", name="Your expos")).to_be_visible()
    expect(page.locator("[data-testid=waiting-count]")).to_have_text("2")
    page.locator(".mg-expo-title a").click()
    expect(page.locator("[data-testid=timeline] [aria-current=step]")).to_contain_text("Open")
    page.get_by_role("navigation", name="Expo workspace").get_by_role(
        "link", name="Applications"
    ).click()
    rows = page.locator("[data-testid=queue-row]")
    expect(rows).to_have_count(2)

    # Approve the first, with the keyboard only.
    page.get_by_role("link", name="Batik Sekar Jagad").focus()
    page.keyboard.press("Enter")
    approve = page.get_by_role("button", name="Approve and open a booth")
    approve.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_contain_text("Batik Sekar Jagad is approved")
    expect(rows.filter(has_text="Batik Sekar Jagad")).to_contain_text("Approved")
    assert "Approved" in server.wait_for_mail(first_member.email)["Subject"]

    # Rejecting needs a reason: the browser asks for one before anything is sent.
    page.get_by_role("link", name="Kopi Lereng Ungaran").click()
    reject = page.get_by_role("button", name="Reject the application")
    reject.focus()
    page.keyboard.press("Enter")
    reason = page.get_by_role("textbox", name="Reject")
    assert reason.evaluate("el => !el.validity.valid")
    expect(page).to_have_url(f"{server.url}/manage/applications/{second.pk}/")
    reason.fill("The product photos do not show the coffee itself.")
    reject.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_contain_text("rejected")
    mail = server.wait_for_mail(second_member.email)
    assert "coffee itself" in mail.get_body(preferencelist=("plain",)).get_content()

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (
        BoothApplication.Status.APPROVED,
        BoothApplication.Status.REJECTED,
    )
    assert Booth.objects.filter(expo=expo).count() == 1

    ARTIFACTS.mkdir(exist_ok=True)
    for width, label in ((1280, "desktop"), (390, "phone")):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{server.url}/manage/expos/{expo.slug}/applications/")
        page.screenshot(path=ARTIFACTS / f"manage-queue-{label}.png", full_page=True)
        page.goto(f"{server.url}/manage/applications/{second.pk}/")
        page.screenshot(path=ARTIFACTS / f"manage-application-{label}.png", full_page=True)
