from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from booths.models import Booth
from events.models import LiveSession
from events.services import MAX_BODY

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    """A ``datetime-local`` field; values are in the visitor's time zone (the middleware's)."""

    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=LOCAL_INPUT, **kwargs)


class MessageForm(forms.Form):
    """A message without JavaScript (the inquiry pages' fallback) or the first one of an inquiry."""

    body = forms.CharField(
        label=_("Your message"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_BODY}),
    )


class SessionForm(forms.ModelForm):
    booth = forms.ModelChoiceField(
        label=_("Booth"), queryset=Booth.objects.none(), empty_label=None
    )
    starts_at = forms.DateTimeField(
        label=_("Starts at"), input_formats=[LOCAL_INPUT], widget=LocalDateTimeInput()
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"), input_formats=[LOCAL_INPUT], widget=LocalDateTimeInput()
    )
    stream_url = forms.URLField(
        label=_("Stream link"),
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "A YouTube or Vimeo link plays on the session page; Zoom and other links open in a new tab."
        ),
        widget=forms.URLInput(attrs={"placeholder": "https://www.youtube.com/watch?v=…"}),
    )
    replay_url = forms.URLField(
        label=_("Replay link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("After the session: where to watch it again."),
        widget=forms.URLInput(attrs={"placeholder": "https://…"}),
    )

    class Meta:
        model = LiveSession
        fields = [
            "title_en",
            "title_id",
            "description_en",
            "description_id",
            "starts_at",
            "ends_at",
            "stream_url",
            "replay_url",
        ]
        widgets = {
            "description_en": forms.Textarea(attrs={"rows": 3}),
            "description_id": forms.Textarea(attrs={"rows": 3}),
            "stream_url": forms.URLInput(
                attrs={"placeholder": "https://www.youtube.com/watch?v=…"}
            ),
            "replay_url": forms.URLInput(attrs={"placeholder": "https://…"}),
        }

    def __init__(self, *args: Any, booths: Any = None, replay_only: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if booths is None:
            del self.fields["booth"]
        else:
            self.fields["booth"].queryset = booths
            self.fields["booth"].label_from_instance = lambda b: b.expo.title
        if replay_only:
            for name, field in self.fields.items():
                if name != "replay_url":
                    field.disabled = True
                    field.required = False

    def _post_clean(self) -> None:
        # The service validates the whole session (time box, links) and reports it to the form.
        pass

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "booth"}
