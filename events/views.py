"""Pages of the live side: the agenda and session pages, inquiries (buyer and vendor), and the
vendor's session schedule. Thin: rules are in :mod:`events.services`, reads in
:mod:`events.selectors`; live updates come over the one websocket (``static/frontend/js/``)."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from booths import hooks, visits
from booths.models import Vendor
from booths.selectors import hall_is_public, may_see_hall
from booths.vendor_views import Workspace, vendor_page
from booths.video import video_embed_url
from events import ics, rooms, selectors, services
from events.forms import MessageForm, SessionForm
from events.models import Inquiry, LiveSession
from expo import permissions, timebox
from expo.models import Expo
from expo.refusals import Refused, add_to_form, refuse, text_of
from expo.timebox import ExpoStateError


def _expo(slug: str) -> Expo:
    expo = selectors.expo_by_slug(slug)
    if expo is None:
        raise Http404
    return expo


def _vendor(request: HttpRequest, vendor_slug: str) -> Vendor:
    vendor = selectors.vendor_by_slug(vendor_slug)
    if vendor is None:
        raise Http404
    permissions.require(permissions.is_vendor_member(request.user, vendor))
    return vendor


def _login_first(request: HttpRequest) -> HttpResponse | None:
    if not permissions.is_authenticated(request.user):
        return redirect_to_login(request.get_full_path())
    return None


# --- Agenda and sessions -------------------------------------------------------------------------


@require_safe
def agenda(request: HttpRequest, expo_slug: str) -> HttpResponse:
    expo = _expo(expo_slug)
    if not may_see_hall(request.user, expo):
        raise Http404
    sessions = selectors.agenda(expo=expo)
    previewing = not timebox.allows(expo, timebox.Action.VIEW_HALL)
    if previewing and not permissions.can_manage_office(request.user, expo.office_id):
        # Before publication a vendor's members preview their own sessions only.
        sessions = [
            s for s in sessions if permissions.is_vendor_member(request.user, s.booth.vendor_id)
        ]
    reminded = selectors.reminded_session_ids(user=request.user, sessions=sessions)
    now = timezone.now()
    days = [
        (day, list(items))
        for day, items in groupby(sessions, key=lambda s: timezone.localtime(s.starts_at).date())
    ]
    return render(
        request,
        "events/agenda.html",
        {
            "expo": expo,
            "days": days,
            "reminded": reminded,
            "now": now,
            "session_count": len(sessions),
        },
    )


@require_safe
def agenda_ics(request: HttpRequest, expo_slug: str) -> HttpResponse:
    expo = _expo(expo_slug)
    if not timebox.allows(expo, timebox.Action.VIEW_HALL):
        raise Http404
    sessions = selectors.agenda(expo=expo)
    return ics.response(request, sessions, expo=expo, filename=f"{expo.slug}-agenda.ics")


def _session(request: HttpRequest, expo_slug: str, session_id: int) -> tuple[Expo, LiveSession]:
    expo = _expo(expo_slug)
    session = selectors.session_page(expo=expo, session_id=session_id)
    if session is None:
        raise Http404
    vendor_id = session.booth.vendor_id
    hidden = not session.booth.is_active and not permissions.is_vendor_member(
        request.user, vendor_id
    )
    if hidden or not may_see_hall(request.user, expo, vendor_id=vendor_id):
        raise Http404
    return expo, session


@require_safe
def session_page(request: HttpRequest, expo_slug: str, session_id: int) -> HttpResponse:
    expo, session = _session(request, expo_slug, session_id)
    booth = session.booth
    is_team = permissions.is_vendor_member(request.user, booth.vendor_id)
    now = timezone.now()
    pinned = selectors.pinned_products(session)
    can_buy = timebox.allows(expo, timebox.Action.BUY)
    if can_buy:
        services.session_visit_remember(store=request.session, session=session)
    if hall_is_public(expo):
        # A live session is part of its booth: its viewers are the booth's visitors (conversion).
        visits.record("booth", booth.pk, request)
    context = {
        "expo": expo,
        "session": session,
        "cart_add_url": hooks.cart_add_url() if can_buy else "",
        "booth": booth,
        "vendor": booth.vendor,
        "embed_url": video_embed_url(session.stream_url),
        "replay_embed_url": video_embed_url(session.replay_url),
        "is_live": session.starts_at <= now < session.ends_at,
        "is_over": session.ends_at <= now,
        "pinned": pinned,
        "pinned_ids": {p.pk for p in pinned},
        "is_team": is_team,
        "can_pin": is_team and timebox.allows(expo, timebox.Action.EDIT_CATALOGUE),
        "products": selectors.booth_products(booth=booth) if is_team else [],
        "reminded": bool(selectors.reminded_session_ids(user=request.user, sessions=[session])),
        "room": rooms.session(session.pk),
    }
    return render(request, "events/session.html", context)


@require_safe
def session_ics(request: HttpRequest, expo_slug: str, session_id: int) -> HttpResponse:
    expo, session = _session(request, expo_slug, session_id)
    return ics.response(request, [session], expo=expo, filename=f"session-{session.pk}.ics")


# The sessions a guest pressed "Remind me" on, kept in their session across the log-in.
PENDING_REMINDERS = "events.pending_reminders"


def _back(request: HttpRequest, expo: Expo) -> str:
    """Where a reminder's form sends the visitor back to: a path of this site, else the agenda."""
    back = request.POST.get("next") or request.GET.get("next") or ""
    if back.startswith("/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return reverse("events:agenda", args=[expo.slug])


@require_http_methods(["GET", "POST"])
def session_remind(request: HttpRequest, expo_slug: str, session_id: int) -> HttpResponse:
    """Set (POST) or cancel (POST action=cancel) a reminder. A guest's "Remind me" is kept in
    their session and the log-in sends them back here (GET), which sets it: the reminder a guest
    asked for outlives the log-in. A GET sets only a reminder its own browser asked for."""
    expo, session = _session(request, expo_slug, session_id)
    back = _back(request, expo)
    pending = request.session.get(PENDING_REMINDERS, [])
    if not permissions.is_authenticated(request.user):
        if request.method == "POST" and request.POST.get("action") != "cancel":
            request.session[PENDING_REMINDERS] = [
                *(p for p in pending if p != session.pk),
                session.pk,
            ][-20:]
            messages.info(
                request,
                _("Log in to get your reminder for “%(title)s”.") % {"title": session.title},
            )
            return redirect_to_login(f"{request.path}?{urlencode({'next': back})}")
        return redirect_to_login(request.get_full_path())
    if request.method == "GET":
        if session.pk not in pending:
            return redirect(back)
        request.session[PENDING_REMINDERS] = [p for p in pending if p != session.pk]
    elif request.POST.get("action") == "cancel":
        services.reminder_cancel(session=session, by=request.user)
        messages.info(request, _("The reminder is cancelled."))
        return redirect(back)
    try:
        services.reminder_set(session=session, by=request.user)
    except Refused as exc:
        return refuse(request, exc, back)
    messages.success(
        request,
        _("We will e-mail you about 15 minutes before “%(title)s” starts.")
        % {"title": session.title},
    )
    return redirect(back)


@require_POST
def session_pins(request: HttpRequest, expo_slug: str, session_id: int) -> HttpResponse:
    """Pin or unpin a product (the vendor, from the session page); JSON for the page's script."""
    if (login := _login_first(request)) is not None:
        return login
    expo, session = _session(request, expo_slug, session_id)
    permissions.require(permissions.is_vendor_member(request.user, session.booth.vendor_id))
    product = selectors.booth_product(booth=session.booth, product_id=request.POST.get("product"))
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    error = None
    if product is None:
        error = _("Only products on sale in this booth can be pinned.")
    else:
        try:
            if request.POST.get("action") == "unpin":
                services.session_unpin(session=session, product=product, by=request.user)
            else:
                services.session_pin(session=session, product=product, by=request.user)
        except (ValidationError, ExpoStateError) as exc:
            error = text_of(exc)
    if wants_json:
        return JsonResponse({"ok": error is None, "error": error}, status=400 if error else 200)
    if error:
        messages.error(request, error)
    return redirect("events:session", expo.slug, session.pk)


# --- Inquiries -----------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def ask(request: HttpRequest, expo_slug: str, booth_slug: str) -> HttpResponse:
    """ "Ask the vendor privately": open (or reopen) the buyer's thread with a booth."""
    if (login := _login_first(request)) is not None:
        return login
    expo = _expo(expo_slug)
    booth = selectors.active_booth(expo=expo, slug=booth_slug)
    if booth is None or not timebox.allows(expo, timebox.Action.VIEW_HALL):
        raise Http404
    existing = selectors.inquiry_for(booth=booth, user=request.user)
    if existing is not None:
        return redirect("events:inquiry", existing.pk)
    is_team = permissions.is_vendor_member(request.user, booth.vendor_id)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and not is_team and form.is_valid():
        try:
            inquiry = services.inquiry_open(
                booth=booth, by=request.user, body=form.cleaned_data["body"]
            )
        except (PermissionDenied, ValidationError) as exc:
            add_to_form(form, exc, "body")
        else:
            return redirect("events:inquiry", inquiry.pk)
    return render(
        request,
        "events/ask.html",
        {
            "expo": expo,
            "booth": booth,
            "vendor": booth.vendor,
            "form": form,
            "is_team": is_team,
            # Private questions go on in the mall after closing, where the live chat has ended.
            "can_chat": timebox.allows(expo, timebox.Action.ASK),
        },
    )


def _thread(request: HttpRequest, inquiry: Inquiry, *, vendor: Vendor | None) -> HttpResponse:
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.message_send(
                room=rooms.parse(inquiry.room), body=form.cleaned_data["body"], by=request.user
            )
        except (PermissionDenied, ValidationError) as exc:
            add_to_form(form, exc, "body")
        else:
            return redirect(request.path)
    services.inquiry_mark_read(inquiry=inquiry, by=request.user)
    history = selectors.room_history(rooms.parse(inquiry.room))
    return render(
        request,
        "events/inquiry.html",
        {
            "inquiry": inquiry,
            "booth": inquiry.booth,
            "expo": inquiry.booth.expo,
            "vendor": vendor,
            "history": history.messages,
            "form": form,
            "room": inquiry.room,
            "can_chat": timebox.allows(inquiry.booth.expo, timebox.Action.ASK),
            "is_vendor_view": vendor is not None,
        },
    )


@require_safe
def inquiries(request: HttpRequest) -> HttpResponse:
    if (login := _login_first(request)) is not None:
        return login
    threads = selectors.buyer_inquiries(user=request.user)
    return render(
        request,
        "events/inquiries.html",
        {"threads": threads, "unread": selectors.unread_total(inquiries=threads)},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def inquiry(request: HttpRequest, inquiry_id: int) -> HttpResponse:
    if (login := _login_first(request)) is not None:
        return login
    thread = selectors.inquiry_thread(inquiry_id=inquiry_id)
    if thread is None or thread.buyer_id != request.user.pk:
        # A vendor member following a buyer's link lands in the inbox's view of it.
        if thread is not None and permissions.is_vendor_member(
            request.user, thread.booth.vendor_id
        ):
            return redirect("events:vendor_inquiry", thread.booth.vendor.slug, thread.pk)
        raise Http404
    return _thread(request, thread, vendor=None)


@require_safe
@vendor_page
def vendor_inbox(request: HttpRequest, ws: Workspace) -> HttpResponse:
    vendor = ws.vendor
    threads = selectors.vendor_inbox(vendor=vendor, user=request.user)
    return render(
        request,
        "events/vendor_inbox.html",
        {
            "ws": ws,
            "vendor": vendor,
            "threads": threads,
            "unread": selectors.unread_total(inquiries=threads),
            "room": rooms.inbox(vendor.pk),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def vendor_inquiry(request: HttpRequest, vendor_slug: str, inquiry_id: int) -> HttpResponse:
    if (login := _login_first(request)) is not None:
        return login
    vendor = _vendor(request, vendor_slug)
    thread = selectors.inquiry_thread(inquiry_id=inquiry_id)
    if thread is None or thread.booth.vendor_id != vendor.pk:
        raise Http404
    return _thread(request, thread, vendor=vendor)


# --- The vendor's sessions -----------------------------------------------------------------------


@require_safe
@vendor_page
def vendor_sessions(request: HttpRequest, ws: Workspace) -> HttpResponse:
    vendor = ws.vendor
    return render(
        request,
        "events/vendor_sessions.html",
        {
            "ws": ws,
            "vendor": vendor,
            "sessions": selectors.vendor_sessions(vendor=vendor),
            "can_create": selectors.vendor_booths_for_sessions(vendor=vendor).exists(),
            "now": timezone.now(),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@vendor_page
def vendor_session_create(request: HttpRequest, ws: Workspace) -> HttpResponse:
    vendor = ws.vendor
    booths = selectors.vendor_booths_for_sessions(vendor=vendor)
    form = SessionForm(request.POST or None, booths=booths)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(
                booth=form.cleaned_data["booth"], by=request.user, **form.values()
            )
        except (PermissionDenied, ValidationError) as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("The session is on the agenda."))
            return redirect("events:vendor_session_edit", vendor.slug, session.pk)
    return render(
        request,
        "events/vendor_session_form.html",
        {"ws": ws, "vendor": vendor, "form": form, "session": None, "has_booths": booths.exists()},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@vendor_page
def vendor_session_edit(request: HttpRequest, ws: Workspace, session_id: int) -> HttpResponse:
    vendor = ws.vendor
    session = selectors.vendor_session(vendor=vendor, session_id=session_id)
    if session is None:
        raise Http404
    expo = session.booth.expo
    replay_only = expo.has_closed
    form = SessionForm(request.POST or None, instance=session, replay_only=replay_only)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(session=session, by=request.user, **form.values())
        except (PermissionDenied, ValidationError) as exc:
            add_to_form(form, exc)
            session.refresh_from_db()
        else:
            messages.success(request, _("The session is saved."))
            return redirect("events:vendor_session_edit", vendor.slug, session.pk)
    pinned = selectors.pinned_products(session)
    return render(
        request,
        "events/vendor_session_form.html",
        {
            "ws": ws,
            "vendor": vendor,
            "form": form,
            "session": session,
            "expo": expo,
            "pinned": pinned,
            "pinned_ids": {p.pk for p in pinned},
            "products": selectors.booth_products(booth=session.booth),
            "can_pin": timebox.allows(expo, timebox.Action.EDIT_CATALOGUE),
            "replay_only": replay_only,
            "now": timezone.now(),
        },
    )
