"""Signing in, signing up and resetting a password do not depend on the cache: with the cache's
Redis unreachable (a real refused connection, or a real Redis stopped under the cache) allauth's
rate limits let the action through, logged; with Redis up they hold as before (expo.cache). With
the task queue's Redis down too (in production it is the same Redis) the mails go out at once."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import time
import uuid

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from huey.contrib.djhuey import HUEY
from huey.storage import PriorityRedisStorage
from redis.exceptions import ConnectionError as RedisConnectionError

from expo.models import User
from expo.settings import redis_cache
from tests.expo.test_cache_outage import _redis_answers, cache_down  # noqa: F401 (a fixture)
from tests.expo.test_healthz import _free_port

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-9"
TOO_MANY_FAILED = "Too many failed login attempts"


def _sign_in(client: Client, email: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def _signed_in(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)


def _own_prefix(settings_cache: dict) -> dict:
    """A cache config whose keys no other test (or process) shares: never ``cache.clear()`` on a
    shared Redis, which would empty it for everyone."""
    return {**settings_cache, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}


# --- The backend ---------------------------------------------------------------------------------


def test_add_goes_ahead_and_is_logged_while_redis_cannot_be_reached(cache_down, caplog):  # noqa: F811
    with caplog.at_level(logging.WARNING, logger="expo.cache"):
        assert cache.add("lock", 1, 10) is True
        assert cache.add("lock", 1, 10) is True  # nothing was kept: as on an empty cache
    warnings = [r for r in caplog.records if r.name == "expo.cache"]
    assert len(warnings) == 2
    assert "'lock'" in warnings[0].getMessage() and "Connection refused" in warnings[0].getMessage()
    assert cache.get("lock") is None  # the other methods are django-redis's own


def test_add_raises_when_errors_are_not_ignored(settings, cache_down):  # noqa: F811
    config = redis_cache(f"redis://127.0.0.1:{cache_down}/0")
    config["OPTIONS"] = {**config["OPTIONS"], "IGNORE_EXCEPTIONS": False}
    settings.CACHES = {"default": config}
    with pytest.raises(RedisConnectionError):
        cache.add("lock", 1, 10)


@pytest.mark.redis
def test_add_answers_as_redis_does_while_it_is_up(settings, redis_url):
    settings.CACHES = {"default": _own_prefix(redis_cache(redis_url))}
    assert cache.add("lock", 1, 10) is True
    assert cache.add("lock", 2, 10) is False  # taken: the lock and the limits still hold
    assert cache.get("lock") == 1


# --- allauth with the cache down -----------------------------------------------------------------


def test_a_buyer_signs_in(client, cache_down, make_user):  # noqa: F811
    buyer = make_user(email="ayu@example.com", password=PASSWORD)
    answer = _sign_in(client, "ayu@example.com")
    assert answer.status_code == 302 and answer["Location"] == "/"
    assert _signed_in(client) == str(buyer.pk)


def test_a_wrong_password_is_still_refused(client, cache_down, make_user):  # noqa: F811
    make_user(email="ayu@example.com", password=PASSWORD)
    answer = _sign_in(client, "ayu@example.com", "not-the-password-1")
    assert answer.status_code == 200  # the form again, with its error; not a 429
    assert _signed_in(client) is None


def test_the_limits_let_everyone_through_during_the_outage(
    settings,
    cache_down,  # noqa: F811
    make_user,
):
    """A limit of one sign-in a day per address holds nothing while it cannot be counted."""
    settings.ACCOUNT_RATE_LIMITS = {"login": "1/d/ip", "login_failed": "1/d/ip,1/d/key"}
    buyer = make_user(email="ayu@example.com", password=PASSWORD)
    for _ in range(3):
        client = Client()
        _sign_in(client, "ayu@example.com", "not-the-password-1")
        assert _sign_in(client, "ayu@example.com").status_code == 302
        assert _signed_in(client) == str(buyer.pk)


def test_a_visitor_signs_up(client, cache_down):  # noqa: F811
    answer = client.post(
        reverse("account_signup"),
        {
            "name": "Sari Wulandari",
            "country": "ID",
            "email": "sari@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert answer.status_code == 302 and answer["Location"] == "/accounts/confirm-email/"
    assert User.objects.filter(email="sari@example.com").exists()
    assert [m.to for m in mail.outbox] == [["sari@example.com"]]


def test_a_buyer_asks_for_a_password_reset(client, cache_down, make_user):  # noqa: F811
    make_user(email="rina@example.com", password=PASSWORD)
    answer = client.post(reverse("account_reset_password"), {"email": "rina@example.com"})
    assert answer.status_code == 302
    assert [m.to for m in mail.outbox] == [["rina@example.com"]]
    assert re.search(r"/accounts/password/reset/key/\S+", mail.outbox[0].body)


# --- allauth with Redis up: the limits hold -------------------------------------------------------


@pytest.mark.redis
def test_the_sign_in_limit_answers_429_with_redis_up(settings, redis_url, make_user):
    settings.CACHES = {"default": _own_prefix(redis_cache(redis_url))}
    settings.ACCOUNT_RATE_LIMITS = {"login": "3/d/ip"}
    make_user(email="ayu@example.com", password=PASSWORD)
    codes = [_sign_in(Client(), "ayu@example.com").status_code for _ in range(4)]
    assert codes == [302, 302, 302, 429]


@pytest.mark.redis
def test_the_failed_sign_in_limit_holds_with_redis_up(settings, redis_url, make_user):
    """After too many failed attempts even the right password is refused."""
    settings.CACHES = {"default": _own_prefix(redis_cache(redis_url))}
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/d/ip"}
    make_user(email="ayu@example.com", password=PASSWORD)
    client = Client()
    pages = [
        _sign_in(client, "ayu@example.com", "not-the-password-1").content.decode() for _ in range(4)
    ]
    assert [TOO_MANY_FAILED in page for page in pages] == [False, False, False, True]
    refused = _sign_in(client, "ayu@example.com")
    assert refused.status_code == 200 and TOO_MANY_FAILED in refused.content.decode()
    assert _signed_in(client) is None


def test_sign_in_goes_on_when_the_caches_redis_stops(settings, tmp_path, make_user):
    """A Redis of the test's own serves the cache and the limit refuses a fourth sign-in; then it
    stops (the connections the cache holds break under it) and sign-in works again, unlimited."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is not installed: run `make setup-test`.")
    port = _free_port()
    subprocess.run(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--daemonize", "yes", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path), "--pidfile", str(tmp_path / "r.pid")],
        check=True,
    )  # fmt: skip
    buyer = make_user(email="ayu@example.com", password=PASSWORD)
    settings.ACCOUNT_RATE_LIMITS = {"login": "3/d/ip"}
    try:
        deadline = time.monotonic() + 30
        while not _redis_answers(port):
            assert time.monotonic() < deadline, "the test's Redis did not start"
            time.sleep(0.1)
        settings.CACHES = {"default": redis_cache(f"redis://127.0.0.1:{port}/0")}
        codes = [_sign_in(Client(), "ayu@example.com").status_code for _ in range(4)]
        assert codes == [302, 302, 302, 429]
    finally:
        subprocess.run(["redis-cli", "-p", str(port), "shutdown", "nosave"], capture_output=True)
    deadline = time.monotonic() + 30
    while _redis_answers(port):
        assert time.monotonic() < deadline, "the test's Redis did not stop"
        time.sleep(0.1)

    for _ in range(2):
        client = Client()
        answer = _sign_in(client, "ayu@example.com")
        assert answer.status_code == 302
        assert _signed_in(client) == str(buyer.pk)


# --- The whole Redis down: the task queue too -----------------------------------------------------


@pytest.fixture
def queue_down(cache_down):  # noqa: F811
    """In production one Redis holds the cache and the task queue: both at the refused port, the
    queue for real (not the tests' inline mode)."""
    HUEY.immediate_use_memory = False  # keep the setter from opening the checkout's huey.sqlite3
    HUEY.immediate = False
    previous_storage = HUEY.storage
    HUEY.storage = PriorityRedisStorage(name=HUEY.name, url=f"redis://127.0.0.1:{cache_down}/0")
    try:
        yield cache_down
    finally:
        HUEY.storage = previous_storage
        HUEY.immediate_use_memory = True
        HUEY.immediate = True  # the setter gives it a new in-memory storage


def test_the_queue_really_is_unreachable(queue_down):
    with pytest.raises(RedisConnectionError):
        HUEY.storage.enqueue(b"probe", 0)


def test_sign_up_mails_the_link_at_once_while_the_queue_is_down(client, queue_down, caplog):
    with caplog.at_level(logging.WARNING, logger="expo.services"):
        answer = client.post(
            reverse("account_signup"),
            {
                "name": "Sari Wulandari",
                "country": "ID",
                "email": "sari@example.com",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    assert answer.status_code == 302 and answer["Location"] == "/accounts/confirm-email/"
    assert [m.to for m in mail.outbox] == [["sari@example.com"]]
    assert "/accounts/confirm-email/" in mail.outbox[0].body
    assert any("task queue unreachable" in r.getMessage() for r in caplog.records)


def test_a_password_reset_is_mailed_at_once_while_the_queue_is_down(client, queue_down, make_user):
    make_user(email="rina@example.com", password=PASSWORD)
    answer = client.post(reverse("account_reset_password"), {"email": "rina@example.com"})
    assert answer.status_code == 302
    assert [m.to for m in mail.outbox] == [["rina@example.com"]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_a_buyer_signs_in_while_the_whole_redis_is_down(client, queue_down, make_user):
    buyer = make_user(email="ayu@example.com", password=PASSWORD)
    assert _sign_in(client, "ayu@example.com").status_code == 302
    assert _signed_in(client) == str(buyer.pk)


TEMPLATE = "booths/email/application_rejected"


def _declined() -> dict:
    from types import SimpleNamespace

    vendor = SimpleNamespace(name="Batik Sekar", slug="batik-sekar")
    expo = SimpleNamespace(title="UMKM Virtual Expo", slug="umkm-expo")
    return {"vendor": vendor, "expo": expo, "application": SimpleNamespace(decision_reason="x")}


def test_a_notification_is_mailed_at_once_while_the_queue_is_down(
    queue_down, make_user, django_capture_on_commit_callbacks, caplog
):
    """The site's own e-mails (orders, meetings, inquiries) go through the same fallback: the
    queue's Redis down, the message is sent in the request after its commit."""
    from expo.services import send_templated_email

    buyer = make_user(email="dewi@example.com", password=PASSWORD)
    with (
        caplog.at_level(logging.WARNING, logger="expo.services"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        send_templated_email(to=buyer, template=TEMPLATE, context=_declined())
    assert [m.to for m in mail.outbox] == [["dewi@example.com"]]
    assert any("task queue unreachable" in r.getMessage() for r in caplog.records)


def test_a_mail_that_cannot_go_out_either_does_not_fail_the_saved_request(
    queue_down, make_user, django_capture_on_commit_callbacks, settings, caplog
):
    """Queue and mail server both unreachable after the request's work was committed: logged,
    not raised (the buyer's order or meeting is saved; an error page would say otherwise)."""
    from expo.services import send_templated_email

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", queue_down  # nothing listens there
    settings.EMAIL_TIMEOUT = 5
    buyer = make_user(email="dewi@example.com", password=PASSWORD)
    with (
        caplog.at_level(logging.WARNING, logger="expo.services"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        send_templated_email(to=buyer, template=TEMPLATE, context=_declined())
    assert any("could not send" in r.getMessage() for r in caplog.records)
