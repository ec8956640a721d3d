"""Background jobs of the expo base, run by the huey worker (``manage.py run_huey``)."""

from __future__ import annotations

from django.core import management
from django.core.mail import EmailMessage
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, task


@task(retries=3, retry_delay=30)
def deliver_email(message: EmailMessage) -> int:
    """Send an already rendered message; retried when the mail server is unreachable."""
    return message.send()


@db_periodic_task(crontab(hour="3", minute="17"))
def purge_expired_sessions() -> None:
    """Daily: drop expired login sessions so the session table does not grow without end."""
    management.call_command("clearsessions")
