"""What rings the bell, and whose: one function per event, each deciding who is told and what the
notification links to.

- From the apps below or beside the live side, through the base's signal
  (:data:`expo.signals.happened`, connected in ``EventsConfig.ready``; payments and the live side
  never import each other):

  ==============================  ====================================================
  ``payments.order.paid``         the buyer (their order) and each vendor's members
                                  (their part to send); the organisers' "transfer to
                                  confirm" about it is settled
  ``payments.part.packed``        the buyer
  ``payments.part.shipped``       the buyer (with the courier and tracking number)
  ``payments.transfer.awaited``   the organisers of the expo's office
  ``booths.application.decided``  the vendor's members
  ``booths.rfq.received``         the vendor's members (a new request for quotation)
  ``payments.quotation.sent``     the buyer (a quotation, or a revision of it)
  ``payments.quotation.*``        the vendor's members: ``revision_asked``, ``accepted``,
                                  ``declined`` by the buyer
  ``payments.offline.rejected``   the vendor's members (a sale recorded at their stand,
                                  rejected by an organiser, with the reason)
  ==============================  ====================================================

- From the live side itself: a message in an inquiry (:func:`inquiry_message`, the other side),
  a session about to start (:func:`session_starting`, who asked to be reminded).
- From the banners app above (which may call the live side): a banner decided
  (:func:`banner_decided`, the vendor's members).

The rows are the apps' own (an order, a part…), read by their fields; the links are the apps' own
pages, by URL name. A failure here is logged and never fails the change that rang.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.urls import reverse

from booths.models import Vendor, VendorMembership
from events import presence, rooms
from events.bell.services import notification_send, notifications_settle
from events.models import ChatMessage, Notification
from expo.models import OfficeMembership
from expo.money import format_rupiah

logger = logging.getLogger(__name__)

Kind = Notification.Kind


def members_of(vendor_id: int) -> list[int]:
    """The vendor's members' account ids (active accounts)."""
    return list(
        VendorMembership.objects.filter(vendor_id=vendor_id, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )


def organisers_of(office_id: int) -> list[int]:
    """The office's organisers' account ids (active accounts)."""
    return list(
        OfficeMembership.objects.filter(office_id=office_id, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )


def both_languages(row: Any, stem: str) -> dict[str, str]:
    """A bilingual field as a param (``title`` → ``{"en": title_en, "id": title_id}``), each
    falling back on the other."""
    english = getattr(row, f"{stem}_en", "") or ""
    indonesian = getattr(row, f"{stem}_id", "") or ""
    return {"en": english or indonesian, "id": indonesian or english}


def _safely(label: str, ring: Callable[[], None]) -> None:
    """Ring in a savepoint of the caller's transaction: a failure is logged and rolled back to
    it, and the change that rang (an order paid, a decision) still happens."""
    try:
        with transaction.atomic():
            ring()
    except Exception:
        logger.exception("bell: could not ring for %s", label)


# --- From the signal -----------------------------------------------------------------------------


def order_paid(order: Any) -> None:
    code = order.code
    notification_send(
        users=[order.buyer_id],
        kind=Kind.ORDER_PAID,
        subject=f"order:{order.pk}",
        url=reverse("payments:order", args=[code]),
        params={"code": code, "detail": format_rupiah(order.total)},
    )
    for part in order.parts.select_related("vendor"):
        notification_send(
            users=members_of(part.vendor_id),
            kind=Kind.ORDER_SOLD,
            subject=f"part:{part.pk}",
            url=reverse(
                "payments:vendor_order",
                kwargs={"vendor_slug": part.vendor.slug, "part_id": part.pk},
            ),
            params={"code": code, "detail": format_rupiah(part.subtotal)},
        )
    # Whoever confirmed the transfer, it is no longer waiting for the others.
    notifications_settle(kind=Kind.TRANSFER, subject=f"order:{order.pk}")


def _part_moved(part: Any, kind: str, detail: str = "") -> None:
    order = part.order
    notification_send(
        users=[order.buyer_id],
        kind=kind,
        subject=f"part:{part.pk}",
        url=reverse("payments:order", args=[order.code]),
        params={"code": order.code, "vendor": part.vendor.name, "detail": detail},
    )


def part_packed(part: Any) -> None:
    _part_moved(part, Kind.ORDER_PACKED)


def part_shipped(part: Any) -> None:
    courier = part.courier_name or part.get_courier_display()
    _part_moved(part, Kind.ORDER_SHIPPED, f"{courier} · {part.tracking_number}")


def transfer_awaited(order: Any) -> None:
    expo = order.expo
    notification_send(
        users=organisers_of(expo.office_id),
        kind=Kind.TRANSFER,
        subject=f"order:{order.pk}",
        url=reverse("payments:manage_transfers", kwargs={"expo_slug": expo.slug}),
        params={"code": order.code, "detail": format_rupiah(order.total)},
    )


def application_decided(application: Any) -> None:
    vendor, expo = application.vendor, application.expo
    notification_send(
        users=members_of(vendor.pk),
        kind=Kind.APPLICATION,
        subject=f"application:{application.pk}",
        url=reverse(
            "vendor:application", kwargs={"vendor_slug": vendor.slug, "expo_slug": expo.slug}
        ),
        params={
            "expo": both_languages(expo, "title"),
            "status": application.status,
            "detail": application.decision_reason,
        },
    )


def _buyer_name(request: Any) -> str:
    return request.buyer_company or request.buyer.get_full_name() or request.buyer.email


def rfq_received(request: Any) -> None:
    vendor = request.vendor
    notification_send(
        users=members_of(vendor.pk),
        kind=Kind.QUOTATION,
        subject=f"rfq:{request.pk}",
        url=reverse("payments:vendor_quote", args=[vendor.slug, request.code]),
        params={"step": "requested", "code": request.code, "who": _buyer_name(request)},
    )


def quotation_sent(quotation: Any) -> None:
    request = quotation.request
    notification_send(
        users=[quotation.buyer_id],
        kind=Kind.QUOTATION,
        subject=f"rfq:{request.pk}",
        url=reverse("payments:quote", args=[request.code]),
        params={
            "step": "sent" if quotation.revision <= 1 else "revised",
            "code": request.code,
            "who": quotation.vendor.name,
            "detail": format_rupiah(quotation.total),
        },
    )


def _answered(step: str) -> Callable[[Any], None]:
    """The buyer answered a quotation (``step``): the vendor's members are told."""

    def ring(quotation: Any) -> None:
        request, vendor = quotation.request, quotation.vendor
        notification_send(
            users=members_of(vendor.pk),
            kind=Kind.QUOTATION,
            subject=f"rfq:{request.pk}",
            url=reverse("payments:vendor_quote", args=[vendor.slug, request.code]),
            params={
                "step": step,
                "code": request.code,
                "who": _buyer_name(request),
                "detail": quotation.revision_note
                if step != "accepted"
                else format_rupiah(quotation.total),
            },
        )

    return ring


def stand_sale_rejected(sale: Any) -> None:
    vendor = sale.booth.vendor
    notification_send(
        users=members_of(vendor.pk),
        kind=Kind.STAND_SALE,
        subject=f"stand_sale:{sale.pk}",
        url=reverse("payments:vendor_stand", args=[vendor.slug]) + f"?booth={sale.booth_id}",
        params={"code": sale.receipt_number, "detail": sale.rejection_reason},
    )


SOURCES: dict[str, Callable[[Any], None]] = {
    "payments.order.paid": order_paid,
    "payments.part.packed": part_packed,
    "payments.part.shipped": part_shipped,
    "payments.transfer.awaited": transfer_awaited,
    "booths.application.decided": application_decided,
    "booths.rfq.received": rfq_received,
    "payments.quotation.sent": quotation_sent,
    "payments.quotation.revision_asked": _answered("revision_asked"),
    "payments.quotation.accepted": _answered("accepted"),
    "payments.quotation.declined": _answered("declined"),
    "payments.offline.rejected": stand_sale_rejected,
}


def on_happened(sender: Any, *, event: str, obj: Any, **kwargs: Any) -> None:
    """The receiver of :data:`expo.signals.happened`. Works in a savepoint of the sender's
    transaction: a failure is logged, and the order is still paid."""
    source = SOURCES.get(event)
    if source is not None:
        _safely(f"{event} #{getattr(obj, 'pk', None)}", lambda: source(obj))


# --- From the live side and the banners ---------------------------------------------------------


def inquiry_message(
    *, message: ChatMessage, vendor_id: int, buyer_id: int, from_vendor: bool
) -> None:
    """A message in an inquiry rings the other side: the buyer, or the vendor's members. Not when
    that side has the thread open (they read it live); repeated messages bring one notification
    up to date, with their count. Called once the message is committed."""
    _safely(
        f"inquiry message #{message.pk}",
        lambda: _inquiry_message(message, vendor_id, buyer_id, from_vendor=from_vendor),
    )


def _inquiry_message(
    message: ChatMessage, vendor_id: int, buyer_id: int, *, from_vendor: bool
) -> None:
    inquiry_id = message.room_id
    room = rooms.inquiry(inquiry_id)
    side = "buyer" if from_vendor else "vendor"
    try:
        if presence.online(rooms.presence_tag(room, side)):
            return
    except Exception:  # presence unknown: ring anyway
        logger.warning("bell: presence of %s unknown", room, exc_info=True)
    vendor = Vendor.objects.only("name", "slug").get(pk=vendor_id)
    if from_vendor:
        users, kind = [buyer_id], Kind.ANSWER
        url = reverse("events:inquiry", args=[inquiry_id])
        detail = message.body
    else:
        users, kind = members_of(vendor_id), Kind.QUESTION
        url = reverse("events:vendor_inquiry", args=[vendor.slug, inquiry_id])
        detail = f"{message.author_name}: {message.body}"
    notification_send(
        users=users,
        kind=kind,
        subject=room,
        url=url,
        params={"booth": vendor.name, "detail": detail},
        counted=True,
    )


def session_starting(*, session: Any, user_ids: list[int]) -> None:
    """The people who asked to be reminded of ``session``: it starts soon."""
    _safely(f"session #{session.pk}", lambda: _session_starting(session, user_ids))


def _session_starting(session: Any, user_ids: list[int]) -> None:
    booth = session.booth
    notification_send(
        users=user_ids,
        kind=Kind.SESSION,
        subject=f"session:{session.pk}",
        url=reverse("events:session", args=[booth.expo.slug, session.pk]),
        params={"title": both_languages(session, "title"), "detail": booth.vendor.name},
    )


def banner_decided(*, campaign: Any) -> None:
    """An organiser approved, priced or rejected a vendor's banner: its members are told (the
    organisers' own banners have no vendor). Called by the banners app inside the decision's
    transaction."""
    _safely(f"banner #{campaign.pk}", lambda: _banner_decided(campaign))


def _banner_decided(campaign: Any) -> None:
    status = campaign.status
    if campaign.vendor_id is None or status not in ("approved", "priced", "rejected"):
        return
    if status == "priced":
        detail = format_rupiah(campaign.price)
    else:
        detail = campaign.reject_reason if status == "rejected" else ""
    notification_send(
        users=members_of(campaign.vendor_id),
        kind=Kind.BANNER,
        subject=f"banner:{campaign.pk}",
        url=reverse(
            "banners:vendor_banner",
            kwargs={"vendor_slug": campaign.vendor.slug, "campaign_id": campaign.pk},
        ),
        params={"title": both_languages(campaign, "title"), "status": status, "detail": detail},
    )
