"""Reads of the report pages that are not figures: deals, report jobs, API tokens and the expos an
office can compare. The figures themselves are :mod:`expo.reports.figures`.

Every lookup goes *through* what the page's gate has already checked (the expo, its office, the
vendor), so another office's or another vendor's row is never found: the view answers 404.
"""

from __future__ import annotations

from django.db.models import QuerySet

from booths.models import Booth, Vendor
from expo.models import Expo
from expo.reports.models import ApiToken, PotentialDeal, ReportJob

# --- Deals -----------------------------------------------------------------------------------------


def expo_deals(*, expo: Expo, verification: str = "") -> QuerySet[PotentialDeal]:
    """The expo's potential deals, newest first, with their vendor and verifier; only those of one
    verification state when ``verification`` names one."""
    rows = PotentialDeal.objects.filter(expo=expo).select_related("vendor", "verified_by")
    if verification in PotentialDeal.Verification.values:
        rows = rows.filter(verification=verification)
    return rows


def expo_deal(*, expo: Expo, deal_id: int) -> PotentialDeal | None:
    return PotentialDeal.objects.filter(pk=deal_id, expo=expo).first()


def vendor_deals(*, vendor: Vendor) -> list[PotentialDeal]:
    """The vendor's own deals at every expo, newest first."""
    return list(
        PotentialDeal.objects.filter(vendor=vendor).select_related("expo").order_by("-created_at")
    )


def vendor_deal(*, vendor: Vendor, deal_id: int) -> PotentialDeal | None:
    return PotentialDeal.objects.select_related("expo").filter(pk=deal_id, vendor=vendor).first()


def vendor_booths(*, vendor: Vendor) -> QuerySet[Booth]:
    """The vendor's booths, latest expo first: where it can record a deal."""
    return Booth.objects.filter(vendor=vendor).select_related("expo").order_by("-expo__opens_at")


# --- PDF reports -----------------------------------------------------------------------------------


def report_jobs(
    *, expo: Expo, limit: int = 10, kinds: tuple[str, ...] = (ReportJob.Kind.DASHBOARD,)
) -> QuerySet[ReportJob]:
    """The expo's latest report jobs of these ``kinds``, without their PDFs."""
    return ReportJob.objects.filter(expo=expo, kind__in=kinds).defer("pdf")[:limit]


def report_job(*, expo: Expo, job_id: int) -> ReportJob | None:
    return ReportJob.objects.defer("pdf").filter(pk=job_id, expo=expo).first()


def report_pdf(*, job: ReportJob) -> bytes:
    """The built PDF of ``job`` (read only for a download)."""
    return bytes(ReportJob.objects.values_list("pdf", flat=True).get(pk=job.pk))


# --- Comparison and API tokens ---------------------------------------------------------------------


def compared_expos(
    *, expo: Expo, chosen: set[str], limit: int, offered: int = 50
) -> tuple[list[Expo], list[Expo]]:
    """The other expos of ``expo``'s office that can be compared with it (the latest ``offered``),
    and those picked: the ``chosen`` slugs, else the latest; at most ``limit`` with ``expo``."""
    latest = Expo.objects.filter(office_id=expo.office_id).order_by("-opens_at")[:offered]
    others = [e for e in latest if e.pk != expo.pk]
    picked = [e for e in others if e.slug in chosen] if chosen else others
    return others, picked[: limit - 1]


def office_tokens(*, office_id: int) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(office_id=office_id).select_related("created_by")


def office_token(*, office_id: int, token_id: int) -> ApiToken | None:
    return ApiToken.objects.filter(pk=token_id, office_id=office_id).first()
