"""What vendors and organisers set: shipping rates per zone, the expo's collecting account (where
bank transfers go) and its exchange rates (for approximate prices)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from expo.models import bilingual


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
