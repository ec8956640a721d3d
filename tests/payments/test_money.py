"""Money arithmetic: the one rupiah → Stripe minor-unit conversion and the platform fee in basis
points. No database. (The approximate prices shown to international buyers are display, in the
base: tests/expo/test_money.py.)"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payments.money import (
    STRIPE_ZERO_DECIMAL,
    basis_points_of,
    from_stripe_amount,
    to_stripe_amount,
)
from payments.providers import stripe as stripe_provider

# --- Rupiah → Stripe ------------------------------------------------------------------------------


def test_rupiah_is_sent_to_stripe_times_100():
    assert to_stripe_amount(25_000) == 2_500_000
    assert to_stripe_amount(25_000, "idr") == 2_500_000
    assert to_stripe_amount(25_000, "IDR") == 2_500_000
    assert to_stripe_amount(1) == 100
    assert to_stripe_amount(0) == 0
    # The provider charges in rupiah: the conversion it uses is this one.
    assert stripe_provider.CURRENCY == "idr"


def test_a_large_order_does_not_lose_precision():
    assert to_stripe_amount(987_654_321_000) == 98_765_432_100_000
    assert from_stripe_amount(98_765_432_100_000) == 987_654_321_000


@pytest.mark.parametrize("currency", ["jpy", "JPY", "krw", "vnd", "xof"])
def test_zero_decimal_currencies_are_sent_as_they_are(currency):
    assert to_stripe_amount(1_500, currency) == 1_500
    assert from_stripe_amount(1_500, currency) == 1_500


def test_idr_is_not_a_zero_decimal_currency_at_stripe():
    assert "idr" not in STRIPE_ZERO_DECIMAL
    assert {"jpy", "krw", "vnd"} <= STRIPE_ZERO_DECIMAL


@pytest.mark.parametrize("amount", [25_000.0, 0.5, Decimal("25000"), "25000", None, True, False])
def test_only_whole_rupiah_as_int_are_converted(amount):
    with pytest.raises(TypeError, match="whole rupiah"):
        to_stripe_amount(amount)  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", [-1, -25_000])
def test_negative_amounts_are_refused(amount):
    with pytest.raises(ValueError, match="not negative"):
        to_stripe_amount(amount)


def test_from_stripe_refuses_floats_too():
    with pytest.raises(TypeError):
        from_stripe_amount(150.0)  # type: ignore[arg-type]


def test_stripe_minor_units_round_half_up_to_whole_rupiah():
    assert from_stripe_amount(2_500_000) == 25_000
    assert from_stripe_amount(150) == 2  # Rp 1,50 → Rp 2
    assert from_stripe_amount(149) == 1
    assert from_stripe_amount(50) == 1
    assert from_stripe_amount(49) == 0


@settings(max_examples=200, deadline=None)
@given(rupiah=st.integers(min_value=0, max_value=10**15))
def test_round_trip_is_exact(rupiah):
    assert from_stripe_amount(to_stripe_amount(rupiah)) == rupiah
    assert from_stripe_amount(to_stripe_amount(rupiah, "jpy"), "jpy") == rupiah
    assert to_stripe_amount(rupiah) % 100 == 0


# --- Basis points (the platform fee) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "bps", "fee"),
    [
        (200_000, 250, 5_000),  # 2.5 %
        (110_000, 250, 2_750),
        (0, 250, 0),
        (1_000_000, 0, 0),
        (1_000_000, 10_000, 1_000_000),
        (199, 250, 5),  # 4.975 → 5
        (1, 5_000, 1),  # 0.5 rounds half up
        (3, 5_000, 2),  # 1.5 → 2
        (1, 4_999, 0),  # 0.4999 → 0
        (100_000, Decimal("12.5"), 125),  # a fraction of a basis point
    ],
)
def test_basis_points_of_rounds_half_up(amount, bps, fee):
    assert basis_points_of(amount, bps) == fee
    assert isinstance(basis_points_of(amount, bps), int)


def test_basis_points_of_refuses_floats():
    with pytest.raises(TypeError):
        basis_points_of(1000.0, 250)  # type: ignore[arg-type]


@settings(max_examples=100, deadline=None)
@given(
    amount=st.integers(min_value=0, max_value=10**12),
    bps=st.integers(min_value=0, max_value=10_000),
)
def test_a_fee_is_never_more_than_the_amount_nor_off_by_more_than_half_a_rupiah(amount, bps):
    fee = basis_points_of(amount, bps)
    assert 0 <= fee <= amount
    assert abs(fee * 10_000 - amount * bps) <= 5_000
