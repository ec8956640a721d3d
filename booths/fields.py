"""Form fields of the vendor workspace: uploads checked by their content (images through
``booths.images``, business documents through ``booths.services.validate_document``) and prices in
whole rupiah."""

from __future__ import annotations

import re
import secrets
from typing import Any

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
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


# --- An image kept across a refused form ------------------------------------------------------
#
# A browser never fills a file input again: when a form comes back with an error elsewhere (a NIB
# of 12 digits), the logo chosen with it was gone and had to be chosen again. An image that passed
# its checks is kept in the cache for an hour under a random token, which the form sends back in a
# hidden field beside the file input; the next submission takes it unless another file is chosen.
# (django-file-resubmit does this too, but its last release is from 2018.)

KEPT_UPLOAD_SECONDS = 3600
KEPT_SUFFIX = "__kept"


def upload_keep(*, upload: UploadedFile) -> str:
    """Keep ``upload``'s bytes for the next submission; returns the token that finds them."""
    token = secrets.token_urlsafe(24)
    upload.seek(0)
    cache.set(
        f"booths:kept-upload:{token}",
        (upload.name, upload.content_type, upload.read()),
        KEPT_UPLOAD_SECONDS,
    )
    upload.seek(0)
    return token


def upload_kept(*, token: str) -> UploadedFile | None:
    """The upload kept under ``token``, as a fresh upload, or None (unknown, expired, malformed)."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{32}", token or ""):
        return None
    kept = cache.get(f"booths:kept-upload:{token}")
    if kept is None:
        return None
    name, content_type, content = kept
    return SimpleUploadedFile(name, content, content_type=content_type)


class KeptFileInput(forms.FileInput):
    """A file input that carries an image kept from a refused submission (see above)."""

    template_name = "booths/widgets/kept_file.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.kept: tuple[str, str] | None = None  # (token, file name)

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        upload = super().value_from_datadict(data, files, name)
        if upload:
            return upload
        token = data.get(name + KEPT_SUFFIX)
        restored = upload_kept(token=token) if token else None
        if restored is not None:
            self.kept = (token, restored.name)
        return restored

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return super().value_omitted_from_data(data, files, name) and not data.get(
            name + KEPT_SUFFIX
        )

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        if self.kept is not None:
            context["widget"]["kept"] = {"token": self.kept[0], "name": self.kept[1]}
            context["widget"]["kept_name"] = name + KEPT_SUFFIX
        return context


class KeepsUploads:
    """A form mixin: when a submission is refused, each image of a :class:`KeptFileInput` that was
    fine is kept for the next one — whether the form found the error or the view added it later
    (a service's refusal through ``add_error``). An image refused itself is not kept."""

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self._keep_uploads()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        if hasattr(self, "cleaned_data"):
            self._keep_uploads()

    def _keep_uploads(self) -> None:
        if not self._errors:  # type: ignore[attr-defined]
            return
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            widget = field.widget
            if not isinstance(widget, KeptFileInput):
                continue
            if name in self._errors:  # type: ignore[attr-defined]
                widget.kept = None
                continue
            upload = self.cleaned_data.get(name)  # type: ignore[attr-defined]
            if isinstance(upload, UploadedFile) and widget.kept is None:
                widget.kept = (upload_keep(upload=upload), upload.name)


class ImageUploadField(forms.FileField):
    """One image, checked by ``booths.images`` (real raster image, bounded); re-encoded later.
    Kept across a refused submission when its form is a :class:`KeepsUploads`."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", KeptFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
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
    """An amount in whole rupiah typed as people write it ("25.000"), from Rp 1 up to
    ``max_amount``. A price by default; a subclass names another amount in its own words."""

    placeholder = "25.000"
    max_amount = MAX_PRICE
    invalid_message = _("Enter the price in whole rupiah, for example 25000 or 25.000.")
    min_message = _("The price must be more than Rp 0.")
    max_message = _("The price is too high; check the number of zeros.")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "numeric", "placeholder": self.placeholder}),
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
        try:
            amount = parse_rupiah(text)
        except ValidationError:
            raise ValidationError(self.invalid_message, code="invalid") from None
        if amount <= 0:
            raise ValidationError(self.min_message, code="min_value")
        if amount > self.max_amount:
            raise ValidationError(self.max_message, code="max_value")
        return amount
