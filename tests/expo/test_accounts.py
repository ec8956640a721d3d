"""Accounts through allauth's real URLs: sign-up with mandatory verification, log in and out,
password reset, the profile page, the language switch, and each account's language and time zone
(for pages and for e-mails)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from expo.models import User

PASSWORD = "Batik-Solo-2024!"
NEW_PASSWORD = "Lurik-Klaten-2025?"
SESSION_USER_KEY = "_auth_user_id"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth counts attempts in the cache, which outlives a test in the local-memory backend."""
    cache.clear()
    yield
    cache.clear()


def _links(message: mail.EmailMessage, fragment: str) -> list[str]:
    return [link for link in re.findall(r"https?://\S+", message.body) if fragment in link]


def _path(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


def _sign_up(client: Client, email: str, **extra: str):
    data = {
        "name": "Sari Wulandari",
        "country": "ID",
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
        **extra,
    }
    return client.post("/accounts/signup/", data)


def _logged_in_user_id(client: Client) -> str | None:
    return client.session.get(SESSION_USER_KEY)


# --- Sign-up and verification -----------------------------------------------------------------


@pytest.mark.django_db
def test_sign_up_sends_verification_and_blocks_login_until_confirmed(client):
    response = _sign_up(client, "sari@example.com", name="Sari Wulandari", country="MY")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert _logged_in_user_id(client) is None
    user = User.objects.get(email="sari@example.com")
    assert user.name == "Sari Wulandari"
    assert user.country == "MY"
    assert user.language == "en"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sari@example.com"]
    assert message.subject.startswith("[UMKM Virtual Expo] ")
    links = _links(message, "/accounts/confirm-email/")
    assert len(links) == 1

    # Before verifying, the right password still does not open a session.
    other = Client()
    refused = other.post("/accounts/login/", {"login": "sari@example.com", "password": PASSWORD})
    assert refused.status_code == 302
    assert refused["Location"] == "/accounts/confirm-email/"
    assert _logged_in_user_id(other) is None

    # Opening the link only shows a confirmation form; the POST verifies and logs in.
    confirm_path = _path(links[0])
    page = client.get(confirm_path)
    assert page.status_code == 200
    assert _logged_in_user_id(client) is None
    assert not user.emailaddress_set.get().verified

    confirmed = client.post(confirm_path)
    assert confirmed.status_code == 302
    assert user.emailaddress_set.get().verified
    assert _logged_in_user_id(client) == str(user.pk)

    # Now a fresh browser can log in with the password.
    fresh = Client()
    accepted = fresh.post("/accounts/login/", {"login": "sari@example.com", "password": PASSWORD})
    assert accepted.status_code == 302
    assert accepted["Location"] == "/"
    assert _logged_in_user_id(fresh) == str(user.pk)


@pytest.mark.django_db
def test_sign_up_in_indonesian_keeps_the_language_and_writes_the_mail_in_indonesian(client):
    client.cookies["umkm_language"] = "id"

    response = _sign_up(client, "budi@example.com", name="Budi Santoso")

    assert response.status_code == 302
    user = User.objects.get(email="budi@example.com")
    assert user.language == "id"
    message = mail.outbox[-1]
    # allauth's own Indonesian catalogue: "Please Confirm Your Email Address", "Hello from …".
    assert "Konfirmasi" in message.subject
    assert "Halo dari" in message.body
    assert "Hello from" not in message.body


@pytest.mark.django_db
def test_sign_up_keeps_the_time_zone_the_browser_reported(client):
    # As browsers stored it: URL-encoded (see tests/expo/test_time_zones.py for the raw form).
    client.cookies["umkm_tz"] = "Europe%2FBerlin"

    _sign_up(client, "hans@example.com", country="DE")

    assert User.objects.get(email="hans@example.com").time_zone == "Europe/Berlin"


@pytest.mark.django_db
def test_sign_up_refuses_an_unknown_country_and_creates_nothing(client):
    response = _sign_up(client, "nobody@example.com", country="XX")

    assert response.status_code == 200
    assert "country" in response.context["form"].errors
    assert not User.objects.filter(email="nobody@example.com").exists()
    assert mail.outbox == []


# --- Log out, password reset ------------------------------------------------------------------


@pytest.mark.django_db
def test_logout_needs_a_post(client, buyer):
    client.force_login(buyer)

    client.get("/accounts/logout/")
    assert _logged_in_user_id(client) == str(buyer.pk)

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert _logged_in_user_id(client) is None


@pytest.mark.django_db
def test_password_reset_mails_a_link_and_the_new_password_works(client, make_user):
    user = make_user(email="rina@example.com", password=PASSWORD)

    response = client.post("/accounts/password/reset/", {"email": "rina@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    links = _links(mail.outbox[0], "/accounts/password/reset/key/")
    assert len(links) == 1

    # allauth moves the key from the URL into the session, then shows the form.
    form_page = client.get(_path(links[0]), follow=True)
    assert form_page.status_code == 200
    form_path = form_page.redirect_chain[-1][0] if form_page.redirect_chain else _path(links[0])
    changed = client.post(form_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert changed.status_code == 302

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    fresh = Client()
    fresh.post("/accounts/login/", {"login": "rina@example.com", "password": PASSWORD})
    assert _logged_in_user_id(fresh) is None
    fresh.post("/accounts/login/", {"login": "rina@example.com", "password": NEW_PASSWORD})
    assert _logged_in_user_id(fresh) == str(user.pk)


# --- E-mails in the recipient's language ------------------------------------------------------


@pytest.mark.django_db
def test_mail_to_an_account_uses_its_language_not_the_visitors(client, make_user):
    make_user(email="dewi@example.com", language="id")
    make_user(email="john@example.com", language="en")

    client.post("/accounts/password/reset/", {"email": "dewi@example.com"})
    client.cookies["umkm_language"] = "id"
    client.post("/accounts/password/reset/", {"email": "john@example.com"})

    to_dewi, to_john = mail.outbox
    assert to_dewi.to == ["dewi@example.com"]
    assert "Kata Sandi" in to_dewi.subject  # "E-mail Reset Kata Sandi"
    assert "Halo dari" in to_dewi.body
    assert to_john.to == ["john@example.com"]
    assert "Password Reset" in to_john.subject
    assert "Hello from" in to_john.body


@pytest.mark.django_db
def test_user_language_for_email(make_user):
    from expo.services import user_language_for_email

    make_user(email="Dewi@Example.com", language="id")

    assert user_language_for_email(email="dewi@example.com", fallback="en") == "id"
    assert user_language_for_email(email="stranger@example.com", fallback="id") == "id"
    assert user_language_for_email(email="stranger@example.com", fallback="en-us") == "en"
    assert user_language_for_email(email="stranger@example.com", fallback=None) == "en"


# --- Profile ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_profile_needs_login(client):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/accounts/profile/")


@pytest.mark.django_db
def test_profile_saves_name_country_language_and_time_zone(client, buyer):
    client.force_login(buyer)

    response = client.post(
        "/accounts/profile/",
        {
            "name": "Ayu Lestari",
            "country": "SG",
            "language": "id",
            "time_zone": "Asia/Makassar",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    buyer.refresh_from_db()
    assert (buyer.name, buyer.country, buyer.language, buyer.time_zone) == (
        "Ayu Lestari",
        "SG",
        "id",
        "Asia/Makassar",
    )
    assert response.cookies["umkm_language"].value == "id"
    page = client.get("/accounts/profile/")
    assert '<html lang="id">' in page.content.decode()
    assert "Asia/Makassar" in page.content.decode()


@pytest.mark.django_db
def test_profile_language_cookie_follows_the_cookie_settings(client, buyer, settings):
    settings.LANGUAGE_COOKIE_SECURE = True  # as in production (DJANGO_DEBUG=0)
    client.force_login(buyer)
    data = {"name": "Ayu", "country": "ID", "language": "id", "time_zone": "Asia/Jakarta"}

    cookie = client.post("/accounts/profile/", data).cookies[settings.LANGUAGE_COOKIE_NAME]

    assert cookie.value == "id"
    assert cookie["secure"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == settings.LANGUAGE_COOKIE_AGE


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [("time_zone", "Mars/Olympus_Mons"), ("country", "XX"), ("language", "fr")],
)
def test_profile_refuses_bad_values_and_changes_nothing(client, make_user, field, value):
    user = make_user(name="Ayu", country="ID", language="en", time_zone="Asia/Jakarta")
    client.force_login(user)
    data = {"name": "Changed", "country": "SG", "language": "id", "time_zone": "Asia/Makassar"}
    data[field] = value

    response = client.post("/accounts/profile/", data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    with translation.override("en"):
        expected = gettext(
            "Select a valid choice. %(value)s is not one of the available choices."
        ) % {"value": value}
    assert expected in errors[field]
    assert value in response.content.decode()
    assert "umkm_language" not in response.cookies
    user.refresh_from_db()
    assert (user.name, user.country, user.language, user.time_zone) == (
        "Ayu",
        "ID",
        "en",
        "Asia/Jakarta",
    )
    # The navigation still shows the saved name, not the refused form's.
    assert '<span class="user-name">Ayu</span>' in response.content.decode()


# --- Language and time zone -------------------------------------------------------------------


@pytest.mark.django_db
def test_language_switch_sets_cookie_for_a_visitor(client):
    response = client.post("/i18n/setlang/", {"language": "id", "next": "/"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies["umkm_language"].value == "id"
    assert '<html lang="id">' in client.get("/").content.decode()


@pytest.mark.django_db
def test_language_switch_remembers_the_choice_on_the_account(client, buyer):
    client.force_login(buyer)

    response = client.post("/i18n/setlang/", {"language": "id", "next": "/"})

    assert response.cookies["umkm_language"].value == "id"
    buyer.refresh_from_db()
    assert buyer.language == "id"

    # "fr" is a language Django itself has a catalogue for, but not one of this site's.
    for other in ("xx", "fr"):
        client.post("/i18n/setlang/", {"language": other, "next": "/"})
        buyer.refresh_from_db()
        assert buyer.language == "id"


@pytest.mark.django_db
def test_language_switch_refuses_get(client):
    assert client.get("/i18n/setlang/?language=id").status_code == 405


@pytest.mark.django_db
def test_account_language_applies_without_a_cookie(client, make_user):
    user = make_user(language="id")
    client.force_login(user)

    response = client.get("/")

    assert '<html lang="id">' in response.content.decode()
    assert response["Content-Language"] == "id"
    # A visitor on the same machine without the account still gets English.
    assert '<html lang="en">' in Client().get("/").content.decode()


@pytest.mark.django_db
def test_cookie_choice_wins_over_the_account_language(client, make_user):
    user = make_user(language="id")
    client.force_login(user)
    client.cookies["umkm_language"] = "en"

    assert '<html lang="en">' in client.get("/").content.decode()


@pytest.mark.django_db
def test_account_time_zone_is_activated(client, make_user):
    user = make_user(time_zone="Australia/Sydney")
    client.force_login(user)

    page = client.get("/").content.decode()

    assert "Times are shown in Australia/Sydney." in page


@pytest.mark.django_db
def test_visitor_time_zone_comes_from_the_cookie_else_jakarta(client):
    assert "Times are shown in Asia/Jakarta." in client.get("/").content.decode()

    client.cookies["umkm_tz"] = "Europe%2FAmsterdam"  # as browsers stored it: URL-encoded
    assert "Times are shown in Europe/Amsterdam." in client.get("/").content.decode()

    client.cookies["umkm_tz"] = "Not/AZone"
    assert "Times are shown in Asia/Jakarta." in client.get("/").content.decode()


@pytest.mark.django_db
def test_an_unknown_language_cookie_does_not_hide_the_account_language(client, make_user):
    user = make_user(language="id")
    client.force_login(user)
    client.cookies["umkm_language"] = "xx"

    assert '<html lang="id">' in client.get("/").content.decode()
