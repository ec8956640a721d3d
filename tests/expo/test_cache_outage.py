"""The cache is an accelerator, not a dependency: with the cache's Redis unreachable (a real refused
connection, not a mock) the public pages are built from the database, catalogue writes go
through, and ``/healthz`` says the cache is down."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest
from channels.layers import channel_layers
from django.core.cache import cache
from django.urls import reverse

from booths import catalogue
from booths.services import product_update
from expo.banners import services as banner_services
from expo.settings import redis_cache
from tests.expo.test_healthz import _free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_down(settings):
    """The cache on Redis at a port where nothing listens: the socket is bound (so no other
    process takes the port meanwhile) and never listens, so every connection is refused. Only the
    cache: the channel layer stays in memory."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        port = held.getsockname()[1]
        settings.CACHES = {"default": redis_cache(f"redis://127.0.0.1:{port}/0")}
        yield port
    channel_layers.backends.clear()


def page_urls(expo, booth, product) -> list[str]:
    return [
        reverse("booths:hall", args=[expo.slug]),
        reverse("booths:booth", args=[expo.slug, booth.slug]),
        reverse("booths:product", args=[expo.slug, booth.slug, product.slug]),
    ]


def test_the_cache_really_is_unreachable(cache_down):
    cache.set("probe", 1)
    assert cache.get("probe") is None  # the write went nowhere, the read missed: no error


def test_hall_booth_and_product_pages_render_from_the_database(
    client, cache_down, make_expo, make_booth
):
    expo = make_expo("open")
    booth = make_booth(expo, name="Batik Sekar", prices=(1_250_000, 30_000))
    other = make_booth(expo, name="Kopi Lereng")
    product = booth.products.get(slug="product-0")
    urls = {
        "hall": reverse("booths:hall", args=[expo.slug]),
        "booth": reverse("booths:booth", args=[expo.slug, booth.slug]),
        "product": reverse("booths:product", args=[expo.slug, booth.slug, product.slug]),
    }
    for _twice in range(2):  # the second visit misses the cache again and is still right
        hall = client.get(urls["hall"])
        assert hall.status_code == 200
        html = hall.content.decode()
        assert "Batik Sekar" in html and "Kopi Lereng" in html
        assert urls["booth"] in html

        page = client.get(urls["booth"])
        assert page.status_code == 200
        assert "<h1>Batik Sekar</h1>" in page.content.decode()
        assert urls["product"] in page.content.decode()

        page = client.get(urls["product"])
        assert page.status_code == 200
        html = page.content.decode()
        assert product.name_en in html and "Rp 1.250.000" in html
        assert other.vendor.name not in html
    assert catalogue.version(expo.pk) == 1


def test_a_catalogue_write_goes_through_and_shows(
    client, cache_down, make_expo, make_booth, make_user, django_capture_on_commit_callbacks
):
    expo = make_expo("open")
    booth = make_booth(expo, name="Batik Sekar")
    member = make_user()
    booth.vendor.members.add(member)
    product = booth.products.get(slug="product-0")
    with django_capture_on_commit_callbacks(execute=True):
        product_update(product=product, by=member, name_en="Tulis Batik Sogan")
    url = reverse("booths:product", args=[expo.slug, booth.slug, product.slug])
    page = client.get(url)
    assert page.status_code == 200
    assert "Tulis Batik Sogan" in page.content.decode()


def test_banner_slots_are_served(client, cache_down, make_expo):
    expo = make_expo("open")
    banner_services.slots_ensure()
    answer = client.get(reverse("banners:serve", args=[expo.slug, "hall_hero"]))
    assert answer.status_code == 200
    assert answer.json()["banners"] == []


def test_a_signed_in_buyer_stays_signed_in_with_sessions_read_from_the_cache(
    client, settings, cache_down, django_user_model
):
    """Sessions are read from the cache when there is Redis (cached_db): with the cache down
    they come from the database, where every session is written, so nobody is signed out."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    buyer = django_user_model.objects.create_user(email="ayu@example.com", password=None)
    client.force_login(buyer)  # the session is saved (to the database; the cache write fails)
    page = client.get(reverse("buyer_profile"))
    assert page.status_code == 200 and page.context["user"] == buyer


def test_healthz_says_the_cache_is_down(client, cache_down):
    answer = client.get("/healthz")
    body = answer.json()
    assert body["cache"]["status"] == "down"
    assert "Connection refused" in body["cache"]["error"]
    assert body["status"] == "degraded"
    # The database and the channel layer are fine: the process keeps serving.
    assert answer.status_code == 200
    assert body["database"]["status"] == "ok" and body["channel_layer"]["status"] == "ok"


@pytest.mark.redis
def test_healthz_says_the_cache_is_ok(client, settings, redis_url):
    settings.CACHES = {"default": redis_cache(redis_url)}
    body = client.get("/healthz").json()
    assert body["cache"]["status"] == "ok"


def _redis_answers(port: int) -> bool:
    return not subprocess.run(
        ["redis-cli", "-p", str(port), "ping"], capture_output=True
    ).returncode


def test_pages_keep_working_when_the_caches_redis_stops(
    client, settings, tmp_path, make_expo, make_booth
):
    """A Redis of the test's own serves the cache, warm, then stops: the connections the cache
    holds break under it, and the pages are still answered, from the database."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is not installed: run `make setup-test`.")
    port = _free_port()
    subprocess.run(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--daemonize", "yes", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path), "--pidfile", str(tmp_path / "r.pid")],
        check=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not _redis_answers(port):
            assert time.monotonic() < deadline, "the test's Redis did not start"
            time.sleep(0.1)
        settings.CACHES = {"default": redis_cache(f"redis://127.0.0.1:{port}/0")}
        expo = make_expo("open")
        booth = make_booth(expo, name="Batik Sekar")
        product = booth.products.get(slug="product-0")
        for url in page_urls(expo, booth, product):
            assert client.get(url).status_code == 200
        assert cache.get(f"catalogue-version:{expo.pk}") == 1  # the cache was in use
        assert client.get("/healthz").json()["cache"]["status"] == "ok"
    finally:
        subprocess.run(["redis-cli", "-p", str(port), "shutdown", "nosave"], capture_output=True)
    deadline = time.monotonic() + 30
    while _redis_answers(port):
        assert time.monotonic() < deadline, "the test's Redis did not stop"
        time.sleep(0.1)

    for url in page_urls(expo, booth, product):
        page = client.get(url)
        assert page.status_code == 200
        assert "Batik Sekar" in page.content.decode()
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json()["cache"]["status"] == "down"
