"""Money as people read it, through Babel (CLDR): rupiah, compact rupiah and foreign currencies.

Amounts are whole rupiah, integers or ``Decimal`` with no fraction; floats and bools are refused
here, where every page, e-mail and export formats money, so a float cannot reach a price by
accident. Rupiah are written the Indonesian way (``Rp 1.250.000``) in every language, as the
programme's own reports and receipts do; compact rupiah (charts) and foreign currencies (the
approximate prices international buyers see) follow the active language.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

from babel.numbers import format_compact_decimal, format_currency, get_currency_precision
from django.conf import settings
from django.utils.translation import get_language, to_locale

RUPIAH_PATTERN = "¤ #,##0;-¤ #,##0"
# A space between the symbol and the amount, as the rupiah beside it has ("≈ US$ 12.40").
FOREIGN_PATTERN = "¤ #,##0.00;-¤ #,##0.00"

# The site's English is read by buyers abroad: CLDR's international English ("en_001") writes
# "US$" and "JP¥", where American English writes "$" and "¥".
BABEL_LOCALES = {"en": "en_001", "id": "id_ID"}


def active_locale() -> str:
    """The Babel locale of the active language."""
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()
    return BABEL_LOCALES.get(language) or to_locale(language)


def whole_rupiah(value: int | Decimal) -> int:
    """``value`` as an int, refusing floats, bools and fractions of a rupiah."""
    if isinstance(value, bool | float):
        raise TypeError("rupiah amounts are integers or Decimal, never float or bool")
    if isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise ValueError(f"rupiah amounts are whole numbers, got {value}")
        return int(value)
    if not isinstance(value, int):
        raise TypeError(f"rupiah amounts are integers, got {type(value).__name__}")
    return value


def format_rupiah(value: int | Decimal | None) -> str:
    """``1250000`` → ``"Rp 1.250.000"``; empty for no amount.

    Written directly rather than through Babel: it is the same text in every language (CLDR's
    ``id_ID`` symbol and grouping with :data:`RUPIAH_PATTERN`; a test holds this to Babel's text
    for any amount), and a cart or checkout page writes a dozen amounts, each
    of which cost Babel about as much as a database query."""
    if value is None or value == "":
        return ""
    amount = whole_rupiah(value)
    grouped = f"{abs(amount):,}".replace(",", ".")
    return f"-Rp {grouped}" if amount < 0 else f"Rp {grouped}"


def compact_rupiah(value: int | Decimal) -> str:
    """``4_800_000_000`` → ``"Rp 4.8B"`` (English) or ``"Rp 4,8 M"`` (Indonesian), one decimal at
    most, rounded half up; below a thousand the amount itself (``"Rp 950"``)."""
    amount = whole_rupiah(value)
    # Babel rounds with the decimal context's rule (half even by default): half up, as the
    # full amounts are rounded everywhere else.
    with localcontext() as context:
        context.rounding = ROUND_HALF_UP
        text = format_compact_decimal(abs(amount), locale=active_locale(), fraction_digits=1)
    return f"{'-' if amount < 0 else ''}Rp {text}"


def convert(rupiah: int | Decimal, idr_per_unit: Decimal | int) -> Decimal:
    """Rupiah in a foreign currency at the organiser's rate ``idr_per_unit``, unrounded (the
    display rounds it: :func:`format_approx`)."""
    if isinstance(idr_per_unit, bool | float):
        raise TypeError("exchange rates are Decimal, never float")
    if idr_per_unit <= 0:
        raise ValueError("exchange rates are positive")
    return Decimal(whole_rupiah(rupiah)) / Decimal(idr_per_unit)


def format_approx(rupiah: int | Decimal, currency: str, idr_per_unit: Decimal | int) -> str:
    """``"≈ US$ 12.40"``: ``rupiah`` in ``currency`` at the organiser's rate, with the currency's
    symbol, its decimals (none for the yen) and the number format of the active language. Half a
    cent rounds up."""
    places = get_currency_precision(currency)
    value = convert(rupiah, idr_per_unit).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
    )
    shown = format_currency(
        value, currency, format=FOREIGN_PATTERN, locale=active_locale(), currency_digits=True
    )
    return f"≈ {shown}"
