"""Chat counts of the live sessions, kept as the messages are written, so the organiser's dashboard
reads one row per live session instead of every chat message.

:func:`events.chat_counting.message_counted` adds to them in the same transaction as
:func:`events.services.message_send` saves a message in a live session's room, and
:func:`events.chat_counting.message_uncounted` takes a message away in the same transaction as
:func:`events.services.message_delete` hides it. ``manage.py rebuild_chat_counts`` recomputes them
from the messages; a rebuild gives identical rows. Nothing else writes them.

What counts (the dashboard's figures, unchanged): a session's **messages** are its messages not
removed by a moderator; its **chatters** are the distinct accounts with at least one such message.
A :class:`SessionChatter` row is kept for everyone who ever wrote in the session (also when all
their messages were removed since): its ``messages`` is how many of theirs are still shown.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SessionChat(models.Model):
    """A live session's chat, counted: messages shown and the distinct accounts who wrote them."""

    expo = models.ForeignKey("expo.Expo", on_delete=models.CASCADE, related_name="+")
    session = models.OneToOneField("events.LiveSession", on_delete=models.CASCADE, related_name="+")
    messages = models.BigIntegerField(default=0)
    chatters = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("live session chat count")
        verbose_name_plural = _("live session chat counts")


class SessionChatter(models.Model):
    """An account that wrote in a live session's chat (first seen, once ever), and how many of its
    messages there are still shown."""

    expo = models.ForeignKey("expo.Expo", on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(
        "events.LiveSession", on_delete=models.CASCADE, related_name="+", db_index=False
    )  # the key's index serves
    # An account deleted later: its messages stay (without author) and stop making it a chatter;
    # its row goes, and the session's count with it (events.chat_counting.chatter_deleted).
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    messages = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("live session chatter")
        verbose_name_plural = _("live session chatters")
        constraints = [
            models.UniqueConstraint(fields=["session", "author"], name="session_chatter_key")
        ]
