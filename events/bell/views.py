"""The notifications page (``/notifications/``): a person's notifications, newest first, with
"mark as read" for one and for all. Reading the page writes nothing; the two buttons are POSTs
(the bell's script marks a notification read when it is followed, and sends the same over the
socket for "mark all")."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from events.bell import selectors, services, texts
from expo import permissions
from expo.refusals import refuse

PER_PAGE = 30


def _back(request: HttpRequest) -> str:
    """Where to go after a button: the page it was pressed on (same site only), else the list."""
    target = request.POST.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("events:notifications")


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_safe
def notifications(request: HttpRequest) -> HttpResponse:
    if not permissions.is_authenticated(request.user):
        return redirect_to_login(request.get_full_path())
    unread_only = request.GET.get("unread") == "1"
    rows = selectors.notifications_of(user_id=request.user.pk, unread_only=unread_only)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    items = [
        {
            "notification": n,
            "text": texts.title(n.kind, n.params),
            "detail": texts.detail(n.params),
        }
        for n in page.object_list
    ]
    return render(
        request,
        "events/notifications.html",
        {"page_obj": page, "items": items, "unread_only": unread_only},
    )


@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one read: from the page's button (back to the page), or from the bell's script as it
    follows the link (answered with JSON, no page)."""
    if not permissions.is_authenticated(request.user):
        return redirect_to_login(reverse("events:notifications"))
    try:
        services.notification_read(notification_id=notification_id, by=request.user)
    except services.NotificationNotFound as error:
        if _wants_json(request):
            return JsonResponse({"error": error.code, "message": str(error.message)}, status=404)
        return refuse(request, error, reverse("events:notifications"))
    if _wants_json(request):
        return JsonResponse({"ok": True})
    return HttpResponseRedirect(_back(request))


@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    if not permissions.is_authenticated(request.user):
        return redirect_to_login(reverse("events:notifications"))
    if services.notifications_read_all(by=request.user):
        messages.success(request, _("All your notifications are marked as read."))
    return HttpResponseRedirect(_back(request))
