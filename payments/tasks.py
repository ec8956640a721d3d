"""Background jobs of the payments app, run by the huey worker (``manage.py run_huey``)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from payments import services

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
def expire_unpaid_orders() -> int:
    """Every minute: unpaid orders past their time limit (card reservations, bank transfers not
    confirmed in time) are cancelled and their stock released."""
    return services.orders_expire()


@db_periodic_task(crontab(minute="*/10"))
def reconcile_payments() -> dict[str, int]:
    """Every ten minutes: ask the providers about payments whose webhook never came."""
    counts = services.payments_reconcile()
    if counts.get("confirmed") or counts.get("failed") or counts.get("refunds"):
        logger.info("Reconciled payments: %s", counts)
    return counts


@db_periodic_task(crontab(hour="4", minute="23"))
def forget_abandoned_carts() -> int:
    """Daily: guest carts untouched for a month (their session is gone)."""
    return services.carts_forget_abandoned()
