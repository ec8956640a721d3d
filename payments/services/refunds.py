"""Money given back: for some lines of an order, a whole order with its shipping, an order paid
after its items were sold, or a refund made at the provider and found later.

A refund holds the order's lock while asking the provider, so two refunds cannot overlap; provider
refunds are de-duplicated by the provider's refund id. The sales ledger gets a negative entry per
line in the same transaction.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from expo import permissions
from expo.models import User
from expo.services import audit_log
from payments import providers
from payments.models import Order, OrderLine, OrderPart, Payment, Refund
from payments.services import ledger, locks, notify
from payments.services.fulfilment import recompute_status

logger = logging.getLogger(__name__)


def _received_payment(order: Order, amount: int = 0) -> Payment:
    """The payment a refund of ``amount`` goes back through: the first received, or, for an order
    paid in instalments (a quotation's deposit and balance), the newest that still covers it."""
    received = list(
        order.payments.filter(status=Payment.Status.SUCCEEDED).order_by("confirmed_at", "pk")
    )
    if not received:
        raise ValidationError(
            _("This order has not been paid; there is nothing to refund."), code="unpaid"
        )
    if len(received) > 1:
        for payment in reversed(received):
            given = sum(refund.amount for refund in payment.refunds.all())
            if payment.amount - given >= amount:
                return payment
    return received[0]


def _apply_refund(
    order: Order,
    *,
    payment: Payment,
    allocation: list[tuple[OrderLine, int]],
    shipping_by_part: dict[int, int],
    provider_ref: str | None,
    done: bool,
    reason: str,
    by: User | None,
) -> Refund:
    """Record a refund already made at the provider (inside the order's lock)."""
    amount = sum(a for _line, a in allocation) + sum(shipping_by_part.values())
    refund = Refund.objects.create(
        payment=payment,
        order=order,
        amount=amount,
        shipping=sum(shipping_by_part.values()),
        status=Refund.Status.SUCCEEDED if done else Refund.Status.PENDING,
        provider_ref=provider_ref,
        reason=reason[:255],
        created_by=by if by is not None and by.is_authenticated else None,
    )
    for line, line_amount in allocation:
        line.refunded_amount += line_amount
        line.save(update_fields=["refunded_amount"])
    parts = {p.pk: p for p in order.parts.all()}
    for part_id, ship in shipping_by_part.items():
        OrderPart.objects.filter(pk=part_id).update(shipping_refunded=F("shipping_refunded") + ship)
    lines_by_part: dict[int, list[OrderLine]] = defaultdict(list)
    for line in order.lines.all():
        lines_by_part[line.part_id].append(line)
    for part_id, part in parts.items():
        if all(line.is_refunded for line in lines_by_part[part_id]):
            part.status = OrderPart.Status.REFUNDED
            part.save(update_fields=["status"])
    ledger.refunds(order, refund, allocation)
    order.refunded_total += amount
    order.save(update_fields=["refunded_total", "updated_at"])
    recompute_status(order)
    audit_log(
        action="payments.refund.created",
        obj=refund,
        user=by,
        expo_id=order.expo_id,
        order=order.code,
        amount=amount,
        lines=[line.pk for line, _a in allocation],
    )
    notify.buyer(order, "order_refunded", refund=refund)
    touched = {line.part_id for line, _a in allocation} | set(shipping_by_part)
    for part_id in touched:
        part = OrderPart.objects.select_related("vendor", "order__expo").get(pk=part_id)
        notify.vendor(part, "vendor_refunded", refund=refund)
    return refund


def _chosen_lines(
    order: Order, all_lines: list[OrderLine], lines: Iterable[OrderLine] | None, *, by: User
) -> tuple[list[OrderLine], bool]:
    """The lines to refund and whether ``by`` is an organiser: a whole order is theirs only, a
    vendor's members refund their own lines."""
    is_organiser = permissions.can_manage_office(by, order.expo.office_id)
    if lines is None:
        permissions.require(is_organiser)
        return all_lines, is_organiser
    wanted = {line.pk for line in lines}
    chosen = [line for line in all_lines if line.pk in wanted]
    if len(chosen) != len(wanted):
        raise ValidationError(_("Choose lines of this order."), code="lines")
    if not is_organiser:
        vendor_ids = {line.part.vendor_id for line in chosen}
        permissions.require(
            len(vendor_ids) == 1 and permissions.is_vendor_member(by, next(iter(vendor_ids)))
        )
    return chosen, is_organiser


def _shipping_back(
    order: Order, all_lines: list[OrderLine], chosen: list[OrderLine]
) -> dict[int, int]:
    """Shipping goes back with the last line of a part (or with the whole order): per part, what
    is left of it once ``chosen`` is refunded."""
    refunded_now = {line.pk for line in chosen}
    shipping_by_part: dict[int, int] = {}
    for part in order.parts.all():
        part_lines = [line for line in all_lines if line.part_id == part.pk]
        if all(line.is_refunded or line.pk in refunded_now for line in part_lines):
            left = part.shipping_amount - part.shipping_refunded
            if left > 0:
                shipping_by_part[part.pk] = left
    return shipping_by_part


def order_refund(
    *,
    order: Order,
    by: User,
    lines: Iterable[OrderLine] | None = None,
    reason: str = "",
) -> Refund:
    """Give money back: for ``lines`` (each whole line that is left), or, without ``lines``, for
    the whole order with its shipping. A part whose lines are all refunded gets its shipping back
    too. Organisers of the expo's office may refund anything; a vendor's members only their own
    lines. Money paid through a provider with a refund API goes back through it; a bank transfer
    is recorded for the office to transfer back."""
    with transaction.atomic():
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("expo__office")
            .get(pk=order.pk)
        )
        all_lines = list(order.lines.select_related("part"))
        chosen, is_organiser = _chosen_lines(order, all_lines, lines, by=by)
        if order.paid_at is None:
            raise ValidationError(
                _("This order has not been paid; there is nothing to refund."), code="unpaid"
            )
        chosen = [line for line in chosen if line.refundable > 0]
        allocation = [(line, line.refundable) for line in chosen]
        shipping_by_part = _shipping_back(order, all_lines, chosen)
        amount = sum(a for _l, a in allocation) + sum(shipping_by_part.values())
        if amount <= 0:
            raise ValidationError(_("Nothing is left to refund."), code="nothing")
        part_statuses = {line.part.status for line in chosen}
        if not is_organiser and part_statuses & {
            OrderPart.Status.SHIPPED,
            OrderPart.Status.DELIVERED,
        }:
            raise ValidationError(
                _("These items have been shipped; ask the organisers to refund them."),
                code="shipped",
            )
        payment = _received_payment(order, amount)
        provider = providers.get(payment.provider)
        lines_hash = hashlib.sha256(",".join(str(line.pk) for line in chosen).encode())
        key = f"umkm-refund-{order.code}-{order.refunded_total}-{lines_hash.hexdigest()[:16]}"
        result = provider.refund(payment, amount=amount, key=key)
        if result.provider_ref and Refund.objects.filter(provider_ref=result.provider_ref).exists():
            return Refund.objects.get(provider_ref=result.provider_ref)
        return _apply_refund(
            order,
            payment=payment,
            allocation=allocation,
            shipping_by_part=shipping_by_part,
            provider_ref=result.provider_ref,
            done=result.done,
            reason=reason,
            by=by,
        )


def refund_unfulfillable(payment: Payment) -> None:
    """Money arrived for an order whose items were sold meanwhile (or that was paid already):
    give it all back."""
    provider = providers.get(payment.provider)
    with transaction.atomic():
        payment, order = locks.lock_order_payment(payment)
        if payment.refunds.exists():
            return  # given back already
        result = provider.refund(
            payment, amount=payment.amount, key=f"umkm-late-{order.code}-{payment.pk}"
        )
        refund = Refund.objects.create(
            payment=payment,
            order=order,
            amount=payment.amount,
            status=Refund.Status.SUCCEEDED
            if result.done and result.provider_ref
            else Refund.Status.PENDING,
            provider_ref=result.provider_ref,
            reason=_("Paid after the order had expired and its items were sold."),
        )
        audit_log(action="payments.refund.created", obj=refund, expo_id=order.expo_id, late=True)
        notify.buyer(order, "order_refunded", refund=refund, late=True)


def _spread(order: Order, amount: int) -> tuple[list[tuple[OrderLine, int]], dict[int, int], int]:
    """``amount`` over the lines still paid, then shipping; what could not be placed is left."""
    left = amount
    allocation = []
    for line in order.lines.all():
        take = min(left, line.refundable)
        if take > 0:
            allocation.append((line, take))
            left -= take
    shipping_by_part: dict[int, int] = {}
    for part in order.parts.all():
        take = min(left, part.shipping_amount - part.shipping_refunded)
        if take > 0:
            shipping_by_part[part.pk] = take
            left -= take
    return allocation, shipping_by_part, left


def payment_sync_refunds(*, payment: Payment) -> int:
    """Record refunds made at the provider that are not here yet (made in its dashboard, or made
    by :func:`order_refund` whose transaction did not commit). De-duplicated by refund id; the
    amount is spread over the lines still paid, then shipping. Returns how many were recorded."""
    if not payment.provider_ref:
        return 0
    if payment.order_id is None:
        return 0  # a charge's refund is the office's own business, outside the sales ledger
    recorded = 0
    for seen in providers.get(payment.provider).refunds_of(payment):
        if seen.status not in ("succeeded", "pending"):
            continue
        if Refund.objects.filter(provider_ref=seen.provider_ref).exists():
            continue
        with transaction.atomic():
            order = Order.objects.select_for_update().get(pk=payment.order_id)
            if Refund.objects.filter(provider_ref=seen.provider_ref).exists():
                continue
            if order.paid_at is None:
                continue
            allocation, shipping_by_part, left = _spread(order, seen.amount)
            if left > 0:
                logger.error(
                    "Refund %s is larger than what order %s has left",
                    seen.provider_ref,
                    order.code,
                )
                continue
            _apply_refund(
                order,
                payment=Payment.objects.get(pk=payment.pk),
                allocation=allocation,
                shipping_by_part=shipping_by_part,
                provider_ref=seen.provider_ref,
                done=True,
                reason=_("Refunded at the payment provider."),
                by=None,
            )
            recorded += 1
    return recorded
