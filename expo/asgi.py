"""The one ASGI application Daphne serves: HTTP (Django) and websockets (Channels), behind the
request guard (``expo.guard``: the client's address behind trusted proxies, query-string and body
limits), which sees every request first."""

import os

import django
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "expo.settings")


class OneThreadASGIHandler(ASGIHandler):
    """Django's ASGI handler, with the whole middleware chain and the view run as one call in the
    request's worker thread.

    Django builds an ASGI middleware chain that keeps each async-capable middleware async: with
    ours (sync-only and async-capable mixed, every view sync) a request crossed between the event
    loop and its thread five to seven times (each ``process_request``/``process_response`` of a
    ``MiddlewareMixin`` run through ``sync_to_async``, the sync-only middleware calling back into
    the loop through ``async_to_sync``). Under a rush every crossing queues behind every other
    request on the one event loop: built as under WSGI, the chain costs a single crossing. An
    async view (the health check) still works, run by ``async_to_sync`` from the thread."""

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)


# Django must be set up before anything imports models (the consumers do).
django.setup(set_prefix=False)
django_asgi_app = OneThreadASGIHandler()

from expo.warmup import warm_up  # noqa: E402

# The templates, URL tables and languages a first request would build (expo.warmup).
warm_up()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from events.socket_auth import SessionAuth  # noqa: E402
from expo.guard import RequestGuard, prepare_daphne  # noqa: E402
from expo.routing import websocket_urlpatterns  # noqa: E402

# Imported by Daphne before it listens: its parser leaves form bodies alone and lets long query
# strings through to the guard (see prepare_daphne).
prepare_daphne()

application = RequestGuard(
    ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            "websocket": AllowedHostsOriginValidator(SessionAuth(URLRouter(websocket_urlpatterns))),
        }
    )
)
