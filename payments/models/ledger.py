"""The append-only sales ledger omzet is counted from, and the payouts that settle it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payments.models.orders import Channel, Order, OrderLine
from payments.models.payments import Refund


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
