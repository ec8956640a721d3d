"""The deal's documents, drawn from the order an accepted quotation became: the proforma invoice
(what to pay, and where: the expo's collecting account with its SWIFT code), and once the order
is paid the commercial invoice and the packing list for the shipment.

Each is a PDF in the buyer's language (the order's), laid out by WeasyPrint like the expo report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from payments.models import CollectingAccount, Order, Payment, Quotation, QuotationRevision

KINDS = ("proforma", "invoice", "packing")


@dataclass(frozen=True)
class DocumentLine:
    name: str
    hs_code: str
    unit: str
    quantity: int
    unit_price: int
    weight_grams: int

    @property
    def amount(self) -> int:
        return self.unit_price * self.quantity

    @property
    def net_kg(self) -> str:
        grams = self.weight_grams * self.quantity
        return f"{grams / 1000:,.1f}" if grams else "—"


def _revision(quotation: Quotation) -> QuotationRevision:
    return quotation.revisions.prefetch_related("lines").get(number=quotation.revision)


def context(order: Order, kind: str) -> dict[str, Any]:
    """What every document shows: the order, its quotation's accepted terms and lines (with the
    HS codes and weights the order lines do not keep), the vendor, the account, the payments."""
    quotation = Quotation.objects.select_related(
        "request", "vendor__region", "booth", "expo__office"
    ).get(order=order)
    revision = _revision(quotation)
    lines = [
        DocumentLine(
            name=line.name,
            hs_code=line.hs_code,
            unit=line.unit,
            quantity=line.quantity,
            unit_price=line.unit_price,
            weight_grams=line.weight_grams,
        )
        for line in revision.lines.all()
    ]
    received = sum(
        order.payments.filter(status=Payment.Status.SUCCEEDED).values_list("amount", flat=True)
    )
    deposit = revision.deposit_amount
    part = order.parts.first()
    titles = {
        "proforma": _("Proforma invoice"),
        "invoice": _("Commercial invoice"),
        "packing": _("Packing list"),
    }
    numbers = {"proforma": "PI", "invoice": "CI", "packing": "PL"}
    return {
        "kind": kind,
        "title": titles[kind],
        "number": f"{numbers[kind]}-{order.code}",
        "order": order,
        "quotation": quotation,
        "request": quotation.request,
        "revision": revision,
        "vendor": quotation.vendor,
        "expo": quotation.expo,
        "part": part,
        "lines": lines,
        "total_net_kg": f"{sum(li.weight_grams * li.quantity for li in lines) / 1000:,.1f}",
        "total_quantity": sum(li.quantity for li in lines),
        "account": CollectingAccount.objects.filter(expo_id=order.expo_id).first(),
        "deposit": deposit,
        "balance": order.total - deposit if deposit else 0,
        "received": received,
        "due": max(order.total - received, 0),
        "issued_on": timezone.localdate(),
    }


def render_html(order: Order, kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown document {kind!r}")
    with translation.override(order.language or "en"):
        return render_to_string(f"payments/documents/{kind}.html", context(order, kind))


def render_pdf(order: Order, kind: str) -> bytes:
    """The document ``kind`` of ``order`` as a PDF, in the order's language."""
    from weasyprint import CSS, HTML

    style = CSS(string=render_to_string("payments/documents/document.css"))
    return HTML(string=render_html(order, kind)).write_pdf(stylesheets=[style])


FILE_STEMS = {"proforma": "proforma", "invoice": "commercial-invoice", "packing": "packing-list"}


def filename(order: Order, kind: str) -> str:
    return f"{FILE_STEMS[kind]}-{order.code}.pdf"
