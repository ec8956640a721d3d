"""Manual bank transfer, the default: needs no keys. The buyer transfers the total to the expo's
collecting account with the order's reference; the organiser's staff confirm receipt."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from payments.providers.base import PaymentProvider, ProviderRefund, ProviderState

if TYPE_CHECKING:
    from payments.models import Payment


class ManualTransfer(PaymentProvider):
    name = "manual"
    label = _("Bank transfer")
    description = _(
        "Transfer to the expo's account; the organisers confirm it. Your items are held for you meanwhile."
    )
    refund_note = _(
        "Bank transfers are recorded here; transfer the money back to the buyer yourself."
    )
    confirms_offline = True
    start_needs_network = False

    @property
    def reservation_minutes(self) -> int:  # type: ignore[override]
        return int(settings.BANK_TRANSFER_EXPIRY_HOURS) * 60

    def is_available(self) -> bool:
        return True

    def start(self, payment: Payment) -> None:
        # The order number is unique and short enough for a transfer's note.
        payment.reference = payment.code

    def state(self, payment: Payment) -> ProviderState | None:
        return None  # only the organiser's staff can tell, by looking at the account

    def refund(self, payment: Payment, *, amount: int, key: str) -> ProviderRefund:
        # The office transfers the money back from the collecting account.
        return ProviderRefund(provider_ref=None, done=False)

    def cancel(self, payment: Payment) -> None:
        return None
