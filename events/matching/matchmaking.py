"""The organisers' matchmaking: suggested pairs of a business buyer and a vendor at an expo, and
meetings proposed for many of them at once.

A pair is suggested when the buyer's interests meet the vendor: a sector of interest is the
vendor's sector, or a word of the buyer's "products of interest" is in the name of one of the
booth's products (English or Indonesian) or its tagline. A buyer abroad adds the vendor's export
readiness (the curators' "export readiness" score of its application, on the rubric's scale); an
importer or distributor adds a small or medium business's capacity. Each suggestion carries its
reasons and a score, highest first. Pairs that already have a meeting at the expo (any but a
cancelled one) are never suggested.

The buyers are the accounts whose business profile has a standing consent: they agreed to be put
in touch with vendors. The reads take a fixed number of queries whatever the numbers of vendors,
buyers and meetings; the matching itself runs over indexes (sector → vendors, word → vendors), not
over every pair.

Proposing in bulk calls :func:`events.matching.services.meeting_arrange` once per pair at the
vendor's next slot free for both: each pair is its own transaction, so a pair that fails (the
time was taken, the buyer is busy, the booth is gone) writes nothing and the others stand; the
answer says, pair by pair, what happened.
"""

from __future__ import annotations

import heapq
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from booths.models import Booth, Product, Vendor
from booths.rubrics import ApplicationScore, Criterion, CurationRubric
from events.matching import selectors as matching
from events.matching import services
from events.matching.models import AGENDA_MAX_LENGTH, Meeting, MeetingAvailability, MeetingStatus
from expo import buyers, permissions
from expo.countries import country_name
from expo.models import BuyerConsent, BuyerProfile, Expo, User
from expo.refusals import Refused

HOME_COUNTRY = "ID"
# Points per reason, and how much export readiness (share of the rubric's scale) counts as ready.
SECTOR_POINTS, WORD_POINTS, EXPORT_POINTS, CAPACITY_POINTS = 3, 2, 2, 1
MAX_WORDS = 3
EXPORT_READY_SHARE = 0.6
BULK_MAX = 50
# Words of "products of interest" that say nothing about a product.
STOPWORDS = frozenset(
    [
        "and",
        "the",
        "for",
        "with",
        "from",
        "our",
        "any",
        "all",
        "other",
        "etc",
        "dan",
        "atau",
        "yang",
        "untuk",
        "dari",
        "dengan",
        "lain",
        "produk",
        "product",
        "products",
    ]
)
_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


def words_of(text: str) -> set[str]:
    """The meaningful words of ``text``, lower case, three letters or more."""
    return {w for w in _WORD.findall((text or "").lower()) if w not in STOPWORDS}


@dataclass
class VendorCard:
    vendor_id: int
    booth_id: int
    name: str
    sector_id: int
    sector: str
    size_class: str
    size_label: str
    export_score: int | None  # the curators' export readiness, on the rubric's scale
    scale: int
    words: set[str] = field(default_factory=set)
    next_slot: datetime | None = None

    @property
    def export_ready(self) -> bool:
        return (
            self.export_score is not None and self.export_score >= EXPORT_READY_SHARE * self.scale
        )


@dataclass
class BuyerCard:
    user_id: int
    company: str
    country: str
    country_label: str
    buyer_type: str
    buyer_type_label: str
    products: str
    sector_ids: list[int] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)


@dataclass
class Suggestion:
    buyer: BuyerCard
    vendor: VendorCard
    score: int
    reasons: list[str]

    @property
    def key(self) -> str:
        """How the bulk form names the pair: ``<buyer id>-<vendor id>``."""
        return f"{self.buyer.user_id}-{self.vendor.vendor_id}"


@dataclass
class Board:
    vendors: list[VendorCard]
    buyers: list[BuyerCard]
    suggestions: list[Suggestion]


# --- Reads -----------------------------------------------------------------------------------------


def _vendors(expo: Expo) -> list[VendorCard]:
    """The expo's active booths' vendors with their sector, size and export score (one query),
    the words of their products and taglines (one query), and their next free slot (two)."""
    rubric = CurationRubric.objects.filter(expo=expo).values_list("scale", flat=True).first()
    export = ApplicationScore.objects.filter(
        application=OuterRef("application_id"), key=Criterion.EXPORT
    ).values("value")[:1]
    rows = (
        Booth.objects.filter(expo=expo, is_active=True)
        .select_related("vendor", "vendor__sector")
        .annotate(export_score=Subquery(export))
        .order_by("vendor__name", "id")
    )
    sizes = dict(Vendor.SizeClass.choices)
    cards = {
        b.pk: VendorCard(
            vendor_id=b.vendor_id,
            booth_id=b.pk,
            name=b.vendor.name,
            sector_id=b.vendor.sector_id,
            sector=b.vendor.sector.name,
            size_class=b.vendor.size_class,
            size_label=str(sizes.get(b.vendor.size_class, b.vendor.size_class)),
            export_score=b.export_score,
            scale=rubric or 5,
            words=words_of(f"{b.tagline_en} {b.tagline_id}"),
        )
        for b in rows
    }
    products = Product.objects.filter(booth__expo=expo, booth__is_active=True, is_active=True)
    for booth_id, name_en, name_id in products.values_list("booth_id", "name_en", "name_id"):
        if booth_id in cards:
            cards[booth_id].words |= words_of(f"{name_en} {name_id}")
    _next_slots(expo, list(cards.values()))
    return list(cards.values())


def _next_slots(expo: Expo, cards: list[VendorCard]) -> None:
    """Each vendor's next free slot: every window and active meeting of the expo in two queries."""
    window = matching.window_of(expo)
    if window is None or not cards:
        return
    now = timezone.now()
    windows: dict[int, list[tuple[int, datetime, datetime]]] = defaultdict(list)
    rows = MeetingAvailability.objects.filter(expo=expo, ends_at__gt=max(now, window.starts_at))
    for vendor_id, member_id, start, end in rows.values_list(
        "vendor_id", "member_id", "starts_at", "ends_at"
    ):
        windows[vendor_id].append((member_id, start, end))
    busy: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    active = Meeting.objects.filter(expo=expo, status__in=matching.ACTIVE_STATUSES)
    for vendor_id, start, end in active.values_list("vendor_id", "starts_at", "ends_at"):
        busy[vendor_id].append((start, end))
    for card in cards:
        for slot in matching.cut_slots(windows.get(card.vendor_id, []), window):
            taken = any(s < slot.ends_at and slot.starts_at < e for s, e in busy[card.vendor_id])
            if slot.starts_at > now and not taken:
                card.next_slot = slot.starts_at
                break


def _buyers() -> list[BuyerCard]:
    """Business buyers whose consent stands, with their sectors of interest: two queries."""
    standing = BuyerConsent.objects.filter(profile=OuterRef("pk"), withdrawn_at__isnull=True)
    profiles = (
        BuyerProfile.objects.filter(Exists(standing), user__is_active=True)
        .prefetch_related("sectors")
        .order_by("company", "id")
    )
    return [
        BuyerCard(
            user_id=p.user_id,
            company=p.company,
            country=p.country,
            country_label=country_name(p.country),
            buyer_type=p.buyer_type,
            buyer_type_label=p.get_buyer_type_display(),
            products=p.products,
            sector_ids=[s.pk for s in p.sectors.all()],
            sectors=[s.name for s in p.sectors.all()],
        )
        for p in profiles
    ]


def _met_pairs(expo: Expo) -> set[tuple[int, int]]:
    """(buyer id, vendor id) of the pairs that have a meeting at the expo, but a cancelled one."""
    rows = Meeting.objects.filter(expo=expo).exclude(status=MeetingStatus.CANCELLED)
    return set(rows.values_list("buyer_id", "vendor_id"))


def _points(buyer: BuyerCard, vendor: VendorCard, shared_words: int) -> int | None:
    """The pair's score alone (what :func:`_score` adds up, without naming the words): the
    ranking runs over every candidate pair, the reasons are written for the shown ones only."""
    shared = min(shared_words, MAX_WORDS)
    sector = vendor.sector_id in buyer.sector_ids
    if not (sector or shared):
        return None
    score = SECTOR_POINTS * sector + WORD_POINTS * shared
    if buyer.country != HOME_COUNTRY:
        score += EXPORT_POINTS if vendor.export_ready else -1
    if buyer.buyer_type in ("importer", "distributor") and vendor.size_class != "mikro":
        score += CAPACITY_POINTS
    return score


def _score(buyer: BuyerCard, vendor: VendorCard, words: set[str]) -> Suggestion | None:
    """The pair's score and reasons, or None when neither a sector nor a product word matches."""
    reasons: list[str] = []
    score = 0
    if vendor.sector_id in buyer.sector_ids:
        score += SECTOR_POINTS
        reasons.append(_("Same sector: %(sector)s") % {"sector": vendor.sector})
    shared = sorted(words & vendor.words)[:MAX_WORDS]
    if shared:
        score += WORD_POINTS * len(shared)
        reasons.append(_("Products of interest: %(words)s") % {"words": ", ".join(shared)})
    if not reasons:
        return None
    if buyer.country != HOME_COUNTRY:
        if vendor.export_ready:
            score += EXPORT_POINTS
            reasons.append(
                _("Buyer in %(country)s; export readiness %(score)d/%(scale)d")
                % {
                    "country": buyer.country_label,
                    "score": vendor.export_score,
                    "scale": vendor.scale,
                }
            )
        else:
            score -= 1
            reasons.append(
                _("Buyer in %(country)s, but export readiness is not scored high")
                % {"country": buyer.country_label}
            )
    if buyer.buyer_type in ("importer", "distributor") and vendor.size_class != "mikro":
        score += CAPACITY_POINTS
        reasons.append(
            _("%(size)s business, for a %(type)s's volumes")
            % {"size": vendor.size_label, "type": buyer.buyer_type_label.lower()}
        )
    return Suggestion(buyer=buyer, vendor=vendor, score=score, reasons=reasons)


def matchmaking_board(
    *, expo: Expo, country: str = "", sector_id: int | None = None, limit: int = 100
) -> Board:
    """The expo's vendors, the business buyers, and the best ``limit`` suggested pairs (for a
    buyer ``country`` or a vendor ``sector_id`` when given), best first: the score, then the
    vendor with the earlier free slot, then the names. Seven queries whatever the sizes."""
    vendors = _vendors(expo)
    buyers = _buyers()
    met = _met_pairs(expo)
    by_sector: dict[int, list[VendorCard]] = defaultdict(list)
    by_word: dict[str, list[VendorCard]] = defaultdict(list)
    for vendor in vendors:
        if sector_id is None or vendor.sector_id == sector_id:
            by_sector[vendor.sector_id].append(vendor)
            for word in vendor.words:
                by_word[word].append(vendor)
    far = timezone.now().replace(year=9999)
    scored: list[tuple[int, BuyerCard, VendorCard, set[str]]] = []
    for buyer in buyers:
        if country and buyer.country != country:
            continue
        words = words_of(buyer.products)
        # Shared words counted through the index (a vendor's count is how many of the buyer's
        # words list it), not by intersecting sets pair by pair: thousands of buyers meet
        # hundreds of vendors here, and only the pairs that share something are looked at.
        shared: dict[int, int] = defaultdict(int)
        candidates: dict[int, VendorCard] = {}
        for word in words:
            for vendor in by_word.get(word, ()):
                shared[vendor.vendor_id] += 1
                candidates[vendor.vendor_id] = vendor
        for sector in buyer.sector_ids:
            for vendor in by_sector.get(sector, ()):
                candidates[vendor.vendor_id] = vendor
        for vendor in candidates.values():
            if (buyer.user_id, vendor.vendor_id) in met:
                continue
            points = _points(buyer, vendor, shared[vendor.vendor_id])
            if points is not None:
                scored.append((points, buyer, vendor, words))
    # Only pairs scoring at least the ``limit``-th best score can be shown: the full order (the
    # free slot, then the names) is built for those alone.
    cut = heapq.nlargest(limit, (item[0] for item in scored))
    floor = cut[-1] if len(cut) == limit else None
    names = {v.vendor_id: v.name.lower() for v in vendors}
    companies = {b.user_id: b.company.lower() for b in buyers}
    ranked = [
        (
            (-points, vendor.next_slot or far, companies[buyer.user_id], names[vendor.vendor_id]),
            buyer,
            vendor,
            words,
        )
        for points, buyer, vendor, words in scored
        if floor is None or points >= floor
    ]
    best = heapq.nsmallest(limit, ranked, key=lambda item: item[0])
    found = [_score(buyer, vendor, words) for _order, buyer, vendor, words in best]
    return Board(vendors=vendors, buyers=buyers, suggestions=[s for s in found if s])


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
