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
from expo import permissions
from expo.models import Expo, ExpoState, Office, Sector

# The lifecycle as the overview's timeline shows it: state, label, the moment it starts.
TIMELINE = (
    (ExpoState.DRAFT, gettext_lazy("Draft"), None),
    (ExpoState.ACCEPTING, gettext_lazy("Accepting applications"), "applications_open_at"),
    (ExpoState.PUBLISHED, gettext_lazy("Published"), "application_deadline"),
    (ExpoState.OPEN, gettext_lazy("Open"), "opens_at"),
    (ExpoState.CLOSED, gettext_lazy("Closed"), "closes_at"),
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
    """One stage of the expo's lifecycle on the overview."""

    state: ExpoState
    label: str
    starts_at: datetime
    status: str  # "done", "current" or "next"


def expo_timeline(*, expo: Expo, now: datetime) -> list[TimelineStep]:
    """The expo's stages, each done, current or next at ``now``, with the moment it starts."""
    current = expo.state_at(now)
    order = [state for state, _label, _field in TIMELINE]
    steps = []
    for state, label, field in TIMELINE:
        position, here = order.index(state), order.index(current)
        status = "current" if position == here else ("done" if position < here else "next")
        steps.append(
            TimelineStep(
                state=state,
                label=str(label),
                starts_at=getattr(expo, field) if field else expo.created_at,
                status=status,
            )
        )
    return steps


def expo_sectors(*, expo: Expo) -> list[Sector]:
    """The sectors the expo is open to."""
    return list(expo.sectors.all())


def expo_booth_count(*, expo: Expo) -> int:
    """How many booths the expo has (against its quota)."""
    return expo.booths.count()


def application_photos(*, application: BoothApplication) -> list[ApplicationPhoto]:
    """The product photos sent with an application, in their order."""
    return list(application.photos.all())
