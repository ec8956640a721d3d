"""Money display in the base: compact rupiah for charts and the approximate prices in foreign
currencies shown to international buyers (at the organiser's rates, always charged in IDR). No
database.

The approximate-price tests came from tests/payments/test_money.py with the display; their symbols
are now CLDR's, through Babel, in the active language (international English for English)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_currency
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from expo.money import RUPIAH_PATTERN, compact_rupiah, convert, format_approx, format_rupiah

# --- Rupiah ---------------------------------------------------------------------------------------


def test_rupiah_are_written_the_indonesian_way_in_every_language():
    for language in ("en", "id"):
        with translation.override(language):
            assert format_rupiah(1_250_000) == "Rp 1.250.000"
            assert format_rupiah(Decimal("-35000")) == "-Rp 35.000"
            assert format_rupiah(None) == ""


@pytest.mark.parametrize("value", [1.5, 25_000.0, True, Decimal("0.5"), "25000"])
def test_floats_bools_fractions_and_text_are_refused(value):
    with pytest.raises((TypeError, ValueError)):
        format_rupiah(value)
    with pytest.raises((TypeError, ValueError)):
        compact_rupiah(value)


# --- Compact rupiah (charts) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "english", "indonesian"),
    [
        (0, "Rp 0", "Rp 0"),
        (950, "Rp 950", "Rp 950"),
        (1_000, "Rp 1K", "Rp 1\xa0rb"),
        (1_250_000, "Rp 1.3M", "Rp 1,3\xa0jt"),  # half up, as the full amounts
        (314_896_600, "Rp 314.9M", "Rp 314,9\xa0jt"),  # Tuka-Tuku's omzet
        (999_950_000, "Rp 1B", "Rp 1\xa0M"),  # rounding carries into the next unit
        (4_800_000_000, "Rp 4.8B", "Rp 4,8\xa0M"),  # UVO's omzet
        (1_500_000_000_000, "Rp 1.5T", "Rp 1,5\xa0T"),
        (-35_000, "-Rp 35K", "-Rp 35\xa0rb"),  # a refund-heavy hour
        (Decimal("2500000000"), "Rp 2.5B", "Rp 2,5\xa0M"),
    ],
)
def test_compact_rupiah_in_english_and_indonesian(value, english, indonesian):
    with translation.override("en"):
        assert compact_rupiah(value) == english
    with translation.override("id"):
        assert compact_rupiah(value) == indonesian


# --- Approximate prices in foreign currencies ---------------------------------------------------


def test_format_approx_in_english_and_indonesian_number_formats():
    with translation.override("en"):
        assert format_approx(25_000, "USD", Decimal("16250")) == "≈ US$ 1.54"
        assert format_approx(12_345_678, "EUR", Decimal("17500.1234")) == "≈ € 705.46"
        assert format_approx(1_500_000, "JPY", Decimal("105.5")) == "≈ JP¥ 14,218"
        assert format_approx(16_250_000, "USD", Decimal("16250")) == "≈ US$ 1,000.00"
    with translation.override("id"):
        assert format_approx(25_000, "USD", Decimal("16250")) == "≈ US$ 1,54"
        assert format_approx(1_500_000, "JPY", Decimal("105.5")) == "≈ JP¥ 14.218"
        assert format_approx(16_250_000, "USD", Decimal("16250")) == "≈ US$ 1.000,00"


@pytest.mark.parametrize(
    ("currency", "english", "indonesian"),
    [
        ("USD", "US$", "US$"),
        ("SGD", "SGD", "SGD"),
        ("MYR", "MYR", "MYR"),
        ("EUR", "€", "€"),
        ("JPY", "JP¥", "JP¥"),
        ("AUD", "A$", "AU$"),
        ("CNY", "CN¥", "CN¥"),
    ],
)
def test_every_offered_currency_has_an_unambiguous_symbol(currency, english, indonesian):
    places = 0 if currency == "JPY" else 2
    with translation.override("en"):
        shown = format_approx(100_000, currency, Decimal("10000"))
    assert shown.startswith(f"≈ {english} ")
    assert shown.endswith("10" if places == 0 else "10.00")
    with translation.override("id"):
        shown = format_approx(100_000, currency, Decimal("10000"))
    assert shown.startswith(f"≈ {indonesian} ")
    assert shown.endswith("10" if places == 0 else "10,00")


def test_half_a_cent_rounds_up():
    with translation.override("en"):
        assert format_approx(5, "USD", Decimal("1000")) == "≈ US$ 0.01"  # 0.005
        assert format_approx(4, "USD", Decimal("1000")) == "≈ US$ 0.00"  # 0.004


def test_convert_refuses_non_positive_rates_and_floats():
    assert convert(30_000, Decimal("15000")) == Decimal(2)
    with pytest.raises(ValueError):
        convert(30_000, Decimal(0))
    with pytest.raises(ValueError):
        convert(30_000, Decimal(-1))
    with pytest.raises(TypeError):
        convert(30_000.0, Decimal("15000"))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        convert(30_000, 15_000.0)  # type: ignore[arg-type]


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from(["en", "id"]))
def test_rupiah_are_written_as_babel_writes_them_with_the_pattern(amount, language):
    """format_rupiah writes the amount itself (Babel cost as much as a query per amount on a
    cart page): the text is CLDR's, through Babel, for any amount in either language."""
    with translation.override(language):
        assert format_rupiah(amount) == format_currency(
            amount, "IDR", format=RUPIAH_PATTERN, locale="id_ID", currency_digits=False
        )
        assert format_rupiah(Decimal(amount)) == format_rupiah(amount)
