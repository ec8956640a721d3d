"""The read-only data API for an office's own systems, under ``/api/v1/`` (namespace ``api``).

- Authentication: ``Authorization: Bearer <token>``; a token (created by an organiser in the
  workspace, stored only as its SHA-256) reads the expos of its own office. Another office's expo
  answers 404, as an unknown one does.
- Rate limit: ``REPORTS_API_RATE = (requests, seconds)`` per token, counted in the cache (shared by
  every process with Redis); past it, ``429`` with ``Retry-After``.
- Lists are paginated with ``page`` (from 1) and ``page_size`` (1–200, default 50).
- Described by the OpenAPI 3.1 document at ``/api/v1/openapi.json`` (:func:`openapi_document`) and
  the page ``/api/v1/docs/``; the tests check every answer against that document.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from expo.models import Expo
from expo.reports import figures as reports
from expo.reports.models import ApiToken, hash_token

DEFAULT_RATE = (120, 60)
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
BREAKDOWNS = ("regions", "sectors", "booths", "days", "countries")
LAST_USED_EVERY = timedelta(minutes=5)


def _error(status: int, code: str, message: str, **headers: str) -> JsonResponse:
    response = JsonResponse({"error": {"code": code, "message": message}}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    response["Cache-Control"] = "no-store"
    return response


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **headers: str) -> None:
        super().__init__(message)
        self.response = _error(status, code, message, **headers)


def _token(request: HttpRequest) -> ApiToken:
    header = request.headers.get("Authorization", "")
    scheme, _space, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise ApiError(
            401,
            "unauthenticated",
            "Send a token: Authorization: Bearer <token>.",
            WWW_Authenticate='Bearer realm="umkm-expo"',
        )
    token = (
        ApiToken.objects.select_related("office")
        .filter(token_hash=hash_token(raw.strip()), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        raise ApiError(
            401,
            "invalid_token",
            "This token is unknown or was revoked.",
            WWW_Authenticate='Bearer realm="umkm-expo", error="invalid_token"',
        )
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_EVERY)
        ).update(last_used_at=now)
    return token


def _throttle(token: ApiToken) -> None:
    limit, period = getattr(settings, "REPORTS_API_RATE", DEFAULT_RATE)
    now = time.time()
    window = int(now // period)
    key = f"reports:api:{token.pk}:{window}"
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period + 1)
        count = 1
    if count > limit:
        retry = max(1, math.ceil((window + 1) * period - now))
        raise ApiError(
            429,
            "rate_limited",
            f"More than {limit} requests in {period} seconds.",
            Retry_After=str(retry),
        )


def api_view(view: Callable[..., dict[str, Any]]) -> Callable[..., JsonResponse]:
    """Authenticate, rate-limit, then answer the view's dict as JSON (never cached)."""

    @require_safe
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        try:
            token = _token(request)
            _throttle(token)
            body = view(request, token, *args, **kwargs)
        except ApiError as error:
            return error.response
        response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
        response["Cache-Control"] = "no-store"
        return response

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _page(request: HttpRequest, items: list[Any], url: str) -> tuple[list[Any], dict[str, Any]]:
    try:
        page = int(request.GET.get("page", "1"))
        size = int(request.GET.get("page_size", str(DEFAULT_PAGE_SIZE)))
    except ValueError:
        raise ApiError(400, "bad_request", "page and page_size are whole numbers.") from None
    if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise ApiError(
            400, "bad_request", f"page starts at 1; page_size is between 1 and {MAX_PAGE_SIZE}."
        )
    start = (page - 1) * size
    chunk = items[start : start + size]
    absolute = url

    def link(number: int) -> str:
        return f"{absolute}?page={number}&page_size={size}"

    meta = {
        "count": len(items),
        "page": page,
        "page_size": size,
        "next": link(page + 1) if start + size < len(items) else None,
        "previous": link(page - 1) if page > 1 and start - size < len(items) else None,
    }
    return chunk, meta


def _expo_json(expo: Expo) -> dict[str, Any]:
    return {
        "slug": expo.slug,
        "title": expo.title_en,
        "title_id": expo.title_id,
        "office": expo.office.name,
        "opens_at": expo.opens_at.isoformat(),
        "closes_at": expo.closes_at.isoformat(),
        "state": str(expo.state),
    }


def _office_expo(token: ApiToken, slug: str) -> Expo:
    expo = (
        Expo.objects.select_related("office").filter(slug=slug, office_id=token.office_id).first()
    )
    if expo is None:
        raise ApiError(404, "not_found", "No such expo for this token's office.")
    return expo


@api_view
def expos(request: HttpRequest, token: ApiToken) -> dict[str, Any]:
    """The office's expos, newest first, with their omzet and transactions."""
    all_expos = list(
        Expo.objects.filter(office_id=token.office_id)
        .select_related("office")
        .order_by("-opens_at", "pk")
    )
    chunk, meta = _page(request, all_expos, request.build_absolute_uri(reverse("api:expos")))
    summaries = reports.office_comparison(chunk)
    results = [
        {
            **_expo_json(s.expo),
            "omzet": s.omzet,
            "transactions": s.transactions,
            "buyers": s.buyers,
            "booths": s.booths,
            "links": {
                "omzet": request.build_absolute_uri(reverse("api:expo_omzet", args=[s.expo.slug]))
            },
        }
        for s in summaries
    ]
    return {**meta, "results": results}


def _row(row: reports.Row) -> dict[str, Any]:
    return {
        "omzet": row.omzet,
        "sales": row.money.sales,
        "refunds": row.money.refunds,
    }


def _breakdown(board: reports.Dashboard, name: str) -> list[dict[str, Any]]:
    if name == "regions":
        return [
            {
                "region_id": r.key,
                "name": r.label,
                **_row(r),
                "umkm_with_sales": r.extra.get("booths", 0),
            }
            for r in board.by_region
        ]
    if name == "sectors":
        return [
            {
                "sector_id": r.key,
                "name": r.label,
                **_row(r),
                "umkm_with_sales": r.extra.get("booths", 0),
            }
            for r in board.by_sector
        ]
    if name == "booths":
        return [
            {
                "booth_id": r.key,
                "booth_slug": r.extra.get("slug", ""),
                "umkm": r.label,
                **_row(r),
                "orders": r.orders,
                "quantity": r.money.quantity,
                "visits": r.extra.get("visits", 0),
            }
            for r in board.by_booth
        ]
    if name == "days":
        return [{"day": r.key.isoformat(), **_row(r), "orders": r.orders} for r in board.daily]
    return [
        {
            "country": r.key,
            "name": r.label,
            **_row(r),
            "orders": r.orders,
            "buyers": r.extra.get("buyers", 0),
        }
        for r in board.by_country
    ]


def _totals(board: reports.Dashboard) -> dict[str, Any]:
    t = board.totals
    return {
        "omzet": t.omzet,
        "sales": t.sales,
        "refunds": t.refunds,
        "transactions": t.transactions,
        "buyers": t.buyers,
        "buyers_abroad": t.buyers_abroad,
        "average_order_value": t.aov,
        "items_sold": t.quantity,
        "booths": t.booths,
        "umkm_with_sales": t.vendors_with_sales,
        "booth_visits": t.visits,
    }


@api_view
def expo_omzet(request: HttpRequest, token: ApiToken, slug: str) -> dict[str, Any]:
    """One expo's omzet: totals, potential deals (apart), and the short breakdowns in full."""
    expo = _office_expo(token, slug)
    board = reports.expo_dashboard(expo)
    links = {
        name: request.build_absolute_uri(reverse("api:expo_breakdown", args=[expo.slug, name]))
        for name in BREAKDOWNS
    }
    return {
        "expo": _expo_json(expo),
        "currency": "IDR",
        "totals": _totals(board),
        "potential_deals": {
            "count": board.deals.count,
            "estimated_value": board.deals.value,
            "verified_count": board.deals.verified_count,
            "verified_value": board.deals.verified_value,
        },
        "by_region": _breakdown(board, "regions"),
        "by_sector": _breakdown(board, "sectors"),
        "by_day": _breakdown(board, "days"),
        "links": links,
        "generated_at": timezone.now().isoformat(),
    }


@api_view
def expo_breakdown(
    request: HttpRequest, token: ApiToken, slug: str, breakdown: str
) -> dict[str, Any]:
    """One breakdown of an expo's omzet (regions, sectors, booths, days or countries), paginated."""
    if breakdown not in BREAKDOWNS:
        raise ApiError(404, "not_found", f"Breakdowns: {', '.join(BREAKDOWNS)}.")
    expo = _office_expo(token, slug)
    board = reports.expo_dashboard(expo)
    rows = _breakdown(board, breakdown)
    url = request.build_absolute_uri(reverse("api:expo_breakdown", args=[expo.slug, breakdown]))
    chunk, meta = _page(request, rows, url)
    return {**meta, "expo": expo.slug, "breakdown": breakdown, "results": chunk}


# --- The OpenAPI document --------------------------------------------------------------------------


def _obj(properties: dict[str, Any], *, nullable: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "required": list(properties),
        "properties": properties,
        "additionalProperties": False,
    }


INT = {"type": "integer"}
STR = {"type": "string"}
NSTR = {"type": ["string", "null"]}
MONEY = {"type": "integer", "description": "Whole rupiah (IDR)."}


def _schemas() -> dict[str, Any]:
    money = {
        "omzet": MONEY,
        "sales": MONEY,
        "refunds": {**MONEY, "description": "Negative or zero."},
    }
    page = {"count": INT, "page": INT, "page_size": INT, "next": NSTR, "previous": NSTR}
    expo = {
        "slug": STR,
        "title": STR,
        "title_id": STR,
        "office": STR,
        "opens_at": {"type": "string", "format": "date-time"},
        "closes_at": {"type": "string", "format": "date-time"},
        "state": {"type": "string", "enum": ["draft", "accepting", "published", "open", "closed"]},
    }
    rows = {
        "regions": _obj({"region_id": INT, "name": STR, **money, "umkm_with_sales": INT}),
        "sectors": _obj({"sector_id": INT, "name": STR, **money, "umkm_with_sales": INT}),
        "booths": _obj(
            {
                "booth_id": INT,
                "booth_slug": STR,
                "umkm": STR,
                **money,
                "orders": INT,
                "quantity": INT,
                "visits": INT,
            }
        ),
        "days": _obj({"day": {"type": "string", "format": "date"}, **money, "orders": INT}),
        "countries": _obj({"country": STR, "name": STR, **money, "orders": INT, "buyers": INT}),
    }
    return {
        "Error": _obj({"error": _obj({"code": STR, "message": STR})}),
        "Expo": _obj(expo),
        "ExpoListItem": _obj(
            {
                **expo,
                "omzet": MONEY,
                "transactions": INT,
                "buyers": INT,
                "booths": INT,
                "links": _obj({"omzet": STR}),
            }
        ),
        "ExpoList": _obj(
            {
                **page,
                "results": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/ExpoListItem"},
                },
            }
        ),
        "RegionRow": rows["regions"],
        "SectorRow": rows["sectors"],
        "BoothRow": rows["booths"],
        "DayRow": rows["days"],
        "CountryRow": rows["countries"],
        "Omzet": _obj(
            {
                "expo": {"$ref": "#/components/schemas/Expo"},
                "currency": {"type": "string", "const": "IDR"},
                "totals": _obj(
                    {
                        **money,
                        "transactions": INT,
                        "buyers": INT,
                        "buyers_abroad": INT,
                        "average_order_value": MONEY,
                        "items_sold": INT,
                        "booths": INT,
                        "umkm_with_sales": INT,
                        "booth_visits": INT,
                    }
                ),
                "potential_deals": _obj(
                    {
                        "count": INT,
                        "estimated_value": MONEY,
                        "verified_count": INT,
                        "verified_value": MONEY,
                    }
                ),
                "by_region": {"type": "array", "items": {"$ref": "#/components/schemas/RegionRow"}},
                "by_sector": {"type": "array", "items": {"$ref": "#/components/schemas/SectorRow"}},
                "by_day": {"type": "array", "items": {"$ref": "#/components/schemas/DayRow"}},
                "links": _obj(dict.fromkeys(BREAKDOWNS, STR)),
                "generated_at": {"type": "string", "format": "date-time"},
            }
        ),
        "Breakdown": _obj(
            {
                **page,
                "expo": STR,
                "breakdown": {"type": "string", "enum": list(BREAKDOWNS)},
                "results": {
                    "type": "array",
                    "items": {
                        "oneOf": [
                            {"$ref": "#/components/schemas/RegionRow"},
                            {"$ref": "#/components/schemas/SectorRow"},
                            {"$ref": "#/components/schemas/BoothRow"},
                            {"$ref": "#/components/schemas/DayRow"},
                            {"$ref": "#/components/schemas/CountryRow"},
                        ]
                    },
                },
            }
        ),
    }


def _errors(*codes: int) -> dict[str, Any]:
    texts = {
        400: "Bad page or page_size.",
        401: "No token, or an unknown or revoked one.",
        404: "No such expo (or breakdown) for this token's office.",
        429: "Rate limit reached; retry after the Retry-After header's seconds.",
    }
    out = {}
    for code in codes:
        entry: dict[str, Any] = {
            "description": texts[code],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        if code == 429:
            entry["headers"] = {"Retry-After": {"schema": INT, "description": "Seconds to wait."}}
        out[str(code)] = entry
    return out


def _ok(schema: str, description: str) -> dict[str, Any]:
    return {
        "200": {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
        }
    }


def openapi_document(server_url: str = "/api/v1") -> dict[str, Any]:
    paging = [
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
        {
            "name": "page_size",
            "in": "query",
            "schema": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_PAGE_SIZE,
                "default": DEFAULT_PAGE_SIZE,
            },
        },
    ]
    slug = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "UMKM Virtual Expo data API",
            "version": "1.0.0",
            "description": (
                "Read-only omzet figures of an office's expos. Omzet is paid order lines minus "
                "refunds, from the sales ledger, in whole rupiah; potential deals are reported "
                "apart and never included. Days are Asia/Jakarta days."
            ),
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": _schemas(),
        },
        "paths": {
            "/expos/": {
                "get": {
                    "operationId": "listExpos",
                    "summary": "The office's expos with their omzet",
                    "parameters": paging,
                    "responses": {**_ok("ExpoList", "A page of expos."), **_errors(400, 401, 429)},
                }
            },
            "/expos/{slug}/omzet/": {
                "get": {
                    "operationId": "getExpoOmzet",
                    "summary": "One expo's omzet, totals and breakdowns",
                    "parameters": [slug],
                    "responses": {**_ok("Omzet", "The expo's figures."), **_errors(401, 404, 429)},
                }
            },
            "/expos/{slug}/omzet/{breakdown}/": {
                "get": {
                    "operationId": "getExpoBreakdown",
                    "summary": "One breakdown of an expo's omzet, paginated",
                    "parameters": [
                        slug,
                        {
                            "name": "breakdown",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "enum": list(BREAKDOWNS)},
                        },
                        *paging,
                    ],
                    "responses": {
                        **_ok("Breakdown", "A page of rows."),
                        **_errors(400, 401, 404, 429),
                    },
                }
            },
        },
    }


@require_safe
def openapi(request: HttpRequest) -> JsonResponse:
    """The OpenAPI document (public: it holds no figures)."""
    document = openapi_document(
        request.build_absolute_uri(reverse("api:expos"))[: -len("expos/")].rstrip("/")
    )
    return JsonResponse(document, json_dumps_params={"indent": 2})


@require_safe
def docs(request: HttpRequest):
    document = openapi_document()
    operations = [
        {"path": path, "method": method.upper(), **operation}
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]
    return render(
        request,
        "reports/api_docs.html",
        {
            "document": document,
            "operations": operations,
            "base": request.build_absolute_uri("/api/v1"),
            "rate": getattr(settings, "REPORTS_API_RATE", DEFAULT_RATE),
            "max_page_size": MAX_PAGE_SIZE,
        },
    )
