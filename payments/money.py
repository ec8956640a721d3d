"""Money arithmetic: whole rupiah as ``int``, ``Decimal`` where a fraction is needed, never ``float``.

The one conversion to a provider's minor units is :func:`to_stripe_amount` (and its inverse). The
approximate prices in foreign currencies are display, in the base: ``expo.money.format_approx``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# Stripe's zero-decimal currencies. IDR is not one of them: Stripe treats the rupiah as a
# two-decimal currency, so Rp 25.000 is sent as 2500000.
STRIPE_ZERO_DECIMAL = frozenset(
    [
        "bif",
        "clp",
        "djf",
        "gnf",
        "jpy",
        "kmf",
        "krw",
        "mga",
        "pyg",
        "rwf",
        "ugx",
        "vnd",
        "vuv",
        "xaf",
        "xof",
        "xpf",
    ]
)


def _whole(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"amounts are whole rupiah (int), got {type(value).__name__}")
    return value


def to_stripe_amount(rupiah: int, currency: str = "idr") -> int:
    """Rupiah → the amount Stripe expects for ``currency`` (× 100 for IDR)."""
    rupiah = _whole(rupiah)
    if rupiah < 0:
        raise ValueError("amounts sent to Stripe are not negative")
    return rupiah if currency.lower() in STRIPE_ZERO_DECIMAL else rupiah * 100


def from_stripe_amount(amount: int, currency: str = "idr") -> int:
    """Stripe's minor units → whole rupiah (half a rupiah and up rounds up)."""
    amount = _whole(amount)
    if currency.lower() in STRIPE_ZERO_DECIMAL:
        return amount
    return int((Decimal(amount) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def basis_points_of(amount: int, bps: int | Decimal) -> int:
    """``amount`` × ``bps`` / 10,000, rounded half up to a whole rupiah (the platform fee)."""
    amount = _whole(amount)
    share = Decimal(amount) * Decimal(bps) / Decimal(10_000)
    return int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))
