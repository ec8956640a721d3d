"""What each expo state allows. Every view, consumer and service asks :func:`require` — the one rule
table — so a stale page, a replayed request or a socket opened earlier cannot act out of time."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from expo.models import Expo, ExpoState
from expo.refusals import Refused


class Action(models.TextChoices):
    APPLY = "apply", _("apply for a booth")
    CURATE = "curate", _("curate applications")
    EDIT_CATALOGUE = "edit_catalogue", _("edit booths and products")
    VIEW_HALL = "view_hall", _("visit the hall")
    BUY = "buy", _("buy")
    CHAT = "chat", _("chat")


RULES: dict[Action, frozenset[ExpoState]] = {
    Action.APPLY: frozenset({ExpoState.ACCEPTING}),
    Action.CURATE: frozenset({ExpoState.ACCEPTING, ExpoState.PUBLISHED, ExpoState.OPEN}),
    Action.EDIT_CATALOGUE: frozenset({ExpoState.ACCEPTING, ExpoState.PUBLISHED, ExpoState.OPEN}),
    Action.VIEW_HALL: frozenset({ExpoState.PUBLISHED, ExpoState.OPEN, ExpoState.CLOSED}),
    Action.BUY: frozenset({ExpoState.OPEN}),
    Action.CHAT: frozenset({ExpoState.OPEN}),
}

MESSAGES = {
    ExpoState.DRAFT: _("This expo has not been announced yet."),
    ExpoState.ACCEPTING: _("This expo is still accepting applications; it has not opened yet."),
    ExpoState.PUBLISHED: _("This expo has not opened yet."),
    ExpoState.OPEN: _("This is not possible while the expo is open."),
    ExpoState.CLOSED: _("This expo has closed."),
}


class ExpoStateError(Refused):
    """The expo's current state does not allow the action; ``message`` says why, translated."""

    default_code = "expo_state"

    def __init__(self, expo: Expo, action: Action, state: ExpoState) -> None:
        self.expo = expo
        self.action = action
        self.state = state
        message = MESSAGES[state]
        if action == Action.APPLY and state != ExpoState.DRAFT:
            message = _("Applications for this expo are closed.")
        super().__init__(message)


def allows(expo: Expo, action: Action, at: datetime | None = None) -> bool:
    return expo.state_at(at or timezone.now()) in RULES[action]


def require(expo: Expo, action: Action, at: datetime | None = None) -> None:
    state = expo.state_at(at or timezone.now())
    if state not in RULES[action]:
        raise ExpoStateError(expo, action, state)
