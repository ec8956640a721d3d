"""Forms of business matching. Times typed by vendors and organisers are in WIB (the views parse
them under ``Asia/Jakarta``); a buyer picks a slot by its key (its start in UTC)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from events.forms import LOCAL_INPUT, LocalDateTimeInput
from events.matching.models import AGENDA_MAX_LENGTH, MatchingSettings
from events.matching.selectors import Slot


def parse_key(value: str) -> datetime | None:
    """A slot's key (``2026-06-01T03:00:00Z``) as an aware UTC moment, None when malformed."""
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except (TypeError, ValueError):
        return None


class SlotField(forms.ChoiceField):
    def __init__(self, *, slots: list[Slot], **kwargs: Any) -> None:
        super().__init__(choices=[(slot.key, slot.key) for slot in slots], **kwargs)
        self.error_messages["invalid_choice"] = _("This time is no longer free. Choose another.")


class RequestForm(forms.Form):
    slot = SlotField(slots=[], label=_("Time"), widget=forms.RadioSelect)
    agenda = forms.CharField(
        label=_("What would you like to discuss?"),
        max_length=AGENDA_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": AGENDA_MAX_LENGTH}),
        help_text=_("For example: volumes, prices for export, certificates, delivery."),
    )

    def __init__(self, *args: Any, slots: list[Slot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [(slot.key, slot.key) for slot in slots]

    @property
    def starts_at(self) -> datetime | None:
        return parse_key(self.cleaned_data.get("slot", ""))


class ProposeForm(forms.Form):
    slot = SlotField(slots=[], label=_("Another time"))

    def __init__(self, *args: Any, slots: list[Slot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [(slot.key, slot.key) for slot in slots]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class SeatForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address of a colleague or an interpreter"),
        help_text=_("They need an account. A meeting has room for four people."),
    )


class LinkForm(forms.Form):
    external_link = forms.URLField(
        label=_("External meeting link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("Only if the call inside the expo does not work for you (Zoom, Meet…)."),
    )


class AvailabilityForm(forms.Form):
    """A window of one member, in WIB."""

    expo = forms.ChoiceField(label=_("Expo"))
    member = forms.ChoiceField(label=_("Who meets"))
    starts_at = forms.DateTimeField(
        label=_("From (WIB)"), input_formats=[LOCAL_INPUT], widget=LocalDateTimeInput()
    )
    ends_at = forms.DateTimeField(
        label=_("Until (WIB)"), input_formats=[LOCAL_INPUT], widget=LocalDateTimeInput()
    )

    def __init__(self, *args: Any, expos: list[Any], members: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expo"].choices = [(str(expo.pk), expo.title) for expo in expos]
        self.fields["member"].choices = [(str(user.pk), str(user)) for user in members]


class SettingsForm(forms.ModelForm):
    starts_at = forms.DateTimeField(
        label=_("Meetings from (WIB)"),
        input_formats=[LOCAL_INPUT],
        widget=LocalDateTimeInput(),
        required=False,
        help_text=_("Empty: from when the expo opens."),
    )
    ends_at = forms.DateTimeField(
        label=_("Meetings until (WIB)"),
        input_formats=[LOCAL_INPUT],
        widget=LocalDateTimeInput(),
        required=False,
        help_text=_("Empty: until the expo closes."),
    )

    class Meta:
        model = MatchingSettings
        fields = ["enabled", "meeting_minutes", "cancel_cutoff_minutes", "starts_at", "ends_at"]

    def _post_clean(self) -> None:
        """No model validation here: the service checks the whole settings (the expo's time box)
        and reports to the form."""
