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


class UserPreferencesMiddleware:
    """Activate the user's language and time zone.

    A logged-in account's saved preferences win; otherwise the language cookie (set by the language
    switcher) or the browser's Accept-Language, which LocaleMiddleware already applied, and the time
    zone the page's script reported in a cookie. Everything else falls back to Asia/Jakarta.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        zone = None
        if user is not None and user.is_authenticated:
            if user.language in self.languages and not request.COOKIES.get(
                settings.LANGUAGE_COOKIE_NAME
            ):
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
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
