"""Rules the payments writes and reads share: what may be bought now, where a guest's cart is
remembered, and the platform's fee. ``payments.services`` and ``payments.selectors`` both import
this module; it imports neither of them."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from booths.models import Product
from payments.money import basis_points_of

MAX_QUANTITY = 999
# The session key of a guest's cart (an account's cart is found by its user).
CART_SESSION_KEY = "payments_cart"


def available(product: Product) -> int:
    """What is left to sell of ``product``: its stock, or its pre-order quota."""
    return (product.preorder_quota or 0) if product.is_preorder else product.stock


def quantity_problem(product: Product, quantity: int) -> str | None:
    """Why ``quantity`` of ``product`` cannot be bought now (translated), or None."""
    name = product.name
    if not product.is_active or not product.booth.is_active:
        return _("%(product)s is no longer on sale.") % {"product": name}
    if quantity < 1:
        return _("Choose at least one item.")
    if quantity > MAX_QUANTITY:
        return _("At most %(n)s items of one product per order.") % {"n": MAX_QUANTITY}
    if quantity < product.min_order:
        return _("The minimum order for %(product)s is %(n)s.") % {
            "product": name,
            "n": product.min_order,
        }
    left = available(product)
    if left <= 0:
        if product.is_preorder:
            return _("Pre-orders for %(product)s are full.") % {"product": name}
        return _("%(product)s is sold out.") % {"product": name}
    if quantity > left:
        if product.is_preorder:
            return _("Only %(n)s pre-orders of %(product)s are left.") % {
                "n": left,
                "product": name,
            }
        return _("Only %(n)s of %(product)s are in stock.") % {"n": left, "product": name}
    return None


def fee_for(net_sales: int) -> int:
    """The platform's fee on a vendor's net sales (``PLATFORM_FEE_BPS``, rounded half up)."""
    return basis_points_of(max(net_sales, 0), settings.PLATFORM_FEE_BPS)
