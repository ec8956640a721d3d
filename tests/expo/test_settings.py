"""Settings come from the environment with safe defaults; production refuses unsafe ones."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from expo.settings import email_settings

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "x" * 20 + "-production-secret-key-of-enough-length-and-variety-9f8e7d",
    "DJANGO_ALLOWED_HOSTS": "expo.jatengprov.go.id",
    "DATABASE_URL": "postgres://expo:secret@127.0.0.1:5432/expo",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "AWS_", "EMAIL_"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_variables():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_development_key_is_refused_in_production():
    env = {**PRODUCTION_ENV}
    del env["DJANGO_SECRET_KEY"]
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0" in result.stderr


def test_embedded_defaults():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='expo.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CHANNEL_LAYERS['default']['BACKEND'],"
        " s.STORAGES['default']['BACKEND'], s.EMAIL_BACKEND, s.SESSION_ENGINE, s.STRIPE_SECRET_KEY == '',"
        " s.ALLOWED_HOSTS)"
    )
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "AWS_", "EMAIL_", "STRIPE_"))
    }
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.split() == [
        "True",
        "django.db.backends.sqlite3",
        "channels.layers.InMemoryChannelLayer",
        "django.core.files.storage.FileSystemStorage",
        "django.core.mail.backends.console.EmailBackend",
        "django.contrib.sessions.backends.db",  # each process's own cache would go stale
        "True",
        "['127.0.0.1',",
        "'localhost']",
    ]


def test_variables_switch_to_real_services():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='expo.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CHANNEL_LAYERS['default']['BACKEND'],"
        " s.CACHES['default']['BACKEND'], s.STORAGES['default']['BACKEND'], s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT,"
        " type(s.HUEY['huey_class']).__name__, s.HUEY['huey_class'], s.SESSION_ENGINE)"
    )
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/x",
        "REDIS_URL": "redis://127.0.0.1:6379/1",
        "AWS_STORAGE_BUCKET_NAME": "media",
        "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        "EMAIL_URL": "smtp://mailer:pw@mail.example.org:2525",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == [
        "django.db.backends.postgresql",
        "channels_redis.pubsub.RedisPubSubChannelLayer",
        "expo.cache.RedisCache",  # django-redis's, whose add goes ahead during an outage
        "storages.backends.s3.S3Storage",
        "django.core.mail.backends.smtp.EmailBackend",
        "mail.example.org",
        "2525",
        "str",
        "huey.PriorityRedisHuey",
        "django.contrib.sessions.backends.cached_db",  # read from Redis, written through
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("", {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}),
        (
            "smtps://a%40b.c:p%2Fw@smtp.x.org",
            {
                "EMAIL_HOST_USER": "a@b.c",
                "EMAIL_HOST_PASSWORD": "p/w",
                "EMAIL_PORT": 465,
                "EMAIL_USE_SSL": True,
            },
        ),
        ("smtp://smtp.x.org:587?tls=0", {"EMAIL_USE_TLS": False, "EMAIL_PORT": 587}),
        (
            "file:///tmp/outbox",
            {
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": "/tmp/outbox",
            },
        ),
    ],
)
def test_email_url(url, expected):
    parsed = email_settings(url)
    for key, value in expected.items():
        assert parsed[key] == value


def test_unknown_email_scheme_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        email_settings("pigeon://coop")
