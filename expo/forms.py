from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from expo.countries import COUNTRY_CHOICES
from expo.models import TIMEZONE_CHOICES, User


class SignupForm(forms.Form):
    """Extra fields allauth's sign-up form shows before e-mail and password."""

    name = forms.CharField(label=_("Full name"), max_length=150)
    country = forms.ChoiceField(label=_("Country"), choices=COUNTRY_CHOICES, initial="ID")

    def signup(self, request: Any, user: User) -> None:
        # The adapter's save_user already stored these; allauth requires the hook to exist.
        return None


class ProfileForm(forms.ModelForm):
    language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIMEZONE_CHOICES)
    country = forms.ChoiceField(label=_("Country"), choices=COUNTRY_CHOICES)

    class Meta:
        model = User
        fields = ["name", "country", "language", "time_zone"]
