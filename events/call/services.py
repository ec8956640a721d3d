"""Writes after a meeting: each side marks it held or a no-show, and the vendor records what came
of it (interested, a sample, a quotation to send, a deal with its potential value in rupiah).

The meeting's status follows the marks: ``held`` as soon as one side says it was held, ``no_show``
while every mark so far says the other side did not come. Both marks are kept, so the organisers
can see a disagreement. A deal's value is a potential deal: the reports count it apart from omzet
(``expo/reports/figures/meetings.py``), never as money received.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events.matching.models import (
    Meeting,
    MeetingMark,
    MeetingOutcome,
    MeetingParticipant,
    MeetingStatus,
)
from expo import permissions
from expo.models import User
from expo.refusals import Refused
from expo.services import audit_log

# The largest potential deal one meeting may record (Rp 1 trillion): a typo guard, not a rule.
MAX_DEAL_VALUE = 10**12
MARKABLE = (MeetingStatus.CONFIRMED, MeetingStatus.HELD, MeetingStatus.NO_SHOW)


def _side(meeting: Meeting, user: Any) -> str | None:
    """``vendor`` or ``buyer`` for a person who may mark the meeting, else None. The vendor's side
    is any member of its vendor; the buyer's the buyer and the people they brought."""
    if not permissions.is_authenticated(user):
        return None
    if permissions.is_vendor_member(user, meeting.vendor_id):
        return MeetingParticipant.Side.VENDOR
    if user.pk == meeting.buyer_id:
        return MeetingParticipant.Side.BUYER
    seat = MeetingParticipant.objects.filter(meeting=meeting, user=user).values("side").first()
    if seat is not None and seat["side"] == MeetingParticipant.Side.BUYER:
        return MeetingParticipant.Side.BUYER
    return None


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def _require_started(meeting: Meeting) -> None:
    if meeting.status not in MARKABLE:
        raise Refused(_("Only a confirmed meeting can be marked."), code="meeting_state")
    if timezone.now() < meeting.starts_at:
        raise Refused(_("A meeting can be marked once it has started."), code="meeting_not_started")


def _status_of(meeting: Meeting) -> str:
    marks = {meeting.vendor_mark, meeting.buyer_mark} - {""}
    if not marks:
        return MeetingStatus.CONFIRMED
    return MeetingStatus.HELD if MeetingMark.HELD in marks else MeetingStatus.NO_SHOW


def meeting_mark(*, meeting: Meeting, by: User, mark: Any) -> Meeting:
    """Record ``by``'s side's word on the meeting: ``held``, or ``no_show`` (the other side did not
    come). Either side may change its own mark; the status follows (see the module)."""
    side = _side(meeting, by)
    if side is None:
        raise Refused(_("Only the vendor and the buyer can mark this meeting."), code="forbidden")
    if mark not in MeetingMark.values:
        raise ValidationError(_("Choose held or no-show."), code="mark_invalid")
    with transaction.atomic():
        meeting = _locked(meeting)
        _require_started(meeting)
        field = "vendor_mark" if side == MeetingParticipant.Side.VENDOR else "buyer_mark"
        setattr(meeting, field, mark)
        meeting.status = _status_of(meeting)
        meeting.save(update_fields=[field, "status", "updated_at"])
        audit_log(
            action="events.meeting.marked",
            obj=meeting,
            user=by,
            expo_id=meeting.expo_id,
            side=side,
            mark=mark,
        )
    return meeting


def clean_deal_value(value: Any) -> int:
    """Whole rupiah, more than zero; "Rp 12.500.000", "12,500,000" and "12500000" all read as
    12,500,000 (the separators of both languages are dropped)."""
    if isinstance(value, bool):
        value = ""
    if isinstance(value, int):
        number = value
    else:
        text = str(value or "").strip().removeprefix("Rp").replace(".", "").replace(",", "")
        text = text.replace(" ", "").replace("\u00a0", "")
        if not text.isdigit() or not text.isascii():
            raise ValidationError(
                _("Enter the potential deal in whole rupiah, such as 12500000."),
                code="deal_value_invalid",
            )
        number = int(text)
    if number <= 0 or number > MAX_DEAL_VALUE:
        raise ValidationError(
            _("Enter the potential deal in whole rupiah, such as 12500000."),
            code="deal_value_invalid",
        )
    return number


def meeting_outcome_record(
    *, meeting: Meeting, by: User, outcome: Any, deal_value: Any = None
) -> Meeting:
    """The vendor's record of what came of a meeting; for a deal its potential value in rupiah
    (required), otherwise none. A meeting the vendor has not marked yet is marked held (an outcome
    means it took place); one the vendor marked a no-show cannot have an outcome."""
    if _side(meeting, by) != MeetingParticipant.Side.VENDOR:
        raise Refused(_("Only the vendor records what came of a meeting."), code="forbidden")
    if outcome not in MeetingOutcome.values:
        raise ValidationError(_("Choose what came of the meeting."), code="outcome_invalid")
    value = clean_deal_value(deal_value) if outcome == MeetingOutcome.DEAL else None
    with transaction.atomic():
        meeting = _locked(meeting)
        _require_started(meeting)
        if meeting.vendor_mark == MeetingMark.NO_SHOW:
            raise Refused(
                _("You marked this meeting as a no-show: mark it held first."),
                code="meeting_state",
            )
        meeting.vendor_mark = MeetingMark.HELD
        meeting.status = _status_of(meeting)
        meeting.outcome = outcome
        meeting.deal_value = value
        meeting.save(update_fields=["vendor_mark", "status", "outcome", "deal_value", "updated_at"])
        audit_log(
            action="events.meeting.outcome",
            obj=meeting,
            user=by,
            expo_id=meeting.expo_id,
            outcome=outcome,
            deal_value=value,
        )
    return meeting
