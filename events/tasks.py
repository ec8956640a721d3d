"""Background jobs of the live side, run by the huey worker (``manage.py run_huey``). Each is a thin
wrapper of a function in :mod:`events.notifications` (or the bell's services);
:mod:`events.services` schedules the first after its transaction commits."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from events import notifications
from events.bell import services as bell


@db_task(retries=2, retry_delay=30)
def notify_inquiry_message(message_id: int, to_vendor: bool) -> int:
    """E-mail the other side of an inquiry about a new message nobody there has seen live."""
    return notifications.inquiry_message_notify(message_id=message_id, to_vendor=to_vendor)


@db_periodic_task(crontab(minute="*"))
def send_session_reminders() -> int:
    """Every minute: e-mail the reminders of sessions starting within 15 minutes."""
    return notifications.reminders_send_due()


@db_periodic_task(crontab(minute="*"))
def send_meeting_reminders() -> int:
    """Every minute: remind both sides of business meetings starting within 15 minutes."""
    from events.matching import notify as matching_notify

    return matching_notify.reminders_send_due()


@db_task(retries=2, retry_delay=30)
def refresh_suggestions(change: dict) -> int:
    """Score again the organisers' suggested pairs that a committed change of a booth, product,
    vendor or curation score touched (:mod:`events.matching.suggestion_signals`)."""
    from events.matching.suggestions import suggestions_apply

    return suggestions_apply(change)


@db_periodic_task(crontab(hour="3", minute="21"))
def prune_notifications() -> int:
    """Every night: forget notifications read long ago."""
    return bell.notifications_prune()
