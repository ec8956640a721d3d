"""The security headers of every page that no other part of the stack sends.

- **Content-Security-Policy**: django-csp's middleware builds it from
  ``settings.CONTENT_SECURITY_POLICY`` (the sources that never change);
  :class:`ContentSecurityPolicyMiddleware` adds those that other settings or the request decide:
  stripe.js when Stripe is configured, S3 when media lives there, the page's own websocket.
- **Permissions-Policy**: :class:`PermissionsPolicyMiddleware` writes
  ``settings.PERMISSIONS_POLICY`` (feature → the origins that may use it) in the header's syntax.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import urlparse

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.deprecation import MiddlewareMixin

PERMISSIONS_POLICY_HEADER = "Permissions-Policy"
STRIPE_JS_ORIGIN = "https://js.stripe.com"
STRIPE_API_ORIGIN = "https://api.stripe.com"

Sources = dict[str, list[str]]


def url_origin(url: str | None) -> str:
    """``scheme://host[:port]`` of a URL, or ``""`` when it is not absolute."""
    parsed = urlparse(url or "")
    return f"{parsed.scheme}://{parsed.netloc}" if parsed.scheme and parsed.netloc else ""


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


def stripe_sources(*, enabled: bool, js_url: str, api_base: str) -> Sources:
    """What stripe.js needs, by directive: its script, its frames (the card field, 3-D Secure) and
    its API. With localstripe (tests) the script and the API are localstripe's own address."""
    if not enabled:
        return {}
    js = url_origin(js_url) or STRIPE_JS_ORIGIN
    api = url_origin(api_base) or STRIPE_API_ORIGIN
    sources = {"script-src": [js], "frame-src": [js], "connect-src": [api]}
    if js == STRIPE_JS_ORIGIN:  # Stripe's own list (docs.stripe.com/security/guide)
        sources["script-src"].append("https://*.js.stripe.com")
        sources["frame-src"] += ["https://*.js.stripe.com", "https://hooks.stripe.com"]
    return sources


def media_origins(storages: Mapping[str, Mapping]) -> list[str]:
    """Where browsers fetch media kept on S3: each S3 storage's address. The private storage counts
    too: an application's photos are <img> of a page that redirects to a signed URL there."""
    origins: list[str] = []
    for storage in storages.values():
        if not str(storage.get("BACKEND", "")).endswith("S3Storage"):
            continue
        options = storage.get("OPTIONS", {})
        custom_domain = _s3_option(options, "custom_domain", "AWS_S3_CUSTOM_DOMAIN")
        endpoint = _s3_option(options, "endpoint_url", "AWS_S3_ENDPOINT_URL")
        bucket = _s3_option(options, "bucket_name", "AWS_STORAGE_BUCKET_NAME")
        region = _s3_option(options, "region_name", "AWS_S3_REGION_NAME") or "us-east-1"
        if custom_domain:
            origins.append(f"https://{custom_domain}")
        elif endpoint:  # path-style addresses: <endpoint>/<bucket>/<name>
            origins.append(url_origin(endpoint))
        elif bucket:  # AWS's virtual-hosted addresses, global and regional
            origins += [
                f"https://{bucket}.s3.amazonaws.com",
                f"https://{bucket}.s3.{region}.amazonaws.com",
            ]
    return list(dict.fromkeys(o for o in origins if o))


def _s3_option(options: Mapping, name: str, setting: str) -> str:
    """A storage's own option, else the AWS_* setting django-storages falls back on."""
    return options.get(name) or getattr(settings, setting, None) or ""


def configured_sources(request: HttpRequest) -> Sources:
    """The sources this request's policy adds to CONTENT_SECURITY_POLICY, read from the settings
    of the moment (tests switch Stripe and S3 on and off) and from the request."""
    sources: Sources = {"connect-src": [], "img-src": [*media_origins(settings.STORAGES)]}
    stripe = stripe_sources(
        enabled=bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_PUBLISHABLE_KEY),
        js_url=settings.STRIPE_JS_URL,
        api_base=settings.STRIPE_API_BASE,
    )
    for directive, origins in stripe.items():
        sources.setdefault(directive, []).extend(origins)
    socket = websocket_origin(request)
    if socket:
        sources["connect-src"].append(socket)
    return {directive: origins for directive, origins in sources.items() if origins}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with :func:`configured_sources` added to the settings' policy.

    The websocket is named by scheme and host: CSP Level 3 lets ``'self'`` match ``ws:``/``wss:``
    of the page's own host, but not every browser in use follows it (Safari before 15.4 refused the
    socket), and the host is known only per request: the site answers on every name of
    ALLOWED_HOSTS. A bare ``wss:`` would let a page talk to any host.
    """

    def get_policy_parts(
        self,
        request: HttpRequest,
        response: HttpResponseBase,
        report_only: bool = False,
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        update = {k: _as_list(v) for k, v in (parts.update or {}).items()}
        for directive, origins in configured_sources(request).items():
            update[directive] = [*update.get(directive, []), *origins]
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
