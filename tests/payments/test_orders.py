"""Orders through the services: cart rules, placing with stock reservation, bank transfers from
order to confirmation, expiry, fulfilment, refunds and the ledger they write."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from booths.models import Product
from expo.models import AuditLogEntry
from expo.timebox import ExpoStateError
from payments import selectors, services
from payments.attribution import Attribution
from payments.models import (
    Cart,
    CartItem,
    Channel,
    Order,
    OrderPart,
    Payment,
    Refund,
    SalesLedgerEntry,
    ShippingMethod,
    ShippingZone,
    VendorShippingRate,
)
from tests.conftest import move_to

pytestmark = pytest.mark.django_db


def products(booth):
    return list(booth.products.order_by("pk"))


# --- Cart --------------------------------------------------------------------------------------------


def test_cart_respects_stock_minimum_order_and_preorder_quota(booth_a):
    shirt, scarf = products(booth_a)
    cart = Cart.objects.create()
    services.cart_add(cart=cart, product=shirt, quantity=2)
    services.cart_add(cart=cart, product=shirt, quantity=3)  # adds up to the stock of 5
    with pytest.raises(ValidationError, match="Only 5 of"):
        services.cart_add(cart=cart, product=shirt, quantity=1)
    assert cart.items.get(product=shirt).quantity == 5

    Product.objects.filter(pk=scarf.pk).update(min_order=3)
    scarf.refresh_from_db()
    with pytest.raises(ValidationError, match="minimum order"):
        services.cart_add(cart=cart, product=scarf, quantity=2)
    assert not cart.items.filter(product=scarf).exists()

    Product.objects.filter(pk=scarf.pk).update(
        min_order=1, is_preorder=True, preorder_lead_days=10, preorder_quota=2, stock=0
    )
    scarf.refresh_from_db()
    with pytest.raises(ValidationError, match="Only 2 pre-orders"):
        services.cart_add(cart=cart, product=scarf, quantity=3)
    services.cart_add(cart=cart, product=scarf, quantity=2)


def test_cart_refuses_closed_expo_and_inactive_products(expo, booth_a):
    shirt, scarf = products(booth_a)
    cart = Cart.objects.create()
    Product.objects.filter(pk=scarf.pk).update(is_active=False)
    scarf.refresh_from_db()
    with pytest.raises(ValidationError, match="no longer on sale"):
        services.cart_add(cart=cart, product=scarf, quantity=1)
    move_to(expo, "closed")
    with pytest.raises(ExpoStateError):
        services.cart_add(cart=cart, product=shirt, quantity=1)
    assert not cart.items.exists()


def test_set_quantity_and_guest_cart_merges_into_account_cart(booth_a, buyer):
    shirt, scarf = products(booth_a)
    guest = Cart.objects.create()
    services.cart_add(cart=guest, product=shirt, quantity=4)
    services.cart_add(cart=guest, product=scarf, quantity=1)
    account = Cart.objects.create(user=buyer)
    services.cart_add(cart=account, product=shirt, quantity=3)

    session = {services.CART_SESSION_KEY: guest.pk}
    services.cart_adopt_on_login(session=session, user=buyer)

    assert services.CART_SESSION_KEY not in session
    assert not Cart.objects.filter(pk=guest.pk).exists()
    quantities = dict(account.items.values_list("product_id", "quantity"))
    assert quantities == {shirt.pk: 5, scarf.pk: 1}  # 4 + 3 capped at the stock of 5

    services.cart_set_quantity(cart=account, product_id=scarf.pk, quantity=0)
    assert not account.items.filter(product=scarf).exists()
    with pytest.raises(ValidationError, match="Only 5"):
        services.cart_set_quantity(cart=account, product_id=shirt.pk, quantity=6)


# --- Placing an order --------------------------------------------------------------------------------


def test_order_groups_lines_by_booth_reserves_stock_and_mails_transfer_details(
    place, booth_a, booth_b, buyer, mailoutbox, django_capture_on_commit_callbacks
):
    shirt, scarf = products(booth_a)
    (coffee,) = products(booth_b)
    with django_capture_on_commit_callbacks(execute=True):
        order = place((shirt, 2), (scarf, 1), (coffee, 3), buyer=buyer)

    assert order.status == Order.Status.PENDING
    assert order.subtotal == 2 * 100_000 + 40_000 + 3 * 55_000
    assert order.total == order.subtotal  # no rates set: "arrange with the vendor"
    parts = list(order.parts.order_by("vendor__name"))
    assert [p.vendor.name for p in parts] == ["Batik Sekar", "Kopi Gunung"]
    assert [p.lines.count() for p in parts] == [2, 1]
    assert all(p.shipping_method == ShippingMethod.ARRANGE for p in parts)
    shirt.refresh_from_db(), coffee.refresh_from_db()
    assert (shirt.stock, coffee.stock) == (3, 2)
    assert order.stock == Order.Stock.HELD
    payment = order.payments.get()
    assert payment.provider == "manual" and payment.reference == order.code
    assert order.reserved_until - order.placed_at == timedelta(hours=24)
    assert not CartItem.objects.filter(cart__user=buyer).exists()
    assert AuditLogEntry.objects.filter(
        action="payments.order.placed", object_id=str(order.pk)
    ).exists()
    assert not SalesLedgerEntry.objects.exists()  # nothing is omzet before it is paid

    (mail,) = mailoutbox
    assert mail.to == ["ayu@example.com"]
    assert order.code in mail.subject
    assert "Bank Jateng" in mail.body and "2-034-56789-0" in mail.body
    assert order.code in mail.body and "Rp 405.000" in mail.body


def test_last_item_cannot_be_sold_twice(booth_a, details):
    shirt, _scarf = products(booth_a)
    Product.objects.filter(pk=shirt.pk).update(stock=1)
    shirt.refresh_from_db()
    first = Cart.objects.create()
    second = Cart.objects.create()
    services.cart_add(cart=first, product=shirt, quantity=1)
    services.cart_add(cart=second, product=shirt, quantity=1)
    place_args = {"expo": shirt.booth.expo, "provider": "manual", "buyer": None}

    services.order_place(cart=first, details=details(), **place_args)
    with pytest.raises(services.SoldOut, match="sold out"):
        services.order_place(cart=second, details=details(), **place_args)
    assert Order.objects.count() == 1
    assert second.items.count() == 1  # the loser keeps its cart
    shirt.refresh_from_db()
    assert shirt.stock == 0


def test_checkout_when_the_expo_closed_changes_nothing(place, expo, booth_a, details):
    shirt, _ = products(booth_a)
    cart = Cart.objects.create()
    services.cart_add(cart=cart, product=shirt, quantity=1)
    move_to(expo, "closed")
    with pytest.raises(ExpoStateError) as refused:
        services.order_place(cart=cart, expo=expo, details=details(), provider="manual", buyer=None)
    assert "closed" in str(refused.value.message)
    assert not Order.objects.exists()
    shirt.refresh_from_db()
    assert shirt.stock == 5
    assert cart.items.count() == 1


def test_changed_price_is_refused_until_seen(expo, booth_a, details):
    shirt, _ = products(booth_a)
    cart = Cart.objects.create()
    services.cart_add(cart=cart, product=shirt, quantity=1)
    Product.objects.filter(pk=shirt.pk).update(price=120_000)
    with pytest.raises(services.PricesChanged):
        services.order_place(
            cart=cart,
            expo=expo,
            details=details(),
            provider="manual",
            buyer=None,
            expected_subtotal=100_000,
        )
    changed = services.cart_acknowledge_prices(cart=cart)
    assert [(old, new) for _item, old, new in changed] == [(100_000, 120_000)]
    order = services.order_place(
        cart=cart,
        expo=expo,
        details=details(),
        provider="manual",
        buyer=None,
        expected_subtotal=120_000,
    )
    assert order.total == 120_000


def test_shipping_by_zone_and_vendors_that_do_not_ship_abroad(
    place, booth_a, booth_b, expo, details
):
    shirt, _ = products(booth_a)
    (coffee,) = products(booth_b)
    booth_a.vendor.region.province = "Jawa Tengah"
    booth_a.vendor.region.save()
    rates = {
        ShippingZone.PROVINCE: (ShippingMethod.FLAT, 10_000),
        ShippingZone.DOMESTIC: (ShippingMethod.FLAT, 25_000),
        ShippingZone.INTERNATIONAL: (ShippingMethod.NONE, 0),
    }
    for zone, (method, amount) in rates.items():
        VendorShippingRate.objects.create(
            vendor=booth_a.vendor, zone=zone, method=method, amount=amount
        )

    near = place((shirt, 1), region="Jawa Tengah")
    assert near.shipping_total == 10_000 and near.total == 110_000
    far = place((shirt, 1), region="Bali")
    assert far.shipping_total == 25_000

    cart = Cart.objects.create()
    services.cart_add(cart=cart, product=shirt, quantity=1)
    services.cart_add(cart=cart, product=coffee, quantity=1)
    with pytest.raises(ValidationError, match="does not ship"):
        services.order_place(
            cart=cart,
            expo=expo,
            details=details(country="JP", region="Tokyo"),
            provider="manual",
            buyer=None,
        )
    assert cart.items.count() == 2


def test_preorder_lines_count_against_the_quota_and_carry_a_ship_date(expo, make_booth, place):
    booth = make_booth(expo, preorder=True)
    jamu = booth.products.get(is_preorder=True)
    order = place((jamu, 4))
    line = order.lines.get()
    assert line.is_preorder
    assert line.ships_by == timezone.localdate(order.placed_at) + timedelta(days=7)
    jamu.refresh_from_db()
    assert (jamu.preorder_quota, jamu.stock) == (16, 5)


def test_attribution_is_kept_on_the_order_and_its_ledger_entries(place, booth_a, organiser):
    shirt, _ = products(booth_a)
    order = place((shirt, 1), attribution=Attribution(Channel.LIVE_SESSION, 12, "Batik tulis demo"))
    services.transfer_confirm(payment=order.payments.get(), by=organiser)
    entry = SalesLedgerEntry.objects.get()
    assert (order.channel, entry.channel) == (Channel.LIVE_SESSION, Channel.LIVE_SESSION)
    assert (entry.attribution_id, entry.attribution_label) == (12, "Batik tulis demo")


# --- Bank transfer: confirmation, expiry ------------------------------------------------------------


def test_bank_transfer_from_order_to_confirmation(
    place,
    booth_a,
    booth_b,
    buyer,
    organiser,
    make_vendor_user,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    shirt, _ = products(booth_a)
    (coffee,) = products(booth_b)
    vendor_a = make_vendor_user(booth_a, language="id")
    order = place((shirt, 2), (coffee, 1), buyer=buyer)
    payment = order.payments.get()
    assert [p.pk for p in selectors.pending_transfers(expo=order.expo)] == [payment.pk]

    with django_capture_on_commit_callbacks(execute=True):
        confirmation = services.transfer_confirm(
            payment=payment, by=organiser, note="BCA mutasi 12/3"
        )
    order.refresh_from_db()
    payment.refresh_from_db()
    assert confirmation.changed
    assert order.status == Order.Status.PAID and order.stock == Order.Stock.SOLD
    assert payment.status == Payment.Status.SUCCEEDED and payment.confirmed_by == organiser
    assert set(order.parts.values_list("status", flat=True)) == {OrderPart.Status.PAID}
    assert selectors.pending_transfers(expo=order.expo) == []

    entries = SalesLedgerEntry.objects.order_by("amount")
    assert [(e.kind, e.amount, e.vendor.name) for e in entries] == [
        ("sale", 55_000, "Kopi Gunung"),
        ("sale", 200_000, "Batik Sekar"),
    ]
    sale = entries.get(vendor=booth_a.vendor)
    assert (sale.region, sale.sector, sale.buyer_country) == (
        booth_a.vendor.region,
        booth_a.vendor.sector,
        "ID",
    )
    assert selectors.omzet(expo=order.expo) == 255_000

    recipients = sorted(m.to[0] for m in mailoutbox)
    assert recipients == sorted(["ayu@example.com", vendor_a.email])
    vendor_mail = next(m for m in mailoutbox if m.to == [vendor_a.email])
    assert order.code in vendor_mail.subject
    assert shirt.name_id in vendor_mail.body  # in the member's language (Indonesian)
    assert coffee.name_en not in vendor_mail.body and coffee.name_id not in vendor_mail.body

    again = services.transfer_confirm(payment=payment, by=organiser)
    assert not again.changed
    assert SalesLedgerEntry.objects.count() == 2


def test_only_organisers_of_the_expos_office_confirm_transfers(
    place, booth_a, make_organiser, buyer
):
    shirt, _ = products(booth_a)
    order = place((shirt, 1))
    payment = order.payments.get()
    for outsider in (make_organiser(), buyer):
        with pytest.raises(PermissionDenied):
            services.transfer_confirm(payment=payment, by=outsider)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CREATED
    assert not SalesLedgerEntry.objects.exists()


def test_unconfirmed_transfers_expire_and_release_stock(
    place, booth_a, buyer, mailoutbox, django_capture_on_commit_callbacks
):
    shirt, scarf = products(booth_a)
    order = place((shirt, 3), (scarf, 2), buyer=buyer)
    fresh = place((shirt, 1))
    shirt.refresh_from_db()
    assert shirt.stock == 1

    assert services.orders_expire() == 0  # not yet due
    later = timezone.now() + timedelta(hours=25)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.orders_expire(now=later) == 2
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert order.cancel_reason == Order.CancelReason.EXPIRED
    assert order.stock == Order.Stock.RELEASED
    assert order.payments.get().status == Payment.Status.CANCELLED
    shirt.refresh_from_db(), scarf.refresh_from_db()
    assert (shirt.stock, scarf.stock) == (5, 5)
    fresh.refresh_from_db()
    assert fresh.status == Order.Status.CANCELLED
    assert any("expired" in m.subject.lower() for m in mailoutbox)
    # Running again releases nothing twice.
    assert services.orders_expire(now=later) == 0
    shirt.refresh_from_db()
    assert shirt.stock == 5


def test_late_transfer_revives_the_order_or_is_given_back(place, booth_a, organiser):
    shirt, _ = products(booth_a)
    late = place((shirt, 2))
    services.orders_expire(now=timezone.now() + timedelta(days=2))
    services.transfer_confirm(payment=late.payments.get(), by=organiser)
    late.refresh_from_db()
    assert late.status == Order.Status.PAID
    shirt.refresh_from_db()
    assert shirt.stock == 3

    gone = place((shirt, 3))
    services.orders_expire(now=timezone.now() + timedelta(days=2))
    place((shirt, 3))  # someone else buys the last three meanwhile
    services.transfer_confirm(payment=gone.payments.get(), by=organiser)
    gone.refresh_from_db()
    assert gone.status == Order.Status.CANCELLED
    refund = gone.refunds.get()
    assert refund.amount == gone.total and refund.status == Refund.Status.PENDING
    assert not SalesLedgerEntry.objects.filter(order=gone).exists()


def test_buyer_cancels_and_items_go_back_to_the_cart(place, booth_a, buyer, make_user):
    shirt, _ = products(booth_a)
    order = place((shirt, 2), buyer=buyer)
    with pytest.raises(PermissionDenied):
        services.order_cancel(order=order, reason=Order.CancelReason.BUYER, by=make_user())
    services.order_cancel(order=order, reason=Order.CancelReason.BUYER, by=buyer)
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    shirt.refresh_from_db()
    assert shirt.stock == 5
    assert dict(buyer.cart.items.values_list("product_id", "quantity")) == {shirt.pk: 2}


# --- Fulfilment --------------------------------------------------------------------------------------


def test_fulfilment_steps_and_each_vendor_only_its_own_part(
    place,
    booth_a,
    booth_b,
    buyer,
    organiser,
    make_vendor_user,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    shirt, _ = products(booth_a)
    (coffee,) = products(booth_b)
    order = place((shirt, 1), (coffee, 1), buyer=buyer)
    services.transfer_confirm(payment=order.payments.get(), by=organiser)
    part_a = order.parts.get(vendor=booth_a.vendor)
    part_b = order.parts.get(vendor=booth_b.vendor)
    vendor_a = make_vendor_user(booth_a)

    with pytest.raises(PermissionDenied):
        services.part_mark_packed(part=part_b, by=vendor_a)
    with pytest.raises(PermissionDenied):
        services.part_mark_shipped(part=part_b, courier="jne", tracking_number="X", by=vendor_a)
    part_b.refresh_from_db()
    assert part_b.status == OrderPart.Status.PAID

    with pytest.raises(ValidationError, match="tracking"):
        services.part_mark_shipped(part=part_a, courier="jne", tracking_number="  ", by=vendor_a)
    with pytest.raises(ValidationError):
        services.part_mark_delivered(part=part_a, by=vendor_a)  # not shipped yet

    services.part_mark_packed(part=part_a, by=vendor_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.part_mark_shipped(
            part=part_a, courier="sicepat", tracking_number="SCP0012345", by=vendor_a
        )
    order.refresh_from_db()
    assert order.status == Order.Status.PAID  # the coffee is not packed yet
    shipped_mail = mailoutbox[-1]
    assert shipped_mail.to == ["ayu@example.com"]
    assert "SiCepat" in shipped_mail.body and "SCP0012345" in shipped_mail.body

    vendor_b = make_vendor_user(booth_b)
    services.part_mark_shipped(
        part=part_b, courier="other", courier_name="Paxel", tracking_number="PX1", by=vendor_b
    )
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED
    services.part_mark_delivered(part=part_a, by=buyer)  # the buyer confirms receipt
    services.part_mark_delivered(part=part_b, by=vendor_b)
    order.refresh_from_db()
    assert order.status == Order.Status.DELIVERED
    part_b.refresh_from_db()
    assert part_b.courier_label == "Paxel"


# --- Refunds -----------------------------------------------------------------------------------------


def test_refund_per_line_and_in_full_writes_negative_ledger_entries(
    place, booth_a, booth_b, buyer, organiser, make_vendor_user
):
    shirt, scarf = products(booth_a)
    (coffee,) = products(booth_b)
    VendorShippingRate.objects.create(
        vendor=booth_a.vendor, zone=ShippingZone.DOMESTIC, method=ShippingMethod.FLAT, amount=20_000
    )
    order = place((shirt, 1), (scarf, 2), (coffee, 1), buyer=buyer)
    services.transfer_confirm(payment=order.payments.get(), by=organiser)
    scarf_line = order.lines.get(product=scarf)
    coffee_line = order.lines.get(product=coffee)
    vendor_a = make_vendor_user(booth_a)

    with pytest.raises(PermissionDenied):
        services.order_refund(order=order, lines=[coffee_line], by=vendor_a)
    with pytest.raises(PermissionDenied):
        services.order_refund(order=order, by=vendor_a)  # a whole order: organisers only

    refund = services.order_refund(
        order=order, lines=[scarf_line], by=vendor_a, reason="Out of stock"
    )
    assert refund.amount == 80_000 and refund.shipping == 0
    assert refund.status == Refund.Status.PENDING  # a bank transfer goes back by hand
    assert selectors.omzet(expo=order.expo) == 100_000 + 80_000 + 55_000 - 80_000
    with pytest.raises(ValidationError, match="Nothing is left"):
        services.order_refund(order=order, lines=[scarf_line], by=vendor_a)

    full = services.order_refund(order=order, by=organiser, reason="Buyer moved abroad")
    assert full.amount == 100_000 + 55_000 + 20_000
    assert full.shipping == 20_000
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert order.refunded_total == order.total
    assert selectors.omzet(expo=order.expo) == 0
    kinds = list(SalesLedgerEntry.objects.values_list("kind", flat=True))
    assert kinds.count("sale") == 3 and kinds.count("refund") == 3


def test_the_ledger_is_append_only(place, booth_a, organiser):
    shirt, _ = products(booth_a)
    order = place((shirt, 1))
    services.transfer_confirm(payment=order.payments.get(), by=organiser)
    entry = SalesLedgerEntry.objects.get()
    with pytest.raises(TypeError):
        SalesLedgerEntry.objects.update(amount=1)
    with pytest.raises(TypeError):
        SalesLedgerEntry.objects.all().delete()
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()


# --- Settlement -------------------------------------------------------------------------------------


def test_settlement_is_sales_minus_refunds_minus_fee_and_is_paid_out_once(
    place, booth_a, booth_b, organiser, make_organiser, make_vendor_user
):
    shirt, scarf = products(booth_a)
    (coffee,) = products(booth_b)
    VendorShippingRate.objects.create(
        vendor=booth_a.vendor, zone=ShippingZone.DOMESTIC, method=ShippingMethod.FLAT, amount=15_000
    )
    order = place((shirt, 2), (scarf, 1), (coffee, 2))
    services.transfer_confirm(payment=order.payments.get(), by=organiser)
    services.order_refund(order=order, lines=[order.lines.get(product=scarf)], by=organiser)

    row = selectors.settlement_for(expo=order.expo, vendor=booth_a.vendor)
    assert (row.sales, row.refunds, row.net) == (240_000, 40_000, 200_000)
    assert row.fee == 5_000  # 2.5 % of 200.000
    assert row.shipping == 15_000
    assert row.owed == row.balance == 200_000 - 5_000 + 15_000

    with pytest.raises(PermissionDenied):
        services.settlement_pay_out(expo=order.expo, vendor=booth_a.vendor, by=make_organiser())
    with pytest.raises(PermissionDenied):
        services.settlement_pay_out(
            expo=order.expo, vendor=booth_a.vendor, by=make_vendor_user(booth_a)
        )
    payout = services.settlement_pay_out(
        expo=order.expo, vendor=booth_a.vendor, by=organiser, reference="TRF 001"
    )
    assert payout.amount == 210_000
    assert selectors.settlement_for(expo=order.expo, vendor=booth_a.vendor).balance == 0
    with pytest.raises(ValidationError, match="Nothing is owed"):
        services.settlement_pay_out(expo=order.expo, vendor=booth_a.vendor, by=organiser)
    other = selectors.settlement_for(expo=order.expo, vendor=booth_b.vendor)
    assert (other.sales, other.fee, other.balance) == (110_000, 2_750, 107_250)
