"""Curation grades per regency and sector of an expo: how many applications got each grade and
their average rubric score (withdrawn applications left out), for the upward report. One query for
any number of expos."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from booths.grading import GRADES, HUNDREDTH
from booths.models import BoothApplication


@dataclass
class GradeRow:
    label: str
    grades: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GRADES, 0))
    unscored: int = 0
    score_sum: Decimal = Decimal(0)

    @property
    def scored(self) -> int:
        return sum(self.grades.values())

    @property
    def average(self) -> Decimal | None:
        if not self.scored:
            return None
        return (self.score_sum / self.scored).quantize(HUNDREDTH)

    @property
    def grade_counts(self) -> list[int]:
        return [self.grades[g] for g in GRADES]


@dataclass
class CurationFigures:
    total: GradeRow
    by_region: list[GradeRow]
    by_sector: list[GradeRow]


def _add(row: GradeRow, grade: str, score: Decimal | None) -> None:
    if grade in row.grades and score is not None:
        row.grades[grade] += 1
        row.score_sum += Decimal(score)
    else:
        row.unscored += 1


def curation_figures(expo_ids: list[int]) -> dict[int, CurationFigures]:
    """Per expo: grades and average score overall, per regency and per sector."""
    regions: dict[int, dict[str, GradeRow]] = defaultdict(dict)
    sectors: dict[int, dict[str, GradeRow]] = defaultdict(dict)
    totals: dict[int, GradeRow] = {}
    rows = (
        BoothApplication.objects.filter(expo_id__in=expo_ids)
        .exclude(status=BoothApplication.Status.WITHDRAWN)
        .select_related("vendor__region", "vendor__sector")
        .only(
            "expo_id",
            "curation_grade",
            "curation_score",
            "vendor__region__name",
            "vendor__region__kind",
            "vendor__sector__name_en",
            "vendor__sector__name_id",
        )
    )
    for application in rows:
        vendor = application.vendor
        grade, score = application.curation_grade, application.curation_score
        expo_id = application.expo_id
        _add(totals.setdefault(expo_id, GradeRow("")), grade, score)
        region = str(vendor.region)
        _add(regions[expo_id].setdefault(region, GradeRow(region)), grade, score)
        sector = vendor.sector.name
        _add(sectors[expo_id].setdefault(sector, GradeRow(sector)), grade, score)
    return {
        expo_id: CurationFigures(
            total=total,
            by_region=sorted(regions[expo_id].values(), key=lambda r: r.label),
            by_sector=sorted(sectors[expo_id].values(), key=lambda r: r.label),
        )
        for expo_id, total in totals.items()
    }
