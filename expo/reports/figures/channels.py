"""Omzet by channel: the expo's own omzet and the mall's apart (never merged), the total beside
them, and the sales at the physical stands verified and unverified apart.

- **The expo's own omzet** is every channel but ``mall``: direct, live sessions, banners,
  quotations, orders started from a stand's QR code (``stand``) and sales recorded at a stand
  (``offline``, verified or not: they are in the ledger; the unverified part is shown apart).
- **The mall's omzet** is channel ``mall``: orders placed after closing while the catalogue stayed
  open as a mall.
- **The total** is their sum, which is the ledger's sum.

Read from the rollup per origin (``payments.OmzetByOrigin``, grouped by channel; written in the
same transaction as each ledger entry), so the split costs one query whatever the ledger's size,
or none when the dashboard passes the rows it read already; the unverified stand sales are one
more small query on ``payments.OfflineSaleCount`` (see :mod:`payments.models.offline` for why
verification lives beside the append-only ledger).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from expo.models import Expo
from expo.reports.figures.queries import channel_rows
from expo.reports.figures.rows import Money, Row
from payments.models import Channel, OfflineSaleCount

MALL = Channel.MALL.value
OFFLINE = Channel.OFFLINE.value
# Every channel counted in the expo's own omzet.
EXPO_CHANNELS = tuple(value for value in Channel.values if value != MALL)


@dataclass
class ChannelSplit:
    """The expo's own omzet, the mall's and their total; a row per channel; the stand sales'
    verified and unverified omzet."""

    expo: Money = field(default_factory=Money)
    mall: Money = field(default_factory=Money)
    by_channel: list[Row] = field(default_factory=list)
    offline_unverified: int = 0
    offline_unverified_count: int = 0

    @property
    def total(self) -> int:
        return self.expo.omzet + self.mall.omzet

    @property
    def offline(self) -> int:
        return sum(row.omzet for row in self.by_channel if row.key == OFFLINE)

    @property
    def offline_verified(self) -> int:
        return self.offline - self.offline_unverified

    @property
    def has_mall(self) -> bool:
        return bool(self.mall.sales or self.mall.refunds)


def unverified_offline(expo: Expo | int) -> tuple[int, int]:
    """The omzet and number of the expo's stand sales not verified yet, nor rejected (a rejected
    sale's omzet left the ledger with its reversal). One query, on the counts kept as sales are
    recorded, verified and rejected: ``payments.OfflineSaleCount``."""
    expo_id = expo if isinstance(expo, int) else expo.pk
    counts = OfflineSaleCount.objects.filter(expo_id=expo_id).first()
    if counts is None:
        return 0, 0
    return counts.pending_total, counts.pending


def channel_split(
    expo: Expo | int, *, origin: Iterable[dict[str, Any]] | None = None
) -> ChannelSplit:
    """The split of ``expo``'s omzet; ``origin`` the rollup's rows per origin (each with
    ``channel`` and the money counters) when the caller read them already."""
    if origin is None:
        money = channel_rows(expo)
    else:
        money = {}
        for row in origin:
            bucket = money.setdefault(
                row["channel"], {"sales": 0, "refunds": 0, "orders": 0, "quantity": 0}
            )
            for name in bucket:
                bucket[name] += row[name] or 0
    labels = dict(Channel.choices)
    split = ChannelSplit()
    for code, values in money.items():
        row = Row(code, str(labels.get(code, code)))
        row.money.add(values)
        split.by_channel.append(row)
        (split.mall if code == MALL else split.expo).add(values)
    split.by_channel.sort(key=lambda r: (r.key == MALL, -r.omzet, r.label.casefold()))
    split.offline_unverified, split.offline_unverified_count = unverified_offline(expo)
    return split
