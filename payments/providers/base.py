"""The interface every payment provider implements, and what it answers with.

The core (services, views, selectors) asks a provider for what it needs through these methods and
attributes only; nothing outside a provider's own module knows which provider it is.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from expo.refusals import Refused

if TYPE_CHECKING:
    from payments.models import Payment

State = Literal["succeeded", "pending", "failed", "cancelled"]


class ProviderError(Refused):
    """The provider could not be reached or answered oddly: nothing changed, try again later.
    ``message`` is for the buyer, translated."""

    default_code = "provider_unavailable"


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


@dataclass(frozen=True)
class RefundSeen:
    """A refund the provider reports for a payment (made here or in its own dashboard)."""

    provider_ref: str
    amount: int  # rupiah
    status: str  # the provider's word: "succeeded" and "pending" count, others do not


@dataclass(frozen=True)
class Attempt:
    """What paying in the page gave: the state, and the secret the page's script needs when the
    buyer must finish an authentication step (3-D Secure) with the provider."""

    state: ProviderState
    requires_action: bool = False
    client_secret: str = ""


class PaymentProvider(ABC):
    """A way to pay. ``start`` prepares a new :class:`~payments.models.Payment` (filling in its
    reference or provider id, which the caller saves); ``state`` asks the provider what happened
    (``None`` when only people can tell, as for a bank transfer); ``refund`` gives money back;
    ``cancel`` makes a payment that was not made impossible to complete.

    Providers whose payment is made in the page (``pays_in_page``) also give the page its
    configuration (:meth:`client_config`, rendered by ``page_template``) and take what the page
    collected (:meth:`pay`). A provider with views of its own (a webhook) names their URLconf in
    ``urls``; they are served under the ``payments`` namespace."""

    name: str
    label: str  # the buyer's choice at checkout
    description: str = ""  # one line under the choice
    staff_label: str = ""  # how the organiser's pages name it (``label`` when empty)
    short_label: str = ""  # in lists (``label`` when empty)
    refund_note: str = ""  # the organiser's refund box: where the money goes
    # Minutes an unpaid order keeps its stock reserved with this provider.
    reservation_minutes: int
    # People confirm the money arrived (a bank transfer): ``state`` is None, the buyer is mailed
    # the instructions, the organiser's transfers page lists the payment.
    confirms_offline: bool = False
    # ``start`` makes no network call, so it runs inside the order's own transaction.
    start_needs_network: bool = True
    # The buyer pays in the page: :meth:`client_config` and :meth:`pay`.
    pays_in_page: bool = False
    # :meth:`refunds_of` lists refunds made at the provider, to be recorded here.
    reports_refunds: bool = False
    # The template of the page's payment box (given ``config`` from :meth:`client_config`).
    page_template: str = ""
    # A URLconf module of the provider's own views (webhooks), or "".
    urls: str = ""

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

    def refunds_of(self, payment: Payment) -> list[RefundSeen]:
        """Refunds the provider knows of for ``payment`` (none, for a provider people run)."""
        return []

    def client_config(self, *, pay_url: str, sync_url: str) -> dict[str, Any]:
        """What the page's script needs to take the payment and post it to ``pay_url``."""
        raise NotImplementedError(f"{self.name} is not paid in the page")

    def page_box(self, *, pay_url: str, sync_url: str) -> dict[str, Any]:
        """What a page shows to pay in it: ``template`` rendered with ``config``."""
        return {
            "provider": self.name,
            "template": self.page_template,
            "config": self.client_config(pay_url=pay_url, sync_url=sync_url),
        }

    def pay(self, payment: Payment, *, data: str) -> Attempt:
        """Complete ``payment`` with what the page collected (a card token, say)."""
        raise NotImplementedError(f"{self.name} is not paid in the page")

    def title(self, kind: str = "") -> str:
        """The provider's name for the organiser's pages (``staff``) or lists (``short``)."""
        chosen = {"staff": self.staff_label, "short": self.short_label}.get(kind, "")
        return str(chosen or self.label)
