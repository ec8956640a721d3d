"""The one websocket (``/ws/``) through the real ASGI application: origin check, ping, error frames
with stable codes in the user's language, and the session's user on the consumer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.utils import translation
from django.utils.translation import gettext

from events import consumer as realtime
from expo.asgi import application

# Every test may touch the database: the consumer closes stale connections in its worker thread.
pytestmark = pytest.mark.django_db

ORIGIN = (b"origin", b"http://localhost")
NOT_READ_EN = "This message could not be read."
UNKNOWN_EN = "This kind of message is not supported."


def _translated(message: str, language: str) -> str:
    with translation.override(language):
        return gettext(message)


def _socket(*headers: tuple[bytes, bytes]) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, "/ws/", headers=list(headers))


async def _open(*headers: tuple[bytes, bytes]) -> WebsocketCommunicator:
    socket = _socket(*headers)
    connected, _subprotocol = await socket.connect()
    assert connected
    return socket


async def _ask(socket: WebsocketCommunicator, frame: Any) -> dict[str, Any]:
    if isinstance(frame, str):
        await socket.send_to(text_data=frame)
    else:
        await socket.send_json_to(frame)
    return await socket.receive_json_from(timeout=30)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


async def test_connect_with_an_allowed_origin_and_ping():
    socket = await _open(ORIGIN)

    assert await _ask(socket, {"type": "ping", "ts": 1}) == {"type": "pong", "ts": 1}
    await socket.disconnect()


@pytest.mark.parametrize(
    "headers",
    [
        [],
        [(b"origin", b"https://evil.example")],
        [(b"origin", b"http://localhost.evil.example")],
    ],
    ids=["no-origin", "foreign-origin", "lookalike-origin"],
)
async def test_connect_without_an_allowed_origin_is_refused(headers):
    socket = _socket(*headers)

    connected, _code = await socket.connect()

    assert not connected
    await socket.disconnect()


@pytest.mark.parametrize(
    "frame",
    ["{not json", "[1, 2]", '"ping"', json.dumps({"ts": 1}), json.dumps({"type": 7})],
    ids=["broken", "list", "string", "no-type", "type-not-text"],
)
async def test_unreadable_frames_get_frame_invalid(frame):
    socket = await _open(ORIGIN)

    reply = await _ask(socket, frame)

    assert reply == {"type": "error", "code": "frame_invalid", "message": NOT_READ_EN}
    # The socket stays open for the next frame.
    assert (await _ask(socket, {"type": "ping", "ts": 2}))["type"] == "pong"
    await socket.disconnect()


async def test_too_large_and_binary_frames_get_frame_invalid():
    socket = await _open(ORIGIN)

    big = json.dumps({"type": "ping", "pad": "x" * (realtime.MAX_FRAME_BYTES + 1)})
    assert (await _ask(socket, big))["code"] == "frame_invalid"
    await socket.send_to(bytes_data=b'{"type":"ping"}')
    assert (await socket.receive_json_from(timeout=30))["code"] == "frame_invalid"
    await socket.disconnect()


async def test_unknown_type_gets_type_unknown():
    socket = await _open(ORIGIN)

    reply = await _ask(socket, {"type": "teleport"})

    assert reply == {"type": "error", "code": "type_unknown", "message": UNKNOWN_EN}
    await socket.disconnect()


async def test_errors_are_in_the_visitors_language():
    socket = await _open(ORIGIN, (b"cookie", b"umkm_language=id"))

    invalid = await _ask(socket, "{not json")
    unknown = await _ask(socket, {"type": "teleport"})

    assert invalid["code"] == "frame_invalid"
    assert unknown["code"] == "type_unknown"
    # Equal to the Indonesian catalogue's text (the English one until it has a translation).
    assert invalid["message"] == _translated(NOT_READ_EN, "id")
    assert unknown["message"] == _translated(UNKNOWN_EN, "id")
    assert invalid["message"] and unknown["message"]
    await socket.disconnect()


async def test_errors_follow_accept_language_without_a_cookie():
    socket = await _open(ORIGIN, (b"accept-language", b"id-ID,id;q=0.9,en;q=0.5"))

    reply = await _ask(socket, {"type": "teleport"})

    assert reply["message"] == _translated(UNKNOWN_EN, "id")
    assert await _language_of(socket) == "id"
    await socket.disconnect()


async def test_an_unknown_language_cookie_falls_back_to_english():
    socket = await _open(ORIGIN, (b"cookie", b"umkm_language=xx"))

    assert await _language_of(socket) == "en"
    await socket.disconnect()


# --- The session's user -----------------------------------------------------------------------


@pytest.fixture
def whoami() -> Iterator[None]:
    """A handler of the test's own that reports what the consumer knows about its user."""

    async def report(consumer: realtime.SocketConsumer, frame: dict[str, Any]) -> None:
        user = consumer.user
        await consumer.send_json(
            {
                "type": "whoami",
                "authenticated": bool(user is not None and user.is_authenticated),
                "email": getattr(user, "email", None),
                "language": consumer.language,
            }
        )

    realtime.handler("test.whoami")(report)
    try:
        yield
    finally:
        del realtime.HANDLERS["test.whoami"]


async def _language_of(socket: WebsocketCommunicator) -> str:
    realtime.handler("test.language")(_report_language)
    try:
        reply = await _ask(socket, {"type": "test.language"})
    finally:
        del realtime.HANDLERS["test.language"]
    return reply["language"]


async def _report_language(consumer: realtime.SocketConsumer, frame: dict[str, Any]) -> None:
    await consumer.send_json({"type": "language", "language": consumer.language})


@pytest.fixture
def session_cookie(transactional_db, client, make_user) -> bytes:
    """A logged-in session (committed, so the consumer's own connection finds it)."""
    user = make_user(email="sari@example.com", language="id")
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def test_the_session_user_is_on_the_consumer(whoami, session_cookie):
    socket = await _open(ORIGIN, (b"cookie", session_cookie))

    reply = await _ask(socket, {"type": "test.whoami"})

    # The account's language applies without a language cookie, as on pages.
    assert reply == {
        "type": "whoami",
        "authenticated": True,
        "email": "sari@example.com",
        "language": "id",
    }
    await socket.disconnect()


async def test_a_language_cookie_wins_over_the_account_as_on_pages(whoami, session_cookie):
    socket = await _open(ORIGIN, (b"cookie", session_cookie + b"; umkm_language=en"))

    reply = await _ask(socket, {"type": "test.whoami"})

    assert reply["authenticated"] is True
    assert reply["language"] == "en"
    await socket.disconnect()


async def test_a_visitor_is_anonymous(whoami):
    socket = await _open(ORIGIN)

    reply = await _ask(socket, {"type": "test.whoami"})

    assert reply["authenticated"] is False
    assert reply["email"] is None
    assert reply["language"] == "en"
    await socket.disconnect()


async def test_a_failing_handler_answers_server_error_and_closes():
    async def broken(consumer: realtime.SocketConsumer, frame: dict[str, Any]) -> None:
        raise RuntimeError("boom")

    realtime.handler("test.broken")(broken)
    try:
        socket = await _open(ORIGIN)
        reply = await _ask(socket, {"type": "test.broken"})
        assert reply["code"] == "server_error"
        # 4500, not 1011: Daphne sends no 1011 from a server (the client would never learn).
        assert await socket.receive_output(timeout=30) == {"type": "websocket.close", "code": 4500}
    finally:
        del realtime.HANDLERS["test.broken"]


async def test_a_refusal_from_a_handler_becomes_an_error_frame():
    async def refuse(consumer: realtime.SocketConsumer, frame: dict[str, Any]) -> None:
        raise realtime.RealtimeError("chat_closed", "The chat has closed.")

    realtime.handler("test.refuse")(refuse)
    try:
        socket = await _open(ORIGIN)
        reply = await _ask(socket, {"type": "test.refuse"})
        assert reply == {"type": "error", "code": "chat_closed", "message": "The chat has closed."}
        assert (await _ask(socket, {"type": "ping", "ts": 3}))["type"] == "pong"
        await socket.disconnect()
    finally:
        del realtime.HANDLERS["test.refuse"]


def test_a_frame_type_has_one_handler():
    async def other(consumer: realtime.SocketConsumer, frame: dict[str, Any]) -> None:
        return None

    with pytest.raises(RuntimeError, match="already has a handler"):
        realtime.handler("ping")(other)
