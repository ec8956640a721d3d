"""The live side of an expo: chat rooms and their messages, inquiries, and live sessions.

A chat room is not a row: it is implied by a kind and an object (``booth:12``, ``session:3``,
``inquiry:40``, see :mod:`events.rooms`). Messages carry that pair, and their global
auto-increment id is the resume cursor: ids only grow, so within one room they increase too.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from expo.models import bilingual


class RoomKind(models.TextChoices):
    BOOTH = "booth", _("Booth chat")
    SESSION = "session", _("Live session chat")
    INQUIRY = "inquiry", _("Private inquiry")
    MEETING = "meeting", _("Meeting chat")


class AuthorRole(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    VENDOR = "vendor", _("Vendor")
    ORGANISER = "organiser", _("Organiser")


class ChatMessage(models.Model):
    """One message in a room. Never edited; deleted messages keep their row (for reports and the
    audit trail) and are left out of history. Written and removed only through
    :mod:`events.services` (``message_send``, ``message_delete``), which keep the live sessions'
    chat counts (:mod:`events.chat_counts`) in the same transaction."""

    room_kind = models.CharField(_("room kind"), max_length=10, choices=RoomKind.choices)
    room_id = models.BigIntegerField(_("room object"))
    expo = models.ForeignKey(
        "expo.Expo", on_delete=models.CASCADE, related_name="chat_messages", verbose_name=_("expo")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="chat_messages",
        verbose_name=_("author"),
    )
    # As shown when it was sent: a later change of name or role does not rewrite history.
    author_name = models.CharField(_("author's name"), max_length=150)
    author_role = models.CharField(_("role"), max_length=10, choices=AuthorRole.choices)
    body = models.TextField(_("message"))
    client_id = models.CharField(_("client id"), max_length=64, blank=True)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deleted by"),
    )

    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        ordering = ["id"]
        indexes = [models.Index(fields=["room_kind", "room_id", "id"], name="chat_room_cursor")]

    def __str__(self) -> str:
        return f"{self.room} #{self.pk}"

    @property
    def room(self) -> str:
        return f"{self.room_kind}:{self.room_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Mute(models.Model):
    """An account may not write in a room until ``until``."""

    room_kind = models.CharField(_("room kind"), max_length=10, choices=RoomKind.choices)
    room_id = models.BigIntegerField(_("room object"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="chat_mutes",
        verbose_name=_("account"),
    )
    until = models.DateTimeField(_("muted until"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("muted by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mute")
        verbose_name_plural = _("mutes")
        constraints = [
            models.UniqueConstraint(
                fields=["room_kind", "room_id", "user"], name="one_mute_per_room_and_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} muted in {self.room_kind}:{self.room_id}"


class MessageReport(models.Model):
    """Someone asked the organisers to look at a message."""

    message = models.ForeignKey(
        ChatMessage, on_delete=models.CASCADE, related_name="reports", verbose_name=_("message")
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("reported by"),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message report")
        verbose_name_plural = _("message reports")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["message", "reporter"], name="one_report_per_reporter")
        ]

    def __str__(self) -> str:
        return f"report on {self.message}"


class Inquiry(models.Model):
    """A private thread between one buyer and one booth; the vendor's members answer it."""

    booth = models.ForeignKey(
        "booths.Booth", on_delete=models.CASCADE, related_name="inquiries", verbose_name=_("booth")
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="inquiries",
        verbose_name=_("buyer"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["booth", "buyer"], name="one_inquiry_per_buyer")
        ]

    def __str__(self) -> str:
        return f"{self.buyer} → {self.booth}"

    @property
    def room(self) -> str:
        return f"{RoomKind.INQUIRY}:{self.pk}"


class InquiryRead(models.Model):
    """How far one participant (the buyer or one vendor member) has read an inquiry."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inquiry", "user"], name="one_read_state_per_user")
        ]


class LiveSession(models.Model):
    """A vendor's live session (a demo, live selling) inside the expo's time box."""

    booth = models.ForeignKey(
        "booths.Booth",
        on_delete=models.CASCADE,
        related_name="live_sessions",
        verbose_name=_("booth"),
    )
    title_en = models.CharField(_("title (English)"), max_length=160)
    title_id = models.CharField(_("title (Indonesian)"), max_length=160)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_id = models.TextField(_("description (Indonesian)"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    stream_url = models.URLField(
        _("stream link"),
        max_length=500,
        help_text=_(
            "A YouTube or Vimeo link is shown on the page; Zoom and other links open outside."
        ),
    )
    replay_url = models.URLField(_("replay link"), max_length=500, blank=True)
    pinned_products = models.ManyToManyField(
        "booths.Product", through="SessionPin", related_name="+", verbose_name=_("pinned products")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("live session")
        verbose_name_plural = _("live sessions")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")),
                name="session_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return self.title

    title = bilingual("title")

    description = bilingual("description")

    @property
    def room(self) -> str:
        return f"{RoomKind.SESSION}:{self.pk}"


class SessionPin(models.Model):
    """A product pinned in a session, in the vendor's order."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="pins")
    product = models.ForeignKey("booths.Product", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)
    pinned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "product"], name="pin_a_product_once")
        ]


class SessionReminder(models.Model):
    """Send ``user`` an e-mail shortly before ``session`` starts."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_reminders"
    )
    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="reminders")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("session reminder")
        verbose_name_plural = _("session reminders")
        constraints = [
            models.UniqueConstraint(fields=["user", "session"], name="one_reminder_per_session")
        ]
        indexes = [models.Index(fields=["sent_at"], name="reminder_unsent")]


class Notification(models.Model):
    """Something one person should look at, shown by the bell in the header (see
    :mod:`events.bell`): a new question, an order paid, a transfer to confirm… Its text is written
    when shown, in the reader's language, from ``kind`` and ``params``; ``url`` is the page it is
    about. An unread notification about the same ``subject`` (``inquiry:40``, ``part:12``) is
    brought up to date rather than repeated. Read state is per person."""

    class Kind(models.TextChoices):
        QUESTION = "question", _("A buyer's question")
        ANSWER = "answer", _("An answer to your question")
        ORDER_PAID = "order_paid", _("Your order is paid")
        ORDER_SOLD = "order_sold", _("A paid order to send")
        ORDER_PACKED = "order_packed", _("Your order is packed")
        ORDER_SHIPPED = "order_shipped", _("Your order is shipped")
        TRANSFER = "transfer", _("A bank transfer to confirm")
        APPLICATION = "application", _("An application decided")
        BANNER = "banner", _("A banner decided")
        SESSION = "session", _("A live session about to start")
        MEETING = "meeting", _("A business meeting")
        QUOTATION = "quotation", _("A request for quotation")
        STAND_SALE = "stand_sale", _("A stand sale rejected")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    subject = models.CharField(_("about"), max_length=40)
    params = models.JSONField(_("details"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=500)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # When it last changed (a second message in the same thread): the bell lists the newest first.
    updated_at = models.DateTimeField(_("updated at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-updated_at", "-id"]
        constraints = [
            # One unread notification per person and subject: a busy thread does not fill the bell.
            # Its partial index (unread rows only) is also what the header's count reads.
            models.UniqueConstraint(
                fields=["user", "kind", "subject"],
                condition=models.Q(read_at__isnull=True),
                name="one_unread_notification_per_subject",
            )
        ]
        indexes = [
            models.Index(fields=["user", "-updated_at"], name="notification_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} → {self.user_id}"


# Business matching: its models live in their own module (events/matching/) and belong to this app.
# The live sessions' chat counted as messages are written, for the dashboard (same app).
from events.chat_counts import SessionChat, SessionChatter  # noqa: E402, F401
from events.matching.models import (  # noqa: E402, F401
    ACTIVE_STATUSES,
    MatchingSettings,
    Meeting,
    MeetingAvailability,
    MeetingMark,
    MeetingOutcome,
    MeetingParticipant,
    MeetingStatus,
    PairSuggestion,
    SuggestionBoard,
)
