"""The banner forms of the vendor's and the organiser's workspaces."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from booths.models import Booth, Product
from events.models import LiveSession
from expo.banners.models import BannerCampaign, BannerSlot
from expo.banners.services import MAX_PRICE, MAX_WEIGHT


class DateInput(forms.DateInput):
    """The browser's date picker, with ISO dates."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class BannerForm(forms.Form):
    """A banner's content. The choices of booth, product and session are limited to what the
    person may link to (a vendor: its own; the organiser: the expo's)."""

    slot = forms.ModelChoiceField(
        queryset=BannerSlot.objects.all(), label=gettext_lazy("Where it shows"), empty_label=None
    )
    target = forms.ChoiceField(
        choices=BannerCampaign.Target.choices,
        label=gettext_lazy("Links to"),
        widget=forms.RadioSelect,
        initial=BannerCampaign.Target.BOOTH,
    )
    booth = forms.ModelChoiceField(
        queryset=Booth.objects.none(), label=gettext_lazy("Booth"), required=False
    )
    product = forms.ModelChoiceField(
        queryset=Product.objects.none(), label=gettext_lazy("Product"), required=False
    )
    session = forms.ModelChoiceField(
        queryset=LiveSession.objects.none(), label=gettext_lazy("Live session"), required=False
    )
    title_en = forms.CharField(
        max_length=120,
        label=gettext_lazy("Title (English)"),
        help_text=gettext_lazy("Read aloud by screen readers and shown in reports."),
    )
    title_id = forms.CharField(
        max_length=120, label=gettext_lazy("Title (Indonesian)"), required=False
    )
    image_en = forms.FileField(
        label=gettext_lazy("Image (English)"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    image_id = forms.FileField(
        label=gettext_lazy("Image (Indonesian)"),
        required=False,
        help_text=gettext_lazy("Optional: shown to visitors reading in Bahasa Indonesia."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    starts_on = forms.DateField(label=gettext_lazy("First day"), widget=DateInput())
    ends_on = forms.DateField(label=gettext_lazy("Last day"), widget=DateInput())

    def __init__(
        self,
        *args: Any,
        booths: Any,
        products: Any,
        sessions: Any,
        with_weight: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["booth"].queryset = booths
        self.fields["product"].queryset = products
        self.fields["session"].queryset = sessions
        self.fields["product"].label_from_instance = lambda p: f"{p.name} — {p.booth.vendor.name}"
        self.fields["session"].label_from_instance = lambda s: f"{s.title} — {s.booth.vendor.name}"
        self.fields["slot"].label_from_instance = lambda s: f"{s.name} · {s.size_label}"
        if with_weight:
            self.fields["weight"] = forms.IntegerField(
                min_value=1,
                max_value=MAX_WEIGHT,
                initial=1,
                label=gettext_lazy("Weight"),
                help_text=gettext_lazy(
                    "Its share of the slot's rotation, against the others' weights."
                ),
            )

    def service_kwargs(self) -> dict[str, Any]:
        """The cleaned data as the services take it (no image: ``None``)."""
        data = dict(self.cleaned_data)
        data["image_en"] = data.get("image_en") or None
        data["image_id"] = data.get("image_id") or None
        return data


class DecisionForm(forms.Form):
    """The organiser's decision on a request: its rotation weight, and a price when it has a fee."""

    weight = forms.IntegerField(
        min_value=1, max_value=MAX_WEIGHT, required=False, label=gettext_lazy("Weight")
    )
    price = forms.IntegerField(
        min_value=1, max_value=MAX_PRICE, required=False, label=gettext_lazy("Price (Rp)")
    )


class RejectForm(forms.Form):
    """Why a request is rejected (the vendor sees it)."""

    reason = forms.CharField(
        max_length=300, label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3})
    )


class FeeConfirmForm(forms.Form):
    """The organiser confirms a fee's transfer arrived, with an optional note."""

    note = forms.CharField(max_length=255, required=False, label=gettext_lazy("Note"))
