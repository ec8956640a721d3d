"""Pages of business matching: a booth's free slots (in the visitor's time zone) and the request
form, the buyer's meetings, a meeting's page with each side's steps and its ``.ics``, the vendor's
availability and meetings (a workspace tab, times in WIB), and the organisers' settings.

Thin: the rules are in :mod:`events.matching.services`, the reads in
:mod:`events.matching.selectors`; a meeting somebody may not see is a 404, like one that does not
exist.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from booths import selectors as booth_selectors
from booths.models import Booth, VendorMembership
from booths.vendor_views import Workspace, vendor_page
from events import ics
from events.matching import availability, selectors, services
from events.matching.forms import (
    AvailabilityForm,
    LinkForm,
    ProposeForm,
    ReasonForm,
    RequestForm,
    SeatForm,
    SettingsForm,
    parse_key,
)
from events.matching.models import MatchingSettings, Meeting, MeetingAvailability, MeetingStatus
from expo import buyers, permissions, timebox
from expo.countries import country_name
from expo.models import Expo
from expo.refusals import add_to_form, refuse
from expo.web import managed_expo, organiser_required

WIB = ZoneInfo("Asia/Jakarta")


def _booth(expo_slug: str, booth_slug: str) -> Booth:
    booth = (
        Booth.objects.select_related("expo", "expo__office", "vendor")
        .filter(expo__slug=expo_slug, slug=booth_slug, is_active=True)
        .first()
    )
    if booth is None or not timebox.allows(booth.expo, timebox.Action.VIEW_HALL):
        raise Http404
    return booth


def _days(slots: list[selectors.Slot]) -> list[tuple[Any, list[selectors.Slot]]]:
    """Slots grouped by their day in the page's time zone (the visitor's)."""
    return [
        (day, list(group))
        for day, group in groupby(slots, key=lambda s: timezone.localtime(s.starts_at).date())
    ]


@require_http_methods(["GET", "HEAD", "POST"])
def booth_slots(request: HttpRequest, expo_slug: str, booth_slug: str) -> HttpResponse:
    """A booth's free meeting slots in the visitor's own time zone, and the request form."""
    booth = _booth(expo_slug, booth_slug)
    window = selectors.window_of(booth.expo)
    if window is None:
        raise Http404
    user = request.user
    slots = selectors.free_slots(expo=booth.expo, vendor_id=booth.vendor_id, buyer=user)
    form = RequestForm(request.POST or None, slots=slots)
    if request.method == "POST":
        if not permissions.is_authenticated(user):
            return redirect_to_login(request.get_full_path())
        if form.is_valid():
            try:
                meeting = services.meeting_request(
                    booth=booth,
                    starts_at=form.starts_at,
                    agenda=form.cleaned_data["agenda"],
                    by=user,
                )
            except (PermissionDenied, ValidationError) as exc:
                add_to_form(form, exc, "slot")
                slots = selectors.free_slots(expo=booth.expo, vendor_id=booth.vendor_id, buyer=user)
            else:
                messages.success(request, _("Your request was sent. The vendor will answer it."))
                return redirect("events:meeting", meeting.pk)
    profile_url = reverse("buyer_profile") + "?" + urlencode({"next": request.get_full_path()})
    return render(
        request,
        "events/matching/slots.html",
        {
            "booth": booth,
            "expo": booth.expo,
            "vendor": booth.vendor,
            "window": window,
            "days": _days(slots),
            "form": form,
            "is_team": permissions.is_vendor_member(user, booth.vendor_id),
            "ready": buyers.is_ready_to_meet(user),
            "profile_url": profile_url,
        },
    )


@require_safe
@login_required
def my_meetings(request: HttpRequest) -> HttpResponse:
    meetings = list(selectors.buyer_meetings(request.user))
    now = timezone.now()
    return render(
        request,
        "events/matching/my_meetings.html",
        {
            "upcoming": [m for m in meetings if m.ends_at > now],
            "past": [m for m in meetings if m.ends_at <= now][::-1],
        },
    )


def _meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    meeting = selectors.meeting_for(request.user, meeting_id)
    if meeting is None:
        raise Http404
    return meeting


@require_safe
def meeting_page(request: HttpRequest, meeting_id: int) -> HttpResponse:
    if not permissions.is_authenticated(request.user):
        return redirect_to_login(request.get_full_path())
    meeting = _meeting(request, meeting_id)
    side = selectors.side_of(request.user, meeting)
    alternatives: list[selectors.Slot] = []
    if side == "vendor" and meeting.status in (MeetingStatus.REQUESTED, MeetingStatus.PROPOSED):
        alternatives = [
            s
            for s in selectors.free_slots(
                expo=meeting.expo, vendor_id=meeting.vendor_id, exclude_meeting=meeting.pk
            )
            if s.starts_at != meeting.starts_at
        ]
    profile = None
    if side == "vendor" or (side is None and request.user.pk != meeting.buyer_id):
        profile = buyers.profile_for_vendor(vendor_id=meeting.vendor_id, buyer_id=meeting.buyer_id)
    deadline = services.cancel_deadline(meeting)
    return render(
        request,
        "events/matching/meeting.html",
        {
            "meeting": meeting,
            "side": side,
            "participants": selectors.participants_of(meeting),
            "profile": profile,
            "profile_country": country_name(profile.country) if profile else "",
            "alternatives": alternatives,
            "propose_form": ProposeForm(slots=alternatives),
            "reason_form": ReasonForm(),
            "seat_form": SeatForm(),
            "link_form": LinkForm(initial={"external_link": meeting.external_link}),
            "cancel_until": deadline if meeting.status == MeetingStatus.CONFIRMED else None,
            "now": timezone.now(),
        },
    )


@require_safe
def meeting_ics(request: HttpRequest, meeting_id: int) -> HttpResponse:
    if not permissions.is_authenticated(request.user):
        return redirect_to_login(request.get_full_path())
    meeting = _meeting(request, meeting_id)
    if meeting.status != MeetingStatus.CONFIRMED:
        raise Http404
    body = ics.meeting_calendar(
        meeting,
        base_url=request.build_absolute_uri("/").rstrip("/"),
        zone=timezone.get_current_timezone(),
    )
    reply = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    reply["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return reply


STEP_DONE = {
    "accept": gettext_lazy("You accepted the meeting."),
    "confirm": gettext_lazy("You confirmed the meeting."),
    "decline": gettext_lazy("You declined the request."),
    "propose": gettext_lazy("You proposed another time."),
    "cancel": gettext_lazy("The meeting is cancelled."),
    "seat": gettext_lazy("They are in the meeting."),
    "link": gettext_lazy("The meeting link is saved."),
}


def _step(request: HttpRequest, meeting: Meeting, step: str) -> None:
    """Run one step with the posted values; a refusal is raised to the caller."""
    post, by = request.POST, request.user
    if step == "accept":
        services.meeting_accept(meeting=meeting, by=by)
    elif step == "confirm":
        services.meeting_confirm(meeting=meeting, by=by)
    elif step == "decline":
        services.meeting_decline(meeting=meeting, by=by, reason=post.get("reason", ""))
    elif step == "cancel":
        services.meeting_cancel(meeting=meeting, by=by, reason=post.get("reason", ""))
    elif step == "propose":
        starts_at = parse_key(post.get("slot", ""))
        if starts_at is None:
            raise ValidationError(_("Choose another free time of yours."))
        services.meeting_propose(meeting=meeting, by=by, starts_at=starts_at)
    elif step == "seat":
        services.meeting_seat(meeting=meeting, by=by, email=post.get("email", ""))
    elif step == "link":
        services.meeting_set_link(meeting=meeting, by=by, url=post.get("external_link", ""))
    else:
        raise Http404


@require_POST
def meeting_step(request: HttpRequest, meeting_id: int, step: str) -> HttpResponse:
    if not permissions.is_authenticated(request.user):
        return redirect_to_login(reverse("events:meeting", args=[meeting_id]))
    meeting = _meeting(request, meeting_id)
    back = reverse("events:meeting", args=[meeting.pk])
    try:
        _step(request, meeting, step)
    except (PermissionDenied, ValidationError) as exc:
        return refuse(request, exc, back)
    messages.success(request, STEP_DONE[step])
    return redirect(back)


# --- The vendor's tab ----------------------------------------------------------------------------


def _vendor_expos(vendor_id: int) -> list[Expo]:
    """The expos where the vendor has a booth and matching is on."""
    return list(
        Expo.objects.filter(
            booths__vendor_id=vendor_id, booths__is_active=True, matching__enabled=True
        )
        .distinct()
        .order_by("opens_at")
    )


@require_http_methods(["GET", "HEAD", "POST"])
@vendor_page
def vendor_meetings(request: HttpRequest, ws: Workspace) -> HttpResponse:
    """The vendor's availability (published in WIB) and its meetings."""
    vendor = ws.vendor
    expos = _vendor_expos(vendor.pk)
    members = [
        m.user
        for m in VendorMembership.objects.filter(vendor=vendor, user__is_active=True)
        .select_related("user")
        .order_by("user__name", "user__email")
    ]
    with timezone.override(WIB):
        form = AvailabilityForm(
            request.POST or None,
            expos=expos,
            members=members,
            initial={"member": str(request.user.pk)},
        )
        valid = request.method == "POST" and form.is_valid()
    if valid:
        data = form.cleaned_data
        expo = next(e for e in expos if str(e.pk) == data["expo"])
        member = next(u for u in members if str(u.pk) == data["member"])
        try:
            availability.availability_add(
                expo=expo,
                vendor_id=vendor.pk,
                member=member,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                by=request.user,
            )
        except (PermissionDenied, ValidationError) as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Buyers can now book these times."))
            return redirect("events:vendor_meetings", vendor.slug)
    windows = MeetingAvailability.objects.filter(vendor=vendor, expo__in=expos).select_related(
        "member", "expo"
    )
    now = timezone.now()
    meetings = list(selectors.vendor_meetings(vendor.pk))
    return render(
        request,
        "events/matching/vendor_meetings.html",
        {
            "ws": ws,
            "vendor": vendor,
            "expos": expos,
            "form": form,
            "windows": windows,
            "waiting": [m for m in meetings if m.status == MeetingStatus.REQUESTED],
            "upcoming": [
                m
                for m in meetings
                if m.ends_at > now and m.status in (MeetingStatus.PROPOSED, MeetingStatus.CONFIRMED)
            ],
            "others": [m for m in meetings if m.ends_at <= now or not m.is_active][::-1][:50],
        },
    )


@require_POST
@vendor_page
def vendor_availability_remove(request: HttpRequest, ws: Workspace, window_id: int) -> HttpResponse:
    row = MeetingAvailability.objects.filter(pk=window_id, vendor=ws.vendor).first()
    if row is None:
        raise Http404
    availability.availability_remove(availability=row, by=request.user)
    messages.success(request, _("The window is removed; meetings already asked for stay."))
    return redirect("events:vendor_meetings", ws.vendor.slug)


# --- The organisers' settings ----------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@organiser_required
def matching_settings(request: HttpRequest, expo_slug: str) -> HttpResponse:
    expo = managed_expo(request, expo_slug)
    current = selectors.settings_of(expo) or MatchingSettings(expo=expo)
    with timezone.override(WIB):
        form = SettingsForm(request.POST or None, instance=current)
        valid = request.method == "POST" and form.is_valid()
    if valid:
        data = form.cleaned_data
        try:
            availability.matching_configure(
                expo=expo,
                by=request.user,
                enabled=data["enabled"],
                meeting_minutes=int(data["meeting_minutes"]),
                cancel_cutoff_minutes=data["cancel_cutoff_minutes"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
            )
        except (PermissionDenied, ValidationError) as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Business matching settings saved."))
            return redirect("events:matching_settings", expo.slug)
    counts = dict.fromkeys(MeetingStatus.values, 0)
    for row in Meeting.objects.filter(expo=expo).values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return render(
        request,
        "events/matching/settings.html",
        {
            **booth_selectors.organiser_header(expo),
            "form": form,
            "settings": current,
            "meeting_counts": [(MeetingStatus(k).label, v) for k, v in counts.items()],
        },
    )
