"""Bilingual error pages (the active language comes from LocaleMiddleware as on any page)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import loader


def _render(request: HttpRequest, template: str, status: int, **context: object) -> HttpResponse:
    return HttpResponse(loader.render_to_string(template, context, request), status=status)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request's context processors: the failure may lie there.
    return HttpResponse(loader.render_to_string("500.html", {}), status=500)
