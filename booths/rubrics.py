"""The curation rubric of an expo and the curators' scores (models of the ``booths`` app, imported
at the end of :mod:`booths.models`).

An expo's organisers weigh a fixed set of criteria (legal documents, product quality, packaging,
production capacity, market reach, export readiness), each with a note for the curators, choose
the scale a criterion is scored on (0–5 or 0–100) and the thresholds of the grades A and B (a
weighted score below B's is a C). The weighted score and the grade are kept on the application
itself (``BoothApplication.curation_score`` and ``curation_grade``) so the queue sorts by them;
the rules are :mod:`booths.grading` and :mod:`booths.services.grading`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Criterion(models.TextChoices):
    LEGAL = "legal", _("Legal documents")
    QUALITY = "quality", _("Product quality")
    PACKAGING = "packaging", _("Packaging")
    CAPACITY = "capacity", _("Production capacity")
    MARKET = "market", _("Market reach")
    EXPORT = "export", _("Export readiness")


class CurationRubric(models.Model):
    """How the curators of one expo score applications: the scale and the grade thresholds; the
    criteria and their weights are :class:`RubricCriterion` rows."""

    class Scale(models.IntegerChoices):
        FIVE = 5, _("0 to 5")
        HUNDRED = 100, _("0 to 100")

    expo = models.OneToOneField(
        "expo.Expo", on_delete=models.CASCADE, related_name="curation_rubric"
    )
    scale = models.PositiveSmallIntegerField(
        _("scale of each criterion"), choices=Scale.choices, default=Scale.FIVE
    )
    grade_a_min = models.PositiveSmallIntegerField(_("grade A from (score out of 100)"), default=80)
    grade_b_min = models.PositiveSmallIntegerField(_("grade B from (score out of 100)"), default=60)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("curation rubric")
        verbose_name_plural = _("curation rubrics")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(grade_a_min__lte=100)
                & models.Q(grade_b_min__lt=models.F("grade_a_min")),
                name="rubric_grade_thresholds_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"rubric of {self.expo_id}"


class RubricCriterion(models.Model):
    """One criterion of a rubric: its weight (a weight of 0 leaves it out) and the curators' note
    on what earns a high score."""

    rubric = models.ForeignKey(CurationRubric, on_delete=models.CASCADE, related_name="criteria")
    key = models.CharField(_("criterion"), max_length=12, choices=Criterion.choices)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    note = models.TextField(_("note for the curators"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "key"], name="one_criterion_per_rubric"),
            models.CheckConstraint(
                condition=models.Q(weight__lte=100), name="criterion_weight_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} × {self.weight}"


class ApplicationScore(models.Model):
    """A curator's score of one application on one criterion (on the rubric's scale)."""

    application = models.ForeignKey(
        "booths.BoothApplication", on_delete=models.CASCADE, related_name="scores"
    )
    key = models.CharField(_("criterion"), max_length=12, choices=Criterion.choices)
    value = models.PositiveSmallIntegerField(_("score"))
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    scored_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("curation score")
        verbose_name_plural = _("curation scores")
        constraints = [
            models.UniqueConstraint(fields=["application", "key"], name="one_score_per_criterion"),
            models.CheckConstraint(condition=models.Q(value__lte=100), name="score_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.key}={self.value}"
