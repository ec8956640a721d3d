"""Background jobs of the live side, run by the huey worker (``manage.py run_huey``)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from booths.models import VendorMembership
from events.models import ChatMessage, Inquiry
from expo.services import send_templated_email


@db_task(retries=2, retry_delay=30)
def notify_inquiry_message(message_id: int, to_vendor: bool) -> int:
    """E-mail the other side of an inquiry about a new message nobody there has seen live: the
    vendor's members (each in their own language), or the buyer."""
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


@db_periodic_task(crontab(minute="*"))
def send_session_reminders() -> int:
    """Every minute: e-mail the reminders of sessions starting within 15 minutes."""
    from events.services import reminders_send_due

    return reminders_send_due()
