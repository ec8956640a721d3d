"""Row locks of the checkout, always taken in the same order so two writers never wait on each
other in a circle: an order (or a charge) first, then its payment."""

from __future__ import annotations

from django.conf import settings
from django.db import OperationalError, connection

from payments.models import Charge, Order, Payment


def set_lock_timeout() -> None:
    """Inside a transaction on PostgreSQL: wait at most PAYMENTS_LOCK_TIMEOUT_MS for a row lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('lock_timeout', %s, true)",
                [f"{int(settings.PAYMENTS_LOCK_TIMEOUT_MS)}ms"],
            )


def is_lock_failure(error: OperationalError) -> bool:
    """The database gave up waiting for a lock (or found a deadlock): busy, not broken."""
    cause = error.__cause__
    code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if code in ("55P03", "40P01", "40001"):  # lock timeout, deadlock, serialization failure
        return True
    return "database is locked" in str(error)


def lock_order_payment(payment: Payment) -> tuple[Payment, Order]:
    """Lock an order's payment, the order first: the order every other writer (cancel, expiry,
    refunds) takes them in. ``of=("self",)``: the expo and office rows are read, not locked (else
    every payment of an expo would queue)."""
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("expo__office")
        .get(pk=payment.order_id)
    )
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    payment.order = order
    return payment, order


def lock_charge_payment(payment: Payment) -> tuple[Payment, Charge]:
    """Lock a charge's payment, the charge first."""
    charge = (
        Charge.objects.select_for_update(of=("self",))
        .select_related("expo")
        .get(pk=payment.charge_id)
    )
    payment = Payment.objects.select_for_update(of=("self",)).get(pk=payment.pk)
    payment.charge = charge
    return payment, charge
