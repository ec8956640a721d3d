"""Business meetings in the reports: the potential deals vendors record after a meeting (the
outcome "deal" with its value in rupiah, ``events.call.services.meeting_outcome_record``).

Like every potential deal they are never omzet: they are added to the expo's potential-deal
figures (:class:`~expo.reports.figures.rows.Deals`, as recorded and not verified) and shown apart
from the ledger's money. One query per expo, whatever the number of meetings.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Sum
from django.utils import translation
from django.utils.translation import gettext as _

from events.matching.models import Meeting, MeetingOutcome, MeetingStatus
from expo.models import Expo
from expo.reports.figures.rows import Deals


@dataclass(frozen=True)
class MeetingDeals:
    """Meetings whose vendor recorded a deal, and the sum of those deals' potential values."""

    count: int = 0
    value: int = 0


def meeting_deals(expo: Expo | int) -> MeetingDeals:
    """The expo's meeting deals: outcome "deal" with a value, of a meeting that took place (a
    meeting marked a no-show by both sides, or cancelled, does not count)."""
    expo_id = expo if isinstance(expo, int) else expo.pk
    row = (
        Meeting.objects.filter(
            expo_id=expo_id, outcome=MeetingOutcome.DEAL, deal_value__isnull=False
        )
        .exclude(status__in=(MeetingStatus.NO_SHOW, MeetingStatus.CANCELLED))
        .aggregate(count=Count("id"), value=Sum("deal_value"))
    )
    return MeetingDeals(count=row["count"] or 0, value=row["value"] or 0)


def with_meeting_deals(deals: Deals, expo: Expo | int) -> Deals:
    """``deals`` (the recorded potential deals) with the expo's meeting deals added to its count and
    value; the verified figures stay the office's own."""
    found = meeting_deals(expo)
    return dataclasses.replace(
        deals, count=deals.count + found.count, value=deals.value + found.value
    )


# --- Meetings by status, per vendor, buyer country and sector ------------------------------------


@dataclass
class MeetingCounts:
    """One slice's meetings: ``requested`` every meeting asked for or proposed (whatever became of
    it), ``confirmed`` those both sides agreed to (then held or not), ``held``, ``no_shows``, and
    the potential deals recorded after them (count and rupiah, as :func:`meeting_deals`)."""

    key: str
    label: str
    requested: int = 0
    confirmed: int = 0
    held: int = 0
    no_shows: int = 0
    deals: int = 0
    deal_value: int = 0


@dataclass
class MeetingFigures:
    total: MeetingCounts
    by_vendor: list[MeetingCounts]
    by_country: list[MeetingCounts]
    by_sector: list[MeetingCounts]

    @property
    def by(self) -> dict[str, list[MeetingCounts]]:
        return {
            "vendor": self.by_vendor,
            "buyer_country": self.by_country,
            "sector": self.by_sector,
        }


AGREED = (MeetingStatus.CONFIRMED, MeetingStatus.HELD, MeetingStatus.NO_SHOW)
NOT_TAKEN_PLACE = (MeetingStatus.NO_SHOW, MeetingStatus.CANCELLED)


def _add(counts: MeetingCounts, status: str, n: int, deals: int, value: int) -> None:
    counts.requested += n
    counts.confirmed += n if status in AGREED else 0
    counts.held += n if status == MeetingStatus.HELD else 0
    counts.no_shows += n if status == MeetingStatus.NO_SHOW else 0
    if status not in NOT_TAKEN_PLACE:
        counts.deals += deals
        counts.deal_value += value


def meeting_figures(expo: Expo | int) -> MeetingFigures:
    """The expo's meetings requested, confirmed, held and no-shows, with their potential deals, in
    all and per vendor, buyer country (from the buyer's business profile; "" without one) and
    vendor sector, largest first. One grouped query, whatever the number of meetings."""
    from django.db.models import Q

    from expo.countries import country_name

    expo_id = expo if isinstance(expo, int) else expo.pk
    deal = Q(outcome=MeetingOutcome.DEAL, deal_value__isnull=False)
    rows = (
        Meeting.objects.filter(expo_id=expo_id)
        .values(
            "status",
            "vendor_id",
            "vendor__name",
            "vendor__sector_id",
            "vendor__sector__name_en",
            "vendor__sector__name_id",
            "buyer__buyer_profile__country",
        )
        .annotate(
            n=Count("id"), deals=Count("id", filter=deal), value=Sum("deal_value", filter=deal)
        )
        .order_by()
    )
    total = MeetingCounts(key="", label="")
    slices: dict[str, dict[str, MeetingCounts]] = {"vendor": {}, "country": {}, "sector": {}}
    indonesian = (translation.get_language() or "en").startswith("id")
    for row in rows:
        country = row["buyer__buyer_profile__country"] or ""
        sector_name = row["vendor__sector__name_id" if indonesian else "vendor__sector__name_en"]
        keys = {
            "vendor": (str(row["vendor_id"]), row["vendor__name"]),
            "country": (country, country_name(country) if country else _("No business profile")),
            "sector": (
                str(row["vendor__sector_id"]),
                sector_name or row["vendor__sector__name_en"],
            ),
        }
        args = (row["status"], row["n"], row["deals"], row["value"] or 0)
        _add(total, *args)
        for name, (key, label) in keys.items():
            _add(slices[name].setdefault(key, MeetingCounts(key=key, label=label)), *args)

    def ordered(found: dict[str, MeetingCounts]) -> list[MeetingCounts]:
        return sorted(found.values(), key=lambda c: (-c.requested, -c.held, c.label.lower()))

    return MeetingFigures(
        total=total,
        by_vendor=ordered(slices["vendor"]),
        by_country=ordered(slices["country"]),
        by_sector=ordered(slices["sector"]),
    )


def dashboard_context(expo: Expo | int) -> dict[str, Any]:
    """What the meetings' section shows (``reports/_meetings.html``): one query."""
    figures = meeting_figures(expo)
    return {
        "meeting_figures": figures,
        "meeting_tables": [
            (_("Vendor"), "vendor", figures.by_vendor),
            (_("Buyer country"), "country", figures.by_country),
            (_("Sector"), "sector", figures.by_sector),
        ],
    }
