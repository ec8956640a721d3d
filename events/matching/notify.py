"""Telling the other side of a meeting: the bell and an e-mail in each recipient's language and time
zone (the confirmed meeting's e-mail carries its ``.ics``), and the reminder before it starts.

Called by :mod:`events.matching.services` inside the step's transaction: the bell's rows are
written with it, the e-mails leave once it commits (``send_templated_email``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from booths.models import VendorMembership
from events import ics
from events.bell.services import notification_send
from events.matching.models import Meeting, MeetingParticipant, MeetingStatus
from events.models import Notification
from expo.models import User
from expo.services import send_templated_email

logger = logging.getLogger(__name__)

REMINDER_LEAD = timedelta(minutes=15)

# Which side hears of each step: the other side from who took it, except the reminder (both).
STEPS = (
    "requested",
    "arranged",
    "agreed",
    "confirmed",
    "proposed",
    "declined",
    "cancelled",
    "reminder",
)


def buyer_label(meeting: Meeting) -> str:
    """How the vendor's side names the buyer: the company the buyer gave, else the name."""
    profile = getattr(meeting.buyer, "buyer_profile", None)
    company = profile.company if profile is not None else ""
    name = meeting.buyer.get_full_name()
    return f"{name} ({company})" if company else name


def recipients(meeting: Meeting, *, side: str) -> list[User]:
    """The active people of one side: the buyer and the buyer's guests, or the vendor's members
    and anyone seated on its side."""
    seated = MeetingParticipant.objects.filter(meeting=meeting, side=side).values("user_id")
    people = User.objects.filter(pk__in=seated, is_active=True)
    if side == MeetingParticipant.Side.VENDOR:
        members = VendorMembership.objects.filter(vendor_id=meeting.vendor_id).values("user_id")
        people = User.objects.filter(is_active=True, pk__in=members) | people
    else:
        people = User.objects.filter(is_active=True, pk=meeting.buyer_id) | people
    return list(people.distinct().order_by("pk"))


def _by_side(meeting: Meeting, by: Any) -> str:
    return "buyer" if getattr(by, "pk", None) == meeting.buyer_id else "vendor"


def meeting_step(meeting: Meeting, step: str, *, by: Any) -> None:
    """Ring the bell of, and e-mail, the side that did not take ``step``."""
    other = "vendor" if _by_side(meeting, by) == "buyer" else "buyer"
    tell(meeting, step, sides=[other], actor=by)


def tell(meeting: Meeting, step: str, *, sides: list[str], actor: Any = None) -> int:
    """The bell and the e-mail of ``step`` to each person of ``sides``; returns how many."""
    if step not in STEPS:
        raise ValueError(f"unknown meeting step {step!r}")
    people: list[tuple[User, str]] = []
    for side in sides:
        people += [(person, side) for person in recipients(meeting, side=side)]
    url = reverse("events:meeting", args=[meeting.pk])
    for side in sides:
        who = meeting.vendor.name if side == "buyer" else buyer_label(meeting)
        ids = [person.pk for person, person_side in people if person_side == side]
        detail = meeting.reason if step in ("declined", "cancelled") else meeting.agenda
        _ring(ids, meeting, step, who, detail, url)
    for person, side in people:
        if actor is not None and person.pk == getattr(actor, "pk", None):
            continue
        _mail(person, side, meeting, step, with_calendar=step in ("confirmed", "reminder"))
    return len(people)


def _ring(ids: list[int], meeting: Meeting, step: str, who: str, detail: str, url: str) -> None:
    try:
        with transaction.atomic():
            notification_send(
                users=ids,
                kind=Notification.Kind.MEETING,
                subject=f"meeting:{meeting.pk}",
                url=url,
                params={"step": step, "who": who, "detail": detail},
            )
    except Exception:  # the bell never fails the step
        logger.exception("matching: could not ring for meeting %s", meeting.pk)


def _mail(person: User, side: str, meeting: Meeting, step: str, *, with_calendar: bool) -> None:
    context = {
        "meeting": meeting,
        "step": step,
        "side": side,
        "expo": meeting.expo,
        "vendor": meeting.vendor,
        "buyer_name": buyer_label(meeting),
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
    }
    attachments = []
    if with_calendar:
        with timezone.override(person.time_zone or settings.TIME_ZONE):
            personal = ics.meeting_calendar(
                meeting, base_url=settings.SITE_URL, zone=timezone.get_current_timezone()
            )
        attachments.append((f"meeting-{meeting.pk}.ics", personal, "text/calendar"))
    send_templated_email(
        to=person,
        template="events/email/meeting",
        context=context,
        attachments=attachments,
    )


def reminders_send_due(*, now: datetime | None = None) -> int:
    """Confirmed meetings that start within 15 minutes and were not reminded of: both sides get
    the bell and an e-mail, once (whichever worker takes the row). Run every minute."""
    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        due = list(
            Meeting.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                status=MeetingStatus.CONFIRMED,
                reminded_at__isnull=True,
                starts_at__lte=now + REMINDER_LEAD,
                starts_at__gt=now - timedelta(minutes=5),
            )
            .select_related("expo", "expo__office", "vendor", "booth", "buyer")
            .order_by("starts_at", "id")[:200]
        )
        for meeting in due:
            sent += tell(meeting, "reminder", sides=["buyer", "vendor"])
        Meeting.objects.filter(pk__in=[m.pk for m in due]).update(reminded_at=now)
    return sent
