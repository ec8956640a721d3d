"""Curation grading in the organiser workspace: the expo's rubric page and the scoring of one
application (its form sits on the application's review page).

The gate is the workspace's: an organiser or admin, then the right to manage the expo's office
(else 403). ``booths.services.grading`` holds the rules and writes; a refused input shows its
message and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from booths import grading, selectors
from booths import services as booth_services
from booths.models import BoothApplication
from booths.rubrics import CurationRubric
from expo import permissions
from expo.refusals import Refused, add_to_form, refuse
from expo.web import managed_expo, organiser_required


class RubricForm(forms.Form):
    """The scale, the grade thresholds, and a weight and a note per criterion."""

    scale = forms.TypedChoiceField(
        label=gettext_lazy("Each criterion is scored"),
        choices=CurationRubric.Scale.choices,
        coerce=int,
    )
    grade_a_min = forms.IntegerField(label=gettext_lazy("Grade A from"), min_value=1, max_value=100)
    grade_b_min = forms.IntegerField(
        label=gettext_lazy("Grade B from"),
        min_value=1,
        max_value=100,
        help_text=gettext_lazy("Scores out of 100; below grade B is grade C."),
    )

    def __init__(self, *args: Any, rubric: selectors.Rubric, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "scale": rubric.scale,
                "grade_a_min": rubric.grade_a_min,
                "grade_b_min": rubric.grade_b_min,
                **{f"weight_{line.key}": line.weight for line in rubric.lines},
                **{f"note_{line.key}": line.note for line in rubric.lines},
            },
        )
        super().__init__(*args, **kwargs)
        self.lines = rubric.lines
        for line in rubric.lines:
            self.fields[f"weight_{line.key}"] = forms.IntegerField(
                label=_("Weight of “%(criterion)s”") % {"criterion": line.label},
                min_value=0,
                max_value=100,
            )
            self.fields[f"note_{line.key}"] = forms.CharField(
                label=_("Note on “%(criterion)s”") % {"criterion": line.label},
                required=False,
                max_length=500,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self) -> list[tuple[Any, Any, Any]]:
        """(criterion, its weight field, its note field), for the template."""
        return [(line, self[f"weight_{line.key}"], self[f"note_{line.key}"]) for line in self.lines]

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "scale": data["scale"],
            "grade_a_min": data["grade_a_min"],
            "grade_b_min": data["grade_b_min"],
            "criteria": {
                line.key: (data[f"weight_{line.key}"], data.get(f"note_{line.key}") or "")
                for line in self.lines
            },
        }


class ScoreForm(forms.Form):
    """A score per criterion that weighs something, from 0 to the rubric's scale."""

    def __init__(self, *args: Any, rubric: selectors.Rubric, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {line.key: line.value for line in rubric.weighted if line.value is not None},
        )
        super().__init__(*args, **kwargs)
        self.rubric = rubric
        for line in rubric.weighted:
            self.fields[line.key] = forms.IntegerField(
                label=line.label,
                min_value=0,
                max_value=rubric.scale,
                help_text=line.note,
                widget=forms.NumberInput(attrs={"min": 0, "max": rubric.scale, "step": 1}),
            )


def review_context(application: BoothApplication, score_form: ScoreForm | None = None) -> dict:
    """What the application's review page shows of grading: the rubric with this application's
    scores, the score form, and its documents that expired or expire soon."""
    rubric = selectors.application_rubric(application=application)
    form = score_form or ScoreForm(rubric=rubric, auto_id="score-%s")
    return {
        "rubric": rubric,
        "score_form": form,
        "score_rows": [(line, form[line.key]) for line in rubric.weighted],
        "document_alerts": grading.document_alerts(application, today=timezone.localdate()),
        "expiry_warning_days": grading.EXPIRY_WARNING_DAYS,
    }


@require_http_methods(["GET", "HEAD", "POST"])
@organiser_required
def rubric(request: HttpRequest, slug: str) -> HttpResponse:
    expo = managed_expo(request, slug)
    current = selectors.expo_rubric(expo=expo)
    form = RubricForm(request.POST or None, rubric=current)
    if request.method == "POST" and form.is_valid():
        try:
            booth_services.rubric_save(expo=expo, by=request.user, **form.service_arguments())
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(
                request, _("The rubric was saved; scored applications were graded again.")
            )
            return redirect("manage:rubric", slug=expo.slug)
    return render(
        request,
        "manage/rubric.html",
        {**selectors.organiser_header(expo), "form": form, "rubric": current},
        status=400 if form.is_bound else 200,
    )


@require_POST
@organiser_required
def application_score(request: HttpRequest, application_id: int) -> HttpResponse:
    """Score an application on its expo's rubric; back to its review page."""
    found = selectors.application_for_review(application_id=application_id)
    if found is None:
        raise Http404
    expo = found.expo
    permissions.require(permissions.can_manage_office(request.user, expo.office_id))
    back = reverse("manage:application", args=[found.pk])
    rubric = selectors.application_rubric(application=found)
    form = ScoreForm(request.POST, rubric=rubric, auto_id="score-%s")
    if form.is_valid():
        try:
            scored = booth_services.application_score(
                application=found, by=request.user, values=form.cleaned_data
            )
        except Refused as error:
            return refuse(request, error, back)
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(
                request,
                _("Scored: %(score)s of 100, grade %(grade)s.")
                % {"score": scored.curation_score, "grade": scored.curation_grade},
            )
            return redirect(back)
    labels = {line.key: line.label for line in rubric.lines}
    for name, errors in form.errors.items():
        for error in errors:
            label = labels.get(name)
            messages.error(request, f"{label}: {error}" if label else error)
    return redirect(back)
