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


# --- Tracking numbers link to the courier's page ------------------------------------------------


def test_a_tracking_number_links_to_the_couriers_page(
    client, make_expo, make_booth, make_organiser, make_user, django_capture_on_commit_callbacks
):
    from django.core import mail

    from payments import services as payments
    from payments.models import Cart, CollectingAccount

    organiser = make_organiser()
    expo = make_expo("open", office=organiser.offices.get())
    CollectingAccount.objects.create(
        expo=expo, bank_name="Bank Jateng", account_number="2-034", account_holder="Dinkop"
    )
    booth = make_booth(expo, name="Batik Sekar")
    product = booth.products.first()
    vendor = make_user(name="Sekar Owner")
    VendorMembership.objects.create(vendor=booth.vendor, user=vendor, role="owner")
    permissions.forget(vendor)
    buyer = make_user(name="Ayu Buyer")
    cart = Cart.objects.create(user=buyer)
    payments.cart_add(cart=cart, product=product, quantity=product.min_order)
    details = payments.BuyerDetails(
        email=buyer.email,
        name="Ayu Buyer",
        phone="+62 812 3456 7890",
        address="Jl. Pemuda 12",
        city="Semarang",
        region="Jawa Tengah",
        postal_code="50132",
        country="ID",
    )
    with django_capture_on_commit_callbacks(execute=True):
        order = payments.order_place(
            cart=cart, expo=expo, details=details, provider="manual", buyer=buyer
        )
        payments.transfer_confirm(payment=order.payments.get(), by=organiser)
        part = order.parts.get()
        payments.part_mark_packed(part=part, by=vendor)
        payments.part_mark_shipped(
            part=part, courier="jne", tracking_number="JP1234 5678", by=vendor
        )
    page_link = (
        '<a href="https://www.jne.co.id/tracking-package?awb=JP1234%205678" target="_blank" '
        'rel="noopener noreferrer" data-testid="tracking-link">JP1234 5678</a>'
    )

    client.force_login(buyer)
    assert page_link in client.get(f"/orders/{order.code}/").content.decode()
    client.force_login(vendor)
    vendor_page = client.get(f"/vendor/{booth.vendor.slug}/orders/{part.pk}/").content.decode()
    assert page_link in vendor_page
    shipped = [m for m in mail.outbox if m.to == [buyer.email] and "JP1234 5678" in m.body]
    assert "https://www.jne.co.id/tracking-package?awb=JP1234%205678" in shipped[-1].body


def test_a_courier_without_a_tracking_page_shows_the_number_only():
    from types import SimpleNamespace

    from payments.templatetags.payments_tags import tracking_link

    part = SimpleNamespace(courier="other", tracking_number="<KURIR-1>")
    assert tracking_link(part) == "&lt;KURIR-1&gt;"
