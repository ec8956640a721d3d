"""The data API only reads: every other method, on every address under ``/api/v1/``, answers 405
in the API's own JSON error shape with an ``Allow`` header, through a client that enforces CSRF
as browsers' requests are (no CSRF page: the API takes no cookies, so CSRF has nothing to guard)."""

from __future__ import annotations

import pytest
from django.test import Client

from expo import ratelimit
from expo.reports import services as report_services

pytestmark = pytest.mark.django_db

ADDRESSES = [
    "/api/v1/",
    "/api/v1/expos/",
    "/api/v1/expos/{slug}/omzet/",
    "/api/v1/expos/{slug}/omzet/regions/",
    "/api/v1/openapi.json",
    "/api/v1/docs/",
]
METHODS = ["post", "put", "patch", "delete", "options"]


@pytest.fixture(autouse=True)
def _fresh_counts():
    ratelimit.reset()
    yield
    ratelimit.reset()


@pytest.fixture
def raw_token(expo, organiser):
    _token, raw = report_services.api_token_create(office=expo.office, name="BPS", by=organiser)
    return raw


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("address", ADDRESSES)
@pytest.mark.parametrize("with_token", [False, True], ids=["anonymous", "token"])
def test_a_method_other_than_get_or_head_is_405_json(expo, raw_token, address, method, with_token):
    client = Client(enforce_csrf_checks=True)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw_token}"} if with_token else {}
    response = getattr(client, method)(
        address.format(slug=expo.slug), data="{}", content_type="application/json", **headers
    )
    assert response.status_code == 405, response.content[:200]
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "error": {"code": "method_not_allowed", "message": "This API only reads: use GET or HEAD."}
    }
    assert {m.strip() for m in response["Allow"].split(",")} == {"GET", "HEAD"}
    assert response["Cache-Control"] == "no-store"


def test_reads_still_answer(expo, raw_token):
    client = Client(enforce_csrf_checks=True)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw_token}"}
    assert client.get("/api/v1/expos/", **auth).status_code == 200
    assert client.head(f"/api/v1/expos/{expo.slug}/omzet/", **auth).status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.head("/api/v1/docs/").status_code == 200
