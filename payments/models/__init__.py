"""Carts, orders, payments, refunds, the sales ledger and vendor settlements.

Money is whole rupiah in integer fields everywhere (IDR has no minor unit in practice); only the
Stripe boundary converts, in :func:`payments.money.to_stripe_amount`.

An order's state (:class:`Order.Status`, and each vendor's :class:`OrderPart` fulfilment state) is
kept apart from its payments (:class:`Payment`) and refunds (:class:`Refund`), each with its own
state. Omzet is counted only from :class:`SalesLedgerEntry`, an append-only record written in the
same transaction as the change that causes it.
"""

from payments.models.cart import Cart, CartItem
from payments.models.ledger import AppendOnlyQuerySet, SalesLedgerEntry, SettlementPayout
from payments.models.offline import OfflineSale, OfflineSaleCount, OfflineVerification
from payments.models.orders import Channel, Order, OrderLine, OrderPart
from payments.models.payments import Charge, Payment, Refund, WebhookEvent
from payments.models.quotations import (
    PaymentTerms,
    Quotation,
    QuotationLine,
    QuotationRevision,
    ShippingTerms,
)
from payments.models.rollups import (
    OmzetBuyer,
    OmzetBuyerCount,
    OmzetByBooth,
    OmzetByHour,
    OmzetByOrigin,
)
from payments.models.settings import (
    CollectingAccount,
    Currency,
    ExchangeRate,
    ShippingMethod,
    ShippingZone,
    TransferFees,
    VendorShippingRate,
)

__all__ = [
    "AppendOnlyQuerySet",
    "Cart",
    "CartItem",
    "Channel",
    "Charge",
    "CollectingAccount",
    "Currency",
    "ExchangeRate",
    "OmzetBuyer",
    "OmzetBuyerCount",
    "OmzetByBooth",
    "OmzetByHour",
    "OmzetByOrigin",
    "Order",
    "OrderLine",
    "OfflineSale",
    "OfflineSaleCount",
    "OfflineVerification",
    "OrderPart",
    "Payment",
    "PaymentTerms",
    "Quotation",
    "QuotationLine",
    "QuotationRevision",
    "Refund",
    "SalesLedgerEntry",
    "SettlementPayout",
    "ShippingMethod",
    "ShippingTerms",
    "ShippingZone",
    "TransferFees",
    "VendorShippingRate",
    "WebhookEvent",
]
