"""Placing an order: the cart's items for one expo become an order with one part per booth, their
stock reserved until the provider's time limit, and its payment started.

Network calls to a provider happen outside the order's transaction (a provider whose start needs
no network, a bank transfer, starts inside it).
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from booths import catalogue
from booths.models import Booth, Product
from expo import timebox
from expo.models import Expo, User
from expo.services import audit_log
from expo.signals import happened
from payments import providers, selectors, shipping
from payments.attribution import DIRECT, Attribution, for_order
from payments.models import Cart, CartItem, Order, OrderLine, OrderPart, Payment
from payments.rules import available, quantity_problem
from payments.services import locks, notify, stock
from payments.services.cancellation import order_cancel
from payments.services.codes import new_order_code
from payments.services.errors import Busy, PricesChanged, SoldOut


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

    @classmethod
    def from_form(cls, data: dict[str, Any], *, language: str) -> BuyerDetails:
        """The details an address form cleaned (the checkout's, a quotation's acceptance)."""
        return cls(
            email=data["email"],
            name=data["name"],
            phone=data["phone"],
            address=data["address"],
            city=data["city"],
            region=data["region"],
            postal_code=data.get("postal_code") or "",
            country=data["country"],
            language=language,
        )


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
        .order_by()
    )
    # Sorted here, not in SQL: a cart holds a handful of lines, and ordering through three joins
    # cost more to compile than to sort (this runs on every checkout page and order).
    items.sort(
        key=lambda item: (
            item.product.booth.vendor.name,
            item.product.booth_id,
            item.added_at,
            item.pk,
        )
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


def _check_plan(planned: list[PlannedPart]) -> None:
    """Refuse a plan a vendor cannot ship or whose quantities are no longer there: only stock
    missing is the same answer as losing the race for it (:class:`SoldOut`)."""
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
        if item.product.is_active and available(item.product) < item.quantity
    ]
    if short and len(short) == len(problems):
        raise SoldOut(" ".join(problems))
    if problems:
        raise ValidationError(problems, code="cart")


def order_place(
    *,
    cart: Cart,
    expo: Expo,
    details: BuyerDetails,
    provider: str,
    buyer: User | None,
    attribution: Attribution = DIRECT,
    expected_subtotal: int | None = None,
    planned: list[PlannedPart] | None = None,
) -> Order:
    """Turn the cart's items for ``expo`` into one order, reserving their stock until the
    provider's time limit, and start the payment. Refuses (nothing changed) a closed expo, an
    empty cart, a quantity no longer available (:class:`SoldOut`), a vendor that does not ship to
    the address, a changed price (:class:`PricesChanged`) or a busy database (:class:`Busy`); a
    provider that cannot be reached cancels the order it started (``ProviderError``).

    ``planned``: :func:`plan_order` of this cart and expo for the details' address when the caller
    made it already (the checkout page, which shows it); planned here otherwise. Its stock figures
    are only a first look: the stock is taken under the products' locks."""
    timebox.require(expo, timebox.Action.BUY)
    method = providers.find(provider)
    if method is None or not method.is_available():
        raise ValidationError(_("Choose a way to pay."), code="provider")
    if buyer is not None and not buyer.is_authenticated:
        buyer = None
    if planned is None:
        planned = plan_order(cart=cart, expo=expo, country=details.country, region=details.region)
    if not planned:
        raise ValidationError(_("Your cart has nothing from this expo."), code="empty")
    _check_plan(planned)
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
        if locks.is_lock_failure(error):
            raise Busy() from error
        raise
    _start_payment(order, payment, method)
    return order


def _start_payment(order: Order, payment: Payment, method: providers.PaymentProvider) -> None:
    """After the order's commit: the provider starts the payment (a provider that cannot be
    reached cancels the order); a transfer's instructions and the organisers' bell go to the
    worker."""
    if method.start_needs_network:
        try:
            method.start(payment)
        except providers.ProviderError:
            order_cancel(order=order, reason=Order.CancelReason.PAYMENT_FAILED, by=None)
            raise
        Payment.objects.filter(pk=payment.pk).update(provider_ref=payment.provider_ref)
    if method.confirms_offline:
        from payments import tasks  # the tasks module imports the services

        # Rendering the e-mail and ringing the organisers' bell cost the buyer's answer a dozen
        # queries and two templates: the worker does it, moments later.
        tasks.announce_transfer_awaited(order.pk)


def transfer_awaited_announce(*, order_id: int) -> None:
    """A placed bank-transfer order: the buyer is sent the transfer's instructions; the
    organisers have a transfer to look for (the bell). Run by the worker once the order is
    committed (an order not there yet raises, and the worker tries again)."""
    order = (
        Order.objects.select_related("expo", "buyer")
        .prefetch_related(
            Prefetch("parts", OrderPart.objects.select_related("vendor").prefetch_related("lines"))
        )
        .get(pk=order_id)
    )
    notify.buyer(order, "order_placed", account=selectors.collecting_account(expo=order.expo))
    happened.send(sender=Order, event="payments.transfer.awaited", obj=order)  # the bell


def _new_order(
    *, expo: Expo, cart: Cart, buyer: User | None, details: BuyerDetails, **values: Any
) -> Order:
    """The order row, under a freshly drawn number (another draw when one is taken)."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Order.objects.create(
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
                    **values,
                )
        except IntegrityError:
            continue  # an order number taken already: draw another
    raise IntegrityError("could not draw a free order number")


def _add_parts(order: Order, planned: list[PlannedPart], *, today: Any) -> None:
    """One part per booth, one line per product, with the names and prices as they are now. Two
    inserts whatever the number of booths and lines."""
    parts = OrderPart.objects.bulk_create(
        [
            OrderPart(
                order=order,
                booth=planned_part.booth,
                vendor=planned_part.booth.vendor,
                subtotal=planned_part.subtotal,
                shipping_zone=planned_part.quote.zone,
                shipping_method=planned_part.quote.method,
                shipping_amount=planned_part.quote.amount,
            )
            for planned_part in planned
        ]
    )
    lines = []
    for planned_part, part in zip(planned, parts, strict=True):
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
    now = timezone.now()
    attribution = for_order(attribution, expo=expo, at=now)  # the mall's sales are apart
    order = _new_order(
        expo=expo,
        cart=cart,
        buyer=buyer,
        details=details,
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
    _add_parts(order, planned, today=timezone.localdate(now))
    payment = Payment(order=order, provider=method.name, amount=order.total)
    if not method.start_needs_network:
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
    # The stock last, just before the commit: its rows stay locked for two statements, not for
    # the order's inserts (a buyer who loses the race rolls all of them back).
    locks.set_lock_timeout()
    sold_out = stock.reserve(
        [(item.product, item.quantity) for part in planned for item in part.items]
    )
    if sold_out:
        catalogue.bump(expo.pk)  # the product pages should say "sold out" now
    return order, payment
