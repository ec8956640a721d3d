"""Form fields of the vendor workspace: uploads checked by their content (images through
``booths.images``, business documents through ``booths.services.validate_document``) and prices in
whole rupiah."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from booths import images, services

MAX_PRICE = 1_000_000_000  # Rp 1 billion: far above any UMKM product; catches stray digits.


# --- Uploads -------------------------------------------------------------------------------------


class MultipleFileInput(forms.FileInput):
    """A file input that lets the browser pick several files at once (Django 5.2 recipe)."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Cleans a list of uploads: each one as a FileField would, then ``check`` on each."""

    widget = MultipleFileInput

    def __init__(self, *, max_files: int, **kwargs: Any) -> None:
        self.max_files = max_files
        super().__init__(**kwargs)

    def check_upload(self, upload: UploadedFile) -> None:
        """Per-file content check; subclasses refuse what is not acceptable."""

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        uploads = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not uploads:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(uploads) > self.max_files:
            raise ValidationError(
                ngettext(
                    "Choose at most %(n)d file.", "Choose at most %(n)d files.", self.max_files
                )
                % {"n": self.max_files},
                code="too_many_files",
            )
        single_clean = super().clean
        errors: list[ValidationError] = []
        cleaned: list[UploadedFile] = []
        for upload in uploads:
            try:
                cleaned.append(single_clean(upload, initial))
                self.check_upload(upload)
            except ValidationError as error:
                for message in error.messages:
                    errors.append(ValidationError(f"{upload.name}: {message}"))
        if errors:
            raise ValidationError(errors)
        return cleaned


class MultipleImageField(MultipleFileField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(**kwargs)

    def check_upload(self, upload: UploadedFile) -> None:
        images.validate_image(upload)


class ImageUploadField(forms.FileField):
    """One image, checked by ``booths.images`` (real raster image, bounded); re-encoded later."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload and isinstance(upload, UploadedFile):
            images.validate_image(upload)
        return upload if isinstance(upload, UploadedFile) else None


class DocumentField(forms.FileField):
    """A business document: PDF, JPEG or PNG by content, at most 5 MB."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", forms.FileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"})
        )
        kwargs.setdefault("help_text", _("PDF, JPEG or PNG, up to 5 MB."))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload and isinstance(upload, UploadedFile):
            services.validate_document(upload)
            return upload
        return None


# --- Prices --------------------------------------------------------------------------------------


def parse_rupiah(value: str) -> int:
    """``"25.000"``, ``"25,000"``, ``"Rp 25.000"`` and ``"25000"`` → ``25000``. Whole rupiah only:
    ``"25.5"`` or ``"25.000,50"`` are refused rather than guessed."""
    text = re.sub(r"\s+", "", str(value or ""))
    text = re.sub(r"^(?i:rp\.?|idr)", "", text)
    if re.fullmatch(r"\d+", text) or re.fullmatch(r"\d{1,3}([.,]\d{3})+", text):
        return int(re.sub(r"\D", "", text))
    raise ValidationError(
        _("Enter the price in whole rupiah, for example 25000 or 25.000."), code="invalid"
    )


class RupiahField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "25.000"})
        )
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}".replace(",", ".")
        return value

    def to_python(self, value: Any) -> int | None:
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        amount = parse_rupiah(text)
        if amount <= 0:
            raise ValidationError(_("The price must be more than Rp 0."), code="min_value")
        if amount > MAX_PRICE:
            raise ValidationError(
                _("The price is too high; check the number of zeros."), code="max_value"
            )
        return amount
