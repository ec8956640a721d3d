"""Stock reservation: every change of a product's stock (or pre-order quota) made by the
checkout goes through :func:`reserve` and :func:`release`.

Stock is taken inside the order's transaction, never check-then-act across transactions: the
products' rows are locked (``SELECT … FOR NO KEY UPDATE``, in product id order, so two orders never wait
on each other in a circle), checked, and written in one ``UPDATE``. The caller reserves last,
just before it commits, so a row stays locked for two statements and the commit (the locked
section pretix keeps short too). A lock wait past ``PAYMENTS_LOCK_TIMEOUT_MS`` is a lock failure
(:func:`~payments.services.locks.is_lock_failure`) that the caller turns into
:class:`~payments.services.errors.Busy` ("busy, try again").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.utils.translation import gettext as _

from booths import catalogue
from booths.models import Product
from payments.models import Order
from payments.services.errors import SoldOut
from payments.services.locks import set_lock_timeout


def _stock_field(is_preorder: bool) -> str:
    return "preorder_quota" if is_preorder else "stock"


def _sold_out(product: Product, left: int) -> SoldOut:
    if left <= 0:
        return SoldOut(_("Sorry, %(product)s is sold out.") % {"product": product.name})
    return SoldOut(
        _("Sorry, only %(n)s of %(product)s are left.") % {"n": left, "product": product.name}
    )


def reserve(wanted: Sequence[tuple[Product, int]]) -> set[int]:
    """Take ``quantity`` of each product from its stock (or pre-order quota, as the product was
    when put in the order). Two queries whatever the number of products: the rows locked in id
    order and read, then one conditional ``UPDATE``. Raises :class:`SoldOut` naming the first
    product (by id) that is short, inactive or no longer of the same kind (the caller's
    transaction then rolls back). Returns the ids of products now at zero."""
    quantities: dict[int, int] = defaultdict(int)
    kinds: dict[int, Product] = {}
    for product, quantity in wanted:
        quantities[product.pk] += quantity
        kinds.setdefault(product.pk, product)
    rows = {
        row.pk: row
        # NO KEY UPDATE: the order's lines, inserted before, hold KEY SHARE locks on these rows
        # (their foreign keys), which a plain FOR UPDATE of another buyer would wait for.
        for row in Product.objects.select_for_update(no_key=True)
        .filter(pk__in=quantities)
        .order_by("pk")
        .only("pk", "is_active", "is_preorder", "stock", "preorder_quota")
    }
    stock_whens, quota_whens, sold_out = [], [], set()
    for pk in sorted(quantities):
        product, quantity, row = kinds[pk], quantities[pk], rows.get(pk)
        field = _stock_field(product.is_preorder)
        left = (getattr(row, field) or 0) if row is not None else 0
        if row is None or not row.is_active or row.is_preorder != product.is_preorder:
            left = 0
        if left < quantity:
            raise _sold_out(product, left)
        (quota_whens if product.is_preorder else stock_whens).append(
            When(pk=pk, then=Value(quantity))
        )
        if left == quantity:
            sold_out.add(pk)
    changes = {
        field: F(field) - Case(*whens, default=Value(0), output_field=IntegerField())
        for field, whens in (("stock", stock_whens), ("preorder_quota", quota_whens))
        if whens
    }
    Product.objects.filter(pk__in=quantities).update(**changes)
    return sold_out


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
