"""The organisers' decisions on booth applications: approve (which opens the booth), reject, or
ask for changes. Each needs the expo's office and the curation window, and tells the vendor."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booths import catalogue
from booths.models import Booth, BoothApplication
from booths.services.common import unique_slug
from booths.services.grading import rubric_citation
from expo import permissions, timebox
from expo.models import Expo, User
from expo.services import audit_log, send_templated_email
from expo.signals import happened

DECISION_FIELDS = ["status", "decided_by", "decided_at", "decision_reason", "updated_at"]


def _lock_for_decision(application: BoothApplication, by: User) -> tuple[BoothApplication, Expo]:
    # Lock the expo row first: approvals of one expo then queue up and the quota holds.
    expo = Expo.objects.select_for_update().get(pk=application.expo_id)
    permissions.require(permissions.can_manage_office(by, expo.office_id))
    timebox.require(expo, timebox.Action.CURATE)
    application = (
        BoothApplication.objects.select_for_update().select_related("vendor").get(pk=application.pk)
    )
    if application.status not in (
        BoothApplication.Status.SUBMITTED,
        BoothApplication.Status.CHANGES_REQUESTED,
    ):
        raise ValidationError(_("This application has already been decided."))
    return application, expo


def _notify_vendor(application: BoothApplication, template: str) -> None:
    context = {"application": application, "expo": application.expo, "vendor": application.vendor}
    for membership in application.vendor.memberships.select_related("user"):
        send_templated_email(to=membership.user, template=template, context=context)
    happened.send(sender=BoothApplication, event="booths.application.decided", obj=application)


@transaction.atomic
def application_approve(
    *, application: BoothApplication, by: User, cite_rubric: bool = False
) -> Booth:
    """Approve an application within the expo's booth quota: its booth opens (hidden until the
    hall is public), described by the vendor's story; the vendor is told. With ``cite_rubric``
    the decision quotes the application's rubric score and grade."""
    application, expo = _lock_for_decision(application, by)
    if expo.booths.count() >= expo.booth_quota:
        raise ValidationError(
            _("The booth quota of this expo (%(quota)s) is reached."),
            params={"quota": expo.booth_quota},
        )
    application.status = BoothApplication.Status.APPROVED
    application.decided_by = by
    application.decided_at = timezone.now()
    application.decision_reason = rubric_citation(application) if cite_rubric else ""
    application.save(update_fields=DECISION_FIELDS)
    vendor = application.vendor
    booth = Booth.objects.create(
        expo=expo,
        vendor=vendor,
        application=application,
        slug=unique_slug(Booth, vendor.name, expo=expo),
        is_halal=application.is_halal,
        description_en=vendor.story,
        description_id=vendor.story,
    )
    audit_log(
        action="booths.application.approved",
        obj=application,
        user=by,
        expo_id=expo.pk,
        **({"reason": application.decision_reason} if application.decision_reason else {}),
    )
    _notify_vendor(application, "booths/email/application_approved")
    catalogue.bump(expo.pk)
    return booth


def _decide(
    *,
    application: BoothApplication,
    by: User,
    reason: str,
    status: str,
    missing_reason: str,
    cite_rubric: bool = False,
) -> BoothApplication:
    """Reject or ask for changes: both need a reason the vendor reads, and both notify it; with
    ``cite_rubric`` the reason ends with the application's rubric score and grade."""
    if not reason.strip():
        raise ValidationError(missing_reason)
    application, expo = _lock_for_decision(application, by)
    application.status = status
    citation = rubric_citation(application) if cite_rubric else ""
    application.decision_reason = "\n\n".join(filter(None, [reason.strip(), citation]))
    application.decided_by = by
    application.decided_at = timezone.now()
    application.save(update_fields=DECISION_FIELDS)
    audit_log(
        action=f"booths.application.{status}",
        obj=application,
        user=by,
        expo_id=expo.pk,
        reason=application.decision_reason,
    )
    _notify_vendor(application, f"booths/email/application_{status}")
    return application


@transaction.atomic
def application_reject(
    *, application: BoothApplication, by: User, reason: str, cite_rubric: bool = False
) -> BoothApplication:
    """Decline an application, with the reason the vendor reads."""
    return _decide(
        application=application,
        by=by,
        reason=reason,
        cite_rubric=cite_rubric,
        status=BoothApplication.Status.REJECTED,
        missing_reason=_("Give the vendor a reason for the rejection."),
    )


@transaction.atomic
def application_request_changes(
    *, application: BoothApplication, by: User, reason: str, cite_rubric: bool = False
) -> BoothApplication:
    """Send an application back to the vendor with what to change; it may resubmit while the expo
    takes applications."""
    return _decide(
        application=application,
        by=by,
        reason=reason,
        cite_rubric=cite_rubric,
        status=BoothApplication.Status.CHANGES_REQUESTED,
        missing_reason=_("Tell the vendor what to change."),
    )
