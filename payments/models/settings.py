"""What vendors and organisers set: shipping rates per zone, the expo's collecting account (where
bank transfers go) and its exchange rates (for approximate prices)."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from expo.countries import is_country_code
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


# A SWIFT/BIC (ISO 9362): four letters for the bank, the bank's country (ISO 3166, two letters),
# two letters or digits for the place, and optionally three for the branch.
SWIFT_BIC = re.compile(r"[A-Z]{4}(?P<country>[A-Z]{2})[A-Z0-9]{2}(?:[A-Z0-9]{3})?")


def normal_swift_bic(value: str) -> str:
    """A SWIFT/BIC as banks print it, often with spaces: upper case, spaces removed."""
    return "".join(value.split()).upper()


def validate_swift_bic(value: str) -> None:
    """8 or 11 characters in the ISO 9362 shape, with a real country code (``BNINIDJA``)."""
    code = normal_swift_bic(value)
    match = SWIFT_BIC.fullmatch(code)
    if match is None or not is_country_code(match["country"]):
        raise ValidationError(
            _(
                "Enter the SWIFT/BIC code: 8 or 11 letters and digits, such as BNINIDJA "
                "(bank, country, place and an optional branch)."
            ),
            code="swift_bic",
        )


class TransferFees(models.TextChoices):
    """Who pays the banks' fees of an international transfer (the SWIFT charge codes)."""

    OUR = "OUR", _("OUR: the sender pays all fees; the full amount arrives")
    SHA = "SHA", _("SHA: shared; each side pays its own bank")
    BEN = "BEN", _("BEN: the fees are taken from the amount that arrives")


class CollectingAccount(models.Model):
    """The bank account an expo's buyers transfer to, set by the organiser of the expo's office.
    Buyers outside Indonesia also need its SWIFT/BIC, the bank's address and who pays the fees."""

    expo = models.OneToOneField(
        "expo.Expo", on_delete=models.CASCADE, related_name="collecting_account"
    )
    bank_name = models.CharField(_("bank"), max_length=80)
    account_number = models.CharField(_("account number"), max_length=40)
    account_holder = models.CharField(_("account holder"), max_length=120)
    swift_bic = models.CharField(
        _("SWIFT/BIC"), max_length=11, blank=True, validators=[validate_swift_bic]
    )
    bank_address = models.TextField(_("bank address"), blank=True)
    transfer_fees = models.CharField(
        _("transfer fees"), max_length=3, choices=TransferFees.choices, default=TransferFees.OUR
    )
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

    @property
    def takes_international_transfers(self) -> bool:
        """Whether buyers abroad are given what their bank needs (the SWIFT/BIC at least)."""
        return bool(self.swift_bic)


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
