"""Reads of requests and quotations: each side finds only its own. A buyer's are looked up through
the account, a vendor's through the vendor, so another's number answers nothing (a 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from booths.models import QuoteRequest, Vendor
from payments.models import Order, Payment, Quotation, QuotationRevision

STATUS_FILTERS = ("", *QuoteRequest.Status.values)


def _with_quotation(rows: QuerySet[QuoteRequest]) -> QuerySet[QuoteRequest]:
    return rows.select_related("quotation", "booth", "vendor", "expo", "buyer").prefetch_related(
        "lines"
    )


def buyer_requests(*, user: Any) -> QuerySet[QuoteRequest]:
    if not getattr(user, "is_authenticated", False):
        return QuoteRequest.objects.none()
    return _with_quotation(QuoteRequest.objects.filter(buyer=user))


def buyer_request(*, user: Any, code: str) -> QuoteRequest | None:
    return buyer_requests(user=user).filter(code=code).first()


def vendor_requests(*, vendor: Vendor, status: str = "") -> QuerySet[QuoteRequest]:
    rows = QuoteRequest.objects.filter(vendor=vendor)
    if status:
        rows = rows.filter(status=status)
    return _with_quotation(rows)


def vendor_request(*, vendor: Vendor, code: str) -> QuoteRequest | None:
    return vendor_requests(vendor=vendor).filter(code=code).first()


def vendor_status_counts(*, vendor: Vendor) -> dict[str, int]:
    from django.db.models import Count

    rows = QuoteRequest.objects.filter(vendor=vendor).values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows.order_by()}


def revisions(quotation: Quotation | None) -> list[QuotationRevision]:
    """Every revision sent, newest first, with their lines."""
    if quotation is None:
        return []
    return list(
        quotation.revisions.select_related("created_by")
        .prefetch_related("lines")
        .order_by("-number")
    )


def order_payments(order: Order | None) -> list[Payment]:
    if order is None:
        return []
    return list(order.payments.order_by("created_at", "pk"))


def order_of(request: QuoteRequest) -> Order | None:
    quotation = getattr(request, "quotation", None)
    if quotation is None or quotation.order_id is None:
        return None
    return (
        Order.objects.select_related("expo")
        .prefetch_related(
            Prefetch("payments", queryset=Payment.objects.order_by("created_at", "pk"))
        )
        .get(pk=quotation.order_id)
    )
