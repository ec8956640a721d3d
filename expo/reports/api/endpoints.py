"""The data API's operations. Each reads its figures from ``expo.reports.figures`` and returns them;
the schemas shape the answer and ninja validates it against them.

No ``from __future__ import annotations`` here: ninja reads the parameters' types through the
pagination wrapper, which does not carry this module's names."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Router
from ninja.pagination import paginate

from expo.models import Expo
from expo.reports import figures as reports
from expo.reports.api import selectors
from expo.reports.api.errors import MEANINGS, not_found
from expo.reports.api.paging import BreakdownPagination, PagePagination
from expo.reports.api.schemas import (
    BREAKDOWN_ROWS,
    BREAKDOWNS,
    Breakdown,
    BreakdownRow,
    Error,
    ExpoListItem,
    Funnel,
    Meetings,
    Omzet,
)
from expo.reports.api.security import BearerToken, TokenRate
from expo.reports.figures.funnel import expo_funnel as funnel_figures
from expo.reports.figures.meetings import meeting_figures

router = Router(auth=BearerToken(), throttle=TokenRate())


def read(
    path: str,
    *,
    name: str,
    operation_id: str,
    summary: str,
    ok: Any,
    meaning: str,
    errors: list[int],
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a read at ``path``: GET, described in the document with what each status means,
    and HEAD, which answers the same as GET did before ninja (not in the document: OpenAPI wants
    an operation id of its own per method for what is one operation here)."""
    responses = {200: ok, **dict.fromkeys(errors, Error)}
    meanings: dict[int, dict[str, Any]] = {200: {"description": meaning}}
    meanings |= {code: {"description": MEANINGS[code]} for code in errors}
    meanings[429]["headers"] = {
        "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}
    }

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        router.api_operation(
            ["HEAD"], path, response=responses, url_name=name, include_in_schema=False
        )(view)
        return router.get(
            path,
            response=responses,
            url_name=name,
            operation_id=operation_id,
            summary=summary,
            openapi_extra={"responses": meanings},
        )(view)

    return register


def _office_expo(request: HttpRequest, slug: str) -> Expo:
    expo = selectors.office_expo(office_id=request.auth.office_id, slug=slug)
    if expo is None:
        raise not_found()
    return expo


@read(
    "/expos/",
    name="expos",
    operation_id="listExpos",
    summary="The office's expos with their omzet",
    ok=list[ExpoListItem],
    meaning="A page of expos.",
    errors=[400, 401, 429],
)
@paginate(PagePagination, figures=reports.office_comparison)
def expos(request: HttpRequest):
    """The office's expos, newest first, with their omzet and transactions."""
    return selectors.office_expos(office_id=request.auth.office_id)


@read(
    "/expos/{slug:slug}/omzet/",
    name="expo_omzet",
    operation_id="getExpoOmzet",
    summary="One expo's omzet, totals and breakdowns",
    ok=Omzet,
    meaning="The expo's figures.",
    errors=[401, 404, 429],
)
def expo_omzet(request: HttpRequest, slug: str) -> dict[str, Any]:
    """One expo's omzet: totals, potential deals (apart), and the short breakdowns in full."""
    expo = _office_expo(request, slug)
    board = reports.expo_dashboard(expo)
    return {
        "expo": expo,
        "currency": "IDR",
        "totals": board.totals,
        "channels": board.split,
        "potential_deals": board.deals,
        "by_region": board.by_region,
        "by_sector": board.by_sector,
        "by_day": board.daily,
        "links": {
            name: request.build_absolute_uri(reverse("api:expo_breakdown", args=[expo.slug, name]))
            for name in BREAKDOWNS
        },
        "generated_at": timezone.now(),
    }


@read(
    "/expos/{slug:slug}/omzet/{slug:breakdown}/",
    name="expo_breakdown",
    operation_id="getExpoBreakdown",
    summary="One breakdown of an expo's omzet, paginated",
    ok=list[BreakdownRow],
    meaning="A page of rows.",
    errors=[400, 401, 404, 429],
)
@paginate(BreakdownPagination)
def expo_breakdown(request: HttpRequest, slug: str, breakdown: Breakdown):
    """One breakdown of an expo's omzet (regions, sectors, booths, days or countries), paginated."""
    expo = _office_expo(request, slug)
    shape, rows = BREAKDOWN_ROWS[breakdown]
    # Shaped here, not left to the page's union of row shapes: every breakdown's rows look alike
    # (key, label, money), so only the breakdown asked for knows which shape they take.
    return [shape.model_validate(row) for row in getattr(reports.expo_dashboard(expo), rows)]


@read(
    "/expos/{slug:slug}/funnel/",
    name="expo_funnel",
    operation_id="getExpoFunnel",
    summary="One expo's export deals: requests, potential, agreed and realised",
    ok=Funnel,
    meaning="The expo's deal funnel.",
    errors=[401, 404, 429],
)
def expo_funnel(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Requests for quotation → potential (quoted) → agreed (accepted) → realised (paid, in the
    omzet), each deal once, with the breakdowns by UMKM, buyer country, sector and regency."""
    expo = _office_expo(request, slug)
    funnel = funnel_figures(expo)
    return {
        "expo": expo,
        "currency": "IDR",
        **{
            name: getattr(funnel, name)
            for name in (
                "requests",
                "quoted_requests",
                "quotations",
                "accepted",
                "acceptance_rate",
                "potential",
                "agreed",
                "realised",
                "recorded",
                "median_first_quote_hours",
            )
        },
        "by": {key: [vars(row) for row in rows] for key, rows in funnel.by.items()},
        "generated_at": timezone.now(),
    }


@read(
    "/expos/{slug:slug}/meetings/",
    name="expo_meetings",
    operation_id="getExpoMeetings",
    summary="One expo's business meetings by vendor, buyer country and sector",
    ok=Meetings,
    meaning="The expo's business meetings.",
    errors=[401, 404, 429],
)
def expo_meetings(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Meetings requested, confirmed, held and no-shows, with the potential deals recorded after
    them, in all and per vendor, buyer country and sector."""
    expo = _office_expo(request, slug)
    figures = meeting_figures(expo)
    return {
        "expo": expo,
        "currency": "IDR",
        "total": vars(figures.total),
        "by": {key: [vars(row) for row in rows] for key, rows in figures.by.items()},
        "generated_at": timezone.now(),
    }
