"""Conversion: of the people who visited a booth, the share who bought from it. Computed here only;
the dashboard, the exports, the data API and the vendor's own sales page all read it from here.

Who counts, from what the site records:

- **Visitors** of a booth are the distinct people who opened its page, one of its product pages or
  one of its live sessions' pages (``BoothVisit`` and ``ProductVisit`` keep one keyed,
  non-reversible visitor id per person per day; a session page records a visit of its booth; the
  id of a signed-in account is the same every day, see :func:`booths.visits.account_key`), who
  wrote in the chat of one of its live sessions (also when the message was removed since: they
  were there), or who bought from it. A buyer always reached the booth, so a buyer whose
  visit was recorded under another id (browsing as a guest, then signing in) is still a visitor.
- **Buyers** of a booth are the distinct people with a paid order from it: the account, else the
  e-mail address for a guest (the same rule as the dashboard's unique buyers).

Conversion is buyers ÷ visitors. Every buyer is among the visitors, so it never passes 100 %. A
guest's browsing is recorded under its session, which the order does not carry, so a guest buyer
is counted once for the visit and once as a buyer: the figure is then slightly low, never high.
For an expo as a whole the same people are counted once however many booths they saw.

The recorded visitors are read from the visit rollups (``booths.visit_rollups``: distinct visitors
per booth and per expo, kept exact with first-seen tables as the visits are written, as buyers
with an account buy and as accounts write in a live session's chat (``events.chat_counting``),
under the key their visits carry), so the cost follows the booths, not the visits, the buyers nor
the chat messages.
"""

from __future__ import annotations

from django.db.models import Q

from booths.models import BoothReach, ExpoReach
from expo.reports.figures.rows import Conversion
from payments.models import OmzetBuyerCount


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
    # The recorded visitors include the buyers with an account (added as they buy) and the live
    # sessions' chatters (added as they write): both under the key their visits carry.
    recorded, recorded_total = _recorded_counts(rollups, expo_id)
    bought, everyone = _buyers(booths, expo_id)
    per_booth: dict[int, Conversion] = {}
    for booth_id in set(recorded) | set(bought):
        buyers, guests = bought.get(booth_id, (0, 0))
        per_booth[booth_id] = Conversion(visitors=recorded.get(booth_id, 0) + guests, buyers=buyers)
    total = Conversion(visitors=recorded_total + everyone[1], buyers=everyone[0])
    return per_booth, total


def _recorded_counts(rollups: Q, expo_id: int | None) -> tuple[dict[int, int], int]:
    """Distinct recorded visitors (of a booth's page or its products' pages, its live sessions'
    chatters and its buyers with an account) per booth, and across
    the expo's booths when ``expo_id`` is given: read from the counters kept with the visits
    (``booths.BoothReach``, ``booths.ExpoReach``), one row per booth whatever the visits."""
    per_booth = dict(
        BoothReach.objects.filter(rollups).order_by().values_list("booth_id", "visitors")
    )
    if expo_id is None:
        return per_booth, 0
    total = ExpoReach.objects.filter(expo_id=expo_id).values_list("visitors", flat=True).first()
    return per_booth, total or 0


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
