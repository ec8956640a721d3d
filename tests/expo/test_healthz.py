"""/healthz reports the database and the channel layer, and answers 503 when one is down."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest
from channels.layers import channel_layers


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def fresh_layers():
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def use_redis_layer(settings, url: str) -> None:
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [url]},
        }
    }
    channel_layers.backends.clear()


@pytest.mark.django_db
def test_healthz_on_embedded_defaults(client, fresh_layers):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["channel_layer"]["status"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.postgres
@pytest.mark.django_db
def test_healthz_on_postgresql_and_redis(client, settings, redis_url, fresh_layers):
    from django.db import connection

    assert connection.vendor == "postgresql"
    use_redis_layer(settings, redis_url)
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    assert response.json()["channel_layer"]["status"] == "ok"


@pytest.mark.django_db
def test_healthz_is_503_when_redis_stops(client, settings, tmp_path, fresh_layers):
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        pytest.fail(
            "redis-server is not installed: run `make setup-test` (apt-get install redis-server)."
        )
    port = _free_port()
    subprocess.run(
        [
            redis_server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--daemonize",
            "yes",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
            "--pidfile",
            str(tmp_path / "r.pid"),
        ],
        check=True,
    )
    try:
        deadline = time.monotonic() + 10
        while subprocess.run(
            ["redis-cli", "-p", str(port), "ping"], capture_output=True
        ).returncode:
            assert time.monotonic() < deadline, "throwaway Redis did not start"
            time.sleep(0.1)
        use_redis_layer(settings, f"redis://127.0.0.1:{port}/0")
        assert client.get("/healthz").status_code == 200
    finally:
        subprocess.run(["redis-cli", "-p", str(port), "shutdown", "nosave"], capture_output=True)
    channel_layers.backends.clear()
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["channel_layer"]["status"] == "down"
    assert body["database"]["status"] == "ok"


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_down(client, monkeypatch, fresh_layers):
    from expo import health

    def broken() -> None:
        raise ConnectionError("database unreachable")

    monkeypatch.setattr(health, "_check_database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == {
        "status": "down",
        "error": "ConnectionError: database unreachable",
    }
