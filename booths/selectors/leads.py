"""Reads of a vendor's leads: the list (filtered), one lead, and the buyers' profiles the vendor
may see (only while the buyer's consent stands: :func:`expo.buyers.profiles_for_vendor`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from booths.models import Lead, LeadActivity, Vendor
from expo import buyers


@dataclass(frozen=True)
class LeadFilters:
    expo: str = ""
    kind: str = ""
    min_rating: int = 0
    tag: str = ""
    q: str = ""


def vendor_leads(*, vendor: Vendor, filters: LeadFilters = LeadFilters()) -> QuerySet[Lead]:
    """The vendor's leads, most recently seen first, with their activities and counts per kind."""
    rows = Lead.objects.filter(vendor=vendor)
    if filters.expo:
        rows = rows.filter(expo__slug=filters.expo)
    if filters.kind:
        rows = rows.filter(activities__kind=filters.kind)
    if filters.min_rating:
        rows = rows.filter(rating__gte=filters.min_rating)
    if filters.tag:
        rows = rows.filter(tags__icontains=filters.tag)
    if filters.q:
        rows = rows.filter(
            Q(buyer__name__icontains=filters.q)
            | Q(note__icontains=filters.q)
            | Q(tags__icontains=filters.q)
        )
    counts = {
        f"n_{kind}": Count("activities", filter=Q(activities__kind=kind), distinct=True)
        for kind in LeadActivity.Kind.values
    }
    return (
        rows.distinct()
        .select_related("buyer", "booth", "expo")
        .annotate(last_activity=Max("activities__occurred_at"), **counts)
        .prefetch_related(
            Prefetch("activities", queryset=LeadActivity.objects.order_by("-occurred_at", "-id"))
        )
        .order_by("-last_seen_at", "-id")
    )


def vendor_lead(*, vendor: Vendor, lead_id: int) -> Lead | None:
    return vendor_leads(vendor=vendor).filter(pk=lead_id).first()


def profiles(*, vendor: Vendor, leads: list[Lead]) -> dict[int, Any]:
    """The buyers' profiles this vendor may see, by buyer id (consent standing, contact made)."""
    return buyers.profiles_for_vendor(
        vendor_id=vendor.pk, buyer_ids=sorted({lead.buyer_id for lead in leads})
    )


def lead_expos(*, vendor: Vendor) -> list[tuple[str, str]]:
    rows = Lead.objects.filter(vendor=vendor).values_list("expo__slug", "expo__title_en").distinct()
    return sorted(set(rows))
