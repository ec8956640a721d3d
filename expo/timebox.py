"""What each expo state allows. Every view, consumer and service asks :func:`require` — the one rule
table — so a stale page, a replayed request or a socket opened earlier cannot act out of time."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from expo.models import Expo, ExpoState
from expo.refusals import Refused


class Action(models.TextChoices):
    APPLY = "apply", _("apply for a booth")
    CURATE = "curate", _("curate applications")
    EDIT_CATALOGUE = "edit_catalogue", _("edit booths and products")
    VIEW_HALL = "view_hall", _("visit the hall")
    BUY = "buy", _("buy")
    CHAT = "chat", _("chat")
    # Private questions to a vendor (inquiries): live chat's quiet successor once the expo closed.
    ASK = "ask", _("ask a question")
    # A vendor records a sale made at its physical stand (hybrid expos): while the expo is open.
    SELL_AT_STAND = "sell_at_stand", _("record a sale at the stand")


RULES: dict[Action, frozenset[ExpoState]] = {
    Action.APPLY: frozenset({ExpoState.ACCEPTING}),
    Action.CURATE: frozenset({ExpoState.ACCEPTING, ExpoState.PUBLISHED, ExpoState.OPEN}),
    Action.EDIT_CATALOGUE: frozenset({ExpoState.ACCEPTING, ExpoState.PUBLISHED, ExpoState.OPEN}),
    Action.VIEW_HALL: frozenset(
        {ExpoState.PUBLISHED, ExpoState.OPEN, ExpoState.CLOSED, ExpoState.MALL}
    ),
    # The mall after closing: the catalogue still sells (channel "mall") and buyers may still ask
    # a vendor privately, but the live chat has ended.
    Action.BUY: frozenset({ExpoState.OPEN, ExpoState.MALL}),
    Action.CHAT: frozenset({ExpoState.OPEN}),
    Action.ASK: frozenset({ExpoState.OPEN, ExpoState.MALL}),
    Action.SELL_AT_STAND: frozenset({ExpoState.OPEN}),
}

MESSAGES = {
    ExpoState.DRAFT: _("This expo has not been announced yet."),
    ExpoState.ACCEPTING: _("This expo is still accepting applications; it has not opened yet."),
    ExpoState.PUBLISHED: _("This expo has not opened yet."),
    ExpoState.OPEN: _("This is not possible while the expo is open."),
    ExpoState.CLOSED: _("This expo has closed."),
    ExpoState.MALL: _("This expo has ended; its catalogue is open as a mall."),
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


def _allowed(expo: Expo, action: Action, moment: datetime) -> bool:
    if action == Action.VIEW_HALL:
        # Published early (the organiser's "Publish"), the hall is public while applications are
        # still open; otherwise from the deadline on, as the states above say.
        return moment >= expo.publishes_at
    return expo.state_at(moment) in RULES[action]


def talk_action(room_kind: str) -> Action:
    """What sending in a room of ``room_kind`` needs: a private question (an inquiry) is still
    allowed in the mall, where the live rooms (booth chat, sessions) have ended."""
    return Action.ASK if room_kind == "inquiry" else Action.CHAT


def allows(expo: Expo, action: Action, at: datetime | None = None) -> bool:
    return _allowed(expo, action, at or timezone.now())


def require(expo: Expo, action: Action, at: datetime | None = None) -> None:
    moment = at or timezone.now()
    if not _allowed(expo, action, moment):
        raise ExpoStateError(expo, action, expo.state_at(moment))


# --- Stage actions: what the organiser's "Open applications", "Publish", "Open now" and "Close now"
# set, and when each is refused. The dates stay the only truth; an action moves them to now.


class Stage(models.TextChoices):
    # A context of their own: "Open now" is also the hall's label for an expo that is open.
    OPEN_APPLICATIONS = "open-applications", pgettext_lazy("stage action", "Open applications")
    PUBLISH = "publish", pgettext_lazy("stage action", "Publish")
    OPEN = "open", pgettext_lazy("stage action", "Open now")
    CLOSE = "close", pgettext_lazy("stage action", "Close now")
    # After "close": the catalogue stays open as a mall until a date the organiser picks.
    MALL = "mall", pgettext_lazy("stage action", "Open the mall")
    END_MALL = "end-mall", pgettext_lazy("stage action", "Close the mall now")


class StageRefused(Refused):
    """A stage action the expo's current stage does not allow; ``message`` says why."""

    default_code = "expo_stage"


def _stage_refusal(expo: Expo, stage: Stage, at: datetime) -> str | None:
    """Why ``stage`` cannot be taken at ``at``, or None when it can."""
    state = expo.state_at(at)
    if stage in (Stage.MALL, Stage.END_MALL):
        return _mall_refusal(expo, stage, state)
    if stage == Stage.OPEN_APPLICATIONS:
        if state == ExpoState.DRAFT:
            return None
        if state == ExpoState.ACCEPTING:
            return _("Applications are already open.")
        return _("The application period is over; it cannot open again.")
    if stage == Stage.PUBLISH:
        if state == ExpoState.DRAFT:
            return _("Open applications first: the hall is published once businesses can apply.")
        if state in (ExpoState.CLOSED, ExpoState.MALL):
            return _("This expo has closed.")
        if at >= expo.publishes_at:
            return _("The hall is already public.")
        return None
    if stage == Stage.OPEN:
        if state in (ExpoState.ACCEPTING, ExpoState.PUBLISHED):
            return None
        if state == ExpoState.DRAFT:
            return _("Open applications first: an expo opens after businesses could apply.")
        if state == ExpoState.OPEN:
            return _("The expo is already open.")
        return _("This expo has closed; it cannot open again.")
    if state == ExpoState.OPEN:
        return None
    if state in (ExpoState.CLOSED, ExpoState.MALL):
        return _("The expo is already closed.")
    return _("The expo has not opened yet; only an open expo can close.")


def _mall_refusal(expo: Expo, stage: Stage, state: ExpoState) -> str | None:
    """The mall follows closing: it may be set (or moved) once the expo is open, and ended while
    it runs. Its date itself is checked by :func:`mall_plan`."""
    if stage == Stage.END_MALL:
        if state == ExpoState.MALL:
            return None
        return _("The mall is not open.")
    if state in (ExpoState.OPEN, ExpoState.CLOSED, ExpoState.MALL):
        return None
    return _("The mall follows the expo: open the expo first.")


def mall_plan(expo: Expo, at: datetime, *, until: datetime | None) -> dict[str, datetime]:
    """The dates the mall's stages set at ``at``: "Open the mall" keeps the catalogue open until
    ``until`` (after closing, and in the future); "Close the mall now" (``until`` None) ends it now.
    Raises :class:`StageRefused`."""
    stage = Stage.END_MALL if until is None else Stage.MALL
    refusal = _stage_refusal(expo, stage, at)
    if refusal is not None:
        raise StageRefused(refusal)
    if until is None:
        return {"mall_until": at}
    if until <= expo.closes_at:
        raise StageRefused(_("The mall opens when the expo closes: choose a later date."))
    if until <= at:
        raise StageRefused(_("Choose a date in the future."))
    return {"mall_until": until}


def stage_allows(expo: Expo, stage: Stage, at: datetime | None = None) -> bool:
    return _stage_refusal(expo, stage, at or timezone.now()) is None


def stage_plan(
    expo: Expo, stage: Stage, at: datetime, *, close_applications: bool = False
) -> dict[str, datetime]:
    """The dates ``stage`` taken at ``at`` sets (field name → new value), keeping them in order:
    opening applications sets their start; publishing sets when the hall is public and, only when
    asked (``close_applications``), ends applications too; opening now ends applications that are
    still open (an open expo takes no applications); closing now sets the end. Raises
    :class:`StageRefused` when the stage does not allow it."""
    refusal = _stage_refusal(expo, stage, at)
    if refusal is not None:
        raise StageRefused(refusal)
    if stage == Stage.OPEN_APPLICATIONS:
        return {"applications_open_at": at}
    if stage == Stage.PUBLISH:
        if close_applications:
            return {"published_at": at, "application_deadline": at}
        return {"published_at": at}
    if stage == Stage.OPEN:
        changes = {"opens_at": at}
        if at < expo.application_deadline:
            changes["application_deadline"] = at
        return changes
    return {"closes_at": at}
