"""Models of a vendor's trade with business buyers: requests for quotation and leads.

Imported at the end of :mod:`booths.models`, so they belong to the ``booths`` app. The quotations
that answer a request, and the orders they become, live in ``payments`` (a higher layer); they
point down at :class:`QuoteRequest`, never the other way round.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from expo.models import validate_country


class Incoterm(models.TextChoices):
    """The Incoterms 2020 rules a request or quotation may name."""

    EXW = "EXW", _("EXW — Ex Works")
    FOB = "FOB", _("FOB — Free On Board")
    CFR = "CFR", _("CFR — Cost and Freight")
    CIF = "CIF", _("CIF — Cost, Insurance and Freight")
    DAP = "DAP", _("DAP — Delivered At Place")
    DDP = "DDP", _("DDP — Delivered Duty Paid")


class QuoteRequest(models.Model):
    """A business buyer asks a vendor for a price: products, quantities, destination, Incoterm and
    delivery date ("request for quotation", RFQ). It belongs to the booth (and so the expo) it
    was asked at, whenever it is answered or accepted."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a quotation")
        QUOTED = "quoted", _("Quoted")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Source(models.TextChoices):
        PRODUCT = "product", _("Product page")
        BOOTH = "booth", _("Booth")
        INQUIRY = "inquiry", _("Private question")
        MEETING = "meeting", _("Meeting")

    code = models.CharField(_("request number"), max_length=16, unique=True)
    expo = models.ForeignKey("expo.Expo", on_delete=models.PROTECT, related_name="quote_requests")
    booth = models.ForeignKey(
        "booths.Booth", on_delete=models.PROTECT, related_name="quote_requests"
    )
    vendor = models.ForeignKey(
        "booths.Vendor", on_delete=models.PROTECT, related_name="quote_requests"
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quote_requests"
    )
    # Copied when asked, so the funnel's breakdown does not move when a profile changes.
    buyer_country = models.CharField(_("buyer country"), max_length=2)
    buyer_company = models.CharField(_("company"), max_length=200, blank=True)
    destination_country = models.CharField(
        _("destination country"), max_length=2, validators=[validate_country]
    )
    destination_place = models.CharField(_("port or city of destination"), max_length=120)
    incoterm = models.CharField(_("Incoterm"), max_length=3, choices=Incoterm.choices)
    wanted_by = models.DateField(_("wanted delivery date"), null=True, blank=True)
    needs_halal = models.BooleanField(_("halal certificate needed"), default=False)
    needs_bpom = models.BooleanField(_("BPOM registration needed"), default=False)
    needs_organic = models.BooleanField(_("organic certificate needed"), default=False)
    packaging = models.CharField(_("packaging needs"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.BOOTH)
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_at = models.DateTimeField(_("asked"), default=timezone.now, db_index=True)
    first_quoted_at = models.DateTimeField(_("first quoted"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("request for quotation")
        verbose_name_plural = _("requests for quotation")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["vendor", "status"]),
            models.Index(fields=["buyer", "-created_at"]),
            models.Index(fields=["expo", "created_at"]),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def needs(self) -> list[str]:
        labels = []
        if self.needs_halal:
            labels.append(str(_("Halal")))
        if self.needs_bpom:
            labels.append("BPOM")
        if self.needs_organic:
            labels.append(str(_("Organic")))
        return labels


class QuoteRequestLine(models.Model):
    """A product asked for: how much, in which unit."""

    request = models.ForeignKey(QuoteRequest, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "booths.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    description = models.CharField(_("product"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit = models.CharField(_("unit"), max_length=20, default="pcs")

    class Meta:
        verbose_name = _("requested product")
        verbose_name_plural = _("requested products")
        ordering = ["request_id", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="rfq_line_qty_pos")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} {self.unit} {self.description}"


class Lead(models.Model):
    """A buyer who did something at a booth (chatted, asked privately, met, asked for a quotation,
    bought), as the vendor works it: a rating, tags and a note of its own."""

    booth = models.ForeignKey("booths.Booth", on_delete=models.CASCADE, related_name="leads")
    vendor = models.ForeignKey("booths.Vendor", on_delete=models.CASCADE, related_name="leads")
    expo = models.ForeignKey("expo.Expo", on_delete=models.CASCADE, related_name="leads")
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="leads_as_buyer"
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), default=0, validators=[MaxValueValidator(5)]
    )
    tags = models.CharField(_("tags"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=4000)
    first_seen_at = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-last_seen_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["booth", "buyer"], name="one_lead_per_booth_buyer"),
            models.CheckConstraint(condition=models.Q(rating__lte=5), name="lead_rating_0_5"),
        ]
        indexes = [models.Index(fields=["vendor", "-last_seen_at"])]

    def __str__(self) -> str:
        return f"{self.buyer_id}@{self.booth_id}"

    @property
    def tag_list(self) -> list[str]:
        return [t for t in (part.strip() for part in self.tags.split(",")) if t]


class LeadActivity(models.Model):
    """One thing a lead did, once: ``(kind, ref_id)`` names it (a chat counts once per booth)."""

    class Kind(models.TextChoices):
        CHAT = "chat", _("Chatted")
        INQUIRY = "inquiry", _("Asked privately")
        MEETING = "meeting", _("Met")
        RFQ = "rfq", _("Asked for a quotation")
        ORDER = "order", _("Bought")

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("what"), max_length=10, choices=Kind.choices)
    ref_id = models.PositiveBigIntegerField(default=0)
    label = models.CharField(max_length=200, blank=True)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("lead activity")
        verbose_name_plural = _("lead activities")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["lead", "kind", "ref_id"], name="one_lead_activity_per_ref"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.ref_id}"
