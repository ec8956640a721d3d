"""The live sessions' chat counts (``events.chat_counts``) written with the messages, in the
message's own transaction, and rebuilt from the messages on demand.

:func:`events.services.message_send` is the one writer of chat messages (the socket, the pages and
the inquiry form all go through it) and calls :func:`message_counted`;
:func:`events.services.message_delete` is the one way a message is removed (a moderator hides it:
the row stays, ``deleted_at`` set; there is no undo, and the admin cannot delete message rows) and
calls :func:`message_uncounted`.

**A removed message** no longer counts among its session's messages, and its author no longer
counts among the session's chatters once none of their messages there is shown: the dashboard's
figures are those of the messages people can still read, as before. The author remains someone
who *reached* the booth (a visitor for the conversion, :mod:`expo.reports.figures.conversion`):
that is kept in the booths' visit rollups, where nothing is ever taken away.

Concurrency: the author's :class:`~events.chat_counts.SessionChatter` row is written first with
``INSERT … ON CONFLICT (session, author) DO UPDATE SET messages = messages ± 1 RETURNING messages``
(an ``UPDATE … RETURNING`` for a removal): two messages of the same author at the same moment wait
on that row, so exactly one of them sees their count go from 0 to 1 (or from 1 to 0) and changes
the session's chatters. The session's :class:`~events.chat_counts.SessionChat` row is then added to
the same way (``… DO UPDATE SET messages = messages + excluded.messages …``): the second writer
waits on the first's row and adds to what it committed. Every writer takes the rows in this order
(author, booth's visitors, session), so none waits on another in a circle.

An account's first message in a session's chat makes it a visitor of the session's booth (the
conversion's rule, as a buyer's first sale does): :func:`booths.services.visit_rollups.reach_add`
in the same transaction, under the key its visits carry; the session's chatters are registered as
a reach source for the visit rollups' rebuild (:func:`chatters_reached`). An account deleted
later leaves the sessions' chatters at once (:func:`chatter_deleted`; its messages stay, without
an author, and still count as messages), and stays among the booths' visitors, as its page visits
do, until the visit rollups are rebuilt.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import apps as global_apps
from django.db import connection, transaction
from django.db.models import F

from booths.services.visit_rollups import reach_add
from booths.visits import account_key
from events.chat_counts import SessionChat, SessionChatter
from events.models import ChatMessage, RoomKind


def message_counted(*, message: ChatMessage, booth_id: int) -> None:
    """Add a message just saved (in this transaction) to its live session's counts; messages of
    other rooms are not counted. ``booth_id``: the session's booth."""
    if message.room_kind != RoomKind.SESSION:
        return
    new_chatter = 0
    if message.author_id is not None:
        shown = _chatter_add(message, 1)
        new_chatter = int(shown == 1)
        if shown == 1:
            # Their first message here (or their first shown one): one insert that finds the
            # pair already there after the first time.
            reach_add(
                expo_id=message.expo_id,
                booth_ids=[booth_id],
                visitor=account_key(message.author_id),
            )
    table = connection.ops.quote_name(SessionChat._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (expo_id, session_id, messages, chatters) "  # noqa: S608
            "VALUES (%s, %s, 1, %s) ON CONFLICT (session_id) DO UPDATE SET "
            f"messages = {table}.messages + excluded.messages, "
            f"chatters = {table}.chatters + excluded.chatters",
            [message.expo_id, message.room_id, new_chatter],
        )


def message_uncounted(*, message: ChatMessage) -> None:
    """Take a message just removed (in this transaction; it was shown until now) out of its live
    session's counts."""
    if message.room_kind != RoomKind.SESSION:
        return
    gone = 0
    if message.author_id is not None:
        gone = int(_chatter_add(message, -1) == 0)
    SessionChat.objects.filter(session_id=message.room_id).update(
        messages=F("messages") - 1, chatters=F("chatters") - gone
    )


def _chatter_add(message: ChatMessage, n: int) -> int | None:
    """Add ``n`` to the author's shown messages in the session (the row made if new); how many
    are shown now (None: a removal without a row, which a rebuild would not have left)."""
    table = connection.ops.quote_name(SessionChatter._meta.db_table)
    with connection.cursor() as cursor:
        if n > 0:
            cursor.execute(
                f"INSERT INTO {table} (expo_id, session_id, author_id, messages) "  # noqa: S608
                "VALUES (%s, %s, %s, %s) ON CONFLICT (session_id, author_id) DO UPDATE SET "
                f"messages = {table}.messages + excluded.messages RETURNING messages",
                [message.expo_id, message.room_id, message.author_id, n],
            )
        else:
            cursor.execute(
                f"UPDATE {table} SET messages = messages + %s "  # noqa: S608
                "WHERE session_id = %s AND author_id = %s RETURNING messages",
                [n, message.room_id, message.author_id],
            )
        row = cursor.fetchone()
    return None if row is None else row[0]


def chatter_deleted(sender: Any, instance: SessionChatter, **kwargs: Any) -> None:
    """An account deleted (its chatter rows go with it, its messages stay without an author): it
    is no longer among the chatters of the sessions where it had messages shown. Connected to
    ``post_delete`` of :class:`SessionChatter` by the app."""
    if instance.messages > 0:
        SessionChat.objects.filter(session_id=instance.session_id).update(
            chatters=F("chatters") - 1
        )


def chatters_reached(
    expo_ids: Sequence[int] | None, apps: Any = None
) -> list[tuple[int, int, str]]:
    """(expo, booth, visitor key) of every account that wrote in a live session's chat, at the
    session's booth: a reach source for the rebuild of the booths' visit rollups (registered by
    the app)."""
    apps = apps or global_apps
    chatters = apps.get_model("events", "SessionChatter")._base_manager.all()
    if expo_ids is not None:
        chatters = chatters.filter(expo_id__in=list(expo_ids))
    return sorted(
        {
            (expo_id, booth_id, account_key(author_id))
            for expo_id, booth_id, author_id in chatters.values_list(
                "expo_id", "session__booth_id", "author_id"
            )
        }
    )


# --- Rebuild ------------------------------------------------------------------------------------


def chat_counts_rebuild(*, expo_ids: Sequence[int] | None = None, apps: Any = None) -> int:
    """Recompute the live sessions' chat counts of ``expo_ids`` (every expo when None) from the
    messages and return how many session messages they cover (removed ones too). Writers wait
    while it runs (on PostgreSQL the messages are locked against inserts and removals), so
    nothing is written between the reading and the replacing. The chatters among the booths'
    visitors are the visit rollups' (``manage.py rebuild_visit_rollups`` reads them from here).
    ``apps``: a migration's app registry (the current models when None)."""
    apps = apps or global_apps
    model = {
        "Booth": apps.get_model("booths", "Booth"),
        **{
            name: apps.get_model("events", name)
            for name in ("ChatMessage", "LiveSession", "SessionChat", "SessionChatter")
        },
    }
    t = {name: connection.ops.quote_name(m._meta.db_table) for name, m in model.items()}
    where, on_expo, params = "", "", []
    if expo_ids is not None:
        if not expo_ids:
            return 0
        marks = ", ".join(["%s"] * len(expo_ids))
        where, on_expo = f"AND b.expo_id IN ({marks})", f"WHERE expo_id IN ({marks})"
        params = list(expo_ids)
    messages = (
        f"FROM {t['ChatMessage']} m JOIN {t['LiveSession']} s ON s.id = m.room_id "
        f"JOIN {t['Booth']} b ON b.id = s.booth_id WHERE m.room_kind = %s {where}"
    )
    shown = "SUM(CASE WHEN m.deleted_at IS NULL THEN 1 ELSE 0 END)"
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {t['ChatMessage']} IN SHARE MODE")
        for name in ("SessionChat", "SessionChatter"):
            # Derived rows: deleted without loading them (nor their signals).
            cursor.execute(f"DELETE FROM {t[name]} {on_expo}", params)  # noqa: S608
        cursor.execute(
            f"INSERT INTO {t['SessionChatter']} (expo_id, session_id, author_id, messages) "
            f"SELECT b.expo_id, s.id, m.author_id, {shown} {messages} "
            "AND m.author_id IS NOT NULL GROUP BY b.expo_id, s.id, m.author_id",
            [RoomKind.SESSION.value, *params],
        )
        cursor.execute(
            f"INSERT INTO {t['SessionChat']} (expo_id, session_id, messages, chatters) "
            f"SELECT b.expo_id, s.id, {shown}, "
            "COUNT(DISTINCT CASE WHEN m.deleted_at IS NULL THEN m.author_id END) "
            f"{messages} GROUP BY b.expo_id, s.id",
            [RoomKind.SESSION.value, *params],
        )
        cursor.execute(f"SELECT COUNT(*) {messages}", [RoomKind.SESSION.value, *params])
        (covered,) = cursor.fetchone()
    return covered or 0
