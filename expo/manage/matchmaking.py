"""The organiser's matchmaking page: business buyers' interests beside the vendors' sectors, the
suggested pairs with their reasons (``events.matching.matchmaking``), proposing meetings for the
ticked pairs at once (both sides then confirm, as for any proposal), and the expo's meetings per
vendor, buyer country and sector (``expo.reports.figures.meetings``). Times in WIB."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from booths.selectors import organiser_header
from events.matching import selectors as matching
from events.matching.matchmaking import matchmaking_board, meetings_propose_bulk
from events.matching.models import AGENDA_MAX_LENGTH
from expo.models import Sector
from expo.refusals import Refused
from expo.reports.figures import meetings
from expo.web import managed_expo, organiser_required

WIB = ZoneInfo("Asia/Jakarta")


def _filters(request: HttpRequest) -> tuple[str, int | None, int]:
    country = (request.GET.get("country") or "").strip().upper()[:2]
    sector = (request.GET.get("sector") or "")[:12]
    page = (request.GET.get("page") or "")[:6]
    return (
        country,
        int(sector) if sector.isdigit() else None,
        int(page) if page.isdigit() and int(page) > 0 else 1,
    )


def _page_url(country: str, sector_id: int | None, page: int) -> str:
    """The query string of another page of suggestions, under the same filters."""
    query = {"country": country, "sector": sector_id or "", "page": page}
    return "?" + urlencode({k: v for k, v in query.items() if v})


def _tell(request: HttpRequest, results: list) -> None:
    """How many pairs became meetings, and how many did not (each is listed on the page)."""
    made = sum(1 for r in results if r.ok)
    if made:
        messages.success(
            request,
            ngettext(
                "%(count)d meeting proposed: both sides are asked to confirm.",
                "%(count)d meetings proposed: both sides are asked to confirm.",
                made,
            )
            % {"count": made},
        )
    if made < len(results):
        messages.error(
            request,
            ngettext(
                "%(count)d pair could not be proposed (see below).",
                "%(count)d pairs could not be proposed (see below).",
                len(results) - made,
            )
            % {"count": len(results) - made},
        )


@require_http_methods(["GET", "HEAD", "POST"])
@organiser_required
def matchmaking(request: HttpRequest, slug: str) -> HttpResponse:
    expo = managed_expo(request, slug)
    results = []
    if request.method == "POST":
        try:
            results = meetings_propose_bulk(
                expo=expo,
                pairs=request.POST.getlist("pair"),
                agenda=request.POST.get("agenda", ""),
                by=request.user,
            )
        except (ValidationError, Refused) as exc:
            for text in getattr(exc, "messages", [str(exc)]):
                messages.error(request, text)
            return redirect(request.get_full_path())
        _tell(request, results)
    country, sector_id, page = _filters(request)
    board = matchmaking_board(expo=expo, country=country, sector_id=sector_id, page=page)
    with timezone.override(WIB):
        return render(
            request,
            "manage/matchmaking/page.html",
            {
                **organiser_header(expo),
                "board": board,
                "results": results,
                # The reports' own section, rendered by them (a template includes only its own
                # app's or a lower layer's).
                "meeting_section": render_to_string(
                    "reports/_meetings.html", meetings.dashboard_context(expo), request
                ),
                "matching_on": matching.window_of(expo) is not None,
                "sectors": Sector.objects.order_by("position", "slug"),
                "countries": board.countries,
                "prev_url": _page_url(country, sector_id, page - 1) if page > 1 else "",
                "next_url": _page_url(country, sector_id, page + 1) if board.has_next else "",
                "chosen_country": country,
                "chosen_sector": sector_id,
                "agenda_max": AGENDA_MAX_LENGTH,
            },
            status=200,
        )
