"""The shared pages of the frontend app: the home page in both languages, the bilingual error pages
(404, 403, 500) and the static CSS.

This module is also the URL configuration of the tests that need a view raising an error: it serves
the project's URLs plus two such views, with the project's error handlers.
"""

from __future__ import annotations

import html
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import include, path
from django.utils import translation
from django.utils.translation import gettext

from frontend import views


def _forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def _broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a view")


urlpatterns = [
    path("test-only/forbidden/", _forbidden),
    path("test-only/broken/", _broken),
    path("", include("expo.urls")),
]
handler403 = "frontend.views.permission_denied"
handler404 = "frontend.views.page_not_found"
handler500 = "frontend.views.server_error"

pytestmark = pytest.mark.django_db


def _t(message: str, language: str) -> str:
    """``message`` as the catalogue of ``language`` has it (the English text until translated)."""
    with translation.override(language):
        return gettext(message)


def _html(response: HttpResponse) -> str:
    return response.content.decode()


def _text(response: HttpResponse) -> str:
    return html.unescape(_html(response))


@pytest.fixture
def production(settings):
    """Error pages are the custom templates only without DEBUG (otherwise Django's debug pages)."""
    settings.DEBUG = False


# --- Home page --------------------------------------------------------------------------------


def test_home_page_in_english(client):
    response = client.get("/")

    assert response.status_code == 200
    page = _html(response)
    assert '<html lang="en">' in page
    assert "Meet Indonesia's makers, booth by booth." in _text(response)
    assert response["Content-Language"] == "en"


def test_home_page_in_indonesian_by_cookie(client):
    client.cookies["umkm_language"] = "id"

    response = client.get("/")

    assert response.status_code == 200
    assert '<html lang="id">' in _html(response)
    assert response["Content-Language"] == "id"


def test_home_page_in_indonesian_by_accept_language(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="id-ID,id;q=0.9,en;q=0.8")

    assert '<html lang="id">' in _html(response)
    assert "Accept-Language" in response["Vary"]


def test_language_switch_offers_both_languages_and_marks_the_current_one(client):
    client.cookies["umkm_language"] = "id"

    page = _html(client.get("/"))

    assert '<option value="en">EN · English</option>' in page
    assert '<option value="id" selected>ID · Bahasa Indonesia</option>' in page


# --- 404 --------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "id"])
def test_404_page_is_ours_in_both_languages(client, production, language):
    client.cookies["umkm_language"] = language

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    page = _html(response)
    assert f'<html lang="{language}">' in page
    assert '<p class="error-code">404</p>' in page
    assert _t("We couldn't find that page", language) in _text(response)
    assert re.search(r'<a class="btn btn-brand" href="/">', page)
    # The page keeps the site's chrome (navigation with log in, footer).
    assert 'href="/accounts/login/"' in page
    assert "site-footer" in page


def test_404_for_a_logged_in_user_shows_their_menu(client, production, buyer):
    client.force_login(buyer)

    page = _html(client.get("/no-such-page/"))

    assert 'data-testid="role-badge"' in page
    assert buyer.email in page


# --- 403 --------------------------------------------------------------------------------------


@pytest.mark.urls("tests.frontend.test_pages")
@pytest.mark.parametrize("language", ["en", "id"])
def test_403_page_for_a_permission_denied(client, production, language):
    client.cookies["umkm_language"] = language

    response = client.get("/test-only/forbidden/")

    assert response.status_code == 403
    page = _html(response)
    assert f'<html lang="{language}">' in page
    assert '<p class="error-code">403</p>' in page
    assert _t("You don't have access to this page", language) in _text(response)
    assert '<a class="btn btn-brand" href="/">' in page


# --- 500 --------------------------------------------------------------------------------------


def test_500_handler_renders_the_static_page():
    request = RequestFactory().get("/")

    with translation.override("en"):
        response = views.server_error(request)

    assert response.status_code == 500
    page = _html(response)
    assert '<html lang="en">' in page
    assert '<p class="error-code">500</p>' in page
    assert "Something went wrong on our side" in page
    assert '<a class="btn btn-brand" href="/">' in page
    assert "/static/frontend/css/app.css" in page


@pytest.mark.urls("tests.frontend.test_pages")
def test_500_page_for_a_failing_view(production, caplog):
    client = Client(raise_request_exception=False)
    client.cookies["umkm_language"] = "id"

    response = client.get("/test-only/broken/")

    assert response.status_code == 500
    page = _html(response)
    assert '<html lang="id">' in page
    assert '<p class="error-code">500</p>' in page
    assert "a bug in a view" not in page
    assert any("a bug in a view" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)


# --- Static files -----------------------------------------------------------------------------


def test_the_pages_stylesheets_are_served(client):
    page = _html(client.get("/"))
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)">', page)

    assert "/static/frontend/css/app.css" in stylesheets
    for url in stylesheets:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/css")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body.startswith(b"/*")
    app_css = client.get("/static/frontend/css/app.css")
    body = b"".join(app_css.streaming_content)
    assert b"--c-brand" in body


def test_a_missing_static_file_is_404(client):
    assert client.get("/static/frontend/css/missing.css").status_code == 404


@pytest.mark.parametrize(
    ("who", "shown", "hidden"),
    [
        ("anonymous", ["nav-vendor"], ["nav-manage"]),
        ("buyer", ["nav-vendor"], ["nav-manage"]),
        ("organiser", ["nav-manage"], ["nav-vendor"]),
        ("vendor", ["nav-vendor", "My UMKM"], ["nav-manage", "Exhibit your UMKM"]),
        ("admin", ["nav-manage", "nav-vendor"], []),
    ],
)
def test_navigation_leads_each_role_to_its_workspace(
    client, who, shown, hidden, buyer, admin_user, make_organiser, make_user, make_expo, make_booth
):
    from booths.models import VendorMembership

    accounts = {"buyer": buyer, "admin": admin_user}
    if who == "organiser":
        accounts["organiser"] = make_organiser()
    if who == "vendor":
        accounts["vendor"] = make_user()
        vendor = make_booth(make_expo("open")).vendor
        VendorMembership.objects.create(vendor=vendor, user=accounts["vendor"])
    if who in accounts:
        client.force_login(accounts[who])
    html = client.get("/").content.decode()
    for marker in shown:
        assert (f'data-testid="{marker}"' if marker.startswith("nav-") else marker) in html
    for marker in hidden:
        assert (f'data-testid="{marker}"' if marker.startswith("nav-") else marker) not in html
