"""Reads of the payments app: carts, orders for each kind of viewer, pending transfers, settlements,
omzet and exchange rates. Lists cost a fixed number of queries whatever their length."""

from __future__ import annotations

import hmac
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from booths import hooks
from booths.models import Product, ProductImage, Vendor
from expo import timebox
from expo.models import Expo
from expo.money import format_approx
from payments import providers
from payments.models import (
    Cart,
    CartItem,
    Channel,
    Charge,
    CollectingAccount,
    Currency,
    ExchangeRate,
    Order,
    OrderLine,
    OrderPart,
    Payment,
    SalesLedgerEntry,
    SettlementPayout,
    VendorShippingRate,
)
from payments.rules import CART_SESSION_KEY, fee_for, quantity_problem

CURRENCY_COOKIE = hooks.CURRENCY_COOKIE


# --- Cart ------------------------------------------------------------------------------------------


def cart_for(*, session: Any, user: Any) -> Cart | None:
    """The visitor's cart, if there is one (never creates one)."""
    if user is not None and user.is_authenticated:
        return Cart.objects.filter(user=user).first()
    cart_id = session.get(CART_SESSION_KEY) if session is not None else None
    if not cart_id:
        return None
    return Cart.objects.filter(pk=cart_id, user__isnull=True).first()


def cart_count(cart: Cart | None) -> int:
    if cart is None:
        return 0
    return cart.items.aggregate(n=Coalesce(Sum("quantity"), 0))["n"]


@dataclass
class CartLine:
    item: CartItem
    problem: str | None

    @property
    def product(self) -> Any:
        return self.item.product

    @property
    def price(self) -> int:
        return self.item.product.price

    @property
    def total(self) -> int:
        return self.item.product.price * self.item.quantity

    @property
    def price_changed(self) -> bool:
        return self.item.unit_price_seen != self.item.product.price

    @property
    def thumbnail(self) -> Any:
        images = self.item.product.first_images
        return images[0].thumbnail if images else None


@dataclass
class CartBooth:
    booth: Any
    lines: list[CartLine] = field(default_factory=list)

    @property
    def subtotal(self) -> int:
        return sum(line.total for line in self.lines)


@dataclass
class CartExpo:
    expo: Expo
    booths: list[CartBooth] = field(default_factory=list)
    approx: str = ""  # the subtotal in the visitor's chosen currency, set by the page

    @property
    def can_buy(self) -> bool:
        return timebox.allows(self.expo, timebox.Action.BUY)

    @property
    def subtotal(self) -> int:
        return sum(b.subtotal for b in self.booths)

    @property
    def count(self) -> int:
        return sum(line.item.quantity for b in self.booths for line in b.lines)

    @property
    def has_problems(self) -> bool:
        return any(line.problem for b in self.booths for line in b.lines)


def cart_contents(cart: Cart | None) -> list[CartExpo]:
    """The cart grouped by expo, then booth, with each line's current price and what (if
    anything) stops it being bought. Two queries."""
    if cart is None:
        return []
    items = (
        cart.items.select_related("product__booth__vendor__region", "product__booth__expo__office")
        .prefetch_related(
            Prefetch(
                "product__images",
                queryset=ProductImage.objects.order_by("position", "id"),
                to_attr="first_images",
            )
        )
        .order_by("product__booth__expo_id", "product__booth__vendor__name", "added_at", "pk")
    )
    expos: dict[int, CartExpo] = {}
    for item in items:
        product = item.product
        booth = product.booth
        group = expos.setdefault(booth.expo_id, CartExpo(expo=booth.expo))
        if not group.booths or group.booths[-1].booth.pk != booth.pk:
            group.booths.append(CartBooth(booth=booth))
        problem = quantity_problem(product, item.quantity)
        group.booths[-1].lines.append(CartLine(item=item, problem=problem))
    return list(expos.values())


# --- Orders ----------------------------------------------------------------------------------------


def _order_detail_queryset() -> QuerySet[Order]:
    return Order.objects.select_related("expo__office", "buyer").prefetch_related(
        Prefetch(
            "parts",
            queryset=OrderPart.objects.select_related("vendor", "booth").prefetch_related(
                Prefetch("lines", queryset=OrderLine.objects.order_by("id"))
            ),
        ),
        Prefetch("payments", queryset=Payment.objects.order_by("-created_at", "-id")),
        "refunds",
    )


def order_for_buyer(*, code: str, user: Any, key: str | None) -> Order | None:
    """The order ``code`` if this visitor may see it: its buyer's account, or anyone holding its
    secret link (compared in constant time). None otherwise (the view answers 404)."""
    order = _order_detail_queryset().filter(code=code).first()
    if order is None:
        return None
    if (
        user is not None
        and user.is_authenticated
        and order.buyer_id is not None
        and order.buyer_id == user.pk
    ):
        return order
    if key and hmac.compare_digest(str(key), order.access_key):
        return order
    return None


def order_for_organiser(*, expo: Expo, code: str) -> Order | None:
    return _order_detail_queryset().filter(expo=expo, code=code).first()


def last_order(*, user: Any) -> Order | None:
    """The account's latest order (its address fills the next checkout)."""
    return Order.objects.filter(buyer=user).order_by("-placed_at").first()


def order_part(*, order: Order, part_id: int) -> OrderPart | None:
    return OrderPart.objects.filter(order=order, pk=part_id).select_related("vendor").first()


def payments_to_ask(*, order: Order | None = None, charge: Charge | None = None) -> list[Payment]:
    """The order's or charge's payments still waiting at a provider (not those people confirm),
    to be re-read after the page finished a payment step."""
    found = Payment.objects.filter(status=Payment.Status.CREATED).exclude(
        provider__in=providers.offline()
    )
    if order is not None:
        return list(found.filter(order=order))
    return list(found.filter(charge=charge))


def buyer_orders(*, user: Any) -> list[Order]:
    """An account's orders, newest first, each with its parts and lines (three queries)."""
    return list(
        Order.objects.filter(buyer=user)
        .select_related("expo")
        .prefetch_related(
            Prefetch(
                "parts",
                queryset=OrderPart.objects.select_related("vendor").prefetch_related("lines"),
            )
        )
        .order_by("-placed_at", "-id")[:200]
    )


@dataclass(frozen=True)
class VendorOrderFilters:
    status: str = ""
    expo: str = ""
    q: str = ""


VENDOR_STATUS_FILTERS = (
    "",
    OrderPart.Status.PAID,
    OrderPart.Status.PACKED,
    OrderPart.Status.SHIPPED,
    OrderPart.Status.DELIVERED,
    OrderPart.Status.PENDING,
    OrderPart.Status.CANCELLED,
    OrderPart.Status.REFUNDED,
)


def vendor_order_parts(*, vendor: Vendor, filters: VendorOrderFilters) -> QuerySet[OrderPart]:
    """A vendor's parts of orders (never another vendor's), filtered, newest first, each with its
    order, expo and lines — a fixed number of queries for any number of rows."""
    parts = (
        OrderPart.objects.filter(vendor=vendor)
        .select_related("order__expo", "booth")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))
        .order_by("-order__placed_at", "-id")
    )
    if filters.status:
        parts = parts.filter(status=filters.status)
    if filters.expo:
        parts = parts.filter(order__expo__slug=filters.expo)
    if filters.q:
        query = filters.q.strip()
        parts = parts.filter(
            Q(order__code__icontains=query)
            | Q(order__name__icontains=query)
            | Q(order__email__icontains=query)
            | Q(lines__name_en__icontains=query)
            | Q(lines__name_id__icontains=query)
        ).distinct()
    return parts


def vendor_status_counts(*, vendor: Vendor) -> dict[str, int]:
    counts = dict(
        OrderPart.objects.filter(vendor=vendor)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    counts[""] = sum(counts.values())
    return counts


def vendor_expos(*, vendor: Vendor) -> list[Expo]:
    return list(Expo.objects.filter(booths__vendor=vendor).distinct().order_by("-opens_at"))


def vendor_part(*, vendor: Vendor, part_id: int) -> OrderPart | None:
    return (
        OrderPart.objects.filter(vendor=vendor, pk=part_id)
        .select_related("order__expo", "booth", "vendor")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))
        .first()
    )


def _waiting_transfers(expo: Expo) -> QuerySet[Payment]:
    return Payment.objects.filter(
        order__expo=expo, provider__in=providers.offline(), status=Payment.Status.CREATED
    )


def pending_transfers(*, expo: Expo) -> list[Payment]:
    """Bank transfers of this expo's orders still waiting for the organiser, oldest first."""
    return list(
        _waiting_transfers(expo)
        .select_related("order")
        .annotate(parts=Count("order__parts"))
        .order_by("created_at", "id")
    )


def pending_transfer_count(*, expo: Expo) -> int:
    """How many of the expo's bank transfers wait for the organiser (the payments tab's badge)."""
    return _waiting_transfers(expo).count()


def transfer_of(*, expo: Expo, payment_id: int) -> Payment | None:
    """One of the expo's bank transfers (any status: confirming twice says so), by id."""
    return (
        Payment.objects.filter(pk=payment_id, order__expo=expo, provider__in=providers.offline())
        .select_related("order")
        .first()
    )


def expo_orders(*, expo: Expo, status: str = "", q: str = "") -> QuerySet[Order]:
    orders = (
        Order.objects.filter(expo=expo)
        .annotate(vendors=Count("parts"))
        .order_by("-placed_at", "-id")
    )
    if status:
        orders = orders.filter(status=status)
    if q:
        query = q.strip()
        orders = orders.filter(
            Q(code__icontains=query) | Q(name__icontains=query) | Q(email__icontains=query)
        )
    return orders


def expo_order_status_counts(*, expo: Expo) -> dict[str, int]:
    """How many of the expo's orders are in each status, and all of them under ``""``."""
    counts = dict(
        Order.objects.filter(expo=expo)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    counts[""] = sum(counts.values())
    return counts


def expo_for_checkout(*, slug: str) -> Expo | None:
    return Expo.objects.select_related("office").filter(slug=slug).first()


def product_to_add(*, product_id: int) -> Product | None:
    """The product a buy box adds to the cart, with its booth, expo (for the way back) and vendor
    (what ``services.cart_add`` reads)."""
    return (
        Product.objects.select_related("booth__expo", "booth__vendor").filter(pk=product_id).first()
    )


def shipping_rates(*, vendor: Vendor) -> dict[str, tuple[str, int]]:
    """The vendor's rate per zone: ``{zone: (method, amount)}``."""
    return {
        rate.zone: (rate.method, rate.amount)
        for rate in VendorShippingRate.objects.filter(vendor=vendor)
    }


def expo_vendor(*, expo: Expo, vendor_id: int) -> Vendor | None:
    """A vendor with a booth at the expo."""
    return Vendor.objects.filter(booths__expo=expo, pk=vendor_id).distinct().first()


def expo_payouts(*, expo: Expo) -> list[SettlementPayout]:
    """The payouts made to the expo's vendors, newest first."""
    return list(
        SettlementPayout.objects.filter(expo=expo)
        .select_related("vendor", "paid_by")
        .order_by("-paid_at")
    )


def collecting_account(*, expo: Expo) -> CollectingAccount | None:
    """The bank account the expo's buyers transfer to, if its organisers have set it."""
    return CollectingAccount.objects.filter(expo=expo).first()


def charge_for_payer(*, code: str, user: Any, key: str | None) -> Charge | None:
    """The charge ``code`` if this visitor may pay it: its payer's account, or its secret link."""
    charge = Charge.objects.select_related("expo").filter(code=code).first()
    if charge is None:
        return None
    if user is not None and user.is_authenticated and charge.payer_id == user.pk:
        return charge
    if key and hmac.compare_digest(str(key), charge.access_key):
        return charge
    return None


def charge_transfer(charge: Charge) -> Payment | None:
    """The bank transfer a pending charge waits for (its reference is the one to write)."""
    if charge.status != Charge.Status.PENDING:
        return None
    return charge.payments.filter(
        provider__in=providers.offline(), status=Payment.Status.CREATED
    ).first()


def charge_received_payment(charge: Charge) -> Payment | None:
    """The payment whose money was received last for ``charge`` (None while nothing arrived)."""
    return charge.payments.filter(status=Payment.Status.SUCCEEDED).order_by("-confirmed_at").first()


def payable_payment(order: Order) -> Payment | None:
    """The payment the buyer is asked to make now, if any."""
    if order.status != Order.Status.PENDING:
        return None
    return next((p for p in order.payments.all() if p.status == Payment.Status.CREATED), None)


# --- Omzet and settlements -------------------------------------------------------------------------


def omzet(*, expo: Expo, **filters: Any) -> int:
    """Omzet of an expo from the sales ledger (sales minus refunds), optionally narrowed by any of
    the ledger's fields (``vendor``, ``region``, ``sector``, ``channel``, ``buyer_country``…)."""
    return SalesLedgerEntry.objects.filter(expo=expo, **filters).aggregate(
        total=Coalesce(Sum("amount"), 0)
    )["total"]


@dataclass(frozen=True)
class SettlementRow:
    vendor: Vendor
    sales: int
    refunds: int  # positive
    shipping: int
    paid_out: int
    fee_bps: int

    @property
    def net(self) -> int:
        return self.sales - self.refunds

    @property
    def fee(self) -> int:
        return fee_for(self.net)

    @property
    def owed(self) -> int:
        return self.net - self.fee + self.shipping

    @property
    def balance(self) -> int:
        return self.owed - self.paid_out


def settlements(*, expo: Expo, vendor: Vendor | None = None) -> list[SettlementRow]:
    """What each vendor of the expo is owed: ledger sales − refunds − the platform fee, plus the
    shipping it collected, minus what was paid out already. Four queries for any number of
    vendors. Sales at a physical stand (channel ``offline``) are left out: their money went to the
    vendor directly."""
    ledger = SalesLedgerEntry.objects.filter(expo=expo).exclude(channel=Channel.OFFLINE)
    parts = OrderPart.objects.filter(order__expo=expo, order__paid_at__isnull=False)
    payouts = SettlementPayout.objects.filter(expo=expo)
    if vendor is not None:
        ledger, parts, payouts = (
            ledger.filter(vendor=vendor),
            parts.filter(vendor=vendor),
            payouts.filter(vendor=vendor),
        )
    sums: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in ledger.values("vendor_id", "kind").annotate(total=Sum("amount")):
        sums[row["vendor_id"]][row["kind"]] = row["total"]
    for row in parts.values("vendor_id").annotate(
        shipped=Sum("shipping_amount"), back=Sum("shipping_refunded")
    ):
        sums[row["vendor_id"]]["shipping"] = (row["shipped"] or 0) - (row["back"] or 0)
    for row in payouts.values("vendor_id").annotate(total=Sum("amount")):
        sums[row["vendor_id"]]["paid_out"] = row["total"]
    vendors = Vendor.objects.in_bulk(list(sums))
    rows = [
        SettlementRow(
            vendor=vendors[vendor_id],
            sales=values.get(SalesLedgerEntry.Kind.SALE, 0),
            refunds=-values.get(SalesLedgerEntry.Kind.REFUND, 0),
            shipping=values.get("shipping", 0),
            paid_out=values.get("paid_out", 0),
            fee_bps=int(settings.PLATFORM_FEE_BPS),
        )
        for vendor_id, values in sums.items()
    ]
    return sorted(rows, key=lambda r: r.vendor.name.casefold())


def settlement_for(*, expo: Expo, vendor: Vendor) -> SettlementRow:
    found = settlements(expo=expo, vendor=vendor)
    if found:
        return found[0]
    return SettlementRow(vendor, 0, 0, 0, 0, int(settings.PLATFORM_FEE_BPS))


def vendor_settlements(
    *, vendor: Vendor
) -> list[tuple[Expo, SettlementRow, list[SettlementPayout]]]:
    """A vendor's statement per expo it sold at, with the payouts made (one query per expo it
    has sales in — a handful)."""
    expo_ids = set(
        SalesLedgerEntry.objects.filter(vendor=vendor).values_list("expo_id", flat=True)
    ) | set(
        OrderPart.objects.filter(vendor=vendor, order__paid_at__isnull=False).values_list(
            "order__expo_id", flat=True
        )
    )
    expos = Expo.objects.filter(pk__in=expo_ids).order_by("-opens_at")
    payouts: dict[int, list[SettlementPayout]] = defaultdict(list)
    for payout in SettlementPayout.objects.filter(vendor=vendor).order_by("-paid_at"):
        payouts[payout.expo_id].append(payout)
    return [(expo, settlement_for(expo=expo, vendor=vendor), payouts[expo.pk]) for expo in expos]


# --- Exchange rates --------------------------------------------------------------------------------


def exchange_rates(*, expo_id: int) -> dict[str, Decimal]:
    return dict(
        ExchangeRate.objects.filter(expo_id=expo_id).values_list("currency", "idr_per_unit")
    )


def chosen_currency(request: Any) -> str:
    """The foreign currency this visitor picked to see approximate prices in ("" for none)."""
    value = (request.COOKIES.get(CURRENCY_COOKIE) or "").upper()
    return value if value in Currency.values else ""


def approx(rupiah: int, currency: str, rates: dict[str, Decimal]) -> str:
    """``"≈ US$ 12.40"``, or "" when no currency is picked or the expo has no rate for it."""
    if not currency or currency not in rates:
        return ""
    return format_approx(rupiah, currency, rates[currency])
