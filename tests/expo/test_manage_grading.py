"""Curation grading in the organiser workspace: the rubric page, scoring an application on its
review page, the queue's scores, grades, sorting and document flags, a decision citing the rubric,
and who may do each (an organiser of another office is refused)."""

# ruff: noqa: F811
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from booths.models import BoothApplication
from booths.rubrics import ApplicationScore, CurationRubric
from tests.expo.test_manage import (  # noqa: F401 - fixtures
    make_application,
    make_vendor,
    messages_of,
    private_files,
    world,
)

pytestmark = pytest.mark.django_db

SCORES = {"legal": 5, "quality": 4, "packaging": 3, "capacity": 4, "market": 2, "export": 1}
# (20×5 + 25×4 + 15×3 + 15×4 + 15×2 + 10×1) / 5 / 100 × 100 = 69.0 → B on the defaults.


def score(client, application, values=SCORES):
    return client.post(reverse("manage:application_score", args=[application.pk]), values)


def test_scoring_on_the_review_page_keeps_score_and_grade(client, world):
    client.force_login(world.accounts["organiser"])
    page = client.get(reverse("manage:application", args=[world.application.pk]))
    html = page.content.decode()
    assert 'data-testid="score-form"' in html and "Legal documents" in html
    response = score(client, world.application)
    assert response.status_code == 302
    world.application.refresh_from_db()
    assert world.application.curation_score == Decimal("69.00")
    assert world.application.curation_grade == "B"
    html = client.get(reverse("manage:application", args=[world.application.pk])).content.decode()
    assert 'data-testid="application-grade">B<' in html


def test_a_score_out_of_the_scale_is_refused_with_a_message(client, world):
    client.force_login(world.accounts["organiser"])
    response = score(client, world.application, {**SCORES, "quality": 9})
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert any("Product quality" in m for m in messages_of(follow))
    assert not ApplicationScore.objects.exists()
    world.application.refresh_from_db()
    assert world.application.curation_score is None


@pytest.mark.parametrize("account", ["other_organiser", "vendor", "buyer"])
def test_only_the_offices_organisers_score_and_set_the_rubric(client, world, account):
    client.force_login(world.accounts[account])
    assert score(client, world.application).status_code == 403
    rubric = reverse("manage:rubric", args=[world.expo.slug])
    assert client.get(rubric).status_code == 403
    assert client.post(rubric, {"scale": 100}).status_code == 403
    assert not ApplicationScore.objects.exists() and not CurationRubric.objects.exists()
    world.application.refresh_from_db()
    assert world.application.curation_grade == ""


def rubric_data(**overrides) -> dict:
    data = {"scale": 5, "grade_a_min": 75, "grade_b_min": 50}
    for key in SCORES:
        data[f"weight_{key}"] = 1
        data[f"note_{key}"] = ""
    data["note_legal"] = "NIB and a valid P-IRT"
    data.update(overrides)
    return data


def test_the_rubric_page_offers_defaults_and_saves(client, world):
    client.force_login(world.accounts["organiser"])
    url = reverse("manage:rubric", args=[world.expo.slug])
    html = client.get(url).content.decode()
    assert 'data-testid="rubric-defaults"' in html
    assert 'name="weight_quality" value="25"' in html  # the suggested weight
    response = client.post(url, rubric_data())
    assert response.status_code == 302
    rubric = CurationRubric.objects.get(expo=world.expo)
    assert (rubric.grade_a_min, rubric.grade_b_min) == (75, 50)
    assert {c.key: c.weight for c in rubric.criteria.all()} == dict.fromkeys(SCORES, 1)
    assert rubric.criteria.get(key="legal").note == "NIB and a valid P-IRT"
    # Equal weights now: the same scores make 3.17/5 → 63.33, a B.
    score(client, world.application)
    world.application.refresh_from_db()
    assert world.application.curation_score == Decimal("63.33")


def test_a_bad_rubric_shows_its_error_and_changes_nothing(client, world):
    client.force_login(world.accounts["organiser"])
    url = reverse("manage:rubric", args=[world.expo.slug])
    response = client.post(url, rubric_data(grade_a_min=40, grade_b_min=50))
    assert response.status_code == 400
    assert "Grade A must start above grade B" in response.content.decode()
    response = client.post(url, rubric_data(weight_legal=101))
    assert response.status_code == 400
    assert not CurationRubric.objects.exists()


def test_the_queue_shows_scores_and_grades_and_sorts_by_them(
    client, make_organiser, make_expo, make_application
):
    organiser = make_organiser()
    expo = make_expo("open", office=organiser.offices.get())
    low, unscored, high = (make_application(expo, files=False) for _ in range(3))
    BoothApplication.objects.filter(pk=low.pk).update(curation_score=41, curation_grade="C")
    BoothApplication.objects.filter(pk=high.pk).update(curation_score=88.5, curation_grade="A")
    client.force_login(organiser)
    url = reverse("manage:curation", args=[expo.slug])
    html = client.get(url).content.decode()
    assert (
        "88.5" in html
        and 'gr-grade-a" data-testid="grade">A<' in html
        and 'gr-grade-c" data-testid="grade">C<' in html
    )
    assert 'data-testid="sort-score"' in html
    by_score = client.get(url, {"sort": "score"}).context["page_obj"]
    assert [a.pk for a in by_score] == [high.pk, low.pk, unscored.pk]
    lowest_first = client.get(url, {"sort": "-score"}).context["page_obj"]
    assert [a.pk for a in lowest_first] == [low.pk, high.pk, unscored.pk]
    # Sorting keeps the status filter, and the filters keep the sort.
    response = client.get(url, {"sort": "score", "status": "submitted"})
    assert [a.pk for a in response.context["page_obj"]] == [high.pk, low.pk, unscored.pk]
    assert "status=submitted&amp;sort=score" in response.content.decode()
    assert len(client.get(url, {"sort": "bogus"}).context["page_obj"]) == 3


def test_the_queue_flags_expired_and_expiring_documents(
    client, make_organiser, make_expo, make_application
):
    organiser = make_organiser()
    expo = make_expo("open", office=organiser.offices.get())
    today = timezone.localdate()
    expired = make_application(expo, files=False)
    expiring = make_application(expo, files=False, halal=False)
    valid = make_application(expo, files=False)
    BoothApplication.objects.filter(pk=expired.pk).update(
        permit_kind="pirt", permit_number="P-IRT 123", permit_expires_on=today - timedelta(days=1)
    )
    BoothApplication.objects.filter(pk=expiring.pk).update(
        halal_number="ID331100", halal_expires_on=today + timedelta(days=30)
    )
    BoothApplication.objects.filter(pk=valid.pk).update(
        permit_kind="bpom", permit_number="MD 1", permit_expires_on=today + timedelta(days=400)
    )
    client.force_login(organiser)
    response = client.get(reverse("manage:curation", args=[expo.slug]))
    rows = {a.pk: a.document_alerts for a in response.context["page_obj"]}
    assert [(a.document, a.state, a.label) for a in rows[expired.pk]] == [
        ("permit", "expired", "P-IRT")
    ]
    assert [(a.document, a.state) for a in rows[expiring.pk]] == [("halal", "expiring")]
    assert rows[valid.pk] == []
    html = response.content.decode()
    assert 'data-alert="expired" data-document="permit"' in html
    assert 'data-alert="expiring" data-document="halal"' in html
    page = client.get(reverse("manage:application", args=[expired.pk])).content.decode()
    assert 'data-testid="document-alerts"' in page and "P-IRT expired" in page


def test_a_decision_cites_the_rubric_when_asked(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.accounts["organiser"])
    score(client, world.application)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("manage:application", args=[world.application.pk]),
            {"decision": "request_changes", "reason": "Better labels.", "cite_rubric": "on"},
        )
    assert response.status_code == 302
    world.application.refresh_from_db()
    reason = world.application.decision_reason
    assert reason.startswith("Better labels.") and "grade B" in reason and "Packaging 3/5" in reason
    assert "grade B" in mail.outbox[-1].body


def test_the_application_form_asks_the_turnover_and_validity(
    client, make_expo, make_user, regions, sectors
):
    from booths.models import Vendor, VendorMembership
    from tests.booths.test_vendor_views import application_form_data, pdf_upload

    expo = make_expo("accepting")
    user = make_user()
    vendor = Vendor.objects.create(
        name="Batik Arum",
        slug="batik-arum",
        owner_name="Arum",
        region=regions[0],
        sector=sectors[1],
    )
    VendorMembership.objects.create(vendor=vendor, user=user, role="owner")
    client.force_login(user)
    url = reverse("vendor:apply", args=[vendor.slug, expo.slug])
    data = application_form_data()
    del data["declared_turnover"]
    response = client.post(url, data)
    assert response.status_code == 200
    assert "declared_turnover" in response.context["form"].errors
    assert not BoothApplication.objects.exists()
    data = application_form_data(
        declared_turnover="Rp 1.750.000.000",
        halal_number="ID1",
        halal_document=pdf_upload("halal.pdf"),
        halal_expires_on="2031-01-31",
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    application = BoothApplication.objects.get()
    assert application.declared_turnover == 1_750_000_000
    assert str(application.halal_expires_on) == "2031-01-31"
