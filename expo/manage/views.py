"""The organiser workspace under ``/manage/`` (namespace ``manage``).

Every page needs an organiser or a platform admin (anonymous visitors are sent to log in, other
accounts get 403); an expo's pages and its applications also need the right to manage the expo's
office (``expo.permissions.can_manage_office``), else 403. Views stay thin: forms clean input,
``expo.services`` and ``booths.services`` hold the rules (permissions, time box, quota) and write,
``booths.selectors`` and ``expo.manage.selectors`` read; a refused action shows the service's
message (through ``expo.refusals``) and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from booths import documents, grading, selectors
from booths import services as booth_services
from booths.models import BoothApplication
from expo import permissions, services, timebox
from expo.manage import forms as manage_forms
from expo.manage import grading as manage_grading
from expo.manage import selectors as manage_selectors
from expo.manage.forms import DecisionForm, ExpoForm
from expo.models import Expo, ExpoState
from expo.refusals import Refused, add_to_form, refuse
from expo.web import managed_expo, organiser_required

# The queue's filter tabs: (query value, label, statuses counted).
QUEUE_FILTERS = (
    ("", gettext_lazy("All"), tuple(BoothApplication.Status.values)),
    ("submitted", gettext_lazy("Waiting for review"), (BoothApplication.Status.SUBMITTED,)),
    (
        "changes_requested",
        gettext_lazy("Changes requested"),
        (BoothApplication.Status.CHANGES_REQUESTED,),
    ),
    ("approved", gettext_lazy("Approved"), (BoothApplication.Status.APPROVED,)),
    ("rejected", gettext_lazy("Rejected"), (BoothApplication.Status.REJECTED,)),
    ("withdrawn", gettext_lazy("Withdrawn"), (BoothApplication.Status.WITHDRAWN,)),
)
# What the application's history calls each audit action.
HISTORY_LABELS = {
    "booths.application.submitted": gettext_lazy("Application submitted"),
    "booths.application.resubmitted": gettext_lazy("Sent back with changes"),
    "booths.application.withdrawn": gettext_lazy("Withdrawn by the business"),
    "booths.application.approved": gettext_lazy("Approved"),
    "booths.application.rejected": gettext_lazy("Rejected"),
    "booths.application.changes_requested": gettext_lazy("Changes requested"),
}


# --- Expos ---------------------------------------------------------------------------------------


@require_safe
@organiser_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    office_ids = (
        None if permissions.is_platform_admin(user) else permissions.organiser_office_ids(user)
    )
    expos = selectors.organiser_expos(office_ids=office_ids)
    offices = {expo.office_id for expo in expos}
    return render(
        request,
        "manage/index.html",
        {
            "expos": expos,
            "show_office": len(offices) > 1 or permissions.is_platform_admin(user),
            "can_create": bool(manage_selectors.managed_offices(user=user)),
            "open_count": sum(1 for e in expos if e.current_state == ExpoState.OPEN),
            "waiting_total": sum(e.waiting_count for e in expos),
        },
    )


def _save_expo(request: HttpRequest, form: ExpoForm, write: Callable[..., Expo]) -> Expo | None:
    """Run the service with the form's values; its ValidationErrors land on the form."""
    try:
        return write(**form.service_arguments())
    except ValidationError as error:
        add_to_form(form, error)
        return None


@require_http_methods(["GET", "HEAD", "POST"])
@organiser_required
def expo_create(request: HttpRequest) -> HttpResponse:
    offices = manage_selectors.managed_offices(user=request.user)
    if not offices:
        messages.error(
            request, _("There is no office to create an expo for. A platform admin adds offices.")
        )
        return redirect("manage:index")
    form = ExpoForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        offices=offices,
        initial=None if request.method == "POST" else {"booth_quota": 100},
    )
    if request.method == "POST" and form.is_valid():
        office = form.chosen_office()
        expo = _save_expo(
            request,
            form,
            lambda **values: services.expo_create(office=office, by=request.user, **values),
        )
        if expo is not None:
            messages.success(
                request, _("The expo “%(title)s” was created.") % {"title": expo.title}
            )
            return redirect("manage:expo_overview", slug=expo.slug)
    status = 400 if form.is_bound else 200
    return render(request, "manage/expo_form.html", {"form": form, "creating": True}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@organiser_required
def expo_edit(request: HttpRequest, slug: str) -> HttpResponse:
    expo = managed_expo(request, slug)
    read_only = expo.has_closed
    form = ExpoForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        expo=expo,
        read_only=read_only,
    )
    if request.method == "POST" and form.is_valid():
        saved = _save_expo(
            request,
            form,
            lambda **values: services.expo_update(expo=expo, by=request.user, **values),
        )
        if saved is not None:
            messages.success(request, _("Your changes were saved."))
            return redirect("manage:expo_overview", slug=saved.slug)
        # The service refused: show the expo as it is stored, not half-changed.
        expo.refresh_from_db()
    context = {
        "form": form,
        "creating": False,
        "read_only": read_only,
        **selectors.organiser_header(expo),
    }
    return render(request, "manage/expo_form.html", context, status=400 if form.is_bound else 200)


@require_safe
@organiser_required
def expo_overview(request: HttpRequest, slug: str) -> HttpResponse:
    expo = managed_expo(request, slug)
    now = timezone.now()
    workspace = selectors.organiser_header(expo)
    counts = workspace["counts"]
    figures = selectors.expo_figures(expo=expo)
    status_rows = [
        (value, label, counts.get(value, 0)) for value, label in BoothApplication.Status.choices
    ]
    return render(
        request,
        "manage/expo_overview.html",
        {
            **workspace,
            "timeline": manage_selectors.expo_timeline(expo=expo, now=now),
            "figures": figures,
            "status_rows": status_rows,
            "applications_total": sum(counts.values()),
            "quota_percent": min(100, round(100 * figures.booths / expo.booth_quota))
            if expo.booth_quota
            else 0,
            "sectors": manage_selectors.expo_sectors(expo=expo),
        },
    )


# --- Stage actions -------------------------------------------------------------------------------

# What each stage action tells the organiser once done.
STAGE_DONE = {
    timebox.Stage.OPEN_APPLICATIONS: gettext_lazy("Applications are open: businesses can apply."),
    timebox.Stage.PUBLISH: gettext_lazy("The hall is public."),
    timebox.Stage.OPEN: gettext_lazy("The expo is open: buyers can buy and chat."),
    timebox.Stage.CLOSE: gettext_lazy("The expo is closed; its report is final."),
}


@require_http_methods(["GET", "HEAD", "POST"])
@organiser_required
def expo_stage(request: HttpRequest, slug: str, stage: str) -> HttpResponse:
    """A stage action: GET asks for confirmation (what changes, from what to what), POST takes it
    through ``expo.services.expo_take_stage``; a refusal goes back to the overview with its reason."""
    expo = managed_expo(request, slug)
    step = timebox.Stage(stage)
    if step in (timebox.Stage.MALL, timebox.Stage.END_MALL):
        return redirect("manage:expo_mall", slug=expo.slug)  # it asks for a date: its own page
    overview = reverse("manage:expo_overview", args=[expo.slug])
    form = manage_forms.StageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.expo_take_stage(
                expo=expo,
                by=request.user,
                stage=step,
                close_applications=step == timebox.Stage.PUBLISH
                and form.cleaned_data["close_applications"],
            )
        except Refused as error:
            return refuse(request, error, overview)
        messages.success(request, str(STAGE_DONE[step]))
        return redirect(overview)
    try:
        plan = manage_selectors.stage_preview(expo=expo, stage=step, now=timezone.now())
    except Refused as error:
        return refuse(request, error, overview)
    return render(
        request,
        "manage/stage_confirm.html",
        {
            **selectors.organiser_header(expo),
            "stage": step,
            "plan": plan,
            "form": form,
            "overview_url": overview,
        },
    )


# --- Curation ------------------------------------------------------------------------------------


@require_safe
@organiser_required
def curation(request: HttpRequest, slug: str) -> HttpResponse:
    expo = managed_expo(request, slug)
    workspace = selectors.organiser_header(expo)
    counts = workspace["counts"]
    status = request.GET.get("status", "")
    if status not in {value for value, _label, _statuses in QUEUE_FILTERS}:
        status = ""
    filters = [
        {
            "value": value,
            "label": label,
            "count": sum(counts.get(s, 0) for s in statuses),
            "active": value == status,
        }
        for value, label, statuses in QUEUE_FILTERS
    ]
    sort = request.GET.get("sort", "")
    if sort not in selectors.QUEUE_SORTS:
        sort = ""
    paginator = Paginator(
        selectors.curation_list(expo=expo, status=status or None, sort=sort),
        selectors.QUEUE_PAGE_SIZE,
    )
    page = paginator.get_page(request.GET.get("page"))
    today = timezone.localdate()
    for row in page.object_list:
        row.document_alerts = grading.document_alerts(row, today=today)
        # The size class of the turnover declared with the application, else the profile's.
        size = grading.size_class_of(row.declared_turnover)
        row.size_label = grading.SIZE_LABELS[size] if size else row.vendor.get_size_class_display()
    query = {key: value for key, value in (("status", status), ("sort", sort)) if value}
    return render(
        request,
        "manage/curation.html",
        {
            **workspace,
            "page_obj": page,
            "filters": filters,
            "status": status,
            "sort": sort,
            "base_query": urlencode(query),
            "status_query": urlencode({"status": status}) if status else "",
            "rubric": selectors.expo_rubric(expo=expo),
        },
    )


def _decide(request: HttpRequest, application: BoothApplication, form: DecisionForm) -> bool:
    """Call the booths service for the decision; True when it went through."""
    decision = form.cleaned_data["decision"]
    reason = form.cleaned_data.get("reason") or ""
    cite = bool(form.cleaned_data.get("cite_rubric"))
    try:
        if decision == DecisionForm.APPROVE:
            booth_services.application_approve(
                application=application, by=request.user, cite_rubric=cite
            )
            messages.success(
                request,
                _(
                    "%(vendor)s is approved; its booth is open for set-up and the vendor was e-mailed."
                )
                % {"vendor": application.vendor.name},
            )
        elif decision == DecisionForm.REQUEST_CHANGES:
            booth_services.application_request_changes(
                application=application, by=request.user, reason=reason, cite_rubric=cite
            )
            messages.success(
                request,
                _("Changes were requested from %(vendor)s; the vendor was e-mailed.")
                % {"vendor": application.vendor.name},
            )
        else:
            booth_services.application_reject(
                application=application, by=request.user, reason=reason, cite_rubric=cite
            )
            messages.success(
                request,
                _("The application of %(vendor)s was rejected; the vendor was e-mailed.")
                % {"vendor": application.vendor.name},
            )
    except Refused as error:  # the time box: above the form
        add_to_form(form, error)
    except ValidationError as error:  # a missing reason belongs to its field
        add_to_form(
            form, error, "reason" if decision != DecisionForm.APPROVE and not reason else None
        )
    else:
        return True
    for message in form.errors.get("__all__", []) + form.errors.get("reason", []):
        messages.error(request, message)
    return False


def _history(application: BoothApplication) -> list[Any]:
    entries = selectors.application_history(application=application)
    for entry in entries:
        entry.label = HISTORY_LABELS.get(entry.action, entry.action)
    return entries


@require_http_methods(["GET", "HEAD", "POST"])
@organiser_required
def application(request: HttpRequest, application_id: int) -> HttpResponse:
    found = selectors.application_for_review(application_id=application_id)
    if found is None:
        raise Http404
    expo = found.expo
    permissions.require(permissions.can_manage_office(request.user, expo.office_id))
    forms_by_decision = {
        value: DecisionForm(initial={"decision": value}, auto_id=f"{value}-%s")
        for value, _label in DecisionForm.DECISIONS
    }
    status = 200
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        if decision not in forms_by_decision:
            messages.error(request, _("Choose a decision: approve, request changes or reject."))
            status = 400
        else:
            form = DecisionForm(request.POST, auto_id=f"{decision}-%s")
            forms_by_decision[decision] = form
            if form.is_valid() and _decide(request, found, form):
                return redirect(reverse("manage:curation", args=[expo.slug]))
            status = 400
    return render(
        request,
        "manage/application.html",
        {
            **selectors.organiser_header(expo),
            "application": found,
            "vendor": found.vendor,
            "photos": manage_selectors.application_photos(application=found),
            "history": _history(found),
            "forms": forms_by_decision,
            "undecided": found.status in selectors.WAITING_STATUSES,
            "can_curate": timebox.allows(expo, timebox.Action.CURATE),
            "booth_count": manage_selectors.expo_booth_count(expo=expo),
            **manage_grading.review_context(found),
        },
        status=status,
    )


@require_safe
def application_document(
    request: HttpRequest, application_id: int | str, kind: str, photo_id: int | str | None = None
) -> HttpResponse:
    """A document or product photo of an application, for the expo's organisers and the vendor's
    own members (linked from the vendor workspace too); see ``booths.documents``."""
    if not permissions.is_authenticated(request.user):
        return redirect_to_login(request.get_full_path())
    return documents.document_response(
        user=request.user,
        application_id=int(application_id),
        kind=kind,
        photo_id=int(photo_id) if photo_id is not None else None,
    )
