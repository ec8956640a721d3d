"""The HTTP side of the ASGI application runs a request's whole middleware chain and its view in
one worker thread: one crossing from the event loop, none back (expo.asgi.OneThreadASGIHandler).
Django's own ASGI handler crosses five to seven times with our middleware, and each crossing
queues behind every other request on the loop in a rush (bench/checkout.py measures that)."""

from __future__ import annotations

import threading

import pytest
from asgiref import sync
from django.core.handlers.asgi import ASGIHandler

from expo.asgi import OneThreadASGIHandler, django_asgi_app
from tests.expo.test_guard import http_scope, run

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def crossings(monkeypatch):
    """Every call from a worker thread back into the event loop, and every thread a sync piece of
    the request ran in."""
    seen = {"back_to_loop": 0, "threads": set()}
    back, forth = sync.AsyncToSync.__call__, sync.SyncToAsync.thread_handler

    def counted_back(self, *args, **kwargs):
        seen["back_to_loop"] += 1
        return back(self, *args, **kwargs)

    def counted_forth(self, loop, *args, **kwargs):
        seen["threads"].add(threading.get_ident())
        return forth(self, loop, *args, **kwargs)

    monkeypatch.setattr(sync.AsyncToSync, "__call__", counted_back)
    monkeypatch.setattr(sync.SyncToAsync, "thread_handler", counted_forth)
    return seen


def _page(path: str = "/") -> dict:
    return http_scope(path, method="GET")


async def test_a_page_runs_its_middleware_and_view_in_one_thread_without_returning_to_the_loop(
    crossings,
):
    status, headers, body, _unread = await run(OneThreadASGIHandler(), _page())
    assert status == 200 and b"<html" in body
    names = {name.lower() for name in headers}
    # The whole chain ran: the first middleware's header and the last ones'.
    assert {b"content-security-policy", b"x-frame-options"} <= names
    assert crossings["back_to_loop"] == 0
    assert len(crossings["threads"]) == 1


async def test_django_s_own_handler_would_cross_back_into_the_loop(crossings):
    """What the handler is for: with the same middleware, Django's chain goes back to the loop."""
    status, _headers, _body, _unread = await run(ASGIHandler(), _page())
    assert status == 200
    assert crossings["back_to_loop"] >= 1


async def test_the_application_serves_http_through_the_one_thread_handler():
    assert isinstance(django_asgi_app, OneThreadASGIHandler)


async def test_an_async_view_still_answers_through_the_one_thread_handler():
    """The health check is an async view: run from the request's thread by async_to_sync."""
    status, _headers, body, _unread = await run(OneThreadASGIHandler(), _page("/healthz"))
    assert status == 200 and b'"database"' in body


async def test_an_error_in_a_view_is_still_the_site_s_error_page(settings):
    status, _headers, _body, _unread = await run(OneThreadASGIHandler(), _page("/no-such-page/"))
    assert status == 404


def test_the_process_compiles_every_template_before_its_first_request():
    """The opening minute's first requests found no template compiled, and each compiled the
    page's templates again side by side: the process does it once as it starts."""
    from django.template import engines

    from expo.warmup import warm_templates

    loader = engines["django"].engine.template_loaders[0]
    loader.reset()
    assert warm_templates() >= 150
    cached = set(loader.get_template_cache)
    assert {"booths/product.html", "payments/checkout.html", "frontend/base.html"} <= cached


def test_the_process_builds_the_url_tables_of_every_language_before_its_first_request():
    """reverse() built its lookup table on first use per language (a tenth of a second or more
    for this site): the warm-up builds them for English and Indonesian, and compiles every
    pattern's regular expression."""
    from django.urls import clear_url_caches, get_resolver

    from expo.warmup import warm_urls

    clear_url_caches()
    resolver = get_resolver()
    assert not resolver._reverse_dict
    assert warm_urls() >= 100
    assert {"en", "id"} <= set(resolver._reverse_dict)
    included = [entry for entry in resolver.url_patterns if hasattr(entry, "url_patterns")]
    assert included and all({"en", "id"} <= set(entry._reverse_dict) for entry in included)


def test_the_warm_up_loads_each_language_and_needs_no_service(settings):
    """It reads no database and no cache: it runs the same with every service down (here the
    database is not even allowed in this test)."""
    from expo.warmup import warm_up

    done = warm_up()
    assert done["languages"] == ["en", "id"] and done["templates"] >= 150 and done["urls"] >= 100
