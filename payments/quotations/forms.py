"""Forms of the quotation pages: the buyer's request, the vendor's offer (terms and lines), the
buyer's answer (revision, acceptance with the address and how to pay) and the balance."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booths.models import Incoterm, Product
from booths.services import rfq
from expo.countries import COUNTRY_CHOICES
from payments import providers
from payments.forms import CheckoutForm
from payments.models import PaymentTerms, QuotationRevision, ShippingTerms
from payments.quotations import services as quotes

UNIT_CHOICES = [
    ("pcs", _("pieces")),
    ("jar", _("jars")),
    ("pack", _("packs")),
    ("carton", _("cartons")),
    ("kg", _("kg")),
    ("m", _("metres")),
    ("set", _("sets")),
]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RequestForm(forms.Form):
    """What the buyer asks for, besides the products (see :class:`RequestLineForm`)."""

    destination_country = forms.ChoiceField(label=_("Destination country"), choices=COUNTRY_CHOICES)
    destination_place = forms.CharField(label=_("Port or city of destination"), max_length=120)
    incoterm = forms.ChoiceField(label=_("Incoterm"), choices=Incoterm.choices, initial="FOB")
    wanted_by = forms.DateField(label=_("Wanted delivery date"), required=False, widget=DATE)
    needs_halal = forms.BooleanField(label=_("Halal certificate"), required=False)
    needs_bpom = forms.BooleanField(label=_("BPOM registration"), required=False)
    needs_organic = forms.BooleanField(label=_("Organic certificate"), required=False)
    packaging = forms.CharField(label=_("Packaging needs"), max_length=300, required=False)
    note = forms.CharField(
        label=_("Note to the vendor"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def terms(self) -> rfq.RequestTerms:
        data = self.cleaned_data
        return rfq.RequestTerms(
            destination_country=data["destination_country"],
            destination_place=data["destination_place"],
            incoterm=data["incoterm"],
            wanted_by=data.get("wanted_by"),
            needs_halal=data["needs_halal"],
            needs_bpom=data["needs_bpom"],
            needs_organic=data["needs_organic"],
            packaging=data.get("packaging") or "",
            note=data.get("note") or "",
        )


class RequestLineForm(forms.Form):
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.none(), required=False
    )
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=rfq.MAX_QUANTITY, required=False
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=UNIT_CHOICES, initial="pcs")

    def __init__(self, *args: Any, products: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = (
            products if products is not None else Product.objects.none()
        )
        self.fields["product"].label_from_instance = lambda p: p.name

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("product") and not data.get("quantity"):
            self.add_error("quantity", _("How many?"))
        return data


RequestLineFormSet = forms.formset_factory(RequestLineForm, extra=3, max_num=rfq.MAX_LINES)


def requested_lines(formset: Any) -> list[rfq.RequestedLine]:
    return [
        rfq.RequestedLine(
            product=f.cleaned_data["product"],
            quantity=f.cleaned_data["quantity"],
            unit=f.cleaned_data["unit"],
        )
        for f in formset.forms
        if f.cleaned_data.get("product") and f.cleaned_data.get("quantity")
    ]


class OfferForm(forms.Form):
    """The terms of a quotation (one revision)."""

    incoterm = forms.ChoiceField(label=_("Incoterm"), choices=Incoterm.choices)
    named_place = forms.CharField(
        label=_("Named place"),
        max_length=120,
        help_text=_("The port or place the Incoterm names, e.g. Tanjung Emas, Semarang."),
    )
    lead_time_days = forms.IntegerField(
        label=_("Lead time (days)"), min_value=0, max_value=quotes.MAX_LEAD_DAYS
    )
    valid_until = forms.DateField(label=_("Valid until"), widget=DATE)
    payment_terms = forms.ChoiceField(
        label=_("Payment terms"), choices=PaymentTerms.choices, widget=forms.RadioSelect
    )
    deposit_percent = forms.IntegerField(
        label=_("Deposit (%)"), min_value=0, max_value=90, required=False
    )
    shipping_terms = forms.ChoiceField(
        label=_("Shipping"), choices=ShippingTerms.choices, widget=forms.RadioSelect
    )
    shipping_amount = forms.IntegerField(
        label=_("Shipping (Rp)"), min_value=0, max_value=10**12, required=False
    )
    note = forms.CharField(
        label=_("Note to the buyer"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def terms(self) -> quotes.OfferTerms:
        data = self.cleaned_data
        deposit = data.get("deposit_percent") or 0
        return quotes.OfferTerms(
            incoterm=data["incoterm"],
            named_place=data["named_place"],
            lead_time_days=data["lead_time_days"],
            valid_until=data["valid_until"],
            payment_terms=data["payment_terms"],
            deposit_percent=deposit if data["payment_terms"] == PaymentTerms.DEPOSIT else 0,
            shipping_terms=data["shipping_terms"],
            shipping_amount=(data.get("shipping_amount") or 0)
            if data["shipping_terms"] == ShippingTerms.QUOTED
            else 0,
            note=data.get("note") or "",
        )

    @classmethod
    def initial_for(cls, request: Any, previous: QuotationRevision | None) -> dict[str, Any]:
        if previous is not None:
            return {
                name: getattr(previous, name)
                for name in (
                    "incoterm",
                    "named_place",
                    "lead_time_days",
                    "payment_terms",
                    "deposit_percent",
                    "shipping_terms",
                    "shipping_amount",
                    "note",
                )
            } | {
                "valid_until": max(previous.valid_until, timezone.localdate() + timedelta(days=14))
            }
        return {
            "incoterm": request.incoterm,
            "named_place": request.destination_place
            if request.incoterm in ("CFR", "CIF", "DAP", "DDP")
            else "",
            "lead_time_days": 14,
            "valid_until": timezone.localdate() + timedelta(days=14),
            "payment_terms": PaymentTerms.DEPOSIT,
            "deposit_percent": 30,
            "shipping_terms": ShippingTerms.TO_AGREE,
        }


class OfferLineForm(forms.Form):
    product = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name_en = forms.CharField(label=_("Product (English)"), max_length=160, required=False)
    name_id = forms.CharField(label=_("Product (Indonesian)"), max_length=160, required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, required=False)
    unit = forms.ChoiceField(label=_("Unit"), choices=UNIT_CHOICES)
    min_quantity = forms.IntegerField(label=_("MOQ"), min_value=1, initial=1, required=False)
    unit_price = forms.IntegerField(
        label=_("Unit price (Rp)"), min_value=1, max_value=10**12, required=False
    )
    hs_code = forms.CharField(label=_("HS code"), max_length=12, required=False)
    weight_grams = forms.IntegerField(
        label=_("Net g/unit"), min_value=0, max_value=10**7, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        named = (data.get("name_en") or "").strip() or (data.get("name_id") or "").strip()
        if named:
            if not data.get("quantity"):
                self.add_error("quantity", _("How many?"))
            if not data.get("unit_price"):
                self.add_error("unit_price", _("Give the unit price."))
        return data


OfferLineFormSet = forms.formset_factory(OfferLineForm, extra=1, max_num=quotes.MAX_LINES)


def offered_lines(formset: Any, products: dict[int, Product]) -> list[quotes.OfferedLine]:
    lines = []
    for form in formset.forms:
        data = form.cleaned_data
        if not ((data.get("name_en") or "").strip() or (data.get("name_id") or "").strip()):
            continue
        lines.append(
            quotes.OfferedLine(
                name_en=data.get("name_en") or "",
                name_id=data.get("name_id") or "",
                quantity=data["quantity"],
                unit_price=data["unit_price"],
                unit=data["unit"],
                min_quantity=data.get("min_quantity") or 1,
                product=products.get(data.get("product") or 0),
                hs_code=data.get("hs_code") or "",
                weight_grams=data.get("weight_grams") or 0,
            )
        )
    return lines


class AcceptForm(CheckoutForm):
    """The buyer accepts the revision they read: where the goods go and how to pay the first
    payment."""

    expected_subtotal = None  # type: ignore[assignment]
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class RevisionForm(forms.Form):
    note = forms.CharField(
        label=_("What should change?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class BalanceForm(forms.Form):
    provider = forms.ChoiceField(label=_("Pay the balance by"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(p.name, p.label) for p in providers.available()]
        self.fields["provider"].choices = choices
        self.fields["provider"].initial = choices[0][0] if choices else None
