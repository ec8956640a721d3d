"""The buyer's pages: the product page's buy box, the cart, checkout, the order page, cancelling,
the buyer's order list and approximate prices in a foreign currency."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from booths.models import Product
from payments.models import Cart, CartItem, ExchangeRate, Order, VendorShippingRate
from tests.conftest import move_to

pytestmark = pytest.mark.django_db


def products(booth):
    return list(booth.products.order_by("pk"))


def product_url(product):
    booth = product.booth
    return reverse("booths:product", args=[booth.expo.slug, booth.slug, product.slug])


def add(client, product, quantity=1, **extra):
    return client.post(
        reverse("payments:cart_add"), {"product": product.pk, "quantity": quantity, **extra}
    )


def add_json(client, product, quantity=1):
    return client.post(
        reverse("payments:cart_add"),
        {"product": product.pk, "quantity": quantity},
        HTTP_ACCEPT="application/json",
    )


CHECKOUT = {
    "email": "ayu@example.com",
    "name": "Ayu Lestari",
    "phone": "+62 812 3456 7890",
    "country": "ID",
    "address": "Jl. Pemuda 12",
    "city": "Semarang",
    "province": "Jawa Tengah",
    "postal_code": "50132",
    "provider": "manual",
}


def checkout(client, expo, **changes):
    page = client.get(reverse("payments:checkout", args=[expo.slug]))
    assert page.status_code == 200
    data = {**CHECKOUT, "expected_subtotal": page.context["subtotal"], **changes}
    return client.post(reverse("payments:checkout", args=[expo.slug]), data)


# --- Product page -----------------------------------------------------------------------------------


def test_open_expo_product_page_has_a_buy_box_with_a_real_csrf_token(client, booth_a):
    shirt, _ = products(booth_a)
    page = client.get(product_url(shirt))
    html = page.content.decode()
    assert 'data-testid="buy-box"' in html
    assert "slot-csrf" not in html  # the shared page's slot is filled per visitor
    token = page.cookies["csrftoken"].value
    assert token
    # The same page served again from the page cache still carries a usable token.
    again = client.get(product_url(shirt)).content.decode()
    assert 'data-testid="add-to-cart"' in again and "slot-csrf" not in again


@pytest.mark.parametrize("state", ["published", "closed"])
def test_no_buy_box_unless_the_expo_is_open(client, expo, booth_a, state):
    shirt, _ = products(booth_a)
    move_to(expo, state)
    html = client.get(product_url(shirt)).content.decode()
    assert 'data-testid="buy-box"' not in html
    assert 'data-testid="buy-notice"' in html


def test_adding_with_the_form_and_with_script(client, booth_a):
    shirt, scarf = products(booth_a)
    response = add(client, shirt, 2, next=product_url(shirt))
    assert response.status_code == 302 and response["Location"] == product_url(shirt)
    answer = add_json(client, scarf, 1)
    assert answer.status_code == 200
    assert answer.json()["ok"] is True and answer.json()["count"] == 3
    cart = Cart.objects.get()
    assert dict(cart.items.values_list("product_id", "quantity")) == {shirt.pk: 2, scarf.pk: 1}
    # The header shows the count, kept in the session: no query on other pages.
    page = client.get(reverse("home"))
    assert page.context["cart_count"] == 3
    assert 'data-cart-count aria-label="3 items in your cart">3</span>' in page.content.decode()


def test_too_many_or_a_closed_expo_is_refused_and_changes_nothing(client, expo, booth_a):
    shirt, _ = products(booth_a)
    answer = add_json(client, shirt, 6)  # stock is 5
    assert answer.status_code == 400
    assert "Only 5" in answer.json()["errors"][0]
    assert not CartItem.objects.exists()
    move_to(expo, "closed")
    answer = add_json(client, shirt, 1)
    assert answer.status_code == 400 and "closed" in answer.json()["errors"][0]
    assert not CartItem.objects.exists()
    bad = add_json(client, shirt, "many")
    assert bad.status_code == 400 and not CartItem.objects.exists()


def test_unknown_product_is_404(client):
    response = client.post(reverse("payments:cart_add"), {"product": 999999, "quantity": 1})
    assert response.status_code == 404


# --- Cart ---------------------------------------------------------------------------------------------


def test_cart_groups_by_booth_and_shows_a_price_change_once(client, booth_a, booth_b):
    shirt, _ = products(booth_a)
    coffee = products(booth_b)[0]
    add(client, shirt, 1)
    add(client, coffee, 2)
    Product.objects.filter(pk=shirt.pk).update(price=120_000)
    page = client.get(reverse("payments:cart"))
    html = page.content.decode()
    assert "Batik Sekar" in html and "Kopi Gunung" in html
    assert 'data-testid="price-change"' in html
    assert "Rp 100.000" in html and "Rp 120.000" in html
    assert 'data-testid="price-change"' not in client.get(reverse("payments:cart")).content.decode()


def test_change_quantity_and_remove(client, booth_a):
    shirt, scarf = products(booth_a)
    add(client, shirt, 1)
    add(client, scarf, 1)
    client.post(reverse("payments:cart_update"), {"product": shirt.pk, "quantity": 3})
    client.post(reverse("payments:cart_update"), {"product": scarf.pk, "remove": "1"})
    assert dict(CartItem.objects.values_list("product_id", "quantity")) == {shirt.pk: 3}
    response = client.post(
        reverse("payments:cart_update"), {"product": shirt.pk, "quantity": 50}, follow=True
    )
    assert "Only 5" in response.content.decode()
    assert CartItem.objects.get().quantity == 3


def test_guest_cart_joins_the_account_at_login(client, booth_a, buyer):
    shirt, _ = products(booth_a)
    add(client, shirt, 2)
    client.force_login(buyer)
    assert Cart.objects.get(user=buyer).items.get().quantity == 2
    assert not Cart.objects.filter(user__isnull=True).exists()


# --- Checkout -----------------------------------------------------------------------------------------


def test_checkout_places_one_order_with_a_part_per_booth(
    client, expo, booth_a, booth_b, django_capture_on_commit_callbacks
):
    shirt, _ = products(booth_a)
    coffee = products(booth_b)[0]
    # The test vendors are in province "Uji": a buyer in Jawa Tengah is "rest of Indonesia".
    VendorShippingRate.objects.create(
        vendor=booth_a.vendor, zone="domestic", method="flat", amount=15_000
    )
    add(client, shirt, 1)
    add(client, coffee, 2)
    with django_capture_on_commit_callbacks(execute=True):
        response = checkout(client, expo)
    order = Order.objects.get()
    assert response.status_code == 302
    assert (
        response["Location"]
        == reverse("payments:order", args=[order.code]) + f"?key={order.access_key}"
    )
    assert order.parts.count() == 2
    assert order.subtotal == 100_000 + 2 * 55_000 and order.shipping_total == 15_000
    assert not CartItem.objects.exists()
    page = client.get(response["Location"])
    html = page.content.decode()
    assert 'data-testid="transfer-instructions"' in html
    assert "Bank Jateng" in html and "2-034-56789-0" in html and order.code in html
    assert "Rp 225.000" in html
    assert len(mail.outbox) == 1 and order.code in mail.outbox[0].subject


def test_checkout_needs_a_complete_address_and_changes_nothing(client, expo, booth_a):
    shirt, _ = products(booth_a)
    add(client, shirt, 1)
    response = checkout(client, expo, province="", phone="call me")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "province" in errors and "phone" in errors
    assert not Order.objects.exists() and CartItem.objects.count() == 1


def test_checkout_when_the_expo_closed_creates_nothing(client, expo, booth_a):
    shirt, _ = products(booth_a)
    add(client, shirt, 1)
    page = client.get(reverse("payments:checkout", args=[expo.slug]))
    move_to(expo, "closed")
    response = client.post(
        reverse("payments:checkout", args=[expo.slug]),
        {**CHECKOUT, "expected_subtotal": page.context["subtotal"]},
        follow=True,
    )
    assert "This expo has closed." in response.content.decode()
    assert not Order.objects.exists()
    shirt.refresh_from_db()
    assert shirt.stock == 5


def test_a_price_change_during_checkout_is_shown_before_charging(client, expo, booth_a):
    shirt, _ = products(booth_a)
    add(client, shirt, 1)
    page = client.get(reverse("payments:checkout", args=[expo.slug]))
    Product.objects.filter(pk=shirt.pk).update(price=110_000)
    data = {**CHECKOUT, "expected_subtotal": page.context["subtotal"]}
    response = client.post(reverse("payments:checkout", args=[expo.slug]), data)
    assert response.status_code == 200
    assert "prices changed" in response.content.decode()
    assert not Order.objects.exists()
    assert response.context["form"].data["expected_subtotal"] == 110_000
    # The buyer saw the new total: placing the order again works.
    data["expected_subtotal"] = 110_000
    client.post(reverse("payments:checkout", args=[expo.slug]), data)
    assert Order.objects.get().subtotal == 110_000


def test_sold_out_meanwhile_is_a_clear_answer(client, expo, booth_a):
    shirt, _ = products(booth_a)
    add(client, shirt, 2)
    Product.objects.filter(pk=shirt.pk).update(stock=1)
    response = checkout(client, expo)
    assert response.status_code == 200
    assert "Only 1" in response.content.decode()
    assert not Order.objects.exists()


def test_shipping_quote_for_an_address_abroad(client, expo, booth_a, booth_b):
    shirt, _ = products(booth_a)
    coffee = products(booth_b)[0]
    VendorShippingRate.objects.create(
        vendor=booth_a.vendor, zone="international", method="flat", amount=250_000
    )
    VendorShippingRate.objects.create(vendor=booth_b.vendor, zone="international", method="none")
    add(client, shirt, 1)
    add(client, coffee, 1)
    quote = client.get(
        reverse("payments:checkout_quote", args=[expo.slug]), {"country": "SG", "region": ""}
    ).json()
    by_booth = {p["booth"]: p for p in quote["parts"]}
    assert by_booth[booth_a.pk]["label"] == "Rp 250.000" and by_booth[booth_b.pk]["ships"] is False
    assert quote["ships"] is False
    response = checkout(client, expo, country="SG", state="Singapore", province="")
    assert "does not ship to this address" in response.content.decode()
    assert not Order.objects.exists()


# --- Orders -------------------------------------------------------------------------------------------


def _placed(client, expo, booth):
    shirt, _ = products(booth)
    add(client, shirt, 1)
    checkout(client, expo)
    return Order.objects.get()


def test_order_page_only_for_its_buyer_or_the_secret_link(client, expo, booth_a, buyer, make_user):
    client.force_login(buyer)
    order = _placed(client, expo, booth_a)
    url = reverse("payments:order", args=[order.code])
    assert client.get(url).status_code == 200  # the account
    other = make_user(email="other@example.com")
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.get(url, {"key": "wrong"}).status_code == 404
    assert client.get(url, {"key": order.access_key}).status_code == 200
    client.logout()
    assert client.get(url).status_code == 404
    assert client.post(reverse("payments:order_cancel", args=[order.code])).status_code == 404
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING


def test_buyer_cancels_and_the_items_come_back(client, expo, booth_a):
    order = _placed(client, expo, booth_a)
    shirt = products(booth_a)[0]
    shirt.refresh_from_db()
    assert shirt.stock == 4
    response = client.post(
        reverse("payments:order_cancel", args=[order.code]), {"key": order.access_key}
    )
    assert response["Location"] == reverse("payments:cart")
    order.refresh_from_db()
    shirt.refresh_from_db()
    assert order.status == Order.Status.CANCELLED and shirt.stock == 5
    assert CartItem.objects.get().product_id == shirt.pk


def test_buyer_order_list_costs_the_same_queries_for_many_orders(
    client, expo, booth_a, buyer, django_assert_num_queries
):
    client.force_login(buyer)
    _placed(client, expo, booth_a)
    client.get(reverse("payments:orders"))  # warm the session
    with CaptureQueriesContext(connection) as one:
        page = client.get(reverse("payments:orders"))
    count = len(one.captured_queries)  # now: the next request resets the connection's log
    assert len(page.context["orders"]) == 1
    for _i in range(4):
        add(client, products(booth_a)[1], 1)
        checkout(client, expo)
    with django_assert_num_queries(count):
        page = client.get(reverse("payments:orders"))
    assert len(page.context["orders"]) == 5


def test_orders_list_needs_a_login(client):
    response = client.get(reverse("payments:orders"))
    assert response.status_code == 302 and "login" in response["Location"]


# --- Approximate prices -------------------------------------------------------------------------------


def test_a_chosen_currency_shows_approximate_prices_and_says_idr(client, expo, booth_a):
    ExchangeRate.objects.create(expo=expo, currency="USD", idr_per_unit=Decimal("16000"))
    shirt, _ = products(booth_a)
    client.post(reverse("payments:currency"), {"currency": "USD", "next": product_url(shirt)})
    html = client.get(product_url(shirt)).content.decode()
    assert "≈ US$ 6.25" in html  # Rp 100.000 / 16.000
    assert "Charged in Indonesian rupiah (IDR)." in html
    add(client, shirt, 2)
    cart_html = client.get(reverse("payments:cart")).content.decode()
    assert "≈ US$ 12.50" in cart_html
    # A currency the expo has no rate for (pound sterling is not offered) goes back to rupiah only.
    client.post(reverse("payments:currency"), {"currency": "GBP"})
    assert "≈ US$" not in client.get(reverse("payments:cart")).content.decode()


# --- Live session: pinned products and the channel of the order -------------------------------------


def test_a_pinned_product_is_bought_from_the_session_and_counts_for_it(
    client, expo, booth_a, organiser
):
    from datetime import timedelta

    from django.utils import timezone

    from events.models import LiveSession, SessionPin
    from payments import services
    from payments.models import SalesLedgerEntry

    shirt, _ = products(booth_a)
    now = timezone.now()
    session = LiveSession.objects.create(
        booth=booth_a,
        title_en="Batik demo",
        title_id="Demo batik",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=1),
        stream_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    )
    SessionPin.objects.create(session=session, product=shirt, position=0)
    page = client.get(reverse("events:session", args=[expo.slug, session.pk]))
    html = page.content.decode()
    assert 'data-testid="pin-add"' in html
    assert f'action="{reverse("payments:cart_add")}"' in html
    assert add_json(client, shirt).json()["ok"] is True
    checkout(client, expo)
    order = Order.objects.get()
    assert (order.channel, order.attribution_id, order.attribution_label) == (
        "live_session",
        session.pk,
        "Batik demo",
    )
    services.transfer_confirm(payment=order.payments.get(), by=organiser)
    assert set(SalesLedgerEntry.objects.values_list("channel", "attribution_id")) == {
        ("live_session", session.pk)
    }


def test_a_closed_expo_session_page_offers_no_cart(client, expo, booth_a):
    from datetime import timedelta

    from django.utils import timezone

    from events.models import LiveSession, SessionPin

    shirt, _ = products(booth_a)
    session = LiveSession.objects.create(
        booth=booth_a,
        title_en="Batik demo",
        title_id="Demo batik",
        starts_at=timezone.now() - timedelta(days=30),
        ends_at=timezone.now() - timedelta(days=30) + timedelta(hours=1),
        stream_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    )
    SessionPin.objects.create(session=session, product=shirt, position=0)
    move_to(expo, "closed")
    html = client.get(reverse("events:session", args=[expo.slug, session.pk])).content.decode()
    assert 'data-testid="pin-add"' not in html
    assert "attribution" not in client.session
