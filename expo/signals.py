"""Signals of the expo base: how an app tells the apps above or beside it that something happened,
without importing them (payments and the live side never import each other; see
``docs/architecture.md``).

``happened`` — something happened that the people it concerns should be told of: an order was
paid, packed or shipped, a bank transfer waits for the organisers, an application was decided. Sent
by the app that owns the row, inside the transaction of the change (or once it committed), with ``sender`` the row's model
class, ``event`` a dotted name (``payments.order.paid``; the list is in ``events.bell.sources``)
and ``obj`` the row. A receiver works inside that transaction (what it writes is kept or dropped
with the change) and defers anything outside the database to ``transaction.on_commit``; it must
never make the change itself fail. The live side's bell listens (``events.apps``).
"""

from django.dispatch import Signal

happened = Signal()

# ``buyer_changed`` — a business buyer's profile, sectors of interest or consent changed (sent by
# expo.buyers' services inside their transaction, ``sender`` BuyerProfile, ``profile`` the row):
# what is kept from the profiles above (the organisers' matchmaking suggestions) is brought up to
# date. The same rules as ``happened``: a receiver never makes the change fail.
buyer_changed = Signal()
