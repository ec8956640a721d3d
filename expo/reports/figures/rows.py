"""The shapes of the figures: money of one slice, a line of a breakdown, an expo's totals, its
potential deals and its whole dashboard. No queries here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from expo.models import Expo

if TYPE_CHECKING:
    from expo.reports.figures.channels import ChannelSplit


def average_order(omzet: int, transactions: int) -> int:
    """Average order value: omzet per paid order, in whole rupiah (rounded half up); 0 without
    orders."""
    if not transactions:
        return 0
    return (2 * omzet + transactions) // (2 * transactions)


@dataclass(frozen=True)
class Conversion:
    """Visitors and buyers of a booth (or of an expo's booths together); see
    :mod:`expo.reports.figures.conversion` for who counts."""

    visitors: int = 0
    buyers: int = 0

    @property
    def rate(self) -> float | None:
        """Buyers per visitor in percent (0..100); None before anyone visited."""
        if not self.visitors:
            return None
        return 100.0 * self.buyers / self.visitors


@dataclass
class Money:
    """Sales, refunds (negative) and orders of one slice; omzet = sales + refunds."""

    sales: int = 0
    refunds: int = 0
    orders: int = 0
    quantity: int = 0

    @property
    def omzet(self) -> int:
        return self.sales + self.refunds

    def add(self, row: dict[str, Any]) -> None:
        self.sales += row["sales"] or 0
        self.refunds += row["refunds"] or 0
        self.orders += row["orders"] or 0
        self.quantity += row["quantity"] or 0


@dataclass
class Row:
    """One line of a breakdown table."""

    key: Any
    label: str
    money: Money = field(default_factory=Money)
    extra: dict[str, Any] = field(default_factory=dict)
    share: float = 0.0  # of the expo's omzet, 0..100 (for bars only, never summed)

    @property
    def omzet(self) -> int:
        return self.money.omzet

    @property
    def orders(self) -> int:
        return self.money.orders


@dataclass
class Totals:
    omzet: int = 0
    sales: int = 0
    refunds: int = 0  # negative or zero
    transactions: int = 0
    quantity: int = 0
    buyers: int = 0
    buyers_abroad: int = 0
    vendors_with_sales: int = 0
    booths: int = 0
    visits: int = 0  # booth page visits as recorded: each visitor once a day
    reach: Conversion = field(default_factory=Conversion)

    @property
    def aov(self) -> int:
        return average_order(self.omzet, self.transactions)

    @property
    def visitors(self) -> int:
        """Distinct people who visited a booth, its products or its sessions, or bought."""
        return self.reach.visitors

    @property
    def conversion(self) -> float | None:
        """The share of those visitors who bought, in percent (never over 100)."""
        return self.reach.rate


@dataclass
class Deals:
    """Potential deals ("transaksi potensial"), apart from omzet."""

    count: int = 0
    value: int = 0
    verified_count: int = 0
    verified_value: int = 0
    pending_count: int = 0


@dataclass
class Dashboard:
    expo: Expo
    totals: Totals
    by_region: list[Row]
    by_sector: list[Row]
    by_size: list[Row]
    by_booth: list[Row]
    by_country: list[Row]
    by_channel: list[Row]
    live_sessions: list[Row]
    banners: list[Row]
    hourly: list[Row]
    daily: list[Row]
    deals: Deals
    # The expo's own omzet, the mall's and the total; stand sales verified and unverified apart.
    split: ChannelSplit | None = None

    @property
    def has_sales(self) -> bool:
        return bool(self.totals.sales)
