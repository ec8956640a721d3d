"""Each lifecycle state and what it allows, with the clock moved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from expo import timebox
from expo.models import Expo, ExpoState
from expo.timebox import Action


def build_expo(office, *, start=None) -> Expo:
    start = start or timezone.now()
    return Expo.objects.create(
        office=office,
        slug="uvo",
        title_en="UKM Virtual Expo",
        title_id="UKM Virtual Expo",
        applications_open_at=start + timedelta(days=1),
        application_deadline=start + timedelta(days=10),
        opens_at=start + timedelta(days=12),
        closes_at=start + timedelta(days=15),
    )


EXPECTED = {
    # moment (days after creation) → state, and the actions allowed then
    0: (ExpoState.DRAFT, set()),
    2: (ExpoState.ACCEPTING, {Action.APPLY, Action.CURATE, Action.EDIT_CATALOGUE}),
    11: (ExpoState.PUBLISHED, {Action.CURATE, Action.EDIT_CATALOGUE, Action.VIEW_HALL}),
    13: (
        ExpoState.OPEN,
        {
            Action.CURATE,
            Action.EDIT_CATALOGUE,
            Action.VIEW_HALL,
            Action.BUY,
            Action.CHAT,
            Action.ASK,
            Action.SELL_AT_STAND,
        },
    ),
    16: (ExpoState.CLOSED, {Action.VIEW_HALL}),
}


@pytest.mark.django_db
@pytest.mark.parametrize("day", sorted(EXPECTED))
def test_state_and_rules_follow_the_clock(make_office, day):
    start = timezone.now()
    expo = build_expo(make_office(), start=start)
    moment = start + timedelta(days=day)
    state, allowed = EXPECTED[day]
    assert expo.state_at(moment) == state
    for action in Action:
        assert timebox.allows(expo, action, at=moment) is (action in allowed), action
        if action in allowed:
            timebox.require(expo, action, at=moment)
        else:
            with pytest.raises(timebox.ExpoStateError) as refused:
                timebox.require(expo, action, at=moment)
            assert refused.value.state == state
            assert str(refused.value.message)


@pytest.mark.django_db
def test_boundaries_are_exact(make_office):
    expo = build_expo(make_office())
    second = timedelta(seconds=1)
    assert expo.state_at(expo.opens_at - second) == ExpoState.PUBLISHED
    assert expo.state_at(expo.opens_at) == ExpoState.OPEN
    assert expo.state_at(expo.closes_at - second) == ExpoState.OPEN
    # After closing time nothing can be bought, whatever page the buyer still has open.
    assert expo.state_at(expo.closes_at) == ExpoState.CLOSED
    assert not timebox.allows(expo, Action.BUY, at=expo.closes_at)


@pytest.mark.django_db
def test_closed_messages_are_translated(make_office):
    from django.utils import translation

    expo = build_expo(make_office())
    with translation.override("id"), pytest.raises(timebox.ExpoStateError) as refused:
        timebox.require(expo, Action.BUY, at=expo.closes_at)
    with translation.override("id"):
        assert str(refused.value.message) == "Expo ini sudah ditutup."


@pytest.mark.django_db
def test_database_refuses_a_time_box_out_of_order(make_office):
    from django.db import IntegrityError

    start = timezone.now()
    with pytest.raises(IntegrityError):
        Expo.objects.create(
            office=make_office(),
            slug="bad",
            title_en="Bad",
            title_id="Buruk",
            applications_open_at=start,
            application_deadline=start + timedelta(days=2),
            opens_at=start + timedelta(days=1),
            closes_at=start + timedelta(days=3),
        )


@pytest.mark.django_db
def test_expo_create_validates_the_time_box_and_the_office(make_office, make_organiser, make_user):
    from django.core.exceptions import PermissionDenied, ValidationError

    from expo import services

    office, other = make_office(), make_office()
    organiser = make_organiser(office=office)
    start = timezone.now()
    fields = dict(
        slug="uvo-3",
        title_en="UVO III",
        title_id="UVO III",
        applications_open_at=start,
        application_deadline=start + timedelta(days=5),
        opens_at=start + timedelta(days=6),
        closes_at=start + timedelta(days=9),
    )
    with pytest.raises(PermissionDenied):
        services.expo_create(office=other, by=organiser, **fields)
    with pytest.raises(PermissionDenied):
        services.expo_create(office=office, by=make_user(), **fields)
    with pytest.raises(ValidationError) as bad:
        services.expo_create(
            office=office, by=organiser, **{**fields, "closes_at": fields["opens_at"]}
        )
    assert "closes_at" in bad.value.message_dict
    assert not Expo.objects.exists()
    expo = services.expo_create(office=office, by=organiser, **fields)
    assert expo.state == ExpoState.ACCEPTING
