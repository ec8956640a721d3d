"""Who is on a websocket (``events.socket_auth``): the session cookie resolved once at connect, with
Django's rules (signed-in, anonymous, a password changed elsewhere, an inactive account, a forged
or unknown cookie), the origin check still in front, a constant number of queries, and nothing
per connection but the account and the cookies."""

from __future__ import annotations

import contextvars

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.test import Client
from django.test.utils import override_settings
from django.utils.functional import LazyObject

from events.consumer import HANDLERS
from events.socket_auth import SessionAuth, cookies_of, user_of_session
from expo.asgi import application
from expo.models import User
from tests.events.conftest import ORIGIN, Socket

pytestmark = pytest.mark.django_db(transaction=True)


def session_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


# --- The rules, one database hop ------------------------------------------------------------------


def test_a_signed_in_session_is_its_account(make_user, django_assert_num_queries):
    user = make_user()
    key = session_of(user)
    with django_assert_num_queries(2):  # the session, the account
        found = user_of_session(key)
    assert isinstance(found, User)
    assert found.pk == user.pk


def test_no_cookie_is_anonymous_without_a_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert isinstance(user_of_session(None), AnonymousUser)
        assert isinstance(user_of_session(""), AnonymousUser)


@pytest.mark.parametrize("key", ["x" * 32, "forged-session-key-0123456789abcdef", "short"])
def test_an_unknown_or_forged_cookie_is_anonymous(key, django_assert_num_queries):
    with django_assert_num_queries(1 if len(key) >= 8 else 0):
        assert isinstance(user_of_session(key), AnonymousUser)


def test_a_password_changed_elsewhere_signs_the_session_out(make_user):
    user = make_user()
    key = session_of(user)
    user.set_password("another-horse-7")
    user.save()
    assert isinstance(user_of_session(key), AnonymousUser)
    # Flushed, as a page would flush it: the cookie is worth nothing from now on.
    assert not Session.objects.filter(session_key=key).exists()


def test_an_inactive_account_is_anonymous(make_user):
    user = make_user()
    key = session_of(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert isinstance(user_of_session(key), AnonymousUser)


def test_a_session_of_an_unknown_backend_is_anonymous(make_user):
    user = make_user()
    key = session_of(user)
    session = Session.objects.get(session_key=key)
    data = session.get_decoded()
    assert data[SESSION_KEY] == str(user.pk) and data[HASH_SESSION_KEY]
    data[BACKEND_SESSION_KEY] = "somewhere.else.Backend"
    Session.objects.save(key, data, session.expire_date)
    assert isinstance(user_of_session(key), AnonymousUser)


def test_a_hash_of_a_fallback_secret_still_counts_and_keeps_the_session_key(make_user):
    user = make_user()
    old_secret = settings.SECRET_KEY
    key = session_of(user)
    with override_settings(SECRET_KEY="a-brand-new-secret-" + "k" * 40,
                           SECRET_KEY_FALLBACKS=[old_secret]):  # fmt: skip
        found = user_of_session(key)
    assert isinstance(found, User) and found.pk == user.pk
    # A websocket cannot set a cookie: the session is not cycled to a key the browser never gets.
    assert Session.objects.filter(session_key=key).exists()


def test_cookies_are_read_as_django_reads_them():
    scope = {"headers": [(b"origin", b"x"), (b"cookie", b"sessionid=abc; umkm_language=id")]}
    assert cookies_of(scope) == {"sessionid": "abc", "umkm_language": "id"}
    assert cookies_of({"headers": []}) == {}


# --- What the connection keeps --------------------------------------------------------------------


async def test_the_scope_holds_the_account_itself_and_no_session(make_user):
    from asgiref.sync import sync_to_async

    user = await sync_to_async(make_user)()
    key = await sync_to_async(session_of)(user)
    seen = {}

    async def inner(scope, receive, send):
        seen.update(scope)

    scope = {"type": "websocket", "headers": [(b"cookie", f"sessionid={key}".encode())]}
    await SessionAuth(inner)(scope, None, None)
    assert type(seen["user"]) is User and seen["user"].pk == user.pk
    assert not isinstance(seen["user"], LazyObject)
    assert "session" not in seen
    assert seen["cookies"] == {"sessionid": key}
    assert "user" not in scope  # the caller's scope is left alone
    assert not hasattr(SessionAuth(inner), "__dict__")


# --- Through the real application -----------------------------------------------------------------


async def you(headers) -> dict:
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    socket = Socket(communicator)
    try:
        return (await socket.join(ROOM[0]))["you"]
    finally:
        await socket.close()


ROOM: list[str] = []


@pytest.fixture
def room(booth):
    ROOM[:] = [f"booth:{booth.pk}"]
    return ROOM[0]


async def test_sockets_are_who_their_session_says(room, make_user):
    from asgiref.sync import sync_to_async

    def prepare():
        signed_in, changed, inactive = make_user(), make_user(), make_user()
        keys = {name: session_of(u) for name, u in
                (("signed_in", signed_in), ("changed", changed), ("inactive", inactive))}  # fmt: skip
        changed.set_password("another-horse-7")
        changed.save()
        User.objects.filter(pk=inactive.pk).update(is_active=False)
        return keys

    keys = await sync_to_async(prepare)()

    def cookie(key: str) -> list:
        return [ORIGIN, (b"cookie", f"sessionid={key}".encode())]

    assert (await you(cookie(keys["signed_in"])))["authenticated"] is True
    assert (await you(cookie(keys["changed"])))["authenticated"] is False
    assert (await you(cookie(keys["inactive"])))["authenticated"] is False
    assert (await you(cookie("forged" + "0" * 26)))["authenticated"] is False
    assert (await you([ORIGIN]))["authenticated"] is False


async def test_a_foreign_origin_is_refused_even_with_a_session(make_user):
    from asgiref.sync import sync_to_async

    user = await sync_to_async(make_user)()
    key = await sync_to_async(session_of)(user)
    headers = [(b"origin", b"https://evil.example"), (b"cookie", f"sessionid={key}".encode())]
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _ = await communicator.connect()
    assert not connected
    await communicator.wait()


MARK: contextvars.ContextVar[str] = contextvars.ContextVar("test_socket_mark")


async def test_what_a_frame_leaves_in_the_context_goes_with_it(connect):
    """A worker-thread call copies the thread's context variables back into the caller's; handled
    in the socket's own context they would stay for the socket's whole life."""

    async def mark(consumer, frame):
        MARK.set("left behind")
        await consumer.send_json({"type": "marked"})

    async def read(consumer, frame):
        await consumer.send_json({"type": "mark", "value": MARK.get(None)})

    HANDLERS["test.mark"], HANDLERS["test.read"] = mark, read
    try:
        socket = await connect()
        await socket.send(type="test.mark")
        await socket.get("marked")
        await socket.send(type="test.read")
        assert (await socket.get("mark"))["value"] is None
        await socket.close()
    finally:
        del HANDLERS["test.mark"], HANDLERS["test.read"]


async def test_the_connect_lookup_leaves_nothing_in_the_sockets_context(monkeypatch):
    from events import socket_auth

    async def lookup(key):
        MARK.set("left behind")  # as a worker-thread call's copied-back Locals would be
        return AnonymousUser()

    monkeypatch.setattr(socket_auth, "_user_of_session", lookup)
    seen = {}

    async def inner(scope, receive, send):
        seen["mark"] = MARK.get(None)
        seen["user"] = scope["user"]

    await SessionAuth(inner)({"type": "websocket", "headers": []}, None, None)
    assert seen["mark"] is None and isinstance(seen["user"], AnonymousUser)
