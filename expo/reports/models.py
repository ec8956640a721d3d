"""Models of the omzet reports: potential deals, data-API tokens and background report jobs.

Imported at the end of :mod:`expo.models` so they belong to the ``expo`` app. They point at other
apps' models only by name (``"booths.Vendor"``), so the expo base still imports no other app.
Potential deals are never omzet: omzet is counted only from ``payments.SalesLedgerEntry``.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from expo.models import validate_country


class PotentialDeal(models.Model):
    """A business-to-business deal a vendor agreed during an expo ("transaksi potensial").

    Recorded by the vendor, verified (or rejected) by an organiser of the expo's office. Shown
    always apart from omzet and never added to it.
    """

    class Status(models.TextChoices):
        NEGOTIATING = "negotiating", _("In negotiation")
        AGREED = "agreed", _("Agreed")
        CANCELLED = "cancelled", _("Cancelled")

    class Verification(models.TextChoices):
        PENDING = "pending", _("Awaiting verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    expo = models.ForeignKey("expo.Expo", on_delete=models.PROTECT, related_name="potential_deals")
    booth = models.ForeignKey(
        "booths.Booth", on_delete=models.PROTECT, related_name="potential_deals"
    )
    vendor = models.ForeignKey(
        "booths.Vendor", on_delete=models.PROTECT, related_name="potential_deals"
    )
    buyer_company = models.CharField(_("buyer company"), max_length=200)
    buyer_country = models.CharField(
        _("buyer country"), max_length=2, validators=[validate_country]
    )
    product = models.CharField(_("product"), max_length=200)
    estimated_value = models.PositiveBigIntegerField(_("estimated value (Rp)"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEGOTIATING
    )
    note = models.TextField(_("note"), blank=True)
    verification = models.CharField(
        _("verification"),
        max_length=10,
        choices=Verification.choices,
        default=Verification.PENDING,
        db_index=True,
    )
    # The request for quotation the deal came from, when it came from one (the funnel then counts
    # the request's quotation, not this estimate, so nothing is counted twice).
    quote_request = models.ForeignKey(
        "booths.QuoteRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="potential_deals",
        verbose_name=_("request for quotation"),
    )
    verification_note = models.CharField(_("verification note"), max_length=255, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "expo_potentialdeal"  # created by the expo app before it split
        verbose_name = _("potential deal")
        verbose_name_plural = _("potential deals")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["expo", "verification"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(estimated_value__gt=0), name="deal_value_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.buyer_company} ← {self.vendor_id} ({self.estimated_value})"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A read-only token for an office's data systems. Only its SHA-256 is stored: the token is
    shown once, when it is created."""

    PREFIX = "umkm_"

    office = models.ForeignKey("expo.Office", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    lookup = models.CharField(max_length=12, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        db_table = "expo_apitoken"  # created by the expo app before it split
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.PREFIX}{self.lookup}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def generate(cls) -> tuple[str, str, str]:
        """A new raw token, its public lookup part and its hash."""
        lookup = secrets.token_hex(6)
        raw = f"{cls.PREFIX}{lookup}_{secrets.token_urlsafe(32)}"
        return raw, lookup, hash_token(raw)


class ReportJob(models.Model):
    """A PDF report of an expo built in the background, with its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Building")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    class Kind(models.TextChoices):
        DASHBOARD = "dashboard", _("Omzet report")
        UPWARD = "upward", _("Upward report (expo)")
        UPWARD_YEAR = "upward_year", _("Upward report (year)")

    expo = models.ForeignKey("expo.Expo", on_delete=models.CASCADE, related_name="report_jobs")
    # Which report: the expo's omzet report, or the report the office sends upward, of the expo
    # or of the office's ``year`` (the expo is then the page it was asked from).
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.DASHBOARD)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, default="id")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=120, blank=True)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    error = models.CharField(max_length=255, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "expo_reportjob"  # created by the expo app before it split
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"report {self.expo_id} {self.language} {self.status}"
