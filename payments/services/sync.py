"""Asking the providers what happened, and acting on their answer (never on what a page or a
webhook body claims): after a page's payment, on a webhook, for payments whose webhook never came
and before expiring an unpaid order."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from payments import providers
from payments.models import Order, Payment, WebhookEvent
from payments.services.cancellation import order_cancel, payment_fail
from payments.services.confirmation import payment_received
from payments.services.refunds import payment_sync_refunds

logger = logging.getLogger(__name__)


def payment_act_on(*, payment: Payment, state: providers.ProviderState) -> None:
    """The provider's word on ``payment``: received money is recorded, a failure cancels, a
    payment still pending is left alone."""
    if state.status == "succeeded":
        payment_received(payment=payment, amount=state.amount)
    elif state.status in ("failed", "cancelled"):
        payment_fail(payment=payment, message=state.message)


def payment_sync(*, payment: Payment) -> Payment:
    """Ask the provider what happened to ``payment`` and act on that. Payments people confirm
    (bank transfers) are left to the organiser's staff."""
    state = providers.get(payment.provider).state(payment)
    if state is None or state.status == "pending":
        return payment
    payment_act_on(payment=payment, state=state)
    payment.refresh_from_db()
    return payment


def webhook_event_handle(
    *, provider: str, event_id: str, event_type: str, object_id: str, payment_ref: str
) -> bool:
    """A provider's verified event: a trigger to re-read the payment it is about (by the
    provider's id for it, ``payment_ref``) and its refunds, and act on that. Each event is acted on
    once, however often it is delivered (the deliveries are counted); events out of order do no
    harm, as only the provider's current state is acted on. Returns False for a repeated
    delivery. ``ProviderError`` when the provider cannot be reached (the event stays unprocessed,
    so its next delivery tries again)."""
    with transaction.atomic():
        record, created = WebhookEvent.objects.select_for_update().get_or_create(
            provider=provider,
            event_id=event_id[:255],
            defaults={"type": event_type[:80], "object_id": object_id[:255]},
        )
        if not created:
            WebhookEvent.objects.filter(pk=record.pk).update(deliveries=F("deliveries") + 1)
            if record.processed_at is not None:
                return False
    payment = (
        Payment.objects.filter(provider=provider, provider_ref=payment_ref).first()
        if payment_ref
        else None
    )
    if payment is not None:
        payment = payment_sync(payment=payment)
        if payment.status == Payment.Status.SUCCEEDED:
            payment_sync_refunds(payment=payment)
    WebhookEvent.objects.filter(pk=record.pk).update(processed_at=timezone.now())
    return True


def orders_expire(*, now: datetime | None = None, limit: int = 500) -> int:
    """Cancel unpaid orders past their time limit and release their stock. A payment made through
    a provider is asked about first (its webhook may never have come)."""
    now = now or timezone.now()
    expired = 0
    due = list(
        Order.objects.filter(status=Order.Status.PENDING, reserved_until__lt=now)
        .order_by("reserved_until")
        .values_list("pk", flat=True)[:limit]
    )
    for order_id in due:
        order = Order.objects.select_related("expo__office").get(pk=order_id)
        try:
            for payment in order.payments.filter(status=Payment.Status.CREATED):
                payment_sync(payment=payment)
            order.refresh_from_db()
            if order.status != Order.Status.PENDING:
                continue
            order_cancel(order=order, reason=Order.CancelReason.EXPIRED, by=None)
            expired += 1
        except providers.ProviderError:
            logger.warning("Order %s: provider unreachable, expiry retried later", order.code)
        except ValidationError:
            continue  # paid meanwhile
    return expired


def payments_reconcile(*, older_than_minutes: int = 10) -> dict[str, int]:
    """Ask the providers about payments still waiting (their webhook may never have come), and
    about refunds made at the provider that were not recorded here; then expire what is due."""
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    counts = {"checked": 0, "confirmed": 0, "failed": 0, "refunds": 0, "unreachable": 0}
    waiting = (
        Payment.objects.filter(
            status=Payment.Status.CREATED, created_at__lt=cutoff, provider_ref__isnull=False
        )
        .exclude(provider__in=providers.offline())
        .select_related("order")
    )
    for payment in waiting:
        counts["checked"] += 1
        try:
            after = payment_sync(payment=payment)
        except providers.ProviderError:
            counts["unreachable"] += 1
            continue
        if after.status == Payment.Status.SUCCEEDED:
            counts["confirmed"] += 1
        elif after.status in (Payment.Status.FAILED, Payment.Status.CANCELLED):
            counts["failed"] += 1
    reporting = [p.name for p in providers.available() if p.reports_refunds]
    received = Payment.objects.filter(
        provider__in=reporting,
        status=Payment.Status.SUCCEEDED,
        confirmed_at__gte=timezone.now() - timedelta(days=120),
    )
    for payment in received if reporting else ():
        try:
            counts["refunds"] += payment_sync_refunds(payment=payment)
        except providers.ProviderError:
            counts["unreachable"] += 1
    counts["expired"] = orders_expire()
    return counts
