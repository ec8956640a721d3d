"""Forms of the report pages: a vendor's potential deal, an organiser's verification, an API
token's name and the PDF report's language. They clean input; the services apply the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from booths.models import Booth, QuoteRequest, Vendor
from expo.countries import is_country_code
from expo.reports import selectors
from expo.reports import services as report_services
from expo.reports.models import PotentialDeal


class DealForm(forms.Form):
    booth = forms.ModelChoiceField(queryset=Booth.objects.none(), label=gettext_lazy("Expo"))
    buyer_company = forms.CharField(label=gettext_lazy("Buyer company"), max_length=200)
    buyer_country = forms.CharField(
        label=gettext_lazy("Buyer country"),
        max_length=2,
        min_length=2,
        help_text=gettext_lazy("Two-letter code, such as ID, MY, SG or JP."),
    )
    product = forms.CharField(label=gettext_lazy("Product"), max_length=200)
    estimated_value = forms.IntegerField(
        label=gettext_lazy("Estimated value (Rp)"), min_value=1, max_value=10**15
    )
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=PotentialDeal.Status.choices)
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    quote_request = forms.ModelChoiceField(
        queryset=QuoteRequest.objects.none(),
        required=False,
        label=gettext_lazy("From a request for quotation (optional)"),
    )

    def __init__(self, *args: Any, vendor: Vendor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["quote_request"].queryset = QuoteRequest.objects.filter(vendor=vendor)
        self.fields["quote_request"].label_from_instance = lambda r: (
            f"{r.code} · {r.buyer_company or r.buyer_country}"
        )
        booths = selectors.vendor_booths(vendor=vendor)
        self.fields["booth"].queryset = booths
        if len(booths) == 1:
            self.fields["booth"].empty_label = None
        self.fields["booth"].label_from_instance = lambda b: b.expo.title

    def clean_buyer_country(self) -> str:
        code = self.cleaned_data["buyer_country"].upper()
        if not is_country_code(code):
            raise ValidationError(_("%(value)s is not a known country code.") % {"value": code})
        return code

    def data_input(self) -> report_services.DealInput:
        c = self.cleaned_data
        return report_services.DealInput(
            buyer_company=c["buyer_company"],
            buyer_country=c["buyer_country"],
            product=c["product"],
            estimated_value=c["estimated_value"],
            status=c["status"],
            note=c.get("note") or "",
            quote_request_id=c["quote_request"].pk if c.get("quote_request") else None,
        )

    @staticmethod
    def initial_of(deal: PotentialDeal) -> dict[str, Any]:
        """The form's initial values for editing ``deal``."""
        return {
            "booth": deal.booth_id,
            "buyer_company": deal.buyer_company,
            "buyer_country": deal.buyer_country,
            "product": deal.product,
            "estimated_value": deal.estimated_value,
            "status": deal.status,
            "note": deal.note,
            "quote_request": deal.quote_request_id,
        }


class VerifyForm(forms.Form):
    decision = forms.ChoiceField(choices=[("verify", "verify"), ("reject", "reject")])
    note = forms.CharField(required=False, max_length=255)


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)


class ReportForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=[("id", "Bahasa Indonesia"), ("en", "English")],
        initial="id",
    )
