"""E-mails of the live side: a new message in an inquiry nobody on the other side is watching, and
session reminders (which also ring the bell, :mod:`events.bell`). The background tasks
(:mod:`events.tasks`) call these; :mod:`events.services` decides when to schedule them (it imports
the tasks, which import only this module, so the two never import each other)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from booths.models import VendorMembership
from events.bell import sources as bell
from events.models import ChatMessage, Inquiry, LiveSession, SessionReminder
from expo.services import send_templated_email

REMINDER_LEAD = timedelta(minutes=15)


def inquiry_message_notify(*, message_id: int, to_vendor: bool) -> int:
    """E-mail the other side of an inquiry about a new message nobody there has seen live: the
    vendor's members (each in their own language), or the buyer. Returns how many were sent."""
    message = ChatMessage.objects.filter(pk=message_id, deleted_at__isnull=True).first()
    if message is None:
        return 0
    inquiry = (
        Inquiry.objects.select_related("booth", "booth__vendor", "booth__expo", "buyer")
        .filter(pk=message.room_id)
        .first()
    )
    if inquiry is None:
        return 0
    if to_vendor:
        recipients = [
            m.user
            for m in VendorMembership.objects.filter(
                vendor_id=inquiry.booth.vendor_id, user__is_active=True
            ).select_related("user")
        ]
    else:
        recipients = [inquiry.buyer] if inquiry.buyer.is_active else []
    for user in recipients:
        send_templated_email(
            to=user,
            template="events/email/inquiry_message",
            context={
                "inquiry": inquiry,
                "message": message,
                "booth": inquiry.booth,
                "vendor": inquiry.booth.vendor,
                "expo": inquiry.booth.expo,
                "to_vendor": to_vendor,
            },
        )
    return len(recipients)


def reminders_send_due(*, now: datetime | None = None) -> int:
    """Send the reminders of sessions that start within the next 15 minutes (run every minute by
    the task worker; each reminder is sent once, whichever worker gets it): an e-mail, and the
    bell of each person who asked."""
    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        due = list(
            SessionReminder.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                sent_at__isnull=True,
                session__starts_at__lte=now + REMINDER_LEAD,
                session__starts_at__gt=now - timedelta(minutes=5),
            )
            .select_related("user", "session", "session__booth", "session__booth__vendor")
            .select_related("session__booth__expo")
            .order_by("session__starts_at", "id")[:500]
        )
        for reminder in due:
            session = reminder.session
            send_templated_email(
                to=reminder.user,
                template="events/email/session_reminder",
                context={
                    "session": session,
                    "booth": session.booth,
                    "expo": session.booth.expo,
                    "starts_at": session.starts_at,
                },
            )
            sent += 1
        people: dict[int, tuple[LiveSession, list[int]]] = {}
        for reminder in due:
            people.setdefault(reminder.session_id, (reminder.session, []))[1].append(
                reminder.user_id
            )
        for session, user_ids in people.values():
            bell.session_starting(session=session, user_ids=user_ids)
        SessionReminder.objects.filter(pk__in=[r.pk for r in due]).update(sent_at=now)
    return sent
