"""Carts, orders, payments, refunds, the sales ledger and vendor settlements.

Money is whole rupiah in integer fields everywhere (IDR has no minor unit in practice); only the
Stripe boundary converts, in :func:`payments.money.to_stripe_amount`.

An order's state (:class:`Order.Status`, and each vendor's :class:`OrderPart` fulfilment state) is
kept apart from its payments (:class:`Payment`) and refunds (:class:`Refund`), each with its own
state. Omzet is counted only from :class:`SalesLedgerEntry`, an append-only record written in the
same transaction as the change that causes it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from expo.models import bilingual, validate_country

# --- Cart ------------------------------------------------------------------------------------------


class Cart(models.Model):
    """A buyer's cart: an account's own (one per account), or a guest's, found through the
    session. A guest's cart joins the account's when they log in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cart",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")

    def __str__(self) -> str:
        return f"cart #{self.pk}"


class CartItem(models.Model):
    """A product and quantity in a cart, with the price the buyer last saw (so a change between
    adding it and paying is shown, never silently charged)."""

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(
        "booths.Product", on_delete=models.CASCADE, related_name="cart_items"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price_seen = models.PositiveBigIntegerField(_("price seen (Rp)"))
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cart item")
        verbose_name_plural = _("cart items")
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "product"], name="one_cart_item_per_product"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="cart_quantity_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"


# --- Vendor shipping, the expo's collecting account, exchange rates -------------------------------


class ShippingZone(models.TextChoices):
    PROVINCE = "province", _("Within the vendor's province")
    DOMESTIC = "domestic", _("Rest of Indonesia")
    INTERNATIONAL = "international", _("International")


class ShippingMethod(models.TextChoices):
    FLAT = "flat", _("Flat rate per order")
    ARRANGE = "arrange", _("Arrange with the vendor")
    NONE = "none", _("Does not ship here")


class VendorShippingRate(models.Model):
    """What a vendor charges to ship one order to a zone. No row for a zone means "arrange with
    the vendor" (the buyer and vendor agree on the courier and its cost after the order)."""

    vendor = models.ForeignKey(
        "booths.Vendor", on_delete=models.CASCADE, related_name="shipping_rates"
    )
    zone = models.CharField(_("zone"), max_length=16, choices=ShippingZone.choices)
    method = models.CharField(
        _("method"), max_length=10, choices=ShippingMethod.choices, default=ShippingMethod.ARRANGE
    )
    amount = models.PositiveBigIntegerField(_("rate (Rp)"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("vendor shipping rate")
        verbose_name_plural = _("vendor shipping rates")
        constraints = [
            models.UniqueConstraint(fields=["vendor", "zone"], name="one_rate_per_vendor_zone")
        ]

    def __str__(self) -> str:
        return f"{self.vendor_id} {self.zone} {self.method} {self.amount}"


class CollectingAccount(models.Model):
    """The bank account an expo's buyers transfer to, set by the organiser of the expo's office."""

    expo = models.OneToOneField(
        "expo.Expo", on_delete=models.CASCADE, related_name="collecting_account"
    )
    bank_name = models.CharField(_("bank"), max_length=80)
    account_number = models.CharField(_("account number"), max_length=40)
    account_holder = models.CharField(_("account holder"), max_length=120)
    instructions_en = models.TextField(_("instructions (English)"), blank=True)
    instructions_id = models.TextField(_("instructions (Indonesian)"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("collecting account")
        verbose_name_plural = _("collecting accounts")

    def __str__(self) -> str:
        return f"{self.bank_name} {self.account_number}"

    instructions = bilingual("instructions")


class Currency(models.TextChoices):
    USD = "USD", _("US dollar")
    SGD = "SGD", _("Singapore dollar")
    MYR = "MYR", _("Malaysian ringgit")
    EUR = "EUR", _("Euro")
    JPY = "JPY", _("Japanese yen")
    AUD = "AUD", _("Australian dollar")
    CNY = "CNY", _("Chinese yuan")


class ExchangeRate(models.Model):
    """How many rupiah one unit of a foreign currency is worth, for showing approximate prices.

    Per expo, not global: each office sets the rates for its own expos (the permission model is per
    office, so one office never changes what another's buyers see), and an expo's report keeps the
    rates it was run with. Buyers are always charged in rupiah.
    """

    expo = models.ForeignKey("expo.Expo", on_delete=models.CASCADE, related_name="exchange_rates")
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    idr_per_unit = models.DecimalField(_("rupiah per unit"), max_digits=14, decimal_places=4)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency"]
        constraints = [
            models.UniqueConstraint(fields=["expo", "currency"], name="one_rate_per_currency"),
            models.CheckConstraint(condition=models.Q(idr_per_unit__gt=0), name="rate_positive"),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = Rp {self.idr_per_unit}"


# --- Orders ------------------------------------------------------------------------------------------


class Channel(models.TextChoices):
    """Where the buyer came from before ordering (see payments/attribution.py)."""

    DIRECT = "direct", _("Direct")
    LIVE_SESSION = "live_session", _("Live session")
    BANNER = "banner", _("Banner")


class Order(models.Model):
    """A buyer's order at one expo: lines from one or more booths, grouped in :class:`OrderPart`
    (one per vendor). Its status follows the payment, then the least advanced part."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        PAID = "paid", _("Paid")
        PACKED = "packed", _("Packed")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")

    class Stock(models.TextChoices):
        HELD = "held", _("Reserved")
        SOLD = "sold", _("Sold")
        RELEASED = "released", _("Released")

    class CancelReason(models.TextChoices):
        NONE = "", _("—")
        EXPIRED = "expired", _("Not paid in time")
        BUYER = "buyer", _("Cancelled by the buyer")
        PAYMENT_FAILED = "payment_failed", _("Payment failed")
        ORGANISER = "organiser", _("Cancelled by the organiser")

    code = models.CharField(_("order number"), max_length=16, unique=True)
    expo = models.ForeignKey("expo.Expo", on_delete=models.PROTECT, related_name="orders")
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
    )
    # The cart it was placed from: a cancelled order's items go back there.
    cart = models.ForeignKey(
        Cart, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A guest reaches the order through a secret link; compared in constant time.
    access_key = models.CharField(max_length=43)
    email = models.EmailField(_("e-mail"))
    name = models.CharField(_("name"), max_length=150)
    phone = models.CharField(_("phone"), max_length=32)
    address = models.TextField(_("street address"))
    city = models.CharField(_("city"), max_length=100)
    region = models.CharField(_("province or state"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    country = models.CharField(_("country"), max_length=2, validators=[validate_country])
    language = models.CharField(_("language"), max_length=8, default="en")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    stock = models.CharField(max_length=10, choices=Stock.choices, default=Stock.HELD)
    provider = models.CharField(_("payment method"), max_length=16)
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.DIRECT
    )
    attribution_id = models.PositiveBigIntegerField(null=True, blank=True)
    attribution_label = models.CharField(max_length=200, blank=True)
    subtotal = models.PositiveBigIntegerField(_("items (Rp)"))
    shipping_total = models.PositiveBigIntegerField(_("shipping (Rp)"), default=0)
    total = models.PositiveBigIntegerField(_("total (Rp)"))
    refunded_total = models.PositiveBigIntegerField(_("refunded (Rp)"), default=0)
    reserved_until = models.DateTimeField(_("pay before"), null=True, blank=True, db_index=True)
    cancel_reason = models.CharField(
        max_length=16, choices=CancelReason.choices, default=CancelReason.NONE, blank=True
    )
    placed_at = models.DateTimeField(_("placed"), default=timezone.now, db_index=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at", "-id"]
        indexes = [
            models.Index(fields=["expo", "status"]),
            models.Index(fields=["buyer", "-placed_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total=models.F("subtotal") + models.F("shipping_total")),
                name="order_total_adds_up",
            ),
            models.CheckConstraint(
                condition=models.Q(refunded_total__lte=models.F("total")),
                name="order_refund_within_total",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None

    @property
    def is_open_for_payment(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def country_name(self) -> str:
        from expo.countries import country_name

        return country_name(self.country)


class OrderPart(models.Model):
    """One vendor's part of an order: its lines, its shipping and its fulfilment. A vendor sees
    and changes only its own parts."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        PAID = "paid", _("To pack")
        PACKED = "packed", _("Packed")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")

    class Courier(models.TextChoices):
        JNE = "jne", "JNE"
        JNT = "jnt", "J&T Express"
        SICEPAT = "sicepat", "SiCepat"
        POS = "pos", "Pos Indonesia"
        ANTERAJA = "anteraja", "AnterAja"
        OTHER = "other", _("Other courier")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="parts")
    booth = models.ForeignKey("booths.Booth", on_delete=models.PROTECT, related_name="order_parts")
    vendor = models.ForeignKey(
        "booths.Vendor", on_delete=models.PROTECT, related_name="order_parts"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    subtotal = models.PositiveBigIntegerField(_("items (Rp)"))
    shipping_zone = models.CharField(max_length=16, choices=ShippingZone.choices)
    shipping_method = models.CharField(max_length=10, choices=ShippingMethod.choices)
    shipping_amount = models.PositiveBigIntegerField(_("shipping (Rp)"), default=0)
    shipping_refunded = models.PositiveBigIntegerField(default=0)
    courier = models.CharField(_("courier"), max_length=10, choices=Courier.choices, blank=True)
    courier_name = models.CharField(_("courier name"), max_length=60, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=60, blank=True)
    packed_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("order part")
        verbose_name_plural = _("order parts")
        ordering = ["order_id", "id"]
        indexes = [models.Index(fields=["vendor", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["order", "booth"], name="one_part_per_booth")
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.vendor_id}"

    @property
    def courier_label(self) -> str:
        if self.courier == self.Courier.OTHER:
            return self.courier_name or str(self.Courier.OTHER.label)
        return self.get_courier_display()


class OrderLine(models.Model):
    """A product bought: a snapshot of its name and price when ordered."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    part = models.ForeignKey(OrderPart, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "booths.Product",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="order_lines",
    )
    name_en = models.CharField(max_length=160)
    name_id = models.CharField(max_length=160)
    unit_price = models.PositiveBigIntegerField(_("unit price (Rp)"))
    quantity = models.PositiveIntegerField(_("quantity"))
    is_preorder = models.BooleanField(default=False)
    ships_by = models.DateField(_("expected to ship by"), null=True, blank=True)
    refunded_amount = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["part_id", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="line_quantity_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name_en}"

    name = bilingual("name")

    @property
    def amount(self) -> int:
        return self.unit_price * self.quantity

    @property
    def refundable(self) -> int:
        return self.amount - self.refunded_amount

    @property
    def is_refunded(self) -> bool:
        return self.refunded_amount >= self.amount


# --- Charges: what the organiser sells (banner fees) ----------------------------------------------


class Charge(models.Model):
    """Money owed to an expo's organiser for a service it sells (a banner's fee), paid through the
    checkout's own providers (bank transfer to the expo's account, or a card). Never an order,
    never in the sales ledger, never any UMKM's omzet. The module selling the service names it by
    ``purpose`` and ``object_id`` and is told when it is paid (:mod:`payments.hooks`)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for payment")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    code = models.CharField(_("reference"), max_length=24, unique=True)
    access_key = models.CharField(max_length=43)
    expo = models.ForeignKey("expo.Expo", on_delete=models.PROTECT, related_name="charges")
    purpose = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField()
    label = models.CharField(_("for"), max_length=200)
    amount = models.PositiveBigIntegerField(_("amount (Rp)"))
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)

    class Meta:
        verbose_name = _("charge")
        verbose_name_plural = _("charges")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["purpose", "object_id"], name="one_charge_per_object"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="charge_amount_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


# --- Payments and refunds ----------------------------------------------------------------------------


class Payment(models.Model):
    """One attempt to pay an order through a provider (see payments/providers/)."""

    class Status(models.TextChoices):
        CREATED = "created", _("Waiting for payment")
        SUCCEEDED = "succeeded", _("Received")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    # What is paid: an order, or a charge of the organiser's (exactly one of them).
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, null=True, blank=True, related_name="payments"
    )
    charge = models.ForeignKey(
        Charge, on_delete=models.CASCADE, null=True, blank=True, related_name="payments"
    )
    provider = models.CharField(_("provider"), max_length=16)
    amount = models.PositiveBigIntegerField(_("amount (Rp)"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CREATED, db_index=True
    )
    # The bank-transfer reference the buyer writes in the transfer's note (unique per order).
    reference = models.CharField(_("reference"), max_length=32, null=True, blank=True, unique=True)
    # The provider's own id (a Stripe PaymentIntent id), found again by webhooks.
    provider_ref = models.CharField(max_length=255, null=True, blank=True, unique=True)
    failure_message = models.CharField(max_length=255, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["provider", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(order__isnull=False, charge__isnull=True)
                | models.Q(order__isnull=True, charge__isnull=False),
                name="payment_for_order_or_charge",
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.amount} {self.status}"

    @property
    def code(self) -> str:
        """The order's or charge's number: the transfer reference, the provider's metadata."""
        return self.order.code if self.order_id else self.charge.code


class Refund(models.Model):
    """Money given back (one provider refund): for some lines, or a whole order with its shipping.
    Which lines it covers is in its ledger entries. Provider refunds are de-duplicated by the
    provider's refund id."""

    class Status(models.TextChoices):
        SUCCEEDED = "succeeded", _("Refunded")
        PENDING = "pending", _("To transfer back")

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="refunds")
    amount = models.PositiveBigIntegerField(_("amount (Rp)"))
    # The part of ``amount`` that gave shipping back; the rest is spread over lines in the ledger.
    shipping = models.PositiveBigIntegerField(_("of which shipping (Rp)"), default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUCCEEDED)
    provider_ref = models.CharField(max_length=255, null=True, blank=True, unique=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_pos"),
            models.CheckConstraint(
                condition=models.Q(shipping__lte=models.F("amount")), name="refund_shipping_within"
            ),
        ]

    def __str__(self) -> str:
        return f"refund {self.amount} of {self.order_id}"


class WebhookEvent(models.Model):
    """Each provider event received once; a repeated delivery only counts up ``deliveries``."""

    provider = models.CharField(max_length=16)
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=255, blank=True)
    deliveries = models.PositiveIntegerField(default=1)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="unique_webhook_event")
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.type} {self.event_id}"


# --- The sales ledger ------------------------------------------------------------------------------


class AppendOnlyQuerySet(models.QuerySet):
    """Entries are never changed or removed: corrections are new entries."""

    def update(self, **kwargs: Any) -> int:
        raise TypeError("the sales ledger is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("the sales ledger is append-only")


class SalesLedgerEntry(models.Model):
    """One sale or refund of an order line, the only source omzet is counted from.

    ``amount`` is signed: a sale is positive, a refund negative, so omzet over any slice is
    ``Sum("amount")``; ``kind`` says which for reports that show them apart. The breakdown fields
    (regency, sector, size class, buyer country, channel) are copied when the entry is written, so
    a later change to a vendor's profile does not rewrite past omzet.
    """

    class Kind(models.TextChoices):
        SALE = "sale", _("Sale")
        REFUND = "refund", _("Refund")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    amount = models.BigIntegerField(_("amount (Rp)"))
    expo = models.ForeignKey("expo.Expo", on_delete=models.PROTECT, related_name="ledger")
    booth = models.ForeignKey("booths.Booth", on_delete=models.PROTECT, related_name="ledger")
    vendor = models.ForeignKey("booths.Vendor", on_delete=models.PROTECT, related_name="ledger")
    region = models.ForeignKey("expo.Region", on_delete=models.PROTECT, related_name="ledger")
    sector = models.ForeignKey("expo.Sector", on_delete=models.PROTECT, related_name="ledger")
    size_class = models.CharField(_("size class"), max_length=10)
    buyer_country = models.CharField(_("buyer country"), max_length=2)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    attribution_id = models.PositiveBigIntegerField(null=True, blank=True)
    attribution_label = models.CharField(max_length=200, blank=True)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="ledger")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="ledger")
    refund = models.ForeignKey(
        Refund, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger"
    )
    quantity = models.IntegerField(_("quantity"), default=0)
    occurred_at = models.DateTimeField(_("time"), db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("sales ledger entry")
        verbose_name_plural = _("sales ledger")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["expo", "occurred_at"]),
            models.Index(fields=["expo", "vendor"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="sale") & models.Q(amount__gt=0))
                | (models.Q(kind="refund") & models.Q(amount__lt=0)),
                name="ledger_sign_matches_kind",
            ),
            # A line is sold once; a second confirmation of the same payment cannot add to omzet.
            models.UniqueConstraint(
                fields=["line"], condition=models.Q(kind="sale"), name="one_sale_per_line"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} ({self.order_id})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("the sales ledger is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("the sales ledger is append-only")


# --- Settlements -----------------------------------------------------------------------------------


class SettlementPayout(models.Model):
    """The organiser paid a vendor what it was owed for an expo at that moment (figures kept as
    they were, so the vendor's statement shows what each transfer covered)."""

    expo = models.ForeignKey("expo.Expo", on_delete=models.PROTECT, related_name="payouts")
    vendor = models.ForeignKey("booths.Vendor", on_delete=models.PROTECT, related_name="payouts")
    amount = models.BigIntegerField(_("paid out (Rp)"))
    sales = models.BigIntegerField(_("sales (Rp)"))
    refunds = models.BigIntegerField(_("refunds (Rp)"))
    fee = models.BigIntegerField(_("platform fee (Rp)"))
    shipping = models.BigIntegerField(_("shipping collected (Rp)"))
    reference = models.CharField(_("transfer reference"), max_length=80, blank=True)
    paid_at = models.DateTimeField(_("paid out"), default=timezone.now)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("settlement payout")
        verbose_name_plural = _("settlement payouts")
        ordering = ["-paid_at", "-id"]

    def __str__(self) -> str:
        return f"payout {self.amount} to {self.vendor_id} ({self.expo_id})"
