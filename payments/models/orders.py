"""Orders: one per checkout, a part per vendor (its fulfilment), a line per product."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from expo.models import bilingual, validate_country
from payments.models.cart import Cart
from payments.models.settings import ShippingMethod, ShippingZone


class Channel(models.TextChoices):
    """Where the buyer came from before ordering (see payments/attribution.py)."""

    DIRECT = "direct", _("Direct")
    LIVE_SESSION = "live_session", _("Live session")
    BANNER = "banner", _("Banner")
    QUOTATION = "quotation", _("Quotation")
    # The catalogue kept open as a mall after the expo closed: counted apart from the expo's omzet.
    MALL = "mall", _("Mall")
    # An online order that started from a physical stand's QR code.
    STAND = "stand", _("Stand (QR code)")
    # A sale a vendor recorded at its physical stand (see payments.models.offline.OfflineSale).
    OFFLINE = "offline", _("Offline at the stand")


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
