"""Reads of the organiser workspace that are its own: the offices an account may create expos for,
an expo's lifecycle as the overview's timeline, its sectors, and what the application page shows
beside the application. The shared reads (the header, lists, figures, the curation queue) are
``booths.selectors``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy

from booths.models import ApplicationPhoto, BoothApplication
from expo import permissions, timebox
from expo.models import Expo, ExpoState, Office, Sector

# The lifecycle as the overview's timeline shows it: state, label, the stage action that starts it.
TIMELINE = (
    (ExpoState.DRAFT, gettext_lazy("Draft"), None),
    (ExpoState.ACCEPTING, gettext_lazy("Accepting applications"), timebox.Stage.OPEN_APPLICATIONS),
    (ExpoState.PUBLISHED, gettext_lazy("Published"), timebox.Stage.PUBLISH),
    (ExpoState.OPEN, gettext_lazy("Open"), timebox.Stage.OPEN),
    (ExpoState.CLOSED, gettext_lazy("Closed"), timebox.Stage.CLOSE),
    (ExpoState.MALL, gettext_lazy("Mall"), timebox.Stage.MALL),
)


def managed_offices(*, user: Any) -> list[Office]:
    """The offices this account may create expos for (a platform admin: all of them)."""
    if permissions.is_platform_admin(user):
        return list(Office.objects.order_by("name"))
    return list(
        Office.objects.filter(pk__in=permissions.organiser_office_ids(user)).order_by("name")
    )


@dataclass(frozen=True)
class TimelineStep:
    """One stage of the expo's lifecycle on the overview. Stages may overlap: a hall published early
    is public while applications are still open, so both are current."""

    state: ExpoState
    label: str
    starts_at: datetime
    ends_at: datetime | None
    status: str  # "done", "current" or "next"
    action: timebox.Stage | None  # the action that starts this stage now, when it is allowed


def _stage_spans(expo: Expo) -> dict[ExpoState, tuple[datetime, datetime | None]]:
    return {
        ExpoState.DRAFT: (expo.created_at, expo.applications_open_at),
        ExpoState.ACCEPTING: (expo.applications_open_at, expo.application_deadline),
        ExpoState.PUBLISHED: (expo.publishes_at, expo.opens_at),
        ExpoState.OPEN: (expo.opens_at, expo.closes_at),
        ExpoState.CLOSED: (expo.closes_at, None),
        ExpoState.MALL: (expo.closes_at, expo.mall_until),
    }


def expo_timeline(*, expo: Expo, now: datetime) -> list[TimelineStep]:
    """The expo's stages, each done, current or next at ``now``, with when it starts and ends and
    the stage action the organiser may take now to start it."""
    spans = _stage_spans(expo)
    steps = []
    for state, label, stage in TIMELINE:
        starts_at, ends_at = spans[state]
        if state == ExpoState.MALL and ends_at is None:
            status = "next"  # no mall (yet): the organiser may open one
        elif ends_at is not None and ends_at <= now:
            status = "done"
        elif starts_at <= now:
            status = "current"
        else:
            status = "next"
        allowed = stage is not None and timebox.stage_allows(expo, stage, now)
        steps.append(
            TimelineStep(
                state=state,
                label=str(label),
                starts_at=starts_at,
                ends_at=ends_at,
                status=status,
                action=stage if allowed else None,
            )
        )
    return steps


@dataclass(frozen=True)
class DateChange:
    """A date a stage action moves: its label, the value now and the value after."""

    name: str
    label: str
    before: datetime | None
    after: datetime


def stage_preview(*, expo: Expo, stage: timebox.Stage, now: datetime) -> list[DateChange]:
    """The dates ``stage`` would move if taken at ``now`` (with "Publish", those it always moves;
    closing applications as well is shown by the confirmation page). Raises
    ``timebox.StageRefused`` when the stage is not allowed."""
    plan = timebox.stage_plan(expo, stage, now)
    return [
        DateChange(
            name=name,
            label=str(Expo._meta.get_field(name).verbose_name),
            before=getattr(expo, name),
            after=value,
        )
        for name, value in plan.items()
    ]


def expo_sectors(*, expo: Expo) -> list[Sector]:
    """The sectors the expo is open to."""
    return list(expo.sectors.all())


def expo_booth_count(*, expo: Expo) -> int:
    """How many booths the expo has (against its quota)."""
    return expo.booths.count()


def application_photos(*, application: BoothApplication) -> list[ApplicationPhoto]:
    """The product photos sent with an application, in their order."""
    return list(application.photos.all())
