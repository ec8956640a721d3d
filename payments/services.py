"""Writes of the payments app: carts, placing orders with stock reservation, payments, refunds,
fulfilment, settlements and the organiser's and vendor's payment settings.

Rules kept here, whoever calls (views, webhooks, tasks, admin, commands):
- Stock is reserved with a conditional ``UPDATE … WHERE stock >= qty`` inside the order's
  transaction (never check-then-act); a lock wait past ``PAYMENTS_LOCK_TIMEOUT_MS`` becomes
  :class:`Busy` ("busy, try again"). Every change of stock goes through :func:`_reserve` and
  :func:`_release`.
- A payment's state is re-read from its provider before acting on it (:func:`payment_sync`);
  confirming is idempotent (the payment row is locked, an already received payment changes
  nothing).
- The sales ledger is written in the same transaction as the change that causes it: sales when an
  order is paid, refunds when money is given back.
- Network calls to a provider happen outside the order's transaction, except for refunds, which
  hold the order's lock while asking the provider so two refunds cannot overlap.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from booths import catalogue
from booths.models import Booth, Product, Vendor
from expo import permissions, timebox
from expo.models import Expo, User
from expo.services import audit_log, send_templated_email
from payments import hooks, providers, shipping, signals
from payments.attribution import DIRECT, Attribution
from payments.models import (
    Cart,
    CartItem,
    Charge,
    CollectingAccount,
    ExchangeRate,
    Order,
    OrderLine,
    OrderPart,
    Payment,
    Refund,
    SalesLedgerEntry,
    SettlementPayout,
    ShippingMethod,
    ShippingZone,
    VendorShippingRate,
    WebhookEvent,
)
from payments.money import basis_points_of

logger = logging.getLogger(__name__)

MAX_QUANTITY = 999
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U


# --- Errors ----------------------------------------------------------------------------------------


class SoldOut(ValidationError):
    """Another buyer took the last items; nothing was reserved or charged."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="sold_out")


class Busy(ValidationError):
    """Too many buyers at once for the same items: nothing changed, try again."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Many buyers are checking out these items right now. Nothing was charged; please try again."
            ),
            code="busy",
        )


class PricesChanged(ValidationError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Some prices changed since you opened this page. Check the new total, then place the order again."
            ),
            code="prices_changed",
        )


# --- Small helpers ---------------------------------------------------------------------------------


def _random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(length))


def new_order_code() -> str:
    raw = _random_code(8)
    return f"UVE-{raw[:4]}-{raw[4:]}"


def _available(product: Product) -> int:
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
    available = _available(product)
    if available <= 0:
        if product.is_preorder:
            return _("Pre-orders for %(product)s are full.") % {"product": name}
        return _("%(product)s is sold out.") % {"product": name}
    if quantity > available:
        if product.is_preorder:
            return _("Only %(n)s pre-orders of %(product)s are left.") % {
                "n": available,
                "product": name,
            }
        return _("Only %(n)s of %(product)s are in stock.") % {"n": available, "product": name}
    return None


@dataclass(frozen=True)
class Recipient:
    """Whom an e-mail goes to: an account, or a guest buyer (with the language they ordered in)."""

    email: str
    name: str
    language: str
    time_zone: str = settings.TIME_ZONE

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email.split("@")[0]


def _buyer_recipient(order: Order) -> Recipient:
    buyer = order.buyer
    if buyer is not None:
        return Recipient(
            email=order.email,
            name=order.name or buyer.name,
            language=buyer.language or order.language,
            time_zone=buyer.time_zone,
        )
    return Recipient(email=order.email, name=order.name, language=order.language)


def _notify_buyer(order: Order, template: str, **context: Any) -> None:
    send_templated_email(
        to=_buyer_recipient(order),  # type: ignore[arg-type]  # duck-typed recipient
        template=f"payments/email/{template}",
        context={"order": order, "expo": order.expo, **context},
    )


def _notify_vendor(part: OrderPart, template: str, **context: Any) -> None:
    for membership in part.vendor.memberships.select_related("user"):
        send_templated_email(
            to=membership.user,
            template=f"payments/email/{template}",
            context={
                "order": part.order,
                "part": part,
                "vendor": part.vendor,
                "expo": part.order.expo,
                **context,
            },
        )


def _set_lock_timeout() -> None:
    """Inside a transaction on PostgreSQL: wait at most PAYMENTS_LOCK_TIMEOUT_MS for a row lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('lock_timeout', %s, true)",
                [f"{int(settings.PAYMENTS_LOCK_TIMEOUT_MS)}ms"],
            )


def _is_lock_failure(error: OperationalError) -> bool:
    cause = error.__cause__
    code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if code in ("55P03", "40P01", "40001"):  # lock timeout, deadlock, serialization failure
        return True
    return "database is locked" in str(error)


# --- Cart ------------------------------------------------------------------------------------------


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


CART_SESSION_KEY = "payments_cart"


def _lock_cart_item(cart: Cart, product: Product) -> CartItem | None:
    return CartItem.objects.select_for_update().filter(cart=cart, product=product).first()


@transaction.atomic
def cart_add(*, cart: Cart, product: Product, quantity: int, by: User | None = None) -> CartItem:
    """Add ``quantity`` of ``product`` (to what is already in the cart), within stock, minimum
    order and pre-order quota, while its expo is open for buying."""
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
        limit = min(max(_available(product), 0), MAX_QUANTITY)
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


# --- Stock -----------------------------------------------------------------------------------------


def _stock_field(is_preorder: bool) -> str:
    return "preorder_quota" if is_preorder else "stock"


def _reserve(wanted: Sequence[tuple[Product, int]]) -> set[int]:
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


def _release(order: Order) -> None:
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


# --- Placing an order ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuyerDetails:
    email: str
    name: str
    phone: str
    address: str
    city: str
    region: str
    postal_code: str
    country: str
    language: str = "en"


@dataclass
class PlannedPart:
    booth: Booth
    items: list[CartItem]
    quote: shipping.Quote

    @property
    def subtotal(self) -> int:
        return sum(item.product.price * item.quantity for item in self.items)


def plan_order(*, cart: Cart, expo: Expo, country: str, region: str) -> list[PlannedPart]:
    """The cart's items for ``expo`` grouped by booth, each with its shipping for the address."""
    items = list(
        cart.items.filter(product__booth__expo=expo)
        .select_related("product__booth__vendor__region")
        .order_by("product__booth__vendor__name", "product__booth_id", "added_at", "pk")
    )
    groups: dict[int, list[CartItem]] = defaultdict(list)
    booths: dict[int, Booth] = {}
    for item in items:
        booth = item.product.booth
        groups[booth.pk].append(item)
        booths[booth.pk] = booth
    rates = shipping.vendor_rates(b.vendor_id for b in booths.values())
    planned = []
    for booth_id, booth_items in groups.items():
        booth = booths[booth_id]
        zone = shipping.zone_for(
            country=country, region=region, vendor_province=booth.vendor.region.province
        )
        planned.append(
            PlannedPart(
                booth=booth,
                items=booth_items,
                quote=shipping.quote(rates.get(booth.vendor_id, {}), zone),
            )
        )
    return planned


def _ships_by(product: Product, today: Any) -> Any:
    if product.is_preorder and product.preorder_lead_days is not None:
        return today + timedelta(days=product.preorder_lead_days)
    return None


def order_place(
    *,
    cart: Cart,
    expo: Expo,
    details: BuyerDetails,
    provider: str,
    buyer: User | None,
    attribution: Attribution = DIRECT,
    expected_subtotal: int | None = None,
) -> Order:
    """Turn the cart's items for ``expo`` into one order, reserving their stock until the
    provider's time limit, and start the payment. Raises ValidationError (nothing changed) for
    a closed expo, an empty cart, a quantity no longer available (:class:`SoldOut`), a vendor that
    does not ship to the address, a changed price (:class:`PricesChanged`) or a busy database
    (:class:`Busy`)."""
    timebox.require(expo, timebox.Action.BUY)
    method = providers.REGISTRY.get(provider)
    if method is None or not method.is_available():
        raise ValidationError(_("Choose a way to pay."), code="provider")
    if buyer is not None and not buyer.is_authenticated:
        buyer = None
    planned = plan_order(cart=cart, expo=expo, country=details.country, region=details.region)
    if not planned:
        raise ValidationError(_("Your cart has nothing from this expo."), code="empty")
    problems = []
    for part in planned:
        if not part.quote.ships:
            problems.append(
                _(
                    "%(vendor)s does not ship to this address. Remove its items or choose another address."
                )
                % {"vendor": part.booth.vendor.name}
            )
        for item in part.items:
            problem = quantity_problem(item.product, item.quantity)
            if problem:
                problems.append(problem)
    short = [
        item
        for part in planned
        for item in part.items
        if item.product.is_active and _available(item.product) < item.quantity
    ]
    if short and len(short) == len(problems):
        # Only stock is missing: the same answer as losing the race for it (SoldOut).
        raise SoldOut(" ".join(problems))
    if problems:
        raise ValidationError(problems, code="cart")
    subtotal = sum(part.subtotal for part in planned)
    shipping_total = sum(part.quote.amount for part in planned)
    if expected_subtotal is not None and expected_subtotal != subtotal:
        raise PricesChanged()

    try:
        order, payment = _create_order(
            cart=cart,
            expo=expo,
            details=details,
            method=method,
            buyer=buyer,
            attribution=attribution,
            planned=planned,
            subtotal=subtotal,
            shipping_total=shipping_total,
        )
    except OperationalError as error:
        if _is_lock_failure(error):
            raise Busy() from error
        raise

    if method.name != providers.MANUAL.name:
        try:
            method.start(payment)
        except providers.ProviderError:
            order_cancel(order=order, reason=Order.CancelReason.PAYMENT_FAILED, by=None)
            raise
        Payment.objects.filter(pk=payment.pk).update(provider_ref=payment.provider_ref)
    else:
        # Rendered once the stock locks are let go (the order's own transaction has committed).
        from payments.selectors import collecting_account

        _notify_buyer(order, "order_placed", account=collecting_account(expo=expo))
    return order


@transaction.atomic
def _create_order(
    *,
    cart: Cart,
    expo: Expo,
    details: BuyerDetails,
    method: providers.PaymentProvider,
    buyer: User | None,
    attribution: Attribution,
    planned: list[PlannedPart],
    subtotal: int,
    shipping_total: int,
) -> tuple[Order, Payment]:
    _set_lock_timeout()
    sold_out = _reserve([(item.product, item.quantity) for part in planned for item in part.items])
    now = timezone.now()
    order = None
    for _attempt in range(5):
        try:
            with transaction.atomic():
                order = Order.objects.create(
                    code=new_order_code(),
                    expo=expo,
                    buyer=buyer,
                    cart=cart,
                    access_key=secrets.token_urlsafe(32),
                    email=details.email,
                    name=details.name,
                    phone=details.phone,
                    address=details.address,
                    city=details.city,
                    region=details.region,
                    postal_code=details.postal_code,
                    country=details.country.upper(),
                    language=details.language,
                    provider=method.name,
                    channel=attribution.channel,
                    attribution_id=attribution.id,
                    attribution_label=attribution.label,
                    subtotal=subtotal,
                    shipping_total=shipping_total,
                    total=subtotal + shipping_total,
                    reserved_until=now + timedelta(minutes=method.reservation_minutes),
                    placed_at=now,
                )
            break
        except IntegrityError:
            continue  # an order number taken already: draw another
    if order is None:
        raise IntegrityError("could not draw a free order number")
    today = timezone.localdate(now)
    lines = []
    for planned_part in planned:
        part = OrderPart.objects.create(
            order=order,
            booth=planned_part.booth,
            vendor=planned_part.booth.vendor,
            subtotal=planned_part.subtotal,
            shipping_zone=planned_part.quote.zone,
            shipping_method=planned_part.quote.method,
            shipping_amount=planned_part.quote.amount,
        )
        for item in planned_part.items:
            product = item.product
            lines.append(
                OrderLine(
                    order=order,
                    part=part,
                    product=product,
                    name_en=product.name_en,
                    name_id=product.name_id,
                    unit_price=product.price,
                    quantity=item.quantity,
                    is_preorder=product.is_preorder,
                    ships_by=_ships_by(product, today),
                )
            )
    OrderLine.objects.bulk_create(lines)
    payment = Payment(order=order, provider=method.name, amount=order.total)
    if method.name == providers.MANUAL.name:
        method.start(payment)  # the transfer reference: no network
    payment.save()
    CartItem.objects.filter(cart=cart, product__booth__expo=expo).delete()
    audit_log(
        action="payments.order.placed",
        obj=order,
        user=buyer,
        expo_id=expo.pk,
        total=order.total,
        provider=method.name,
        channel=order.channel,
    )
    if sold_out:
        catalogue.bump(expo.pk)  # the product pages should say "sold out" now
    return order, payment


# --- Payments --------------------------------------------------------------------------------------


def _lock(payment: Payment) -> tuple[Payment, Order]:
    # The order first, then its payment: the order every other writer (cancel, expiry, refunds)
    # takes them in, so two of them never wait on each other in a circle. ``of=("self",)``: the
    # expo and office rows are read, not locked (else every payment of an expo would queue).
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("expo__office")
        .get(pk=payment.order_id)
    )
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    payment.order = order
    return payment, order


def _ledger_write(
    order: Order,
    rows: Iterable[tuple[OrderLine, int, int]],
    *,
    occurred_at: datetime,
    refund: Refund | None = None,
) -> None:
    """Append one ledger entry per ``(line, signed amount, quantity)``, with the breakdown copied
    from the order and its vendor as they are now, and tell the listeners (the omzet reports)."""
    parts = {p.pk: p for p in order.parts.select_related("vendor")}
    entries = []
    for line, amount, quantity in rows:
        part = parts[line.part_id]
        vendor = part.vendor
        entries.append(
            SalesLedgerEntry(
                kind=SalesLedgerEntry.Kind.SALE if amount > 0 else SalesLedgerEntry.Kind.REFUND,
                amount=amount,
                expo_id=order.expo_id,
                booth_id=part.booth_id,
                vendor_id=vendor.pk,
                region_id=vendor.region_id,
                sector_id=vendor.sector_id,
                size_class=vendor.size_class,
                buyer_country=order.country,
                channel=order.channel,
                attribution_id=order.attribution_id,
                attribution_label=order.attribution_label,
                order=order,
                line=line,
                refund=refund,
                quantity=quantity,
                occurred_at=occurred_at,
            )
        )
    SalesLedgerEntry.objects.bulk_create(entries)
    if entries:
        signals.ledger_written.send(sender=SalesLedgerEntry, expo_id=order.expo_id)


def _ledger_sales(order: Order, occurred_at: datetime) -> None:
    rows = [(line, line.amount, line.quantity) for line in order.lines.all()]
    _ledger_write(order, rows, occurred_at=occurred_at)


def _revive(order: Order) -> bool:
    """A payment arrived for an order that had expired: take its stock again if it is still
    there (then it is paid as usual), else say no (the money goes back)."""
    lines = list(order.lines.select_related("product"))
    if any(line.product is None for line in lines):
        return False
    try:
        with transaction.atomic():
            _set_lock_timeout()
            for line in lines:
                line.product.is_preorder = line.is_preorder
            sold_out = _reserve([(line.product, line.quantity) for line in lines])
    except SoldOut:
        return False
    if sold_out:
        catalogue.bump(order.expo_id)
    order.stock = Order.Stock.HELD
    return True


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


@dataclass(frozen=True)
class Confirmation:
    order: Order | None  # None for a charge's payment
    changed: bool  # False: it was already received, nothing happened
    refund_needed: bool = False  # received for an order whose items are gone


def payment_confirm(
    *, payment: Payment, by: User | None = None, amount: int | None = None, note: str = ""
) -> Confirmation:
    """Record that ``payment``'s money arrived and mark its order paid (idempotent). ``by`` is the
    organiser confirming a bank transfer (checked), or None for a provider's confirmation."""
    if payment.charge_id is not None:
        return _charge_confirm(payment, by=by, amount=amount, note=note)
    with transaction.atomic():
        payment, order = _lock(payment)
        if by is not None:
            permissions.require(permissions.can_manage_office(by, order.expo.office_id))
        if payment.status == Payment.Status.SUCCEEDED:
            return Confirmation(order, changed=False)
        if amount is not None and amount < payment.amount:
            raise ValidationError(
                _("Received %(received)s, but the order needs %(needed)s.")
                % {"received": amount, "needed": payment.amount},
                code="short",
            )
        now = _mark_received(payment, by=by, note=note, expo_id=order.expo_id)
        if order.paid_at is not None:
            # A second payment for an order already paid (a transfer and a card): give it back.
            return Confirmation(order, changed=True, refund_needed=True)
        if order.status == Order.Status.CANCELLED and not _revive(order):
            audit_log(
                action="payments.order.paid_after_cancel",
                obj=order,
                user=by,
                expo_id=order.expo_id,
            )
            return Confirmation(order, changed=True, refund_needed=True)
        order.status = Order.Status.PAID
        order.stock = Order.Stock.SOLD
        order.paid_at = now
        order.cancel_reason = Order.CancelReason.NONE
        order.cancelled_at = None
        order.save(
            update_fields=[
                "status",
                "stock",
                "paid_at",
                "cancel_reason",
                "cancelled_at",
                "updated_at",
            ]
        )
        order.parts.update(status=OrderPart.Status.PAID)
        # Other attempts for this order can no longer be used.
        order.payments.filter(status=Payment.Status.CREATED).update(status=Payment.Status.CANCELLED)
        _ledger_sales(order, now)
        audit_log(
            action="payments.order.paid",
            obj=order,
            user=by,
            expo_id=order.expo_id,
            total=order.total,
        )
        _notify_buyer(order, "order_paid")
        for part in order.parts.select_related("vendor", "booth"):
            _notify_vendor(part, "vendor_order_paid", lines=list(part.lines.all()))
    return Confirmation(order, changed=True)


def payment_fail(*, payment: Payment, message: str = "", by: User | None = None) -> Order | None:
    """The provider refused or the buyer gave up: the order is cancelled, its stock released and
    its items go back to the buyer's cart. Nothing happens to a payment already received. The
    provider is then told, so the same payment cannot complete later."""
    order = _fail_locked(payment, message=message, by=by)
    if payment.provider_ref:
        # A late success is still caught: the order is revived or refunded.
        with contextlib.suppress(providers.ProviderError):
            providers.get(payment.provider).cancel(payment)
    return order


def _fail_locked(payment: Payment, *, message: str, by: User | None) -> Order | None:
    if payment.charge_id is not None:
        _charge_payment_failed(payment, message=message)
        return None
    with transaction.atomic():
        payment, order = _lock(payment)
        if payment.status == Payment.Status.SUCCEEDED:
            return order
        if payment.status == Payment.Status.CREATED:
            payment.status = Payment.Status.FAILED
            payment.failure_message = (message or "")[:255]
            payment.save(update_fields=["status", "failure_message"])
            audit_log(
                action="payments.payment.failed",
                obj=payment,
                user=by,
                expo_id=order.expo_id,
                message=payment.failure_message,
            )
        if order.status == Order.Status.PENDING:
            _cancel_locked(order, reason=Order.CancelReason.PAYMENT_FAILED, by=by, restore=True)
    return order


def payment_sync(*, payment: Payment) -> Payment:
    """Ask the provider what happened to ``payment`` and act on that (never on what a page or a
    webhook body claims). Bank transfers are left to the organiser's staff."""
    provider = providers.get(payment.provider)
    state = provider.state(payment)
    if state is None or state.status == "pending":
        return payment
    if state.status == "succeeded":
        confirmation = payment_confirm(payment=payment, amount=state.amount)
        if confirmation.refund_needed and payment.order_id is not None:
            _refund_unfulfillable(payment)
    else:
        payment_fail(payment=payment, message=state.message)
    payment.refresh_from_db()
    return payment


def _refund_unfulfillable(payment: Payment) -> None:
    """Money arrived for an order whose items were sold meanwhile: give it all back."""
    provider = providers.get(payment.provider)
    with transaction.atomic():
        payment, order = _lock(payment)
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
        _notify_buyer(order, "order_refunded", refund=refund, late=True)


def payment_pay_with_card(*, order: Order, card: str, by: User | None = None) -> Any:
    """The page sends the card (from stripe.js); attach it to the order's PaymentIntent and
    confirm. Starting a payment needs the expo to be open."""
    timebox.require(order.expo, timebox.Action.BUY)
    if order.status != Order.Status.PENDING:
        raise ValidationError(_("This order is not waiting for a payment."), code="state")
    payment = order.payments.filter(
        provider=providers.STRIPE.name, status=Payment.Status.CREATED
    ).first()
    if payment is None or not payment.provider_ref:
        raise ValidationError(_("This order is not waiting for a card payment."), code="state")
    attempt = providers.STRIPE.pay_with_card(payment, card=card)
    if attempt.state.status == "succeeded":
        confirmation = payment_confirm(payment=payment, amount=attempt.state.amount)
        if confirmation.refund_needed and payment.order_id is not None:
            _refund_unfulfillable(payment)
    elif attempt.state.status in ("failed", "cancelled"):
        payment_fail(payment=payment, message=attempt.state.message)
    return attempt


# --- Charges: the organiser's own sales (banner fees) ---------------------------------------------


def _lock_charge(payment: Payment) -> tuple[Payment, Charge]:
    charge = (
        Charge.objects.select_for_update(of=("self",))
        .select_related("expo")
        .get(pk=payment.charge_id)
    )
    payment = Payment.objects.select_for_update(of=("self",)).get(pk=payment.pk)
    payment.charge = charge
    return payment, charge


@transaction.atomic
def charge_open(
    *, expo: Expo, purpose: str, object_id: int, label: str, amount: int, payer: User | None
) -> Charge:
    """What the organiser asks to be paid for ``purpose``/``object_id`` (again, with a new amount,
    if it was asked before and not paid). A bank-transfer payment with the charge's reference is
    ready at once; a card payment is made when the payer pays by card."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationError(_("The amount is a whole number of rupiah above zero."))
    charge = Charge.objects.select_for_update().filter(purpose=purpose, object_id=object_id).first()
    if charge is not None and charge.status == Charge.Status.PAID:
        raise ValidationError(_("This has been paid already."), code="paid")
    if charge is None:
        charge = Charge(
            code=f"UVC-{_random_code(4)}-{_random_code(4)}",
            access_key=secrets.token_urlsafe(32),
            purpose=purpose,
            object_id=object_id,
        )
    charge.expo, charge.label, charge.amount, charge.payer = expo, label[:200], amount, payer
    charge.status = Charge.Status.PENDING
    charge.save()
    # A changed amount: earlier attempts can no longer be used.
    charge.payments.filter(status=Payment.Status.CREATED).exclude(amount=amount).update(
        status=Payment.Status.CANCELLED
    )
    if not charge.payments.filter(
        provider=providers.MANUAL.name, status=Payment.Status.CREATED
    ).exists():
        manual = Payment(charge=charge, provider=providers.MANUAL.name, amount=amount)
        manual.reference = f"{charge.code}-{charge.payments.count() + 1}"
        manual.save()
    audit_log(
        action="payments.charge.opened", obj=charge, expo_id=expo.pk, amount=amount, purpose=purpose
    )
    return charge


@transaction.atomic
def charge_cancel(*, purpose: str, object_id: int) -> None:
    """The service is no longer sold (a banner rejected): its unpaid charge is closed."""
    charge = (
        Charge.objects.select_for_update()
        .filter(purpose=purpose, object_id=object_id, status=Charge.Status.PENDING)
        .first()
    )
    if charge is None:
        return
    charge.status = Charge.Status.CANCELLED
    charge.save(update_fields=["status"])
    charge.payments.filter(status=Payment.Status.CREATED).update(status=Payment.Status.CANCELLED)
    audit_log(action="payments.charge.cancelled", obj=charge, expo_id=charge.expo_id)


def _charge_confirm(
    payment: Payment, *, by: User | None, amount: int | None, note: str
) -> Confirmation:
    with transaction.atomic():
        payment, charge = _lock_charge(payment)
        if by is not None:
            permissions.require(permissions.can_manage_office(by, charge.expo.office_id))
        if payment.status == Payment.Status.SUCCEEDED:
            return Confirmation(None, changed=False)
        if amount is not None and amount < payment.amount:
            raise ValidationError(
                _("Received %(received)s, but %(needed)s is owed.")
                % {"received": amount, "needed": payment.amount},
                code="short",
            )
        if charge.status == Charge.Status.CANCELLED:
            raise ValidationError(_("This charge was cancelled; nothing is owed."), code="state")
        now = _mark_received(payment, by=by, note=note, expo_id=charge.expo_id)
        if charge.status == Charge.Status.PAID:
            # Paid twice (a transfer and a card): the office gives the second one back.
            audit_log(action="payments.charge.paid_twice", obj=charge, expo_id=charge.expo_id)
            return Confirmation(None, changed=True, refund_needed=True)
        charge.status, charge.paid_at = Charge.Status.PAID, now
        charge.save(update_fields=["status", "paid_at"])
        charge.payments.filter(status=Payment.Status.CREATED).update(
            status=Payment.Status.CANCELLED
        )
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


def _charge_payment_failed(payment: Payment, *, message: str) -> None:
    """A card attempt for a charge failed: the charge stays open (pay again, or by transfer)."""
    with transaction.atomic():
        payment, charge = _lock_charge(payment)
        if payment.status != Payment.Status.CREATED:
            return
        payment.status = Payment.Status.FAILED
        payment.failure_message = (message or "")[:255]
        payment.save(update_fields=["status", "failure_message"])
        audit_log(
            action="payments.payment.failed",
            obj=payment,
            expo_id=charge.expo_id,
            message=payment.failure_message,
        )


def charge_pay_with_card(*, charge: Charge, card: str, by: User | None = None) -> Any:
    """Pay a charge with the card stripe.js made: a PaymentIntent for it (made now, or the one
    still waiting), the card attached and confirmed. Acted on as Stripe then says."""
    if charge.status != Charge.Status.PENDING:
        raise ValidationError(_("This is not waiting for a payment."), code="state")
    if not providers.STRIPE.is_available():
        raise ValidationError(_("Card payments are not offered here."), code="provider")
    payment = charge.payments.filter(
        provider=providers.STRIPE.name, status=Payment.Status.CREATED, amount=charge.amount
    ).first()
    if payment is None:
        payment = Payment.objects.create(
            charge=charge, provider=providers.STRIPE.name, amount=charge.amount
        )
        payment.charge = charge
        providers.STRIPE.start(payment)
        Payment.objects.filter(pk=payment.pk).update(provider_ref=payment.provider_ref)
    attempt = providers.STRIPE.pay_with_card(payment, card=card)
    if attempt.state.status == "succeeded":
        payment_confirm(payment=payment, amount=attempt.state.amount)
    elif attempt.state.status in ("failed", "cancelled"):
        payment_fail(payment=payment, message=attempt.state.message)
    return attempt


# --- Cancelling and expiring -----------------------------------------------------------------------


def _restore_to_cart(order: Order) -> None:
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


def _cancel_locked(order: Order, *, reason: str, by: User | None, restore: bool) -> None:
    now = timezone.now()
    _release(order)
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
        _restore_to_cart(order)
    # A card buyer sees a failed payment in the page; everyone else learns it by e-mail.
    if order.provider == providers.MANUAL.name or reason in (
        Order.CancelReason.EXPIRED,
        Order.CancelReason.ORGANISER,
    ):
        _notify_buyer(order, "order_cancelled", reason=reason)


def order_cancel(*, order: Order, reason: str, by: User | None) -> Order:
    """Cancel an unpaid order: its stock is released, card payments can no longer complete. A
    buyer or payment failure puts the items back in the buyer's cart. ``by`` (when given) must be
    the buyer or an organiser of the expo's office."""
    if by is not None:
        is_buyer = order.buyer_id is not None and order.buyer_id == getattr(by, "pk", None)
        permissions.require(is_buyer or permissions.can_manage_office(by, order.expo.office_id))
    # Close the door at the provider first, then re-read: it may have been paid meanwhile.
    for payment in order.payments.filter(status=Payment.Status.CREATED):
        provider = providers.get(payment.provider)
        provider.cancel(payment)
        state = provider.state(payment)
        if state is not None and state.status == "succeeded":
            payment_sync(payment=payment)
            order.refresh_from_db()
            raise ValidationError(
                _("This order was paid meanwhile; it cannot be cancelled."), code="paid"
            )
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status != Order.Status.PENDING:
            return order
        restore = reason in (Order.CancelReason.BUYER, Order.CancelReason.PAYMENT_FAILED)
        _cancel_locked(order, reason=reason, by=by, restore=restore)
    return order


def orders_expire(*, now: datetime | None = None, limit: int = 500) -> int:
    """Cancel unpaid orders past their time limit and release their stock. A card payment is
    asked about first (its webhook may never have come)."""
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
    about refunds made at the provider that were not recorded here."""
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    counts = {"checked": 0, "confirmed": 0, "failed": 0, "refunds": 0, "unreachable": 0}
    waiting = (
        Payment.objects.filter(
            status=Payment.Status.CREATED, created_at__lt=cutoff, provider_ref__isnull=False
        )
        .exclude(provider=providers.MANUAL.name)
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
    received = Payment.objects.filter(
        provider=providers.STRIPE.name,
        status=Payment.Status.SUCCEEDED,
        confirmed_at__gte=timezone.now() - timedelta(days=120),
    )
    if providers.STRIPE.is_available():
        for payment in received:
            try:
                counts["refunds"] += payment_sync_refunds(payment=payment)
            except providers.ProviderError:
                counts["unreachable"] += 1
    counts["expired"] = orders_expire()
    return counts


def stripe_event_handle(*, event_id: str, event_type: str, object_id: str, intent_id: str) -> bool:
    """A verified Stripe event: a trigger to re-read its PaymentIntent (and refunds) from Stripe
    and act on that. Each event is acted on once, however often it is delivered (the deliveries
    are counted); events out of order do no harm, as only Stripe's current state is acted on.
    Returns False for a repeated delivery. ProviderError when Stripe cannot be reached (the
    event stays unprocessed, so its next delivery tries again)."""
    with transaction.atomic():
        record, created = WebhookEvent.objects.select_for_update().get_or_create(
            provider=providers.STRIPE.name,
            event_id=event_id[:255],
            defaults={"type": event_type[:80], "object_id": object_id[:255]},
        )
        if not created:
            WebhookEvent.objects.filter(pk=record.pk).update(deliveries=F("deliveries") + 1)
            if record.processed_at is not None:
                return False
    payment = (
        Payment.objects.filter(provider=providers.STRIPE.name, provider_ref=intent_id).first()
        if intent_id
        else None
    )
    if payment is not None:
        payment = payment_sync(payment=payment)
        if payment.status == Payment.Status.SUCCEEDED:
            payment_sync_refunds(payment=payment)
    WebhookEvent.objects.filter(pk=record.pk).update(processed_at=timezone.now())
    return True


# --- Refunds ---------------------------------------------------------------------------------------


def _received_payment(order: Order) -> Payment:
    payment = (
        order.payments.filter(status=Payment.Status.SUCCEEDED).order_by("confirmed_at").first()
    )
    if payment is None:
        raise ValidationError(
            _("This order has not been paid; there is nothing to refund."), code="unpaid"
        )
    return payment


def _ledger_refund(order: Order, refund: Refund, allocation: list[tuple[OrderLine, int]]) -> None:
    rows = [
        (line, -amount, -line.quantity if amount == line.amount else 0)
        for line, amount in allocation
        if amount > 0
    ]
    _ledger_write(order, rows, occurred_at=refund.created_at, refund=refund)


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
    _ledger_refund(order, refund, allocation)
    order.refunded_total += amount
    order.save(update_fields=["refunded_total", "updated_at"])
    _recompute_status(order)
    audit_log(
        action="payments.refund.created",
        obj=refund,
        user=by,
        expo_id=order.expo_id,
        order=order.code,
        amount=amount,
        lines=[line.pk for line, _a in allocation],
    )
    _notify_buyer(order, "order_refunded", refund=refund)
    touched = {line.part_id for line, _a in allocation} | set(shipping_by_part)
    for part_id in touched:
        part = OrderPart.objects.select_related("vendor", "order__expo").get(pk=part_id)
        _notify_vendor(part, "vendor_refunded", refund=refund)
    return refund


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
    lines. Card payments are refunded through the provider's refund API; bank transfers are
    recorded for the office to transfer back."""
    with transaction.atomic():
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("expo__office")
            .get(pk=order.pk)
        )
        is_organiser = permissions.can_manage_office(by, order.expo.office_id)
        all_lines = list(order.lines.select_related("part"))
        if lines is None:
            permissions.require(is_organiser)
            chosen = all_lines
        else:
            wanted = {line.pk for line in lines}
            chosen = [line for line in all_lines if line.pk in wanted]
            if len(chosen) != len(wanted):
                raise ValidationError(_("Choose lines of this order."), code="lines")
            if not is_organiser:
                vendor_ids = {line.part.vendor_id for line in chosen}
                permissions.require(
                    len(vendor_ids) == 1
                    and permissions.is_vendor_member(by, next(iter(vendor_ids)))
                )
        if order.paid_at is None:
            raise ValidationError(
                _("This order has not been paid; there is nothing to refund."), code="unpaid"
            )
        chosen = [line for line in chosen if line.refundable > 0]
        allocation = [(line, line.refundable) for line in chosen]
        # Shipping goes back with the last line of a part (or with the whole order).
        refunded_now = {line.pk for line in chosen}
        shipping_by_part: dict[int, int] = {}
        for part in order.parts.all():
            part_lines = [line for line in all_lines if line.part_id == part.pk]
            if all(line.is_refunded or line.pk in refunded_now for line in part_lines):
                left = part.shipping_amount - part.shipping_refunded
                if left > 0:
                    shipping_by_part[part.pk] = left
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
        payment = _received_payment(order)
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


def payment_sync_refunds(*, payment: Payment) -> int:
    """Record refunds made at the provider that are not here yet (made in its dashboard, or made
    by :func:`order_refund` whose transaction did not commit). De-duplicated by refund id; the
    amount is spread over the lines still paid, then shipping. Returns how many were recorded."""
    if payment.provider != providers.STRIPE.name or not payment.provider_ref:
        return 0
    if payment.order_id is None:
        return 0  # a charge's refund is the office's own business, outside the sales ledger
    found = providers.STRIPE.refunds_of(payment)
    recorded = 0
    for refund_id, amount, status in found:
        if status not in ("succeeded", "pending"):
            continue
        if Refund.objects.filter(provider_ref=refund_id).exists():
            continue
        with transaction.atomic():
            order = Order.objects.select_for_update().get(pk=payment.order_id)
            if Refund.objects.filter(provider_ref=refund_id).exists():
                continue
            if order.paid_at is None:
                continue
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
            if left > 0:
                logger.error(
                    "Refund %s is larger than what order %s has left", refund_id, order.code
                )
                continue
            payment_locked = Payment.objects.get(pk=payment.pk)
            _apply_refund(
                order,
                payment=payment_locked,
                allocation=allocation,
                shipping_by_part=shipping_by_part,
                provider_ref=refund_id,
                done=True,
                reason=_("Refunded at the payment provider."),
                by=None,
            )
            recorded += 1
    return recorded


# --- Fulfilment ------------------------------------------------------------------------------------

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


def _recompute_status(order: Order) -> None:
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


def _advance(part: OrderPart, to: str, *, by: User, allowed_from: tuple[str, ...]) -> bool:
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
    part = _lock_part(part, by)
    if not _advance(part, OrderPart.Status.PACKED, by=by, allowed_from=(OrderPart.Status.PAID,)):
        return part
    part.packed_at = timezone.now()
    part.save(update_fields=["status", "packed_at"])
    _recompute_status(Order.objects.select_for_update().get(pk=part.order_id))
    audit_log(action="payments.part.packed", obj=part, user=by, expo_id=part.order.expo_id)
    _notify_buyer(part.order, "part_packed", part=part)
    return part


@transaction.atomic
def part_mark_shipped(
    *, part: OrderPart, courier: str, tracking_number: str, by: User, courier_name: str = ""
) -> OrderPart:
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
        by=by,
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
    _recompute_status(Order.objects.select_for_update().get(pk=part.order_id))
    audit_log(
        action="payments.part.shipped",
        obj=part,
        user=by,
        expo_id=part.order.expo_id,
        courier=courier,
        tracking=part.tracking_number,
    )
    _notify_buyer(part.order, "part_shipped", part=part)
    return part


@transaction.atomic
def part_mark_delivered(*, part: OrderPart, by: User) -> OrderPart:
    """The vendor (or the buyer, confirming receipt) marks a shipped part delivered."""
    part = _lock_part(part, by, buyer_may=True)
    if not _advance(
        part, OrderPart.Status.DELIVERED, by=by, allowed_from=(OrderPart.Status.SHIPPED,)
    ):
        return part
    part.delivered_at = timezone.now()
    part.save(update_fields=["status", "delivered_at"])
    _recompute_status(Order.objects.select_for_update().get(pk=part.order_id))
    audit_log(action="payments.part.delivered", obj=part, user=by, expo_id=part.order.expo_id)
    _notify_buyer(part.order, "part_delivered", part=part)
    _notify_vendor(part, "vendor_part_delivered")
    return part


# --- Settings of vendors and organisers --------------------------------------------------------------


@transaction.atomic
def shipping_rates_update(
    *, vendor: Vendor, rates: dict[str, tuple[str, int]], by: User
) -> list[VendorShippingRate]:
    """Set a vendor's rate per zone: ``{zone: (method, amount)}``."""
    permissions.require(permissions.is_vendor_member(by, vendor.pk))
    saved = []
    for zone, (method, amount) in rates.items():
        if zone not in ShippingZone.values or method not in ShippingMethod.values:
            raise ValidationError(_("Choose a shipping option for each zone."), code="rates")
        if amount < 0:
            raise ValidationError(_("A rate cannot be negative."), code="rates")
        rate, _created = VendorShippingRate.objects.update_or_create(
            vendor=vendor,
            zone=zone,
            defaults={"method": method, "amount": amount if method == ShippingMethod.FLAT else 0},
        )
        saved.append(rate)
    audit_log(
        action="payments.shipping.updated",
        obj=vendor,
        user=by,
        rates={zone: list(value) for zone, value in rates.items()},
    )
    return saved


def _require_organiser(expo: Expo, by: User) -> None:
    permissions.require(permissions.can_manage_office(by, expo.office_id))


@transaction.atomic
def collecting_account_update(
    *,
    expo: Expo,
    by: User,
    bank_name: str,
    account_number: str,
    account_holder: str,
    instructions_en: str = "",
    instructions_id: str = "",
) -> CollectingAccount:
    _require_organiser(expo, by)
    account, _created = CollectingAccount.objects.update_or_create(
        expo=expo,
        defaults={
            "bank_name": bank_name,
            "account_number": account_number,
            "account_holder": account_holder,
            "instructions_en": instructions_en,
            "instructions_id": instructions_id,
            "updated_by": by,
        },
    )
    audit_log(action="payments.account.updated", obj=account, user=by, expo_id=expo.pk)
    return account


@transaction.atomic
def exchange_rates_update(*, expo: Expo, rates: dict[str, Decimal | None], by: User) -> None:
    """Set (a positive rate) or remove (None) the rupiah value of each foreign currency."""
    _require_organiser(expo, by)
    for currency, value in rates.items():
        if value is None:
            ExchangeRate.objects.filter(expo=expo, currency=currency).delete()
            continue
        if value <= 0:
            raise ValidationError(_("Exchange rates must be positive."), code="rate")
        ExchangeRate.objects.update_or_create(
            expo=expo, currency=currency, defaults={"idr_per_unit": value, "updated_by": by}
        )
    audit_log(
        action="payments.rates.updated",
        obj=expo,
        user=by,
        expo_id=expo.pk,
        rates={k: (str(v) if v is not None else None) for k, v in rates.items()},
    )


def transfer_confirm(*, payment: Payment, by: User, note: str = "") -> Confirmation:
    """An organiser of the expo's office confirms a bank transfer arrived. A transfer for an
    order whose items were sold after it expired is recorded, with a refund to transfer back."""
    if payment.provider != providers.MANUAL.name:
        raise ValidationError(_("Only bank transfers are confirmed by hand."), code="provider")
    confirmation = payment_confirm(payment=payment, by=by, note=note)
    if confirmation.refund_needed and payment.order_id is not None:
        _refund_unfulfillable(payment)
    return confirmation


# --- Settlements -----------------------------------------------------------------------------------


@transaction.atomic
def settlement_pay_out(
    *, expo: Expo, vendor: Vendor, by: User, reference: str = ""
) -> SettlementPayout:
    """Record that the office transferred the vendor's balance for this expo."""
    from payments import selectors

    _require_organiser(expo, by)
    # One payout at a time per vendor and expo: lock the vendor row while summing.
    Vendor.objects.select_for_update().filter(pk=vendor.pk).first()
    row = selectors.settlement_for(expo=expo, vendor=vendor)
    if row.balance <= 0:
        raise ValidationError(_("Nothing is owed to this vendor right now."), code="nothing")
    payout = SettlementPayout.objects.create(
        expo=expo,
        vendor=vendor,
        amount=row.balance,
        sales=row.sales,
        refunds=row.refunds,
        fee=row.fee,
        shipping=row.shipping,
        reference=reference[:80],
        paid_by=by,
    )
    audit_log(
        action="payments.settlement.paid_out",
        obj=payout,
        user=by,
        expo_id=expo.pk,
        vendor=vendor.pk,
        amount=payout.amount,
    )
    for membership in vendor.memberships.select_related("user"):
        send_templated_email(
            to=membership.user,
            template="payments/email/vendor_paid_out",
            context={"payout": payout, "vendor": vendor, "expo": expo},
        )
    return payout


def fee_for(net_sales: int) -> int:
    return basis_points_of(max(net_sales, 0), settings.PLATFORM_FEE_BPS)
