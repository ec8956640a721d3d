"""The organisers' matchmaking: suggested pairs of a business buyer and a vendor at an expo, and
meetings proposed for many of them at once.

Which pairs are suggested, with which score and reasons, is :mod:`events.matching.scoring` (the
one scoring function). The suggested pairs are stored, kept up to date as their inputs change
(:mod:`events.matching.suggestions`): the page reads a page of them in order and writes the
reasons of the shown ones alone, in a fixed number of queries whatever the numbers of vendors,
buyers, pairs and meetings. The buyers are the accounts whose business profile has a standing
consent: they agreed to be put in touch with vendors.

Proposing in bulk calls :func:`events.matching.services.meeting_arrange` once per pair at the
vendor's next slot free for both: each pair is its own transaction, so a pair that fails (the
time was taken, the buyer is busy, the booth is gone) writes nothing and the others stand; the
answer says, pair by pair, what happened.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from booths.models import Booth
from events.matching import scoring, services, suggestions
from events.matching import selectors as matching
from events.matching.models import AGENDA_MAX_LENGTH, Meeting, MeetingStatus
from events.matching.scoring import BuyerCard, Suggestion, VendorCard, words_of  # noqa: F401
from expo import buyers, permissions
from expo.countries import country_name
from expo.models import BuyerProfile, Expo, User
from expo.refusals import Refused

BULK_MAX = 50
PAGE_SIZE = 100


@dataclass
class Board:
    vendors: list[VendorCard]  # every vendor of the expo, with its next free slot
    buyers: list[BuyerCard]  # the first business buyers, by company
    buyer_count: int
    countries: list[tuple[str, str]]  # (code, name) of every business buyer's country
    suggestions: list[Suggestion]
    page: int = 1
    has_next: bool = False


BUYERS_SHOWN = 50


def matchmaking_board(
    *,
    expo: Expo,
    country: str = "",
    sector_id: int | None = None,
    limit: int = PAGE_SIZE,
    page: int = 1,
) -> Board:
    """The expo's vendors, the business buyers (the first :data:`BUYERS_SHOWN`, their number and
    countries), and page ``page`` of the suggested pairs, ``limit`` a page (for a buyer
    ``country`` or a vendor ``sector_id`` when given), best first: the score, then the vendor
    with the earlier free slot, then the names. Read from the stored suggestions
    (:mod:`events.matching.suggestions`, built on the first view); a fixed number of queries
    whatever the sizes."""
    page = max(1, page)
    suggestions.ensure_built(expo)
    vendors = scoring.vendor_cards(expo)
    scoring.next_slots(expo, vendors)
    rows = suggestions.ranked(
        expo=expo,
        vendors=vendors,
        country=country,
        sector_id=sector_id,
        offset=(page - 1) * limit,
        limit=limit + 1,
    )
    has_next, rows = len(rows) > limit, rows[:limit]
    standing = scoring.standing_buyers()
    shown = scoring.buyer_cards(standing.filter(pk__in=standing.values("pk")[:BUYERS_SHOWN]))
    in_rows = {buyer_id for _score, buyer_id, _vendor_id in rows}
    paired = {b.user_id: b for b in scoring.buyer_cards(user_ids=in_rows)}
    by_vendor = {v.vendor_id: v for v in vendors}
    found = []
    for _score, buyer_id, vendor_id in rows:
        if buyer_id in paired and vendor_id in by_vendor:
            found.append(scoring.suggestion_of(paired[buyer_id], by_vendor[vendor_id]))
    codes = standing.order_by().values_list("country", flat=True).distinct()
    return Board(
        vendors=vendors,
        buyers=shown,
        buyer_count=standing.count(),
        countries=sorted(((c, country_name(c)) for c in codes), key=lambda c: c[1]),
        suggestions=[s for s in found if s],
        page=page,
        has_next=has_next,
    )


# --- Writes ----------------------------------------------------------------------------------------


@dataclass
class Proposal:
    """What became of one pair of a bulk proposal."""

    key: str
    buyer: str
    vendor: str
    meeting: Meeting | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.meeting is not None


def parse_pair(key: str) -> tuple[int, int] | None:
    """``"<buyer id>-<vendor id>"`` as two ids, or None for anything else."""
    match = re.fullmatch(r"(\d{1,12})-(\d{1,12})", str(key or "").strip())
    return (int(match[1]), int(match[2])) if match else None


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(getattr(exc, "message", "") or exc) or _("This meeting could not be proposed.")


def _propose_one(expo: Expo, key: str, agenda: str, by: Any) -> Proposal:
    pair = parse_pair(key)
    if pair is None:
        return Proposal(key=str(key)[:40], buyer="?", vendor="?", error=_("Not a pair."))
    buyer_id, vendor_id = pair
    buyer = User.objects.filter(pk=buyer_id, is_active=True).first()
    booth = (
        Booth.objects.select_related("expo", "expo__office", "vendor")
        .filter(expo=expo, vendor_id=vendor_id, is_active=True)
        .first()
    )
    profile = BuyerProfile.objects.filter(user_id=buyer_id).first()
    result = Proposal(
        key=key,
        buyer=profile.company if profile else "?",
        vendor=booth.vendor.name if booth else "?",
    )
    if buyer is None or booth is None or not buyers.is_ready_to_meet(buyer):
        result.error = _("This buyer or vendor cannot meet at this expo.")
        return result
    if _have_met(expo, buyer_id, vendor_id):
        result.error = _("They already have a meeting at this expo.")
        return result
    for _attempt in range(3):  # another buyer may take the slot between the read and the write
        slots = matching.free_slots(expo=expo, vendor_id=vendor_id, buyer=buyer)
        if not slots:
            result.error = _("The vendor has no free time left that suits the buyer.")
            return result
        try:
            result.meeting = services.meeting_arrange(
                booth=booth, buyer=buyer, starts_at=slots[0].starts_at, agenda=agenda, by=by
            )
            return result
        except services.SlotTaken as exc:
            result.error = _message(exc)
        except (Refused, ValidationError, PermissionDenied) as exc:
            result.error = _message(exc)
            return result
    return result


def _have_met(expo: Expo, buyer_id: int, vendor_id: int) -> bool:
    rows = Meeting.objects.filter(expo=expo, buyer_id=buyer_id, vendor_id=vendor_id)
    return rows.exclude(status=MeetingStatus.CANCELLED).exists()


def meetings_propose_bulk(*, expo: Expo, pairs: list[str], agenda: Any, by: Any) -> list[Proposal]:
    """Propose a meeting for each pair (``"<buyer id>-<vendor id>"``) at the vendor's next slot
    free for both, through :func:`~events.matching.services.meeting_arrange` (both sides then
    confirm). Each pair on its own: a failed pair writes nothing and is reported with its reason.
    Refused as a whole only for someone who does not organise the expo, or for no or too many
    pairs."""
    if not permissions.is_authenticated(by):
        raise Refused(_("Please sign in first."), code="login_required")
    permissions.require(permissions.can_manage_office(by, expo.office_id))
    keys = list(dict.fromkeys(str(p) for p in pairs))
    if not keys:
        raise ValidationError({"pairs": _("Tick at least one suggested pair.")})
    if len(keys) > BULK_MAX:
        raise ValidationError(
            {"pairs": _("At most %(count)d pairs at once.") % {"count": BULK_MAX}}
        )
    text = str(agenda or "").strip() or _("Suggested by the organisers of the expo.")
    if len(text) > AGENDA_MAX_LENGTH:
        raise ValidationError(
            {"agenda": _("At most %(limit)d characters.") % {"limit": AGENDA_MAX_LENGTH}}
        )
    return [_propose_one(expo, key, text, by) for key in keys]
