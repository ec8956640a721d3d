"""What a first walk could not find: the vendor's inbox and live sessions, a buyer's questions."""

from __future__ import annotations

import pytest

from booths.models import VendorMembership
from expo import permissions

pytestmark = pytest.mark.django_db


@pytest.fixture
def vendor_member(make_expo, make_booth, make_user):
    booth = make_booth(make_expo("open"), name="Batik Sekar")
    user = make_user(name="Budi Vendor")
    VendorMembership.objects.create(vendor=booth.vendor, user=user, role="owner")
    permissions.forget(user)
    return booth.vendor, user


def test_the_vendor_workspace_tabs_reach_the_inbox_and_the_live_sessions(client, vendor_member):
    vendor, user = vendor_member
    client.force_login(user)

    page = client.get(f"/vendor/{vendor.slug}/").content.decode()

    assert f'href="/vendor/{vendor.slug}/inbox/"' in page
    assert f'href="/vendor/{vendor.slug}/sessions/"' in page
    for path in ("inbox", "sessions"):
        assert client.get(f"/vendor/{vendor.slug}/{path}/").status_code == 200


def test_the_user_menu_reaches_a_buyers_questions_to_makers(client, buyer):
    client.force_login(buyer)

    page = client.get("/").content.decode()

    assert 'href="/inquiries/" data-testid="menu-inquiries"' in page
    assert "My questions to makers" in page
    assert client.get("/inquiries/").status_code == 200


def test_a_guest_has_no_user_menu(client):
    assert 'data-testid="menu-inquiries"' not in client.get("/").content.decode()


# --- "Remind me" across the log-in -------------------------------------------------------------


@pytest.fixture
def upcoming(make_expo, make_booth):
    from datetime import timedelta

    from django.utils import timezone

    from events.models import LiveSession

    booth = make_booth(make_expo("open"), name="Kopi Gunung")
    starts = timezone.now() + timedelta(days=1)
    return LiveSession.objects.create(
        booth=booth,
        title_en="Roasting demo",
        title_id="Demo sangrai",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        stream_url="https://zoom.us/j/123456789",
    )


def test_a_guests_remind_me_is_kept_across_the_log_in(client, upcoming, make_user):
    from events.models import SessionReminder

    expo = upcoming.booth.expo
    agenda = f"/expos/{expo.slug}/agenda/"
    user = make_user(email="guest@example.com", password="correct-horse-9")
    page = client.get(agenda).content.decode()
    assert 'data-testid="remind-me"' in page  # a guest gets the same button

    asked = client.post(
        f"/expos/{expo.slug}/sessions/{upcoming.pk}/remind/", {"next": agenda}, follow=True
    )

    login_url = asked.redirect_chain[-1][0]
    assert login_url.startswith("/accounts/login/?next=")
    assert "Log in to get your reminder for “Roasting demo”." in asked.content.decode()
    assert not SessionReminder.objects.exists()

    done = client.post(
        login_url, {"login": "guest@example.com", "password": "correct-horse-9"}, follow=True
    )

    assert done.redirect_chain[-1][0] == agenda
    assert SessionReminder.objects.filter(user=user, session=upcoming).exists()
    assert 'data-testid="reminder-set"' in done.content.decode()
    # Back on the remind address later, nothing more happens: the kept reminder was used once.
    SessionReminder.objects.all().delete()
    client.get(f"/expos/{expo.slug}/sessions/{upcoming.pk}/remind/?next={agenda}")
    assert not SessionReminder.objects.exists()


def test_a_link_to_the_remind_address_sets_nothing_for_someone_who_did_not_ask(
    client, upcoming, buyer
):
    from events.models import SessionReminder

    expo = upcoming.booth.expo
    client.force_login(buyer)

    response = client.get(
        f"/expos/{expo.slug}/sessions/{upcoming.pk}/remind/?next=//evil.example.com/"
    )

    assert response.status_code == 302
    assert response["Location"] == f"/expos/{expo.slug}/agenda/"
    assert not SessionReminder.objects.exists()


# --- A logo chosen with a refused form -----------------------------------------------------------


def test_the_logo_chosen_with_a_refused_registration_is_kept(client, buyer, regions, sectors):
    import re

    from booths.models import Vendor
    from tests.booths.test_vendor_views import image_upload, vendor_form_data

    client.force_login(buyer)
    data = vendor_form_data(regions[0], sectors[0])

    refused = client.post(
        "/vendor/register/", {**data, "nib": "12345", "logo": image_upload("logo-sekar.png")}
    )

    page = refused.content.decode()
    assert refused.status_code == 200 and "exactly 13 digits" in page
    assert "Kept from your last try: logo-sekar.png." in page
    token = re.search(r'name="logo__kept" value="([^"]+)"', page).group(1)

    # The browser sends no file this time (it never refills a file input), only the token.
    accepted = client.post("/vendor/register/", {**data, "logo__kept": token})

    assert accepted.status_code == 302
    assert Vendor.objects.get().logo.name.startswith("vendors/logos/")


def test_a_made_up_kept_token_is_no_logo(client, buyer, regions, sectors):
    from booths.models import Vendor
    from tests.booths.test_vendor_views import vendor_form_data

    client.force_login(buyer)
    data = vendor_form_data(regions[0], sectors[0])

    client.post("/vendor/register/", {**data, "logo__kept": "A" * 32})
    client.post("/vendor/register/", {**data, "nib": "9120001234568", "logo__kept": "../x"})

    assert [bool(v.logo) for v in Vendor.objects.all()] == [False, False]


def test_a_refused_logo_is_not_kept(client, buyer, regions, sectors):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.booths.test_vendor_views import vendor_form_data

    client.force_login(buyer)
    not_an_image = SimpleUploadedFile("logo.png", b"%PDF-1.4 nope", content_type="image/png")

    page = client.post(
        "/vendor/register/", {**vendor_form_data(regions[0], sectors[0]), "logo": not_an_image}
    ).content.decode()

    assert "logo__kept" not in page
