"""Reads of the bell: the unread count (one query, for the header of every page), the latest
notifications, a person's page of them, and their wire form (the ``bell`` frame)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from events.bell import texts
from events.models import Notification
from events.selectors import iso

# How many notifications the bell's panel lists (the page lists them all).
RECENT = 8


def room(user_id: int) -> str:
    """A person's own room: their bell's frames, for their sockets only."""
    return f"user:{int(user_id)}"


def unread_count(*, user_id: int) -> int:
    """How many of the person's notifications are unread: one query, on a partial index."""
    return Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()


def notifications_of(*, user_id: int, unread_only: bool = False) -> QuerySet[Notification]:
    """The person's notifications, newest change first (paginate it)."""
    rows = Notification.objects.filter(user_id=user_id)
    return rows.filter(read_at__isnull=True) if unread_only else rows


def notification_of(*, user_id: int, notification_id: Any) -> Notification | None:
    """One of the person's own notifications, or None (another person's is not found either)."""
    if isinstance(notification_id, bool):
        return None
    try:
        pk = int(notification_id)
    except (TypeError, ValueError):
        return None
    return Notification.objects.filter(user_id=user_id, pk=pk).first()


def item(notification: Notification) -> dict[str, Any]:
    """A notification on the wire: its sentence in every language (the frame is encoded once for
    all the person's tabs, whatever their language), its second line, its page."""
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "text": texts.titles(notification.kind, notification.params),
        "detail": texts.detail(notification.params),
        "url": notification.url,
        "at": iso(notification.updated_at),
        "read": notification.read_at is not None,
    }


def snapshot(*, user_id: int) -> dict[str, Any]:
    """The ``bell`` frame a joining socket gets: the unread count and the latest notifications."""
    recent = list(notifications_of(user_id=user_id)[:RECENT])
    return {
        "type": "bell",
        "room": room(user_id),
        "unread": unread_count(user_id=user_id),
        "recent": [item(n) for n in recent],
    }
