"""Quotations: a vendor's answer to a request for quotation, revised until the buyer accepts (an
order with a proforma invoice follows) or declines.

A :class:`Quotation` is the deal (one per request); each offer sent is a
:class:`QuotationRevision` with its own lines and terms, kept as history. The quotation carries
the current revision's figures and its funnel fields (copied when sent), so a deal counts once
in each stage however often it was revised.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booths.models import Incoterm
from expo.models import bilingual
from payments.models.orders import Order


class PaymentTerms(models.TextChoices):
    FULL = "full", _("Full payment in advance")
    DEPOSIT = "deposit", _("Deposit, then the balance before shipping")


class ShippingTerms(models.TextChoices):
    QUOTED = "quoted", _("Shipping quoted")
    TO_AGREE = "to_agree", _("Shipping to be agreed")


class Quotation(models.Model):
    """The deal of one request: its current revision's total and terms, and where it stands."""

    class Status(models.TextChoices):
        SENT = "sent", _("Waiting for the buyer")
        REVISION_ASKED = "revision", _("Revision asked")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    code = models.CharField(_("quotation number"), max_length=16, unique=True)
    request = models.OneToOneField(
        "booths.QuoteRequest", on_delete=models.PROTECT, related_name="quotation"
    )
    expo = models.ForeignKey("expo.Expo", on_delete=models.PROTECT, related_name="quotations")
    booth = models.ForeignKey("booths.Booth", on_delete=models.PROTECT, related_name="quotations")
    vendor = models.ForeignKey("booths.Vendor", on_delete=models.PROTECT, related_name="quotations")
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quotations"
    )
    # The funnel's breakdown, copied when first sent (as the ledger copies it).
    region = models.ForeignKey("expo.Region", on_delete=models.PROTECT, related_name="+")
    sector = models.ForeignKey("expo.Sector", on_delete=models.PROTECT, related_name="+")
    buyer_country = models.CharField(_("buyer country"), max_length=2)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SENT, db_index=True
    )
    revision = models.PositiveIntegerField(_("revision"), default=1)
    subtotal = models.PositiveBigIntegerField(_("goods (Rp)"))
    shipping_amount = models.PositiveBigIntegerField(_("shipping (Rp)"), default=0)
    total = models.PositiveBigIntegerField(_("total (Rp)"))
    revision_note = models.TextField(_("what the buyer asked to change"), blank=True)
    order = models.OneToOneField(
        Order, on_delete=models.PROTECT, null=True, blank=True, related_name="quotation"
    )
    sent_at = models.DateTimeField(_("first sent"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined"), null=True, blank=True)

    class Meta:
        verbose_name = _("quotation")
        verbose_name_plural = _("quotations")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["expo", "status"]),
            models.Index(fields=["vendor", "-updated_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total=models.F("subtotal") + models.F("shipping_amount")),
                name="quotation_total_adds_up",
            )
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def current(self) -> QuotationRevision:
        return self.revisions.get(number=self.revision)


class QuotationRevision(models.Model):
    """One offer sent: lines and terms as they were. Older revisions are kept as history."""

    quotation = models.ForeignKey(Quotation, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    incoterm = models.CharField(_("Incoterm"), max_length=3, choices=Incoterm.choices)
    named_place = models.CharField(_("named place"), max_length=120)
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"))
    valid_until = models.DateField(_("valid until"))
    payment_terms = models.CharField(
        _("payment terms"), max_length=8, choices=PaymentTerms.choices, default=PaymentTerms.FULL
    )
    deposit_percent = models.PositiveSmallIntegerField(
        _("deposit (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(90)]
    )
    shipping_terms = models.CharField(
        _("shipping"), max_length=8, choices=ShippingTerms.choices, default=ShippingTerms.TO_AGREE
    )
    shipping_amount = models.PositiveBigIntegerField(_("shipping (Rp)"), default=0)
    subtotal = models.PositiveBigIntegerField(_("goods (Rp)"))
    total = models.PositiveBigIntegerField(_("total (Rp)"))
    note = models.TextField(_("note"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("quotation revision")
        verbose_name_plural = _("quotation revisions")
        ordering = ["quotation_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["quotation", "number"], name="one_revision_number"),
            models.CheckConstraint(
                condition=models.Q(payment_terms="full", deposit_percent=0)
                | models.Q(
                    payment_terms="deposit", deposit_percent__gte=1, deposit_percent__lte=90
                ),
                name="revision_deposit_matches_terms",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quotation_id} r{self.number}"

    @property
    def deposit_amount(self) -> int:
        """The deposit in whole rupiah (rounded half up), 0 for full payment in advance."""
        if self.payment_terms != PaymentTerms.DEPOSIT:
            return 0
        return (self.total * self.deposit_percent + 50) // 100


class QuotationLine(models.Model):
    """A product offered: unit price in rupiah, quantity and unit, minimum order quantity."""

    revision = models.ForeignKey(QuotationRevision, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "booths.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name_en = models.CharField(max_length=160)
    name_id = models.CharField(max_length=160)
    unit = models.CharField(_("unit"), max_length=20, default="pcs")
    quantity = models.PositiveIntegerField(_("quantity"))
    min_quantity = models.PositiveIntegerField(_("minimum order quantity"), default=1)
    unit_price = models.PositiveBigIntegerField(_("unit price (Rp)"))
    hs_code = models.CharField(_("HS code"), max_length=12, blank=True)
    weight_grams = models.PositiveIntegerField(_("net weight per unit (g)"), default=0)

    class Meta:
        verbose_name = _("quotation line")
        verbose_name_plural = _("quotation lines")
        ordering = ["revision_id", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="quote_line_qty_pos"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=models.F("min_quantity")),
                name="quote_line_meets_moq",
            ),
        ]

    name = bilingual("name")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name_en}"

    @property
    def amount(self) -> int:
        return self.unit_price * self.quantity
