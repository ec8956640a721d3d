"""Omzet rollups: the sales ledger summed as it is written, so the dashboard reads a few hundred
rows instead of every entry.

Each table is a set of counters keyed by the breakdown it serves. ``payments.services.rollups``
adds to them in the same transaction as each ledger write (``INSERT … ON CONFLICT DO UPDATE SET
x = x + excluded.x``, so concurrent writers never lose an update) and can rebuild them from the
ledger; a rebuild gives identical rows. Nothing else writes them.

Money columns follow the ledger: ``sales`` is positive, ``refunds`` negative or zero, omzet is
their sum. ``orders`` counts each paid order once where its first sale entry falls (per booth: its
first sale entry at that booth), so orders add up across the rows of one table without counting an
order twice. Distinct buyers cannot be summed from counters of another breakdown: they are kept
exactly with a first-seen table (:class:`OmzetBuyer`) and counters bumped only when a buyer is seen
for the first time in a scope (:class:`OmzetBuyerCount`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from payments.models.orders import Channel

# An entry without an attribution is kept under 0 (a unique key cannot hold NULL on every database).
NO_ATTRIBUTION = 0


class OmzetMoney(models.Model):
    """The counters every money rollup keeps."""

    sales = models.BigIntegerField(_("sales (Rp)"), default=0)
    refunds = models.BigIntegerField(_("refunds (Rp)"), default=0)
    orders = models.BigIntegerField(_("orders"), default=0)
    quantity = models.BigIntegerField(_("quantity"), default=0)

    class Meta:
        abstract = True

    @property
    def omzet(self) -> int:
        return self.sales + self.refunds


class OmzetByBooth(OmzetMoney):
    """An expo's omzet per booth and channel, with the regency, sector and size class its entries
    were written with (copied from the vendor at the time, as the ledger does)."""

    expo = models.ForeignKey("expo.Expo", on_delete=models.CASCADE, related_name="+")
    booth = models.ForeignKey("booths.Booth", on_delete=models.CASCADE, related_name="+")
    vendor = models.ForeignKey("booths.Vendor", on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey("expo.Region", on_delete=models.CASCADE, related_name="+")
    sector = models.ForeignKey("expo.Sector", on_delete=models.CASCADE, related_name="+")
    size_class = models.CharField(max_length=10)
    channel = models.CharField(max_length=16, choices=Channel.choices)

    KEY = ("expo_id", "booth_id", "vendor_id", "region_id", "sector_id", "size_class", "channel")

    class Meta:
        verbose_name = _("omzet per booth")
        verbose_name_plural = _("omzet per booth")
        constraints = [
            models.UniqueConstraint(
                fields=["expo", "booth", "vendor", "region", "sector", "size_class", "channel"],
                name="omzet_by_booth_key",
            )
        ]


class OmzetByOrigin(OmzetMoney):
    """An expo's omzet per channel, attribution (a live session, a banner; 0 for none) and buyer
    country: where the money came from."""

    expo = models.ForeignKey("expo.Expo", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    attribution_id = models.PositiveBigIntegerField(default=NO_ATTRIBUTION)
    attribution_label = models.CharField(max_length=200, blank=True)
    buyer_country = models.CharField(max_length=2)

    KEY = ("expo_id", "channel", "attribution_id", "attribution_label", "buyer_country")

    class Meta:
        verbose_name = _("omzet per origin")
        verbose_name_plural = _("omzet per origin")
        constraints = [
            models.UniqueConstraint(
                fields=["expo", "channel", "attribution_id", "attribution_label", "buyer_country"],
                name="omzet_by_origin_key",
            )
        ]


class OmzetByHour(OmzetMoney):
    """An expo's omzet per channel and hour (the start of the hour in Asia/Jakarta), for the
    hourly and daily charts."""

    expo = models.ForeignKey("expo.Expo", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    hour = models.DateTimeField()

    KEY = ("expo_id", "channel", "hour")

    class Meta:
        verbose_name = _("omzet per hour")
        verbose_name_plural = _("omzet per hour")
        constraints = [
            models.UniqueConstraint(fields=["expo", "channel", "hour"], name="omzet_by_hour_key")
        ]


class OmzetBuyer(models.Model):
    """A buyer (``u:<account id>``, else ``e:<lower-cased e-mail>``) seen with a paid order in a
    scope of an expo: ``expo``, ``abroad``, ``country:<code>`` or ``booth:<id>`` (then ``booth``
    is set too). One row per buyer and scope, ever; the first sale inserts it."""

    expo = models.ForeignKey("expo.Expo", on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=40)
    person = models.CharField(max_length=300)
    booth = models.ForeignKey(
        "booths.Booth", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The buyer's account (None for a guest), for the conversion's check against booth visits.
    account_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("omzet buyer")
        verbose_name_plural = _("omzet buyers")
        constraints = [
            models.UniqueConstraint(fields=["expo", "scope", "person"], name="omzet_buyer_key")
        ]
        indexes = [
            models.Index(
                fields=["expo", "account_id"],
                condition=models.Q(account_id__isnull=False),
                name="omzet_buyer_accounts",
            )
        ]


class OmzetBuyerCount(models.Model):
    """How many distinct buyers (and how many of them guests, known by e-mail only) an expo has in
    a scope (see :class:`OmzetBuyer`)."""

    expo = models.ForeignKey("expo.Expo", on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=40)
    booth = models.ForeignKey(
        "booths.Booth", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    buyers = models.BigIntegerField(default=0)
    guests = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("omzet buyer count")
        verbose_name_plural = _("omzet buyer counts")
        constraints = [
            models.UniqueConstraint(fields=["expo", "scope"], name="omzet_buyer_count_key")
        ]
