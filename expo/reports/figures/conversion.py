"""Conversion: of the people who visited a booth, the share who bought from it. Computed here only;
the dashboard, the exports, the data API and the vendor's own sales page all read it from here.

Who counts, from what the site records:

- **Visitors** of a booth are the distinct people who opened its page, one of its product pages or
  one of its live sessions' pages (``BoothVisit`` and ``ProductVisit`` keep one keyed,
  non-reversible visitor id per person per day; a session page records a visit of its booth; the
  id of a signed-in account is the same every day, see :func:`booths.visits.account_key`), who
  wrote in the chat of one of its live sessions (kept for chats older than session-page visits),
  or who bought from it. A buyer always reached the booth, so a buyer whose
  visit was recorded under another id (browsing as a guest, then signing in) is still a visitor.
- **Buyers** of a booth are the distinct people with a paid order from it: the account, else the
  e-mail address for a guest (the same rule as the dashboard's unique buyers).

Conversion is buyers ÷ visitors. Every buyer is among the visitors, so it never passes 100 %. A
guest's browsing is recorded under its session, which the order does not carry, so a guest buyer
is counted once for the visit and once as a buyer: the figure is then slightly low, never high.
For an expo as a whole the same people are counted once however many booths they saw.

The recorded visitors are read from the visit rollups (``booths.visit_rollups``: distinct visitors
per booth and per expo, kept exact with first-seen tables as the visits are written and as buyers
with an account buy, under the key their visits carry), so the cost follows the booths and the
live sessions' chatters, not the visits nor the buyers.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q

from booths.models import BoothReach, BoothVisitor, ExpoReach
from booths.visits import account_key
from events.models import ChatMessage, LiveSession, RoomKind
from expo.reports.figures.rows import Conversion
from payments.models import OmzetBuyerCount

# Keys sent in one ``IN (...)``: far below what SQLite and PostgreSQL accept, so an expo with
# thousands of account buyers still costs one query (and only a giant one costs more).
KEYS_PER_QUERY = 10_000


def expo_conversion(expo_id: int) -> tuple[dict[int, Conversion], Conversion]:
    """Every booth's conversion at the expo, and the expo's own (each person once, whichever booths
    they saw). A fixed number of queries, whatever the number of booths, visits and orders."""
    return _conversions(Q(booth__expo_id=expo_id), Q(expo_id=expo_id), expo_id=expo_id)


def vendor_conversion(vendor_id: int) -> dict[int, Conversion]:
    """The conversion of each of a vendor's booths (one per expo), keyed by booth id."""
    per_booth, _total = _conversions(Q(booth__vendor_id=vendor_id), Q(booth__vendor_id=vendor_id))
    return per_booth


def _conversions(
    booths: Q, rollups: Q, *, expo_id: int | None = None
) -> tuple[dict[int, Conversion], Conversion]:
    """The figures for the booths that ``booths`` selects (``rollups`` selects their rows in the
    visit rollups); the total counts each person once only when ``expo_id`` names the expo of
    those booths."""
    # The recorded visitors include the buyers with an account (added as they buy).
    recorded, recorded_total = _recorded_counts(rollups, expo_id)
    bought, everyone = _buyers(booths, expo_id)
    chatters = _session_chatters(booths)

    # The chatters, as the key their visits would carry.
    accounts: dict[int, set[str]] = defaultdict(set)
    for booth_id, user_id in chatters:
        accounts[booth_id].add(account_key(user_id))
    known = _recorded_among(rollups, {key for keys in accounts.values() for key in keys})

    per_booth: dict[int, Conversion] = {}
    for booth_id in set(recorded) | set(accounts) | set(bought):
        unrecorded = {k for k in accounts[booth_id] if (booth_id, k) not in known}
        buyers, guests = bought.get(booth_id, (0, 0))
        per_booth[booth_id] = Conversion(
            visitors=recorded.get(booth_id, 0) + len(unrecorded) + guests, buyers=buyers
        )

    seen = {key for _booth, key in known}
    all_accounts = {key for keys in accounts.values() for key in keys}
    total = Conversion(
        visitors=recorded_total + len(all_accounts - seen) + everyone[1], buyers=everyone[0]
    )
    return per_booth, total


def _recorded_counts(rollups: Q, expo_id: int | None) -> tuple[dict[int, int], int]:
    """Distinct recorded visitors (of a booth's page or its products' pages) per booth, and across
    the expo's booths when ``expo_id`` is given: read from the counters kept with the visits
    (``booths.BoothReach``, ``booths.ExpoReach``), one row per booth whatever the visits."""
    per_booth = dict(
        BoothReach.objects.filter(rollups).order_by().values_list("booth_id", "visitors")
    )
    if expo_id is None:
        return per_booth, 0
    total = ExpoReach.objects.filter(expo_id=expo_id).values_list("visitors", flat=True).first()
    return per_booth, total or 0


def _recorded_among(rollups: Q, keys: set[str]) -> set[tuple[int, str]]:
    """The (booth, visitor) pairs recorded for these visitor keys (the first-seen table, looked up
    by key: the cost follows the keys asked, not the visits)."""
    ordered = sorted(keys)
    found: set[tuple[int, str]] = set()
    for start in range(0, len(ordered), KEYS_PER_QUERY):
        chunk = ordered[start : start + KEYS_PER_QUERY]
        found.update(
            BoothVisitor.objects.filter(rollups, visitor__in=chunk)
            .order_by()
            .values_list("booth_id", "visitor")
        )
    return found


def _buyers(booths: Q, expo_id: int | None) -> tuple[dict[int, tuple[int, int]], tuple[int, int]]:
    """Distinct buyers and guest buyers (known by e-mail only) per booth, and the expo's distinct
    buyers and guests (``expo_id`` given; else the booths' sums). A buyer is the account, else
    the e-mail address; counted exactly as sales are written (``payments.OmzetBuyerCount``), so
    the cost follows the booths, not the ledger."""
    per_booth: dict[int, tuple[int, int]] = {}
    everyone = (0, 0)
    wanted = booths if expo_id is None else booths | Q(expo_id=expo_id, scope="expo")
    for booth_id, scope, buyers, guests in OmzetBuyerCount.objects.filter(wanted).values_list(
        "booth_id", "scope", "buyers", "guests"
    ):
        if booth_id is None:
            if scope == "expo":
                everyone = (buyers, guests)
        else:
            per_booth[booth_id] = (buyers, guests)
    if expo_id is None:
        everyone = (sum(b for b, _g in per_booth.values()), sum(g for _b, g in per_booth.values()))
    return per_booth, everyone


def _session_chatters(booths: Q) -> list[tuple[int, int]]:
    """(booth, account) of everyone who wrote in the chat of one of the booths' live sessions."""
    scope = LiveSession.objects.filter(booths).order_by()
    sessions = dict(scope.values_list("pk", "booth_id"))
    if not sessions:
        return []
    return [
        (sessions[room_id], author_id)
        for room_id, author_id in ChatMessage.objects.filter(
            room_kind=RoomKind.SESSION, room_id__in=scope.values("pk"), author_id__isnull=False
        )
        .values_list("room_id", "author_id")
        .distinct()
        .order_by()
        if room_id in sessions
    ]
