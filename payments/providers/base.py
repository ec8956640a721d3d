"""The small interface every payment provider implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from payments.models import Payment

State = Literal["succeeded", "pending", "failed", "cancelled"]


class ProviderError(Exception):
    """The provider could not be reached or answered oddly: nothing changed, try again later.
    ``message`` is for the buyer, translated."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PaymentDeclined(Exception):
    """The provider refused the payment (a declined card); ``message`` is the provider's reason."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ProviderState:
    """What the provider says about a payment now (re-read, never taken from a webhook body)."""

    status: State
    amount: int | None = None  # rupiah received, when succeeded
    message: str = ""


@dataclass(frozen=True)
class ProviderRefund:
    provider_ref: str | None  # the provider's refund id, None when people move the money
    done: bool  # False: recorded, money still to be sent back by hand


class PaymentProvider(ABC):
    """A way to pay. ``start`` prepares a new :class:`~payments.models.Payment` (filling in its
    reference or provider id, which the caller saves); ``state`` asks the provider what happened
    (``None`` when only people can tell, as for a bank transfer); ``refund`` gives money back;
    ``cancel`` makes a payment that was not made impossible to complete."""

    name: str
    label: str
    # Minutes an unpaid order keeps its stock reserved with this provider.
    reservation_minutes: int

    @abstractmethod
    def is_available(self) -> bool: ...

    @abstractmethod
    def start(self, payment: Payment) -> None: ...

    @abstractmethod
    def state(self, payment: Payment) -> ProviderState | None: ...

    @abstractmethod
    def refund(self, payment: Payment, *, amount: int, key: str) -> ProviderRefund: ...

    @abstractmethod
    def cancel(self, payment: Payment) -> None: ...
