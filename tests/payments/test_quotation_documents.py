"""The proforma invoice, the commercial invoice and the packing list: PDFs in the buyer's language
(English and Indonesian), read back as text."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from payments import services
from payments.models import CollectingAccount
from payments.quotations import documents
from payments.quotations import services as quotes
from tests.payments.quoting import ask, business_buyer, export_details, offer, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_order(booth_a, make_user, make_vendor_user, organiser, details):
    product = booth_a.products.order_by("pk").first()
    product.stock = 5000
    product.save(update_fields=["stock"])
    CollectingAccount.objects.filter(expo=booth_a.expo).update(
        swift_bic="BPDJIDJ1", bank_address="Jl. Pemuda 142, Semarang"
    )
    importer = business_buyer(make_user)
    vendor_user = make_vendor_user(booth_a)
    quotation = offer(ask(booth_a, importer), vendor_user)

    def build(language: str):
        order = quotes.quotation_accept(
            quotation=quotation,
            by=importer,
            revision=1,
            details=replace(export_details(details), language=language),
            provider="manual",
        )
        return order

    return build, organiser, vendor_user


def _in(language: str, *words: str) -> list[str]:
    with translation.override(language):
        return [_(word) for word in words]


@pytest.mark.parametrize("language", ["en", "id"])
def test_proforma_in_the_buyers_language(paid_order, language):
    build, _organiser, _vendor = paid_order
    order = build(language)
    text = pdf_text(documents.render_pdf(order, "proforma"))
    assert order.code in text and "BPDJIDJ1" in text and "CIF Hamad Port, Doha" in text
    assert "2103.90" in text  # the HS code the vendor quoted
    for word in _in(language, "Proforma invoice", "Deposit", "Balance before shipping"):
        assert word in text, word
    with translation.override(language):  # the date in the buyer's language too
        today = formats.date_format(timezone.localdate(), "j F Y")
    assert today in text


@pytest.mark.parametrize("language", ["en", "id"])
def test_commercial_invoice_and_packing_list(paid_order, language):
    build, organiser, vendor_user = paid_order
    order = build(language)
    for payment in [order.payments.get()]:
        services.transfer_confirm(payment=payment, by=organiser)
    balance = quotes.quotation_pay_balance(order=order, by=order.buyer, provider="manual")
    services.transfer_confirm(payment=balance, by=organiser)
    services.part_mark_shipped(
        part=order.parts.get(),
        courier="other",
        courier_name="DHL",
        tracking_number="JD0123",
        by=vendor_user,
    )
    invoice = pdf_text(documents.render_pdf(order, "invoice"))
    assert order.code in invoice and "JD0123" in invoice and "2103.90" in invoice
    packing = pdf_text(documents.render_pdf(order, "packing"))
    assert "400.0" in packing  # 2,000 jars × 200 g net
    [invoice_title, packing_title] = _in(language, "Commercial invoice", "Packing list")
    assert invoice_title in invoice and packing_title in packing
