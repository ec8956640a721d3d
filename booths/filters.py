"""The hall's filter form: the query string in, a cleaned :class:`HallFilters` and a normalised
query string (the cache key and the pagination links) out.

Bad input never fails the page: a value that does not clean gets a clear message next to its field
and is left out of the search; unknown sectors, regencies and sort orders are simply dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from booths.selectors import HallFacets, HallFilters

MAX_PRICE = 1_000_000_000_000
MAX_QUERY_LENGTH = 100
MAX_PAGE = 10_000
DEFAULT_SORT = "name"
SEARCH_SORT = "relevance"  # a search's default order, and only a search's
SORT_CHOICES = [
    (SEARCH_SORT, _("Best match")),
    ("name", _("Name (A–Z)")),
    ("price_low", _("Price: low to high")),
    ("price_high", _("Price: high to low")),
    ("newest", _("Newest booths")),
]
_THOUSANDS = re.compile(r"^\d{1,3}([.,]\d{3})+$")
_CURRENCY = re.compile(r"^(rp\.?|idr)", re.IGNORECASE)


class RupiahField(forms.Field):
    """A whole-rupiah amount. Accepts ``25000``, ``25.000``, ``25,000`` and ``Rp 25.000``."""

    default_error_messages = {
        "invalid": _("Enter a whole number of rupiah, for example 25000."),
        "max_value": _("That price is too large."),
    }

    def to_python(self, value: Any) -> int | None:
        text = str(value or "").strip()
        if not text:
            return None
        text = _CURRENCY.sub("", text).replace(" ", "").replace("\u00a0", "")
        if _THOUSANDS.match(text):
            text = text.replace(".", "").replace(",", "")
        if not text.isascii() or not text.isdigit():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        amount = int(text)
        if amount > MAX_PRICE:
            raise forms.ValidationError(self.error_messages["max_value"], code="max_value")
        return amount


class LenientMultipleChoiceField(forms.MultipleChoiceField):
    """Keeps the known values in the order of the choices; drops the rest without an error.

    A shared link may name a sector that later left the expo: the page still works.
    """

    def clean(self, value: Any) -> list[str]:
        given = set(self.to_python(value))
        return [str(key) for key, _label in self.choices if str(key) in given]


class HallFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search booths and products"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        error_messages={
            "max_length": _("Use at most %(limit_value)d characters for a search."),
        },
    )
    sector = LenientMultipleChoiceField(label=_("Sector"), required=False)
    region = LenientMultipleChoiceField(label=_("Regency or city"), required=False)
    price_min = RupiahField(label=_("Minimum price"), required=False)
    price_max = RupiahField(label=_("Maximum price"), required=False)
    # Read as text, so that "0" and "false" in a shared link mean off (a checkbox reads any value
    # as on); the page renders its own checkboxes with value "1".
    preorder = forms.BooleanField(
        label=_("Pre-order available"), required=False, widget=forms.TextInput
    )
    halal = forms.BooleanField(label=_("Halal certified"), required=False, widget=forms.TextInput)
    sort = forms.CharField(label=_("Sort by"), required=False)

    def __init__(self, data: Any, *, facets: HallFacets, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.facets = facets
        self.fields["sector"].choices = [(f.value, f.name) for f in facets.sectors]
        self.fields["region"].choices = [(f.value, f.name) for f in facets.regions]

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data.get("q", "").split())

    def clean_sort(self) -> str:
        # "q" is cleaned before "sort" (the order of the fields).
        default = default_sort(self.cleaned_data.get("q", ""))
        sort = self.cleaned_data.get("sort") or default
        if sort not in dict(SORT_CHOICES) or (sort == SEARCH_SORT and default != SEARCH_SORT):
            return default
        return sort

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        low, high = data.get("price_min"), data.get("price_max")
        if low is not None and high is not None and low > high:
            # Both are dropped: which of the two was meant is anyone's guess.
            self.add_error(
                "price_max", _("The maximum price must not be lower than the minimum price.")
            )
            data.pop("price_min", None)
        return data

    @property
    def cleaned(self) -> dict[str, Any]:
        """What cleaned, whatever did not: bad fields are simply absent."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data

    def to_filters(self) -> HallFilters:
        data = self.cleaned
        return HallFilters(
            q=data.get("q", ""),
            sectors=tuple(data.get("sector", ())),
            regions=tuple(data.get("region", ())),
            price_min=data.get("price_min"),
            price_max=data.get("price_max"),
            preorder=bool(data.get("preorder")),
            halal=bool(data.get("halal")),
            sort=data.get("sort") or default_sort(data.get("q", "")),
        )

    @property
    def active_count(self) -> int:
        """How many filters (not search or sort) are in force, for the phone's "Filters (n)"."""
        f = self.to_filters()
        return (
            len(f.sectors)
            + len(f.regions)
            + (f.price_min is not None or f.price_max is not None)
            + f.preorder
            + f.halal
        )


def default_sort(q: str) -> str:
    """A search is ordered by relevance, the whole hall by name."""
    return SEARCH_SORT if q else DEFAULT_SORT


def sort_choices(filters: HallFilters) -> list[tuple[str, Any, bool]]:
    """The orders the hall offers (by relevance only for a search) as (value, label, selected).
    The default order's value is empty, so that a search typed on a page sorted by default is
    ordered by relevance rather than by the name order the page had by default."""
    default = default_sort(filters.q)
    return [
        ("" if value == default else value, label, value == filters.sort)
        for value, label in SORT_CHOICES
        if value != SEARCH_SORT or filters.q
    ]


def filter_params(filters: HallFilters) -> list[tuple[str, str]]:
    """The filters as query-string pairs in a fixed order, defaults left out."""
    params: list[tuple[str, str]] = []
    if filters.q:
        params.append(("q", filters.q))
    params += [("sector", value) for value in filters.sectors]
    params += [("region", value) for value in filters.regions]
    if filters.price_min is not None:
        params.append(("price_min", str(filters.price_min)))
    if filters.price_max is not None:
        params.append(("price_max", str(filters.price_max)))
    if filters.preorder:
        params.append(("preorder", "1"))
    if filters.halal:
        params.append(("halal", "1"))
    if filters.sort != default_sort(filters.q):
        params.append(("sort", filters.sort))
    return params


def querystring(params: Iterable[tuple[str, str]]) -> str:
    return urlencode(list(params))


def parse_page(raw: str | None) -> int:
    """A page number from the query string; anything odd is page 1 (never an error)."""
    try:
        number = int(str(raw or "1").strip())
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)
