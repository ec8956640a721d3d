"""Writes of quotations: send and revise (the vendor), ask for a revision, decline, accept and pay
the balance (the buyer)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booths.models import Incoterm, Product, QuoteRequest
from expo import permissions
from expo.models import User
from expo.services import audit_log
from expo.signals import happened
from payments import providers, shipping
from payments.models import (
    Channel,
    Order,
    OrderLine,
    OrderPart,
    Payment,
    PaymentTerms,
    Quotation,
    QuotationLine,
    QuotationRevision,
    ShippingMethod,
    ShippingTerms,
)
from payments.quotations import notify
from payments.services import locks, stock
from payments.services.cancellation import order_cancel
from payments.services.codes import random_code
from payments.services.errors import Busy
from payments.services.orders import BuyerDetails, _new_order

MAX_LINES = 20
MAX_LEAD_DAYS = 365


@dataclass(frozen=True)
class OfferedLine:
    name_en: str
    name_id: str
    quantity: int
    unit_price: int
    unit: str = "pcs"
    min_quantity: int = 1
    product: Product | None = None
    hs_code: str = ""
    weight_grams: int = 0


@dataclass(frozen=True)
class OfferTerms:
    incoterm: str
    named_place: str
    lead_time_days: int
    valid_until: date
    payment_terms: str = PaymentTerms.FULL
    deposit_percent: int = 0
    shipping_terms: str = ShippingTerms.TO_AGREE
    shipping_amount: int = 0
    note: str = ""


def _check_offer(request: QuoteRequest, lines: list[OfferedLine], terms: OfferTerms) -> None:
    """Refuse an offer that does not add up (a clear message, nothing written)."""
    if not lines:
        raise ValidationError(_("Quote at least one product."), code="lines")
    if len(lines) > MAX_LINES:
        raise ValidationError(_("At most %(n)s lines.") % {"n": MAX_LINES}, code="lines")
    for line in lines:
        if line.product is not None and line.product.booth_id != request.booth_id:
            raise ValidationError(_("Choose products of this booth."), code="lines")
        if not (line.name_en.strip() or line.name_id.strip()):
            raise ValidationError(_("Name each product."), code="lines")
        if line.unit_price < 1:
            raise ValidationError(_("Give each line a unit price in rupiah."), code="price")
        if line.min_quantity < 1 or line.quantity < line.min_quantity:
            raise ValidationError(
                _("The quantity of %(product)s is below its minimum order quantity.")
                % {"product": line.name_en or line.name_id},
                code="moq",
            )
    if not terms.named_place.strip():
        raise ValidationError(_("Name the place the Incoterm applies to."), code="place")
    if terms.incoterm not in Incoterm.values:
        raise ValidationError(_("Choose an Incoterm."), code="incoterm")
    if not 0 <= terms.lead_time_days <= MAX_LEAD_DAYS:
        raise ValidationError(
            _("The lead time runs from 0 to %(n)s days.") % {"n": MAX_LEAD_DAYS}, code="lead_time"
        )
    if terms.valid_until < timezone.localdate():
        raise ValidationError(_("The validity date has passed."), code="valid_until")
    if terms.payment_terms not in PaymentTerms.values:
        raise ValidationError(_("Choose the payment terms."), code="terms")
    if terms.payment_terms == PaymentTerms.DEPOSIT and not 1 <= terms.deposit_percent <= 90:
        raise ValidationError(_("A deposit is from 1 to 90 %."), code="deposit")
    if terms.shipping_terms not in ShippingTerms.values:
        raise ValidationError(_("Say whether shipping is quoted."), code="shipping")
    if terms.shipping_terms == ShippingTerms.TO_AGREE and terms.shipping_amount:
        raise ValidationError(
            _("Shipping to be agreed has no amount; choose “Shipping quoted”."), code="shipping"
        )


def _new_quotation_code() -> str:
    raw = random_code(8)
    return f"QUO-{raw[:4]}-{raw[4:]}"


@transaction.atomic
def quotation_send(
    *, request: QuoteRequest, by: User, lines: list[OfferedLine], terms: OfferTerms
) -> Quotation:
    """A member of the request's vendor sends a quotation, or a new revision of it (the earlier
    ones stay as history). Refused once the buyer accepted or declined, or the request was
    withdrawn."""
    permissions.require(permissions.is_vendor_member(by, request.vendor_id))
    request = (
        QuoteRequest.objects.select_for_update()
        .select_related("vendor", "booth")
        .get(pk=request.pk)
    )
    if request.status not in (QuoteRequest.Status.OPEN, QuoteRequest.Status.QUOTED):
        raise ValidationError(_("This request is closed; it cannot be quoted."), code="state")
    _check_offer(request, lines, terms)
    now = timezone.now()
    subtotal = sum(line.unit_price * line.quantity for line in lines)
    shipping_amount = terms.shipping_amount if terms.shipping_terms == ShippingTerms.QUOTED else 0
    total = subtotal + shipping_amount
    quotation = _quotation_for(request, subtotal=subtotal, shipping=shipping_amount, now=now)
    _add_revision(quotation, lines, terms, by=by, now=now)
    request.status = QuoteRequest.Status.QUOTED
    request.first_quoted_at = request.first_quoted_at or now
    request.save(update_fields=["status", "first_quoted_at", "updated_at"])
    audit_log(
        action="payments.quotation.sent",
        obj=quotation,
        user=by,
        expo_id=quotation.expo_id,
        revision=quotation.revision,
        total=total,
    )
    happened.send(sender=Quotation, event="payments.quotation.sent", obj=quotation)  # the bell
    notify.quotation_sent(quotation)
    return quotation


def _quotation_for(request: QuoteRequest, *, subtotal: int, shipping: int, now: Any) -> Quotation:
    """The request's quotation (locked), made now or moved to its next revision."""
    shipping_amount, total = shipping, subtotal + shipping
    quotation = Quotation.objects.select_for_update().filter(request=request).first()
    if quotation is None:
        quotation = Quotation.objects.create(
            code=_new_quotation_code(),
            request=request,
            expo_id=request.expo_id,
            booth_id=request.booth_id,
            vendor_id=request.vendor_id,
            buyer_id=request.buyer_id,
            region_id=request.vendor.region_id,
            sector_id=request.vendor.sector_id,
            buyer_country=request.buyer_country,
            subtotal=subtotal,
            shipping_amount=shipping_amount,
            total=total,
            sent_at=now,
            updated_at=now,
        )
    else:
        if quotation.status not in (Quotation.Status.SENT, Quotation.Status.REVISION_ASKED):
            raise ValidationError(_("This quotation can no longer be revised."), code="state")
        quotation.revision += 1
        quotation.status = Quotation.Status.SENT
        quotation.subtotal, quotation.shipping_amount, quotation.total = (
            subtotal,
            shipping_amount,
            total,
        )
        quotation.updated_at = now
        quotation.save(
            update_fields=[
                "revision",
                "status",
                "subtotal",
                "shipping_amount",
                "total",
                "updated_at",
            ]
        )
    return quotation


def _add_revision(
    quotation: Quotation, lines: list[OfferedLine], terms: OfferTerms, *, by: User, now: Any
) -> QuotationRevision:
    """The revision just sent, with its lines (kept as history when a later one follows)."""
    subtotal, shipping_amount, total = (
        quotation.subtotal,
        quotation.shipping_amount,
        quotation.total,
    )
    revision = QuotationRevision.objects.create(
        quotation=quotation,
        number=quotation.revision,
        incoterm=terms.incoterm,
        named_place=terms.named_place.strip()[:120],
        lead_time_days=terms.lead_time_days,
        valid_until=terms.valid_until,
        payment_terms=terms.payment_terms,
        deposit_percent=terms.deposit_percent if terms.payment_terms == PaymentTerms.DEPOSIT else 0,
        shipping_terms=terms.shipping_terms,
        shipping_amount=shipping_amount,
        subtotal=subtotal,
        total=total,
        note=terms.note.strip()[:2000],
        created_at=now,
        created_by=by,
    )
    QuotationLine.objects.bulk_create(
        QuotationLine(
            revision=revision,
            product=line.product,
            name_en=(line.name_en.strip() or line.name_id.strip())[:160],
            name_id=(line.name_id.strip() or line.name_en.strip())[:160],
            unit=line.unit.strip()[:20] or "pcs",
            quantity=line.quantity,
            min_quantity=line.min_quantity,
            unit_price=line.unit_price,
            hs_code=line.hs_code.strip()[:12],
            weight_grams=line.weight_grams,
        )
        for line in lines
    )
    return revision


def _lock_for_buyer(quotation: Quotation, by: User) -> Quotation:
    permissions.require(quotation.buyer_id == getattr(by, "pk", None))
    return Quotation.objects.select_for_update().get(pk=quotation.pk)


@transaction.atomic
def quotation_ask_revision(*, quotation: Quotation, by: User, note: str) -> Quotation:
    """The buyer asks the vendor to change the quotation (what to change, in ``note``)."""
    quotation = _lock_for_buyer(quotation, by)
    note = note.strip()
    if not note:
        raise ValidationError(_("Say what should change."), code="note")
    if quotation.status != Quotation.Status.SENT:
        raise ValidationError(_("This quotation is not waiting for your answer."), code="state")
    quotation.status = Quotation.Status.REVISION_ASKED
    quotation.revision_note = note[:2000]
    quotation.updated_at = timezone.now()
    quotation.save(update_fields=["status", "revision_note", "updated_at"])
    audit_log(
        action="payments.quotation.revision_asked",
        obj=quotation,
        user=by,
        expo_id=quotation.expo_id,
    )
    happened.send(sender=Quotation, event="payments.quotation.revision_asked", obj=quotation)
    notify.quotation_answered(quotation)
    return quotation


@transaction.atomic
def quotation_decline(*, quotation: Quotation, by: User, note: str = "") -> Quotation:
    """The buyer declines the quotation: the request is closed."""
    quotation = _lock_for_buyer(quotation, by)
    if quotation.status not in (Quotation.Status.SENT, Quotation.Status.REVISION_ASKED):
        raise ValidationError(_("This quotation is not waiting for your answer."), code="state")
    now = timezone.now()
    quotation.status = Quotation.Status.DECLINED
    quotation.declined_at = quotation.updated_at = now
    quotation.revision_note = note.strip()[:2000]
    quotation.save(update_fields=["status", "declined_at", "updated_at", "revision_note"])
    QuoteRequest.objects.filter(pk=quotation.request_id).update(
        status=QuoteRequest.Status.DECLINED, updated_at=now
    )
    audit_log(
        action="payments.quotation.declined", obj=quotation, user=by, expo_id=quotation.expo_id
    )
    happened.send(sender=Quotation, event="payments.quotation.declined", obj=quotation)  # the bell
    return quotation


def quotation_accept(
    *, quotation: Quotation, by: User, revision: int, details: BuyerDetails, provider: str
) -> Order:
    """The buyer accepts revision ``revision`` (the one they read; a newer one is refused): an
    order on channel ``quotation`` with the quotation's lines and prices, its stock reserved by
    the checkout's rules, and its first payment (the deposit, or the whole) started with
    ``provider``. It belongs to the quotation's expo, even when that has closed since."""
    method = providers.find(provider)
    if method is None or not method.is_available():
        raise ValidationError(_("Choose a way to pay."), code="provider")
    try:
        order, payment = _accept(
            quotation, by=by, revision=revision, details=details, method=method
        )
    except OperationalError as error:
        if locks.is_lock_failure(error):
            raise Busy() from error
        raise
    if method.start_needs_network:
        try:
            method.start(payment)
        except providers.ProviderError:
            _undo_accept(order)
            raise
        Payment.objects.filter(pk=payment.pk).update(provider_ref=payment.provider_ref)
    if method.confirms_offline:
        happened.send(sender=Order, event="payments.transfer.awaited", obj=order)  # the bell
    return order


@transaction.atomic
def _accept(
    quotation: Quotation,
    *,
    by: User,
    revision: int,
    details: BuyerDetails,
    method: providers.PaymentProvider,
) -> tuple[Order, Payment]:
    """Long because the order's row, part, lines and payment are written here in one transaction,
    with the stock, like :func:`payments.services.orders._create_order` for a cart."""
    locks.set_lock_timeout()
    quotation = _lock_for_buyer(quotation, by)
    if quotation.status != Quotation.Status.SENT:
        raise ValidationError(_("This quotation is not waiting for your answer."), code="state")
    if quotation.revision != revision:
        raise ValidationError(
            _("The vendor has sent a newer revision; read it before accepting."), code="stale"
        )
    current = quotation.revisions.get(number=quotation.revision)
    if current.valid_until < timezone.localdate():
        raise ValidationError(
            _("This quotation expired on %(date)s; ask the vendor for a revision.")
            % {"date": current.valid_until.isoformat()},
            code="expired",
        )
    lines = list(current.lines.select_related("product"))
    stock.reserve([(line.product, line.quantity) for line in lines if line.product is not None])
    booth = quotation.booth
    vendor = booth.vendor
    now = timezone.now()
    order = _new_order(
        expo=quotation.expo,
        cart=None,
        buyer=by,
        details=details,
        provider=method.name,
        channel=Channel.QUOTATION,
        attribution_id=quotation.pk,
        attribution_label=quotation.code,
        subtotal=current.subtotal,
        shipping_total=current.shipping_amount,
        total=current.total,
        reserved_until=now + timedelta(minutes=method.reservation_minutes),
        placed_at=now,
    )
    zone = shipping.zone_for(
        country=details.country, region=details.region, vendor_province=vendor.region.province
    )
    part = OrderPart.objects.create(
        order=order,
        booth=booth,
        vendor=vendor,
        subtotal=current.subtotal,
        shipping_zone=zone,
        shipping_method=ShippingMethod.FLAT
        if current.shipping_terms == ShippingTerms.QUOTED
        else ShippingMethod.ARRANGE,
        shipping_amount=current.shipping_amount,
    )
    ships_by = timezone.localdate(now) + timedelta(days=current.lead_time_days)
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            part=part,
            product=line.product,
            name_en=line.name_en,
            name_id=line.name_id,
            unit_price=line.unit_price,
            quantity=line.quantity,
            is_preorder=bool(line.product and line.product.is_preorder),
            ships_by=ships_by,
        )
        for line in lines
    )
    first = current.deposit_amount or current.total
    payment = Payment(order=order, provider=method.name, amount=first)
    if not method.start_needs_network:
        method.start(payment)
    payment.save()
    quotation.status = Quotation.Status.ACCEPTED
    quotation.accepted_at = quotation.updated_at = now
    quotation.order = order
    quotation.save(update_fields=["status", "accepted_at", "updated_at", "order"])
    QuoteRequest.objects.filter(pk=quotation.request_id).update(
        status=QuoteRequest.Status.ACCEPTED, updated_at=now
    )
    audit_log(
        action="payments.quotation.accepted",
        obj=quotation,
        user=by,
        expo_id=quotation.expo_id,
        revision=quotation.revision,
        order=order.code,
        first_payment=first,
    )
    happened.send(sender=Quotation, event="payments.quotation.accepted", obj=quotation)  # the bell
    notify.quotation_answered(quotation)
    return order, payment


def _undo_accept(order: Order) -> None:
    """The provider could not start the first payment: the order is cancelled and the quotation
    waits for the buyer again."""
    order_cancel(order=order, reason=Order.CancelReason.PAYMENT_FAILED, by=None)
    quotation = Quotation.objects.get(order=order)
    Quotation.objects.filter(pk=quotation.pk).update(
        status=Quotation.Status.SENT, order=None, accepted_at=None
    )
    QuoteRequest.objects.filter(pk=quotation.request_id).update(status=QuoteRequest.Status.QUOTED)


def received(order: Order) -> int:
    """What has arrived for ``order`` so far (the deposit, then the balance)."""
    return sum(
        order.payments.filter(status=Payment.Status.SUCCEEDED).values_list("amount", flat=True)
    )


def quotation_pay_balance(*, order: Order, by: User, provider: str) -> Payment:
    """After the deposit arrived, the buyer pays the balance with ``provider``: a payment for
    what is left (a waiting attempt with another provider is closed first)."""
    permissions.require(order.buyer_id is not None and order.buyer_id == getattr(by, "pk", None))
    method = providers.find(provider)
    if method is None or not method.is_available():
        raise ValidationError(_("Choose a way to pay."), code="provider")
    with transaction.atomic():
        order = Order.objects.select_for_update(of=("self",)).get(pk=order.pk)
        if order.channel != Channel.QUOTATION or order.status != Order.Status.PENDING:
            raise ValidationError(_("This order is not waiting for a payment."), code="state")
        paid = received(order)
        if paid <= 0:
            raise ValidationError(_("The deposit has not arrived yet."), code="deposit")
        waiting = list(order.payments.filter(status=Payment.Status.CREATED))
        same = next((p for p in waiting if p.provider == method.name), None)
        if same is not None:
            return same
        for other in waiting:
            with contextlib.suppress(providers.ProviderError):
                providers.get(other.provider).cancel(other)
            Payment.objects.filter(pk=other.pk).update(status=Payment.Status.CANCELLED)
        payment = Payment(order=order, provider=method.name, amount=order.total - paid)
        payment.order = order
        if not method.start_needs_network:
            method.start(payment)
            # The deposit's transfer used the order number: each later transfer gets its own.
            payment.reference = f"{order.code}-{order.payments.count() + 1}"
        payment.save()
        audit_log(
            action="payments.quotation.balance_started",
            obj=payment,
            user=by,
            expo_id=order.expo_id,
            amount=payment.amount,
        )
    if method.start_needs_network:
        method.start(payment)
        Payment.objects.filter(pk=payment.pk).update(provider_ref=payment.provider_ref)
    if method.confirms_offline:
        happened.send(sender=Order, event="payments.transfer.awaited", obj=order)  # the bell
    return payment
