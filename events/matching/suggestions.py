"""The organisers' suggested pairs, stored: one :class:`~events.matching.models.PairSuggestion` row
for every pair of a business buyer and a vendor that the matchmaking suggests at an expo, with its
score (:func:`events.matching.scoring.points`, the one scoring function), so that the suggestions
page reads a page of them in order instead of scoring every pair on every view.

- :func:`suggestions_rebuild` scores a whole expo (``manage.py rebuild_suggestions``, and the
  page's first view of an expo nothing was stored for yet).
- :func:`suggestions_refresh` scores again what a change touched, for every expo it concerns:
  one buyer (their profile, sectors, consent), one vendor (its booth, products, sector, size,
  export score), one pair (a meeting booked or cancelled). The meetings' services call it in
  their own transaction; the changes of the layers below (buyer profiles, booths, products,
  curation scores) reach it through :mod:`events.matching.suggestion_signals`, as a task once
  they committed.
- :func:`ranked` reads a page, best first: the score, then the vendor with the earlier free slot
  (worked out at the time of reading, from the windows and meetings), then the buyer's company
  and the vendor's name (lower case, in code point order), then the ids. Constant queries.

Every writer of an expo's rows first locks its :class:`~events.matching.models.SuggestionBoard`
row and only then reads the inputs, so two writers never interleave: whatever order concurrent
changes commit in, the rows end equal to a rebuild.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice

from django.db import connection, transaction
from django.utils import timezone

from events.matching.models import PairSuggestion, SuggestionBoard
from events.matching.scoring import (
    BuyerCard,
    VendorCard,
    buyer_cards,
    met_pairs,
    scored_pairs,
    vendor_cards,
)
from expo.models import Expo

BATCH = 2000


COLUMNS = (
    "expo_id", "buyer_id", "vendor_id", "score", "country", "sector_id", "company_key", "vendor_key",
)  # fmt: skip


def _rows(expo_id: int, pairs: Iterable[tuple[int, BuyerCard, VendorCard]]) -> Iterator[tuple]:
    for score, buyer, vendor in pairs:
        yield (
            expo_id,
            buyer.user_id,
            vendor.vendor_id,
            score,
            buyer.country,
            vendor.sector_id,
            buyer.company.lower()[:150],
            vendor.name.lower()[:150],
        )


def _insert(expo_id: int, pairs: Iterable[tuple[int, BuyerCard, VendorCard]]) -> int:
    """Write the pairs' rows: plain tuples, not model instances (a rebuild writes hundreds of
    thousands), copied in on PostgreSQL, in batches of inserts elsewhere."""
    rows, count = _rows(expo_id, pairs), 0
    table = connection.ops.quote_name(PairSuggestion._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * 8)})"  # noqa: S608
        while batch := list(islice(rows, BATCH)):
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


@transaction.atomic
def suggestions_rebuild(*, expo: Expo) -> int:
    """Score every pair of the expo again and store them (the board's lock held): the number of
    suggested pairs."""
    now = timezone.now()
    SuggestionBoard.objects.get_or_create(expo=expo, defaults={"built_at": now})
    board = SuggestionBoard.objects.select_for_update().get(pk=expo.pk)
    PairSuggestion.objects.filter(expo=expo).delete()
    count = _insert(expo.pk, scored_pairs(buyer_cards(), vendor_cards(expo), met_pairs(expo)))
    board.built_at = now
    board.save(update_fields=["built_at"])
    return count


def _boards(expo_ids: Iterable[int] | None) -> list[Expo]:
    """The expos of ``expo_ids`` (every expo with stored suggestions when None) whose board
    exists, locked in one order (so that two writers never deadlock over them). An expo
    that has closed is forgotten instead (its board row removed): its page builds it again if
    it is ever looked at."""
    # Only the board rows (``of``): a lock on the expo's row would wait for every transaction
    # writing a row that refers to the expo (a meeting) and could deadlock with one.
    boards = (
        SuggestionBoard.objects.select_for_update(of=("self",))
        .select_related("expo")
        .order_by("pk")
    )
    if expo_ids is not None:
        boards = boards.filter(pk__in=list(expo_ids))
    expos, closed = [], []
    for board in boards:
        (closed if board.expo.closes_at <= timezone.now() else expos).append(board.expo)
    if closed:
        SuggestionBoard.objects.filter(pk__in=[e.pk for e in closed]).delete()
    return expos


@transaction.atomic
def suggestions_refresh(
    *,
    expo_ids: Iterable[int] | None = None,
    buyer_ids: Iterable[int] = (),
    vendor_ids: Iterable[int] = (),
    pairs: Iterable[tuple[int, int]] = (),
) -> int:
    """Score again, at each expo of ``expo_ids`` (every expo with stored suggestions when None),
    the pairs of ``buyer_ids``, of ``vendor_ids`` and the ``pairs`` (buyer id, vendor id): their
    rows are removed and the ones still suggested written again. The number of rows written."""
    buyers, vendors = set(buyer_ids), set(vendor_ids)
    pairs = {(b, v) for b, v in pairs if b not in buyers and v not in vendors}
    written = 0
    if not (buyers or vendors or pairs):
        return written
    for expo in _boards(expo_ids):
        stored = PairSuggestion.objects.filter(expo=expo)
        if buyers:
            stored.filter(buyer_id__in=buyers).delete()
            cards = buyer_cards(user_ids=buyers)
            written += _insert(
                expo.pk, scored_pairs(cards, vendor_cards(expo), met_pairs(expo, buyer_ids=buyers))
            )
        if vendors:
            stored.filter(vendor_id__in=vendors).delete()
            shown = vendor_cards(expo, vendors)  # none: not (or no longer) at this expo
            if shown:
                cards = [c for c in buyer_cards() if c.user_id not in buyers]
                met = met_pairs(expo, vendor_ids=vendors)
                written += _insert(expo.pk, scored_pairs(cards, shown, met))
        for buyer_id, vendor_id in pairs:
            stored.filter(buyer_id=buyer_id, vendor_id=vendor_id).delete()
            written += _insert(
                expo.pk,
                scored_pairs(
                    buyer_cards(user_ids=[buyer_id]),
                    vendor_cards(expo, [vendor_id]),
                    met_pairs(expo, buyer_ids=[buyer_id], vendor_ids=[vendor_id]),
                ),
            )
    return written


@transaction.atomic
def suggestions_pair_met(*, expo_id: int, buyer_id: int, vendor_id: int) -> None:
    """The pair has a meeting at the expo now (booked, not cancelled): it is suggested no more.
    What :func:`suggestions_refresh` of the pair would write, without reading what it would not
    need. A booking holds the board's lock shared (``FOR SHARE`` on PostgreSQL) until it commits:
    bookings only take pairs out, which two can do at once, so a rush of them never waits for
    each other; a writer that scores (and reads the meetings) holds it alone, so it waits for
    them and they for it."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(SuggestionBoard._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {table} WHERE expo_id = %s FOR SHARE", [expo_id])  # noqa: S608
            stored = cursor.fetchone() is not None
    else:  # SQLite: one writer at a time anyway
        stored = SuggestionBoard.objects.filter(pk=expo_id).exists()
    if stored:
        rows = PairSuggestion.objects.filter(
            expo_id=expo_id, buyer_id=buyer_id, vendor_id=vendor_id
        )
        rows.delete()


# --- Reads -----------------------------------------------------------------------------------------


def ensure_built(expo: Expo) -> None:
    """Build the expo's suggestions if nothing is stored for it yet (one query when it is)."""
    if not SuggestionBoard.objects.filter(pk=expo.pk).exists():
        suggestions_rebuild(expo=expo)


def _slot_positions(vendors: list[VendorCard]) -> dict[int, int]:
    """Each vendor's place in the order of their next free slots (equal slots, equal places; no
    free slot last)."""
    slots = sorted({v.next_slot for v in vendors if v.next_slot is not None})
    place: dict[datetime, int] = {slot: n for n, slot in enumerate(slots)}
    return {
        v.vendor_id: place[v.next_slot] if v.next_slot is not None else len(slots) for v in vendors
    }


def ranked(
    *,
    expo: Expo,
    vendors: list[VendorCard],
    country: str = "",
    sector_id: int | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[tuple[int, int, int]]:
    """(score, buyer id, vendor id) of the stored pairs from ``offset``, at most ``limit``, in the
    page's order, for a buyer ``country`` or a vendor ``sector_id`` when given; ``vendors`` carry
    their next free slots. Two queries: the lowest score that can be on the page (read off the
    score index), then the pairs scoring at least that, ordered with each vendor's slot place."""
    if not vendors or limit < 1:
        return []
    stored = PairSuggestion.objects.filter(expo=expo)
    if country:
        stored = stored.filter(country=country)
    if sector_id is not None:
        stored = stored.filter(sector_id=sector_id)
    last = offset + limit - 1
    floor = stored.order_by("-score").values_list("score", flat=True)[last : last + 1].first()
    where, params = ["s.expo_id = %s"], [expo.pk]
    for clause, value, on in (
        ("s.country = %s", country, bool(country)),
        ("s.sector_id = %s", sector_id, sector_id is not None),
        ("s.score >= %s", floor, floor is not None),
    ):
        if on:
            where.append(clause)
            params.append(value)
    positions = _slot_positions(vendors)
    values = ", ".join(["(CAST(%s AS INTEGER), CAST(%s AS INTEGER))"] * len(positions))
    collate = ' COLLATE "C"' if connection.vendor == "postgresql" else ""
    table = PairSuggestion._meta.db_table
    sql = (
        # Only placeholders and fixed names are put in the text; every value is a parameter.
        f"WITH slot_place(vendor_id, place) AS (VALUES {values}) "  # noqa: S608
        f"SELECT s.score, s.buyer_id, s.vendor_id FROM {table} s "
        "JOIN slot_place p ON p.vendor_id = s.vendor_id "
        f"WHERE {' AND '.join(where)} "
        f"ORDER BY s.score DESC, p.place, s.company_key{collate}, s.vendor_key{collate}, "
        "s.buyer_id, s.vendor_id LIMIT %s OFFSET %s"
    )
    slot_params = [n for pair in positions.items() for n in pair]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*slot_params, *params, limit, offset])
        return [tuple(row) for row in cursor.fetchall()]


def stored_pairs(expo: Expo) -> dict[tuple[int, int], int]:
    """Every stored pair of the expo and its score (for the checks and the tests)."""
    rows = PairSuggestion.objects.filter(expo=expo)
    return {(b, v): s for b, v, s in rows.values_list("buyer_id", "vendor_id", "score")}


def fresh_pairs(expo: Expo) -> dict[tuple[int, int], int]:
    """Every pair the expo's suggestions would hold if rebuilt now, with its score."""
    pairs = scored_pairs(buyer_cards(), vendor_cards(expo), met_pairs(expo))
    return {(b.user_id, v.vendor_id): score for score, b, v in pairs}


def suggestions_apply(change: dict) -> int:
    """Bring the stored suggestions up to date after a change of the layers below had committed
    (the task :func:`events.tasks.refresh_suggestions` runs it; see
    :mod:`events.matching.suggestion_signals`). ``change`` holds lists: ``rebuild`` expo ids (the
    rubric's scale changed), ``booths`` (expo id, vendor id) pairs, ``booth_ids``,
    ``application_ids`` (their booths' vendors at their expos), ``vendor_ids`` (at every expo)."""
    from booths.models import Booth

    written = 0
    for expo in Expo.objects.filter(pk__in=change.get("rebuild", [])).order_by("pk"):
        if SuggestionBoard.objects.filter(pk=expo.pk).exists():
            written += suggestions_rebuild(expo=expo)
    at: dict[int, set[int]] = {}
    for expo_id, vendor_id in change.get("booths", []):
        at.setdefault(expo_id, set()).add(vendor_id)
    booths = Booth.objects.filter(pk__in=change.get("booth_ids", [])) | Booth.objects.filter(
        application_id__in=change.get("application_ids", [])
    )
    for expo_id, vendor_id in booths.values_list("expo_id", "vendor_id"):
        at.setdefault(expo_id, set()).add(vendor_id)
    for expo_id, vendor_ids in sorted(at.items()):
        written += suggestions_refresh(expo_ids=[expo_id], vendor_ids=vendor_ids)
    if change.get("vendor_ids"):
        written += suggestions_refresh(vendor_ids=change["vendor_ids"])
    return written
