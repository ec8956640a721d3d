"""Cancelling: a buyer or an organiser cancels an unpaid order, or its payment failed. Its stock is
released once, its other payment attempts closed, and (for a buyer's cancel or a failed payment)
its items go back to the buyer's cart. A charge's failed card attempt leaves the charge open."""

from __future__ import annotations

import contextlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from expo import permissions
from expo.models import User
from expo.services import audit_log
from payments import providers
from payments.models import Order, OrderPart, Payment
from payments.services import locks, notify, stock
from payments.services.cart import restore_to_cart
from payments.services.confirmation import payment_received


def _cancel_locked(order: Order, *, reason: str, by: User | None, restore: bool) -> None:
    now = timezone.now()
    stock.release(order)
    order.status = Order.Status.CANCELLED
    order.cancel_reason = reason
    order.cancelled_at = now
    order.save(update_fields=["status", "cancel_reason", "cancelled_at", "updated_at"])
    order.parts.update(status=OrderPart.Status.CANCELLED)
    order.payments.filter(status=Payment.Status.CREATED).update(status=Payment.Status.CANCELLED)
    action = (
        "payments.order.expired"
        if reason == Order.CancelReason.EXPIRED
        else "payments.order.cancelled"
    )
    audit_log(action=action, obj=order, user=by, expo_id=order.expo_id, reason=reason)
    if restore:
        restore_to_cart(order)
    # A buyer paying in the page sees a failed payment there; everyone else learns it by e-mail.
    method = providers.find(order.provider)
    if (method is None or not method.pays_in_page) or reason in (
        Order.CancelReason.EXPIRED,
        Order.CancelReason.ORGANISER,
    ):
        notify.buyer(order, "order_cancelled", reason=reason)


def order_cancel(*, order: Order, reason: str, by: User | None) -> Order:
    """Cancel an unpaid order: its stock is released, payments in progress can no longer
    complete. A buyer or payment failure puts the items back in the buyer's cart. ``by`` (when
    given) must be the buyer or an organiser of the expo's office."""
    if by is not None:
        is_buyer = order.buyer_id is not None and order.buyer_id == getattr(by, "pk", None)
        permissions.require(is_buyer or permissions.can_manage_office(by, order.expo.office_id))
    # Close the door at the provider first, then re-read: it may have been paid meanwhile.
    for payment in order.payments.filter(status=Payment.Status.CREATED):
        provider = providers.get(payment.provider)
        provider.cancel(payment)
        state = provider.state(payment)
        if state is not None and state.status == "succeeded":
            payment_received(payment=payment, amount=state.amount)
            order.refresh_from_db()
            raise ValidationError(
                _("This order was paid meanwhile; it cannot be cancelled."), code="paid"
            )
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status != Order.Status.PENDING:
            return order
        if order.payments.filter(status=Payment.Status.SUCCEEDED).exists():
            raise ValidationError(
                _("A deposit was received for this order; ask the organisers to cancel it."),
                code="deposit",
            )
        restore = reason in (Order.CancelReason.BUYER, Order.CancelReason.PAYMENT_FAILED)
        _cancel_locked(order, reason=reason, by=by, restore=restore)
    return order


def payment_fail(*, payment: Payment, message: str = "", by: User | None = None) -> Order | None:
    """The provider refused or the buyer gave up: the order is cancelled, its stock released and
    its items go back to the buyer's cart. Nothing happens to a payment already received. The
    provider is then told, so the same payment cannot complete later."""
    if payment.charge_id is not None:
        _charge_payment_failed(payment, message=message)
        order = None
    else:
        order = _order_payment_failed(payment, message=message, by=by)
    if payment.provider_ref:
        # A late success is still caught: the order is revived or refunded.
        with contextlib.suppress(providers.ProviderError):
            providers.get(payment.provider).cancel(payment)
    return order


def _record_failure(payment: Payment, *, message: str, by: User | None, expo_id: int) -> None:
    payment.status = Payment.Status.FAILED
    payment.failure_message = (message or "")[:255]
    payment.save(update_fields=["status", "failure_message"])
    audit_log(
        action="payments.payment.failed",
        obj=payment,
        user=by,
        expo_id=expo_id,
        message=payment.failure_message,
    )


def _order_payment_failed(payment: Payment, *, message: str, by: User | None) -> Order:
    with transaction.atomic():
        payment, order = locks.lock_order_payment(payment)
        if payment.status == Payment.Status.SUCCEEDED:
            return order
        if payment.status == Payment.Status.CREATED:
            _record_failure(payment, message=message, by=by, expo_id=order.expo_id)
        if order.payments.filter(status=Payment.Status.SUCCEEDED).exists():
            return order  # a deposit arrived: the balance may be paid again, the order stands
        if order.status == Order.Status.PENDING:
            _cancel_locked(order, reason=Order.CancelReason.PAYMENT_FAILED, by=by, restore=True)
    return order


def _charge_payment_failed(payment: Payment, *, message: str) -> None:
    """A card attempt for a charge failed: the charge stays open (pay again, or by transfer)."""
    with transaction.atomic():
        payment, charge = locks.lock_charge_payment(payment)
        if payment.status == Payment.Status.CREATED:
            _record_failure(payment, message=message, by=None, expo_id=charge.expo_id)
