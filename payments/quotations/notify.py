"""E-mails of the export deal, each in its recipient's language: a new request to the vendor's
members (told by booths through :data:`expo.signals.happened`, since booths cannot name the
quotation pages), a quotation to the buyer, the buyer's answer to the vendor's members."""

from __future__ import annotations

from typing import Any

from booths.models import QuoteRequest, VendorMembership
from expo.services import send_templated_email
from payments.models import Quotation

TEMPLATES = "payments/quotes/email/"


def _members(vendor_id: int) -> list[Any]:
    return [
        m.user
        for m in VendorMembership.objects.filter(
            vendor_id=vendor_id, user__is_active=True
        ).select_related("user")
    ]


def on_happened(sender: Any, *, event: str, obj: Any, **kwargs: Any) -> None:
    """The receiver of :data:`expo.signals.happened` for a new request for quotation."""
    if event == "booths.rfq.received" and isinstance(obj, QuoteRequest):
        for user in _members(obj.vendor_id):
            send_templated_email(to=user, template=f"{TEMPLATES}rfq_received", context={"rfq": obj})


def quotation_sent(quotation: Quotation) -> None:
    send_templated_email(
        to=quotation.buyer,
        template=f"{TEMPLATES}quotation_sent",
        context={"quotation": quotation},
    )


def quotation_answered(quotation: Quotation) -> None:
    """The buyer accepted, or asked for a revision: the vendor's members are told."""
    for user in _members(quotation.vendor_id):
        send_templated_email(
            to=user, template=f"{TEMPLATES}quotation_answered", context={"quotation": quotation}
        )
