"""The report the office sends upward: per expo and per year of the office, with its XLSX (a row
per UMKM) and its PDF in both languages (built in the background as a report job).

Under ``/manage/expos/<slug>/dashboard/upward/`` (namespace ``manage:reports``), behind the
organiser workspace's gate: organiser or admin, then ``can_manage_office`` of the expo's office
(else 403). The year view shows the expos of the expo's own office only.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from booths import selectors as booth_selectors
from expo.models import Expo
from expo.reports import selectors, upward_export
from expo.reports import services as report_services
from expo.reports.exports import XLSX_TYPE
from expo.reports.figures import upward
from expo.reports.models import ReportJob
from expo.web import managed_expo, organiser_required

UPWARD_KINDS = (ReportJob.Kind.UPWARD, ReportJob.Kind.UPWARD_YEAR)
FIRST_YEAR = 2000


def _since(request: HttpRequest, expo: Expo) -> tuple[Expo | None, list[Expo]]:
    """The earlier expo of the office that naik kelas compares with (``?since=<slug>``, else the
    one just before), and the choices."""
    earlier = list(
        Expo.objects.filter(office_id=expo.office_id, opens_at__lt=expo.opens_at).order_by(
            "-opens_at"
        )[:30]
    )
    chosen = request.GET.get("since", "")
    picked = next((e for e in earlier if e.slug == chosen), None)
    return (picked or (earlier[0] if earlier else None)), earlier


def _year_of(expo: Expo) -> int:
    return timezone.localtime(expo.opens_at, upward_export.JAKARTA).year


def _office_years(expo: Expo) -> list[int]:
    dates = Expo.objects.filter(office_id=expo.office_id).values_list("opens_at", flat=True)
    return sorted({timezone.localtime(d, upward_export.JAKARTA).year for d in dates}, reverse=True)


@require_safe
@organiser_required
def upward_expo(request: HttpRequest, slug: str) -> HttpResponse:
    expo = managed_expo(request, slug)
    since, earlier = _since(request, expo)
    report = upward.upward_report(expo, since=since)
    return render(
        request,
        "reports/upward.html",
        {
            **booth_selectors.organiser_header(expo),
            "report": report,
            "earlier": earlier,
            "since": since,
            "year": _year_of(expo),
            "jobs": selectors.report_jobs(expo=expo, kinds=UPWARD_KINDS),
        },
    )


@require_safe
@organiser_required
def upward_year(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    expo = managed_expo(request, slug)
    if not FIRST_YEAR <= year <= timezone.localdate().year + 5:
        raise Http404
    reports = upward.year_reports(expo.office_id, year, upward_export.JAKARTA)
    return render(
        request,
        "reports/upward_year.html",
        {
            **booth_selectors.organiser_header(expo),
            "reports": reports,
            "side": upward.side_by_side(reports),
            "year": year,
            "years": _office_years(expo),
            "columns": upward.channel_columns(),
            "jobs": selectors.report_jobs(expo=expo, kinds=UPWARD_KINDS),
        },
    )


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@require_safe
@organiser_required
def upward_expo_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    expo = managed_expo(request, slug)
    since, _earlier = _since(request, expo)
    report = upward.upward_report(expo, since=since)
    return _xlsx(upward_export.xlsx([report]), upward_export.filename(expo, "xlsx"))


@require_safe
@organiser_required
def upward_year_xlsx(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    expo = managed_expo(request, slug)
    reports = upward.year_reports(expo.office_id, year, upward_export.JAKARTA)
    return _xlsx(
        upward_export.xlsx(reports, with_expo=True),
        upward_export.filename(expo, "xlsx", year=year),
    )


@require_POST
@organiser_required
def upward_pdf(request: HttpRequest, slug: str, year: int | None = None) -> HttpResponse:
    """Queue the PDF (both languages) and follow it on the report job's page."""
    expo = managed_expo(request, slug)
    job = report_services.upward_report_request(expo=expo, by=request.user, year=year)
    return redirect("manage:reports:report_job", expo.slug, job.pk)
