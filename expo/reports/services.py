"""Writes of the omzet reports: potential deals, API tokens and background PDF reports.

Each service checks its permission itself (views, tasks and admin all call it) and writes an audit
entry for each state change.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from booths.models import Booth, QuoteRequest
from expo import permissions
from expo.models import Expo, Office, User
from expo.reports.models import ApiToken, PotentialDeal, ReportJob
from expo.services import audit_log

logger = logging.getLogger(__name__)

MAX_ACTIVE_TOKENS = 20


@dataclass(frozen=True)
class DealInput:
    buyer_company: str
    buyer_country: str
    product: str
    estimated_value: int
    status: str
    note: str = ""
    # The request for quotation the deal came from, if any (the funnel then counts its
    # quotation instead of this estimate).
    quote_request_id: int | None = None


# What a vendor states about a deal: a change to any of these needs the deal verified again.
DEAL_TERMS = ("buyer_company", "buyer_country", "product", "estimated_value", "status")


def _terms(deal: PotentialDeal) -> tuple:
    return tuple(getattr(deal, name) for name in DEAL_TERMS)


def _apply(deal: PotentialDeal, data: DealInput) -> None:
    deal.buyer_company = data.buyer_company.strip()
    deal.buyer_country = data.buyer_country.upper()
    deal.product = data.product.strip()
    deal.estimated_value = data.estimated_value
    deal.status = data.status
    deal.note = data.note.strip()
    if (
        data.quote_request_id is not None
        and not QuoteRequest.objects.filter(
            pk=data.quote_request_id, vendor_id=deal.vendor_id, expo_id=deal.expo_id
        ).exists()
    ):
        raise ValidationError(
            _("Choose one of your requests for quotation at this expo."), code="quote_request"
        )
    deal.quote_request_id = data.quote_request_id
    deal.full_clean(exclude=["expo", "booth", "vendor", "verified_by", "created_by"])


@transaction.atomic
def deal_record(*, booth: Booth, data: DealInput, by: User) -> PotentialDeal:
    """A vendor member records a deal agreed at the expo where it has ``booth``."""
    permissions.require(permissions.is_vendor_member(by, booth.vendor_id))
    expo = booth.expo
    if timezone.now() < expo.opens_at:
        raise ValidationError(_("Deals can be recorded once the expo has opened."), code="not_open")
    deal = PotentialDeal(expo=expo, booth=booth, vendor_id=booth.vendor_id, created_by=by)
    _apply(deal, data)
    deal.save()
    audit_log(
        action="reports.deal.recorded",
        obj=deal,
        user=by,
        expo_id=expo.pk,
        value=deal.estimated_value,
    )
    return deal


@transaction.atomic
def deal_update(*, deal: PotentialDeal, data: DealInput, by: User) -> PotentialDeal:
    """The vendor changes its deal; a verified deal whose figures change needs verifying again."""
    deal = PotentialDeal.objects.select_for_update().get(pk=deal.pk)
    permissions.require(permissions.is_vendor_member(by, deal.vendor_id))
    before = _terms(deal)
    _apply(deal, data)
    if _terms(deal) != before and deal.verification != PotentialDeal.Verification.PENDING:
        deal.verification = PotentialDeal.Verification.PENDING
        deal.verified_by = None
        deal.verified_at = None
    deal.save(
        update_fields=[
            *DEAL_TERMS,
            "note",
            "quote_request",
            "verification",
            "verified_by",
            "verified_at",
            "updated_at",
        ]
    )
    audit_log(
        action="reports.deal.updated",
        obj=deal,
        user=by,
        expo_id=deal.expo_id,
        value=deal.estimated_value,
    )
    return deal


@transaction.atomic
def deal_verify(*, deal: PotentialDeal, verified: bool, note: str = "", by: User) -> PotentialDeal:
    """An organiser of the expo's office verifies (or rejects) a deal."""
    deal = PotentialDeal.objects.select_for_update().select_related("expo").get(pk=deal.pk)
    permissions.require(permissions.can_manage_office(by, deal.expo.office_id))
    deal.verification = (
        PotentialDeal.Verification.VERIFIED if verified else PotentialDeal.Verification.REJECTED
    )
    deal.verification_note = note.strip()[:255]
    deal.verified_by = by
    deal.verified_at = timezone.now()
    deal.save(
        update_fields=[
            "verification",
            "verification_note",
            "verified_by",
            "verified_at",
            "updated_at",
        ]
    )
    audit_log(action=f"reports.deal.{deal.verification}", obj=deal, user=by, expo_id=deal.expo_id)
    return deal


# --- API tokens ------------------------------------------------------------------------------------


@transaction.atomic
def api_token_create(*, office: Office, name: str, by: User) -> tuple[ApiToken, str]:
    """A new token for the office's data systems; the raw token is returned once, never stored."""
    permissions.require(permissions.can_manage_office(by, office.pk))
    name = name.strip()
    if not name:
        raise ValidationError(
            _("Give the token a name, such as the system that will use it."), code="name"
        )
    if ApiToken.objects.filter(office=office, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            _("This office already has %(n)d active tokens: revoke one first.")
            % {"n": MAX_ACTIVE_TOKENS},
            code="too_many",
        )
    raw, lookup, digest = ApiToken.generate()
    token = ApiToken.objects.create(
        office=office, name=name[:100], lookup=lookup, token_hash=digest, created_by=by
    )
    audit_log(action="reports.api_token.created", obj=token, user=by, office=office.pk)
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    permissions.require(permissions.can_manage_office(by, token.office_id))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = by
        token.save(update_fields=["revoked_at", "revoked_by"])
        audit_log(action="reports.api_token.revoked", obj=token, user=by, office=token.office_id)
    return token


# --- PDF reports in the background -----------------------------------------------------------------


@transaction.atomic
def report_request(*, expo: Expo, language: str, by: User) -> ReportJob:
    """Queue the PDF report of ``expo`` in ``language``; it is built by the worker."""
    permissions.require(permissions.can_manage_office(by, expo.office_id))
    if language not in ("en", "id"):
        raise ValidationError(_("Choose English or Bahasa Indonesia."), code="language")
    job = ReportJob.objects.create(expo=expo, language=language, requested_by=by, step=_("Queued"))
    audit_log(action="reports.pdf.requested", obj=job, user=by, expo_id=expo.pk, language=language)
    transaction.on_commit(lambda: build_report(job.pk))
    return job


@transaction.atomic
def upward_report_request(*, expo: Expo, by: User, year: int | None = None) -> ReportJob:
    """Queue the upward report of ``expo`` (or of its office's ``year``) as one PDF in both
    languages; it is built by the worker."""
    permissions.require(permissions.can_manage_office(by, expo.office_id))
    kind = ReportJob.Kind.UPWARD_YEAR if year else ReportJob.Kind.UPWARD
    job = ReportJob.objects.create(
        expo=expo, kind=kind, year=year, language="id+en", requested_by=by, step=_("Queued")
    )
    audit_log(action="reports.upward.requested", obj=job, user=by, expo_id=expo.pk, year=year)
    transaction.on_commit(lambda: build_report(job.pk))
    return job


def _progress(job_id: int, percent: int, step: str) -> None:
    ReportJob.objects.filter(pk=job_id).update(
        status=ReportJob.Status.RUNNING, progress=percent, step=str(step)[:120]
    )


def report_build(*, job_id: int) -> ReportJob:
    """Build a queued report (run by the worker), writing its progress as it goes."""
    from expo.reports import exports

    job = ReportJob.objects.select_related("expo").get(pk=job_id)
    if job.status == ReportJob.Status.DONE:
        return job
    _progress(job.pk, 5, _("Starting"))
    try:
        if job.kind == ReportJob.Kind.DASHBOARD:
            pdf = exports.render_pdf(
                job.expo, language=job.language, progress=lambda p, s: _progress(job.pk, p, s)
            )
        else:
            from expo.reports import upward_export

            pdf = upward_export.render_pdf(
                job.expo, year=job.year, progress=lambda p, s: _progress(job.pk, p, s)
            )
    except Exception as exc:
        logger.exception("report %s failed", job.pk)
        ReportJob.objects.filter(pk=job.pk).update(
            status=ReportJob.Status.FAILED, error=str(exc)[:255], finished_at=timezone.now()
        )
        raise
    ReportJob.objects.filter(pk=job.pk).update(
        status=ReportJob.Status.DONE, progress=100, step="", pdf=pdf, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


@db_task(retries=1, retry_delay=10)
def build_report(job_id: int) -> None:
    report_build(job_id=job_id)
