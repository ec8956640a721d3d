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

from expo.guard import RequestGuard, prepare_daphne  # noqa: E402
from expo.routing import websocket_urlpatterns  # noqa: E402

# Imported by Daphne before it listens: its parser leaves form bodies alone and lets long query
# strings through to the guard (see prepare_daphne).
prepare_daphne()

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
