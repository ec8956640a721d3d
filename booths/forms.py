"""Forms of the vendor workspace: business profile, team, applications, booth and products.

Forms clean and shape input; the rules themselves live in ``booths.services`` (which the forms call
where a field-level message helps: documents, permits) and ``booths.video``. Every upload goes
through a field of ``booths.fields``. A form offers exactly the fields its service may write (the
service's allow-list).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from booths import services
from booths.fields import (
    DocumentField,
    ImageUploadField,
    KeepsUploads,
    MultipleImageField,
    RupiahField,
)
from booths.models import (
    MIN_ORDER_MESSAGE,
    PRODUCT_DESCRIPTION_MAX_LENGTH,
    Booth,
    BoothApplication,
    Product,
    Vendor,
)
from booths.video import validate_video_url
from expo.models import Region, Sector

_WHITESPACE = re.compile(r"\s+")


def single_line(value: str) -> str:
    """Collapse runs of whitespace (newlines too) into one space: names end up in e-mail subjects
    and page titles."""
    return _WHITESPACE.sub(" ", value or "").strip()


# --- Business profile ----------------------------------------------------------------------------


def normalise_whatsapp(value: str) -> str:
    """An Indonesian mobile number in international form without ``+``: ``0812-3456-7890``,
    ``+62 812 3456 7890`` and ``812 3456 7890`` all become ``6281234567890``."""
    raw = (value or "").strip()
    if re.search(r"[^\d\s().+-]", raw):
        raise ValidationError(_("Use digits only, for example 0812 3456 7890."), code="invalid")
    digits = re.sub(r"\D", "", raw)
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    if not re.fullmatch(r"628\d{7,11}", digits):
        raise ValidationError(
            _("Enter an Indonesian mobile number that has WhatsApp, for example 0812 3456 7890."),
            code="invalid",
        )
    return digits


class VendorForm(KeepsUploads, forms.ModelForm):
    """Registration and the business profile. A logo chosen with a refused submission is kept."""

    # Wider than the stored values: people type spaces, dashes and "+62"; cleaning removes them.
    nib = forms.CharField(
        label=_("NIB (Nomor Induk Berusaha)"),
        max_length=32,
        help_text=_("The 13-digit business number from OSS (oss.go.id)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    whatsapp = forms.CharField(
        label=_("WhatsApp number"),
        max_length=32,
        help_text=_("Buyers reach you here from your booth's contact button."),
        widget=forms.TextInput(
            attrs={"type": "tel", "inputmode": "tel", "placeholder": "0812 3456 7890"}
        ),
    )
    logo = ImageUploadField(
        label=_("Logo"),
        required=False,
        help_text=_("A square JPEG, PNG or WebP image works best; we resize it."),
    )

    class Meta:
        model = Vendor
        fields = list(services.VENDOR_FIELDS)
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "story": forms.Textarea(attrs={"rows": 5}),
        }
        labels = {
            "name": _("Business name"),
            "owner_name": _("Owner's name"),
            "region": _("Regency or city"),
            "story": _("Your story"),
        }
        help_texts = {
            "story": _(
                "Who makes your products, and how? Buyers read this on your booth page; "
                "it is also your booth's first description."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = list(Region.objects.order_by("province", "name", "kind"))
        region_field = self.fields["region"]
        provinces = sorted({r.province for r in regions})
        if len(provinces) > 1:
            # One group per province, regencies and cities sorted by name inside it.
            choices: list[Any] = [("", _("Choose your regency or city"))]
            for province in provinces:
                choices.append(
                    (province, [(r.pk, str(r)) for r in regions if r.province == province])
                )
        else:
            choices = [("", _("Choose your regency or city"))] + [(r.pk, str(r)) for r in regions]
        # Labels from the list already read: rendering the select costs no query per option.
        region_field.widget.choices = choices
        sector_field = self.fields["sector"]
        sector_field.queryset = Sector.objects.order_by("position", "slug")
        sector_field.empty_label = _("Choose your sector")

    def clean_name(self) -> str:
        return single_line(self.cleaned_data["name"])

    def clean_owner_name(self) -> str:
        return single_line(self.cleaned_data["owner_name"])

    def clean_nib(self) -> str:
        value = re.sub(r"[\s.-]", "", self.cleaned_data.get("nib") or "")
        if not re.fullmatch(r"\d{13}", value):
            raise ValidationError(
                _("The NIB has exactly 13 digits, for example 9120001234567."), code="invalid"
            )
        return value

    def clean_whatsapp(self) -> str:
        return normalise_whatsapp(self.cleaned_data.get("whatsapp") or "")

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class MemberAddForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address of their account"),
        widget=forms.EmailInput(attrs={"placeholder": "nama@contoh.id", "autocomplete": "off"}),
    )


# --- Applications --------------------------------------------------------------------------------


class TurnoverField(RupiahField):
    """An annual turnover in whole rupiah ("1.500.000.000"), at least Rp 1."""

    placeholder = "750.000.000"
    max_amount = 10**15  # a thousand trillion rupiah: stray digits, not a business
    invalid_message = _("Enter the turnover in whole rupiah, for example 750000000 or 750.000.000.")
    min_message = max_message = _("Enter the turnover of a whole year in rupiah, more than Rp 0.")


class ApplicationForm(forms.Form):
    """Apply for a booth; with ``application`` given, the resubmission after changes were asked:
    then every upload is optional and replaces what was sent before."""

    nib_document = DocumentField(label=_("NIB document"))
    permit_kind = forms.ChoiceField(
        label=_("Food permit"),
        choices=[("", _("None")), ("pirt", "P-IRT"), ("bpom", "BPOM")],
        required=False,
    )
    permit_number = forms.CharField(
        label=_("P-IRT or BPOM registration number"), max_length=40, required=False
    )
    permit_document = DocumentField(label=_("P-IRT or BPOM document"), required=False)
    halal_number = forms.CharField(
        label=_("Halal certificate number"), max_length=60, required=False
    )
    halal_document = DocumentField(label=_("Halal certificate"), required=False)
    permit_expires_on = forms.DateField(
        label=_("P-IRT or BPOM valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    halal_expires_on = forms.DateField(
        label=_("Halal certificate valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    declared_turnover = TurnoverField(
        label=_("Annual turnover (Rp)"),
        help_text=_(
            "Your sales over the last twelve months, in rupiah. It sets your size class (micro up "
            "to Rp 2 billion, small up to Rp 15 billion, medium up to Rp 50 billion) in the "
            "office's reports."
        ),
    )
    photos = MultipleImageField(
        label=_("Product photos"),
        max_files=services.MAX_APPLICATION_PHOTOS,
        help_text=_("1 to 6 photos of the products you will sell: JPEG, PNG or WebP."),
    )
    stock = forms.ChoiceField(
        label=_("Stock availability"),
        choices=BoothApplication.Stock.choices,
        widget=forms.RadioSelect,
    )
    stock_note = forms.CharField(
        label=_("About your stock"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("How many can you make or deliver during the expo?"),
    )
    motivation = forms.CharField(
        label=_("Why do you want to join?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    TEXT_FIELDS = (
        "permit_kind",
        "permit_number",
        "halal_number",
        "permit_expires_on",
        "halal_expires_on",
        "declared_turnover",
        "stock",
        "stock_note",
        "motivation",
    )

    def __init__(
        self,
        *args: Any,
        vendor: Vendor,
        application: BoothApplication | None = None,
        **kwargs: Any,
    ) -> None:
        if application is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(application, name) for name in self.TEXT_FIELDS}
        super().__init__(*args, **kwargs)
        self.vendor = vendor
        self.application = application
        self.needs_permit = services.needs_food_permit(vendor)
        if application is not None:
            # Asked of new applications; one sent before it was asked may go back without it.
            self.fields["declared_turnover"].required = application.declared_turnover is not None
            self.fields["nib_document"].required = False
            self.fields["photos"].required = False
            self.fields["photos"].help_text = _(
                "Choose new photos only to replace all the ones you sent (1 to 6)."
            )
            for name in services.APPLICATION_DOCUMENTS:
                if getattr(application, name):
                    self.fields[name].help_text = _(
                        "Already sent. Choose a file only to replace it (PDF, JPEG or PNG, up to "
                        "5 MB)."
                    )
        if self.needs_permit:
            self.fields["permit_kind"].choices = [
                ("", _("Choose…")),
                ("pirt", "P-IRT"),
                ("bpom", "BPOM"),
            ]
            required = {
                "permit_kind": _("Food and drink businesses need a P-IRT or BPOM registration."),
                "permit_number": _("Enter the registration number."),
                "permit_document": _("Upload the P-IRT or BPOM document."),
            }
            for name, message in required.items():
                self.fields[name].required = True
                self.fields[name].error_messages["required"] = message
            self.fields["permit_document"].required = not (
                application is not None and application.permit_document
            )

    def clean_permit_number(self) -> str:
        return single_line(self.cleaned_data.get("permit_number", ""))

    def clean_halal_number(self) -> str:
        return single_line(self.cleaned_data.get("halal_number", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        values: dict[str, Any] = {}
        if self.application is not None:
            values = {
                name: getattr(self.application, name)
                for name in ("permit_kind", "permit_number", "halal_number")
                + services.APPLICATION_DOCUMENTS
            }
        for name in ("permit_kind", "permit_number", "halal_number"):
            if name in data:
                values[name] = data[name]
        for name in services.APPLICATION_DOCUMENTS:
            if data.get(name):
                values[name] = data[name]
            elif name in self.errors:
                # A refused upload already has its message; do not add "upload it" on top.
                values[name] = True
        try:
            services.application_check(vendor=self.vendor, values=values)
        except ValidationError as error:
            for name, errors in error.error_dict.items():
                if name not in self.errors:
                    self.add_error(name, errors)
        return data

    def service_fields(self) -> dict[str, Any]:
        """What the service needs: texts, and the documents that were uploaded."""
        data = self.cleaned_data
        fields = {name: data.get(name, "") for name in self.TEXT_FIELDS}
        if fields.get("declared_turnover") in ("", None):
            fields.pop("declared_turnover")
        for name in services.APPLICATION_DOCUMENTS:
            if data.get(name):
                fields[name] = data[name]
        return fields


# --- Booth ---------------------------------------------------------------------------------------


class FeaturedChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Product) -> str:
        return obj.name


class BoothForm(KeepsUploads, forms.ModelForm):
    cover_image = ImageUploadField(
        label=_("Cover image"),
        required=False,
        help_text=_("A wide photo of your workshop or products (at least 1600 × 600 looks best)."),
    )
    video_url = forms.URLField(
        label=_("Video (YouTube or Vimeo)"),
        required=False,
        max_length=200,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://www.youtube.com/watch?v=…"}),
        help_text=_("The address of one YouTube or Vimeo video; it plays on your booth."),
    )
    featured = FeaturedChoiceField(
        label=_("Featured products"),
        queryset=Product.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Shown first on your booth page and on your card in the hall."),
    )

    class Meta:
        model = Booth
        fields = list(services.BOOTH_FIELDS)
        widgets = {
            "description_en": forms.Textarea(attrs={"rows": 6}),
            "description_id": forms.Textarea(attrs={"rows": 6}),
        }
        labels = {
            "tagline_en": _("Tagline (English)"),
            "tagline_id": _("Tagline (Indonesian)"),
            "description_en": _("Description (English)"),
            "description_id": _("Description (Indonesian)"),
            "is_active": _("Show my booth in the hall"),
        }
        help_texts = {
            "is_active": _("Untick to hide the booth and its products from buyers for now."),
        }

    def __init__(self, *args: Any, products: Sequence[Product] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["featured"]
        field.queryset = Product.objects.filter(pk__in=[p.pk for p in products])
        # The choices come from the list the view already has: no query to render them.
        field.widget.choices = [(p.pk, p.name) for p in products]
        if not self.is_bound:
            self.initial["featured"] = [p.pk for p in products if p.is_featured]

    def clean_tagline_en(self) -> str:
        return single_line(self.cleaned_data.get("tagline_en", ""))

    def clean_tagline_id(self) -> str:
        return single_line(self.cleaned_data.get("tagline_id", ""))

    def clean_video_url(self) -> str:
        url = (self.cleaned_data.get("video_url") or "").strip()
        validate_video_url(url)
        return url

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


# --- Products ------------------------------------------------------------------------------------


class ProductForm(forms.ModelForm):
    price = RupiahField(label=_("Price (Rp)"), help_text=_("Whole rupiah, e.g. 25.000."))
    photos = MultipleImageField(
        label=_("Add photos"),
        max_files=services.MAX_PRODUCT_IMAGES,
        required=False,
        help_text=_("Choose several at once: JPEG, PNG or WebP. The first photo is the cover."),
    )

    class Meta:
        model = Product
        fields = list(services.PRODUCT_FIELDS)
        widgets = {
            "description_en": forms.Textarea(
                attrs={"rows": 5, "maxlength": PRODUCT_DESCRIPTION_MAX_LENGTH}
            ),
            "description_id": forms.Textarea(
                attrs={"rows": 5, "maxlength": PRODUCT_DESCRIPTION_MAX_LENGTH}
            ),
        }
        labels = {
            "name_en": _("Name (English)"),
            "name_id": _("Name (Indonesian)"),
            "description_en": _("Description (English)"),
            "description_id": _("Description (Indonesian)"),
            "stock": _("Stock"),
            "is_preorder": _("Made to order (pre-order)"),
            "preorder_lead_days": _("Lead time (days)"),
            "preorder_quota": _("Pre-order quota"),
            "weight_grams": _("Weight (grams)"),
            "min_order": _("Minimum order"),
            "is_featured": _("Feature it in my booth"),
            "is_active": _("On sale (shown in the hall)"),
        }
        help_texts = {
            "stock": _("Pieces ready to ship now."),
            "preorder_lead_days": _("Days from the order until you ship."),
            "preorder_quota": _("How many you can take orders for during the expo."),
            "weight_grams": _("Packed weight, for the courier."),
        }

    def __init__(self, *args: Any, existing_images: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.existing_images = existing_images
        # The model says "at least 1" (its validator); the form field's own floor is 0, so a
        # negative number gets the same words rather than "greater than or equal to 0".
        self.fields["min_order"].error_messages["min_value"] = MIN_ORDER_MESSAGE
        self.fields["min_order"].widget.attrs["min"] = 1
        for name in ("preorder_lead_days", "preorder_quota"):
            self.fields[name].widget.attrs["data-preorder-field"] = ""
        free = services.MAX_PRODUCT_IMAGES - existing_images
        if free <= 0:
            self.fields["photos"].disabled = True
            self.fields["photos"].help_text = _(
                "This product has the most photos it can have (%(n)s). Delete one to add another."
            ) % {"n": services.MAX_PRODUCT_IMAGES}

    def clean_name_en(self) -> str:
        return single_line(self.cleaned_data.get("name_en", ""))

    def clean_name_id(self) -> str:
        return single_line(self.cleaned_data.get("name_id", ""))

    def clean_photos(self) -> list[UploadedFile]:
        photos = self.cleaned_data.get("photos") or []
        free = services.MAX_PRODUCT_IMAGES - self.existing_images
        if len(photos) > max(free, 0):
            raise ValidationError(
                _("A product has at most %(max)d photos: you can add %(free)d more.")
                % {"max": services.MAX_PRODUCT_IMAGES, "free": max(free, 0)},
                code="too_many_files",
            )
        return photos

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("is_preorder"):
            for name in ("preorder_lead_days", "preorder_quota"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Required for a pre-order product."))
        else:
            data["preorder_lead_days"] = None
            data["preorder_quota"] = None
        return data

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
