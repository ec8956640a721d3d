"""Writes of the payments app, a package by concern:

- :mod:`.cart` the cart; :mod:`.orders` placing an order; :mod:`.stock` reserving and releasing
  stock; :mod:`.paying` paying in the page; :mod:`.confirmation` recording a received payment (of
  an order or a charge); :mod:`.cancellation` cancelling and failed payments; :mod:`.sync` asking
  the providers (webhooks, reconciliation, expiry); :mod:`.refunds`; :mod:`.fulfilment`;
  :mod:`.charges` the organiser's own sales (banner fees); :mod:`.settings` shipping rates, the
  collecting account and exchange rates; :mod:`.settlements` paying vendors out;
- and their helpers: :mod:`.locks`, :mod:`.ledger` (the sales ledger), :mod:`.notify` (e-mails),
  :mod:`.codes`, :mod:`.errors` (the refusals).

Rules kept here, whoever calls (views, webhooks, tasks, admin, commands):
- Stock is reserved with a conditional ``UPDATE … WHERE stock >= qty`` inside the order's
  transaction (never check-then-act); a lock wait past ``PAYMENTS_LOCK_TIMEOUT_MS`` becomes
  :class:`Busy` ("busy, try again"). Every change of stock goes through :mod:`.stock`.
- A payment's state is re-read from its provider before acting on it (:func:`payment_sync`);
  confirming is idempotent (the payment row is locked, an already received payment changes
  nothing).
- The sales ledger is written in the same transaction as the change that causes it: sales when an
  order is paid, refunds when money is given back.
- Network calls to a provider happen outside the order's transaction, except for refunds, which
  hold the order's lock while asking the provider so two refunds cannot overlap.
- The core never names a provider: it asks :mod:`payments.providers` by name.

The public services are re-exported here, so callers write ``services.order_place(...)``.
"""

from payments.rules import CART_SESSION_KEY, MAX_QUANTITY, fee_for, quantity_problem
from payments.services.cancellation import order_cancel, payment_fail
from payments.services.cart import (
    cart_acknowledge_prices,
    cart_add,
    cart_adopt_on_login,
    cart_get_or_create,
    cart_merge,
    cart_remove,
    cart_set_quantity,
    carts_forget_abandoned,
)
from payments.services.charges import charge_cancel, charge_open
from payments.services.codes import new_order_code
from payments.services.confirmation import (
    Confirmation,
    payment_confirm,
    payment_received,
    transfer_confirm,
)
from payments.services.errors import Busy, PricesChanged, SoldOut
from payments.services.fulfilment import part_mark_delivered, part_mark_packed, part_mark_shipped
from payments.services.orders import (
    BuyerDetails,
    PlannedPart,
    order_place,
    plan_order,
    transfer_awaited_announce,
)
from payments.services.paying import charge_pay_with_card, payment_pay_with_card
from payments.services.refunds import order_refund, payment_sync_refunds
from payments.services.settings import (
    collecting_account_update,
    exchange_rates_update,
    shipping_rates_update,
)
from payments.services.settlements import settlement_pay_out
from payments.services.sync import (
    orders_expire,
    payment_act_on,
    payment_sync,
    payments_reconcile,
    webhook_event_handle,
)

__all__ = [
    "CART_SESSION_KEY",
    "MAX_QUANTITY",
    "Busy",
    "BuyerDetails",
    "Confirmation",
    "PlannedPart",
    "PricesChanged",
    "SoldOut",
    "cart_acknowledge_prices",
    "cart_add",
    "cart_adopt_on_login",
    "cart_get_or_create",
    "cart_merge",
    "cart_remove",
    "cart_set_quantity",
    "carts_forget_abandoned",
    "charge_cancel",
    "charge_open",
    "charge_pay_with_card",
    "collecting_account_update",
    "exchange_rates_update",
    "fee_for",
    "new_order_code",
    "order_cancel",
    "order_place",
    "order_refund",
    "orders_expire",
    "part_mark_delivered",
    "part_mark_packed",
    "part_mark_shipped",
    "payment_act_on",
    "payment_confirm",
    "payment_fail",
    "payment_pay_with_card",
    "payment_received",
    "payment_sync",
    "payment_sync_refunds",
    "payments_reconcile",
    "plan_order",
    "transfer_awaited_announce",
    "quantity_problem",
    "settlement_pay_out",
    "shipping_rates_update",
    "transfer_confirm",
    "webhook_event_handle",
]
