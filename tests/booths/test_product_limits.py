"""A product's minimum order is at least 1 and its descriptions are at most
``Product.DESCRIPTION_MAX_LENGTH`` characters: refused with a clear message on the field, in the
vendor's form and in the service, and nothing is changed (never "Constraint … is violated")."""

# The vendor builders are pytest fixtures imported from test_vendor_views: tests name them as
# parameters, which pyflakes reads as redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from booths import services
from booths.models import Product
from tests.booths.test_vendor_views import (  # noqa: F401 - fixtures
    _fresh_cache,
    login,
    make_vendor,
    make_vendor_booth,
    product_form_data,
    url,
)

pytestmark = pytest.mark.django_db

MIN_ORDER_MESSAGE = "The minimum order is at least 1."
LIMIT = Product.DESCRIPTION_MAX_LENGTH


@pytest.fixture
def shop(make_vendor, make_vendor_booth, make_expo):
    vendor = make_vendor()
    booth = make_vendor_booth(vendor, make_expo("open"), products=1)
    product = booth.products.get()
    return vendor, booth, product


def row(product: Product) -> dict:
    return Product.objects.filter(pk=product.pk).values().get()


def too_long_message(length: int) -> str:
    return f"A description can be at most {LIMIT} characters long (this one has {length})."


def test_a_description_of_the_limit_is_fine():
    assert LIMIT == 5_000


# --- The vendor's form -------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "-1"])
def test_the_form_says_a_minimum_order_of_0_is_not_allowed(client, shop, value):
    vendor, booth, product = shop
    before = row(product)
    login(client, vendor.members.get())
    edit = url("product_edit", vendor.slug, booth.expo.slug, product.pk)
    response = client.post(edit, product_form_data(min_order=value))
    assert response.status_code == 200
    form = response.context["form"]
    if value == "0":
        assert form.errors["min_order"] == [MIN_ORDER_MESSAGE]
    else:
        assert form.errors["min_order"]
    assert not form.non_field_errors()
    html = response.content.decode()
    assert "Constraint" not in html and "min_order_at_least_one" not in html
    assert row(product) == before

    created = client.post(
        url("product_create", vendor.slug, booth.expo.slug),
        product_form_data(name_en="New one", min_order=value),
    )
    assert created.status_code == 200 and created.context["form"].errors["min_order"]
    assert booth.products.count() == 1


@pytest.mark.parametrize("field", ["description_en", "description_id"])
def test_the_form_refuses_a_description_over_the_limit(client, shop, field):
    vendor, booth, product = shop
    before = row(product)
    login(client, vendor.members.get())
    edit = url("product_edit", vendor.slug, booth.expo.slug, product.pk)
    response = client.post(edit, product_form_data(**{field: "x" * (LIMIT + 1)}))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [too_long_message(LIMIT + 1)]
    assert f'maxlength="{LIMIT}"' in response.content.decode()
    assert row(product) == before

    # Far over (the whole request stays under the site's body limit for this page).
    huge = client.post(edit, product_form_data(**{field: "y" * 500_000}))
    assert huge.context["form"].errors[field] == [too_long_message(500_000)]
    assert row(product) == before

    fits = client.post(edit, product_form_data(**{field: "z" * LIMIT}))
    assert fits.status_code == 302
    assert len(getattr(Product.objects.get(pk=product.pk), field)) == LIMIT


# --- The service ---------------------------------------------------------------------------------


def test_the_service_refuses_a_minimum_order_of_0(shop):
    vendor, booth, product = shop
    before = row(product)
    with pytest.raises(ValidationError) as refused:
        services.product_update(product=product, by=vendor.members.get(), min_order=0)
    assert refused.value.message_dict == {"min_order": [MIN_ORDER_MESSAGE]}
    assert row(Product.objects.get(pk=product.pk)) == before

    with pytest.raises(ValidationError) as refused:
        services.product_create(
            booth=booth,
            by=vendor.members.get(),
            name_en="Sambal",
            name_id="Sambal",
            category="food",
            price=10_000,
            min_order=0,
        )
    assert refused.value.message_dict == {"min_order": [MIN_ORDER_MESSAGE]}
    assert booth.products.count() == 1


@pytest.mark.parametrize("field", ["description_en", "description_id"])
def test_the_service_refuses_a_description_over_the_limit(shop, field):
    vendor, booth, product = shop
    before = row(product)
    with pytest.raises(ValidationError) as refused:
        services.product_update(
            product=product, by=vendor.members.get(), **{field: "x" * 1_000_000}
        )
    assert refused.value.message_dict == {field: [too_long_message(1_000_000)]}
    assert row(Product.objects.get(pk=product.pk)) == before

    with pytest.raises(ValidationError):
        services.product_create(
            booth=booth,
            by=vendor.members.get(),
            name_en="Sambal",
            name_id="Sambal",
            category="food",
            price=10_000,
            **{field: "x" * (LIMIT + 1)},
        )
    assert booth.products.count() == 1
