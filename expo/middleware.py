"""Per-request language and time zone from the account, a cookie or the browser."""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Callable
from urllib.parse import unquote

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation


@functools.cache
def _known_zones() -> frozenset[str]:
    # Read once per process: available_timezones() walks the zone database on every call.
    return frozenset(zoneinfo.available_timezones())


def known_zone(name: str | None) -> zoneinfo.ZoneInfo | None:
    """The zone named ``name`` ("Asia/Tokyo"), or None for an empty, unknown or malformed name."""
    if not name or name not in _known_zones():
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def zone_from_cookie(value: str | None) -> zoneinfo.ZoneInfo | None:
    """The zone the page's script reported. It writes the name as it is (``Asia/Tokyo``: every
    character of a zone name may stand in a cookie); browsers still keep the URL-encoded form
    (``Asia%2FTokyo``) that an earlier script wrote for a year, so the value is decoded first."""
    if not value:
        return None
    return known_zone(unquote(value.strip()))


def supported_language(code: str | None) -> str | None:
    """``code`` as one of settings.LANGUAGES (``id-ID`` → ``id``), or None when it is not one."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def apply_account_language(request: HttpRequest, user: object) -> None:
    """Show ``user``'s saved language from now on in this request, unless this browser chose one
    with the switcher (a valid language cookie wins; a stale or foreign cookie does not). The
    middleware calls this for every signed-in request, and the log-in does too, so that what the
    log-in itself writes (its "signed in" message) is in the language of the pages that follow."""
    chosen = supported_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    language = supported_language(getattr(user, "language", None))
    if chosen is None and language is not None:
        translation.activate(language)
        request.LANGUAGE_CODE = language


class UserPreferencesMiddleware:
    """Activate the user's language and time zone.

    Language: a valid language cookie (set by the switcher, which also saves it on the account)
    wins, as LocaleMiddleware already applied it; without one, a logged-in account's saved language;
    else the browser's Accept-Language. Time zone: the account's, else the one the page's script
    reported in a cookie, else Asia/Jakarta. The websocket consumer follows the same order.

    ``request.timezone`` is the zone pages show; ``request.timezone_source`` says where it came
    from ("account", "browser" or "default"), so a page can tell its script whether its times
    follow the browser's zone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        zone, source = None, "default"
        if user is not None and user.is_authenticated:
            apply_account_language(request, user)
            zone, source = known_zone(user.time_zone), "account"
        if zone is None:
            zone = zone_from_cookie(request.COOKIES.get(settings.TIMEZONE_COOKIE_NAME))
            source = "browser" if zone is not None else "default"
        if zone is not None:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        request.timezone = zone or zoneinfo.ZoneInfo(settings.TIME_ZONE)
        request.timezone_source = source
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
