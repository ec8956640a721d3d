"""What a module that sells through the checkout is told: a charge of its ``purpose`` was paid.

DESIGN: ``payments`` never imports the modules above it (banners live in ``expo``). Such a module
registers, at import, a function called inside the transaction that records the payment, so its
own record (a banner's fee) changes with it or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from payments.models import Charge

_on_paid: dict[str, Callable[[Charge], None]] = {}


def register_charge(purpose: str, *, on_paid: Callable[[Charge], None]) -> None:
    _on_paid[purpose] = on_paid


def charge_paid(charge: Charge) -> None:
    handler = _on_paid.get(charge.purpose)
    if handler is None:
        raise LookupError(f"nothing is registered for charges of purpose {charge.purpose!r}")
    handler(charge)
