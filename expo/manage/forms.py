"""Forms of the organiser workspace (``/manage/``). They clean input; ``expo.services`` and
``booths.services`` apply the rules and write."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from booths.images import reencode
from expo import services
from expo.models import Expo, Office, Sector
from expo.refusals import add_to_form

ORGANISING_ZONE = zoneinfo.ZoneInfo("Asia/Jakarta")
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
HERO_MAX_SIDE = 2000
TIME_BOX_FIELDS = ("applications_open_at", "application_deadline", "opens_at", "closes_at")
# Paths under /manage/ and /expos/ that an expo's slug must not shadow.
RESERVED_SLUGS = frozenset({"new"})


class JakartaDateTimeField(forms.DateTimeField):
    """A ``datetime-local`` input read and shown in Asia/Jakarta (where expos are organised),
    whatever the organiser's own time zone; cleans to an aware datetime."""

    widget = forms.DateTimeInput(format=DATETIME_LOCAL, attrs={"type": "datetime-local"})
    input_formats = [DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]

    def prepare_value(self, value: Any) -> Any:
        with timezone.override(ORGANISING_ZONE):
            return super().prepare_value(value)

    def to_python(self, value: Any) -> datetime | None:
        with timezone.override(ORGANISING_ZONE):
            return super().to_python(value)


class ExpoForm(forms.Form):
    """Every field of an expo. ``office`` is a choice only for accounts that run several offices
    and only when creating; ``read_only`` disables everything (a closed expo)."""

    office = forms.ModelChoiceField(
        label=_("Office"), queryset=Office.objects.none(), empty_label=None
    )
    title_en = forms.CharField(label=_("Title (English)"), max_length=160)
    title_id = forms.CharField(label=_("Title (Indonesian)"), max_length=160)
    slug = forms.SlugField(
        label=_("Web address"),
        max_length=80,
        required=False,
        help_text=_(
            "Letters, numbers and hyphens; the hall's address is /expos/<this>/. "
            "Left empty, it is made from the English title."
        ),
    )
    tagline_en = forms.CharField(label=_("Tagline (English)"), max_length=240, required=False)
    tagline_id = forms.CharField(label=_("Tagline (Indonesian)"), max_length=240, required=False)
    description_en = forms.CharField(
        label=_("Description (English)"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    description_id = forms.CharField(
        label=_("Description (Indonesian)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    hero_image = forms.FileField(
        label=_("Hero image"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_(
            "A wide photo (at least 1600 × 600 px), JPEG, PNG or WebP, up to 8 MB. "
            "It is checked and re-encoded."
        ),
    )
    applications_open_at = JakartaDateTimeField(
        label=_("Applications open"),
        help_text=_("Vendors can apply from this moment."),
    )
    application_deadline = JakartaDateTimeField(
        label=_("Application deadline"),
        help_text=_("Applications close; the hall is published with its countdown."),
    )
    opens_at = JakartaDateTimeField(
        label=_("Expo opens"),
        help_text=_("Chat, live sessions and checkout start. On or after the deadline."),
    )
    closes_at = JakartaDateTimeField(
        label=_("Expo closes"),
        help_text=_("Buying and chat stop; the catalogue becomes read-only and the report final."),
    )
    booth_quota = forms.IntegerField(
        label=_("Booth quota"),
        min_value=1,
        max_value=10_000,
        help_text=_("Approvals stop when this many booths are open."),
    )
    sectors = forms.ModelMultipleChoiceField(
        label=_("Sectors on show"),
        queryset=Sector.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only businesses of these sectors can apply."),
        error_messages={"required": _("Choose at least one sector.")},
    )

    def __init__(
        self,
        *args: Any,
        offices: list[Office] | None = None,
        expo: Expo | None = None,
        read_only: bool = False,
        **kwargs: Any,
    ) -> None:
        if expo is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{name: getattr(expo, name) for name in self.base_fields if hasattr(expo, name)},
                "office": expo.office_id,
                "sectors": [s.pk for s in expo.sectors.all()],
            }
        super().__init__(*args, **kwargs)
        self.expo = expo
        offices = offices or []
        if expo is not None or len(offices) <= 1:
            # Nothing to choose: the expo's office, or the only office this account runs.
            del self.fields["office"]
            self.fixed_office = (
                expo.office if expo is not None else (offices[0] if offices else None)
            )
        else:
            self.fields["office"].queryset = Office.objects.filter(pk__in=[o.pk for o in offices])
            self.fixed_office = None
        for name in TIME_BOX_FIELDS:
            self.fields[name].widget.attrs["aria-describedby"] = "timebox-zone-note"
        if read_only:
            for field in self.fields.values():
                field.disabled = True

    @property
    def time_box_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in TIME_BOX_FIELDS]

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug") or ""
        if not slug and self.expo is not None:
            return self.expo.slug
        if not slug:
            slug = slugify(self.data.get("title_en") or "")[:80].strip("-")
        if slug in RESERVED_SLUGS:
            raise ValidationError(_("This web address is reserved; choose another one."))
        return slug

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # Check the time box's order now too, with the service's own rule, so that it is reported
        # together with the other fields' errors (the service checks again when it writes).
        times = {name: cleaned.get(name) for name in TIME_BOX_FIELDS}
        if None not in times.values():
            try:
                services.expo_check_time_box(SimpleNamespace(**times))
            except ValidationError as error:
                add_to_form(self, error)
        return cleaned

    def clean_hero_image(self) -> object:
        upload = self.cleaned_data.get("hero_image")
        if not isinstance(upload, UploadedFile):
            return None  # nothing new: the service keeps the current image
        return reencode(upload, max_side=HERO_MAX_SIDE)

    def service_arguments(self) -> dict[str, Any]:
        """The cleaned values as ``expo_create``/``expo_update`` take them."""
        data = dict(self.cleaned_data)
        data.pop("office", None)
        return data

    def chosen_office(self) -> Office | None:
        return self.cleaned_data.get("office") or self.fixed_office


class DecisionForm(forms.Form):
    """A curator's decision on an application; rejecting and asking for changes need a reason
    (the service says so when it is missing)."""

    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    REJECT = "reject"
    DECISIONS = (
        (APPROVE, _("Approve")),
        (REQUEST_CHANGES, _("Request changes")),
        (REJECT, _("Reject")),
    )

    decision = forms.ChoiceField(choices=DECISIONS, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    cite_rubric = forms.BooleanField(
        label=_("Cite the curation rubric (score, grade and each criterion) in the decision"),
        required=False,
    )


class StageForm(forms.Form):
    """The confirmation of a stage action. Only "Publish" asks something more: whether to close
    applications now as well (by default they stay open until their deadline)."""

    close_applications = forms.BooleanField(
        label=_("Also close applications now"),
        required=False,
        help_text=_("Left unticked, businesses can still apply until the deadline."),
    )
