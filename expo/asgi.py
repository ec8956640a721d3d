"""The one ASGI application Daphne serves: HTTP (Django) and websockets (Channels), behind the
request guard (``expo.guard``: the client's address behind trusted proxies, query-string and body
limits), which sees every request first."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "expo.settings")

# Django must be set up before anything imports models (the consumers do).
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from expo.guard import RequestGuard, widen_daphne_request_head  # noqa: E402
from expo.routing import websocket_urlpatterns  # noqa: E402

# Imported by Daphne before it listens: long query strings reach the guard (414), not a dropped
# connection.
widen_daphne_request_head()

application = RequestGuard(
    ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            "websocket": AllowedHostsOriginValidator(
                AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
            ),
        }
    )
)
