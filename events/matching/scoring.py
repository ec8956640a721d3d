"""The matchmaking's one way of scoring a pair of a business buyer and a vendor, and the cards it
reads them from.

A pair is suggested when the buyer's interests meet the vendor: a sector of interest is the
vendor's sector, or a word of the buyer's "products of interest" is in the name of one of the
booth's products (English or Indonesian) or its tagline. A buyer abroad adds the vendor's export
readiness (the curators' "export readiness" score of its application, on the rubric's scale); an
importer or distributor adds a small or medium business's capacity. Pairs that already have a
meeting at the expo (any but a cancelled one) are never suggested.

:func:`points` is the score, :func:`scored_pairs` the pairs worth scoring (over indexes: sector →
vendors, word → vendors, not over every pair), :func:`suggestion_of` the reasons of a shown pair.
The stored suggestions (:mod:`events.matching.suggestions`) are built and kept up to date with
these alone, whether for a whole expo, one buyer, one vendor or one pair.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from booths.models import Booth, Product, Vendor
from booths.rubrics import ApplicationScore, Criterion, CurationRubric
from events.matching import selectors as matching
from events.matching.models import Meeting, MeetingAvailability, MeetingStatus
from expo.countries import country_name
from expo.models import BuyerConsent, BuyerProfile, BuyerType, Expo, Sector

HOME_COUNTRY = "ID"
# Points per reason, and how much export readiness (share of the rubric's scale) counts as ready.
SECTOR_POINTS, WORD_POINTS, EXPORT_POINTS, CAPACITY_POINTS = 3, 2, 2, 1
MAX_WORDS = 3
EXPORT_READY_SHARE = 0.6
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


# --- Reads -----------------------------------------------------------------------------------------


def vendor_cards(expo: Expo, vendor_ids: Iterable[int] | None = None) -> list[VendorCard]:
    """The expo's active booths' vendors (or those of ``vendor_ids``) with their sector, size and
    export score (three queries, plain values: hundreds of booths) and the words of their products
    and taglines (one), by name."""
    rubric = CurationRubric.objects.filter(expo=expo).values_list("scale", flat=True).first()
    export = ApplicationScore.objects.filter(
        application=OuterRef("application_id"), key=Criterion.EXPORT
    ).values("value")[:1]
    rows = Booth.objects.filter(expo=expo, is_active=True)
    products = Product.objects.filter(booth__expo=expo, booth__is_active=True, is_active=True)
    if vendor_ids is not None:
        rows = rows.filter(vendor_id__in=list(vendor_ids))
        products = products.filter(booth__vendor_id__in=list(vendor_ids))
    rows = (
        rows.annotate(export_score=Subquery(export))
        .order_by("vendor__name", "id")
        .values_list(
            "pk",
            "vendor_id",
            "vendor__name",
            "vendor__sector_id",
            "vendor__size_class",
            "export_score",
            "tagline_en",
            "tagline_id",
        )
    )
    sizes = dict(Vendor.SizeClass.choices)
    cards = {
        booth_id: VendorCard(
            vendor_id=vendor_id,
            booth_id=booth_id,
            name=name,
            sector_id=sector_id,
            sector="",
            size_class=size,
            size_label=str(sizes.get(size, size)),
            export_score=export_score,
            scale=rubric or 5,
            words=words_of(f"{tagline_en} {tagline_id}"),
        )
        for booth_id, vendor_id, name, sector_id, size, export_score, tagline_en, tagline_id in rows
    }
    sectors = Sector.objects.in_bulk({card.sector_id for card in cards.values()})
    for card in cards.values():
        card.sector = sectors[card.sector_id].name
    for booth_id, name_en, name_id in products.values_list("booth_id", "name_en", "name_id"):
        if booth_id in cards:
            cards[booth_id].words |= words_of(f"{name_en} {name_id}")
    return list(cards.values())


def next_slots(expo: Expo, cards: list[VendorCard]) -> None:
    """Each vendor's next free slot, now: every window and active meeting of the expo in three
    queries (its settings, the windows, the meetings)."""
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


def standing_buyers():
    """The business buyers' profiles whose consent stands, of active accounts, by company."""
    standing = BuyerConsent.objects.filter(profile=OuterRef("pk"), withdrawn_at__isnull=True)
    return BuyerProfile.objects.filter(Exists(standing), user__is_active=True).order_by(
        "company", "id"
    )


def buyer_cards(profiles=None, user_ids: Iterable[int] | None = None) -> list[BuyerCard]:
    """Business buyers whose consent stands (of ``profiles``, or of ``user_ids``), with their
    sectors of interest in the sectors' order: three queries of plain values (thousands of
    buyers). The labels are looked up once a country or a type."""
    profiles = profiles if profiles is not None else standing_buyers()
    if user_ids is not None:
        profiles = profiles.filter(user_id__in=list(user_ids))
    rows = list(
        profiles.values_list("pk", "user_id", "company", "country", "buyer_type", "products")
    )
    if not rows:
        return []
    chosen = BuyerProfile.sectors.through.objects.filter(
        buyerprofile_id__in=profiles.values("pk")
    ).order_by(*[f"sector__{name}" for name in Sector._meta.ordering])
    sector_ids: dict[int, list[int]] = defaultdict(list)
    for profile_id, sector_id in chosen.values_list("buyerprofile_id", "sector_id"):
        sector_ids[profile_id].append(sector_id)
    names = {s.pk: s.name for s in Sector.objects.all()}
    types = dict(BuyerType.choices)
    labels: dict[str, str] = {}
    cards = []
    for profile_id, user_id, company, country, buyer_type, products in rows:
        if country not in labels:
            labels[country] = country_name(country)
        cards.append(
            BuyerCard(
                user_id=user_id,
                company=company,
                country=country,
                country_label=labels[country],
                buyer_type=buyer_type,
                buyer_type_label=str(types.get(buyer_type, buyer_type)),
                products=products,
                sector_ids=sector_ids[profile_id],
                sectors=[names[n] for n in sector_ids[profile_id]],
            )
        )
    return cards


def met_pairs(
    expo: Expo, buyer_ids: Iterable[int] | None = None, vendor_ids: Iterable[int] | None = None
) -> set[tuple[int, int]]:
    """(buyer id, vendor id) of the pairs that have a meeting at the expo, but a cancelled one."""
    rows = Meeting.objects.filter(expo=expo).exclude(status=MeetingStatus.CANCELLED)
    if buyer_ids is not None:
        rows = rows.filter(buyer_id__in=list(buyer_ids))
    if vendor_ids is not None:
        rows = rows.filter(vendor_id__in=list(vendor_ids))
    return set(rows.values_list("buyer_id", "vendor_id"))


# --- Scoring ---------------------------------------------------------------------------------------


def points(buyer: BuyerCard, vendor: VendorCard, shared_words: int) -> int | None:
    """The pair's score, or None when neither a sector nor a product word matches: the one
    scoring function (the reasons of :func:`suggestion_of` say what it added up)."""
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


def scored_pairs(
    buyers: list[BuyerCard], vendors: list[VendorCard], met: set[tuple[int, int]]
) -> Iterator[tuple[int, BuyerCard, VendorCard]]:
    """Every pair of ``buyers`` and ``vendors`` whose interests meet and that has no meeting
    (``met``), with its :func:`points`. Shared words are counted through an index (a vendor's
    count is how many of the buyer's words list it), not by intersecting sets pair by pair:
    thousands of buyers meet hundreds of vendors, and only the pairs that share something are
    looked at."""
    by_sector: dict[int, list[VendorCard]] = defaultdict(list)
    by_word: dict[str, list[VendorCard]] = defaultdict(list)
    for vendor in vendors:
        by_sector[vendor.sector_id].append(vendor)
        for word in vendor.words:
            by_word[word].append(vendor)
    for buyer in buyers:
        shared: dict[int, int] = defaultdict(int)
        candidates: dict[int, VendorCard] = {}
        for word in words_of(buyer.products):
            for vendor in by_word.get(word, ()):
                shared[vendor.vendor_id] += 1
                candidates[vendor.vendor_id] = vendor
        for sector in buyer.sector_ids:
            for vendor in by_sector.get(sector, ()):
                candidates[vendor.vendor_id] = vendor
        for vendor in candidates.values():
            if (buyer.user_id, vendor.vendor_id) in met:
                continue
            score = points(buyer, vendor, shared[vendor.vendor_id])
            if score is not None:
                yield score, buyer, vendor


def suggestion_of(buyer: BuyerCard, vendor: VendorCard) -> Suggestion | None:
    """The pair's :func:`points` and the reasons they were given for, or None when neither a
    sector nor a product word matches."""
    shared = sorted(words_of(buyer.products) & vendor.words)[:MAX_WORDS]
    score = points(buyer, vendor, len(shared))
    if score is None:
        return None
    reasons: list[str] = []
    if vendor.sector_id in buyer.sector_ids:
        reasons.append(_("Same sector: %(sector)s") % {"sector": vendor.sector})
    if shared:
        reasons.append(_("Products of interest: %(words)s") % {"words": ", ".join(shared)})
    if buyer.country != HOME_COUNTRY:
        if vendor.export_ready:
            reasons.append(
                _("Buyer in %(country)s; export readiness %(score)d/%(scale)d")
                % {
                    "country": buyer.country_label,
                    "score": vendor.export_score,
                    "scale": vendor.scale,
                }
            )
        else:
            reasons.append(
                _("Buyer in %(country)s, but export readiness is not scored high")
                % {"country": buyer.country_label}
            )
    if buyer.buyer_type in ("importer", "distributor") and vendor.size_class != "mikro":
        reasons.append(
            _("%(size)s business, for a %(type)s's volumes")
            % {"size": vendor.size_label, "type": buyer.buyer_type_label.lower()}
        )
    return Suggestion(buyer=buyer, vendor=vendor, score=score, reasons=reasons)
