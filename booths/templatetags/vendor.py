"""Template helpers of the vendor workspace: status badges and links to private documents."""

from __future__ import annotations

import re

from django import template
from django.urls import NoReverseMatch, reverse

from booths.models import BoothApplication

register = template.Library()

STATUS_BADGES = {
    BoothApplication.Status.SUBMITTED: "badge-role",
    BoothApplication.Status.CHANGES_REQUESTED: "badge-warning",
    BoothApplication.Status.APPROVED: "badge-success",
    BoothApplication.Status.REJECTED: "badge-danger",
    BoothApplication.Status.WITHDRAWN: "",
}


@register.filter
def status_badge(status: str) -> str:
    """The badge class of an application status."""
    return STATUS_BADGES.get(status, "")


@register.simple_tag
def document_url(application: BoothApplication, kind: str, photo_id: int | None = None) -> str:
    """The organisers' private document view (``manage:application_document``), which lets the
    vendor's members through; ``kind`` is ``nib``, ``permit``, ``halal`` or ``photos`` (with
    ``photo_id``). Empty when that view is not installed, so the page still renders."""
    args: list[object] = [application.pk, kind]
    if photo_id is not None:
        args.append(photo_id)
    try:
        return reverse("manage:application_document", args=args)
    except NoReverseMatch:
        return ""


@register.simple_tag
def document_photo_url(application: BoothApplication, photo: object) -> str:
    return document_url(application, "photos", photo.pk)  # type: ignore[attr-defined]


@register.filter
def phone(number: str | None) -> str:
    """A stored WhatsApp number for people: ``6281234567890`` → ``+62 812-3456-7890``."""
    digits = re.sub(r"\D", "", number or "")
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    if not digits:
        return ""
    if digits.startswith("62") and len(digits) >= 10:
        rest = digits[2:]
        return f"+62 {rest[:3]}-{rest[3:7]}-{rest[7:]}".rstrip("-")
    return f"+{digits}"


@register.filter
def oneline(text: str | None) -> str:
    """Whitespace (newlines too) collapsed to single spaces: for e-mail subjects."""
    return " ".join(str(text or "").split())
