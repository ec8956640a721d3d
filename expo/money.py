"""Money as people read it, through Babel (CLDR): rupiah, compact rupiah and foreign currencies.

Amounts are whole rupiah, integers or ``Decimal`` with no fraction; floats and bools are refused
here, where every page, e-mail and export formats money, so a float cannot reach a price by
accident. Rupiah are written the Indonesian way (``Rp 1.250.000``) in every language, as the
programme's own reports and receipts do.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency

RUPIAH_PATTERN = "¤ #,##0;-¤ #,##0"


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
    """``1250000`` → ``"Rp 1.250.000"``; empty for no amount."""
    if value is None or value == "":
        return ""
    return format_currency(
        whole_rupiah(value), "IDR", format=RUPIAH_PATTERN, locale="id_ID", currency_digits=False
    )
