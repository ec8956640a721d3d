"""Shared fixtures: small builders for accounts and offices, and the real services.

The services (PostgreSQL, Redis, localstripe, moto_server) are started by ``scripts/services.sh
start``, which writes their addresses to ``.services/env``; ``make test`` does that for you. A test
that needs a service which is not running fails and names that command — it never skips.
"""

from __future__ import annotations

import itertools
import os
import shlex
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from booths.models import Booth, Product, ProductImage, Vendor
from expo.models import Expo, Region, Sector

ROOT = Path(__file__).resolve().parent.parent
START_HINT = "start the test services with `scripts/services.sh start` (or run `make test`)"


def _service_env() -> dict[str, str]:
    """Addresses from the environment, else from the file scripts/services.sh writes."""
    found = {k: v for k, v in os.environ.items() if k.startswith("TEST_")}
    env_file = ROOT / ".services" / "env"
    if env_file.exists():
        for line in env_file.read_text().splitlines():
            if line.startswith("export ") and "=" in line:
                key, _, value = line[len("export ") :].partition("=")
                found.setdefault(key, shlex.split(value)[0] if value else "")
    return found


def require_service(variable: str, name: str) -> str:
    value = _service_env().get(variable)
    if not value:
        pytest.fail(f"{name} is not running: {START_HINT}.", pytrace=False)
    return value


@pytest.fixture(scope="session")
def postgres_url() -> str:
    return require_service("TEST_POSTGRES_URL", "PostgreSQL")


@pytest.fixture(scope="session")
def redis_url() -> str:
    return require_service("TEST_REDIS_URL", "Redis")


@pytest.fixture(scope="session")
def stripe_api_base() -> str:
    return require_service("TEST_STRIPE_API_BASE", "localstripe")


@pytest.fixture(scope="session")
def s3_endpoint_url() -> str:
    return require_service("TEST_S3_ENDPOINT_URL", "moto_server (S3)")


@pytest.fixture(autouse=True, scope="session")
def _tasks_run_inline():
    """Queued jobs run at once in tests; tests of the worker itself switch this off."""
    HUEY.immediate = True
    yield


@pytest.fixture(scope="session")
def _media_dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("storage")
    return root / "media", root / "private"


@pytest.fixture(autouse=True)
def _test_storages(settings, _media_dirs):
    """Uploads go to a throwaway folder (public and private), never into the checkout."""
    media, private = _media_dirs
    settings.MEDIA_ROOT = media
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(private), "base_url": "/private-media-is-not-served/"},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


_emails = itertools.count(1)


@pytest.fixture
def make_user(db):
    from allauth.account.models import EmailAddress

    from expo.models import User

    def build(
        *,
        email: str | None = None,
        password: str = "correct-horse-9",
        verified: bool = True,
        **extra,
    ) -> User:
        email = email or f"user{next(_emails)}@example.com"
        user = User.objects.create_user(email=email, password=password, **extra)
        EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
        return user

    return build


@pytest.fixture
def make_office(db):
    from expo.models import Office

    counter = itertools.count(1)

    def build(**extra) -> Office:
        n = next(counter)
        defaults = {
            "name": f"Dinkop Province {n}",
            "province": f"Province {n}",
            "slug": f"province-{n}",
        }
        defaults.update(extra)
        return Office.objects.create(**defaults)

    return build


@pytest.fixture
def make_organiser(make_user, make_office):
    from expo import services

    def build(*, office=None, **extra):
        office = office or make_office()
        user = make_user(**extra)
        services.office_add_organiser(office=office, user=user)
        return user

    return build


@pytest.fixture
def buyer(make_user):
    return make_user(name="Ayu Buyer")


@pytest.fixture
def admin_user(make_user):
    return make_user(name="Admin", is_staff=True, is_superuser=True)


@pytest.fixture(autouse=True)
def _visits_flushed_by_hand(settings):
    """Page visits are written when a test calls booths.visits.flush(), not by a timer thread;
    visits a test left in the buffer never reach the next test (their rows are gone)."""
    from booths import visits

    settings.VISITS_FLUSH_SECONDS = 0
    with visits._lock:
        visits._buffer.clear()
    yield
    with visits._lock:
        visits._buffer.clear()


@pytest.fixture(autouse=True)
def _language_and_zone_reset():
    """Each test starts in the site's default language and zone: a test (or a view run by one)
    that activated Indonesian or a visitor's zone must not leave it to the next test."""
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    timezone.deactivate()
    yield
    translation.activate(django_settings.LANGUAGE_CODE)
    timezone.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- Expos, vendors, booths and products ------------------------------------------------------

# Expo times relative to now: (applications open, deadline, opens, closes) in days.
STATES = {
    "draft": (1, 10, 12, 15),
    "accepting": (-1, 5, 7, 10),
    "published": (-10, -2, 2, 5),
    "open": (-10, -5, -1, 2),
    "closed": (-20, -15, -10, -5),
}
_seq = itertools.count(1)


def move_to(expo: Expo, state: str) -> Expo:
    now = timezone.now()
    apps, deadline, opens, closes = (now + timedelta(days=d) for d in STATES[state])
    Expo.objects.filter(pk=expo.pk).update(
        applications_open_at=apps, application_deadline=deadline, opens_at=opens, closes_at=closes
    )
    expo.refresh_from_db()
    return expo


@pytest.fixture
def regions(db):
    return [
        Region.objects.create(province="Uji", code="99.02", name="Banyumasan", kind="kabupaten"),
        Region.objects.create(province="Uji", code="99.03", name="Purbalinggan", kind="kabupaten"),
        Region.objects.create(province="Uji", code="99.72", name="Surakartan", kind="kota"),
    ]


@pytest.fixture
def sectors(db):
    return [
        Sector.objects.create(
            slug="test-food", name_en="Food and drink", name_id="Makanan", position=1
        ),
        Sector.objects.create(slug="test-batik", name_en="Batik", name_id="Batik", position=2),
    ]


@pytest.fixture
def make_expo(make_office, sectors):
    def build(state: str = "open", office=None, slug: str | None = None) -> Expo:
        now = timezone.now()
        apps, deadline, opens, closes = (now + timedelta(days=d) for d in STATES[state])
        expo = Expo.objects.create(
            office=office or make_office(),
            slug=slug or f"expo-{next(_seq)}",
            title_en="UKM Virtual Expo",
            title_id="Expo UKM Virtual",
            tagline_en="Straight from the makers",
            applications_open_at=apps,
            application_deadline=deadline,
            opens_at=opens,
            closes_at=closes,
        )
        expo.sectors.set(sectors)
        return expo

    return build


@pytest.fixture
def make_booth(regions, sectors):
    """A vendor and its booth with ``products`` products (each with two photo rows, no files)."""

    def build(
        expo: Expo,
        *,
        name: str | None = None,
        region: Region | None = None,
        sector: Sector | None = None,
        prices: tuple[int, ...] = (25_000, 150_000),
        preorder: bool = False,
        halal: bool = False,
        products: int | None = None,
        product_names: tuple[str, ...] = (),
        whatsapp: str = "0812-3456-7890",
    ) -> Booth:
        n = next(_seq)
        name = name or f"Vendor {n:04d}"
        vendor = Vendor.objects.create(
            name=name,
            slug=f"vendor-{n}",
            owner_name="Sri",
            region=region or regions[0],
            sector=sector or sectors[0],
            whatsapp=whatsapp,
            story="Made in our kitchen.",
        )
        booth = Booth.objects.create(
            expo=expo, vendor=vendor, slug=f"booth-{n}", is_halal=halal, tagline_en="Handmade"
        )
        count = products if products is not None else len(prices)
        rows = []
        for i in range(count):
            price = prices[i % len(prices)] if prices else 10_000
            rows.append(
                Product(
                    booth=booth,
                    slug=f"product-{i}",
                    name_en=product_names[i] if i < len(product_names) else f"Product {n}-{i}",
                    name_id=f"Produk {n}-{i}",
                    category=Product.Category.FOOD,
                    price=price,
                    stock=5,
                    is_preorder=preorder and i == 0,
                    preorder_lead_days=7 if preorder and i == 0 else None,
                    preorder_quota=20 if preorder and i == 0 else None,
                    weight_grams=250,
                    is_featured=i == 0,
                )
            )
        created = Product.objects.bulk_create(rows)
        ProductImage.objects.bulk_create(
            ProductImage(
                product=p,
                image=f"products/{p.pk}-{k}.jpg",
                thumbnail=f"products/thumbs/{p.pk}-{k}.jpg",
                width=800,
                height=800,
                position=k,
            )
            for p in created
            for k in range(2)
        )
        if created:
            booth.min_price = min(p.price for p in created)
            booth.max_price = max(p.price for p in created)
            booth.product_count = len(created)
            booth.has_preorder = any(p.is_preorder for p in created)
            booth.save()
        return booth

    return build


@pytest.fixture
def own_redis():
    """A Redis of the test's own (tests/events/servers.OwnRedis), which the test may stop and
    start again; closed after the test."""
    from tests.events.servers import OwnRedis

    server = OwnRedis()
    try:
        yield server
    finally:
        server.close()
