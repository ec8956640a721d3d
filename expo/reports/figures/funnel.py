"""The export-deal funnel: requests for quotation → potential (quoted) → agreed (accepted) →
realised (paid), in rupiah, per expo and broken down by vendor, buyer country, sector and regency.

Each stage counts a deal once, whatever happened on the way:

- **potential** is the goods value of each quotation's *current* revision (one row per request,
  however often it was revised), of every quotation sent;
- **agreed** is the same value for the quotations the buyer accepted (a quotation is accepted
  once);
- **realised** is read only from the sales ledger (channel ``quotation``): sales minus refunds,
  so a refund moves it down by its amount, and it is the very money counted in the omzet.

A deal belongs to the expo its request was asked at, even when it is accepted or paid after the
expo closed (the quotation and the order carry that expo). Goods only: shipping is never omzet.

Potential deals a vendor records by hand (``PotentialDeal``) join the funnel: one tied to a
request is already counted by that request's quotation and is not added again; one recorded
without a request is shown apart (``recorded``), valid ones only (not cancelled, not rejected).

The median time to a first quotation is over the requests that got one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Q, Sum

from booths.models import QuoteRequest
from expo.models import Expo
from expo.reports.models import PotentialDeal
from payments.models import Channel, OmzetByBooth, OmzetByOrigin, Quotation, SalesLedgerEntry

ACCEPTED = Q(status=Quotation.Status.ACCEPTED)
BREAKDOWNS = ("vendor", "buyer_country", "sector", "region")


@dataclass
class FunnelRow:
    """One slice of the funnel (a vendor, a country, a sector or a regency)."""

    key: Any
    label: str = ""
    quotations: int = 0
    accepted: int = 0
    potential: int = 0
    agreed: int = 0
    realised: int = 0

    @property
    def acceptance_rate(self) -> float | None:
        return round(100 * self.accepted / self.quotations, 1) if self.quotations else None


@dataclass
class Funnel:
    requests: int = 0
    quoted_requests: int = 0
    quotations: int = 0
    accepted: int = 0
    potential: int = 0
    agreed: int = 0
    realised: int = 0
    recorded_count: int = 0
    recorded: int = 0
    median_first_quote: timedelta | None = None
    by: dict[str, list[FunnelRow]] = field(default_factory=dict)

    @property
    def acceptance_rate(self) -> float | None:
        return round(100 * self.accepted / self.quotations, 1) if self.quotations else None

    @property
    def median_first_quote_hours(self) -> float | None:
        if self.median_first_quote is None:
            return None
        return round(self.median_first_quote.total_seconds() / 3600, 1)


def _scope(expo: Expo | int, vendor_id: int | None) -> dict[str, Any]:
    scope: dict[str, Any] = {"expo_id": expo if isinstance(expo, int) else expo.pk}
    if vendor_id is not None:
        scope["vendor_id"] = vendor_id
    return scope


class _Median(Aggregate):
    """PostgreSQL's ordered-set median: one pass over the rows, no second query."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def median_first_quote(**scope: Any) -> timedelta | None:
    """The median wait from a request to its first quotation: PostgreSQL's ``percentile_cont``;
    elsewhere the middle one or two rows by wait (two short queries)."""
    answered = QuoteRequest.objects.filter(first_quoted_at__isnull=False, **scope)
    wait = ExpressionWrapper(F("first_quoted_at") - F("created_at"), output_field=DurationField())
    if connection.vendor == "postgresql":
        return answered.aggregate(median=_Median(wait))["median"]
    waited = answered.annotate(wait=wait).order_by("wait")
    count = waited.count()
    if not count:
        return None
    middle = list(waited.values_list("wait", flat=True)[(count - 1) // 2 : count // 2 + 1])
    return sum(middle, timedelta()) / len(middle)


def _quotation_rows(scope: dict[str, Any], by: str) -> dict[Any, FunnelRow]:
    column = f"{by}_id" if by in ("vendor", "sector", "region") else by
    rows = (
        Quotation.objects.filter(**scope)
        .values(column)
        .annotate(
            quotations=Count("id"),
            accepted=Count("id", filter=ACCEPTED),
            potential=Sum("subtotal"),
            agreed=Sum("subtotal", filter=ACCEPTED),
        )
        .order_by()
    )
    return {
        row[column]: FunnelRow(
            key=row[column],
            quotations=row["quotations"],
            accepted=row["accepted"],
            potential=row["potential"] or 0,
            agreed=row["agreed"] or 0,
        )
        for row in rows
    }


def _realised_rows(scope: dict[str, Any], by: str) -> dict[Any, int]:
    """The omzet of the quotations' orders per ``by``: from the omzet rollups (a few hundred rows
    whatever the ledger's size; the ledger itself only for one vendor's buyer countries)."""
    column = f"{by}_id" if by in ("vendor", "sector", "region") else by
    if by != "buyer_country":
        source, money = OmzetByBooth.objects, F("sales") + F("refunds")
    elif "vendor_id" not in scope:
        source, money = OmzetByOrigin.objects, F("sales") + F("refunds")
    else:
        source, money = SalesLedgerEntry.objects, F("amount")
    rows = (
        source.filter(channel=Channel.QUOTATION, **scope)
        .values(column)
        .annotate(realised=Sum(money))
        .order_by()
    )
    return {row[column]: row["realised"] or 0 for row in rows if row["realised"] is not None}


def _labels(by: str, keys: Iterable[Any]) -> dict[Any, str]:
    from booths.models import Vendor
    from expo.countries import country_name
    from expo.models import Region, Sector

    keys = [k for k in keys if k is not None]
    if by == "buyer_country":
        return {k: country_name(k) for k in keys}
    if by == "vendor":
        return dict(Vendor.objects.filter(pk__in=keys).values_list("pk", "name"))
    model = {"sector": Sector, "region": Region}[by]
    fields = ("pk", "name", "kind") if by == "region" else ("pk", "name_en", "name_id")
    return {obj.pk: str(obj) for obj in model.objects.filter(pk__in=keys).only(*fields)}


def breakdown(scope: dict[str, Any], by: str) -> list[FunnelRow]:
    """The funnel per ``by`` (one of :data:`BREAKDOWNS`), largest potential first."""
    rows = _quotation_rows(scope, by)
    for key, realised in _realised_rows(scope, by).items():
        rows.setdefault(key, FunnelRow(key=key)).realised = realised
    labels = _labels(by, rows)
    for key, row in rows.items():
        row.label = labels.get(key, str(key))
    return sorted(rows.values(), key=lambda r: (-r.potential, -r.realised, r.label))


def expo_funnel(
    expo: Expo | int, *, vendor_id: int | None = None, breakdowns: Iterable[str] = BREAKDOWNS
) -> Funnel:
    """The funnel of an expo (or one vendor's part of it), with the breakdowns asked for. A
    fixed number of queries, whatever the number of quotations."""
    scope = _scope(expo, vendor_id)
    requests = QuoteRequest.objects.filter(**scope).aggregate(
        requests=Count("id"), quoted=Count("id", filter=Q(first_quoted_at__isnull=False))
    )
    quotations = Quotation.objects.filter(**scope).aggregate(
        quotations=Count("id"),
        accepted=Count("id", filter=ACCEPTED),
        potential=Sum("subtotal"),
        agreed=Sum("subtotal", filter=ACCEPTED),
    )
    # The rollup per booth carries the vendor: one vendor's part or the expo's, from it.
    realised = OmzetByBooth.objects.filter(channel=Channel.QUOTATION, **scope).aggregate(
        total=Sum(F("sales") + F("refunds"))
    )["total"]
    recorded = (
        PotentialDeal.objects.filter(
            quote_request__isnull=True,
            **scope,
        )
        .exclude(
            Q(status=PotentialDeal.Status.CANCELLED)
            | Q(verification=PotentialDeal.Verification.REJECTED)
        )
        .aggregate(count=Count("id"), value=Sum("estimated_value"))
    )
    return Funnel(
        requests=requests["requests"],
        quoted_requests=requests["quoted"],
        quotations=quotations["quotations"],
        accepted=quotations["accepted"],
        potential=quotations["potential"] or 0,
        agreed=quotations["agreed"] or 0,
        realised=realised or 0,
        recorded_count=recorded["count"],
        recorded=recorded["value"] or 0,
        median_first_quote=median_first_quote(**scope),
        by={name: breakdown(scope, name) for name in breakdowns},
    )


@dataclass(frozen=True)
class BoothLeads:
    booth_id: int
    name: str
    leads: int


def lead_counts(expo: Expo | int, *, limit: int = 50) -> list[BoothLeads]:
    """How many leads each booth of the expo has (what the organiser sees: counts, never who),
    most first. One query."""
    from booths.models import Lead

    rows = (
        Lead.objects.filter(**_scope(expo, None))
        .values("booth_id", "vendor__name")
        .annotate(n=Count("id"))
        .order_by("-n", "vendor__name")[:limit]
    )
    return [BoothLeads(row["booth_id"], row["vendor__name"], row["n"]) for row in rows]


DASHBOARD_SECONDS = 60


def dashboard_context(expo: Expo) -> dict[str, Any]:
    """What the dashboard's funnel section shows (reports/_funnel.html). Kept a minute per expo
    and language: with a hundred thousand quotations the figures take about a second, and the
    section is not live (the omzet above it is)."""
    from django.core.cache import cache
    from django.utils.translation import get_language
    from django.utils.translation import gettext as _

    figures = cache.get_or_set(
        f"reports:funnel:{expo.pk}:{get_language()}",
        lambda: expo_funnel(expo, breakdowns=("buyer_country", "sector", "region")),
        DASHBOARD_SECONDS,
    )
    return {
        "funnel": figures,
        "funnel_tables": [
            (_("By buyer country"), figures.by["buyer_country"]),
            (_("By sector"), figures.by["sector"]),
            (_("By regency or city"), figures.by["region"]),
        ],
        "booth_leads": lead_counts(expo),
    }
