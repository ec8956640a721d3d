"""Fulfilment: each vendor packs, ships (courier and tracking number) and delivers its part of a
paid order; the buyer may confirm receipt. The order's status follows its least advanced part."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from expo import permissions
from expo.models import User
from expo.services import audit_log
from expo.signals import happened
from payments.models import Order, OrderPart
from payments.services import notify

PART_ORDER = [
    OrderPart.Status.PAID,
    OrderPart.Status.PACKED,
    OrderPart.Status.SHIPPED,
    OrderPart.Status.DELIVERED,
]
ORDER_FOR_PART = {
    OrderPart.Status.PAID: Order.Status.PAID,
    OrderPart.Status.PACKED: Order.Status.PACKED,
    OrderPart.Status.SHIPPED: Order.Status.SHIPPED,
    OrderPart.Status.DELIVERED: Order.Status.DELIVERED,
}


def recompute_status(order: Order) -> None:
    """A paid order's status is its least advanced part's (refunded parts aside)."""
    if order.paid_at is None or order.status == Order.Status.CANCELLED:
        return
    statuses = list(order.parts.values_list("status", flat=True))
    active = [s for s in statuses if s in PART_ORDER]
    if not active:
        status = Order.Status.REFUNDED
    else:
        status = ORDER_FOR_PART[min(active, key=PART_ORDER.index)]
    if status != order.status:
        order.status = status
        order.save(update_fields=["status", "updated_at"])


def _lock_part(part: OrderPart, by: User, *, buyer_may: bool = False) -> OrderPart:
    # The order first, then the part: the same order as refunds and confirmations take locks in.
    Order.objects.select_for_update(of=("self",)).filter(pk=part.order_id).first()
    part = (
        OrderPart.objects.select_for_update(of=("self",))
        .select_related("order__expo", "vendor", "booth")
        .get(pk=part.pk)
    )
    allowed = permissions.is_vendor_member(by, part.vendor_id)
    if buyer_may:
        allowed = allowed or (
            part.order.buyer_id is not None and part.order.buyer_id == getattr(by, "pk", None)
        )
    permissions.require(allowed)
    return part


def _advance(part: OrderPart, to: str, *, allowed_from: tuple[str, ...]) -> bool:
    if part.status == to:
        return False
    if part.status not in allowed_from:
        raise ValidationError(
            _("This part of the order is %(status)s; it cannot be marked so now.")
            % {"status": part.get_status_display().lower()},
            code="state",
        )
    part.status = to
    return True


@transaction.atomic
def part_mark_packed(*, part: OrderPart, by: User) -> OrderPart:
    """The vendor packed its part of a paid order; the buyer is told."""
    part = _lock_part(part, by)
    if not _advance(part, OrderPart.Status.PACKED, allowed_from=(OrderPart.Status.PAID,)):
        return part
    part.packed_at = timezone.now()
    part.save(update_fields=["status", "packed_at"])
    recompute_status(Order.objects.select_for_update().get(pk=part.order_id))
    audit_log(action="payments.part.packed", obj=part, user=by, expo_id=part.order.expo_id)
    notify.buyer(part.order, "part_packed", part=part)
    happened.send(sender=OrderPart, event="payments.part.packed", obj=part)  # the bell
    return part


@transaction.atomic
def part_mark_shipped(
    *, part: OrderPart, courier: str, tracking_number: str, by: User, courier_name: str = ""
) -> OrderPart:
    """The vendor sent its part with ``courier`` (named when "other") under ``tracking_number``;
    the buyer is sent the tracking number."""
    part = _lock_part(part, by)
    if courier not in OrderPart.Courier.values:
        raise ValidationError(_("Choose a courier."), code="courier")
    tracking_number = tracking_number.strip()
    if not tracking_number:
        raise ValidationError(_("Enter the tracking number."), code="tracking")
    if courier == OrderPart.Courier.OTHER and not courier_name.strip():
        raise ValidationError(_("Name the courier."), code="courier")
    if not _advance(
        part,
        OrderPart.Status.SHIPPED,
        allowed_from=(OrderPart.Status.PAID, OrderPart.Status.PACKED),
    ):
        return part
    now = timezone.now()
    part.courier = courier
    part.courier_name = courier_name.strip()[:60] if courier == OrderPart.Courier.OTHER else ""
    part.tracking_number = tracking_number[:60]
    part.packed_at = part.packed_at or now
    part.shipped_at = now
    part.save(
        update_fields=[
            "status",
            "courier",
            "courier_name",
            "tracking_number",
            "packed_at",
            "shipped_at",
        ]
    )
    recompute_status(Order.objects.select_for_update().get(pk=part.order_id))
    audit_log(
        action="payments.part.shipped",
        obj=part,
        user=by,
        expo_id=part.order.expo_id,
        courier=courier,
        tracking=part.tracking_number,
    )
    notify.buyer(part.order, "part_shipped", part=part)
    happened.send(sender=OrderPart, event="payments.part.shipped", obj=part)  # the bell
    return part


@transaction.atomic
def part_mark_delivered(*, part: OrderPart, by: User) -> OrderPart:
    """The vendor (or the buyer, confirming receipt) marks a shipped part delivered."""
    part = _lock_part(part, by, buyer_may=True)
    if not _advance(part, OrderPart.Status.DELIVERED, allowed_from=(OrderPart.Status.SHIPPED,)):
        return part
    part.delivered_at = timezone.now()
    part.save(update_fields=["status", "delivered_at"])
    recompute_status(Order.objects.select_for_update().get(pk=part.order_id))
    audit_log(action="payments.part.delivered", obj=part, user=by, expo_id=part.order.expo_id)
    notify.buyer(part.order, "part_delivered", part=part)
    notify.vendor(part, "vendor_part_delivered")
    return part
