"""Writes of curation grading: the organisers' rubric of an expo and the curators' scores.

Both need the right to manage the expo's office; scoring also needs the curation window. The
weighted score and the grade are written on the application (so the queue sorts by them) in the
same transaction as its scores, and again for every scored application when the rubric changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from booths import grading
from booths.models import BoothApplication
from booths.rubrics import ApplicationScore, Criterion, CurationRubric, RubricCriterion
from expo import permissions, timebox
from expo.models import Expo, User
from expo.services import audit_log


def rubric_ensure(*, expo: Expo) -> CurationRubric:
    """The expo's rubric, created with the default criteria, weights and grades when it has none."""
    rubric, created = CurationRubric.objects.get_or_create(
        expo=expo,
        defaults={
            "scale": grading.DEFAULT_SCALE,
            "grade_a_min": grading.DEFAULT_GRADE_A_MIN,
            "grade_b_min": grading.DEFAULT_GRADE_B_MIN,
        },
    )
    if created:
        RubricCriterion.objects.bulk_create(
            RubricCriterion(rubric=rubric, key=key, weight=weight, note=str(note), position=i)
            for i, (key, weight, note) in enumerate(grading.DEFAULT_CRITERIA)
        )
    return rubric


def _weights(rubric: CurationRubric) -> list[grading.Weight]:
    return [grading.Weight(c.key, c.weight) for c in rubric.criteria.all()]


def _check_rubric(*, scale: int, grade_a_min: int, grade_b_min: int, weights: Mapping) -> None:
    errors: dict[str, str] = {}
    if scale not in CurationRubric.Scale.values:
        errors["scale"] = _("Choose a scale of 0 to 5 or 0 to 100.")
    if not 0 < grade_b_min < grade_a_min <= 100:
        errors["grade_a_min"] = _(
            "Grade A must start above grade B, and both between 1 and 100 (B below A)."
        )
    if any(not 0 <= int(w) <= 100 for w in weights.values()):
        errors["__all__"] = _("Each weight is between 0 and 100.")
    elif not any(int(w) > 0 for w in weights.values()):
        errors["__all__"] = _("Give at least one criterion a weight above 0.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def rubric_save(
    *,
    expo: Expo,
    by: User,
    scale: int,
    grade_a_min: int,
    grade_b_min: int,
    criteria: Mapping[str, tuple[int, str]],
) -> CurationRubric:
    """Set the expo's rubric: ``criteria`` maps a criterion key to its (weight, note). The scale
    cannot change once an application was scored on it; the scores and grades of the scored
    applications follow the new weights and thresholds."""
    permissions.require(permissions.can_manage_office(by, expo.office_id))
    unknown = set(criteria) - set(Criterion.values)
    if unknown:
        raise ValidationError(_("Unknown criterion: %(keys)s.") % {"keys": ", ".join(unknown)})
    _check_rubric(
        scale=scale,
        grade_a_min=grade_a_min,
        grade_b_min=grade_b_min,
        weights={key: weight for key, (weight, _note) in criteria.items()},
    )
    rubric = CurationRubric.objects.select_for_update().get(pk=rubric_ensure(expo=expo).pk)
    scored = ApplicationScore.objects.filter(application__expo=expo)
    if scale != rubric.scale and scored.exists():
        raise ValidationError(
            {"scale": _("Applications were already scored on this scale: it cannot change.")}
        )
    rubric.scale, rubric.grade_a_min, rubric.grade_b_min = scale, grade_a_min, grade_b_min
    rubric.updated_by = by
    rubric.save(update_fields=["scale", "grade_a_min", "grade_b_min", "updated_by", "updated_at"])
    for item in rubric.criteria.all():
        if item.key in criteria:
            item.weight, item.note = int(criteria[item.key][0]), criteria[item.key][1].strip()
            item.save(update_fields=["weight", "note"])
    _regrade(rubric)
    audit_log(
        action="booths.rubric.saved",
        obj=rubric,
        user=by,
        expo_id=expo.pk,
        scale=scale,
        grades=[grade_a_min, grade_b_min],
        weights={key: int(weight) for key, (weight, _note) in criteria.items()},
    )
    return rubric


def _regrade(rubric: CurationRubric) -> None:
    """Score and grade again every scored application of the rubric's expo."""
    weights = _weights(rubric)
    values: dict[int, dict[str, int]] = {}
    for application_id, key, value in ApplicationScore.objects.filter(
        application__expo_id=rubric.expo_id
    ).values_list("application_id", "key", "value"):
        values.setdefault(application_id, {})[key] = value
    changed = []
    for application_id, scores in values.items():
        score = grading.weighted_score(weights, scores, scale=rubric.scale)
        grade = grading.grade_of(score, a_min=rubric.grade_a_min, b_min=rubric.grade_b_min)
        changed.append(
            BoothApplication(pk=application_id, curation_score=score, curation_grade=grade)
        )
    BoothApplication.objects.bulk_update(changed, ["curation_score", "curation_grade"])


@transaction.atomic
def application_score(
    *, application: BoothApplication, by: User, values: Mapping[str, Any]
) -> BoothApplication:
    """A curator scores ``application`` on its expo's rubric: ``values`` maps each criterion that
    weighs something to a whole number from 0 to the rubric's scale. Keeps the weighted score and
    the grade with the application."""
    application = (
        BoothApplication.objects.select_for_update().select_related("expo").get(pk=application.pk)
    )
    expo = application.expo
    permissions.require(permissions.can_manage_office(by, expo.office_id))
    timebox.require(expo, timebox.Action.CURATE)
    rubric = rubric_ensure(expo=expo)
    weights = [w for w in _weights(rubric) if w.weight > 0]
    errors: dict[str, str] = {}
    clean: dict[str, int] = {}
    for item in weights:
        raw = values.get(item.key)
        try:
            number = int(str(raw).strip())
        except (TypeError, ValueError):
            errors[item.key] = _("Give a whole number from 0 to %(max)s.") % {"max": rubric.scale}
            continue
        if not 0 <= number <= rubric.scale:
            errors[item.key] = _("Give a whole number from 0 to %(max)s.") % {"max": rubric.scale}
            continue
        clean[item.key] = number
    if errors:
        raise ValidationError(errors)
    for key, number in clean.items():
        ApplicationScore.objects.update_or_create(
            application=application, key=key, defaults={"value": number, "scored_by": by}
        )
    score = grading.weighted_score(weights, clean, scale=rubric.scale)
    application.curation_score = score
    application.curation_grade = grading.grade_of(
        score, a_min=rubric.grade_a_min, b_min=rubric.grade_b_min
    )
    application.save(update_fields=["curation_score", "curation_grade", "updated_at"])
    audit_log(
        action="booths.application.scored",
        obj=application,
        user=by,
        expo_id=expo.pk,
        score=str(score),
        grade=application.curation_grade,
        values=clean,
    )
    return application


def rubric_citation(application: BoothApplication) -> str:
    """What a decision that cites the rubric says: the score, the grade and each criterion's
    score (in the language that is active). Empty when the application was not scored."""
    if application.curation_score is None:
        return ""
    rubric = CurationRubric.objects.filter(expo_id=application.expo_id).first()
    if rubric is None:
        return ""
    scores = dict(application.scores.values_list("key", "value"))
    labels = dict(Criterion.choices)
    parts = [
        f"{labels[c.key]} {scores[c.key]}/{rubric.scale}"
        for c in rubric.criteria.all()
        if c.weight > 0 and c.key in scores
    ]
    score = Decimal(application.curation_score).normalize()
    return _("Curation rubric: score %(score)s of 100, grade %(grade)s (%(parts)s).") % {
        "score": f"{score:f}",
        "grade": application.curation_grade,
        "parts": "; ".join(parts),
    }
