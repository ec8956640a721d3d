"""The live omzet dashboard's room: ``omzet:<expo id>`` on the one websocket.

- Who may join: organisers of the expo's office and platform admins (this module registers the
  ``omzet`` room kind on :mod:`events.rooms`, so the live side never imports the reports).
- What a joining socket gets first: the current headline figures (an ``omzet`` frame).
- When the ledger changes, one ``omzet`` frame per expo per committed transaction is broadcast
  after the commit, whoever wrote it (a confirmed payment, a refund, a webhook, a task).

``payments`` sends ``payments.signals.ledger_written`` in the transaction that wrote ledger
entries (it writes them with ``bulk_create``, which sends no ``post_save``); the receiver on the
ledger's ``post_save`` catches single writes made elsewhere. Several writes for one expo in
one transaction give one frame (coalesced on the transaction's own on-commit list, so a rolled-back
transaction leaves nothing behind). Browsers then refresh the detailed figures at most once a
second (``dashboard.js``).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from events import hub, rooms
from events.rooms import Room
from expo import permissions
from expo.models import Expo
from expo.reports import figures as reports
from payments.models import SalesLedgerEntry
from payments.signals import ledger_written

logger = logging.getLogger(__name__)

KIND = "omzet"
# Audit actions written in the same transaction as ledger entries.


def room_for(expo: Expo | int) -> str:
    return Room(KIND, expo if isinstance(expo, int) else expo.pk).name


def may_join(room: Room, user: Any) -> bool:
    office_id = Expo.objects.filter(pk=room.object_id).values_list("office_id", flat=True).first()
    return office_id is not None and permissions.can_manage_office(user, office_id)


def frame(expo_id: int) -> dict[str, Any]:
    return {
        "type": "omzet",
        "room": room_for(expo_id),
        **reports.headline(expo_id),
        "at": timezone.now().isoformat(timespec="seconds"),
    }


def snapshot(room: Room) -> dict[str, Any]:
    return frame(room.object_id)


class _Publish:
    """The on-commit callback for one expo (recognisable, so a transaction registers it once)."""

    def __init__(self, expo_id: int) -> None:
        self.expo_id = expo_id

    def __call__(self) -> None:
        try:
            hub.broadcast(room_for(self.expo_id), frame(self.expo_id))
        except Exception:
            # The payment is committed; a dashboard catches up on its next update or reload.
            logger.exception("could not publish the omzet of expo %s", self.expo_id)


def omzet_changed(expo_id: int) -> None:
    """Publish expo ``expo_id``'s figures once the current transaction commits (once per
    transaction and expo, however many entries it writes)."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        for _savepoints, callback, _robust in connection.run_on_commit:
            if isinstance(callback, _Publish) and callback.expo_id == expo_id:
                return
    transaction.on_commit(_Publish(expo_id), robust=True)


def _ledger_saved(sender: Any, instance: SalesLedgerEntry, created: bool, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        omzet_changed(instance.expo_id)


def _ledger_written(sender: Any, expo_id: int, **kwargs: Any) -> None:
    omzet_changed(expo_id)


def connect() -> None:
    rooms.register(rooms.SnapshotKind(KIND, may_join=may_join, snapshot=snapshot))
    post_save.connect(_ledger_saved, sender=SalesLedgerEntry, dispatch_uid="reports.ledger_saved")
    ledger_written.connect(_ledger_written, dispatch_uid="reports.ledger_written")


connect()
