"""Sales made at a hybrid expo's physical stands, recorded by the vendor, and their verification.

Why a record beside the ledger, and not a flag on it: the sales ledger is append-only (an entry is
never changed), and verification changes its mind after the sale was counted. So an offline sale
is an ordinary order (channel ``offline``, paid and handed over at the stand) whose ledger entries
are written once, when the vendor records it, exactly like an online sale's; its
:class:`OfflineSale` row, joined to the order one-to-one, carries what the ledger cannot: how it
was paid at the stand, the receipt number, and whether an organiser has verified it. Verifying
sets ``verification`` once (never cleared) to an :class:`OfflineVerification`, the organiser's
sign-off: one sale checked on its own, or a random sample checked for a whole set (the sampled
sales and the set's size kept on the sign-off and in the audit log). Reports read a sale's
verified or unverified omzet from the ledger's ``offline`` channel split by this row; ``total``
is copied from the order so the unverified sum is one small query on this table.

A sale that does not check out (no such receipt, a wrong amount, a duplicate, recorded by mistake)
is *rejected* instead (``rejected_at``/``rejected_by``/``rejection_reason`` set once, never
cleared): the ledger gets reversal entries for it, as for a refund, so its omzet leaves every
figure, and the row stays as the history of what was recorded and why it was struck out. A sale
is verified or rejected, never both (a database constraint says so).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payments.models.orders import Order


class OfflineVerification(models.Model):
    """An organiser's sign-off that offline sales were checked against their receipts."""

    class Method(models.TextChoices):
        INDIVIDUAL = "individual", _("Checked one by one")
        SAMPLE = "sample", _("Checked by sampling")

    expo = models.ForeignKey("expo.Expo", on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("method"), max_length=12, choices=Method.choices)
    # How many sales this sign-off verified, and which of them were looked at (all of them when
    # checked one by one; the drawn sample otherwise).
    population = models.PositiveIntegerField(_("sales verified"))
    sampled = models.JSONField(_("sales checked"), default=list)
    note = models.CharField(_("note"), max_length=500, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed off"), default=timezone.now)

    class Meta:
        verbose_name = _("offline sales verification")
        verbose_name_plural = _("offline sales verifications")
        ordering = ["-signed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.method} {self.population} ({self.expo_id})"


class OfflineSale(models.Model):
    """A sale a vendor made at its physical stand: its order (channel ``offline``) and what the
    ledger does not say. Unverified until an organiser verifies it (see the module's docstring)."""

    class PaymentMethod(models.TextChoices):
        CASH = "cash", _("Cash")
        QRIS = "qris", _("QRIS at the stand")
        TRANSFER = "transfer", _("Bank transfer")

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="offline_sale")
    expo = models.ForeignKey("expo.Expo", on_delete=models.PROTECT, related_name="+")
    booth = models.ForeignKey("booths.Booth", on_delete=models.PROTECT, related_name="+")
    vendor = models.ForeignKey("booths.Vendor", on_delete=models.PROTECT, related_name="+")
    stand = models.ForeignKey(
        "booths.Stand", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    payment_method = models.CharField(_("paid by"), max_length=10, choices=PaymentMethod.choices)
    receipt_number = models.CharField(_("receipt number"), max_length=40)
    total = models.PositiveBigIntegerField(_("total (Rp)"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    verification = models.ForeignKey(
        OfflineVerification,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sales",
    )
    rejected_at = models.DateTimeField(_("rejected"), null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rejection_reason = models.CharField(_("why it was rejected"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("offline sale")
        verbose_name_plural = _("offline sales")
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["expo", "verification"])]
        constraints = [
            # A receipt is recorded once: a second entry of the same slip would count it twice.
            models.UniqueConstraint(
                fields=["booth", "receipt_number"], name="one_sale_per_receipt"
            ),
            # Verified or rejected, never both: a verify and a reject of the same sale at the same
            # moment leave exactly one of them.
            models.CheckConstraint(
                condition=models.Q(verification__isnull=True) | models.Q(rejected_at__isnull=True),
                name="offline_sale_verified_or_rejected",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_number} ({self.booth_id})"

    @property
    def is_verified(self) -> bool:
        return self.verification_id is not None

    @property
    def is_rejected(self) -> bool:
        return self.rejected_at is not None

    @property
    def is_pending(self) -> bool:
        """Neither verified nor rejected yet: in the set a sample is drawn from."""
        return self.verification_id is None and self.rejected_at is None


class OfflineSaleCount(models.Model):
    """An expo's stand sales counted as they are recorded, verified and rejected (by
    ``payments.services.offline``, in the same transaction: ``INSERT … ON CONFLICT DO UPDATE SET
    n = n + excluded.n``), so the dashboard reads one row for the part not verified yet (recorded
    less verified less rejected) instead of every sale. Rebuilt from the sales by
    ``offline_counts_rebuild``."""

    expo = models.OneToOneField("expo.Expo", on_delete=models.CASCADE, related_name="+")
    recorded = models.BigIntegerField(default=0)
    recorded_total = models.BigIntegerField(default=0)
    verified = models.BigIntegerField(default=0)
    verified_total = models.BigIntegerField(default=0)
    rejected = models.BigIntegerField(default=0)
    rejected_total = models.BigIntegerField(default=0)

    COUNTERS = (
        "recorded",
        "recorded_total",
        "verified",
        "verified_total",
        "rejected",
        "rejected_total",
    )

    class Meta:
        verbose_name = _("stand sales count")
        verbose_name_plural = _("stand sales counts")

    @property
    def pending(self) -> int:
        """Sales neither verified nor rejected."""
        return self.recorded - self.verified - self.rejected

    @property
    def pending_total(self) -> int:
        return self.recorded_total - self.verified_total - self.rejected_total
