"""Background jobs of the payments app, run by the huey worker (``manage.py run_huey``)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from payments import services

logger = logging.getLogger(__name__)


@db_task(retries=5, retry_delay=2)
def announce_transfer_awaited(order_id: int) -> None:
    """A bank-transfer order was placed: the buyer's e-mail with the transfer's instructions and
    the organisers' bell, out of the buyer's checkout request."""
    services.transfer_awaited_announce(order_id=order_id)


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
