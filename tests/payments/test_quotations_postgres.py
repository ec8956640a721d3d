"""The export deal end to end on PostgreSQL with the real localstripe: request → quotation →
revision → acceptance → proforma → deposit by bank transfer (confirmed by the organiser) →
balance by card → packed and shipped; the sales ledger, the funnel and the omzet agree. Then
nothing is counted twice, and a refund moves realised down by its amount."""

from __future__ import annotations

import pytest

from expo.reports.figures.funnel import expo_funnel
from payments import selectors, services
from payments.models import Order, Payment, SalesLedgerEntry
from payments.quotations import documents
from payments.quotations import services as quotes
from tests.payments.quoting import ask, business_buyer, export_details, offer, pdf_text
from tests.payments.test_stripe import PAID_CARD, card

pytestmark = [pytest.mark.postgres, pytest.mark.stripe, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sambal(booth_a):
    product = booth_a.products.order_by("pk").first()
    product.stock = 5000
    product.save(update_fields=["stock"])
    return product


def test_rfq_to_shipped_on_postgres_and_localstripe(
    booth_a, sambal, make_user, make_vendor_user, organiser, details, stripe_settings
):
    importer = business_buyer(make_user)
    vendor_user = make_vendor_user(booth_a)
    expo = booth_a.expo

    request = ask(booth_a, importer)
    offer(request, vendor_user, unit_price=33_000)
    quotation = request.quotation
    quotes.quotation_ask_revision(quotation=quotation, by=importer, note="Rp 30.000 per jar?")
    offer(request, vendor_user, unit_price=31_000)
    quotes.quotation_ask_revision(quotation=quotation, by=importer, note="And 30.000?")
    quotation = offer(request, vendor_user, unit_price=30_000)
    assert quotation.revision == 3

    order = quotes.quotation_accept(
        quotation=quotation,
        by=importer,
        revision=3,
        details=export_details(details),
        provider="manual",
    )
    proforma = pdf_text(documents.render_pdf(order, "proforma"))
    assert order.code in proforma and "SWIFT" in proforma

    deposit = order.payments.get()
    services.transfer_confirm(payment=deposit, by=organiser)
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING and not SalesLedgerEntry.objects.exists()

    balance = quotes.quotation_pay_balance(order=order, by=importer, provider="stripe")
    assert balance.provider_ref and balance.amount == order.total - deposit.amount
    attempt = services.payment_pay_with_card(order=order, card=card(PAID_CARD), by=importer)
    assert attempt.state.status == "succeeded"
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert sorted(order.payments.values_list("provider", "status")) == [
        ("manual", Payment.Status.SUCCEEDED),
        ("stripe", Payment.Status.SUCCEEDED),
    ]

    part = order.parts.get()
    services.part_mark_packed(part=part, by=vendor_user)
    services.part_mark_shipped(
        part=part,
        courier="other",
        courier_name="DHL Express",
        tracking_number="1234567890",
        by=vendor_user,
    )
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED

    goods = 2000 * 30_000
    funnel = expo_funnel(expo)
    assert (funnel.requests, funnel.quotations, funnel.accepted) == (1, 1, 1)
    assert funnel.potential == funnel.agreed == funnel.realised == goods
    assert selectors.omzet(expo=expo, channel="quotation") == goods
    assert sum(SalesLedgerEntry.objects.values_list("amount", flat=True)) == goods
    [qatar] = funnel.by["buyer_country"]
    assert (qatar.key, qatar.potential, qatar.agreed, qatar.realised) == ("QA", goods, goods, goods)
    [vendor_row] = funnel.by["vendor"]
    assert vendor_row.key == booth_a.vendor_id and vendor_row.realised == goods
    assert funnel.median_first_quote is not None

    # A refund of the card's part moves realised (and the omzet) down by its amount.
    line = order.lines.get()
    refund = services.order_refund(order=order, by=organiser, lines=[line], reason="damaged")
    assert refund.amount == line.amount + order.shipping_total
    funnel = expo_funnel(expo)
    assert funnel.realised == goods - line.amount == selectors.omzet(expo=expo, channel="quotation")
    assert funnel.potential == funnel.agreed == goods  # quoted and agreed stay as they were
