"""Signals of the payments app, for the modules above it (the omzet reports) to listen to."""

from django.dispatch import Signal

# Sent inside the transaction that wrote new sales-ledger entries (sales or refunds) of an expo,
# with ``expo_id``; a receiver that acts on the figures defers to ``transaction.on_commit``.
ledger_written = Signal()
