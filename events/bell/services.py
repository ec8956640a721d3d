"""Writes of the bell: ringing it (a notification made, or brought up to date) and reading.

Every write runs in the caller's transaction; the person's sockets get the ``bell`` frame through
their own room (``user:<id>``) once it commits (:func:`events.hub.broadcast`), and only when one
of their tabs is open (:func:`events.presence.online`): nobody is sent a frame while away, and the
count is read once per change, not per page.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events import hub, presence
from events.bell import selectors
from events.models import Notification
from expo import permissions
from expo.refusals import Refused

logger = logging.getLogger(__name__)

MAX_DETAIL = 140
# Read notifications are forgotten after this long (what they were about stays, with its e-mails).
KEEP_READ = timedelta(days=180)


class NotificationNotFound(Refused):
    default_code = "not_found"


def _not_found() -> NotificationNotFound:
    return NotificationNotFound(_("This notification does not exist."))


def _require_login(user: Any) -> None:
    if not permissions.is_authenticated(user):
        raise Refused(_("Log in to see your notifications."), code="login_required")


def notification_send(
    *,
    users: Iterable[int | None],
    kind: str,
    subject: str,
    url: str,
    params: Mapping[str, Any] | None = None,
    counted: bool = False,
) -> list[Notification]:
    """Ring the bell of each person in ``users`` (account ids; repeats and None are skipped): a
    notification of ``kind`` about ``subject`` (``part:12``) that links to ``url``. When the person
    has one about the same subject still unread, that one is brought up to date instead (its
    params, link and time; with ``counted`` its ``count`` grows by one), so a busy thread rings
    once. Each person's open tabs get the ``bell`` frame after the transaction commits."""
    if kind not in Notification.Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    if not subject or len(subject) > 40 or not url or len(url) > 500:
        raise ValueError("a notification needs a subject (≤ 40) and a link (≤ 500)")
    ids = sorted({int(user) for user in users if user})
    if not ids:
        return []
    fresh = dict(params or {})
    if isinstance(fresh.get("detail"), str):
        fresh["detail"] = _shorten(fresh["detail"])
    rows: list[Notification] = []
    with transaction.atomic():
        for user_id in ids:
            rows.append(_put(user_id, kind, subject, url, fresh, counted=counted))
    _ring_on_commit(rows)
    return rows


def _put(
    user_id: int, kind: str, subject: str, url: str, params: dict[str, Any], *, counted: bool
) -> Notification:
    """The person's unread notification about ``subject``, brought up to date or made."""
    now = timezone.now()
    for _attempt in range(2):
        current = (
            Notification.objects.select_for_update()
            .filter(user_id=user_id, kind=kind, subject=subject, read_at__isnull=True)
            .first()
        )
        if current is not None:
            merged = {**params}
            if counted:
                merged["count"] = int(current.params.get("count") or 1) + 1
            current.params, current.url, current.updated_at = merged, url, now
            current.save(update_fields=["params", "url", "updated_at"])
            return current
        try:
            with transaction.atomic():  # a savepoint: another worker may make it at this moment
                return Notification.objects.create(
                    user_id=user_id,
                    kind=kind,
                    subject=subject,
                    url=url,
                    params={**params, "count": 1} if counted else params,
                    updated_at=now,
                )
        except IntegrityError:
            continue  # made meanwhile: bring that one up to date
    raise RuntimeError(f"could not notify user {user_id} about {subject}")


def notification_read(*, notification_id: Any, by: Any) -> Notification:
    """``by`` has read one of their own notifications (repeating it changes nothing). Another
    person's notification, or none, is refused as not found."""
    _require_login(by)
    notification = selectors.notification_of(user_id=by.pk, notification_id=notification_id)
    if notification is None:
        raise _not_found()
    if notification.read_at is None:
        now = timezone.now()
        changed = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=now
        )
        notification.read_at = now
        if changed:
            _announce_read_on_commit(by.pk, [notification.pk])
    return notification


def notifications_read_all(*, by: Any) -> int:
    """``by`` has read all their notifications; returns how many were unread."""
    _require_login(by)
    changed = Notification.objects.filter(user_id=by.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if changed:
        _announce_read_on_commit(by.pk, "all")
    return changed


def notifications_settle(*, kind: str, subject: str) -> int:
    """What the notifications about ``subject`` asked for is done (a transfer was confirmed by one
    of the organisers): they are read for everyone who still had them unread."""
    rows = list(
        Notification.objects.filter(kind=kind, subject=subject, read_at__isnull=True).values_list(
            "pk", "user_id"
        )
    )
    if not rows:
        return 0
    changed = Notification.objects.filter(pk__in=[pk for pk, _user in rows]).update(
        read_at=timezone.now()
    )
    for pk, user_id in rows:
        _announce_read_on_commit(user_id, [pk])
    return changed


def notifications_prune(*, now: datetime | None = None) -> int:
    """Forget the notifications read more than :data:`KEEP_READ` ago (run daily by the task
    worker), so the table holds what people may still look at; returns how many went."""
    cutoff = (now or timezone.now()) - KEEP_READ
    deleted, _by_model = Notification.objects.filter(read_at__lt=cutoff).delete()
    return deleted


# --- Frames, after commit ------------------------------------------------------------------------


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 1].rstrip() + "…"


def _online(user_id: int) -> bool:
    try:
        return presence.online(selectors.room(user_id)) > 0
    except Exception:  # presence unknown (Redis away): try to deliver anyway
        logger.warning("bell: presence of user %s unknown", user_id, exc_info=True)
        return True


def _ring_on_commit(rows: list[Notification]) -> None:
    # The sentences are written now (the rows are in hand); the count once committed.
    items = [(row.user_id, selectors.item(row)) for row in rows]

    def ring() -> None:
        for user_id, item in items:
            if _online(user_id):
                _send(user_id, {"notification": item})

    transaction.on_commit(ring, robust=True)


def _announce_read_on_commit(user_id: int, read: list[int] | str) -> None:
    """The person's other tabs drop the read ones from their count."""

    def announce() -> None:
        if _online(user_id):
            _send(user_id, {"read": read})

    transaction.on_commit(announce, robust=True)


def _send(user_id: int, extra: dict[str, Any]) -> None:
    name = selectors.room(user_id)
    frame = {
        "type": "bell",
        "room": name,
        "unread": selectors.unread_count(user_id=user_id),
        **extra,
    }
    hub.broadcast(name, frame)
