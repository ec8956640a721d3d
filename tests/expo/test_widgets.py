"""QuickSelect writes the markup Django's select templates write, in every language, for any
chosen value and attributes, from its memo or not; the quick inputs and textarea write what
Django's input and textarea templates write, for any value and attributes."""

from __future__ import annotations

import pytest
from django import forms
from django.utils import translation

from expo.countries import COUNTRY_CHOICES
from expo.widgets import (
    QuickEmailInput,
    QuickHiddenInput,
    QuickSelect,
    QuickTextarea,
    QuickTextInput,
)
from payments.forms import CheckoutForm
from payments.shipping import PROVINCE_CHOICES

GROUPED = [("Fruit", [("apple", "Apple <&>"), ("pear", 'Pear "B"')]), ("x", "Other & more")]


@pytest.mark.parametrize("language", ["en", "id"])
@pytest.mark.parametrize("memo", ["", "memo"])
@pytest.mark.parametrize(
    "choices",
    [COUNTRY_CHOICES, PROVINCE_CHOICES, GROUPED],
    ids=["countries", "provinces", "groups"],
)
def test_quick_select_writes_what_djangos_templates_write(language, memo, choices):
    attrs = {"autocomplete": "country", "data-x": "a<b"}
    django_select = forms.Select(choices=choices, attrs=attrs)
    quick = QuickSelect(choices=choices, attrs=attrs, memo=memo and f"{memo}-{id(choices)}")
    with translation.override(language):
        for value in ("ID", "", None, "apple", "Jawa Tengah", "nope"):
            for extra in ({"id": "id_c", "required": True}, {"id": "c", "disabled": False}):
                assert quick.render("country", value, attrs=extra) == django_select.render(
                    "country", value, attrs=extra
                )


def test_the_checkout_form_shows_the_chosen_country_in_the_language_of_the_page():
    with translation.override("id"):
        html = str(CheckoutForm(initial={"country": "DE"})["country"])
        assert '<option value="DE" selected>Jerman</option>' in html
    with translation.override("en"):
        html = str(CheckoutForm(initial={"country": "ID"})["country"])
        assert '<option value="ID" selected>Indonesia</option>' in html
        assert '<option value="DE">Germany</option>' in html


VALUES = (None, "", 'Ayu <Lestari> & "co"', "0", 0, 12500, "line one\nline two", "Jl. O'Brien")
ATTRIBUTES = (
    {},
    {"id": "id_name", "required": True, "maxlength": "150"},
    {"autocomplete": "street-address", "data-x": "a<b", "disabled": False, "rows": 2},
)


@pytest.mark.parametrize(
    ("quick", "django_widget"),
    [
        (QuickTextInput, forms.TextInput),
        (QuickEmailInput, forms.EmailInput),
        (QuickHiddenInput, forms.HiddenInput),
        (QuickTextarea, forms.Textarea),
    ],
)
def test_quick_inputs_write_what_djangos_templates_write(quick, django_widget):
    for attrs in ATTRIBUTES:
        ours, theirs = quick(attrs=attrs), django_widget(attrs=attrs)
        for value in VALUES:
            for extra in (None, {"id": "x", "placeholder": "<e.g.>"}):
                assert ours.render("name", value, attrs=extra) == theirs.render(
                    "name", value, attrs=extra
                )


def test_a_telephone_field_stays_a_telephone_field():
    html = str(CheckoutForm(initial={"phone": "+62 812"})["phone"])
    assert html.startswith('<input type="tel" name="phone" value="+62 812"')
