"""Shared fixtures: small builders for accounts and offices, and the real services.

The services (PostgreSQL, Redis, localstripe, moto_server) are started by ``scripts/services.sh
start``, which writes their addresses to ``.services/env``; ``make test`` does that for you. A test
that needs a service which is not running fails and names that command — it never skips.
"""

from __future__ import annotations

import itertools
import os
import shlex
from pathlib import Path

import pytest
from huey.contrib.djhuey import HUEY

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
    """Page visits are written when a test calls booths.visits.flush(), not by a timer thread."""
    settings.VISITS_FLUSH_SECONDS = 0


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
