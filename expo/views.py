"""Thin views of the expo base and the top layer: home, profile, language switch."""

from __future__ import annotations

import copy

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_POST

from expo import selectors, services
from expo.forms import ProfileForm
from expo.middleware import supported_language


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/home.html", {"expos": selectors.public_expos()})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    # The form works on a copy: a refused form must not leave its values on request.user, which
    # the rest of the page (the navigation's name, the time zone) still renders.
    form = ProfileForm(request.POST or None, instance=copy.copy(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.user_update_profile(
            user=request.user,
            name=data["name"],
            country=data["country"],
            language=data["language"],
            time_zone=data["time_zone"],
        )
        translation.activate(data["language"])
        messages.success(request, _("Your profile was saved."))
        response = redirect("profile")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            data["language"],
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return response
    return render(request, "expo/profile.html", {"form": form})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also remembers the choice on the account."""
    response = i18n.set_language(request)
    # Only one of settings.LANGUAGES: check_for_language() also accepts any language Django itself
    # has a catalogue for ("fr"), which the account's field does not allow.
    language = supported_language(request.POST.get("language"))
    if request.user.is_authenticated and language is not None:
        services.user_set_language(user=request.user, language=language)
    return response
