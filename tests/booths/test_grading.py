"""Curation grading: the weighted score and grade from a rubric's weights, document expiry, and the
size classes of PP 7/2021 (the rules in ``booths.grading``, the writes in
``booths.services.grading``)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from booths import grading, services
from booths.models import BoothApplication
from booths.rubrics import ApplicationScore, CurationRubric
from expo.models import AuditLogEntry
from tests.conftest import move_to
from tests.expo.test_manage import (  # noqa: F401 - fixtures
    make_application,
    make_vendor,
    private_files,
)

W = grading.Weight


# --- The rules -------------------------------------------------------------------------------------


def test_weighted_score_follows_the_weights_whatever_the_scale():
    weights = [W("legal", 3), W("quality", 1)]
    # 5/5 on what weighs 3, 0/5 on what weighs 1: three quarters.
    assert grading.weighted_score(weights, {"legal": 5, "quality": 0}, scale=5) == Decimal("75.00")
    assert grading.weighted_score(weights, {"legal": 0, "quality": 5}, scale=5) == Decimal("25.00")
    assert grading.weighted_score(weights, {"legal": 80, "quality": 40}, scale=100) == Decimal(
        "70.00"
    )
    # 4/5 weighing 2 and 3/5 weighing 1: (2×0.8 + 1×0.6) / 3 = 73.33…
    assert grading.weighted_score([W("a", 2), W("b", 1)], {"a": 4, "b": 3}, scale=5) == Decimal(
        "73.33"
    )


def test_a_criterion_of_weight_zero_is_left_out_and_a_missing_score_gives_no_score():
    weights = [W("legal", 1), W("export", 0)]
    assert grading.weighted_score(weights, {"legal": 5}, scale=5) == Decimal("100.00")
    assert grading.weighted_score(weights, {"export": 5}, scale=5) is None
    assert grading.weighted_score([W("legal", 0)], {"legal": 5}, scale=5) is None


def test_grades_follow_the_thresholds():
    assert grading.grade_of(Decimal("80"), a_min=80, b_min=60) == "A"
    assert grading.grade_of(Decimal("79.99"), a_min=80, b_min=60) == "B"
    assert grading.grade_of(Decimal("60"), a_min=80, b_min=60) == "B"
    assert grading.grade_of(Decimal("59.99"), a_min=80, b_min=60) == "C"
    assert grading.grade_of(None, a_min=80, b_min=60) == ""


def test_document_expiry_states():
    today = date(2026, 6, 1)
    assert grading.expiry_state(today - timedelta(days=1), today=today) == grading.EXPIRED
    assert grading.expiry_state(today, today=today) == grading.EXPIRING
    assert grading.expiry_state(today + timedelta(days=60), today=today) == grading.EXPIRING
    assert grading.expiry_state(today + timedelta(days=61), today=today) is None
    assert grading.expiry_state(None, today=today) is None


@pytest.mark.parametrize(
    ("turnover", "size"),
    [
        (1, "mikro"),
        (2_000_000_000, "mikro"),
        (2_000_000_001, "kecil"),
        (15_000_000_000, "kecil"),
        (15_000_000_001, "menengah"),
        (50_000_000_000, "menengah"),
        (50_000_000_001, "besar"),
        (None, None),
    ],
)
def test_size_classes_of_pp_7_2021(turnover, size):
    assert grading.size_class_of(turnover) == size


def test_moving_up_a_class():
    assert grading.moved_up("mikro", "kecil")
    assert grading.moved_up("mikro", "menengah")
    assert not grading.moved_up("kecil", "kecil")
    assert not grading.moved_up("menengah", "kecil")
    assert not grading.moved_up(None, "kecil")


# --- The services ----------------------------------------------------------------------------------


@pytest.fixture
def curated(make_organiser, make_expo, make_application):  # noqa: F811
    organiser = make_organiser()
    expo = make_expo("open", office=organiser.offices.get())
    application = make_application(expo, files=False)
    return organiser, expo, application


ALL_FOURS = dict.fromkeys(["legal", "quality", "packaging", "capacity", "market", "export"], 4)


@pytest.mark.django_db
def test_scoring_on_the_default_rubric_keeps_score_and_grade(curated):
    organiser, expo, application = curated
    scored = services.application_score(application=application, by=organiser, values=ALL_FOURS)
    assert scored.curation_score == Decimal("80.00") and scored.curation_grade == "A"
    application.refresh_from_db()
    assert application.curation_score == Decimal("80.00") and application.curation_grade == "A"
    assert ApplicationScore.objects.filter(application=application).count() == 6
    assert AuditLogEntry.objects.filter(action="booths.application.scored").exists()
    # The default rubric was stored with its first score.
    assert CurationRubric.objects.get(expo=expo).criteria.count() == 6


@pytest.mark.django_db
def test_weights_decide_the_score_and_a_new_rubric_regrades(curated):
    organiser, expo, application = curated
    criteria = dict.fromkeys(ALL_FOURS, (0, ""))
    criteria["legal"] = (3, "NIB and permits")
    criteria["quality"] = (1, "")
    services.rubric_save(
        expo=expo, by=organiser, scale=5, grade_a_min=70, grade_b_min=50, criteria=criteria
    )
    services.application_score(
        application=application, by=organiser, values={"legal": 5, "quality": 0}
    )
    application.refresh_from_db()
    assert application.curation_score == Decimal("75.00") and application.curation_grade == "A"
    # Quality weighs more now: the stored score and grade follow.
    criteria["quality"] = (3, "")
    services.rubric_save(
        expo=expo, by=organiser, scale=5, grade_a_min=70, grade_b_min=50, criteria=criteria
    )
    application.refresh_from_db()
    assert application.curation_score == Decimal("50.00") and application.curation_grade == "B"


@pytest.mark.django_db
def test_bad_scores_and_rubrics_are_refused_and_change_nothing(curated):
    organiser, expo, application = curated
    with pytest.raises(ValidationError) as error:
        services.application_score(
            application=application, by=organiser, values={**ALL_FOURS, "legal": 6}
        )
    assert "legal" in error.value.error_dict
    with pytest.raises(ValidationError):
        services.application_score(
            application=application, by=organiser, values={**ALL_FOURS, "quality": "x"}
        )
    assert not ApplicationScore.objects.exists()
    application.refresh_from_db()
    assert application.curation_score is None
    criteria = dict.fromkeys(ALL_FOURS, (1, ""))
    with pytest.raises(ValidationError):
        services.rubric_save(
            expo=expo, by=organiser, scale=5, grade_a_min=50, grade_b_min=60, criteria=criteria
        )
    with pytest.raises(ValidationError):
        services.rubric_save(
            expo=expo,
            by=organiser,
            scale=5,
            grade_a_min=80,
            grade_b_min=60,
            criteria=dict.fromkeys(ALL_FOURS, (0, "")),
        )
    services.application_score(application=application, by=organiser, values=ALL_FOURS)
    with pytest.raises(ValidationError) as error:  # scored on 0–5: the scale stays
        services.rubric_save(
            expo=expo, by=organiser, scale=100, grade_a_min=80, grade_b_min=60, criteria=criteria
        )
    assert "scale" in error.value.error_dict
    assert CurationRubric.objects.get(expo=expo).scale == 5


@pytest.mark.django_db
def test_an_organiser_of_another_office_cannot_score_or_set_the_rubric(curated, make_organiser):
    _organiser, expo, application = curated
    stranger = make_organiser()
    with pytest.raises(PermissionDenied):
        services.application_score(application=application, by=stranger, values=ALL_FOURS)
    with pytest.raises(PermissionDenied):
        services.rubric_save(
            expo=expo,
            by=stranger,
            scale=5,
            grade_a_min=80,
            grade_b_min=60,
            criteria=dict.fromkeys(ALL_FOURS, (1, "")),
        )
    assert not ApplicationScore.objects.exists() and not CurationRubric.objects.exists()


@pytest.mark.django_db
def test_scoring_needs_the_curation_window(curated):
    organiser, expo, application = curated
    move_to(expo, "closed")
    from expo.refusals import Refused

    with pytest.raises(Refused):
        services.application_score(application=application, by=organiser, values=ALL_FOURS)


@pytest.mark.django_db
def test_a_decision_can_cite_the_rubric(curated):
    organiser, _expo, application = curated
    services.application_score(application=application, by=organiser, values=ALL_FOURS)
    services.application_reject(
        application=application, by=organiser, reason="Not this year.", cite_rubric=True
    )
    application.refresh_from_db()
    assert application.status == BoothApplication.Status.REJECTED
    assert application.decision_reason.startswith("Not this year.")
    assert "score 80 of 100, grade A" in application.decision_reason
    assert "Legal documents 4/5" in application.decision_reason
