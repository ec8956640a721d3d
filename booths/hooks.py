"""Places where a higher app adds to the catalogue's pages without booths importing it.

DESIGN: ``booths`` sits below ``payments`` and ``events``. The checkout registers, in its app's
``ready()``, what a product page shows to buy the product (a form, or nothing) and where a
product is put in the cart; booths and events only ask these hooks. With no checkout installed the
pages show no buy button.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Buyable:
    """What a buy box needs to know of a product, kept in the page caches as plain values."""

    id: int
    expo_id: int
    price: int
    min_order: int
    is_preorder: bool
    available: int  # stock, or pre-orders left


# The cookie holding the foreign currency a visitor reads approximate prices in: shared pages
# are cached per currency.
CURRENCY_COOKIE = "umkm_currency"

BuyBox = Callable[[HttpRequest, Buyable, dict[str, Any]], str]

_buy_box: BuyBox | None = None
_cart_add_url: Callable[[], str] | None = None


def register_checkout(*, buy_box: BuyBox, cart_add_url: Callable[[], str]) -> None:
    global _buy_box, _cart_add_url
    _buy_box = buy_box
    _cart_add_url = cart_add_url


def buy_box(request: HttpRequest, product: Buyable, context: dict[str, Any]) -> SafeString:
    """The product page's buy box (HTML rendered by the checkout), or nothing."""
    if _buy_box is None:
        return mark_safe("")
    return mark_safe(_buy_box(request, product, context))  # the checkout's own template


def cart_add_url() -> str:
    """Where a product is put in the cart (POST product, quantity), or "" without a checkout."""
    return _cart_add_url() if _cart_add_url is not None else ""


# A visitor who opens a booth page from a physical stand's QR code (``?stand=<code>``): the
# checkout remembers the stand, so an order that starts there is counted for it.
StandArrival = Callable[..., None]
STAND_PARAM = "stand"
_stand_arrival: StandArrival | None = None


def register_stand_arrival(arrival: StandArrival) -> None:
    global _stand_arrival
    _stand_arrival = arrival


def stand_arrival(request: HttpRequest, *, booth_id: int, expo_id: int) -> None:
    """Tell the checkout a visitor came from a stand's code (nothing without a checkout)."""
    if _stand_arrival is not None and request.GET.get(STAND_PARAM):
        _stand_arrival(request, booth_id=booth_id, expo_id=expo_id)


# Where a request for quotation came from: a private question or a meeting is the live side's, which
# the quotation pages cannot import. The live side registers a check that the thread or meeting is
# ``buyer``'s with ``vendor_id``; without it such a source is never recorded.
QuoteSourceCheck = Callable[..., bool]
_quote_source_checks: dict[str, QuoteSourceCheck] = {}


def register_quote_source(kind: str, check: QuoteSourceCheck) -> None:
    _quote_source_checks[kind] = check


def quote_source_ok(*, kind: str, source_id: int, buyer: Any, vendor_id: int) -> bool:
    """Is ``source_id`` (an inquiry's or a meeting's id) ``buyer``'s, with ``vendor_id``?"""
    check = _quote_source_checks.get(kind)
    return check is not None and bool(check(source_id=source_id, buyer=buyer, vendor_id=vendor_id))
