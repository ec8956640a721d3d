"""The site's name and address in e-mails, the address following the port served on, and the
log-in's own message in the account's language."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from django.contrib.sites.models import Site
from django.core import mail
from django.core.management import call_command

from tests.conftest import ROOT

PASSWORD = "Batik-Solo-2024!"


def _sign_up(client, email: str):
    return client.post(
        "/accounts/signup/",
        {
            "name": "Sari Wulandari",
            "country": "ID",
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


@pytest.mark.django_db
def test_the_sign_up_mail_names_the_site(client):
    _sign_up(client, "sari@example.com")

    body = mail.outbox[-1].body
    assert "Hello from UMKM Virtual Expo!" in body
    assert "Thank you for using UMKM Virtual Expo!" in body
    assert "Hello from !" not in body


@pytest.mark.django_db
def test_migrate_gives_the_site_the_address_served_on(client, settings):
    settings.SITE_URL = "http://127.0.0.1:8101"

    call_command("migrate", verbosity=0)

    site = Site.objects.get(pk=settings.SITE_ID)
    assert (site.name, site.domain) == ("UMKM Virtual Expo", "127.0.0.1:8101")
    _sign_up(client, "budi@example.com")
    assert "register an account on 127.0.0.1:8101" in mail.outbox[-1].body


def test_a_wildcard_host_becomes_an_address_a_link_can_reach():
    from expo.settings import public_url

    assert public_url("http://0.0.0.0:8101/") == "http://127.0.0.1:8101"
    assert public_url("https://expo.example.id/") == "https://expo.example.id"
    with pytest.raises(Exception, match="SITE_URL"):
        public_url("expo.example.id")


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["PORT=8101"], "http://127.0.0.1:8101"),
        (["HOST=localhost", "PORT=9000"], "http://localhost:9000"),
        (["PORT=8101", "SITE_URL=https://expo.example.id"], "https://expo.example.id"),
    ],
)
def test_make_passes_the_port_into_site_url(arguments, expected):
    """What `make run PORT=…` gives the migrate step and the server: read through a target of the
    test's own, which runs nothing of the Makefile."""
    shown = subprocess.run(
        ["make", "--no-print-directory", "--eval", "show-url: ; @echo $$SITE_URL", "show-url"]
        + arguments,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == expected


def test_serve_script_passes_its_port_into_site_url():
    script = (ROOT / "scripts" / "serve.sh").read_text()
    assert re.search(r'^export SITE_URL="\$\{SITE_URL:-http://\$HOST:\$PORT\}"', script, re.M)


@pytest.mark.django_db
def test_the_signed_in_message_is_in_the_accounts_language(client, make_user):
    make_user(email="ani@example.com", password=PASSWORD, name="Ani", language="id")

    page = client.post(
        "/accounts/login/", {"login": "ani@example.com", "password": PASSWORD}, follow=True
    )

    assert '<html lang="id">' in page.content.decode()
    assert [str(m) for m in page.context["messages"]] == ["Berhasil masuk sebagai Ani."]


@pytest.mark.django_db
def test_a_language_chosen_in_this_browser_still_wins_at_log_in(client, make_user):
    make_user(email="emma@example.com", password=PASSWORD, name="Emma", language="id")
    client.cookies["umkm_language"] = "en"

    page = client.post(
        "/accounts/login/", {"login": "emma@example.com", "password": PASSWORD}, follow=True
    )

    assert [str(m) for m in page.context["messages"]] == ["Successfully signed in as Emma."]
