"""Forms of the payments pages. They clean and shape input; the rules live in
``payments.services``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from booths.forms import single_line
from expo.countries import COUNTRY_CHOICES
from expo.widgets import (
    QuickEmailInput,
    QuickHiddenInput,
    QuickSelect,
    QuickTextarea,
    QuickTextInput,
    StaticChoiceField,
)
from payments import providers
from payments.models import Currency, OrderPart, ShippingMethod, ShippingZone, TransferFees
from payments.models.settings import normal_swift_bic, validate_swift_bic
from payments.rules import MAX_QUANTITY
from payments.shipping import PROVINCE_CHOICES

MAX_SHIPPING = 50_000_000  # Rp 50 million per order: far above any parcel; catches stray digits.


class QuantityForm(forms.Form):
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=MAX_QUANTITY,
        error_messages={
            "invalid": _("Enter a whole number of items."),
            "min_value": _("Choose at least one item."),
            "max_value": _("At most %(limit_value)s items of one product per order."),
        },
    )


class CheckoutForm(forms.Form):
    """The buyer's contact and shipping address, and how they pay."""

    # Widgets written without templates (expo.widgets): this page is rendered again for every
    # refused order in a rush.
    email = forms.EmailField(label=_("E-mail"), max_length=254, widget=QuickEmailInput)
    name = forms.CharField(label=_("Full name"), max_length=150, widget=QuickTextInput)
    phone = forms.CharField(
        label=_("Phone (WhatsApp if you have it)"),
        max_length=32,
        help_text=_("With the country code if you are outside Indonesia, e.g. +65 9123 4567."),
        widget=QuickTextInput,
    )
    country = StaticChoiceField(
        label=_("Country"),
        choices=COUNTRY_CHOICES,
        initial="ID",
        widget=QuickSelect(memo="countries"),
    )
    address = forms.CharField(
        label=_("Street address"),
        max_length=500,
        widget=QuickTextarea(attrs={"rows": 2, "autocomplete": "street-address"}),
    )
    city = forms.CharField(label=_("City or regency"), max_length=100, widget=QuickTextInput)
    province = StaticChoiceField(
        label=_("Province"),
        choices=PROVINCE_CHOICES,
        required=False,
        widget=QuickSelect(memo="provinces"),
    )
    state = forms.CharField(
        label=_("State or region"), max_length=100, required=False, widget=QuickTextInput
    )
    postal_code = forms.CharField(
        label=_("Postal code"), max_length=16, required=False, widget=QuickTextInput
    )
    provider = forms.ChoiceField(label=_("Payment"), widget=forms.RadioSelect)
    expected_subtotal = forms.IntegerField(widget=QuickHiddenInput, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(p.name, p.label) for p in providers.available()]
        self.fields["provider"].choices = choices
        self.fields["provider"].initial = choices[0][0] if choices else None
        autocomplete = {
            "email": "email",
            "name": "name",
            "phone": "tel",
            "country": "country",
            "city": "address-level2",
            "province": "address-level1",
            "state": "address-level1",
            "postal_code": "postal-code",
        }
        for name, value in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = value
        self.fields["phone"].widget.input_type = "tel"

    def clean_name(self) -> str:
        return single_line(self.cleaned_data["name"])

    def clean_city(self) -> str:
        return single_line(self.cleaned_data["city"])

    def clean_phone(self) -> str:
        phone = single_line(self.cleaned_data["phone"])
        digits = sum(ch.isdigit() for ch in phone)
        if digits < 6 or any(not (ch.isdigit() or ch in " +-().") for ch in phone):
            raise forms.ValidationError(_("Enter a phone number, digits only (with + and spaces)."))
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        country = data.get("country")
        if country == "ID":
            if not data.get("province"):
                self.add_error("province", _("Choose the province."))
            data["region"] = data.get("province") or ""
        else:
            data["region"] = single_line(data.get("state") or "")
        return data


class ShippingRatesForm(forms.Form):
    """A vendor's rate per zone: how it ships, and the flat rate when it has one."""

    ZONES = (ShippingZone.PROVINCE, ShippingZone.DOMESTIC, ShippingZone.INTERNATIONAL)

    def __init__(
        self, *args: Any, current: dict[str, tuple[str, int]] | None = None, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        current = current or {}
        for zone in self.ZONES:
            method, amount = current.get(zone, (ShippingMethod.ARRANGE, 0))
            self.fields[f"{zone}_method"] = forms.ChoiceField(
                label=ShippingZone(zone).label,
                choices=ShippingMethod.choices,
                widget=forms.RadioSelect,
                initial=method,
            )
            self.fields[f"{zone}_amount"] = forms.IntegerField(
                label=_("Rate per order (Rp)"),
                min_value=0,
                max_value=MAX_SHIPPING,
                required=False,
                initial=amount or None,
            )

    def zones(self) -> list[tuple[str, Any, Any]]:
        return [(zone, self[f"{zone}_method"], self[f"{zone}_amount"]) for zone in self.ZONES]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for zone in self.ZONES:
            if data.get(f"{zone}_method") == ShippingMethod.FLAT and not data.get(f"{zone}_amount"):
                self.add_error(f"{zone}_amount", _("Enter the rate, or choose another option."))
        return data

    def rates(self) -> dict[str, tuple[str, int]]:
        data = self.cleaned_data
        return {
            zone: (data[f"{zone}_method"], data.get(f"{zone}_amount") or 0) for zone in self.ZONES
        }


class CollectingAccountForm(forms.Form):
    bank_name = forms.CharField(label=_("Bank"), max_length=80)
    account_number = forms.CharField(label=_("Account number"), max_length=40)
    account_holder = forms.CharField(label=_("Account holder"), max_length=120)
    instructions_en = forms.CharField(
        label=_("Extra instructions (English)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    instructions_id = forms.CharField(
        label=_("Extra instructions (Indonesian)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    swift_bic = forms.CharField(
        label=_("SWIFT/BIC"),
        required=False,
        max_length=14,  # 11 characters, with the spaces banks print between groups
        help_text=_("For buyers abroad: 8 or 11 characters, such as BNINIDJA."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    bank_address = forms.CharField(
        label=_("Bank address"),
        required=False,
        max_length=400,
        help_text=_("The branch's address, as banks abroad ask for it with the SWIFT/BIC."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    transfer_fees = forms.ChoiceField(
        label=_("Who pays the transfer fees"),
        choices=TransferFees.choices,
        initial=TransferFees.OUR,
        required=False,  # left out, the sender pays (OUR), as before the field existed
        help_text=_("Shown to buyers abroad, so their bank sends the transfer the right way."),
    )

    field_order = [
        "bank_name",
        "account_number",
        "account_holder",
        "swift_bic",
        "bank_address",
        "transfer_fees",
        "instructions_en",
        "instructions_id",
    ]

    def clean_transfer_fees(self) -> str:
        return self.cleaned_data["transfer_fees"] or TransferFees.OUR

    def clean_swift_bic(self) -> str:
        value = normal_swift_bic(self.cleaned_data["swift_bic"])
        if value:
            validate_swift_bic(value)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("swift_bic") and not (data.get("bank_address") or "").strip():
            self.add_error(
                "bank_address", _("Give the bank's address too: banks abroad ask for it.")
            )
        return data

    def clean_account_number(self) -> str:
        value = single_line(self.cleaned_data["account_number"])
        if not any(ch.isdigit() for ch in value) or any(
            not (ch.isdigit() or ch in " -.") for ch in value
        ):
            raise forms.ValidationError(_("Enter the account number: digits, spaces and dashes."))
        return value


class ExchangeRatesForm(forms.Form):
    """Rupiah per unit of each foreign currency; an empty field shows no price in it."""

    def __init__(self, *args: Any, current: dict[str, Decimal] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        current = current or {}
        for code, label in Currency.choices:
            self.fields[code] = forms.DecimalField(
                label=f"{code} · {label}",
                required=False,
                min_value=Decimal("0.0001"),
                max_digits=14,
                decimal_places=4,
                initial=current.get(code),
                widget=forms.NumberInput(attrs={"step": "0.0001", "inputmode": "decimal"}),
            )

    def rates(self) -> dict[str, Decimal | None]:
        return {code: self.cleaned_data.get(code) for code in Currency.values}


class ShipForm(forms.Form):
    courier = forms.ChoiceField(label=_("Courier"), choices=OrderPart.Courier.choices)
    courier_name = forms.CharField(label=_("Courier name"), max_length=60, required=False)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=60)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            data.get("courier") == OrderPart.Courier.OTHER
            and not (data.get("courier_name") or "").strip()
        ):
            self.add_error("courier_name", _("Name the courier."))
        return data


class RefundForm(forms.Form):
    reason = forms.CharField(label=_("Reason (shown to the buyer)"), max_length=255, required=False)

    def __init__(
        self, *args: Any, line_choices: list[tuple[int, str]] | None = None, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        if line_choices is not None:
            self.fields["lines"] = forms.TypedMultipleChoiceField(
                label=_("Items to refund"),
                choices=line_choices,
                coerce=int,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"required": _("Choose the items to refund.")},
            )


class PayoutForm(forms.Form):
    reference = forms.CharField(label=_("Transfer reference"), max_length=80, required=False)


class TransferConfirmForm(forms.Form):
    note = forms.CharField(label=_("Note (bank statement line)"), max_length=255, required=False)


class VendorOrderFilterForm(forms.Form):
    status = forms.ChoiceField(required=False)
    expo = forms.CharField(required=False, max_length=80)
    q = forms.CharField(required=False, max_length=80)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "")] + list(OrderPart.Status.choices)

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {"status": "", "expo": "", "q": ""}
        return {key: (self.cleaned_data.get(key) or "").strip() for key in ("status", "expo", "q")}
