"""ISO 3166 countries with names in the active language (from pycountry's own translations)."""

from __future__ import annotations

import functools
import gettext

import pycountry
from django.utils.functional import lazy
from django.utils.translation import get_language


@functools.cache
def _catalogue(language: str) -> gettext.NullTranslations:
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


def country_name(code: str) -> str:
    """The country's name in the active language; the code itself if it is unknown."""
    return _name(code.upper() if code else "", (get_language() or "en").split("-")[0])


@functools.cache
def _name(code: str, language: str) -> str:
    # Cached: a country list is rendered with ~250 names on every checkout and profile page.
    country = pycountry.countries.get(alpha_2=code) if code else None
    if country is None:
        return code
    if language == "en":
        return getattr(country, "common_name", None) or country.name
    return _catalogue(language).gettext(country.name)


_lazy_name = lazy(country_name, str)

COUNTRY_CHOICES = sorted(
    ((c.alpha_2, _lazy_name(c.alpha_2)) for c in pycountry.countries),
    key=lambda pair: (
        getattr(pycountry.countries.get(alpha_2=pair[0]), "common_name", None)
        or pycountry.countries.get(alpha_2=pair[0]).name
    ),
)


def is_country_code(code: str) -> bool:
    return bool(code) and pycountry.countries.get(alpha_2=code.upper()) is not None
