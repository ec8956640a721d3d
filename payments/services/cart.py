"""The cart: an account's, or a guest's remembered in the session, merged at login. Adding needs
the expo open for buying and the stock there; removing is always possible."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booths.models import Booth, Product
from expo import timebox
from expo.models import User
from payments.models import Cart, CartItem, Order
from payments.rules import CART_SESSION_KEY, MAX_QUANTITY, available, quantity_problem


def cart_get_or_create(*, session: Any, user: User | None) -> Cart:
    """The account's cart, or the guest cart this session points at (made on first use)."""
    if user is not None and user.is_authenticated:
        cart, _created = Cart.objects.get_or_create(user=user)
        return cart
    cart_id = session.get(CART_SESSION_KEY)
    if cart_id:
        cart = Cart.objects.filter(pk=cart_id, user__isnull=True).first()
        if cart is not None:
            return cart
    cart = Cart.objects.create()
    session[CART_SESSION_KEY] = cart.pk
    return cart


def _lock_cart_item(cart: Cart, product: Product) -> CartItem | None:
    return CartItem.objects.select_for_update().filter(cart=cart, product=product).first()


@transaction.atomic
def cart_add(*, cart: Cart, product: Product, quantity: int, by: User | None = None) -> CartItem:
    """Add ``quantity`` of ``product`` (to what is already in the cart), within stock, minimum
    order and pre-order quota, while its expo is open for buying. A ``product`` read with its
    booth's expo and vendor (``selectors.product_to_add``) is not read again."""
    if not (
        Product.booth.is_cached(product)
        and Booth.expo.is_cached(product.booth)
        and Booth.vendor.is_cached(product.booth)
    ):
        product = Product.objects.select_related("booth__expo", "booth__vendor").get(pk=product.pk)
    timebox.require(product.booth.expo, timebox.Action.BUY)
    item = _lock_cart_item(cart, product)
    total = quantity + (item.quantity if item else 0)
    if quantity < 1:
        raise ValidationError(_("Choose at least one item."), code="quantity")
    problem = quantity_problem(product, total)
    if problem:
        raise ValidationError(problem, code="quantity")
    if item is None:
        item = CartItem.objects.create(
            cart=cart, product=product, quantity=total, unit_price_seen=product.price
        )
    else:
        item.quantity = total
        item.save(update_fields=["quantity"])
    Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now())
    return item


@transaction.atomic
def cart_set_quantity(
    *, cart: Cart, product_id: int, quantity: int, by: User | None = None
) -> CartItem | None:
    """Change an item's quantity; 0 removes it. Removing is always possible; more needs the expo
    to be open and the stock to be there."""
    item = (
        CartItem.objects.select_for_update(of=("self",))
        .select_related("product__booth__expo")
        .filter(cart=cart, product_id=product_id)
        .first()
    )
    if item is None:
        raise ValidationError(_("This item is no longer in your cart."), code="missing")
    if quantity <= 0:
        item.delete()
        return None
    product = item.product
    if quantity < product.min_order:
        raise ValidationError(
            _("The minimum order for %(product)s is %(n)s.")
            % {"product": product.name, "n": product.min_order},
            code="quantity",
        )
    if quantity > item.quantity:
        timebox.require(product.booth.expo, timebox.Action.BUY)
        problem = quantity_problem(product, quantity)
        if problem:
            raise ValidationError(problem, code="quantity")
    item.quantity = quantity
    item.save(update_fields=["quantity"])
    return item


def cart_remove(*, cart: Cart, product_id: int) -> None:
    """Take a product out of the cart (nothing happens when it is not there)."""
    CartItem.objects.filter(cart=cart, product_id=product_id).delete()


def cart_acknowledge_prices(*, cart: Cart) -> list[tuple[CartItem, int, int]]:
    """Record that the buyer has now seen the current prices; returns what changed
    (item, old price, new price) so the page can say so."""
    changed = []
    for item in cart.items.select_related("product"):
        if item.unit_price_seen != item.product.price:
            changed.append((item, item.unit_price_seen, item.product.price))
            CartItem.objects.filter(pk=item.pk).update(unit_price_seen=item.product.price)
    return changed


@transaction.atomic
def cart_merge(*, source: Cart, target: Cart) -> None:
    """A guest's cart joins the account's at login: quantities add up, within what is on sale."""
    if source.pk == target.pk:
        return
    existing = {i.product_id: i for i in target.items.select_for_update()}
    for item in source.items.select_related("product__booth"):
        product = item.product
        kept = existing.get(product.pk)
        wanted = item.quantity + (kept.quantity if kept else 0)
        limit = min(max(available(product), 0), MAX_QUANTITY)
        quantity = min(wanted, limit) if limit >= product.min_order else wanted
        if kept is not None:
            kept.quantity = quantity
            kept.save(update_fields=["quantity"])
        else:
            CartItem.objects.create(
                cart=target,
                product=product,
                quantity=quantity,
                unit_price_seen=item.unit_price_seen,
            )
    source.delete()


def cart_adopt_on_login(*, session: Any, user: User) -> None:
    """Called when an account logs in: the session's guest cart joins the account's."""
    cart_id = session.get(CART_SESSION_KEY)
    if not cart_id:
        return
    source = Cart.objects.filter(pk=cart_id, user__isnull=True).first()
    session.pop(CART_SESSION_KEY, None)
    if source is None:
        return
    target, _created = Cart.objects.get_or_create(user=user)
    cart_merge(source=source, target=target)


def carts_forget_abandoned(*, days: int = 30) -> int:
    """Guest carts nobody touched for ``days`` (their session is gone by then)."""
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _detail = Cart.objects.filter(user__isnull=True, updated_at__lt=cutoff).delete()
    return deleted


def restore_to_cart(order: Order) -> None:
    """Put a cancelled order's items back in the cart it came from (or the buyer's own)."""
    cart = Cart.objects.filter(pk=order.cart_id).first() if order.cart_id else None
    if cart is None and order.buyer_id is not None:
        cart, _created = Cart.objects.get_or_create(user_id=order.buyer_id)
    if cart is None:
        return
    existing = set(cart.items.values_list("product_id", flat=True))
    for line in order.lines.select_related("product"):
        if line.product is None or line.product_id in existing:
            continue
        CartItem.objects.create(
            cart=cart, product=line.product, quantity=line.quantity, unit_price_seen=line.unit_price
        )
