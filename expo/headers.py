"""The security headers of every page that no other part of the stack sends.

- **Content-Security-Policy**: django-csp's middleware builds it from
  ``settings.CONTENT_SECURITY_POLICY``; :class:`ContentSecurityPolicyMiddleware` adds the one
  source that depends on the request, the page's own websocket address.
- **Permissions-Policy**: :class:`PermissionsPolicyMiddleware` writes
  ``settings.PERMISSIONS_POLICY`` (feature → the origins that may use it) in the header's syntax.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.deprecation import MiddlewareMixin

PERMISSIONS_POLICY_HEADER = "Permissions-Policy"


def websocket_origin(request: HttpRequest) -> str:
    """``wss://host[:port]`` (``ws://`` over plain HTTP) of the host this request came to, the
    address frontend/static/frontend/js/socket.js opens; ``""`` when the host is not allowed."""
    try:
        # get_host() has checked the name against ALLOWED_HOSTS and its syntax (letters, digits,
        # dots, dashes, a port): nothing in it can break out of the header.
        host = request.get_host()
    except DisallowedHost:
        return ""
    return f"{'wss' if request.is_secure() else 'ws'}://{host}"


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the page's websocket address added to ``connect-src``.

    CSP Level 3 lets ``'self'`` match ``ws:``/``wss:`` of the page's own host, but not every browser
    in use follows it (Safari before 15.4 refused the socket), and the host is known only per
    request: the site answers on every name of ALLOWED_HOSTS. Naming the scheme and host keeps the
    socket to this site alone, where a bare ``wss:`` would allow any host.
    """

    def get_policy_parts(
        self,
        request: HttpRequest,
        response: HttpResponseBase,
        report_only: bool = False,
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        origin = websocket_origin(request)
        if origin:
            update = dict(parts.update or {})
            update["connect-src"] = [*_as_list(update.get("connect-src")), origin]
            parts.update = update
        return parts


def _as_list(sources: str | Iterable[str] | None) -> list[str]:
    if sources is None:
        return []
    if isinstance(sources, str):
        return [sources]
    return list(sources)


def permissions_policy(policy: Mapping[str, Iterable[str]]) -> str:
    """The header's value: ``{"camera": ["self"], "usb": []}`` → ``camera=(self), usb=()``.

    ``self`` and ``*`` are keywords; anything else is an origin and is quoted, as the header's
    structured-field syntax requires."""

    def member(source: str) -> str:
        return source if source in {"self", "*"} else f'"{source}"'

    return ", ".join(
        f"{feature}=({' '.join(member(s) for s in sources)})" for feature, sources in policy.items()
    )


class PermissionsPolicyMiddleware(MiddlewareMixin):
    """Send ``settings.PERMISSIONS_POLICY`` on every response that does not set its own."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        policy = getattr(settings, "PERMISSIONS_POLICY", None)
        if policy and PERMISSIONS_POLICY_HEADER not in response:
            response[PERMISSIONS_POLICY_HEADER] = permissions_policy(policy)
        return response
