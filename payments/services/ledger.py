"""The sales ledger, written in the same transaction as the change that causes it: sales when an
order is paid, refunds when money is given back. Append-only; omzet is counted from it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction

from payments import signals
from payments.models import Order, OrderLine, Refund, SalesLedgerEntry
from payments.services.rollups import omzet_add


def write(
    order: Order,
    rows: Iterable[tuple[OrderLine, int, int]],
    *,
    occurred_at: datetime,
    refund: Refund | None = None,
) -> None:
    """Append one ledger entry per ``(line, signed amount, quantity)``, with the breakdown copied
    from the order and its vendor as they are now, add them to the omzet rollups in the same
    transaction, and tell the listeners (the omzet reports). The caller holds the order's lock."""
    parts = {p.pk: p for p in order.parts.select_related("vendor")}
    entries = []
    for line, amount, quantity in rows:
        part = parts[line.part_id]
        vendor = part.vendor
        entries.append(
            SalesLedgerEntry(
                kind=SalesLedgerEntry.Kind.SALE if amount > 0 else SalesLedgerEntry.Kind.REFUND,
                amount=amount,
                expo_id=order.expo_id,
                booth_id=part.booth_id,
                vendor_id=vendor.pk,
                region_id=vendor.region_id,
                sector_id=vendor.sector_id,
                size_class=vendor.size_class,
                buyer_country=order.country,
                channel=order.channel,
                attribution_id=order.attribution_id,
                attribution_label=order.attribution_label,
                order=order,
                line=line,
                refund=refund,
                quantity=quantity,
                occurred_at=occurred_at,
            )
        )
    sold_before: set[int] = set()
    if any(entry.kind == SalesLedgerEntry.Kind.SALE for entry in entries):
        # Where the order already counts as an order (see payments.services.rollups).
        sold_before = set(
            SalesLedgerEntry.objects.filter(order=order, kind=SalesLedgerEntry.Kind.SALE)
            .order_by()
            .values_list("booth_id", flat=True)
            .distinct()
        )
    with transaction.atomic(savepoint=False):
        SalesLedgerEntry.objects.bulk_create(entries)
        omzet_add(order=order, entries=entries, sold_before=sold_before)
    if entries:
        signals.ledger_written.send(sender=SalesLedgerEntry, expo_id=order.expo_id)


def sales(order: Order, occurred_at: datetime) -> None:
    """The order was paid: one sale per line."""
    rows = [(line, line.amount, line.quantity) for line in order.lines.all()]
    write(order, rows, occurred_at=occurred_at)


def refunds(order: Order, refund: Refund, allocation: list[tuple[OrderLine, int]]) -> None:
    """``refund`` gave back ``amount`` of each line: negative entries (a whole line's quantity
    goes back with its whole amount)."""
    rows = [
        (line, -amount, -line.quantity if amount == line.amount else 0)
        for line, amount in allocation
        if amount > 0
    ]
    write(order, rows, occurred_at=refund.created_at, refund=refund)
