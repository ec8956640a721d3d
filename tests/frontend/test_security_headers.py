"""The Content-Security-Policy and Permissions-Policy headers (expo.headers, settings'
CONTENT_SECURITY_POLICY and PERMISSIONS_POLICY), on the pages of every audience, and the pages'
markup under them: no inline script, style or event handler, and every script, frame and image a
page names comes from a source its policy allows.

This module is also the URL configuration of the nonce test: the project's URLs plus one view whose
template asks for a nonce.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path, reverse

from booths.models import VendorMembership
from booths.video import VIDEO_HOSTS, video_embed_url
from expo import permissions
from payments import services as payment_services
from payments.attribution import DIRECT
from payments.models import Cart, CollectingAccount


def _nonce_page(request: HttpRequest) -> HttpResponse:
    template = engines["django"].from_string(
        '<script nonce="{{ request.csp_nonce }}">window.ready = true;</script>'
    )
    return HttpResponse(template.render({}, request))


urlpatterns = [
    path("test-only/nonce/", _nonce_page),
    path("", include("expo.urls")),
]

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PAGE_ORIGIN = "http://testserver"
VIDEO = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


# --- Reading a policy and a page ------------------------------------------------------------


def csp(response: HttpResponse) -> dict[str, list[str]]:
    """The Content-Security-Policy header as ``{directive: [sources]}``."""
    header = response.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    policy: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *sources = part.split()
        assert name not in policy, f"{name} twice"
        policy[name] = sources
    return policy


def permissions_policy(response: HttpResponse) -> dict[str, list[str]]:
    header = response.get("Permissions-Policy")
    assert header, "no Permissions-Policy"
    features = {}
    for member in header.split(", "):
        feature, _, allowlist = member.partition("=")
        assert allowlist.startswith("(") and allowlist.endswith(")"), member
        features[feature] = allowlist[1:-1].split()
    return features


def allows(sources: list[str], url: str) -> bool:
    """Whether a source list lets the page (at PAGE_ORIGIN) load ``url``."""
    target = urlparse(urljoin(PAGE_ORIGIN + "/", url))
    origin = f"{target.scheme}://{target.netloc}"
    for source in sources:
        if source == "'self'" and origin == PAGE_ORIGIN:
            return True
        if source.endswith(":") and target.scheme == source[:-1]:  # a scheme source (data:)
            return True
        if "*." in source:
            scheme, _, host = source.partition("://*.")
            if target.scheme == scheme.rstrip(":") and target.netloc.endswith("." + host):
                return True
        elif source == origin:
            return True
    return False


class Markup(HTMLParser):
    """What of a page's markup the policy governs: scripts, frames, images, inline styles and
    inline event handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.inline_scripts: list[str] = []
        self.frames: list[str] = []
        self.images: list[str] = []
        self.style_attributes: list[str] = []
        self.style_elements = 0
        self.handlers: list[str] = []
        self._in_script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if "style" in found:
            self.style_attributes.append(f"<{tag} style={found['style']!r}>")
        self.handlers += [f"<{tag} {name}=…>" for name in found if name.startswith("on")]
        if tag == "script":
            self.scripts.append(found)
            self._in_script = found
        elif tag == "iframe":
            self.frames.append(found.get("src") or "")
        elif tag == "img":
            self.images.append(found.get("src") or "")
        elif tag == "style":
            self.style_elements += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None

    def handle_data(self, data: str) -> None:
        script = self._in_script
        # A data block (type="application/json") is not executed: CSP has nothing to say about it.
        data_block = (script or {}).get("type", "") in {"application/json", "application/ld+json"}
        if script is not None and data.strip() and not script.get("src") and not data_block:
            self.inline_scripts.append(data.strip()[:80])


def markup(response: HttpResponse) -> Markup:
    parser = Markup()
    parser.feed(response.content.decode())
    return parser


# --- Scenes ------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def scene(make_expo, make_booth, make_organiser, make_user):
    """An open expo of an office with an organiser; a booth with a video and its vendor's member."""
    organiser = make_organiser(name="Sri Organiser")
    expo = make_expo("open", office=organiser.offices.get())
    CollectingAccount.objects.create(
        expo=expo, bank_name="Bank Jateng", account_number="2-034-56789-0", account_holder="Dinkop"
    )
    booth = make_booth(expo, name="Batik Sekar", product_names=("Batik tulis", "Batik cap"))
    booth.video_url = VIDEO
    booth.save(update_fields=["video_url"])
    vendor = make_user(name="Budi Vendor")
    VendorMembership.objects.create(vendor=booth.vendor, user=vendor)
    permissions.forget(vendor)
    return {"expo": expo, "booth": booth, "organiser": organiser, "vendor": vendor}


def _product(booth):
    return booth.products.order_by("pk").first()


PAGES = {
    "home": lambda s: (None, reverse("home")),
    "hall": lambda s: (None, reverse("booths:hall", args=[s["expo"].slug])),
    "booth": lambda s: (None, reverse("booths:booth", args=[s["expo"].slug, s["booth"].slug])),
    "product": lambda s: (
        None,
        reverse(
            "booths:product", args=[s["expo"].slug, s["booth"].slug, _product(s["booth"]).slug]
        ),
    ),
    "cart": lambda s: ("cart", reverse("payments:cart")),
    "checkout": lambda s: ("cart", reverse("payments:checkout", args=[s["expo"].slug])),
    "vendor dashboard": lambda s: (
        "vendor",
        reverse("vendor:dashboard", args=[s["booth"].vendor.slug]),
    ),
    "vendor products": lambda s: (
        "vendor",
        reverse("vendor:products", args=[s["booth"].vendor.slug, s["expo"].slug]),
    ),
    "vendor product form": lambda s: (
        "vendor",
        reverse(
            "vendor:product_edit",
            args=[s["booth"].vendor.slug, s["expo"].slug, _product(s["booth"]).pk],
        ),
    ),
    "organiser home": lambda s: ("organiser", reverse("manage:index")),
    "organiser expo": lambda s: (
        "organiser",
        reverse("manage:expo_overview", args=[s["expo"].slug]),
    ),
    "organiser dashboard": lambda s: (
        "organiser",
        reverse("manage:reports:dashboard", args=[s["expo"].slug]),
    ),
    "API docs": lambda s: (None, reverse("api:docs")),
}


def _visit(client, scene, page_name: str) -> HttpResponse:
    who, url = PAGES[page_name](scene)
    if who == "cart":
        client.post(
            reverse("payments:cart_add"), {"product": _product(scene["booth"]).pk, "quantity": 1}
        )
    elif who is not None:
        client.force_login(scene[who])
    response = client.get(url)
    assert response.status_code == 200, (page_name, url, response.status_code)
    return response


# --- The policy on every audience's pages -----------------------------------------------------


@pytest.mark.parametrize("page_name", list(PAGES))
def test_each_page_sends_the_policy(client, scene, page_name):
    response = _visit(client, scene, page_name)

    policy = csp(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'"
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["img-src"][:2] == ["'self'", "data:"]
    # The page's own websocket, by scheme and host (Safari's 'self' does not cover ws:).
    assert policy["connect-src"] == ["'self'", "ws://testserver"]
    assert {"https://www.youtube-nocookie.com", "https://player.vimeo.com"} <= set(
        policy["frame-src"]
    )
    for sources in policy.values():
        assert not {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*"} & set(sources)

    features = permissions_policy(response)
    assert features["camera"] == ["self"]
    assert features["microphone"] == ["self"]
    assert features["display-capture"] == ["self"]  # sharing a screen in a meeting's call
    for denied in ("geolocation", "payment", "usb", "serial", "hid"):
        assert features[denied] == [], denied
    assert features["fullscreen"][0] == "self"


@pytest.mark.parametrize("page_name", list(PAGES))
def test_each_page_has_nothing_inline_the_policy_refuses(client, scene, page_name):
    response = _visit(client, scene, page_name)
    policy = csp(response)
    found = markup(response)

    assert found.inline_scripts == []
    assert found.style_attributes == []
    assert found.style_elements == 0
    assert found.handlers == []
    for script in found.scripts:
        assert script.get("src"), script
        assert allows(policy["script-src"], script["src"]), script["src"]
    for frame in found.frames:
        assert allows(policy["frame-src"], frame), frame
    for image in found.images:
        assert allows(policy["img-src"], image), image


def test_the_booths_video_plays_under_the_policy(client, scene):
    response = _visit(client, scene, "booth")

    frames = markup(response).frames
    assert frames == ["https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"]
    assert allows(csp(response)["frame-src"], frames[0])
    # The player may have what its iframe's allow="" asks for: the page holds them for it.
    features = permissions_policy(response)
    for feature in ("fullscreen", "picture-in-picture", "encrypted-media", "accelerometer"):
        assert '"https://www.youtube-nocookie.com"' in features[feature], feature


def test_every_player_a_video_link_can_embed_is_a_frame_source():
    samples = {
        "youtu.be": "https://youtu.be/dQw4w9WgXcQ",
        "player.vimeo.com": "https://player.vimeo.com/video/76979871",
    }
    for host in VIDEO_HOSTS:
        link = samples.get(host) or (
            f"https://{host}/76979871" if "vimeo" in host else f"https://{host}/watch?v=dQw4w9WgXcQ"
        )
        embed = video_embed_url(link)
        assert allows(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["frame-src"], embed), embed


def test_the_socket_of_a_secure_page_is_wss(client, scene):
    response = client.get(reverse("home"), secure=True)

    assert csp(response)["connect-src"] == ["'self'", "wss://testserver"]


def test_a_host_that_is_not_allowed_adds_no_socket_source(client):
    response = client.get(reverse("home"), HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert "evil.example" not in response.get("Content-Security-Policy", "")


# --- Sources that other settings decide ----------------------------------------------------------


def test_without_stripe_no_stripe_source(client, settings):
    settings.STRIPE_SECRET_KEY = settings.STRIPE_PUBLISHABLE_KEY = ""

    policy = csp(client.get(reverse("home")))

    assert not any("stripe" in s for sources in policy.values() for s in sources)


def test_stripe_in_production_gets_its_script_frames_and_api(client, settings):
    settings.STRIPE_SECRET_KEY = "sk_live_x"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_live_x"
    settings.STRIPE_JS_URL = "https://js.stripe.com/v3/"
    settings.STRIPE_API_BASE = ""

    policy = csp(client.get(reverse("home")))

    assert {"https://js.stripe.com", "https://*.js.stripe.com"} <= set(policy["script-src"])
    assert {"https://js.stripe.com", "https://hooks.stripe.com"} <= set(policy["frame-src"])
    assert "https://api.stripe.com" in policy["connect-src"]


@pytest.mark.stripe
def test_the_order_page_loads_stripe_js_from_an_allowed_source(
    client, scene, settings, stripe_api_base
):
    settings.STRIPE_SECRET_KEY = "sk_test_umkm_headers"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_umkm_headers"
    settings.STRIPE_API_BASE = stripe_api_base
    settings.STRIPE_JS_URL = f"{stripe_api_base}/js.stripe.com/v3/"
    cart = Cart.objects.create()
    payment_services.cart_add(cart=cart, product=_product(scene["booth"]), quantity=1)
    details = payment_services.BuyerDetails(
        email="emma@example.com",
        name="Emma Lawson",
        phone="+62 812 3456 7890",
        address="Jl. Malioboro 1",
        city="Yogyakarta",
        region="DI Yogyakarta",
        postal_code="55271",
        country="ID",
    )
    order = payment_services.order_place(
        cart=cart,
        expo=scene["expo"],
        details=details,
        provider="stripe",
        buyer=None,
        attribution=DIRECT,
    )

    response = client.get(reverse("payments:order", args=[order.code]), {"key": order.access_key})

    assert response.status_code == 200
    policy = csp(response)
    sources = [s["src"] for s in markup(response).scripts]
    assert settings.STRIPE_JS_URL in sources
    assert all(allows(policy["script-src"], src) for src in sources), sources
    # stripe.js (localstripe's stand-in here) calls its API, and Stripe's card field is a frame.
    assert stripe_api_base in policy["connect-src"]
    assert stripe_api_base in policy["frame-src"]


def test_media_on_s3_is_an_image_source(client, settings):
    s3 = "storages.backends.s3.S3Storage"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": s3, "OPTIONS": {"bucket_name": "umkm-media"}},
        "private": {"BACKEND": s3, "OPTIONS": {"bucket_name": "umkm-private"}},
    }
    settings.AWS_S3_ENDPOINT_URL = "http://127.0.0.1:9000"

    assert csp(client.get(reverse("home")))["img-src"] == [
        "'self'",
        "data:",
        "http://127.0.0.1:9000",
    ]

    settings.AWS_S3_ENDPOINT_URL = None
    settings.AWS_S3_REGION_NAME = "ap-southeast-3"
    img = csp(client.get(reverse("home")))["img-src"]
    # Both buckets: an application's photos are images redirected to the private one.
    assert img == [
        "'self'",
        "data:",
        "https://umkm-media.s3.amazonaws.com",
        "https://umkm-media.s3.ap-southeast-3.amazonaws.com",
        "https://umkm-private.s3.amazonaws.com",
        "https://umkm-private.s3.ap-southeast-3.amazonaws.com",
    ]


# --- Nonces ------------------------------------------------------------------------------------


@pytest.mark.urls(__name__)
def test_a_template_that_asks_for_a_nonce_gets_it_in_the_policy(client):
    response = client.get("/test-only/nonce/")

    nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in csp(response)["script-src"]
    other = client.get("/test-only/nonce/")
    assert re.search(r'nonce="([^"]+)"', other.content.decode()).group(1) != nonce


def test_a_page_that_asks_for_no_nonce_names_none(client):
    assert not any(s.startswith("'nonce-") for s in csp(client.get(reverse("home")))["script-src"])


# --- Every template -----------------------------------------------------------------------------

# Templates no browser renders under the policy: WeasyPrint's PDF, and e-mails.
NOT_PAGES = ("reports/pdf.html",)
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)(?![^>]*application/(ld\+)?json)[^>]*>"
)
STYLE_ATTRIBUTE = re.compile(r"<[a-zA-Z][^>]*\sstyle=[\"']")
STYLE_ELEMENT = re.compile(r"<style(?![^>]*\bnonce=)[^>]*>")
HANDLER = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+=[\"']")


def _templates() -> list[Path]:
    found = []
    for folder in ("expo", "booths", "events", "payments", "frontend"):
        for template in sorted((ROOT / folder).rglob("templates/**/*.html")):
            relative = template.as_posix()
            if "/email/" in relative or "/emails/" in relative or relative.endswith(NOT_PAGES):
                continue
            found.append(template)
    return found


def test_no_template_writes_what_the_policy_refuses():
    templates = _templates()
    assert len(templates) > 100
    wrong = []
    for template in templates:
        text = template.read_text()
        for name, pattern in (
            ("inline script", INLINE_SCRIPT),
            ("style attribute", STYLE_ATTRIBUTE),
            ("style element", STYLE_ELEMENT),
            ("event handler", HANDLER),
        ):
            wrong += [
                f"{template.relative_to(ROOT)}: {name}: {m.group(0)[:60]}"
                for m in pattern.finditer(text)
            ]
    assert wrong == []
