"""The rules of curation grades, document expiry and size classes, as plain functions (no writes).

- A rubric's weighted score is ``Σ weight × value / scale ÷ Σ weight × 100``: 0–100 whatever the
  scale, over the criteria that weigh something; the grade is A from ``grade_a_min``, B from
  ``grade_b_min``, else C.
- A document is *expired* when its validity ended before today (Asia/Jakarta) and *expiring*
  when it ends within :data:`EXPIRY_WARNING_DAYS`.
- The size class of a business follows its annual turnover (PP 7/2021): micro up to Rp 2 bn,
  small up to Rp 15 bn, medium up to Rp 50 bn; above that it is no longer an UMKM.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from booths.rubrics import Criterion

# --- The rubric ----------------------------------------------------------------------------------

# The weights and notes a new rubric starts with (the organisers change them).
DEFAULT_CRITERIA: tuple[tuple[str, int, object], ...] = (
    (
        Criterion.LEGAL,
        20,
        _("NIB, and a valid P-IRT/BPOM and halal certificate where the products need them."),
    ),
    (Criterion.QUALITY, 25, _("Taste, finish and consistency of the products in the photos.")),
    (Criterion.PACKAGING, 15, _("Labels, shelf life and packaging fit for shipping.")),
    (Criterion.CAPACITY, 15, _("Can the business deliver the stock it promises during the expo?")),
    (Criterion.MARKET, 15, _("Where it sells today: its town, the province, online, abroad.")),
    (Criterion.EXPORT, 10, _("English labels, export documents, experience with buyers abroad.")),
)
DEFAULT_SCALE = 5
DEFAULT_GRADE_A_MIN = 80
DEFAULT_GRADE_B_MIN = 60
GRADES = ("A", "B", "C")
HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class Weight:
    key: str
    weight: int


def weighted_score(
    weights: Iterable[Weight], values: Mapping[str, int], *, scale: int
) -> Decimal | None:
    """The weighted score out of 100 (two decimals), or None when no criterion weighs anything or
    one that weighs something has no value."""
    total_weight = 0
    points = Decimal(0)
    for item in weights:
        if item.weight <= 0:
            continue
        if item.key not in values:
            return None
        total_weight += item.weight
        points += Decimal(item.weight) * Decimal(values[item.key]) / Decimal(scale)
    if total_weight == 0:
        return None
    return (points / total_weight * 100).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def grade_of(score: Decimal | None, *, a_min: int, b_min: int) -> str:
    """A, B or C for a score out of 100; "" when there is no score."""
    if score is None:
        return ""
    if score >= a_min:
        return "A"
    if score >= b_min:
        return "B"
    return "C"


# --- Documents -----------------------------------------------------------------------------------

EXPIRY_WARNING_DAYS = 60
EXPIRED, EXPIRING = "expired", "expiring"


@dataclass(frozen=True)
class DocumentAlert:
    document: str  # "permit" or "halal"
    label: str  # "P-IRT", "BPOM" or "Halal"
    state: str  # EXPIRED or EXPIRING
    expires_on: date


def expiry_state(expires_on: date | None, *, today: date) -> str | None:
    if expires_on is None:
        return None
    if expires_on < today:
        return EXPIRED
    if expires_on <= today + timedelta(days=EXPIRY_WARNING_DAYS):
        return EXPIRING
    return None


def document_alerts(application: object, *, today: date) -> list[DocumentAlert]:
    """The application's permit and halal certificate that have expired or expire soon."""
    alerts = []
    permit_label = {"pirt": "P-IRT", "bpom": "BPOM"}.get(getattr(application, "permit_kind", ""))
    for document, label, expires_on in (
        ("permit", permit_label or "P-IRT/BPOM", application.permit_expires_on),
        ("halal", "Halal", application.halal_expires_on if application.halal_number else None),
    ):
        state = expiry_state(expires_on, today=today)
        if state is not None:
            alerts.append(DocumentAlert(document, label, state, expires_on))
    return alerts


# --- Size classes (PP 7/2021) --------------------------------------------------------------------

MIKRO, KECIL, MENENGAH, BESAR = "mikro", "kecil", "menengah", "besar"
# (class, highest annual turnover in rupiah), smallest first.
SIZE_LIMITS = (
    (MIKRO, 2_000_000_000),
    (KECIL, 15_000_000_000),
    (MENENGAH, 50_000_000_000),
)
SIZE_ORDER = (MIKRO, KECIL, MENENGAH, BESAR)
SIZE_LABELS = {
    MIKRO: _("Micro (mikro)"),
    KECIL: _("Small (kecil)"),
    MENENGAH: _("Medium (menengah)"),
    BESAR: _("Large (besar)"),
}


def size_class_of(turnover: int | None) -> str | None:
    """The size class of an annual turnover in rupiah; None when none was declared."""
    if turnover is None:
        return None
    for size, limit in SIZE_LIMITS:
        if turnover <= limit:
            return size
    return BESAR


def moved_up(before: str | None, after: str | None) -> bool:
    """Did a business move up a size class ("naik kelas") from ``before`` to ``after``?"""
    if before not in SIZE_ORDER or after not in SIZE_ORDER:
        return False
    return SIZE_ORDER.index(after) > SIZE_ORDER.index(before)
