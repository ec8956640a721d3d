"""Charges (what the organiser sells), payments of orders and charges, refunds, and the providers'
events received."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payments.models.orders import Order


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
