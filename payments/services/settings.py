"""The payment settings vendors and organisers keep: a vendor's shipping rates, the expo's
collecting account (where bank transfers go) and its exchange rates (for approximate prices)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from booths.models import Vendor
from expo import permissions
from expo.models import Expo, User
from expo.services import audit_log
from payments.models import (
    CollectingAccount,
    ExchangeRate,
    ShippingMethod,
    ShippingZone,
    TransferFees,
    VendorShippingRate,
)
from payments.models.settings import normal_swift_bic, validate_swift_bic


def require_organiser(expo: Expo, by: User) -> None:
    """Only organisers of the expo's office change its payment settings."""
    permissions.require(permissions.can_manage_office(by, expo.office_id))


@transaction.atomic
def shipping_rates_update(
    *, vendor: Vendor, rates: dict[str, tuple[str, int]], by: User
) -> list[VendorShippingRate]:
    """Set a vendor's rate per zone: ``{zone: (method, amount)}``."""
    permissions.require(permissions.is_vendor_member(by, vendor.pk))
    saved = []
    for zone, (method, amount) in rates.items():
        if zone not in ShippingZone.values or method not in ShippingMethod.values:
            raise ValidationError(_("Choose a shipping option for each zone."), code="rates")
        if amount < 0:
            raise ValidationError(_("A rate cannot be negative."), code="rates")
        rate, _created = VendorShippingRate.objects.update_or_create(
            vendor=vendor,
            zone=zone,
            defaults={"method": method, "amount": amount if method == ShippingMethod.FLAT else 0},
        )
        saved.append(rate)
    audit_log(
        action="payments.shipping.updated",
        obj=vendor,
        user=by,
        rates={zone: list(value) for zone, value in rates.items()},
    )
    return saved


@transaction.atomic
def collecting_account_update(
    *,
    expo: Expo,
    by: User,
    bank_name: str,
    account_number: str,
    account_holder: str,
    instructions_en: str = "",
    instructions_id: str = "",
    swift_bic: str = "",
    bank_address: str = "",
    transfer_fees: str = TransferFees.OUR,
) -> CollectingAccount:
    """Set the bank account the expo's buyers transfer to (shown on new orders). Buyers abroad are
    also shown its SWIFT/BIC (checked against the ISO 9362 shape), the bank's address (needed with
    it) and who pays the transfer fees."""
    require_organiser(expo, by)
    swift_bic = normal_swift_bic(swift_bic)
    bank_address = bank_address.strip()
    if swift_bic:
        validate_swift_bic(swift_bic)
        if not bank_address:
            raise ValidationError(
                {"bank_address": _("Give the bank's address too: banks abroad ask for it.")},
                code="bank_address",
            )
    if transfer_fees not in TransferFees.values:
        raise ValidationError({"transfer_fees": _("Choose who pays the transfer fees.")})
    account, _created = CollectingAccount.objects.update_or_create(
        expo=expo,
        defaults={
            "bank_name": bank_name,
            "account_number": account_number,
            "account_holder": account_holder,
            "instructions_en": instructions_en,
            "instructions_id": instructions_id,
            "swift_bic": swift_bic,
            "bank_address": bank_address,
            "transfer_fees": transfer_fees,
            "updated_by": by,
        },
    )
    audit_log(action="payments.account.updated", obj=account, user=by, expo_id=expo.pk)
    return account


@transaction.atomic
def exchange_rates_update(*, expo: Expo, rates: dict[str, Decimal | None], by: User) -> None:
    """Set (a positive rate) or remove (None) the rupiah value of each foreign currency."""
    require_organiser(expo, by)
    for currency, value in rates.items():
        if value is None:
            ExchangeRate.objects.filter(expo=expo, currency=currency).delete()
            continue
        if value <= 0:
            raise ValidationError(_("Exchange rates must be positive."), code="rate")
        ExchangeRate.objects.update_or_create(
            expo=expo, currency=currency, defaults={"idr_per_unit": value, "updated_by": by}
        )
    audit_log(
        action="payments.rates.updated",
        obj=expo,
        user=by,
        expo_id=expo.pk,
        rates={k: (str(v) if v is not None else None) for k, v in rates.items()},
    )
