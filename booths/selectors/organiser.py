"""Reads for the organiser workspace (``/manage/``): the expos of an office, the curation queue and
an application's review, and the header every organiser page of every app shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from booths.models import Booth, BoothApplication, Product
from booths.selectors.hall import hall_is_public
from expo.models import AuditLogEntry, Expo, ExpoState

# --- Organiser workspace (/manage/) --------------------------------------------------------------
# Each returns what its page shows in a fixed number of queries, whatever the number of expos,
# applications or booths.

WAITING_STATUSES = (BoothApplication.Status.SUBMITTED, BoothApplication.Status.CHANGES_REQUESTED)
# The curation queue's order: what needs a curator first, then what waits for the vendor, then
# the decided ones; oldest first within each.
QUEUE_STATUS_ORDER = (
    BoothApplication.Status.SUBMITTED,
    BoothApplication.Status.CHANGES_REQUESTED,
    BoothApplication.Status.APPROVED,
    BoothApplication.Status.REJECTED,
    BoothApplication.Status.WITHDRAWN,
)
QUEUE_PAGE_SIZE = 50


def _count_of(queryset: QuerySet) -> Subquery:
    """A correlated ``COUNT(*)`` usable as an annotation (no join fan-out between two counts)."""
    return Coalesce(
        Subquery(
            queryset.order_by().values("expo_id").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def organiser_expos(*, office_ids: frozenset[int] | None) -> list[Expo]:
    """The expos of these offices (all offices when ``office_ids`` is None, for platform admins),
    each with ``waiting_count``, ``changes_count`` and ``booth_count`` — one query.

    Current expos first, soonest opening first; closed ones after, most recent first.
    """
    expos = Expo.objects.select_related("office").annotate(
        waiting_count=_count_of(
            BoothApplication.objects.filter(
                expo=OuterRef("pk"), status=BoothApplication.Status.SUBMITTED
            )
        ),
        changes_count=_count_of(
            BoothApplication.objects.filter(
                expo=OuterRef("pk"), status=BoothApplication.Status.CHANGES_REQUESTED
            )
        ),
        booth_count=_count_of(Booth.objects.filter(expo=OuterRef("pk"))),
    )
    if office_ids is not None:
        expos = expos.filter(office_id__in=office_ids)
    now = timezone.now()
    found = list(expos)
    for expo in found:
        expo.current_state = expo.state_at(now)

    def order(expo: Expo) -> tuple:
        if expo.current_state in (ExpoState.CLOSED, ExpoState.MALL):
            return (1, -expo.closes_at.timestamp(), expo.pk)
        return (0, expo.opens_at.timestamp(), expo.pk)

    return sorted(found, key=order)


def application_status_counts(*, expo: Expo) -> dict[str, int]:
    """``{status: number of applications}`` for every status (zeros included) — one query."""
    counts = dict.fromkeys(BoothApplication.Status.values, 0)
    rows = (
        BoothApplication.objects.filter(expo=expo)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    counts.update(dict(rows))
    return counts


@dataclass(frozen=True)
class ExpoFigures:
    """The numbers on an expo's overview page."""

    booths: int
    active_booths: int
    products: int
    products_on_sale: int


def expo_figures(*, expo: Expo) -> ExpoFigures:
    """Booths and products of an expo — two queries."""
    booths = Booth.objects.filter(expo=expo).aggregate(
        total=Count("pk"), active=Count("pk", filter=Q(is_active=True))
    )
    products = Product.objects.filter(booth__expo=expo).aggregate(
        total=Count("pk"), on_sale=Count("pk", filter=Q(is_active=True, booth__is_active=True))
    )
    return ExpoFigures(
        booths=booths["total"],
        active_booths=booths["active"],
        products=products["total"],
        products_on_sale=products["on_sale"],
    )


# The queue's orders besides its own: by curation score, highest or lowest first (unscored last).
QUEUE_SORTS = ("score", "-score")


def curation_list(
    *, expo: Expo, status: str | None = None, sort: str = ""
) -> QuerySet[BoothApplication]:
    """The curation queue of an expo: waiting applications first, oldest first within a status.

    ``status`` narrows it to one status; ``sort`` ("score" or "-score") orders it by the rubric
    score instead (the grade follows the score), unscored applications last. Rows carry their
    vendor, regency and sector (one query; paginate it for the count).
    """
    rank = Case(
        *(When(status=value, then=Value(i)) for i, value in enumerate(QUEUE_STATUS_ORDER)),
        default=Value(len(QUEUE_STATUS_ORDER)),
        output_field=IntegerField(),
    )
    applications = (
        BoothApplication.objects.filter(expo=expo)
        .select_related("vendor", "vendor__region", "vendor__sector")
        .annotate(queue_rank=rank)
    )
    if status:
        applications = applications.filter(status=status)
    if sort == "score":
        return applications.order_by(
            F("curation_score").desc(nulls_last=True), "queue_rank", "submitted_at", "pk"
        )
    if sort == "-score":
        return applications.order_by(
            F("curation_score").asc(nulls_last=True), "queue_rank", "submitted_at", "pk"
        )
    return applications.order_by("queue_rank", "submitted_at", "pk")


def application_for_review(*, application_id: int) -> BoothApplication | None:
    """One application with everything its review page shows: vendor (region, sector), expo and
    office, the curator who decided, the product photos — two queries."""
    return (
        BoothApplication.objects.filter(pk=application_id)
        .select_related(
            "vendor", "vendor__region", "vendor__sector", "expo", "expo__office", "decided_by"
        )
        .prefetch_related("photos")
        .first()
    )


def application_history(*, application: BoothApplication) -> list[AuditLogEntry]:
    """The audit log of one application, oldest first, with who did each step — one query."""
    return list(
        AuditLogEntry.objects.filter(
            object_type=f"{BoothApplication._meta.app_label}.{BoothApplication._meta.model_name}",
            object_id=str(application.pk),
        )
        .select_related("user")
        .order_by("created_at", "pk")
    )


def application_for_document(*, application_id: int) -> BoothApplication | None:
    """An application with what a document permission check needs (its expo's office and its
    vendor) — one query."""
    return (
        BoothApplication.objects.filter(pk=application_id).select_related("expo", "vendor").first()
    )


def organiser_header(expo: Expo, *, counts: dict[str, int] | None = None) -> dict[str, Any]:
    """What the organiser's expo pages (of every app) show in their shared header and tabs."""
    counts = counts if counts is not None else application_status_counts(expo=expo)
    state = expo.state
    return {
        "expo": expo,
        "state": state,
        "counts": counts,
        "waiting": counts.get(BoothApplication.Status.SUBMITTED, 0),
        "hall_public": hall_is_public(expo),
        "is_closed": state in (ExpoState.CLOSED, ExpoState.MALL),
        "is_mall": state == ExpoState.MALL,
    }
