"""Sales at a hybrid expo's physical stands: the vendor records them from its phone, an organiser
verifies them (one by one, or by checking a random sample and signing off for the set).

A stand sale takes stock through the checkout's own reservation (:func:`payments.services.stock.
reserve`: a conditional ``UPDATE … WHERE stock >= qty`` inside the transaction, the same lock
timeout), so it races online buyers for the last items on equal terms: one wins, the other is told
the product is sold out (:class:`~payments.services.errors.SoldOut`) or, past the lock timeout, to
try again (:class:`~payments.services.errors.Busy`). It is an order with channel ``offline``,
handed over and paid at the stand, whose ledger entries are written at once; its
:class:`~payments.models.OfflineSale` row says how it was paid and whether it is verified (why a
row beside the append-only ledger: see :mod:`payments.models.offline`).

The money of a stand sale went to the vendor directly, so settlements leave the ``offline``
channel out (:func:`payments.selectors.settlements`).

A sale that does not check out is rejected (:func:`offline_sale_reject`): reversal entries in the
ledger (as a refund writes), its stock back, the order cancelled, the vendor told.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from booths import catalogue
from booths.models import Booth, Product, Stand
from expo import permissions, timebox
from expo.models import Expo, User
from expo.services import audit_log
from expo.signals import happened
from payments.models import (
    Channel,
    OfflineSale,
    OfflineVerification,
    Order,
    OrderLine,
    OrderPart,
    ShippingMethod,
    ShippingZone,
)
from payments.services import ledger, locks, notify, stock
from payments.services.codes import new_order_code
from payments.services.errors import Busy
from payments.services.offline_counts import offline_count_add
from payments.services.settings import require_organiser

MAX_LINES = 30
MAX_QUANTITY = 10_000
RECEIPT_LENGTH = 40
REASON_LENGTH = 500
PROVIDER = "offline"


@dataclass(frozen=True)
class StandLine:
    product: Product
    quantity: int


def _check_lines(booth: Booth, lines: Sequence[StandLine]) -> list[StandLine]:
    """The lines merged per product, each of this booth, on sale, in stock (not pre-order) and a
    sane quantity; a clear message otherwise."""
    merged: dict[int, StandLine] = {}
    for line in lines:
        if line.quantity <= 0:
            continue
        if line.product.booth_id != booth.pk:
            raise ValidationError(_("That product is not in your booth."), code="product")
        if not line.product.is_active:
            raise ValidationError(
                _("%(product)s is not on sale.") % {"product": line.product.name}, code="product"
            )
        if line.product.is_preorder:
            raise ValidationError(
                _("%(product)s is sold by pre-order online, not from the stand's stock.")
                % {"product": line.product.name},
                code="product",
            )
        known = merged.get(line.product.pk)
        quantity = line.quantity + (known.quantity if known else 0)
        if quantity > MAX_QUANTITY:
            raise ValidationError(_("That quantity is too large."), code="quantity")
        merged[line.product.pk] = StandLine(line.product, quantity)
    if not merged:
        raise ValidationError(_("Add at least one product with a quantity."), code="empty")
    if len(merged) > MAX_LINES:
        raise ValidationError(
            _("Record at most %(n)s products per receipt.") % {"n": MAX_LINES}, code="lines"
        )
    return list(merged.values())


def _clean_receipt(receipt_number: str) -> str:
    receipt = " ".join(str(receipt_number or "").split())
    if not receipt:
        raise ValidationError(_("Enter the receipt number."), code="receipt")
    if len(receipt) > RECEIPT_LENGTH:
        raise ValidationError(
            _("A receipt number has at most %(n)s characters.") % {"n": RECEIPT_LENGTH},
            code="receipt",
        )
    return receipt


def offline_sale_record(
    *,
    booth: Booth,
    by: User,
    lines: Sequence[StandLine],
    payment_method: str,
    receipt_number: str,
) -> OfflineSale:
    """Record a sale made at ``booth``'s physical stand: only the vendor's own members, while the
    expo is open. Takes the stock (or refuses with :class:`SoldOut`/:class:`Busy`, nothing
    changed), writes an order with channel ``offline`` (handed over, paid at the stand), its
    ledger entries and an unverified :class:`OfflineSale`. A receipt number is recorded once
    per booth."""
    permissions.require(permissions.is_vendor_member(by, booth.vendor_id))
    expo = booth.expo
    timebox.require(expo, timebox.Action.SELL_AT_STAND)
    if payment_method not in OfflineSale.PaymentMethod.values:
        raise ValidationError(_("Choose how the buyer paid."), code="payment_method")
    receipt = _clean_receipt(receipt_number)
    checked = _check_lines(booth, lines)
    if OfflineSale.objects.filter(booth=booth, receipt_number=receipt).exists():
        raise ValidationError(_("This receipt number is recorded already."), code="receipt_taken")
    try:
        return _record(
            booth=booth,
            expo=expo,
            by=by,
            lines=checked,
            payment_method=payment_method,
            receipt=receipt,
        )
    except OperationalError as error:
        if locks.is_lock_failure(error):
            raise Busy() from error
        raise
    except IntegrityError as error:  # the same receipt recorded at the same moment
        raise ValidationError(
            _("This receipt number is recorded already."), code="receipt_taken"
        ) from error


@transaction.atomic
def _record(
    *,
    booth: Booth,
    expo: Expo,
    by: User,
    lines: list[StandLine],
    payment_method: str,
    receipt: str,
) -> OfflineSale:
    locks.set_lock_timeout()
    sold_out = stock.reserve([(line.product, line.quantity) for line in lines])
    now = timezone.now()
    total = sum(line.product.price * line.quantity for line in lines)
    stand = Stand.objects.filter(booth=booth).select_related("venue").first()
    order = _stand_order(
        booth=booth, expo=expo, lines=lines, total=total, stand=stand, receipt=receipt, now=now
    )
    sale = OfflineSale.objects.create(
        order=order,
        expo=expo,
        booth=booth,
        vendor_id=booth.vendor_id,
        stand=stand,
        payment_method=payment_method,
        receipt_number=receipt,
        total=total,
        recorded_by=by,
        recorded_at=now,
    )
    ledger.sales(order, now)  # channel "offline"; counted apart while unverified
    offline_count_add(expo_id=expo.pk, recorded=1, recorded_total=total)
    audit_log(
        action="payments.offline.recorded",
        obj=sale,
        user=by,
        expo_id=expo.pk,
        order=order.code,
        total=total,
        payment_method=payment_method,
        receipt=receipt,
    )
    if sold_out:
        catalogue.bump(expo.pk)  # the product pages should say "sold out" now
    return sale


def _stand_order(
    *,
    booth: Booth,
    expo: Expo,
    lines: list[StandLine],
    total: int,
    stand: Stand | None,
    receipt: str,
    now: datetime,
) -> Order:
    """The order of a stand sale: channel ``offline``, paid and handed over at the stand (its
    attribution the stand), with one part and a line per product at today's prices."""
    order = Order.objects.create(
        code=new_order_code(),
        expo=expo,
        buyer=None,
        access_key=secrets.token_urlsafe(32),
        email="",
        name=_("Stand sale %(receipt)s") % {"receipt": receipt},
        phone="",
        address="",
        city=stand.venue.name if stand is not None else "",
        country="ID",
        language="id",
        status=Order.Status.DELIVERED,
        stock=Order.Stock.SOLD,
        provider=PROVIDER,
        channel=Channel.OFFLINE,
        attribution_id=stand.pk if stand is not None else None,
        attribution_label=stand.code if stand is not None else "",
        subtotal=total,
        shipping_total=0,
        total=total,
        reserved_until=None,
        placed_at=now,
        paid_at=now,
    )
    part = OrderPart.objects.create(
        order=order,
        booth=booth,
        vendor=booth.vendor,
        status=OrderPart.Status.DELIVERED,
        subtotal=total,
        shipping_zone=ShippingZone.PROVINCE,
        shipping_method=ShippingMethod.ARRANGE,
        delivered_at=now,
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            part=part,
            product=line.product,
            name_en=line.product.name_en,
            name_id=line.product.name_id,
            unit_price=line.product.price,
            quantity=line.quantity,
        )
        for line in lines
    )
    return order


# --- Verification -------------------------------------------------------------------------------


def _sign_off(
    *,
    expo: Expo,
    by: User,
    sale_ids: Sequence[int],
    sampled: Sequence[int],
    method: str,
    note: str,
) -> OfflineVerification:
    """Verify the still-unverified sales among ``sale_ids`` of ``expo`` (locked), with one
    sign-off; refuses when none is left to verify."""
    sales = list(
        OfflineSale.objects.select_for_update()
        .filter(
            expo=expo, pk__in=list(sale_ids), verification__isnull=True, rejected_at__isnull=True
        )
        .order_by("pk")
    )
    if not sales:
        raise ValidationError(_("These sales are verified or rejected already."), code="verified")
    verification = OfflineVerification.objects.create(
        expo=expo,
        method=method,
        population=len(sales),
        sampled=sorted(int(i) for i in sampled),
        note=note[:500],
        signed_by=by,
    )
    OfflineSale.objects.filter(pk__in=[s.pk for s in sales]).update(verification=verification)
    offline_count_add(
        expo_id=expo.pk, verified=len(sales), verified_total=sum(s.total for s in sales)
    )
    return verification


@transaction.atomic
def offline_sale_verify(*, sale: OfflineSale, by: User, note: str = "") -> OfflineVerification:
    """An organiser of the expo's office checked this sale's receipt: it is verified (refused
    when it is verified or rejected already)."""
    expo = Expo.objects.get(pk=sale.expo_id)
    require_organiser(expo, by)
    verification = _sign_off(
        expo=expo,
        by=by,
        sale_ids=[sale.pk],
        sampled=[sale.pk],
        method=OfflineVerification.Method.INDIVIDUAL,
        note=note,
    )
    audit_log(
        action="payments.offline.verified",
        obj=sale,
        user=by,
        expo_id=expo.pk,
        verification=verification.pk,
        total=sale.total,
    )
    sale.verification = verification
    return verification


@dataclass(frozen=True)
class Sample:
    """Unverified sales of a set (all of an expo's, or one booth's) and a random sample of them
    to check against their receipts."""

    population: list[int]
    sampled: list[int]


def sample_size(population: int) -> int:
    """How many to check: a tenth of the set, at least 5 (or all of a smaller set), at most 50."""
    return min(population, max(5, min(50, -(-population // 10))))


def offline_sample_draw(*, expo: Expo, booth_id: int | None = None) -> Sample:
    """A fresh random sample of the unverified sales (of one booth, when given); rejected sales
    are not in the set."""
    rows = OfflineSale.objects.filter(
        expo=expo, verification__isnull=True, rejected_at__isnull=True
    )
    if booth_id is not None:
        rows = rows.filter(booth_id=booth_id)
    population = sorted(rows.values_list("pk", flat=True))
    picked = random.SystemRandom().sample(population, sample_size(len(population)))
    return Sample(population=population, sampled=sorted(picked))


@transaction.atomic
def offline_sample_sign_off(
    *,
    expo: Expo,
    by: User,
    population: Sequence[int],
    sampled: Sequence[int],
    note: str = "",
) -> OfflineVerification:
    """An organiser checked the ``sampled`` sales against their receipts and signs off for the
    whole ``population`` they were drawn from: every one of them still unverified (and not
    rejected meanwhile) becomes verified. The sample must be drawn from the set and large enough (:func:`sample_size`); the
    sign-off (who, when, which sales were checked, how many it covers, the note) is kept and
    written to the audit log."""
    require_organiser(expo, by)
    population_ids = {int(i) for i in population}
    sampled_ids = {int(i) for i in sampled}
    if not population_ids:
        raise ValidationError(_("There is nothing to verify."), code="empty")
    if not sampled_ids <= population_ids:
        raise ValidationError(_("The sample must come from the sales it verifies."), code="sample")
    if len(sampled_ids) < sample_size(len(population_ids)):
        raise ValidationError(
            _("Check at least %(n)s sales of this set.") % {"n": sample_size(len(population_ids))},
            code="sample",
        )
    if not note.strip():
        raise ValidationError(
            _("Say what you checked (for example, receipts against the stand's cash book)."),
            code="note",
        )
    verification = _sign_off(
        expo=expo,
        by=by,
        sale_ids=sorted(population_ids),
        sampled=sorted(sampled_ids),
        method=OfflineVerification.Method.SAMPLE,
        note=note,
    )
    audit_log(
        action="payments.offline.sample_signed_off",
        obj=verification,
        user=by,
        expo_id=expo.pk,
        population=verification.population,
        sampled=verification.sampled,
        note=verification.note,
    )
    return verification


# --- Rejection ----------------------------------------------------------------------------------


def _clean_reason(reason: str) -> str:
    text = " ".join(str(reason or "").split())
    if not text:
        raise ValidationError(
            _("Say why this sale is rejected (for example, no such receipt in the cash book)."),
            code="reason",
        )
    if len(text) > REASON_LENGTH:
        raise ValidationError(
            _("A reason has at most %(n)s characters.") % {"n": REASON_LENGTH}, code="reason"
        )
    return text


def offline_sale_reject(*, sale: OfflineSale, by: User, reason: str) -> OfflineSale:
    """An organiser of the expo's office found that this stand sale does not check out (no such
    receipt, a wrong amount, a duplicate, recorded by mistake): it is rejected, like pretix
    cancels a paid order. In one transaction, the sale locked first: reversal entries in the
    ledger for each line (channel ``offline``, negative, as a refund writes them: every omzet
    rollup follows), the stock back on the products (the catalogue's version bumped), the order
    cancelled, the sale marked rejected with who, when and why, the counts, the audit log; the
    vendor's members are told (the bell and an e-mail, once committed). A reason is required.
    Any time, as verifying is (receipts are often checked after the expo closed).

    Refused, nothing changed: by anyone but an organiser of the expo's office
    (:class:`~django.core.exceptions.PermissionDenied`), and for a sale that is rejected already
    or **verified** already. A verified sale is final here: an organiser signed for it, alone or
    inside a sampled set whose sign-off covers it, and rejecting it later would silently undo
    that sign-off (the set's count on the sign-off would no longer say what was verified). A
    verified sale found false later needs its own visible step, not this one. The converse race
    is settled by the row lock and a database constraint: a reject and a verify of the same sale
    at the same moment leave exactly one of them."""
    expo = Expo.objects.get(pk=sale.expo_id)
    require_organiser(expo, by)
    text = _clean_reason(reason)
    try:
        rejected = _reject(sale_id=sale.pk, expo=expo, by=by, reason=text)
    except OperationalError as error:
        if locks.is_lock_failure(error):
            raise Busy() from error
        raise
    sale.rejected_at, sale.rejected_by, sale.rejection_reason = (
        rejected.rejected_at,
        by,
        rejected.rejection_reason,
    )
    return rejected


@transaction.atomic
def _reject(*, sale_id: int, expo: Expo, by: User, reason: str) -> OfflineSale:
    locks.set_lock_timeout()
    sale = OfflineSale.objects.select_for_update().get(pk=sale_id, expo=expo)
    if sale.verification_id is not None:
        raise ValidationError(
            _("This sale is verified already; a verified sale cannot be rejected."),
            code="verified",
        )
    if sale.rejected_at is not None:
        raise ValidationError(_("This sale is rejected already."), code="rejected")
    order = Order.objects.select_for_update().get(pk=sale.order_id)
    now = timezone.now()
    lines = list(order.lines.order_by("product_id", "pk"))
    # The stock first, then the ledger and its rollups: the order a stand sale's recording takes
    # its locks in (products, then rollup rows), so the two never wait on each other in a circle.
    _restock(lines)
    # The reversal: what each line still counts in the ledger, back out, its quantity with it.
    ledger.write(
        order,
        [(line, -line.refundable, -line.quantity) for line in lines if line.refundable > 0],
        occurred_at=now,
    )
    order.status = Order.Status.CANCELLED
    order.cancel_reason = Order.CancelReason.ORGANISER
    order.cancelled_at = now
    order.stock = Order.Stock.RELEASED
    order.save(update_fields=["status", "cancel_reason", "cancelled_at", "stock", "updated_at"])
    order.parts.update(status=OrderPart.Status.CANCELLED)
    sale.rejected_at, sale.rejected_by, sale.rejection_reason = now, by, reason
    sale.save(update_fields=["rejected_at", "rejected_by", "rejection_reason"])
    offline_count_add(expo_id=expo.pk, rejected=1, rejected_total=sale.total)
    audit_log(
        action="payments.offline.rejected",
        obj=sale,
        user=by,
        expo_id=expo.pk,
        order=order.code,
        total=sale.total,
        receipt=sale.receipt_number,
        reason=reason,
    )
    catalogue.bump(expo.pk)  # a sold-out product may be on sale again
    happened.send(sender=OfflineSale, event="payments.offline.rejected", obj=sale)  # the bell
    part = order.parts.select_related("vendor", "order__expo").first()
    if part is not None:
        notify.vendor(part, "vendor_offline_rejected", sale=sale)
    return sale


def _restock(lines: list[OrderLine]) -> None:
    """The lines' quantities back on their products' stock (a product removed since is skipped),
    in product id order as the checkout locks them."""
    for line in lines:
        if line.product_id is None:
            continue
        field = "preorder_quota" if line.is_preorder else "stock"
        Product.objects.filter(pk=line.product_id).update(**{field: F(field) + line.quantity})
