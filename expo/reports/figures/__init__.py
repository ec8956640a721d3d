"""Every figure of the omzet dashboard, the exports and the data API, read in one place.

Omzet is counted only from the append-only sales ledger (``payments.SalesLedgerEntry``): the sum of
its signed ``amount`` (sales positive, refunds negative). Potential deals are read apart and never
added to it. A transaction is an order with at least one sale entry (a paid order).

The modules, by concern:

- :mod:`~expo.reports.figures.rows`: the shapes (``Money``, ``Row``, ``Totals``, ``Deals``,
  ``Dashboard``) and the one average-order rule;
- :mod:`~expo.reports.figures.queries`: the aggregate queries over the ledger, the paid orders,
  the visits and the deals, and the live ticker's :func:`headline`;
- :mod:`~expo.reports.figures.dashboard`: one expo's dashboard, :func:`expo_dashboard`;
- :mod:`~expo.reports.figures.conversion`: visitors, buyers and conversion per booth and per expo,
  the one definition every page, export and the API show;
- :mod:`~expo.reports.figures.comparison`: an office's expos side by side and a vendor's own
  figures per expo.

The whole dashboard of an expo costs a fixed handful of queries, whatever the size of the
ledger (see :func:`expo_dashboard`), because its money comes from the ledger's rollups
(``payments.models.rollups``, kept in the same transaction as each ledger write, rebuilt from the
ledger by ``manage.py rebuild_omzet_rollups``):

1. per booth (and its regency, sector, size class): omzet, sales, refunds, orders, quantity;
2. per origin (buyer country, channel and attribution): the same, each paid order counted once
   (where its first sale entry falls), so order counts add up exactly across slices;
3. per Jakarta hour (and channel): the same, for the timelines; :func:`channel_rows` is omzet by
   channel alone;
4. buyers: unique buyers overall, abroad and per country (counted exactly with a first-seen table);
5. booth visits per booth, and the visitors and buyers of each booth (a few more, see
   :mod:`~expo.reports.figures.conversion`); 6. the booths; 7. live sessions and their chat (the
   messages and chatters per session counted as they are written, ``events.chat_counting``);
8. potential deals; 9. names of regions and sectors.

Callers (the views, the exports, the data API, the live ticker, the benchmark) import this package
and use the names below.
"""

from expo.reports.figures.comparison import (
    ExpoSummary,
    VendorExpoFigures,
    office_comparison,
    vendor_figures,
)
from expo.reports.figures.conversion import expo_conversion, vendor_conversion
from expo.reports.figures.dashboard import SIZE_LABELS, expo_dashboard
from expo.reports.figures.queries import (
    HOME_COUNTRY,
    JAKARTA,
    REFUND,
    SALE,
    booth_rows,
    buyer_counts,
    channel_rows,
    deal_figures,
    headline,
    hour_rows,
    ledger,
    money_sums,
    origin_rows,
    paid_orders,
    visit_counts,
)
from expo.reports.figures.rows import (
    Conversion,
    Dashboard,
    Deals,
    Money,
    Row,
    Totals,
    average_order,
)

__all__ = [
    "HOME_COUNTRY",
    "JAKARTA",
    "REFUND",
    "SALE",
    "SIZE_LABELS",
    "Conversion",
    "Dashboard",
    "Deals",
    "ExpoSummary",
    "Money",
    "Row",
    "Totals",
    "VendorExpoFigures",
    "average_order",
    "booth_rows",
    "buyer_counts",
    "channel_rows",
    "deal_figures",
    "expo_conversion",
    "expo_dashboard",
    "headline",
    "hour_rows",
    "ledger",
    "money_sums",
    "office_comparison",
    "origin_rows",
    "paid_orders",
    "vendor_conversion",
    "vendor_figures",
    "visit_counts",
]
