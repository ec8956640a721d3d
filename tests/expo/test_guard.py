"""The request guard (expo.guard) in the process: who the client is behind trusted proxies, 414 for
long query strings, 413 for bodies over their route's limit (declared, or counted while streaming),
and the upload pages' limits held to their forms' own maxima. tests/expo/test_guard_daphne.py runs
the same through a real Daphne.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from asgiref.testing import ApplicationCommunicator
from django.core.cache import cache
from django.core.signals import request_started
from django.test import Client
from django.urls import get_resolver, reverse

from booths import images
from booths.services import MAX_APPLICATION_PHOTOS, MAX_DOCUMENT_BYTES, MAX_PRODUCT_IMAGES
from expo.banners.services import MAX_BANNER_BYTES
from expo.guard import RequestGuard, client_of

ROOT = Path(__file__).resolve().parents[2]
# Generous: a passing test returns as soon as the answer is there.
WAIT_S = 10
MB = 1024 * 1024


class Probe:
    """An ASGI application that reads the whole body, then answers 200; it records what it saw."""

    def __init__(self) -> None:
        self.scope: dict | None = None
        self.body = b""
        self.events: list[str] = []

    async def __call__(self, scope, receive, send) -> None:
        self.scope = scope
        if scope["type"] == "websocket":
            await receive()
            await send({"type": "websocket.accept"})
            return
        while True:
            event = await receive()
            self.events.append(event["type"])
            if event["type"] == "http.disconnect":
                return
            self.body += event.get("body", b"")
            if not event.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def http_scope(
    path: str = "/",
    *,
    method: str = "POST",
    query: bytes = b"",
    headers: list[tuple[bytes, bytes]] = (),
    client: tuple[str, int] = ("127.0.0.1", 50000),
) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query,
        "headers": [(b"host", b"testserver"), *headers],
        "client": list(client),
        "server": ["127.0.0.1", 8000],
    }


async def run(app, scope: dict, chunks: list[bytes] = (b"",)):
    """Send ``chunks`` as the body, then return (status, headers, body, the unread input)."""
    communicator = ApplicationCommunicator(app, scope)
    for n, chunk in enumerate(chunks):
        more = n < len(chunks) - 1
        await communicator.send_input({"type": "http.request", "body": chunk, "more_body": more})
    start = await communicator.receive_output(WAIT_S)
    assert start["type"] == "http.response.start", start
    body = b""
    while True:
        message = await communicator.receive_output(WAIT_S)
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await communicator.wait(WAIT_S)
    return start["status"], dict(start["headers"]), body, communicator.input_queue.qsize()


# --- Who the client is -------------------------------------------------------------------------


def forwarded(value: str) -> list[tuple[bytes, bytes]]:
    return [(b"x-forwarded-for", value.encode())]


@pytest.mark.parametrize(
    ("trusted", "header", "expected"),
    [
        (0, "203.0.113.9, 198.51.100.7", "10.0.0.1"),  # no proxy trusted: the header is ignored
        (1, "203.0.113.9, 198.51.100.7", "198.51.100.7"),  # what nginx saw, not what was written
        (1, "198.51.100.7", "198.51.100.7"),
        (2, "203.0.113.9, 198.51.100.7, 192.0.2.1", "198.51.100.7"),
        (2, "198.51.100.7", "10.0.0.1"),  # fewer hops than proxies: not through them all
        (1, "203.0.113.9, not-an-address", "10.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
        (1, "[2001:db8::2]", "2001:db8::2"),
        (1, "", "10.0.0.1"),
    ],
)
def test_the_client_is_the_address_the_last_trusted_proxy_saw(trusted, header, expected):
    scope = http_scope(headers=forwarded(header) if header else [], client=("10.0.0.1", 4321))
    assert client_of(scope, trusted)[0] == expected


def test_several_forwarded_headers_are_read_in_order():
    scope = http_scope(
        headers=[(b"x-forwarded-for", b"203.0.113.9"), (b"x-forwarded-for", b"198.51.100.7")]
    )
    assert client_of(scope, 1) == ["198.51.100.7", 0]


async def test_the_application_sees_the_guarded_address_and_scheme(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    probe = Probe()
    headers = [*forwarded("203.0.113.9, 198.51.100.7"), (b"x-forwarded-proto", b"https")]
    status, *_ = await run(RequestGuard(probe), http_scope(method="GET", headers=headers))
    assert status == 200
    assert probe.scope["client"] == ["198.51.100.7", 0]
    assert probe.scope["scheme"] == "https"


async def test_without_trusted_proxies_the_socket_peer_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    probe = Probe()
    headers = [*forwarded("203.0.113.9"), (b"x-forwarded-proto", b"https")]
    scope = http_scope(method="GET", headers=headers, client=("192.0.2.44", 5555))
    await run(RequestGuard(probe), scope)
    assert probe.scope["client"] == ["192.0.2.44", 5555]
    assert probe.scope["scheme"] == "http"


def _login_attempt(client: Client, n: int, forged: str) -> str:
    """A failed login with a new e-mail (so only the per-IP limit can stop it) and a new forged
    X-Forwarded-For; the page it answers."""
    response = client.post(
        "/accounts/login/",
        {"login": f"nobody{n}@example.com", "password": "wrong-password-1"},
        HTTP_X_FORWARDED_FOR=forged,
    )
    return response.content.decode()


@pytest.mark.django_db
def test_allauth_reads_the_address_the_guard_set_not_the_header(settings):
    """allauth's own reading of X-Forwarded-For stays off: a new forged header per attempt from
    one REMOTE_ADDR is still one address to the per-IP failed-login limit (``login_failed``)."""
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/d/ip"}
    cache.clear()
    client = Client(REMOTE_ADDR="198.51.100.7")
    texts = [_login_attempt(client, n, f"203.0.113.{n}") for n in range(1, 5)]
    assert ["Too many failed login attempts" in t for t in texts] == [False, False, False, True]


# --- 414 ---------------------------------------------------------------------------------------


async def test_a_query_string_over_the_limit_is_414(settings):
    settings.REQUEST_QUERY_LIMIT = 8 * 1024
    probe = Probe()
    ok, *_ = await run(RequestGuard(probe), http_scope(method="GET", query=b"q=" + b"a" * 8190))
    assert ok == 200
    probe = Probe()
    status, headers, body, _ = await run(
        RequestGuard(probe), http_scope(method="GET", query=b"q=" + b"a" * 20_000)
    )
    assert status == 414
    assert probe.scope is None  # nothing downstream ran
    assert headers[b"content-type"].startswith(b"text/plain")
    assert len(body) < 200


async def test_the_api_answers_its_refusals_in_its_json_shape():
    status, headers, body, _ = await run(
        RequestGuard(Probe()), http_scope("/api/v1/expos/", method="GET", query=b"a" * 20_000)
    )
    assert (status, headers[b"content-type"]) == (414, b"application/json")
    assert json.loads(body)["error"]["code"] == "uri_too_long"
    status, headers, body, _ = await run(
        RequestGuard(Probe()),
        http_scope("/api/v1/expos/", headers=[(b"content-length", str(2 * MB).encode())]),
    )
    assert (status, headers[b"content-type"]) == (413, b"application/json")
    assert json.loads(body) == {
        "error": {
            "code": "too_large",
            "message": f"Content Too Large: this address accepts at most {MB} bytes.",
        }
    }


async def test_a_websocket_with_a_long_query_string_is_refused():
    probe = Probe()
    scope = {**http_scope("/ws/", query=b"a" * 20_000), "type": "websocket"}
    communicator = ApplicationCommunicator(RequestGuard(probe), scope)
    await communicator.send_input({"type": "websocket.connect"})
    assert (await communicator.receive_output(WAIT_S))["type"] == "websocket.close"
    await communicator.wait(WAIT_S)
    assert probe.scope is None


# --- 413 ---------------------------------------------------------------------------------------


def declared(size: int) -> list[tuple[bytes, bytes]]:
    return [(b"content-length", str(size).encode())]


async def test_a_declared_body_over_the_limit_is_refused_before_anything_reads_it(settings):
    settings.REQUEST_BODY_LIMIT = MB
    probe = Probe()
    status, headers, body, unread = await run(
        RequestGuard(probe), http_scope(headers=declared(100 * MB)), [b"x" * 1024]
    )
    assert status == 413
    assert probe.scope is None
    assert unread == 1  # not even the first chunk was read
    assert headers[b"connection"] == b"close"
    assert body.startswith(b"413 Content Too Large")


async def test_a_body_at_the_limit_passes(settings):
    settings.REQUEST_BODY_LIMIT = MB
    probe = Probe()
    status, *_ = await run(
        RequestGuard(probe), http_scope(headers=declared(MB)), [b"x" * (MB // 2)] * 2
    )
    assert status == 200
    assert len(probe.body) == MB


async def test_a_streamed_body_is_cut_off_at_the_limit(settings):
    """No Content-Length (a chunked body): the guard counts what the application reads and stops
    reading at the limit; the application is told the client left; the client gets 413."""
    settings.REQUEST_BODY_LIMIT = MB
    probe = Probe()
    chunks = [b"x" * (MB // 4)] * 12
    status, _headers, _body, unread = await run(RequestGuard(probe), http_scope(), chunks)
    assert status == 413
    assert len(probe.body) == MB  # four chunks; the fifth passed the limit and was not handed on
    assert probe.events[-1] == "http.disconnect"
    assert unread == 12 - 5  # reading stopped there


async def test_a_streamed_body_over_the_limit_never_reaches_a_django_view(settings):
    from expo.asgi import django_asgi_app

    settings.REQUEST_BODY_LIMIT = MB
    started = []

    def note(**kwargs):
        started.append(kwargs)

    request_started.connect(note)
    try:
        status, *_ = await run(
            RequestGuard(django_asgi_app), http_scope("/accounts/login/"), [b"x" * MB] * 3
        )
    finally:
        request_started.disconnect(note)
    assert status == 413
    assert started == []


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("vendor:product_create", ["batik", "expo-1"]),
        ("vendor:product_edit", ["batik", "expo-1", 7]),
        ("vendor:apply", ["batik", "expo-1"]),
    ],
)
async def test_an_upload_page_takes_its_forms_maximum(name, args):
    path = reverse(name, args=args)
    probe = Probe()
    status, *_ = await run(RequestGuard(probe), http_scope(path, headers=declared(60 * MB)))
    assert status == 200
    status, *_ = await run(RequestGuard(Probe()), http_scope(path, headers=declared(70 * MB)))
    assert status == 413


async def test_other_pages_of_the_same_workspace_stay_small():
    path = reverse("vendor:members", args=["batik"])
    status, *_ = await run(RequestGuard(Probe()), http_scope(path, headers=declared(2 * MB)))
    assert status == 413


# --- The limits agree with the forms and with Django ------------------------------------------


def test_each_upload_page_is_allowed_exactly_what_its_form_accepts(settings):
    """Files times each file's documented maximum, plus the general limit for the other fields and
    the multipart framing; every named page exists."""
    room = settings.REQUEST_BODY_LIMIT
    image, document, banner = images.MAX_UPLOAD_BYTES, MAX_DOCUMENT_BYTES, MAX_BANNER_BYTES
    application = 3 * document + MAX_APPLICATION_PHOTOS * image
    expected = {
        "vendor:register": image,  # the logo
        "vendor:profile": image,
        "vendor:booth_edit": image,  # the cover
        "manage:expo_create": image,  # the hero image (the form says "up to 8 MB")
        "manage:expo_edit": image,
        "vendor:product_create": MAX_PRODUCT_IMAGES * image,
        "vendor:product_edit": MAX_PRODUCT_IMAGES * image,
        "vendor:apply": application,
        "vendor:application": application,
        "banners:vendor_banner_new": 2 * banner,  # English and Indonesian images
        "banners:manage_banner_new": 2 * banner,
        "admin": 3 * document,  # an application's documents
    }
    assert {name: size + room for name, size in expected.items()} == settings.REQUEST_BODY_LIMITS
    resolver = get_resolver()
    for name in settings.REQUEST_BODY_LIMITS:
        namespace, _, short = name.partition(":")
        assert namespace in resolver.namespace_dict, name
        if short:
            assert short in resolver.namespace_dict[namespace][1].reverse_dict, name


def test_djangos_own_limits_agree_with_the_guard(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == settings.REQUEST_BODY_LIMIT
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 5 * MB // 2


# --- How Daphne is started ---------------------------------------------------------------------


def daphne_commands() -> list[str]:
    """The Daphne command lines of scripts/serve.sh and docs/deployment.md."""
    serve = [
        line
        for line in (ROOT / "scripts" / "serve.sh").read_text().splitlines()
        if not line.lstrip().startswith("#") and "daphne" in line
    ]
    docs = re.findall(r"`(daphne [^`]*)`", (ROOT / "docs" / "deployment.md").read_text())
    return serve + docs


def test_daphne_is_never_told_to_believe_the_forwarded_header():
    """--proxy-headers takes the left-most X-Forwarded-For address, which the client writes."""
    commands = daphne_commands()
    assert len(commands) >= 2
    assert not [c for c in commands if "--proxy-headers" in c]
