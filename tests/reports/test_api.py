"""The data API: token authentication, the office boundary, pagination, the rate limit, and every
answer checked against the site's own OpenAPI document, which ninja generates from the answers'
schemas (an equal check to schemathesis: each operation of the document is called, with valid and
invalid input, and the answer's status and body must be ones the document declares)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from expo import ratelimit
from expo.reports import api_urls
from expo.reports import services as report_services
from expo.reports.models import ApiToken

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counts():
    ratelimit.reset()
    yield
    ratelimit.reset()


@pytest.fixture
def token(expo, organiser):
    _token, raw = report_services.api_token_create(office=expo.office, name="BPS", by=organiser)
    return raw


@pytest.fixture
def auth(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def sales(expo, booths, write):
    at = timezone.now() - timedelta(hours=3)
    order, lines = write.order(
        lines=[(booths[0], 120_000, 2), (booths[1], 35_000, 1)], at=at, country="MY"
    )
    write.order(lines=[(booths[2], 50_000, 1)], at=at, email="budi@example.com")
    write.refund(order, lines[1], 35_000, at + timedelta(hours=1))


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def _validator(document, schema):
    """A JSON Schema 2020-12 validator for ``schema``, whose $refs point into the document."""
    registry = Registry().with_resource("urn:doc", DRAFT202012.create_resource(document))
    return Draft202012Validator(
        {"$ref": "urn:doc" + schema["$ref"]},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def _check(document, path_template, response):
    """The answer's status is declared for the operation and its body matches the schema."""
    operation = document["paths"][path_template]["get"]
    declared = operation["responses"]
    assert str(response.status_code) in declared, (path_template, response.status_code)
    schema = declared[str(response.status_code)]["content"]["application/json"]["schema"]
    errors = sorted(_validator(document, schema).iter_errors(response.json()), key=str)
    assert not errors, [e.message for e in errors]
    if response.status_code == 429:
        assert int(response["Retry-After"]) >= 1


def test_openapi_document_covers_every_api_url(document):
    assert document["openapi"].startswith("3.1")
    resolver = get_resolver()
    for path in document["paths"]:
        url = "/api/v1" + path.replace("{slug}", "x").replace("{breakdown}", "booths")
        assert resolver.resolve(url).namespace == "api"
    documented = {"/api/v1" + path for path in document["paths"]}
    for pattern in api_urls.urlpatterns:
        # api-root is ninja's own: it answers 404 and only tells ninja where the API is mounted.
        if pattern.name in ("openapi", "docs", "api-root"):
            continue
        route = (
            str(pattern.pattern)
            .replace("<slug:slug>", "{slug}")
            .replace("<slug:breakdown>", "{breakdown}")
        )
        assert "/api/v1/" + route in documented


def test_every_operation_matches_the_document(client, auth, expo, sales, document, make_expo):
    make_expo("closed", office=expo.office)
    calls = [
        ("/expos/", "/api/v1/expos/", {}),
        ("/expos/", "/api/v1/expos/", {"page": 2, "page_size": 1}),
        ("/expos/", "/api/v1/expos/", {"page": 0}),
        ("/expos/", "/api/v1/expos/", {"page_size": "x"}),
        ("/expos/{slug}/omzet/", f"/api/v1/expos/{expo.slug}/omzet/", {}),
        ("/expos/{slug}/omzet/", "/api/v1/expos/nope/omzet/", {}),
    ]
    for name in ("regions", "sectors", "booths", "days", "countries"):
        calls.append(
            (
                "/expos/{slug}/omzet/{breakdown}/",
                f"/api/v1/expos/{expo.slug}/omzet/{name}/",
                {"page_size": 2},
            )
        )
    calls.append(("/expos/{slug}/omzet/{breakdown}/", f"/api/v1/expos/{expo.slug}/omzet/nope/", {}))
    for template, url, params in calls:
        _check(document, template, client.get(url, params, **auth))
        _check(document, template, client.get(url, params))  # no token: 401, declared


def _answer_schemas(document):
    """Every schema an answer can take, followed through its $refs."""
    schemas = document["components"]["schemas"]
    seen, todo = {}, []
    for methods in document["paths"].values():
        for operation in methods.values():
            for answer in operation["responses"].values():
                todo.append(answer["content"]["application/json"]["schema"])
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref:
                name = ref.rsplit("/", 1)[-1]
                if name not in seen:
                    seen[name] = schemas[name]
                    todo.append(schemas[name])
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return seen


def test_the_document_holds_answers_to_every_field(document):
    """The check above means something only if the document is strict: each object of an answer
    lists all its fields as required and allows no others."""
    schemas = _answer_schemas(document)
    assert {"PagedExpoListItem", "Omzet", "PagedBreakdownRow", "Error", "BoothRow"} <= set(schemas)
    for name, schema in schemas.items():
        if schema.get("type") == "object":
            assert schema["additionalProperties"] is False, name
            assert set(schema["required"]) == set(schema["properties"]), name
    omzet = schemas["Omzet"]["properties"]
    assert omzet["generated_at"]["format"] == "date-time"
    assert omzet["currency"]["const"] == "IDR"
    breakdown = document["paths"]["/expos/{slug}/omzet/{breakdown}/"]["get"]
    path_part = next(p for p in breakdown["parameters"] if p["name"] == "breakdown")
    assert path_part["schema"]["enum"] == ["regions", "sectors", "booths", "days", "countries"]
    assert breakdown["responses"]["429"]["headers"]["Retry-After"]
    assert document["servers"] == [{"url": "http://testserver/api/v1"}]


def test_omzet_figures(client, auth, expo, sales):
    body = client.get(f"/api/v1/expos/{expo.slug}/omzet/", **auth).json()
    assert body["expo"]["opens_at"] == expo.opens_at.isoformat()
    assert body["totals"]["omzet"] == 290_000
    assert body["totals"]["refunds"] == -35_000
    assert body["totals"]["transactions"] == 2
    assert body["totals"]["buyers_abroad"] == 1
    assert sum(r["omzet"] for r in body["by_region"]) == 290_000
    assert sum(r["omzet"] for r in body["by_day"]) == 290_000


def test_pagination_walks_every_booth(client, auth, expo, sales):
    url = f"/api/v1/expos/{expo.slug}/omzet/booths/?page_size=3"
    seen = []
    while url:
        page = client.get(url, **auth).json()
        seen += [r["booth_id"] for r in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 4


def test_another_offices_expo_is_not_found(client, expo, sales, make_organiser, make_expo):
    stranger = make_organiser(name="Stranger")
    _token, raw = report_services.api_token_create(
        office=stranger.offices.get(), name="x", by=stranger
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get(f"/api/v1/expos/{expo.slug}/omzet/", **headers).status_code == 404
    assert client.get(f"/api/v1/expos/{expo.slug}/omzet/booths/", **headers).status_code == 404
    listed = client.get("/api/v1/expos/", **headers).json()
    assert expo.slug not in [e["slug"] for e in listed["results"]]


def test_revoked_or_wrong_token_is_refused(client, expo, organiser, token, auth):
    assert client.get("/api/v1/expos/", HTTP_AUTHORIZATION="Bearer umkm_wrong").status_code == 401
    report_services.api_token_revoke(token=ApiToken.objects.get(), by=organiser)
    response = client.get("/api/v1/expos/", **auth)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"
    assert response["WWW-Authenticate"] == 'Bearer realm="umkm-expo", error="invalid_token"'


@pytest.mark.parametrize("header", [None, "Token abc", "Bearer ", "Bearer"])
def test_no_token_is_asked_for(client, expo, header):
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    response = client.get("/api/v1/expos/", **extra)
    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "unauthenticated",
            "message": "Send a token: Authorization: Bearer <token>.",
        }
    }
    assert response["WWW-Authenticate"] == 'Bearer realm="umkm-expo"'


def test_a_signed_in_organiser_without_a_token_is_refused(client, expo, organiser):
    """The API knows tokens only: the site's session gives no access (and needs no CSRF)."""
    client.force_login(organiser)
    assert client.get("/api/v1/expos/").status_code == 401


def test_last_used_is_written_at_most_every_five_minutes(client, auth, expo):
    client.get("/api/v1/expos/", **auth)
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    client.get("/api/v1/expos/", **auth)
    assert ApiToken.objects.get().last_used_at == first
    ApiToken.objects.update(last_used_at=first - timedelta(minutes=6))
    client.get("/api/v1/expos/", **auth)
    assert ApiToken.objects.get().last_used_at > first


def test_no_answer_is_cached(client, auth, expo):
    for response in (
        client.get("/api/v1/expos/", **auth),
        client.get("/api/v1/expos/"),
        client.get("/api/v1/expos/nope/omzet/", **auth),
        client.get("/api/v1/expos/", {"page": 0}, **auth),
    ):
        assert response["Cache-Control"] == "no-store"


def test_rate_limit_answers_429_with_retry_after(client, auth, expo, settings):
    settings.REPORTS_API_RATE = (3, 60)
    codes = [client.get("/api/v1/expos/", **auth).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = client.get("/api/v1/expos/", **auth)
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json() == {
        "error": {"code": "rate_limited", "message": "More than 3 requests in 60 seconds."}
    }
    # Counted by the project's one limiter: forgetting its counts lets the token in again.
    ratelimit.reset()
    assert client.get("/api/v1/expos/", **auth).status_code == 200


def test_api_is_read_only(client, auth):
    assert client.post("/api/v1/expos/", **auth).status_code == 405
    assert client.put("/api/v1/expos/", **auth).status_code == 405
    assert client.head("/api/v1/expos/", **auth).status_code == 200


def test_list_query_count_is_constant(client, auth, expo, make_expo, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get("/api/v1/expos/", **auth)
    for _ in range(6):
        make_expo("closed", office=expo.office)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/api/v1/expos/", **auth)


def test_docs_page(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    assert "/api/v1/expos/{slug}/omzet/" in response.content.decode()
