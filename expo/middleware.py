"""Per-request language and time zone from the account, a cookie or the browser."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation


def _zone(name: str | None) -> zoneinfo.ZoneInfo | None:
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def supported_language(code: str | None) -> str | None:
    """``code`` as one of settings.LANGUAGES (``id-ID`` → ``id``), or None when it is not one."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


class UserPreferencesMiddleware:
    """Activate the user's language and time zone.

    Language: a valid language cookie (set by the switcher, which also saves it on the account)
    wins, as LocaleMiddleware already applied it; without one, a logged-in account's saved language;
    else the browser's Accept-Language. Time zone: the account's, else the one the page's script
    reported in a cookie, else Asia/Jakarta. The websocket consumer follows the same order.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        zone = None
        if user is not None and user.is_authenticated:
            # A switch made in this browser (a valid cookie) wins; a stale or foreign cookie does not.
            chosen = supported_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
            language = supported_language(user.language)
            if chosen is None and language is not None:
                translation.activate(language)
                request.LANGUAGE_CODE = language
            zone = _zone(user.time_zone)
        zone = zone or _zone(request.COOKIES.get(settings.TIMEZONE_COOKIE_NAME))
        if zone is not None:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        request.timezone = zone or zoneinfo.ZoneInfo(settings.TIME_ZONE)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
