"""The payment pages of the vendor workspace (/vendor/<slug>/orders/, shipping/, settlements/) and
of the organiser workspace (/manage/expos/<slug>/payments/…): every permission boundary, bad input
(nothing changed), the CSV export's formula neutralisation, constant query counts, and the
transfer confirmation, fulfilment, refund and payout flows through the pages."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from booths.models import Product
from expo.spreadsheets import neutralise as csv_safe
from payments import selectors, services
from payments.models import (
    CollectingAccount,
    ExchangeRate,
    Order,
    OrderPart,
    Payment,
    Refund,
    SalesLedgerEntry,
    SettlementPayout,
    ShippingMethod,
    VendorShippingRate,
)

pytestmark = pytest.mark.django_db


def products(booth):
    return list(booth.products.order_by("pk"))


def url(name, *args):
    return reverse(f"payments:{name}", args=args)


def flashes(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def paid(order, organiser):
    services.transfer_confirm(payment=order.payments.get(), by=organiser)
    order.refresh_from_db()
    return order


def part_of(order, booth):
    return order.parts.get(booth=booth)


@pytest.fixture
def vendor_a(make_vendor_user, booth_a):
    return make_vendor_user(booth_a, name="Sekar Owner")


@pytest.fixture
def vendor_b(make_vendor_user, booth_b):
    return make_vendor_user(booth_b, name="Kopi Owner")


@pytest.fixture
def mixed_order(place, booth_a, booth_b, organiser):
    """A paid order with lines from both booths."""
    shirt, scarf = products(booth_a)
    (coffee,) = products(booth_b)
    return paid(place((shirt, 1), (scarf, 2), (coffee, 1)), organiser)


@pytest.fixture
def other_organiser(make_organiser):
    return make_organiser(name="Other Office")


# --- Vendor: who may see what ------------------------------------------------------------------------


def test_vendor_pages_need_a_login(client, booth_a, mixed_order):
    part = part_of(mixed_order, booth_a)
    slug = booth_a.vendor.slug
    for target in (
        url("vendor_orders", slug),
        url("vendor_orders_csv", slug),
        url("vendor_order", slug, part.pk),
        url("vendor_shipping", slug),
        url("vendor_settlements", slug),
    ):
        response = client.get(target)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], target
    response = client.post(url("vendor_order_packed", slug, part.pk))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert OrderPart.objects.get(pk=part.pk).status == OrderPart.Status.PAID


def test_unknown_vendor_is_404_and_a_non_member_gets_403(
    client, booth_a, vendor_b, buyer, mixed_order
):
    part = part_of(mixed_order, booth_a)
    slug = booth_a.vendor.slug
    client.force_login(vendor_b)
    assert client.get(url("vendor_orders", "no-such-vendor")).status_code == 404
    for target in (
        url("vendor_orders", slug),
        url("vendor_orders_csv", slug),
        url("vendor_order", slug, part.pk),
        url("vendor_shipping", slug),
        url("vendor_settlements", slug),
    ):
        assert client.get(target).status_code == 403, target
    client.force_login(buyer)
    assert client.get(url("vendor_orders", slug)).status_code == 403


def test_vendor_list_shows_only_its_own_parts_and_lines(
    client, booth_a, booth_b, vendor_a, mixed_order, place
):
    (coffee,) = products(booth_b)
    only_b = place((coffee, 1), email="other@example.com", name="Budi Kopi")
    client.force_login(vendor_a)
    response = client.get(url("vendor_orders", booth_a.vendor.slug))
    assert response.status_code == 200
    html = response.content.decode()
    shirt, scarf = products(booth_a)
    assert mixed_order.code in html and shirt.name_en in html and scarf.name_en in html
    assert coffee.name_en not in html
    assert only_b.code not in html and "Budi Kopi" not in html
    assert [p.pk for p in response.context["page_obj"]] == [part_of(mixed_order, booth_a).pk]


def test_vendor_cannot_see_or_change_another_vendors_part(
    client, booth_a, booth_b, vendor_a, mixed_order
):
    theirs = part_of(mixed_order, booth_b)
    mine = booth_a.vendor.slug
    client.force_login(vendor_a)
    # Through its own slug another vendor's part does not exist …
    assert client.get(url("vendor_order", mine, theirs.pk)).status_code == 404
    for action in ("vendor_order_packed", "vendor_order_delivered"):
        assert client.post(url(action, mine, theirs.pk)).status_code == 404
    response = client.post(
        url("vendor_order_shipped", mine, theirs.pk), {"courier": "jne", "tracking_number": "X1"}
    )
    assert response.status_code == 404
    # … and through the other vendor's slug the account is not a member.
    assert client.get(url("vendor_order", booth_b.vendor.slug, theirs.pk)).status_code == 403
    assert (
        client.post(url("vendor_order_packed", booth_b.vendor.slug, theirs.pk)).status_code == 403
    )
    theirs.refresh_from_db()
    assert theirs.status == OrderPart.Status.PAID and theirs.tracking_number == ""
    # Its own part's page shows only its lines.
    response = client.get(url("vendor_order", mine, part_of(mixed_order, booth_a).pk))
    (coffee,) = products(booth_b)
    assert response.status_code == 200 and coffee.name_en not in response.content.decode()


def test_vendor_order_page_shows_the_shipping_address(client, booth_a, vendor_a, mixed_order):
    client.force_login(vendor_a)
    response = client.get(
        url("vendor_order", booth_a.vendor.slug, part_of(mixed_order, booth_a).pk)
    )
    html = response.content.decode()
    for text in (
        "Ayu Lestari",
        "Jl. Pemuda 12",
        "Semarang",
        "50132",
        "+62 812 3456 7890",
        "ayu@example.com",
    ):
        assert text in html
    assert 'data-testid="mark-packed"' in html and 'data-testid="ship-form"' in html


# --- Vendor: fulfilment ------------------------------------------------------------------------------


def test_vendor_packs_ships_and_delivers(
    client, booth_a, booth_b, vendor_a, mixed_order, mailoutbox, django_capture_on_commit_callbacks
):
    part = part_of(mixed_order, booth_a)
    slug = booth_a.vendor.slug
    client.force_login(vendor_a)
    mailoutbox.clear()

    response = client.post(url("vendor_order_packed", slug, part.pk))
    assert response.status_code == 302 and response["Location"] == url(
        "vendor_order", slug, part.pk
    )
    part.refresh_from_db()
    assert part.status == OrderPart.Status.PACKED

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("vendor_order_shipped", slug, part.pk),
            {"courier": "sicepat", "tracking_number": " 004400112233 "},
        )
    assert response.status_code == 302
    part.refresh_from_db()
    assert (part.status, part.courier, part.tracking_number) == (
        "shipped",
        "sicepat",
        "004400112233",
    )
    shipped_mail = [m for m in mailoutbox if "004400112233" in m.body]
    assert shipped_mail and shipped_mail[0].to == ["ayu@example.com"]

    # The other vendor has not shipped: the order as a whole is still "paid".
    mixed_order.refresh_from_db()
    assert mixed_order.status == Order.Status.PAID
    assert part_of(mixed_order, booth_b).status == OrderPart.Status.PAID

    response = client.post(url("vendor_order_delivered", slug, part.pk))
    part.refresh_from_db()
    assert response.status_code == 302 and part.status == OrderPart.Status.DELIVERED
    response = client.get(url("vendor_order", slug, part.pk))
    assert (
        "004400112233" in response.content.decode()
        and "mark-packed" not in response.content.decode()
    )


def test_shipping_without_a_tracking_number_changes_nothing(client, booth_a, vendor_a, mixed_order):
    part = part_of(mixed_order, booth_a)
    slug = booth_a.vendor.slug
    client.force_login(vendor_a)
    response = client.post(
        url("vendor_order_shipped", slug, part.pk), {"courier": "jne", "tracking_number": "  "}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    response = client.post(
        url("vendor_order_shipped", slug, part.pk), {"courier": "other", "tracking_number": "A1"}
    )
    assert response.status_code == 400 and "Name the courier." in response.content.decode()
    response = client.post(
        url("vendor_order_shipped", slug, part.pk), {"courier": "ufo", "tracking_number": "A1"}
    )
    assert response.status_code == 400
    part.refresh_from_db()
    assert (part.status, part.tracking_number, part.courier) == (OrderPart.Status.PAID, "", "")


def test_unpaid_parts_cannot_be_packed_and_say_so(client, booth_a, vendor_a, place):
    shirt, _ = products(booth_a)
    order = place((shirt, 1))
    part = part_of(order, booth_a)
    slug = booth_a.vendor.slug
    client.force_login(vendor_a)
    html = client.get(url("vendor_order", slug, part.pk)).content.decode()
    assert 'data-testid="unpaid-notice"' in html and "mark-packed" not in html
    response = client.post(url("vendor_order_packed", slug, part.pk), follow=True)
    assert any("cannot be marked so now" in m for m in flashes(response))
    part.refresh_from_db()
    assert part.status == OrderPart.Status.PENDING


# --- Vendor: filters, counts, CSV --------------------------------------------------------------------


def test_vendor_filters_by_status_search_and_expo(
    client, booth_a, vendor_a, place, organiser, make_expo, make_booth, mixed_order
):
    shirt, scarf = products(booth_a)
    waiting = place((scarf, 1), name="Rina Menunggu", email="rina@example.com")
    part = part_of(mixed_order, booth_a)
    services.part_mark_packed(part=part, by=vendor_a)
    slug = booth_a.vendor.slug
    client.force_login(vendor_a)

    def codes(**query):
        response = client.get(url("vendor_orders", slug), query)
        assert response.status_code == 200
        return {p.order.code for p in response.context["page_obj"]}

    assert codes() == {mixed_order.code, waiting.code}
    assert codes(status="packed") == {mixed_order.code}
    assert codes(status="pending") == {waiting.code}
    assert codes(q="rina@") == {waiting.code}
    assert codes(q=mixed_order.code.lower()) == {mixed_order.code}
    assert codes(q=shirt.name_en) == {mixed_order.code}
    assert codes(expo=mixed_order.expo.slug) == {mixed_order.code, waiting.code}
    assert codes(expo="another-expo") == set()
    assert codes(status="nonsense") == {mixed_order.code, waiting.code}  # a bad filter shows all
    response = client.get(url("vendor_orders", slug))
    counts = {t["value"]: t["count"] for t in response.context["tabs"]}
    assert counts[""] == 2 and counts["packed"] == 1 and counts["pending"] == 1


def test_csv_has_only_own_lines_and_neutralises_formulas(
    client, booth_a, booth_b, vendor_a, place, organiser
):
    shirt, _ = products(booth_a)
    (coffee,) = products(booth_b)
    order = paid(
        place(
            (shirt, 2),
            (coffee, 1),
            name='=HYPERLINK("http://evil.example","click")',
            address="+SUM(1,2)",
            city="@cmd",
            postal_code="-2+3",
            region="\tTAB",
        ),
        organiser,
    )
    client.force_login(vendor_a)
    response = client.get(url("vendor_orders_csv", booth_a.vendor.slug))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert len(body) == 1  # one line of this vendor; the other vendor's line is not there
    row = dict(zip(header, body[0], strict=True))
    assert row["Order"] == order.code
    assert row["Product"] == shirt.name_en and coffee.name_en not in response.content.decode()
    assert row["Quantity"] == "2" and row["Line total (Rp)"] == str(2 * shirt.price)
    assert row["Buyer"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["Address"] == "'+SUM(1,2)"
    assert row["City"] == "'@cmd"
    assert row["Postal code"] == "'-2+3"
    assert row["Province or state"] == "'\tTAB"
    assert row["Phone"] == "'+62 812 3456 7890"


def test_csv_safe_cell_rules():
    assert csv_safe("=1+1") == "'=1+1"
    assert csv_safe("+1") == "'+1"
    assert csv_safe("-1") == "'-1"
    assert csv_safe("@A1") == "'@A1"
    assert csv_safe("\t=1") == "'\t=1"
    assert csv_safe("\r=1") == "'\r=1"
    assert csv_safe("Batik = art") == "Batik = art"
    assert csv_safe(-5) == -5 and csv_safe(12_000) == 12_000


def test_csv_follows_the_filters(client, booth_a, vendor_a, place, organiser):
    shirt, scarf = products(booth_a)
    paid_order = paid(place((shirt, 1)), organiser)
    waiting = place((scarf, 1))
    client.force_login(vendor_a)
    content = client.get(
        url("vendor_orders_csv", booth_a.vendor.slug), {"status": "pending"}
    ).content.decode()
    assert waiting.code in content and paid_order.code not in content


# --- Vendor: shipping rates and settlements ----------------------------------------------------------


def rates_post(**overrides):
    data = {
        "province_method": "flat",
        "province_amount": "15000",
        "domestic_method": "flat",
        "domestic_amount": "30000",
        "international_method": "arrange",
        "international_amount": "",
    }
    data.update(overrides)
    return data


def test_vendor_sets_shipping_rates(client, booth_a, vendor_a):
    client.force_login(vendor_a)
    target = url("vendor_shipping", booth_a.vendor.slug)
    assert client.get(target).status_code == 200
    response = client.post(target, rates_post())
    assert response.status_code == 302
    rates = {
        r.zone: (r.method, r.amount)
        for r in VendorShippingRate.objects.filter(vendor=booth_a.vendor)
    }
    assert rates == {
        "province": ("flat", 15_000),
        "domestic": ("flat", 30_000),
        "international": ("arrange", 0),
    }
    form = client.get(target).context["form"]
    assert form["domestic_amount"].value() == 30_000


@pytest.mark.parametrize(
    "bad",
    [
        {"province_amount": ""},  # flat without a rate
        {"province_amount": "-5"},
        {"province_amount": "15.000,50"},
        {"province_amount": "99999999999"},
        {"domestic_method": "teleport"},
        {"international_method": ""},
    ],
)
def test_malformed_shipping_rates_change_nothing(client, booth_a, vendor_a, bad):
    VendorShippingRate.objects.create(
        vendor=booth_a.vendor, zone="province", method="flat", amount=9_000
    )
    client.force_login(vendor_a)
    response = client.post(url("vendor_shipping", booth_a.vendor.slug), rates_post(**bad))
    assert response.status_code == 400
    assert "nothing was saved" in " ".join(flashes(response))
    assert list(VendorShippingRate.objects.values_list("zone", "method", "amount")) == [
        ("province", "flat", 9_000)
    ]


def test_non_member_cannot_change_shipping_rates(client, booth_a, vendor_b):
    client.force_login(vendor_b)
    response = client.post(url("vendor_shipping", booth_a.vendor.slug), rates_post())
    assert response.status_code == 403
    assert not VendorShippingRate.objects.exists()


def test_vendor_settlement_statement(client, booth_a, vendor_a, mixed_order, organiser, settings):
    settings.PLATFORM_FEE_BPS = 250
    services.order_refund(
        order=mixed_order,
        lines=[mixed_order.lines.get(part__booth=booth_a, quantity=2)],
        by=organiser,
    )
    client.force_login(vendor_a)
    response = client.get(url("vendor_settlements", booth_a.vendor.slug))
    assert response.status_code == 200
    ((expo, row, payouts),) = response.context["statements"]
    assert (row.sales, row.refunds) == (180_000, 80_000)
    assert row.fee == 2_500 and row.owed == 97_500 and payouts == []
    html = response.content.decode()
    assert "Rp 97.500" in html and "2.5%" in html

    services.settlement_pay_out(expo=expo, vendor=booth_a.vendor, by=organiser, reference="TRF-77")
    html = client.get(url("vendor_settlements", booth_a.vendor.slug)).content.decode()
    assert "TRF-77" in html


# --- Organiser: who may see what ---------------------------------------------------------------------


def manage_urls(expo, order, payment, vendor):
    return [
        ("get", url("manage_transfers", expo.slug)),
        ("get", url("manage_orders", expo.slug)),
        ("get", url("manage_order", expo.slug, order.code)),
        ("get", url("manage_settlements", expo.slug)),
        ("get", url("manage_account", expo.slug)),
        ("get", url("manage_rates", expo.slug)),
        ("post", url("manage_transfer_confirm", expo.slug, payment.pk)),
        ("post", url("manage_order_refund", expo.slug, order.code)),
        ("post", url("manage_payout", expo.slug, vendor.pk)),
        ("post", url("manage_account", expo.slug)),
        ("post", url("manage_rates", expo.slug)),
    ]


def test_organiser_pages_need_a_login(client, expo, place, booth_a):
    shirt, _ = products(booth_a)
    order = place((shirt, 1))
    for method, target in manage_urls(expo, order, order.payments.get(), booth_a.vendor):
        response = getattr(client, method)(target)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], target


def test_organiser_of_another_office_can_do_nothing(
    client, expo, place, booth_a, other_organiser, vendor_a, organiser
):
    shirt, _ = products(booth_a)
    waiting = place((shirt, 1))
    done = paid(place((shirt, 1)), organiser)
    payment = waiting.payments.get()
    for user in (other_organiser, vendor_a):
        client.force_login(user)
        for method, target in manage_urls(expo, done, payment, booth_a.vendor):
            data = {"note": "x", "reference": "x", "scope": "all", "bank_name": "X", "USD": "1"}
            response = (
                getattr(client, method)(target, data) if method == "post" else client.get(target)
            )
            assert response.status_code == 403, (user, target)
    payment.refresh_from_db()
    done.refresh_from_db()
    assert payment.status == Payment.Status.CREATED
    assert done.refunded_total == 0 and not Refund.objects.exists()
    assert not SettlementPayout.objects.exists()
    assert CollectingAccount.objects.get(expo=expo).bank_name == "Bank Jateng"
    assert not ExchangeRate.objects.exists()


def test_objects_of_another_expo_are_404(
    client, expo, organiser, make_expo, make_booth, place, details
):
    other = make_expo("open", office=expo.office)
    booth = make_booth(other, name="Elsewhere")
    product = booth.products.first()
    order = place((product, 1))
    client.force_login(organiser)
    assert client.get(url("manage_order", expo.slug, order.code)).status_code == 404
    assert (
        client.post(url("manage_transfer_confirm", expo.slug, order.payments.get().pk)).status_code
        == 404
    )
    assert (
        client.post(url("manage_order_refund", expo.slug, order.code), {"scope": "all"}).status_code
        == 404
    )
    assert client.post(url("manage_payout", expo.slug, booth.vendor.pk)).status_code == 404
    assert client.get(url("manage_orders", "no-such-expo")).status_code == 404
    assert order.payments.get().status == Payment.Status.CREATED


# --- Organiser: transfers, orders, refunds -----------------------------------------------------------


def test_confirming_a_transfer_on_the_page_writes_the_ledger_and_emails(
    client,
    expo,
    organiser,
    place,
    booth_a,
    booth_b,
    vendor_a,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    shirt, _ = products(booth_a)
    (coffee,) = products(booth_b)
    order = place((shirt, 1), (coffee, 2))
    payment = order.payments.get()
    client.force_login(organiser)
    page = client.get(url("manage_transfers", expo.slug))
    assert page.status_code == 200
    assert payment.reference in page.content.decode() and "Bank Jateng" in page.content.decode()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("manage_transfer_confirm", expo.slug, payment.pk), {"note": "BCA 12/3"}, follow=True
        )
    assert response.status_code == 200
    assert any("confirmed" in m for m in flashes(response))
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (
        order.status == Order.Status.PAID
        and payment.confirmed_by == organiser
        and payment.note == "BCA 12/3"
    )
    assert sorted(SalesLedgerEntry.objects.values_list("vendor__name", "amount")) == [
        ("Batik Sekar", 100_000),
        ("Kopi Gunung", 110_000),
    ]
    recipients = {m.to[0] for m in mailoutbox}
    assert {"ayu@example.com", vendor_a.email} <= recipients
    assert payment.reference not in client.get(url("manage_transfers", expo.slug)).content.decode()
    # Confirming again changes nothing.
    response = client.post(url("manage_transfer_confirm", expo.slug, payment.pk), follow=True)
    assert any("already confirmed" in m for m in flashes(response))
    assert SalesLedgerEntry.objects.count() == 2


def test_too_long_transfer_note_changes_nothing(client, expo, organiser, place, booth_a):
    shirt, _ = products(booth_a)
    order = place((shirt, 1))
    client.force_login(organiser)
    client.post(
        url("manage_transfer_confirm", expo.slug, order.payments.get().pk), {"note": "x" * 300}
    )
    assert order.payments.get().status == Payment.Status.CREATED


def test_organiser_order_list_filters_and_detail(
    client, expo, organiser, place, booth_a, mixed_order
):
    shirt, _ = products(booth_a)
    waiting = place((shirt, 1), name="Wulan Pending", email="wulan@example.com")
    client.force_login(organiser)

    def codes(**query):
        response = client.get(url("manage_orders", expo.slug), query)
        assert response.status_code == 200
        return {o.code for o in response.context["page_obj"]}

    assert codes() == {mixed_order.code, waiting.code}
    assert codes(status="paid") == {mixed_order.code}
    assert codes(status="pending") == {waiting.code}
    assert codes(q="wulan") == {waiting.code}
    assert codes(q=mixed_order.code) == {mixed_order.code}
    assert codes(status="bogus") == {mixed_order.code, waiting.code}
    detail = client.get(url("manage_order", expo.slug, mixed_order.code))
    html = detail.content.decode()
    assert detail.status_code == 200 and "Batik Sekar" in html and "Kopi Gunung" in html
    assert 'data-testid="refund-form"' in html
    assert client.get(url("manage_order", expo.slug, "NOPE1234")).status_code == 404


def test_organiser_refunds_one_line_then_the_rest(
    client, expo, organiser, mixed_order, booth_a, mailoutbox
):
    scarf_line = mixed_order.lines.get(part__booth=booth_a, quantity=2)
    client.force_login(organiser)
    target = url("manage_order_refund", expo.slug, mixed_order.code)
    response = client.post(
        target, {"scope": "lines", "lines": [scarf_line.pk], "reason": "Damaged"}
    )
    assert response.status_code == 302
    mixed_order.refresh_from_db()
    assert mixed_order.refunded_total == 80_000
    assert SalesLedgerEntry.objects.filter(kind="refund").get().amount == -80_000

    # The same line again: nothing is left of it — clear message, nothing changed.
    response = client.post(target, {"scope": "lines", "lines": [scarf_line.pk]})
    assert response.status_code == 400
    assert "Nothing is left to refund." in response.content.decode()
    # No line chosen.
    response = client.post(target, {"scope": "lines"})
    assert (
        response.status_code == 400 and "Choose the items to refund." in response.content.decode()
    )
    # A line of another order.
    response = client.post(target, {"scope": "lines", "lines": [999_999]})
    assert response.status_code == 400
    mixed_order.refresh_from_db()
    assert mixed_order.refunded_total == 80_000 and Refund.objects.count() == 1

    response = client.post(target, {"scope": "all"})
    assert response.status_code == 302
    mixed_order.refresh_from_db()
    assert mixed_order.refunded_total == mixed_order.total
    assert mixed_order.status == Order.Status.REFUNDED
    assert selectors.omzet(expo=expo) == 0
    # Over the paid amount: nothing is left.
    response = client.post(target, {"scope": "all"})
    assert response.status_code == 400 and "Nothing is left to refund." in response.content.decode()
    assert Refund.objects.count() == 2


def test_refunding_an_unpaid_order_is_refused(client, expo, organiser, place, booth_a):
    shirt, _ = products(booth_a)
    order = place((shirt, 1))
    client.force_login(organiser)
    response = client.post(url("manage_order_refund", expo.slug, order.code), {"scope": "all"})
    assert response.status_code == 400
    assert "has not been paid" in response.content.decode()
    assert not Refund.objects.exists()


# --- Organiser: settings and settlements -------------------------------------------------------------


def test_collecting_account_form(client, expo, organiser):
    client.force_login(organiser)
    target = url("manage_account", expo.slug)
    assert client.get(target).context["form"]["bank_name"].value() == "Bank Jateng"
    data = {"bank_name": "BRI", "account_number": "0123-01-000456-30-7", "account_holder": "Dinkop"}
    assert client.post(target, data).status_code == 302
    account = CollectingAccount.objects.get(expo=expo)
    assert (account.bank_name, account.account_number, account.updated_by) == (
        "BRI",
        "0123-01-000456-30-7",
        organiser,
    )
    response = client.post(target, {**data, "bank_name": "Mandiri", "account_number": "=1+1"})
    assert response.status_code == 400 and "digits, spaces and dashes" in response.content.decode()
    assert CollectingAccount.objects.get(expo=expo).bank_name == "BRI"


def test_exchange_rates_form(client, expo, organiser):
    client.force_login(organiser)
    target = url("manage_rates", expo.slug)
    assert client.get(target).status_code == 200
    assert (
        client.post(target, {"USD": "16250", "SGD": "12100.5", "JPY": "108.25"}).status_code == 302
    )
    rates = {code: str(value) for code, value in selectors.exchange_rates(expo_id=expo.pk).items()}
    assert rates == {"USD": "16250.0000", "SGD": "12100.5000", "JPY": "108.2500"}
    html = client.get(target).content.decode()
    assert "US$ 6.15" in html  # Rp 100.000 at 16.250
    for bad in (
        {"USD": "abc"},
        {"USD": "-3"},
        {"USD": "0"},
        {"USD": "1e400"},
        {"EUR": "12.123456"},
    ):
        response = client.post(target, {"USD": "16250", "SGD": "12100.5", **bad})
        assert response.status_code == 400, bad
    assert {code: str(v) for code, v in selectors.exchange_rates(expo_id=expo.pk).items()} == rates
    # An empty field removes the rate.
    client.post(target, {"USD": "16300"})
    assert set(selectors.exchange_rates(expo_id=expo.pk)) == {"USD"}


def test_settlements_table_and_payout(
    client,
    expo,
    organiser,
    mixed_order,
    booth_a,
    booth_b,
    vendor_a,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    client.force_login(organiser)
    target = url("manage_settlements", expo.slug)
    response = client.get(target)
    rows = {row.vendor.pk: row for row in response.context["rows"]}
    assert rows[booth_a.vendor.pk].sales == 180_000 and rows[booth_b.vendor.pk].sales == 55_000
    assert rows[booth_a.vendor.pk].balance == 180_000 - 4_500

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("manage_payout", expo.slug, booth_a.vendor.pk),
            {"reference": "BJTG-0042"},
            follow=True,
        )
    assert any("Paid out Rp 175.500" in m for m in flashes(response))
    payout = SettlementPayout.objects.get()
    assert (payout.vendor, payout.amount, payout.reference, payout.paid_by) == (
        booth_a.vendor,
        175_500,
        "BJTG-0042",
        organiser,
    )
    assert [m.to for m in mailoutbox] == [[vendor_a.email]]
    # Nothing is owed any more: refused with a message, nothing recorded.
    response = client.post(
        url("manage_payout", expo.slug, booth_a.vendor.pk), {"reference": "again"}, follow=True
    )
    assert any("Nothing is owed" in m for m in flashes(response))
    assert SettlementPayout.objects.count() == 1
    assert "BJTG-0042" in client.get(target).content.decode()


# --- Query counts ------------------------------------------------------------------------------------


def make_orders(n, place, organiser, shirt, coffee):
    for i in range(n):
        order = place((shirt, 1), (coffee, 1), email=f"b{i}@example.com")
        if i % 2 == 0:
            paid(order, organiser)


@pytest.mark.parametrize(
    "name, who",
    [
        ("vendor_orders", "vendor"),
        ("manage_orders", "organiser"),
        ("manage_settlements", "organiser"),
        ("manage_transfers", "organiser"),
        ("vendor_settlements", "vendor"),
    ],
)
def test_list_query_counts_do_not_grow(
    client, expo, organiser, place, booth_a, booth_b, vendor_a, name, who, django_assert_num_queries
):
    Product.objects.update(stock=100)
    shirt, _ = products(booth_a)
    (coffee,) = products(booth_b)
    client.force_login(vendor_a if who == "vendor" else organiser)
    slug = booth_a.vendor.slug if who == "vendor" else expo.slug
    target = url(name, slug)

    make_orders(2, place, organiser, shirt, coffee)

    client.get(target)  # warm the session and permission caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(target).status_code == 200
    make_orders(8, place, organiser, shirt, coffee)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(target)
    assert response.status_code == 200
    if name in ("vendor_orders", "manage_orders"):
        assert len(response.context["page_obj"].object_list) == 10


def test_navigation_links_lead_to_the_payment_pages(client, expo, organiser, booth_a, vendor_a):
    client.force_login(vendor_a)
    html = client.get(reverse("vendor:dashboard", args=[booth_a.vendor.slug])).content.decode()
    assert url("vendor_orders", booth_a.vendor.slug) in html
    assert url("vendor_shipping", booth_a.vendor.slug) in html
    assert url("vendor_settlements", booth_a.vendor.slug) in html
    client.force_login(organiser)
    html = client.get(reverse("manage:expo_overview", args=[expo.slug])).content.decode()
    assert url("manage_transfers", expo.slug) in html


def test_shipping_method_arrange_is_default_for_new_vendors(client, booth_a, vendor_a):
    client.force_login(vendor_a)
    form = client.get(url("vendor_shipping", booth_a.vendor.slug)).context["form"]
    assert form["province_method"].value() == ShippingMethod.ARRANGE
