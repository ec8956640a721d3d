"""Writes of the live side: chat messages and their moderation, inquiries, live sessions and
reminders. The socket handlers (:mod:`events.handlers`), views and admin all call these; the rules
live here only (the e-mails the background tasks send are :mod:`events.notifications`').

Refusals a person should read raise :class:`expo.refusals.Refused` (a ``PermissionDenied`` with a
stable ``code`` for the socket and a translated message), bad input ``ValidationError`` (with a
``code``), and a time-box refusal :class:`expo.timebox.ExpoStateError`. Live frames go out only
after the transaction commits (:func:`events.hub.broadcast_on_commit`), and so do the tasks it
schedules.
"""

from __future__ import annotations

import time
import unicodedata
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from booths.models import Booth, Product
from booths.services import leads
from booths.video import video_embed_url
from events import chat_counting, hub, presence, rooms, selectors, tasks
from events.bell import sources as bell
from events.models import (
    AuthorRole,
    ChatMessage,
    Inquiry,
    InquiryRead,
    LiveSession,
    MessageReport,
    Mute,
    SessionPin,
    SessionReminder,
)
from events.rooms import Room
from expo import buyers, permissions, ratelimit, timebox
from expo.models import User
from expo.refusals import Refused
from expo.services import audit_log

MAX_BODY = 1000
MAX_CLIENT_ID = 64
MAX_REPORT_REASON = 300
# Messages per account per window of seconds; override with settings.CHAT_RATE_LIMIT.
DEFAULT_RATE_LIMIT = (5, 5)
MUTE_MINUTES = (10, 60, 24 * 60)
MAX_SESSION_HOURS = 12
INQUIRY_EMAIL_PAUSE_SECONDS = 15 * 60


def _not_found() -> Refused:
    return Refused(_("This chat does not exist or is not open to you."), code="room_not_found")


def _require_login(user: Any) -> None:
    if not permissions.is_authenticated(user):
        raise Refused(_("Log in to write in the chat."), code="login_required")


def _context(room: Room, user: Any) -> selectors.RoomContext:
    context = selectors.room_context(room)
    if context is None or not selectors.can_read(user, context):
        raise _not_found()
    return context


# --- Sending ---------------------------------------------------------------------------------------


def clean_body(body: Any) -> str:
    """Plain text, 1 to 1,000 characters after trimming; control characters other than line
    breaks and tabs are dropped (they only serve to garble other people's screens)."""
    if not isinstance(body, str):
        raise ValidationError(_("A message must be text."), code="body_invalid")
    text = "".join(
        ch for ch in body.replace("\r\n", "\n") if ch in "\n\t" or unicodedata.category(ch) != "Cc"
    ).strip()
    if not text:
        raise ValidationError(_("Write something before sending."), code="body_empty")
    if len(text) > MAX_BODY:
        raise ValidationError(
            _("A message can be at most %(max)d characters (this one has %(n)d).")
            % {"max": MAX_BODY, "n": len(text)},
            code="body_too_long",
        )
    return text


def _clean_client_id(value: Any) -> str:
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or len(value) > MAX_CLIENT_ID or not value.isprintable():
        raise ValidationError(_("This message could not be read."), code="frame_invalid")
    return value


def _take_send_token(user: Any) -> None:
    """Count the message against the account's chat rate (``settings.CHAT_RATE_LIMIT``, shared by
    all processes with Redis); refuse past it. No database write: a flood costs the database
    nothing."""
    rate = ratelimit.configured("CHAT_RATE_LIMIT", DEFAULT_RATE_LIMIT)
    if not ratelimit.hit("chat", user.pk, rate).allowed:
        raise Refused(
            _("You are sending messages too fast. Wait a few seconds and try again."),
            code="rate_limited",
        )


def display_name(user: User) -> str:
    """The name shown in chat: the account's name, else a masked e-mail (never the address)."""
    name = (user.name or "").strip()
    if name:
        return name[:150]
    local = user.email.split("@")[0]
    return f"{local[:2]}***"


def message_send(*, room: Room, body: Any, by: Any, client_id: Any = "") -> ChatMessage:
    """Store a message and broadcast it after commit; a live session's message is counted for the
    dashboard in the same transaction (:mod:`events.chat_counting`). The one way messages are made.

    Needs an account that may read the room, the expo open (time box), no active mute, a plain
    text body of 1..1,000 characters and the account under its rate limit."""
    _require_login(by)
    if room.kind == "inbox":
        raise _not_found()
    context = _context(room, by)
    now = timezone.now()
    timebox.require(context.expo, timebox.talk_action(room.kind), now)
    text = clean_body(body)
    client_id = _clean_client_id(client_id)
    until = selectors.active_mute(by, room, now=now)
    if until is not None:
        raise Refused(
            _("You are muted in this chat until %(time)s.")
            % {"time": timezone.localtime(until).strftime("%H:%M %Z")},
            code="muted",
        )
    _take_send_token(by)
    role = selectors.author_role(by, context)
    with transaction.atomic():
        message = ChatMessage.objects.create(
            room_kind=room.kind,
            room_id=room.object_id,
            expo=context.expo,
            author=by,
            author_name=display_name(by),
            author_role=role,
            body=text,
            client_id=client_id,
        )
        hub.broadcast_on_commit(room.name, selectors.message_frame(message), message_id=message.pk)
        if room.kind == "inquiry":
            _after_inquiry_message(message, context, by)
        if role == AuthorRole.BUYER and context.booth_id is not None:
            # A buyer who chats or asks is a lead of the booth (counted once per room).
            leads.record(
                booth=context.booth_id,
                buyer=by,
                kind=leads.Kind.INQUIRY if room.kind == "inquiry" else leads.Kind.CHAT,
                ref_id=room.object_id if room.kind != "booth" else 0,
                label=context.session.title_en[:200] if context.session is not None else "",
                at=message.sent_at,
            )
        if context.booth_id is not None:
            # A live session's counts for the dashboard, last: its row is the hot one.
            chat_counting.message_counted(message=message, booth_id=context.booth_id)
    return message


def _after_inquiry_message(message: ChatMessage, context: selectors.RoomContext, by: Any) -> None:
    Inquiry.objects.filter(pk=context.room.object_id).update(last_message_at=message.sent_at)
    _mark_read(context.room.object_id, by, message.pk)
    from_vendor = permissions.is_vendor_member(by, context.vendor_id)
    hub.broadcast_on_commit(
        rooms.inbox(context.vendor_id),
        {
            "type": "inbox",
            "room": rooms.inbox(context.vendor_id),
            "inquiry": context.room.object_id,
            "id": message.pk,
            "from": "vendor" if from_vendor else "buyer",
            "author": message.author_name,
            "preview": message.body[:140],
            "sent_at": selectors.iso(message.sent_at),
        },
    )
    # The other side gets an e-mail when none of them has the thread (or the inbox) open.
    transaction.on_commit(lambda: _notify_if_away(message.pk, context, to_vendor=not from_vendor))
    # ...and their bell rings when they do not have the thread itself open.
    transaction.on_commit(
        lambda: bell.inquiry_message(
            message=message,
            vendor_id=context.vendor_id,
            buyer_id=context.buyer_id,
            from_vendor=from_vendor,
        )
    )


def _notify_if_away(message_id: int, context: selectors.RoomContext, *, to_vendor: bool) -> None:
    room = context.room
    if to_vendor:
        here = presence.online(room.tag("vendor")) + presence.online(
            rooms.presence_tag(rooms.inbox(context.vendor_id), "vendor")
        )
    else:
        here = presence.online(room.tag("buyer"))
    if here:
        return
    # At most one e-mail per thread and side every quarter of an hour, however busy it is. While
    # the cache's Redis is down the pause is not remembered and add goes ahead (expo.cache): each
    # message to an away side is e-mailed, rather than none for the outage's length.
    side = "vendor" if to_vendor else "buyer"
    if cache.add(f"events:inquiry-mail:{room.object_id}:{side}", 1, INQUIRY_EMAIL_PAUSE_SECONDS):
        tasks.notify_inquiry_message(message_id, to_vendor)


# --- Moderation ------------------------------------------------------------------------------------


def _require_moderator(user: Any, context: selectors.RoomContext) -> None:
    if not selectors.can_moderate(user, context):
        raise Refused(
            _("Only the booth's team and the organisers can moderate this chat."), code="forbidden"
        )


def message_for(*, room: Room, message_id: Any) -> ChatMessage:
    if not isinstance(message_id, int) or isinstance(message_id, bool) or message_id < 1:
        raise ValidationError(_("This message could not be read."), code="frame_invalid")
    message = (
        ChatMessage.objects.filter(room_kind=room.kind, room_id=room.object_id, pk=message_id)
        .select_related("author")
        .first()
    )
    if message is None:
        raise Refused(_("This message no longer exists."), code="message_not_found")
    return message


def message_delete(*, message: ChatMessage, by: Any) -> ChatMessage:
    """Hide a message on every screen (the row stays for reports and the audit log); it leaves its
    live session's counts in the same transaction (:mod:`events.chat_counting`)."""
    _require_login(by)
    room = Room(message.room_kind, message.room_id)
    _require_moderator(by, _context(room, by))
    with transaction.atomic():
        locked = ChatMessage.objects.select_for_update().get(pk=message.pk)
        if locked.deleted_at is not None:
            return locked
        locked.deleted_at = timezone.now()
        locked.deleted_by = by
        locked.save(update_fields=["deleted_at", "deleted_by"])
        # No longer shown: no longer in its live session's counts (events.chat_counting).
        chat_counting.message_uncounted(message=locked)
        audit_log(
            action="events.message.deleted",
            obj=locked,
            user=by,
            expo_id=locked.expo_id,
            room=locked.room,
        )
        hub.broadcast_on_commit(
            locked.room, {"type": "deleted", "room": locked.room, "id": locked.pk}
        )
    return locked


def mute_create(*, room: Room, user: User, minutes: Any, by: Any) -> Mute:
    """Keep ``user`` from writing in ``room`` for ``minutes`` (one of :data:`MUTE_MINUTES`)."""
    _require_login(by)
    context = _context(room, by)
    _require_moderator(by, context)
    if minutes not in MUTE_MINUTES:
        raise ValidationError(_("Choose how long to mute for."), code="mute_invalid")
    if user.pk == by.pk or selectors.is_moderator(user, context):
        raise Refused(_("The booth's team and the organisers cannot be muted."), code="forbidden")
    until = timezone.now() + timedelta(minutes=minutes)
    with transaction.atomic():
        mute, _created = Mute.objects.update_or_create(
            room_kind=room.kind,
            room_id=room.object_id,
            user=user,
            defaults={"until": until, "by": by},
        )
        audit_log(
            action="events.mute.created",
            obj=mute,
            user=by,
            expo_id=context.expo.pk,
            room=room.name,
            minutes=minutes,
        )
    return mute


def message_report(*, message: ChatMessage, by: Any, reason: Any = "") -> MessageReport:
    """Ask the organisers to look at a message (once per account and message)."""
    _require_login(by)
    _context(Room(message.room_kind, message.room_id), by)
    if not isinstance(reason, str):
        reason = ""
    reason = clean_text_line(reason)[:MAX_REPORT_REASON]
    with transaction.atomic():
        report, created = MessageReport.objects.get_or_create(
            message=message, reporter=by, defaults={"reason": reason}
        )
        if created:
            audit_log(
                action="events.message.reported", obj=report, user=by, expo_id=message.expo_id
            )
    return report


def clean_text_line(value: str) -> str:
    return " ".join("".join(ch for ch in value if unicodedata.category(ch) != "Cc").split()).strip()


# --- Inquiries -------------------------------------------------------------------------------------


def inquiry_open(*, booth: Booth, by: Any, body: Any = None) -> Inquiry:
    """The buyer's thread with ``booth`` (created on first use), with a first message if given."""
    _require_login(by)
    if not booth.is_active or not timebox.allows(booth.expo, timebox.Action.VIEW_HALL):
        raise Refused(_("This booth cannot be contacted."), code="room_not_found")
    if permissions.is_vendor_member(by, booth.vendor_id):
        raise Refused(_("This is your own booth."), code="forbidden")
    if body is not None:
        # Check everything that would refuse the first message before creating the thread.
        timebox.require(booth.expo, timebox.Action.ASK)
        clean_body(body)
    try:
        with transaction.atomic():
            inquiry, created = Inquiry.objects.get_or_create(booth=booth, buyer=by)
            if created:
                audit_log(
                    action="events.inquiry.opened", obj=inquiry, user=by, expo_id=booth.expo_id
                )
                # A question is a contact: the vendor may see the buyer's business profile.
                buyers.buyer_contact_record(
                    buyer=by, vendor_id=booth.vendor_id, via=f"inquiry:{inquiry.pk}"
                )
    except IntegrityError:  # opened at the same moment in another tab
        inquiry = Inquiry.objects.get(booth=booth, buyer=by)
    if body is not None:
        message_send(room=Room("inquiry", inquiry.pk), body=body, by=by)
    return inquiry


def _mark_read(inquiry_id: int, user: Any, up_to_id: int) -> None:
    read, created = InquiryRead.objects.get_or_create(
        inquiry_id=inquiry_id, user=user, defaults={"last_read_id": up_to_id}
    )
    if not created and read.last_read_id < up_to_id:
        InquiryRead.objects.filter(pk=read.pk, last_read_id__lt=up_to_id).update(
            last_read_id=up_to_id, updated_at=timezone.now()
        )


def inquiry_mark_read(*, inquiry: Inquiry, by: Any, up_to_id: int | None = None) -> None:
    """``by`` (the buyer or a vendor member) has read the thread up to ``up_to_id`` (all of it
    when None). Read marks only move forward."""
    _require_login(by)
    if not selectors.may_read_inquiry(by, inquiry):
        raise _not_found()
    latest = selectors.latest_message_id(Room("inquiry", inquiry.pk))
    target = latest if up_to_id is None else min(max(int(up_to_id), 0), latest)
    if target:
        _mark_read(inquiry.pk, by, target)


# --- Live sessions ---------------------------------------------------------------------------------

SESSION_FIELDS = (
    "title_en", "title_id", "description_en", "description_id", "starts_at", "ends_at",
    "stream_url", "replay_url",
)  # fmt: skip


def stream_kind(url: str) -> str:
    """``embed`` for a YouTube or Vimeo video (shown on the page), ``link`` for anything else."""
    return "embed" if video_embed_url(url) else "link"


def _validate_link(url: str, field: str) -> None:
    if not url:
        return
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError({field: _("Enter a full web address.")}, code="url_invalid") from None
    if not video_embed_url(url) and not url.startswith("https://"):
        raise ValidationError(
            {field: _("Links that open outside (Zoom and others) must start with https://.")},
            code="url_insecure",
        )


def _validate_session(session: LiveSession, booth: Booth) -> None:
    errors: dict[str, list[str]] = {}
    expo = booth.expo
    start, end = session.starts_at, session.ends_at
    if start and end:
        if start >= end:
            errors.setdefault("ends_at", []).append(_("The session must end after it starts."))
        elif end - start > timedelta(hours=MAX_SESSION_HOURS):
            errors.setdefault("ends_at", []).append(
                _("A session can last at most %(hours)d hours.") % {"hours": MAX_SESSION_HOURS}
            )
        if start < expo.opens_at or end > expo.closes_at:
            errors.setdefault("starts_at", []).append(
                _("Sessions take place while the expo is open, between %(opens)s and %(closes)s.")
                % {
                    "opens": timezone.localtime(expo.opens_at).strftime("%d %b %Y %H:%M %Z"),
                    "closes": timezone.localtime(expo.closes_at).strftime("%d %b %Y %H:%M %Z"),
                }
            )
    for field in ("stream_url", "replay_url"):
        try:
            _validate_link(getattr(session, field), field)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(name, []).extend(messages)
    if not session.stream_url:
        errors.setdefault("stream_url", []).append(_("Add the link to your stream."))
    if errors:
        raise ValidationError(errors)


def _require_session_editor(booth: Booth, by: Any) -> None:
    permissions.require(permissions.is_vendor_member(by, booth.vendor_id))
    timebox.require(booth.expo, timebox.Action.EDIT_CATALOGUE)


@transaction.atomic
def session_create(*, booth: Booth, by: User, **fields: Any) -> LiveSession:
    """Schedule a session in ``booth``; only the vendor's members, inside the expo's window."""
    _require_session_editor(booth, by)
    session = LiveSession(booth=booth, created_by=by)
    for name in SESSION_FIELDS:
        if name in fields:
            setattr(session, name, fields[name] if fields[name] is not None else "")
    _validate_session(session, booth)
    session.full_clean(exclude=["booth", "created_by"])
    session.save()
    audit_log(action="events.session.created", obj=session, user=by, expo_id=booth.expo_id)
    return session


@transaction.atomic
def session_update(*, session: LiveSession, by: User, **fields: Any) -> LiveSession:
    """Change a session. Once the expo has closed only its replay link can still change."""
    booth = session.booth
    permissions.require(permissions.is_vendor_member(by, booth.vendor_id))
    changed = {k: v for k, v in fields.items() if k in SESSION_FIELDS}
    if booth.expo.has_closed:
        changed = {k: v for k, v in changed.items() if k == "replay_url"}
    else:
        timebox.require(booth.expo, timebox.Action.EDIT_CATALOGUE)
    for name, value in changed.items():
        setattr(session, name, value if value is not None else "")
    if booth.expo.has_closed:
        _validate_link(session.replay_url, "replay_url")
    else:
        _validate_session(session, booth)
    session.full_clean(exclude=["booth", "created_by"])
    session.save()
    audit_log(
        action="events.session.updated",
        obj=session,
        user=by,
        expo_id=booth.expo_id,
        fields=sorted(changed),
    )
    return session


def _broadcast_pins(session: LiveSession) -> None:
    booth = session.booth

    def send() -> None:
        frame = selectors.pinned_frame(session, expo_slug=booth.expo.slug, booth_slug=booth.slug)
        hub.broadcast(frame["room"], frame)

    transaction.on_commit(send)


@transaction.atomic
def session_pin(*, session: LiveSession, product: Product, by: User) -> SessionPin:
    """Pin one of the booth's products in the session; every viewer sees it at once."""
    _require_session_editor(session.booth, by)
    if product.booth_id != session.booth_id or not product.is_active:
        raise ValidationError(_("Only products on sale in this booth can be pinned."))
    # Lock the session so two pins at once get distinct positions.
    LiveSession.objects.select_for_update().filter(pk=session.pk).first()
    pin = SessionPin.objects.filter(session=session, product=product).first()
    if pin is None:
        top = SessionPin.objects.filter(session=session).aggregate(top=Max("position"))["top"]
        pin = SessionPin.objects.create(session=session, product=product, position=(top or 0) + 1)
        audit_log(
            action="events.session.pinned",
            obj=session,
            user=by,
            expo_id=session.booth.expo_id,
            product=product.pk,
        )
        _broadcast_pins(session)
    return pin


@transaction.atomic
def session_unpin(*, session: LiveSession, product: Product, by: User) -> None:
    _require_session_editor(session.booth, by)
    deleted, _rows = SessionPin.objects.filter(session=session, product=product).delete()
    if deleted:
        audit_log(
            action="events.session.unpinned",
            obj=session,
            user=by,
            expo_id=session.booth.expo_id,
            product=product.pk,
        )
        _broadcast_pins(session)


# --- Reminders -------------------------------------------------------------------------------------


def reminder_set(*, session: LiveSession, by: Any) -> SessionReminder:
    """E-mail ``by`` about 15 minutes before the session starts."""
    if not permissions.is_authenticated(by):
        raise Refused(_("Log in to get a reminder."), code="login_required")
    if session.starts_at <= timezone.now():
        raise Refused(_("This session has already started."), code="session_started")
    reminder, _created = SessionReminder.objects.get_or_create(user=by, session=session)
    return reminder


def reminder_cancel(*, session: LiveSession, by: Any) -> None:
    if permissions.is_authenticated(by):
        SessionReminder.objects.filter(user=by, session=session, sent_at__isnull=True).delete()


# Where an order's channel comes from (see payments/attribution.py): events never imports
# payments; it writes the documented session key, and checkout reads it.
ATTRIBUTION_SESSION_KEY = "attribution"


def session_visit_remember(*, store: Any, session: LiveSession) -> None:
    """A buyer watching ``session`` while the expo sells: a later order in this browser session
    counts for the live session (channel "live_session"; the last live session or banner wins)."""
    current = store.get(ATTRIBUTION_SESSION_KEY)
    if (
        isinstance(current, dict)
        and current.get("channel") == "live_session"
        and current.get("id") == session.pk
        and time.time() - current.get("at", 0) < 600
    ):
        return  # recorded a moment ago: no session write on every reload
    store[ATTRIBUTION_SESSION_KEY] = {
        "channel": "live_session",
        "id": session.pk,
        "label": session.title_en[:200],
        "expo": session.booth.expo_id,
        "at": int(time.time()),
    }
