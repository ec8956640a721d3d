"""A meeting's room page (the call, its chat, and after the meeting the marks and the outcome).
Thin: who may enter is :mod:`events.call.selectors`', the writes :mod:`events.call.services`'; the
call itself runs in the browser (``frontend/static/frontend/js/call.js``) over the one websocket."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from events.call import selectors, services
from events.matching.models import MeetingMark, MeetingOutcome, MeetingStatus
from expo import permissions
from expo.refusals import refuse


def _room(request: HttpRequest, meeting_id: int) -> selectors.MeetingRoom:
    found = selectors.meeting_room(meeting_id=meeting_id, user=request.user)
    if found is None:
        # Nobody learns whether a meeting they may not see exists.
        raise Http404
    return found


@require_safe
def meeting_room(request: HttpRequest, meeting_id: int) -> HttpResponse:
    if not permissions.is_authenticated(request.user):
        return redirect_to_login(request.get_full_path())
    found = _room(request, meeting_id)
    meeting = found.meeting
    now = timezone.now()
    started = now >= meeting.starts_at
    context = {
        "found": found,
        "meeting": meeting,
        "expo": meeting.expo,
        "vendor": meeting.vendor,
        "booth": meeting.booth,
        "people": found.seats,
        "room": found.room,
        "can_mark": started and found.is_participant and meeting.status in services.MARKABLE,
        "can_record": started
        and found.is_vendor_side
        and meeting.status in (MeetingStatus.CONFIRMED, MeetingStatus.HELD),
        "my_mark": meeting.vendor_mark if found.is_vendor_side else meeting.buyer_mark,
        "marks": MeetingMark,
        "outcomes": MeetingOutcome.choices,
        "deal": MeetingOutcome.DEAL,
        "opens_minutes": settings.MEETING_ROOM_OPENS_MINUTES,
    }
    return render(request, "events/call/room.html", context)


def _back(meeting_id: int) -> str:
    return reverse("events:meeting_room", args=[meeting_id]) + "#after"


@require_POST
def meeting_mark(request: HttpRequest, meeting_id: int) -> HttpResponse:
    if not permissions.is_authenticated(request.user):
        return redirect_to_login(reverse("events:meeting_room", args=[meeting_id]))
    found = _room(request, meeting_id)
    try:
        services.meeting_mark(meeting=found.meeting, by=request.user, mark=request.POST.get("mark"))
    except (PermissionDenied, ValidationError) as exc:
        return refuse(request, exc, _back(meeting_id))
    messages.success(request, _("Thank you: your mark is saved."))
    return redirect(_back(meeting_id))


@require_POST
def meeting_outcome(request: HttpRequest, meeting_id: int) -> HttpResponse:
    if not permissions.is_authenticated(request.user):
        return redirect_to_login(reverse("events:meeting_room", args=[meeting_id]))
    found = _room(request, meeting_id)
    try:
        services.meeting_outcome_record(
            meeting=found.meeting,
            by=request.user,
            outcome=request.POST.get("outcome"),
            deal_value=request.POST.get("deal_value"),
        )
    except (PermissionDenied, ValidationError) as exc:
        return refuse(request, exc, _back(meeting_id))
    messages.success(request, _("The outcome of the meeting is saved."))
    return redirect(_back(meeting_id))
