"""Reads of curation grading: an expo's rubric (or the defaults it would start with) and the
scores of one application."""

from __future__ import annotations

from dataclasses import dataclass, field

from booths import grading
from booths.models import BoothApplication
from booths.rubrics import ApplicationScore, Criterion, CurationRubric
from expo.models import Expo


@dataclass(frozen=True)
class RubricLine:
    key: str
    label: str
    weight: int
    note: str
    value: int | None = None  # an application's score on it, where one is read


@dataclass
class Rubric:
    """An expo's rubric as its pages show it; ``saved`` is False while it still has the defaults
    nobody has set (they are stored when it is saved or the first application is scored)."""

    scale: int
    grade_a_min: int
    grade_b_min: int
    lines: list[RubricLine] = field(default_factory=list)
    saved: bool = False

    @property
    def weighted(self) -> list[RubricLine]:
        return [line for line in self.lines if line.weight > 0]

    @property
    def total_weight(self) -> int:
        return sum(line.weight for line in self.lines)


def _labels() -> dict[str, str]:
    return {key: str(label) for key, label in Criterion.choices}


def expo_rubric(*, expo: Expo | int) -> Rubric:
    """The expo's rubric with its criteria in order — two queries (one when it has none)."""
    expo_id = expo if isinstance(expo, int) else expo.pk
    rubric = CurationRubric.objects.filter(expo_id=expo_id).first()
    labels = _labels()
    if rubric is None:
        return Rubric(
            scale=grading.DEFAULT_SCALE,
            grade_a_min=grading.DEFAULT_GRADE_A_MIN,
            grade_b_min=grading.DEFAULT_GRADE_B_MIN,
            lines=[
                RubricLine(key, labels[key], weight, str(note))
                for key, weight, note in grading.DEFAULT_CRITERIA
            ],
        )
    return Rubric(
        scale=rubric.scale,
        grade_a_min=rubric.grade_a_min,
        grade_b_min=rubric.grade_b_min,
        lines=[RubricLine(c.key, labels[c.key], c.weight, c.note) for c in rubric.criteria.all()],
        saved=True,
    )


def application_rubric(*, application: BoothApplication) -> Rubric:
    """The expo's rubric with this application's score on each criterion — three queries."""
    rubric = expo_rubric(expo=application.expo_id)
    values = dict(
        ApplicationScore.objects.filter(application=application).values_list("key", "value")
    )
    rubric.lines = [
        RubricLine(line.key, line.label, line.weight, line.note, values.get(line.key))
        for line in rubric.lines
    ]
    return rubric
