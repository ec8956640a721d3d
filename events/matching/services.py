"""Writes of business matching: the organisers' settings, the vendors' availability, and each step
of a meeting — request, accept, decline, propose another time, confirm, cancel, seat a colleague.

Every step locks the meeting's row, checks who may take it and in which status, writes the meeting
and its participant rows (which carry its times, for the database's overlap check), logs it, and
tells the other side (:mod:`events.matching.notify`). Two meetings of one vendor or one person
never overlap: the database refuses the second (exclusion constraints on PostgreSQL, unique starts
on SQLite, see :mod:`events.matching.models`); the loser gets a :class:`SlotTaken` or
:class:`Busy` refusal, never an error page.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booths.models import Booth
from booths.services import leads
from events.matching import notify, suggestions
from events.matching import selectors as matching
from events.matching.models import (
    ACTIVE_STATUSES,
    AGENDA_MAX_LENGTH,
    Meeting,
    MeetingParticipant,
    MeetingStatus,
)
from expo import buyers, permissions, timebox
from expo.models import Expo, User
from expo.refusals import Refused
from expo.services import audit_log

Side = MeetingParticipant.Side

# Requests a buyer may have waiting for an answer at once (one per vendor).
MAX_WAITING = 10


class SlotTaken(Refused):
    default_code = "slot_taken"


class Busy(Refused):
    default_code = "busy"


def _not_found() -> Refused:
    return Refused(_("There is no such meeting."), code="not_found")


def _require_login(user: Any) -> None:
    if not permissions.is_authenticated(user):
        raise Refused(_("Please sign in first."), code="login_required")


# --- Meetings ---------------------------------------------------------------------------------------


def _clean_agenda(agenda: Any) -> str:
    text = str(agenda or "").strip()
    if not text:
        raise ValidationError({"agenda": _("Say in a few words what you would like to discuss.")})
    if len(text) > AGENDA_MAX_LENGTH:
        raise ValidationError(
            {"agenda": _("At most %(limit)d characters.") % {"limit": AGENDA_MAX_LENGTH}}
        )
    return text


def _seat(meeting: Meeting, user_id: int, side: str, invited_by: Any = None) -> None:
    MeetingParticipant.objects.create(
        meeting=meeting,
        user_id=user_id,
        side=side,
        invited_by=invited_by,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        is_active=meeting.is_active,
    )


def _sync_participants(meeting: Meeting) -> None:
    MeetingParticipant.objects.filter(meeting=meeting).update(
        starts_at=meeting.starts_at, ends_at=meeting.ends_at, is_active=meeting.is_active
    )


def _pair_changed(meeting: Meeting) -> None:
    """A meeting of the pair was booked or cancelled: the organisers' suggestions learn it in
    this transaction (a pair with a meeting is not suggested; cancelled, it may be again). Last
    in the transaction: the expo's suggestions stay locked from here until it commits."""
    if meeting.status == MeetingStatus.CANCELLED:
        suggestions.suggestions_refresh(
            expo_ids=[meeting.expo_id], pairs=[(meeting.buyer_id, meeting.vendor_id)]
        )
    else:
        suggestions.suggestions_pair_met(
            expo_id=meeting.expo_id, buyer_id=meeting.buyer_id, vendor_id=meeting.vendor_id
        )


def _overlap_refusal(meeting: Meeting, buyer_id: int) -> Refused:
    """Which rule the database enforced, said plainly: the vendor's time is taken, or one of the
    people is in another meeting then."""
    for start, end in matching.vendor_busy(meeting.vendor_id, exclude=meeting.pk or None):
        if start < meeting.ends_at and meeting.starts_at < end:
            return SlotTaken(_("Sorry, someone else has just taken this time. Choose another."))
    for start, end in matching.person_busy(buyer_id, exclude=meeting.pk or None):
        if start < meeting.ends_at and meeting.starts_at < end:
            return Busy(_("The buyer already has another meeting at this time."))
    return Busy(_("Someone in this meeting already has another meeting at this time."))


def _require_free_person(
    user_id: int, starts_at: datetime, ends_at: datetime, *, yours: bool = False, exclude=None
) -> None:
    """The service's own check that a person has no other meeting then (the database checks it
    again at the write)."""
    for start, end in matching.person_busy(user_id, exclude=exclude):
        if start < ends_at and starts_at < end:
            if yours:
                raise Busy(_("You already have another meeting at this time."))
            raise Busy(_("Someone in this meeting already has another meeting at this time."))


def _require_few_waiting(buyer: Any, vendor_id: int) -> None:
    """A buyer's requests wait one per vendor and at most :data:`MAX_WAITING` in all, so that
    nobody holds many vendors' times while they decide. A request whose time has passed
    unanswered waits for nothing any more and does not count."""
    waiting = Meeting.objects.filter(
        buyer=buyer, status=MeetingStatus.REQUESTED, starts_at__gt=timezone.now()
    )
    if waiting.filter(vendor_id=vendor_id).exists():
        raise Refused(
            _("You already asked this vendor for a meeting: wait for the answer, or cancel it."),
            code="already_requested",
        )
    if waiting.count() >= MAX_WAITING:
        raise Refused(
            _("You have %(count)d requests waiting for an answer: wait, or cancel one.")
            % {"count": MAX_WAITING},
            code="too_many",
        )


def _require_time(expo: Expo, starts_at: datetime) -> None:
    if not timebox.allows(expo, timebox.Action.VIEW_HALL) or timezone.now() >= expo.closes_at:
        raise Refused(_("Meetings cannot be arranged at this expo now."), code="closed")
    if starts_at <= timezone.now():
        raise Refused(_("This time has passed. Choose another."), code="slot_passed")


def meeting_request(*, booth: Booth, starts_at: datetime, agenda: Any, by: Any) -> Meeting:
    """A buyer asks ``booth``'s vendor for the slot starting at ``starts_at``, with an agenda.
    Needs a business profile whose consent stands (the vendor sees it from now on). Refused with
    :class:`SlotTaken` when another buyer got the time first, :class:`Busy` when the buyer has
    another meeting then."""
    _require_login(by)
    expo = booth.expo
    if not booth.is_active:
        raise _not_found()
    if permissions.is_vendor_member(by, booth.vendor_id):
        raise Refused(_("This is your own booth."), code="forbidden")
    if not buyers.is_ready_to_meet(by):
        raise Refused(
            _("Fill in your business profile and agree to share it before requesting a meeting."),
            code="profile_required",
        )
    agenda = _clean_agenda(agenda)
    _require_time(expo, starts_at)
    try:
        # The check and the write in one transaction: on SQLite it holds the database's write lock
        # from its start (transaction_mode IMMEDIATE), on PostgreSQL the constraints decide.
        with transaction.atomic():
            return _request(booth, starts_at, agenda, by)
    except IntegrityError:
        trial = Meeting(vendor_id=booth.vendor_id, starts_at=starts_at, ends_at=starts_at)
        window = matching.window_of(expo)
        trial.ends_at = starts_at + (window.length if window else timedelta(0))
        raise _overlap_refusal(trial, by.pk) from None


def _request(booth: Booth, starts_at: datetime, agenda: str, by: Any) -> Meeting:
    expo = booth.expo
    slot = matching.find_slot(expo=expo, vendor_id=booth.vendor_id, starts_at=starts_at)
    if slot is None:
        raise SlotTaken(_("This time is no longer free. Choose another."))
    _require_free_person(by.pk, slot.starts_at, slot.ends_at, yours=True)
    _require_few_waiting(by, booth.vendor_id)
    meeting = Meeting(
        expo=expo,
        vendor_id=booth.vendor_id,
        booth=booth,
        buyer=by,
        status=MeetingStatus.REQUESTED,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        agenda=agenda,
        proposed_by=by,
        buyer_agreed_at=timezone.now(),
    )
    meeting.save()
    _seat(meeting, by.pk, Side.BUYER)
    _seat(meeting, min(slot.member_ids), Side.VENDOR)
    audit_log(action="events.meeting.requested", obj=meeting, user=by, expo_id=expo.pk)
    buyers.buyer_contact_record(buyer=by, vendor_id=booth.vendor_id, via=f"meeting:{meeting.pk}")
    leads.record(booth=booth, buyer=by, kind=leads.Kind.MEETING, ref_id=meeting.pk)  # a lead
    notify.meeting_step(meeting, "requested", by=by)
    _pair_changed(meeting)
    return meeting


def _locked(meeting: Meeting) -> Meeting:
    locked = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("expo", "expo__office", "vendor", "booth", "buyer")
        .get(pk=meeting.pk)
    )
    return locked


def _require_side(meeting: Meeting, by: Any, side: str) -> None:
    _require_login(by)
    if not matching.may_see(by, meeting):
        raise _not_found()
    if matching.side_of(by, meeting) != side:
        raise Refused(_("Only the other side can do this."), code="forbidden")


def _require_status(meeting: Meeting, *statuses: str) -> None:
    if meeting.status not in statuses:
        raise Refused(
            _("This meeting is %(status)s: this step is no longer possible.")
            % {"status": meeting.get_status_display().lower()},
            code="wrong_status",
        )


def _save(meeting: Meeting, *fields: str) -> None:
    meeting.save(update_fields=[*fields, "updated_at"])


@transaction.atomic
def meeting_accept(*, meeting: Meeting, by: Any) -> Meeting:
    """The vendor accepts the buyer's request (or an organiser's proposal): confirmed once the
    buyer agreed too."""
    meeting = _locked(meeting)
    _require_side(meeting, by, "vendor")
    _require_status(meeting, MeetingStatus.REQUESTED, MeetingStatus.PROPOSED)
    if meeting.vendor_agreed_at is not None:
        raise Refused(_("You already agreed; waiting for the buyer."), code="wrong_status")
    _require_time(meeting.expo, meeting.starts_at)
    meeting.vendor_agreed_at = timezone.now()
    fields = ["vendor_agreed_at"]
    if meeting.buyer_agreed_at is not None:
        meeting.status = MeetingStatus.CONFIRMED
        fields.append("status")
    _save(meeting, *fields)
    audit_log(action="events.meeting.accepted", obj=meeting, user=by, expo_id=meeting.expo_id)
    notify.meeting_step(meeting, "confirmed" if meeting.status == "confirmed" else "agreed", by=by)
    return meeting


@transaction.atomic
def meeting_confirm(*, meeting: Meeting, by: Any) -> Meeting:
    """The buyer agrees to the time the vendor (or an organiser) proposed: confirmed once the
    vendor agreed too."""
    meeting = _locked(meeting)
    _require_side(meeting, by, "buyer")
    _require_status(meeting, MeetingStatus.PROPOSED)
    if meeting.buyer_agreed_at is not None:
        raise Refused(_("You already agreed; waiting for the vendor."), code="wrong_status")
    _require_time(meeting.expo, meeting.starts_at)
    meeting.buyer_agreed_at = timezone.now()
    fields = ["buyer_agreed_at"]
    # An organiser's proposal the buyer takes up: from now on the vendor may see their profile.
    buyers.buyer_contact_record(buyer=by, vendor_id=meeting.vendor_id, via=f"meeting:{meeting.pk}")
    if meeting.vendor_agreed_at is not None:
        meeting.status = MeetingStatus.CONFIRMED
        fields.append("status")
    _save(meeting, *fields)
    audit_log(action="events.meeting.confirmed", obj=meeting, user=by, expo_id=meeting.expo_id)
    notify.meeting_step(meeting, "confirmed" if meeting.status == "confirmed" else "agreed", by=by)
    return meeting


def _clean_reason(reason: Any, *, required: bool) -> str:
    text = " ".join(str(reason or "").split())[:300]
    if required and not text:
        raise ValidationError({"reason": _("Give the buyer a short reason.")})
    return text


@transaction.atomic
def meeting_decline(*, meeting: Meeting, by: Any, reason: Any) -> Meeting:
    """The vendor declines a request, with a reason the buyer reads."""
    meeting = _locked(meeting)
    _require_side(meeting, by, "vendor")
    _require_status(meeting, MeetingStatus.REQUESTED, MeetingStatus.PROPOSED)
    meeting.reason = _clean_reason(reason, required=True)
    meeting.status = MeetingStatus.DECLINED
    meeting.ended_by = by
    _save(meeting, "status", "reason", "ended_by")
    _sync_participants(meeting)
    audit_log(action="events.meeting.declined", obj=meeting, user=by, expo_id=meeting.expo_id)
    notify.meeting_step(meeting, "declined", by=by)
    return meeting


def meeting_propose(*, meeting: Meeting, by: Any, starts_at: datetime) -> Meeting:
    """The vendor proposes another of its free slots instead; the buyer then confirms (or
    cancels). The new time is held from now on; the old one is freed."""
    try:
        with transaction.atomic():
            return _propose(meeting, by, starts_at)
    except IntegrityError:
        meeting.refresh_from_db()
        trial = Meeting(
            pk=meeting.pk,
            vendor_id=meeting.vendor_id,
            starts_at=starts_at,
            ends_at=starts_at + (meeting.ends_at - meeting.starts_at),
        )
        raise _overlap_refusal(trial, meeting.buyer_id) from None


def _propose(meeting: Meeting, by: Any, starts_at: datetime) -> Meeting:
    meeting = _locked(meeting)
    _require_side(meeting, by, "vendor")
    _require_status(meeting, MeetingStatus.REQUESTED, MeetingStatus.PROPOSED)
    _require_time(meeting.expo, starts_at)
    slot = matching.find_slot(
        expo=meeting.expo,
        vendor_id=meeting.vendor_id,
        starts_at=starts_at,
        exclude_meeting=meeting.pk,
    )
    if slot is None or starts_at == meeting.starts_at:
        raise SlotTaken(_("Choose another free time of yours."))
    for seat in MeetingParticipant.objects.filter(meeting=meeting).exclude(side=Side.VENDOR):
        _require_free_person(seat.user_id, slot.starts_at, slot.ends_at, exclude=meeting.pk)
    meeting.starts_at, meeting.ends_at = slot.starts_at, slot.ends_at
    meeting.status = MeetingStatus.PROPOSED
    meeting.proposed_by = by
    meeting.vendor_agreed_at, meeting.buyer_agreed_at = timezone.now(), None
    _save(
        meeting,
        "starts_at",
        "ends_at",
        "status",
        "proposed_by",
        "vendor_agreed_at",
        "buyer_agreed_at",
    )
    _sync_participants(meeting)
    audit_log(
        action="events.meeting.proposed",
        obj=meeting,
        user=by,
        expo_id=meeting.expo_id,
        starts_at=meeting.starts_at.isoformat(),
    )
    notify.meeting_step(meeting, "proposed", by=by)
    return meeting


def cancel_deadline(meeting: Meeting) -> datetime | None:
    """Until when a confirmed meeting can be cancelled (None: matching was turned off since)."""
    window = matching.window_of(meeting.expo)
    cutoff = window.cancel_cutoff if window is not None else timedelta(0)
    return meeting.starts_at - cutoff


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, by: Any, reason: Any = "") -> Meeting:
    """Either side calls it off: a request or a proposal any time before it starts, a confirmed
    meeting only up to the expo's cut-off before its start."""
    meeting = _locked(meeting)
    _require_login(by)
    if not matching.may_see(by, meeting):
        raise _not_found()
    if matching.side_of(by, meeting) is None:
        raise Refused(_("Only the buyer or the vendor can cancel."), code="forbidden")
    _require_status(meeting, *ACTIVE_STATUSES)
    now = timezone.now()
    deadline = cancel_deadline(meeting) if meeting.status == MeetingStatus.CONFIRMED else None
    if now >= meeting.starts_at or (deadline is not None and now >= deadline):
        raise Refused(
            _("It is too late to cancel: the meeting starts soon. Tell the other side in chat."),
            code="too_late",
        )
    meeting.status = MeetingStatus.CANCELLED
    meeting.reason = _clean_reason(reason, required=False)
    meeting.ended_by = by
    _save(meeting, "status", "reason", "ended_by")
    _sync_participants(meeting)
    audit_log(action="events.meeting.cancelled", obj=meeting, user=by, expo_id=meeting.expo_id)
    notify.meeting_step(meeting, "cancelled", by=by)
    _pair_changed(meeting)
    return meeting


def meeting_seat(*, meeting: Meeting, by: Any, email: str) -> MeetingParticipant:
    """Bring someone to the meeting: a vendor member brings a colleague (another member), the
    buyer an interpreter (any account). At most four people; nobody in two meetings at once."""
    try:
        with transaction.atomic():
            return _seat_one(meeting, by, email)
    except IntegrityError:
        raise Busy(_("This person already has another meeting at this time.")) from None


def _seat_one(meeting: Meeting, by: Any, email: str) -> MeetingParticipant:
    meeting = _locked(meeting)
    _require_login(by)
    if not matching.may_see(by, meeting):
        raise _not_found()
    side = matching.side_of(by, meeting)
    if side is None:
        raise Refused(_("Only the buyer or the vendor can bring someone."), code="forbidden")
    _require_status(meeting, *ACTIVE_STATUSES)
    guest = User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
    if guest is None:
        raise ValidationError({"email": _("There is no account with this e-mail address.")})
    if side == "vendor" and not permissions.is_vendor_member(guest, meeting.vendor_id):
        raise ValidationError({"email": _("Only members of your business can join your side.")})
    if side == "buyer" and permissions.is_vendor_member(guest, meeting.vendor_id):
        raise ValidationError({"email": _("This person is on the vendor's side.")})
    seats = MeetingParticipant.objects.filter(meeting=meeting)
    if seats.filter(user=guest).exists():
        raise ValidationError({"email": _("This person is already in the meeting.")})
    if seats.count() >= MeetingParticipant.MAX_PEOPLE:
        raise Refused(_("A meeting has room for four people."), code="full")
    _require_free_person(guest.pk, meeting.starts_at, meeting.ends_at)
    _seat(meeting, guest.pk, side, invited_by=by)
    audit_log(
        action="events.meeting.seated",
        obj=meeting,
        user=by,
        expo_id=meeting.expo_id,
        guest=guest.pk,
    )
    return MeetingParticipant.objects.get(meeting=meeting, user=guest)


@transaction.atomic
def meeting_set_link(*, meeting: Meeting, by: Any, url: str) -> Meeting:
    """The vendor gives an external meeting link (where the browser cannot call), or clears it."""
    meeting = _locked(meeting)
    _require_side(meeting, by, "vendor")
    url = (url or "").strip()
    if url and not url.startswith("https://"):
        raise ValidationError({"external_link": _("A meeting link must start with https://.")})
    meeting.external_link = url
    meeting.full_clean(
        exclude=[f.name for f in Meeting._meta.fields if f.name != "external_link"],
        validate_constraints=False,
    )
    _save(meeting, "external_link")
    audit_log(action="events.meeting.link_set", obj=meeting, user=by, expo_id=meeting.expo_id)
    return meeting


def meeting_arrange(
    *, booth: Booth, buyer: User, starts_at: datetime, agenda: Any, by: Any
) -> Meeting:
    """An organiser of the expo proposes a meeting between a (hosted) buyer and ``booth``'s vendor
    at one of its free slots: ``proposed``, and confirmed once both sides agreed (the vendor with
    :func:`meeting_accept`, the buyer with :func:`meeting_confirm`). Both sides are told. Refused
    like a buyer's request when the time is taken or the buyer is busy then."""
    _require_login(by)
    expo = booth.expo
    permissions.require(permissions.can_manage_office(by, expo.office_id))
    if not booth.is_active:
        raise _not_found()
    if permissions.is_vendor_member(buyer, booth.vendor_id):
        raise Refused(_("This person is on the vendor's side."), code="forbidden")
    agenda = _clean_agenda(agenda)
    _require_time(expo, starts_at)
    try:
        with transaction.atomic():
            return _arrange(booth, buyer, starts_at, agenda, by)
    except IntegrityError:
        trial = Meeting(vendor_id=booth.vendor_id, starts_at=starts_at, ends_at=starts_at)
        window = matching.window_of(expo)
        trial.ends_at = starts_at + (window.length if window else timedelta(0))
        raise _overlap_refusal(trial, buyer.pk) from None


def _arrange(booth: Booth, buyer: User, starts_at: datetime, agenda: str, by: Any) -> Meeting:
    slot = matching.find_slot(expo=booth.expo, vendor_id=booth.vendor_id, starts_at=starts_at)
    if slot is None:
        raise SlotTaken(_("This time is no longer free. Choose another."))
    _require_free_person(buyer.pk, slot.starts_at, slot.ends_at)
    meeting = Meeting.objects.create(
        expo=booth.expo,
        vendor_id=booth.vendor_id,
        booth=booth,
        buyer=buyer,
        status=MeetingStatus.PROPOSED,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        agenda=agenda,
        proposed_by=by,
    )
    _seat(meeting, buyer.pk, Side.BUYER)
    _seat(meeting, min(slot.member_ids), Side.VENDOR)
    audit_log(action="events.meeting.arranged", obj=meeting, user=by, expo_id=booth.expo_id)
    notify.tell(meeting, "arranged", sides=["buyer", "vendor"])
    _pair_changed(meeting)
    return meeting
