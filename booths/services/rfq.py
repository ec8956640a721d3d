"""Requests for quotation: a business buyer asks a vendor for a price.

The buyer needs an account with a business profile; asking makes them a lead of the booth and
lets the vendor see their profile while their consent stands. The quotation that answers is the
payments app's (:mod:`payments.quotations`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booths.models import Booth, Incoterm, Product, QuoteRequest, QuoteRequestLine
from booths.services import leads
from expo import buyers, permissions, timebox
from expo.countries import is_country_code
from expo.models import User
from expo.refusals import Refused
from expo.services import audit_log
from expo.signals import happened

MAX_LINES = 20
MAX_QUANTITY = 10_000_000


@dataclass(frozen=True)
class RequestedLine:
    quantity: int
    unit: str
    product: Product | None = None
    description: str = ""


@dataclass(frozen=True)
class RequestTerms:
    destination_country: str
    destination_place: str
    incoterm: str
    wanted_by: date | None = None
    needs_halal: bool = False
    needs_bpom: bool = False
    needs_organic: bool = False
    packaging: str = ""
    note: str = ""


class ProfileNeeded(Refused):
    default_code = "buyer_profile_needed"


def _code() -> str:
    # The same unambiguous alphabet as order numbers (Crockford's), drawn here: booths cannot
    # import payments.
    import secrets

    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    raw = "".join(secrets.choice(alphabet) for _i in range(8))
    return f"RFQ-{raw[:4]}-{raw[4:]}"


def _check_lines(booth: Booth, lines: list[RequestedLine]) -> None:
    if not lines:
        raise ValidationError(_("Ask for at least one product."), code="lines")
    if len(lines) > MAX_LINES:
        raise ValidationError(
            _("At most %(n)s products in one request.") % {"n": MAX_LINES}, code="lines"
        )
    for line in lines:
        if line.product is not None and line.product.booth_id != booth.pk:
            raise ValidationError(_("Choose products of this booth."), code="lines")
        if line.product is None and not line.description.strip():
            raise ValidationError(_("Name the product you want."), code="lines")
        if not 1 <= line.quantity <= MAX_QUANTITY:
            raise ValidationError(
                _("Quantities run from 1 to %(n)s.") % {"n": f"{MAX_QUANTITY:,}"}, code="quantity"
            )
        if not line.unit.strip():
            raise ValidationError(_("Give the unit of each quantity."), code="unit")


def _check_terms(terms: RequestTerms) -> None:
    if not is_country_code(terms.destination_country.upper()):
        raise ValidationError(_("Choose the destination country."), code="destination")
    if not terms.destination_place.strip():
        raise ValidationError(_("Name the port or city of destination."), code="destination")
    if terms.incoterm not in Incoterm.values:
        raise ValidationError(_("Choose an Incoterm."), code="incoterm")
    if terms.wanted_by is not None and terms.wanted_by < timezone.localdate():
        raise ValidationError(_("The delivery date has passed."), code="wanted_by")


def quote_request_create(
    *,
    booth: Booth,
    buyer: User,
    lines: list[RequestedLine],
    terms: RequestTerms,
    source: str = QuoteRequest.Source.BOOTH,
    source_id: int | None = None,
) -> QuoteRequest:
    """``buyer`` asks ``booth``'s vendor for a quotation. Needs an account with a business
    profile, an expo whose catalogue is open (open, or its mall), an active booth, and not one's
    own booth. The buyer becomes a lead and the vendor may see their profile (with consent)."""
    if not getattr(buyer, "is_authenticated", False):
        raise Refused(_("Sign in to ask for a quotation."), code="login_required")
    profile = buyers.profile_of(buyer)
    if profile is None:
        raise ProfileNeeded(_("Fill in your business profile to ask for a quotation."))
    timebox.require(booth.expo, timebox.Action.ASK)
    if not booth.is_active:
        raise Refused(_("This booth is not in the hall."), code="booth_inactive")
    if permissions.is_vendor_member(buyer, booth.vendor_id):
        raise Refused(_("You cannot ask your own business for a quotation."), code="own_booth")
    if source not in QuoteRequest.Source.values:
        raise ValueError(f"unknown source {source!r}")
    _check_lines(booth, lines)
    _check_terms(terms)
    request = _create(booth, buyer, profile, lines, terms, source, source_id)
    buyers.buyer_contact_record(buyer=buyer, vendor_id=booth.vendor_id, via=f"rfq:{request.pk}")
    leads.record(
        booth=booth, buyer=buyer, kind=leads.Kind.RFQ, ref_id=request.pk, label=request.code
    )
    happened.send(sender=QuoteRequest, event="booths.rfq.received", obj=request)  # the bell
    return request


def _create(booth, buyer, profile, lines, terms, source, source_id) -> QuoteRequest:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                request = QuoteRequest.objects.create(
                    code=_code(),
                    expo_id=booth.expo_id,
                    booth=booth,
                    vendor_id=booth.vendor_id,
                    buyer=buyer,
                    buyer_country=profile.country,
                    buyer_company=profile.company,
                    destination_country=terms.destination_country.upper(),
                    destination_place=terms.destination_place.strip()[:120],
                    incoterm=terms.incoterm,
                    wanted_by=terms.wanted_by,
                    needs_halal=terms.needs_halal,
                    needs_bpom=terms.needs_bpom,
                    needs_organic=terms.needs_organic,
                    packaging=terms.packaging.strip()[:300],
                    note=terms.note.strip()[:2000],
                    source=source,
                    source_id=source_id,
                )
                QuoteRequestLine.objects.bulk_create(
                    QuoteRequestLine(
                        request=request,
                        product=line.product,
                        description=(line.description.strip() or line.product.name_en)[:200]
                        if line.product is not None
                        else line.description.strip()[:200],
                        quantity=line.quantity,
                        unit=line.unit.strip()[:20],
                    )
                    for line in lines
                )
                audit_log(
                    action="booths.rfq.created",
                    obj=request,
                    user=buyer,
                    expo_id=booth.expo_id,
                    lines=len(lines),
                )
                return request
        except IntegrityError:
            continue  # a request number taken already: draw another
    raise IntegrityError("could not draw a free request number")


def quote_request_withdraw(*, request: QuoteRequest, by: User) -> QuoteRequest:
    """The buyer withdraws a request that was not accepted yet."""
    permissions.require(request.buyer_id == getattr(by, "pk", None))
    with transaction.atomic():
        request = QuoteRequest.objects.select_for_update().get(pk=request.pk)
        if request.status not in (QuoteRequest.Status.OPEN, QuoteRequest.Status.QUOTED):
            raise ValidationError(_("This request can no longer be withdrawn."), code="state")
        request.status = QuoteRequest.Status.WITHDRAWN
        request.save(update_fields=["status", "updated_at"])
        audit_log(action="booths.rfq.withdrawn", obj=request, user=by, expo_id=request.expo_id)
    return request
