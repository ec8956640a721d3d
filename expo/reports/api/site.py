"""The ninja API object: the operations of :mod:`~expo.reports.api.endpoints`, one JSON rendering,
``Cache-Control: no-store`` on every answer, and every refusal in the one error shape."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, Throttled, ValidationError
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from expo.reports.api import endpoints
from expo.reports.api.errors import READS, ApiError, method_not_allowed, no_token, not_found
from expo.reports.api.paging import bad_page
from expo.reports.api.schemas import BREAKDOWNS
from expo.reports.api.security import rate


class _Encoder(NinjaJSONEncoder):
    def default(self, o: Any) -> Any:
        # Full ISO 8601 with "+00:00", as the API always wrote: Django's encoder would cut
        # microseconds and write "Z", which older clients' ISO parsers refuse.
        if isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)


class _Renderer(JSONRenderer):
    encoder_class = _Encoder
    json_dumps_params = {"ensure_ascii": False}


class DataApi(NinjaAPI):
    @property
    def urls(self) -> tuple[list[Any], str, str]:
        """ninja's URL patterns, each view answering only reads (see :func:`read_only`)."""
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            pattern.callback = read_only(pattern.callback)
        return patterns, app_name, namespace

    def create_response(
        self,
        request: HttpRequest,
        data: Any,
        *,
        status: int | None = None,
        temporal_response: HttpResponse | None = None,
    ) -> HttpResponse:
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        # Figures change with every sale, and a token's answers are its office's own.
        response["Cache-Control"] = "no-store"
        return response


api = DataApi(
    title="UMKM Virtual Expo data API",
    version="1.0.0",
    description=(
        "Read-only omzet figures of an office's expos. Omzet is paid order lines minus "
        "refunds, from the sales ledger, in whole rupiah; potential deals are reported "
        "apart and never included. Days are Asia/Jakarta days."
    ),
    urls_namespace="api",
    # The document and its page are served by expo.reports.api.docs, under the names they
    # always had; the document's paths are relative to its server, as before.
    openapi_url=None,
    docs_url=None,
    renderer=_Renderer(),
)
api.add_router("", endpoints.router)


@api.exception_handler(ApiError)
def _refused(request: HttpRequest, error: ApiError) -> HttpResponse:
    response = api.create_response(request, error.body, status=error.status)
    for name, value in error.headers.items():
        response[name] = value
    return response


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return _refused(request, no_token())


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, error: Throttled) -> HttpResponse:
    # ninja adds Retry-After from the throttle's wait().
    limit = rate()
    message = f"More than {limit.amount} requests in {limit.seconds} seconds."
    return _refused(request, ApiError(429, "rate_limited", message))


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    # The only path part with fixed values is the breakdown: a wrong one names nothing (404);
    # everything else that can be invalid is the page's query.
    if any(e["loc"][0] == "path" for e in error.errors):
        return _refused(request, not_found(f"Breakdowns: {', '.join(BREAKDOWNS)}."))
    return _refused(request, bad_page(error))


def read_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """``view`` for GET and HEAD; any other method is answered 405 in the API's error shape with
    ``Allow``, before CSRF is checked (the API takes no cookies, so a POST is no forgery: it is a
    wrong method) and before authentication."""

    @functools.wraps(view)
    def reads(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in READS:
            return _refused(request, method_not_allowed())
        return view(request, *args, **kwargs)

    reads.csrf_exempt = True  # type: ignore[attr-defined]
    return reads
