"""Builders shared by the quotation tests: a business buyer with a profile, a request for
quotation, an offer and its acceptance."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from booths.models import Product
from booths.services import rfq
from expo import buyers
from payments.models import PaymentTerms, ShippingTerms
from payments.quotations import services as quotes


def business_buyer(make_user, *, country: str = "QA", consent: bool = True, **extra):
    user = make_user(name=extra.pop("name", "Fatima Al-Thani"), country=country, **extra)
    buyers.buyer_profile_save(
        user=user,
        company="Doha Fine Foods",
        country=country,
        buyer_type="importer",
        products="sambal, coffee",
        consent=consent,
    )
    return user


def ask(booth, buyer, *, quantity: int = 2000, product: Product | None = None, **terms):
    product = product or booth.products.order_by("pk").first()
    values = {
        "destination_country": "QA",
        "destination_place": "Hamad Port",
        "incoterm": "CIF",
        "wanted_by": timezone.localdate() + timedelta(days=60),
        "needs_halal": True,
    }
    values.update(terms)
    return rfq.quote_request_create(
        booth=booth,
        buyer=buyer,
        lines=[rfq.RequestedLine(product=product, quantity=quantity, unit="jar")],
        terms=rfq.RequestTerms(**values),
    )


def offer(
    request,
    vendor_user,
    *,
    unit_price: int = 30_000,
    quantity: int = 2000,
    deposit: int = 30,
    shipping: int = 4_000_000,
):
    product = request.lines.first().product
    return quotes.quotation_send(
        request=request,
        by=vendor_user,
        lines=[
            quotes.OfferedLine(
                name_en="Sambal bawang, 200 g jar",
                name_id="Sambal bawang, toples 200 g",
                quantity=quantity,
                unit_price=unit_price,
                unit="jar",
                min_quantity=500,
                product=product,
                hs_code="2103.90",
                weight_grams=200,
            )
        ],
        terms=quotes.OfferTerms(
            incoterm="CIF",
            named_place="Hamad Port, Doha",
            lead_time_days=21,
            valid_until=timezone.localdate() + timedelta(days=14),
            payment_terms=PaymentTerms.DEPOSIT if deposit else PaymentTerms.FULL,
            deposit_percent=deposit,
            shipping_terms=ShippingTerms.QUOTED if shipping else ShippingTerms.TO_AGREE,
            shipping_amount=shipping,
            note="Halal certified (MUI).",
        ),
    )


def export_details(details):
    return details(
        email="fatima@dohafinefoods.qa",
        name="Fatima Al-Thani",
        phone="+974 4444 1234",
        address="Street 230, Industrial Area",
        city="Doha",
        region="",
        postal_code="",
        country="QA",
        language="en",
    )


def pdf_text(pdf: bytes) -> str:
    """The text of every page of a PDF, as a reader's copy and paste would give it."""
    import io

    from pypdf import PdfReader

    assert pdf.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
