"""Reads of the live side: what a room is about and who may do what in it, history, inboxes with
unread counts, the agenda. Permissions are asked of :mod:`expo.permissions`, time-box rules of
:mod:`expo.timebox`; nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from booths.models import Booth, Product, ProductImage, Vendor
from events import rooms
from events.models import (
    AuthorRole,
    ChatMessage,
    Inquiry,
    InquiryRead,
    LiveSession,
    Mute,
    RoomKind,
    SessionPin,
)
from events.rooms import Room
from expo import permissions, timebox
from expo.models import Expo, ExpoState, User
from expo.money import format_rupiah

HISTORY_LIMIT = 50
RESUME_LIMIT = 500
DELETED_LIMIT = 200


@dataclass(frozen=True)
class RoomContext:
    """What a room is about: its expo and booth, and for an inquiry its buyer."""

    room: Room
    vendor_id: int
    expo: Expo | None = None
    booth_id: int | None = None
    booth_active: bool = True
    buyer_id: int | None = None
    session: LiveSession | None = None


def room_context(room: Room) -> RoomContext | None:
    """One query; None when the room's object does not exist."""
    if room.kind == "booth":
        booth = Booth.objects.select_related("expo").filter(pk=room.object_id).first()
        if booth is None:
            return None
        return RoomContext(room, booth.vendor_id, booth.expo, booth.pk, booth.is_active)
    if room.kind == "session":
        session = (
            LiveSession.objects.select_related("booth", "booth__expo")
            .filter(pk=room.object_id)
            .first()
        )
        if session is None:
            return None
        booth = session.booth
        return RoomContext(
            room, booth.vendor_id, booth.expo, booth.pk, booth.is_active, session=session
        )
    if room.kind == "inquiry":
        inquiry = Inquiry.objects.select_related("booth", "booth__expo").filter(pk=room.object_id)
        found = inquiry.first()
        if found is None:
            return None
        booth = found.booth
        return RoomContext(
            room, booth.vendor_id, booth.expo, booth.pk, booth.is_active, buyer_id=found.buyer_id
        )
    if room.kind == "inbox":
        if not Vendor.objects.filter(pk=room.object_id).exists():
            return None
        return RoomContext(room, room.object_id)
    if room.kind == "meeting":
        from events.call.selectors import meeting_of_room

        meeting = meeting_of_room(room)
        if meeting is None:
            return None
        return RoomContext(room, meeting.vendor_id, meeting.expo, meeting.booth_id)
    return None


def is_moderator(user: Any, context: RoomContext) -> bool:
    """The booth's members and the organisers of the expo's office."""
    if context.expo is None:
        return False
    return permissions.is_vendor_member(user, context.vendor_id) or permissions.can_manage_office(
        user, context.expo.office_id
    )


def can_read(user: Any, context: RoomContext) -> bool:
    kind = context.room.kind
    if kind == "inbox":
        return permissions.is_vendor_member(user, context.vendor_id)
    if kind == "inquiry":
        return permissions.is_authenticated(user) and (
            user.pk == context.buyer_id or permissions.is_vendor_member(user, context.vendor_id)
        )
    if kind == "meeting":  # its participants and the expo's organisers only
        from events.call.selectors import may_enter

        return may_enter(user, meeting_id=context.room.object_id)
    # Public rooms: anyone once the hall is public, else the people who may preview it.
    if context.booth_active and timebox.allows(context.expo, timebox.Action.VIEW_HALL):
        return True
    return permissions.is_authenticated(user) and is_moderator(user, context)


def can_moderate(user: Any, context: RoomContext) -> bool:
    """Delete messages and mute accounts: in public rooms only (an inquiry is private)."""
    return context.room.kind in ("booth", "session") and is_moderator(user, context)


def author_role(user: Any, context: RoomContext) -> AuthorRole:
    if context.expo is not None and permissions.can_manage_office(user, context.expo.office_id):
        return AuthorRole.ORGANISER
    if permissions.is_vendor_member(user, context.vendor_id):
        return AuthorRole.VENDOR
    return AuthorRole.BUYER


def active_mute(user: Any, room: Room, *, now: datetime) -> datetime | None:
    """Until when ``user`` may not write in ``room`` (None: not muted)."""
    if not permissions.is_authenticated(user):
        return None
    return (
        Mute.objects.filter(room_kind=room.kind, room_id=room.object_id, user=user, until__gt=now)
        .values_list("until", flat=True)
        .first()
    )


@dataclass(frozen=True)
class RoomAccess:
    """What the joining account may do in a room, for the ``you`` part of the history frame."""

    context: RoomContext
    can_send: bool
    can_moderate: bool
    notice_code: str
    notice: str
    tags: tuple[str, ...]

    def describe(self, user: Any) -> dict[str, Any]:
        return {
            "authenticated": permissions.is_authenticated(user),
            "can_send": self.can_send,
            "can_moderate": self.can_moderate,
            "code": self.notice_code,
            "notice": self.notice,
        }


def room_access(room: Room, user: Any, *, now: datetime) -> RoomAccess | None:
    """None when the room does not exist or ``user`` may not read it."""
    context = room_context(room)
    if context is None or not can_read(user, context):
        return None
    tags: tuple[str, ...] = ()
    if room.kind in ("inquiry", "inbox") and permissions.is_vendor_member(user, context.vendor_id):
        tags = (room.tag("vendor"),)
    elif room.kind == "inquiry":
        tags = (room.tag("buyer"),)
    if room.kind == "inbox":
        return RoomAccess(context, False, False, "", "", tags)
    code, notice = "", ""
    if not permissions.is_authenticated(user):
        code, notice = "login_required", _("Log in to join the conversation.")
    elif not timebox.allows(context.expo, timebox.talk_action(room.kind), now):
        code = "chat_closed"
        if context.expo.state_at(now) == ExpoState.MALL:
            notice = _(
                "The expo has ended and its mall is open: the live chat is read-only, but you "
                "can still ask the maker a private question from the booth."
            )
        elif context.expo.state_at(now) == ExpoState.CLOSED:
            notice = _("The expo has closed; the chat is read-only.")
        else:
            notice = _("The chat opens when the expo opens.")
    else:
        until = active_mute(user, room, now=now)
        if until is not None:
            code = "muted"
            notice = _("You are muted in this chat for now.")
    return RoomAccess(
        context,
        can_send=not code,
        can_moderate=can_moderate(user, context),
        notice_code=code,
        notice=str(notice),
        tags=tags,
    )


# --- Frames ----------------------------------------------------------------------------------------


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def message_frame(message: ChatMessage) -> dict[str, Any]:
    return {
        "type": "message",
        "room": message.room,
        "id": message.pk,
        "author": {"name": message.author_name, "role": message.author_role},
        "body": message.body,
        "sent_at": iso(message.sent_at),
        "client_id": message.client_id,
    }


def _room_messages(room: Room) -> QuerySet[ChatMessage]:
    return ChatMessage.objects.filter(room_kind=room.kind, room_id=room.object_id)


@dataclass(frozen=True)
class History:
    messages: list[dict[str, Any]]
    more: bool
    deleted: list[int]

    @property
    def last_id(self) -> int | None:
        return self.messages[-1]["id"] if self.messages else None


def room_history(room: Room, *, after_id: int | None = None) -> History:
    """On join: the last 50 messages. On resume: every message after ``after_id`` (up to 500 at a
    time, ``more`` says there are others), and the ids of deleted ones the client may still show."""
    shown = _room_messages(room).filter(deleted_at__isnull=True)
    if after_id is None:
        rows = list(shown.order_by("-id")[:HISTORY_LIMIT])[::-1]
        return History([message_frame(m) for m in rows], more=False, deleted=[])
    rows = list(shown.filter(id__gt=after_id).order_by("id")[: RESUME_LIMIT + 1])
    deleted = list(
        _room_messages(room)
        .filter(deleted_at__isnull=False, id__lte=after_id)
        .order_by("-id")
        .values_list("id", flat=True)[:DELETED_LIMIT]
    )
    return History(
        [message_frame(m) for m in rows[:RESUME_LIMIT]],
        more=len(rows) > RESUME_LIMIT,
        deleted=deleted,
    )


def deleted_since(room: Room, *, since: datetime) -> list[int]:
    """Ids of the room's messages deleted at or after ``since`` (newest first, at most
    DELETED_LIMIT): what screens that were live meanwhile may still show."""
    return list(
        _room_messages(room)
        .filter(deleted_at__gte=since)
        .order_by("-id")
        .values_list("id", flat=True)[:DELETED_LIMIT]
    )


def pinned_products(session: LiveSession) -> list[Product]:
    """The session's pinned products on sale, in order, with their photos (2 queries)."""
    pins = (
        SessionPin.objects.filter(session=session, product__is_active=True)
        .select_related("product")
        .prefetch_related(
            Prefetch("product__images", queryset=ProductImage.objects.order_by("position", "id"))
        )
        .order_by("position", "id")
    )
    return [pin.product for pin in pins]


def pinned_frame(session: LiveSession, *, expo_slug: str, booth_slug: str) -> dict[str, Any]:
    """Both languages travel in the one encoded frame; each screen picks its own."""
    products = []
    for product in pinned_products(session):
        images = list(product.images.all())
        products.append(
            {
                "id": product.pk,
                "name": {"en": product.name_en, "id": product.name_id},
                "price": product.price,
                "price_label": format_rupiah(product.price),
                "url": reverse("booths:product", args=[expo_slug, booth_slug, product.slug]),
                "image": images[0].thumbnail.url if images else "",
                "available": product.available > 0,
                "min_order": product.min_order,
            }
        )
    return {"type": "pinned", "room": rooms.session(session.pk), "products": products}


# --- Inquiries -------------------------------------------------------------------------------------


def _with_unread(
    inquiries: QuerySet[Inquiry], user: User, *, vendor_side: bool
) -> QuerySet[Inquiry]:
    """Annotate ``unread`` (messages from the other side after ``user``'s read mark: the buyer's
    for a vendor member, anyone else's for the buyer) and the last message's body: constant
    queries whatever the number of threads."""
    read = InquiryRead.objects.filter(inquiry=OuterRef("pk"), user=user).values("last_read_id")[:1]
    messages = ChatMessage.objects.filter(
        room_kind=RoomKind.INQUIRY, room_id=OuterRef("pk"), deleted_at__isnull=True
    )
    theirs = messages.filter(id__gt=OuterRef("last_read"))
    if vendor_side:
        theirs = theirs.filter(author_id=OuterRef("buyer_id"))
    else:
        theirs = theirs.exclude(author=user)
    unread = theirs.order_by().values("room_id").annotate(n=Count("id")).values("n")
    last = messages.order_by("-id")
    return inquiries.annotate(
        last_read=Coalesce(Subquery(read, output_field=IntegerField()), 0),
    ).annotate(
        unread=Coalesce(Subquery(unread, output_field=IntegerField()), 0),
        last_body=Subquery(last.values("body")[:1]),
        last_author_role=Subquery(last.values("author_role")[:1]),
    )


def vendor_inbox(*, vendor: Vendor, user: User) -> list[Inquiry]:
    """The vendor's inquiries, newest activity first, with ``user``'s unread counts (1 query)."""
    inquiries = Inquiry.objects.filter(booth__vendor=vendor).select_related(
        "buyer", "booth", "booth__expo"
    )
    return list(_with_unread(inquiries, user, vendor_side=True).order_by("-last_message_at", "-id"))


def buyer_inquiries(*, user: User) -> list[Inquiry]:
    inquiries = Inquiry.objects.filter(buyer=user).select_related(
        "booth", "booth__vendor", "booth__expo"
    )
    return list(
        _with_unread(inquiries, user, vendor_side=False).order_by("-last_message_at", "-id")
    )


def unread_total(*, inquiries: list[Inquiry]) -> int:
    return sum(i.unread for i in inquiries)


def inquiry_for(*, booth: Booth, user: User) -> Inquiry | None:
    return Inquiry.objects.filter(booth=booth, buyer=user).first()


def inquiry_thread(*, inquiry_id: int) -> Inquiry | None:
    return (
        Inquiry.objects.select_related("booth", "booth__vendor", "booth__expo", "buyer")
        .filter(pk=inquiry_id)
        .first()
    )


def may_read_inquiry(user: Any, inquiry: Inquiry) -> bool:
    return permissions.is_authenticated(user) and (
        inquiry.buyer_id == user.pk or permissions.is_vendor_member(user, inquiry.booth.vendor_id)
    )


def latest_message_id(room: Room) -> int:
    return _room_messages(room).order_by("-id").values_list("id", flat=True).first() or 0


# --- Sessions --------------------------------------------------------------------------------------


def agenda(*, expo: Expo) -> list[LiveSession]:
    """The sessions of an expo's booths in the hall, by start (1 query)."""
    return list(
        LiveSession.objects.filter(booth__expo=expo, booth__is_active=True)
        .select_related("booth", "booth__vendor")
        .order_by("starts_at", "id")
    )


def reminded_session_ids(*, user: Any, sessions: list[LiveSession]) -> set[int]:
    if not permissions.is_authenticated(user) or not sessions:
        return set()
    return set(
        user.session_reminders.filter(session__in=sessions).values_list("session_id", flat=True)
    )


def session_page(*, expo: Expo, session_id: int) -> LiveSession | None:
    return (
        LiveSession.objects.filter(pk=session_id, booth__expo=expo)
        .select_related("booth", "booth__vendor", "booth__expo")
        .first()
    )


def vendor_sessions(*, vendor: Vendor) -> list[LiveSession]:
    """A vendor's sessions with their pin counts, newest expo first (1 query)."""
    return list(
        LiveSession.objects.filter(booth__vendor=vendor)
        .select_related("booth", "booth__expo")
        .annotate(pin_count=Count("pins", distinct=True))
        .order_by("-booth__expo__opens_at", "starts_at", "id")
    )


def vendor_booths_for_sessions(*, vendor: Vendor) -> QuerySet[Booth]:
    """Booths a vendor can schedule sessions in: expos not yet closed."""
    booths = Booth.objects.filter(vendor=vendor).select_related("expo")
    return booths.filter(~Q(expo__closes_at__lte=timezone.now())).order_by("-expo__opens_at")


def vendor_by_slug(slug: str) -> Vendor | None:
    return Vendor.objects.filter(slug=slug).first()


def vendor_session(*, vendor: Vendor, session_id: int) -> LiveSession | None:
    """One of ``vendor``'s sessions, with its booth and expo (None when it is another's)."""
    return (
        LiveSession.objects.filter(pk=session_id, booth__vendor=vendor)
        .select_related("booth", "booth__expo", "booth__vendor")
        .first()
    )


def expo_by_slug(slug: str) -> Expo | None:
    return Expo.objects.filter(slug=slug).select_related("office").first()


def active_booth(*, expo: Expo, slug: str) -> Booth | None:
    """A booth shown in ``expo``'s hall, with its vendor."""
    return (
        Booth.objects.filter(expo=expo, slug=slug, is_active=True)
        .select_related("vendor", "expo")
        .first()
    )


def booth_product(*, booth: Booth, product_id: Any) -> Product | None:
    """One of ``booth``'s products by the id a form sent (None when it is not a number or not
    the booth's)."""
    try:
        pk = int(product_id)
    except (TypeError, ValueError):
        return None
    return booth.products.filter(pk=pk).first()


def booth_products(*, booth: Booth) -> list[Product]:
    return list(booth.products.filter(is_active=True).order_by("-is_featured", "name_en", "id"))
