"""Checks the quotation pages ask (through :mod:`booths.hooks`) before recording that a request for
quotation came from a private question or a meeting: it must be the buyer's own, with that
vendor. Registered in :mod:`events.apps`."""

from __future__ import annotations

from typing import Any

from events.matching.models import Meeting
from events.models import Inquiry


def inquiry_is_theirs(*, source_id: int, buyer: Any, vendor_id: int) -> bool:
    return Inquiry.objects.filter(
        pk=source_id, buyer_id=getattr(buyer, "pk", None), booth__vendor_id=vendor_id
    ).exists()


def meeting_is_theirs(*, source_id: int, buyer: Any, vendor_id: int) -> bool:
    return Meeting.objects.filter(
        pk=source_id, buyer_id=getattr(buyer, "pk", None), vendor_id=vendor_id
    ).exists()
