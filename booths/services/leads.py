"""Leads: every buyer who did something at a booth, recorded by whoever saw it happen.

The live side (chat, private questions, meetings) and payments (orders, quotations) call
:func:`record`; booths cannot import them, so they tell it a kind, an id of their own and a
label. Recording is idempotent per ``(booth, buyer, kind, ref_id)`` and never fails the action
that called it for a buyer without an account (guests are not leads).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booths.models import Booth, Lead, LeadActivity
from expo import permissions
from expo.models import User
from expo.services import audit_log

Kind = LeadActivity.Kind
MAX_TAGS = 10
MAX_TAG_LENGTH = 30


def record(
    *,
    booth: Booth | int,
    buyer: Any,
    kind: str,
    ref_id: int = 0,
    label: str = "",
    at: datetime | None = None,
) -> Lead | None:
    """``buyer`` did ``kind`` at ``booth`` (``ref_id``: the chat room, inquiry, meeting, request
    or order it was, for counting each once). Vendor members acting at their own booth and
    guests are not leads. Returns the lead, or None when nobody was recorded."""
    if not getattr(buyer, "is_authenticated", False):
        return None
    if kind not in Kind.values:
        raise ValueError(f"unknown lead activity {kind!r}")
    if not isinstance(booth, Booth):
        booth = Booth.objects.only("pk", "vendor_id", "expo_id").get(pk=booth)
    if permissions.is_vendor_member(buyer, booth.vendor_id):
        return None
    now = at or timezone.now()
    with transaction.atomic():
        lead = _lead_for(booth, buyer, now)
        try:
            with transaction.atomic():
                LeadActivity.objects.create(
                    lead=lead, kind=kind, ref_id=ref_id or 0, label=label[:200], occurred_at=now
                )
        except IntegrityError:
            return lead  # counted already
        if now > lead.last_seen_at:
            Lead.objects.filter(pk=lead.pk).update(last_seen_at=now)
            lead.last_seen_at = now
    return lead


def _lead_for(booth: Booth, buyer: User, now: datetime) -> Lead:
    lead = Lead.objects.filter(booth=booth, buyer=buyer).first()
    if lead is not None:
        return lead
    try:
        with transaction.atomic():
            return Lead.objects.create(
                booth=booth,
                vendor_id=booth.vendor_id,
                expo_id=booth.expo_id,
                buyer=buyer,
                first_seen_at=now,
                last_seen_at=now,
            )
    except IntegrityError:  # the same buyer at the same moment from another request
        return Lead.objects.get(booth=booth, buyer=buyer)


def clean_tags(raw: str) -> str:
    """Comma-separated tags: trimmed, without repeats, at most ten of 30 characters."""
    seen: list[str] = []
    for part in raw.split(","):
        tag = " ".join(part.split())
        if not tag:
            continue
        if len(tag) > MAX_TAG_LENGTH:
            raise ValidationError(
                _("A tag is at most %(n)s characters long.") % {"n": MAX_TAG_LENGTH}, code="tags"
            )
        if tag.lower() not in {t.lower() for t in seen}:
            seen.append(tag)
    if len(seen) > MAX_TAGS:
        raise ValidationError(_("At most %(n)s tags.") % {"n": MAX_TAGS}, code="tags")
    return ", ".join(seen)


def lead_update(*, lead: Lead, by: User, rating: int, tags: str, note: str) -> Lead:
    """A member of the lead's vendor rates it (0–5), tags it and notes on it."""
    permissions.require(permissions.is_vendor_member(by, lead.vendor_id))
    if not 0 <= rating <= 5:
        raise ValidationError(_("Rate from 0 to 5."), code="rating")
    lead.rating = rating
    lead.tags = clean_tags(tags)
    lead.note = note.strip()[:4000]
    lead.save(update_fields=["rating", "tags", "note"])
    audit_log(action="booths.lead.updated", obj=lead, user=by, expo_id=lead.expo_id)
    return lead
