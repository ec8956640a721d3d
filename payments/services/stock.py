"""Stock reservation: every change of a product's stock (or pre-order quota) made by the
checkout goes through :func:`reserve` and :func:`release`.

Stock is taken with a conditional ``UPDATE … WHERE stock >= qty`` inside the order's transaction
(never check-then-act); a lock wait past ``PAYMENTS_LOCK_TIMEOUT_MS`` is a lock failure
(:func:`~payments.services.locks.is_lock_failure`) that the caller turns into
:class:`~payments.services.errors.Busy` ("busy, try again").
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from booths import catalogue
from booths.models import Product
from payments.models import Order
from payments.services.errors import SoldOut
from payments.services.locks import set_lock_timeout


def _stock_field(is_preorder: bool) -> str:
    return "preorder_quota" if is_preorder else "stock"


def reserve(wanted: Sequence[tuple[Product, int]]) -> set[int]:
    """Take ``quantity`` of each product from its stock (or pre-order quota) with a conditional
    UPDATE, in product id order so two orders never wait on each other in a circle. Raises
    :class:`SoldOut` naming the first product that is short (the caller's transaction then rolls
    back what was taken). Returns the ids of products now at zero."""
    for product, quantity in sorted(wanted, key=lambda pair: pair[0].pk):
        field = _stock_field(product.is_preorder)
        taken = Product.objects.filter(
            pk=product.pk,
            is_active=True,
            is_preorder=product.is_preorder,
            **{f"{field}__gte": quantity},
        ).update(**{field: F(field) - quantity})
        if not taken:
            current = Product.objects.filter(pk=product.pk).values_list(field, flat=True).first()
            left = current or 0
            if left <= 0:
                raise SoldOut(_("Sorry, %(product)s is sold out.") % {"product": product.name})
            raise SoldOut(
                _("Sorry, only %(n)s of %(product)s are left.")
                % {"n": left, "product": product.name}
            )
    ids = [product.pk for product, _quantity in wanted]
    return {
        pk
        for pk, stock, quota, is_preorder in Product.objects.filter(pk__in=ids).values_list(
            "pk", "stock", "preorder_quota", "is_preorder"
        )
        if ((quota or 0) if is_preorder else stock) <= 0
    }


def release(order: Order) -> None:
    """Give an order's reserved stock back (once: the order's ``stock`` says whether it holds any)."""
    if order.stock != Order.Stock.HELD:
        return
    lines = sorted(order.lines.all(), key=lambda line: (line.product_id or 0, line.pk))
    back_in_stock = False
    for line in lines:
        if line.product_id is None:
            continue
        field = _stock_field(line.is_preorder)
        Product.objects.filter(pk=line.product_id).update(**{field: F(field) + line.quantity})
        back_in_stock = True
    order.stock = Order.Stock.RELEASED
    order.save(update_fields=["stock", "updated_at"])
    if back_in_stock:
        catalogue.bump(order.expo_id)  # a sold-out product may be buyable again


def revive(order: Order) -> bool:
    """A payment arrived for an order that had expired: take its stock again if it is still
    there (then it is paid as usual), else say no (the money goes back)."""
    lines = list(order.lines.select_related("product"))
    if any(line.product is None for line in lines):
        return False
    try:
        with transaction.atomic():
            set_lock_timeout()
            for line in lines:
                line.product.is_preorder = line.is_preorder
            sold_out = reserve([(line.product, line.quantity) for line in lines])
    except SoldOut:
        return False
    if sold_out:
        catalogue.bump(order.expo_id)
    order.stock = Order.Stock.HELD
    return True
