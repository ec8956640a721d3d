"""The omzet dashboard, potential deals, exports, comparison and API tokens.

Organiser pages live under ``/manage/expos/<slug>/dashboard/`` (namespace ``manage:reports``) and
use the organiser workspace's gate: organiser or admin, then ``can_manage_office`` of the expo's
office, else 403. Vendor pages live under ``/vendor/<vendor slug>/dashboard/`` (namespace
``vendor:reports``) and use the vendor workspace's gate (a member of *that* vendor, else 403);
deals are looked up through the vendor, so another vendor's deal answers 404.

Views stay thin: :mod:`expo.reports.forms` clean input, :mod:`expo.reports.services` write (and
check permissions again), :mod:`expo.reports.figures` and :mod:`expo.reports.selectors` read,
:mod:`expo.reports.exports` and :mod:`expo.reports.charts` format. A refused action shows its
message (:func:`expo.refusals.add_to_form`) and changes nothing.
"""

from __future__ import annotations

import io
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from booths import selectors as booth_selectors
from booths.vendor_views import Workspace, vendor_page
from expo.countries import country_name
from expo.models import Expo
from expo.refusals import add_to_form
from expo.reports import charts, exports, selectors
from expo.reports import figures as reports
from expo.reports import live as omzet_live
from expo.reports import services as report_services
from expo.reports.figures import funnel, meetings
from expo.reports.forms import DealForm, ReportForm, TokenForm, VerifyForm
from expo.reports.models import PotentialDeal, ReportJob
from expo.spreadsheets import csv_response
from expo.web import managed_expo, organiser_required

T = TypeVar("T")
COMPARE_LIMIT = 6


def _found(row: T | None) -> T:
    """The row a selector found through what the gate checked; 404 when there is none."""
    if row is None:
        raise Http404
    return row


# --- Organiser: the dashboard ----------------------------------------------------------------------


def _board_context(board: reports.Dashboard) -> dict[str, Any]:
    return {
        "board": board,
        "totals": board.totals,
        **charts.dashboard_charts(board),
        "top_booths": board.by_booth[:15],
        "export_tables": exports.TABLE_SLUGS,
    }


@require_safe
@organiser_required
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    expo = managed_expo(request, slug)
    board = reports.expo_dashboard(expo)
    return render(
        request,
        "reports/dashboard.html",
        {
            **booth_selectors.organiser_header(expo),
            **_board_context(board),
            "room": omzet_live.room_for(expo),
            **funnel.dashboard_context(expo),
            **meetings.dashboard_context(expo),
        },
    )


@require_safe
@organiser_required
def dashboard_figures(request: HttpRequest, slug: str) -> HttpResponse:
    """The dashboard's figures alone, fetched by ``dashboard.js`` after a live update."""
    expo = managed_expo(request, slug)
    board = reports.expo_dashboard(expo)
    response = render(request, "reports/_figures.html", {"expo": expo, **_board_context(board)})
    response["Cache-Control"] = "no-store"
    return response


# --- Organiser: deals ------------------------------------------------------------------------------


@require_safe
@organiser_required
def deals(request: HttpRequest, slug: str) -> HttpResponse:
    expo = managed_expo(request, slug)
    show = request.GET.get("show", "")
    rows = selectors.expo_deals(expo=expo, verification=show)
    return render(
        request,
        "reports/deals.html",
        {
            **booth_selectors.organiser_header(expo),
            "deals": list(rows[:500]),
            "figures": reports.deal_figures(expo),
            "show": show,
            "filters": [("", _("All"))] + list(PotentialDeal.Verification.choices),
        },
    )


@require_POST
@organiser_required
def deal_verify(request: HttpRequest, slug: str, deal_id: int) -> HttpResponse:
    expo = managed_expo(request, slug)
    deal = _found(selectors.expo_deal(expo=expo, deal_id=deal_id))
    form = VerifyForm(request.POST)
    back = reverse("manage:reports:deals", args=[expo.slug])
    if not form.is_valid():
        messages.error(request, _("Choose to verify or reject the deal."))
        return redirect(back)
    verified = form.cleaned_data["decision"] == "verify"
    report_services.deal_verify(
        deal=deal, verified=verified, note=form.cleaned_data.get("note") or "", by=request.user
    )
    if verified:
        messages.success(
            request, _("Deal with %(company)s verified.") % {"company": deal.buyer_company}
        )
    else:
        messages.info(
            request, _("Deal with %(company)s rejected.") % {"company": deal.buyer_company}
        )
    return redirect(back)


# --- Organiser: exports and the PDF report ---------------------------------------------------------


@require_safe
@organiser_required
def export(request: HttpRequest, slug: str, table: str, fmt: str) -> HttpResponse:
    """One table as CSV or XLSX, or every table (``all``) as one XLSX workbook."""
    expo = managed_expo(request, slug)
    if fmt not in ("csv", "xlsx") or (table not in exports.TABLE_SLUGS and table != "all"):
        raise Http404
    if table == "all" and fmt == "csv":
        raise Http404
    board = reports.expo_dashboard(expo)
    tables = exports.dashboard_tables(board, list(selectors.expo_deals(expo=expo)))
    if table != "all":
        tables = [t for t in tables if t.slug == table]
    name = exports.filename(expo, table, fmt)
    if fmt == "csv":
        return csv_response(tables[0].columns, tables[0].rows, filename=name)
    response = HttpResponse(exports.to_xlsx(tables), content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@organiser_required
def report(request: HttpRequest, slug: str) -> HttpResponse:
    expo = managed_expo(request, slug)
    form = ReportForm(
        request.POST or None, initial={"language": (request.LANGUAGE_CODE or "id")[:2]}
    )
    if request.method == "POST" and form.is_valid():
        try:
            job = report_services.report_request(
                expo=expo, language=form.cleaned_data["language"], by=request.user
            )
        except ValidationError as error:
            add_to_form(form, error, "language")
        else:
            return redirect("manage:reports:report_job", expo.slug, job.pk)
    jobs = selectors.report_jobs(expo=expo)
    return render(
        request,
        "reports/report.html",
        {**booth_selectors.organiser_header(expo), "form": form, "jobs": jobs},
    )


def _job(request: HttpRequest, slug: str, job_id: int) -> tuple[Expo, ReportJob]:
    expo = managed_expo(request, slug)
    return expo, _found(selectors.report_job(expo=expo, job_id=job_id))


@require_safe
@organiser_required
def report_job(request: HttpRequest, slug: str, job_id: int) -> HttpResponse:
    """A report's progress: a page that follows it, or JSON for that page's script."""
    expo, job = _job(request, slug, job_id)
    download = reverse("manage:reports:report_download", args=[expo.slug, job.pk])
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "status": job.status,
                "label": job.get_status_display(),
                "progress": job.progress,
                "step": job.step,
                "download": download if job.status == ReportJob.Status.DONE else None,
            },
            headers={"Cache-Control": "no-store"},
        )
    return render(
        request,
        "reports/report_job.html",
        {**booth_selectors.organiser_header(expo), "job": job, "download": download},
    )


@require_safe
@organiser_required
def report_download(request: HttpRequest, slug: str, job_id: int) -> HttpResponse:
    expo, job = _job(request, slug, job_id)
    if job.status != ReportJob.Status.DONE:
        raise Http404
    return FileResponse(
        io.BytesIO(selectors.report_pdf(job=job)),
        as_attachment=True,
        filename=f"{expo.slug}-report-{job.language}.pdf"
        if job.kind == ReportJob.Kind.DASHBOARD
        else f"{expo.slug}-upward{f'-{job.year}' if job.year else ''}.pdf",
        content_type="application/pdf",
    )


# --- Organiser: comparison and API tokens ----------------------------------------------------------


@require_safe
@organiser_required
def compare(request: HttpRequest, slug: str) -> HttpResponse:
    """This expo beside others of the same office (chosen with ``?with=<slug>``)."""
    expo = managed_expo(request, slug)
    others, picked = selectors.compared_expos(
        expo=expo, chosen=set(request.GET.getlist("with")), limit=COMPARE_LIMIT
    )
    summaries = reports.office_comparison([expo, *picked])
    peak = max((s.omzet for s in summaries), default=0)
    chart = charts.bar_chart(
        [(s.expo.title, s.omzet) for s in summaries],
        title=_("Omzet by expo"),
        limit=COMPARE_LIMIT,
        width=900,
    )
    return render(
        request,
        "reports/compare.html",
        {
            **booth_selectors.organiser_header(expo),
            "summaries": summaries,
            "siblings": others,
            "picked": {e.slug for e in picked},
            "chart": chart,
            "peak": peak,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@organiser_required
def api_tokens(request: HttpRequest, slug: str) -> HttpResponse:
    expo = managed_expo(request, slug)
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = report_services.api_token_create(
                office=expo.office, name=form.cleaned_data["name"], by=request.user
            )
        except ValidationError as error:
            add_to_form(form, error, "name")
        else:
            created = {"token": token, "raw": raw}
            form = TokenForm()
    tokens = selectors.office_tokens(office_id=expo.office_id)
    response = render(
        request,
        "reports/api_tokens.html",
        {
            **booth_selectors.organiser_header(expo),
            "form": form,
            "tokens": tokens,
            "created": created,
            "api_base": request.build_absolute_uri("/api/v1/"),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@organiser_required
def api_token_revoke(request: HttpRequest, slug: str, token_id: int) -> HttpResponse:
    expo = managed_expo(request, slug)
    token = _found(selectors.office_token(office_id=expo.office_id, token_id=token_id))
    report_services.api_token_revoke(token=token, by=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("manage:reports:api_tokens", expo.slug)


# --- Vendor ----------------------------------------------------------------------------------------


def _vendor_page(
    request: HttpRequest, ws: Workspace, template: str, **context: Any
) -> HttpResponse:
    return render(request, template, {"ws": ws, "vendor": ws.vendor, **context})


@require_safe
@vendor_page
def vendor_sales(request: HttpRequest, ws: Workspace) -> HttpResponse:
    """The vendor's own omzet, orders, visitors and conversion per expo."""
    figures = reports.vendor_figures(ws.vendor)
    chart = charts.bar_chart(
        [(f.expo.title, f.omzet) for f in figures if f.sales], title=_("Omzet by expo"), width=900
    )
    return _vendor_page(
        request,
        ws,
        "reports/vendor_sales.html",
        figures=figures,
        chart=chart,
        total_omzet=sum(f.omzet for f in figures),
        total_orders=sum(f.orders for f in figures),
        total_visitors=sum(f.visitors for f in figures),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@vendor_page
def vendor_deals(request: HttpRequest, ws: Workspace) -> HttpResponse:
    form = DealForm(request.POST or None, vendor=ws.vendor)
    if request.method == "POST" and form.is_valid():
        try:
            report_services.deal_record(
                booth=form.cleaned_data["booth"], data=form.data_input(), by=request.user
            )
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Deal recorded. The organisers will verify it."))
            return redirect("vendor_reports:deals", ws.vendor.slug)
    rows = selectors.vendor_deals(vendor=ws.vendor)
    return _vendor_page(
        request,
        ws,
        "reports/vendor_deals.html",
        form=form,
        deals=rows,
        has_booths=form.fields["booth"].queryset.exists(),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@vendor_page
def vendor_deal_edit(request: HttpRequest, ws: Workspace, deal_id: int) -> HttpResponse:
    deal = _found(selectors.vendor_deal(vendor=ws.vendor, deal_id=deal_id))
    form = DealForm(request.POST or None, vendor=ws.vendor, initial=DealForm.initial_of(deal))
    form.fields["booth"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            report_services.deal_update(deal=deal, data=form.data_input(), by=request.user)
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Deal updated."))
            return redirect("vendor_reports:deals", ws.vendor.slug)
    return _vendor_page(
        request,
        ws,
        "reports/vendor_deal_edit.html",
        form=form,
        deal=deal,
        country=country_name(deal.buyer_country),
    )
