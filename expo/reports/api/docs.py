"""The OpenAPI document ninja generates from the schemas, and the readable page made from it. Both
are public: they hold no figures."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from expo.reports.api.paging import MAX_PAGE_SIZE
from expo.reports.api.security import rate
from expo.reports.api.site import api, read_only


def document(server_url: str = "/api/v1") -> dict[str, Any]:
    """The document, its paths relative to ``server_url`` (the API's root)."""
    generated = api.get_openapi_schema(path_prefix="")
    generated["servers"] = [{"url": server_url}]
    return generated


@read_only
def openapi(request: HttpRequest) -> JsonResponse:
    root = request.build_absolute_uri(reverse("api:api-root")).rstrip("/")
    return JsonResponse(document(root), json_dumps_params={"indent": 2})


@read_only
def page(request: HttpRequest) -> HttpResponse:
    generated = document()
    operations = [
        {"path": path, "method": method.upper(), **operation}
        for path, methods in generated["paths"].items()
        for method, operation in methods.items()
    ]
    limit = rate()
    return render(
        request,
        "reports/api_docs.html",
        {
            "document": generated,
            "operations": operations,
            "base": request.build_absolute_uri("/api/v1"),
            "rate": (limit.amount, limit.seconds),
            "max_page_size": MAX_PAGE_SIZE,
        },
    )
