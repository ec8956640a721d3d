"""``GET /healthz``: is this process able to reach its database, its channel layer and its cache?

The database and the channel layer are needed: either one down is a 503. The cache only speeds
pages up (they are built from the database while it is down), so a cache that cannot be reached is
reported (``"cache": {"status": "down", …}`` and ``"status": "degraded"``) with a 200, and the load
balancer keeps the process serving.
"""

from __future__ import annotations

import asyncio
import secrets
import time

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

CHECK_TIMEOUT_S = 2.0


def _check_database() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()


def _check_cache() -> None:
    # The cache ignores its own errors (see redis_cache in settings), so ask the server directly
    # when there is one: its error says why. Then a real round trip through the cache itself.
    client = getattr(cache, "client", None)
    if client is not None and hasattr(client, "get_client"):
        client.get_client(write=True).ping()
    key, token = f"healthz:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, token, 30)
    if cache.get(key) != token:
        raise RuntimeError("the cache did not keep a value")
    cache.delete(key)


async def _check_channel_layer() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    # A real round trip: send to a fresh channel and read it back.
    channel = await layer.new_channel("healthz.")
    await layer.send(channel, {"type": "healthz.ping"})
    message = await layer.receive(channel)
    if message.get("type") != "healthz.ping":
        raise RuntimeError("channel layer returned an unexpected message")


async def _timed(check) -> dict[str, object]:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(check(), CHECK_TIMEOUT_S)
    except Exception as exc:  # any failure is a "down" answer, never a 500
        return {"status": "down", "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"status": "ok", "ms": round((time.perf_counter() - started) * 1000, 1)}


@never_cache
@require_GET
async def healthz(request: HttpRequest) -> JsonResponse:
    database, channel_layer, cache_state = await asyncio.gather(
        _timed(sync_to_async(_check_database, thread_sensitive=False)),
        _timed(_check_channel_layer),
        _timed(sync_to_async(_check_cache, thread_sensitive=False)),
    )
    healthy = database["status"] == "ok" and channel_layer["status"] == "ok"
    status = "ok" if cache_state["status"] == "ok" else "degraded"
    return JsonResponse(
        {
            "status": status if healthy else "down",
            "database": database,
            "channel_layer": channel_layer,
            "cache": cache_state,
        },
        status=200 if healthy else 503,
    )
