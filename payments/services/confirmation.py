"""A payment's money arrived: the one place that records it, for an order and for a charge alike.

Confirming is idempotent (the payment row is locked; an already received payment changes
nothing). An order is marked paid and its sales ledger written in the same transaction; a charge
is marked paid and the module that sold it is told in that transaction (:mod:`payments.hooks`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booths.services import leads
from expo import permissions
from expo.models import User
from expo.services import audit_log
from expo.signals import happened
from payments import hooks, providers
from payments.models import Charge, Order, OrderPart, Payment
from payments.services import ledger, locks, notify, stock
from payments.services.refunds import refund_unfulfillable


@dataclass(frozen=True)
class Confirmation:
    order: Order | None  # None for a charge's payment
    changed: bool  # False: it was already received, nothing happened
    refund_needed: bool = False  # received for an order whose items are gone, or paid twice


def payment_confirm(
    *, payment: Payment, by: User | None = None, amount: int | None = None, note: str = ""
) -> Confirmation:
    """Record that ``payment``'s money arrived and mark what it pays for paid (idempotent).
    ``by`` is the organiser confirming a bank transfer (checked), or None for a provider's
    confirmation; ``amount`` what the provider says arrived (less than owed is refused). Money for
    something paid already, or for an order whose items were sold after it expired, is recorded
    with ``refund_needed``."""
    with transaction.atomic():
        if payment.order_id is not None:
            payment, payable = locks.lock_order_payment(payment)
            order = payable
        else:
            payment, payable = locks.lock_charge_payment(payment)
            order = None
        if by is not None:
            permissions.require(permissions.can_manage_office(by, payable.expo.office_id))
        if payment.status == Payment.Status.SUCCEEDED:
            return Confirmation(order, changed=False)
        if amount is not None and amount < payment.amount:
            needed = {"received": amount, "needed": payment.amount}
            message = (
                _("Received %(received)s, but the order needs %(needed)s.")
                if order is not None
                else _("Received %(received)s, but %(needed)s is owed.")
            )
            raise ValidationError(message % needed, code="short")
        if isinstance(payable, Charge) and payable.status == Charge.Status.CANCELLED:
            raise ValidationError(_("This charge was cancelled; nothing is owed."), code="state")
        now = _mark_received(payment, by=by, note=note, expo_id=payable.expo_id)
        if isinstance(payable, Charge):
            return _charge_paid(payable, by=by, now=now)
        return _order_paid(payable, by=by, now=now)


def payment_received(
    *, payment: Payment, amount: int | None = None, by: User | None = None, note: str = ""
) -> Confirmation:
    """:func:`payment_confirm`, then give the money back at once when the order's items are gone
    (sold after it expired) or it was paid twice."""
    confirmation = payment_confirm(payment=payment, by=by, amount=amount, note=note)
    if confirmation.refund_needed and payment.order_id is not None:
        refund_unfulfillable(payment)
    return confirmation


def transfer_confirm(*, payment: Payment, by: User, note: str = "") -> Confirmation:
    """An organiser of the expo's office confirms a bank transfer arrived. A transfer for an
    order whose items were sold after it expired is recorded, with a refund to transfer back."""
    method = providers.find(payment.provider)
    if method is None or not method.confirms_offline:
        raise ValidationError(_("Only bank transfers are confirmed by hand."), code="provider")
    return payment_received(payment=payment, by=by, note=note)


def _mark_received(payment: Payment, *, by: User | None, note: str, expo_id: int) -> datetime:
    """The money of ``payment`` (locked) arrived: record when, who confirmed it, and audit it."""
    now = timezone.now()
    payment.status = Payment.Status.SUCCEEDED
    payment.confirmed_at = now
    payment.confirmed_by = by if by is not None and by.is_authenticated else None
    payment.note = note[:255]
    payment.save(update_fields=["status", "confirmed_at", "confirmed_by", "note"])
    audit_log(
        action="payments.payment.confirmed",
        obj=payment,
        user=by,
        expo_id=expo_id,
        amount=payment.amount,
        provider=payment.provider,
    )
    return now


def _order_paid(order: Order, *, by: User | None, now: datetime) -> Confirmation:
    """The order (locked) is paid: its stock sold, the sales ledger written, everyone told."""
    if order.paid_at is not None:
        # A second payment for an order already paid (a transfer and a card): give it back.
        return Confirmation(order, changed=True, refund_needed=True)
    if order.status == Order.Status.PENDING and _received(order) < order.total:
        return _part_received(order, by=by)  # a deposit: the balance is still to come
    if order.status == Order.Status.CANCELLED and not stock.revive(order):
        audit_log(
            action="payments.order.paid_after_cancel", obj=order, user=by, expo_id=order.expo_id
        )
        return Confirmation(order, changed=True, refund_needed=True)
    order.status = Order.Status.PAID
    order.stock = Order.Stock.SOLD
    order.paid_at = now
    order.cancel_reason = Order.CancelReason.NONE
    order.cancelled_at = None
    order.save(
        update_fields=["status", "stock", "paid_at", "cancel_reason", "cancelled_at", "updated_at"]
    )
    order.parts.update(status=OrderPart.Status.PAID)
    # Other attempts for this order can no longer be used.
    order.payments.filter(status=Payment.Status.CREATED).update(status=Payment.Status.CANCELLED)
    ledger.sales(order, now)
    audit_log(
        action="payments.order.paid", obj=order, user=by, expo_id=order.expo_id, total=order.total
    )
    notify.buyer(order, "order_paid")
    for part in order.parts.select_related("vendor", "booth"):
        notify.vendor(part, "vendor_order_paid", lines=list(part.lines.all()))
    happened.send(sender=Order, event="payments.order.paid", obj=order)  # the bell
    _buyer_is_lead(order)
    return Confirmation(order, changed=True)


def _received(order: Order) -> int:
    return sum(
        order.payments.filter(status=Payment.Status.SUCCEEDED).values_list("amount", flat=True)
    )


def _part_received(order: Order, *, by: User | None) -> Confirmation:
    """Part of the total arrived (a quotation's deposit): the order stays unpaid, its stock held
    with no time limit (the vendor prepares the goods) until the balance arrives; nothing is in
    the sales ledger yet."""
    order.reserved_until = None
    order.save(update_fields=["reserved_until", "updated_at"])
    audit_log(
        action="payments.order.deposit_received",
        obj=order,
        user=by,
        expo_id=order.expo_id,
        received=_received(order),
        total=order.total,
    )
    return Confirmation(order, changed=True)


def _buyer_is_lead(order: Order) -> None:
    """A buyer with an account who paid becomes a lead of each booth it bought from."""
    if order.buyer_id is None:
        return
    for part in order.parts.all():
        leads.record(
            booth=part.booth_id,
            buyer=order.buyer,
            kind=leads.Kind.ORDER,
            ref_id=order.pk,
            label=order.code,
        )


def _charge_paid(charge: Charge, *, by: User | None, now: datetime) -> Confirmation:
    """The charge (locked) is paid; the module that sold it is told in this same transaction."""
    if charge.status == Charge.Status.PAID:
        # Paid twice (a transfer and a card): the office gives the second one back.
        audit_log(action="payments.charge.paid_twice", obj=charge, expo_id=charge.expo_id)
        return Confirmation(None, changed=True, refund_needed=True)
    charge.status, charge.paid_at = Charge.Status.PAID, now
    charge.save(update_fields=["status", "paid_at"])
    charge.payments.filter(status=Payment.Status.CREATED).update(status=Payment.Status.CANCELLED)
    audit_log(
        action="payments.charge.paid",
        obj=charge,
        user=by,
        expo_id=charge.expo_id,
        amount=charge.amount,
        purpose=charge.purpose,
    )
    hooks.charge_paid(charge)  # the seller's record changes in this same transaction
    return Confirmation(None, changed=True)
