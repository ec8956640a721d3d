"""Stages as actions: "Open applications", "Publish", "Open now" and "Close now" ask for confirmation
(GET), move the dates consistently when confirmed (POST, through expo.services.expo_take_stage),
write an audit entry, and are refused with a clear message (nothing changed) when the stage does not
allow them, and with 403 for anyone who does not run the expo's office."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from booths.models import VendorMembership
from expo import permissions, services, timebox
from expo.models import AuditLogEntry, Expo, ExpoState

pytestmark = pytest.mark.django_db

DATES = ("applications_open_at", "application_deadline", "opens_at", "closes_at", "published_at")


@pytest.fixture
def organiser(make_organiser):
    return make_organiser(name="Sri Organiser")


@pytest.fixture
def expo_in(make_expo, organiser):
    def build(state: str) -> Expo:
        return make_expo(state, office=organiser.offices.get())

    return build


def _url(expo: Expo, stage: str) -> str:
    return reverse("manage:expo_stage", args=[expo.slug, stage])


def _dates(expo: Expo) -> dict:
    return Expo.objects.values(*DATES).get(pk=expo.pk)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def _follow(client, url, data=None):
    return client.post(url, data or {}, follow=True)


# --- Each action ----------------------------------------------------------------------------------


def test_open_applications_asks_first_then_opens_them_now(client, organiser, expo_in):
    expo = expo_in("draft")
    before = _dates(expo)
    client.force_login(organiser)
    page = client.get(_url(expo, "open-applications"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="stage-confirm"' in html and 'data-field="applications_open_at"' in html
    assert _dates(expo) == before  # asking changes nothing

    start = timezone.now()
    response = _follow(client, _url(expo, "open-applications"))
    assert response.redirect_chain[-1][0] == reverse("manage:expo_overview", args=[expo.slug])
    assert "Applications are open" in " ".join(_messages(response))
    expo.refresh_from_db()
    assert start <= expo.applications_open_at <= timezone.now()
    assert (expo.application_deadline, expo.opens_at, expo.closes_at) == (
        before["application_deadline"],
        before["opens_at"],
        before["closes_at"],
    )
    assert expo.state == ExpoState.ACCEPTING
    entry = AuditLogEntry.objects.get(action="expo.expo.applications_opened")
    assert entry.user == organiser and entry.expo_id == expo.pk
    assert (
        entry.data["changed"]["applications_open_at"][0]
        == before["applications_open_at"].isoformat()
    )


def test_publishing_early_keeps_applications_open(client, organiser, expo_in):
    expo = expo_in("accepting")
    before = _dates(expo)
    assert not timebox.allows(expo, timebox.Action.VIEW_HALL)
    client.force_login(organiser)
    html = client.get(_url(expo, "publish")).content.decode()
    assert (
        'name="close_applications"' in html
        and "checked" not in html.split("close_applications")[1][:80]
    )

    _follow(client, _url(expo, "publish"))
    expo.refresh_from_db()
    assert expo.published_at is not None
    # The deadline did not move: businesses can still apply, and the hall is public.
    assert expo.application_deadline == before["application_deadline"]
    assert expo.state == ExpoState.ACCEPTING
    assert timebox.allows(expo, timebox.Action.APPLY)
    assert timebox.allows(expo, timebox.Action.VIEW_HALL)
    client.logout()
    assert client.get(reverse("booths:hall", args=[expo.slug])).status_code == 200
    entry = AuditLogEntry.objects.get(action="expo.expo.published")
    assert entry.data["close_applications"] is False
    assert set(entry.data["changed"]) == {"published_at"}


def test_publishing_closes_applications_only_when_asked(client, organiser, expo_in):
    expo = expo_in("accepting")
    client.force_login(organiser)
    _follow(client, _url(expo, "publish"), {"close_applications": "on"})
    expo.refresh_from_db()
    assert expo.application_deadline == expo.published_at
    assert expo.state == ExpoState.PUBLISHED
    assert not timebox.allows(expo, timebox.Action.APPLY)
    assert AuditLogEntry.objects.get(action="expo.expo.published").data["close_applications"]


def test_open_now_from_published_moves_only_the_opening(client, organiser, expo_in):
    expo = expo_in("published")
    before = _dates(expo)
    client.force_login(organiser)
    _follow(client, _url(expo, "open"))
    expo.refresh_from_db()
    assert expo.state == ExpoState.OPEN
    assert expo.opens_at <= timezone.now()
    assert expo.application_deadline == before["application_deadline"]
    assert expo.closes_at == before["closes_at"]
    assert timebox.allows(expo, timebox.Action.BUY)
    assert AuditLogEntry.objects.filter(action="expo.expo.opened").count() == 1


def test_open_now_while_accepting_ends_applications_too(client, organiser, expo_in):
    expo = expo_in("accepting")
    client.force_login(organiser)
    page = client.get(_url(expo, "open")).content.decode()
    assert 'data-field="application_deadline"' in page  # the confirmation says so
    _follow(client, _url(expo, "open"))
    expo.refresh_from_db()
    assert expo.state == ExpoState.OPEN
    assert expo.application_deadline == expo.opens_at
    assert expo.applications_open_at < expo.application_deadline <= expo.opens_at < expo.closes_at


def test_close_now_ends_the_expo(client, organiser, expo_in):
    expo = expo_in("open")
    client.force_login(organiser)
    response = _follow(client, _url(expo, "close"))
    assert "closed" in " ".join(_messages(response))
    expo.refresh_from_db()
    assert expo.state == ExpoState.CLOSED
    assert not timebox.allows(expo, timebox.Action.BUY)
    assert AuditLogEntry.objects.filter(action="expo.expo.closed").count() == 1


# --- Refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "stage", "message"),
    [
        ("accepting", "open-applications", "Applications are already open."),
        ("published", "open-applications", "The application period is over"),
        ("draft", "publish", "Open applications first"),
        ("published", "publish", "The hall is already public."),
        ("closed", "publish", "This expo has closed."),
        ("draft", "open", "Open applications first"),
        ("open", "open", "The expo is already open."),
        ("closed", "open", "it cannot open again"),
        ("accepting", "close", "The expo has not opened yet"),
        ("published", "close", "The expo has not opened yet"),
        ("closed", "close", "The expo is already closed."),
    ],
)
def test_a_stage_that_is_not_allowed_is_refused_and_changes_nothing(
    client, organiser, expo_in, state, stage, message
):
    expo = expo_in(state)
    before = _dates(expo)
    client.force_login(organiser)
    for response in (
        client.get(_url(expo, stage), follow=True),
        _follow(client, _url(expo, stage)),
    ):
        assert response.redirect_chain[-1][0] == reverse("manage:expo_overview", args=[expo.slug])
        assert message in " ".join(_messages(response))
    assert _dates(expo) == before
    assert not AuditLogEntry.objects.filter(object_type="expo.expo").exists()
    with pytest.raises(timebox.StageRefused) as refused:
        services.expo_take_stage(expo=expo, by=organiser, stage=stage)
    assert refused.value.code == "expo_stage"


def test_publishing_twice_is_refused(client, organiser, expo_in):
    expo = expo_in("accepting")
    services.expo_take_stage(expo=expo, by=organiser, stage="publish")
    client.force_login(organiser)
    response = _follow(client, _url(expo, "publish"))
    assert "The hall is already public." in " ".join(_messages(response))
    assert AuditLogEntry.objects.filter(action="expo.expo.published").count() == 1


# --- Who may ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["open-applications", "publish", "open", "close"])
def test_another_offices_organiser_may_not(client, make_organiser, expo_in, stage):
    state = {"open-applications": "draft", "publish": "accepting", "open": "published"}.get(
        stage, "open"
    )
    expo = expo_in(state)
    before = _dates(expo)
    stranger = make_organiser(name="Other Office")
    client.force_login(stranger)
    assert client.get(_url(expo, stage)).status_code == 403
    assert client.post(_url(expo, stage)).status_code == 403
    assert _dates(expo) == before
    with pytest.raises(PermissionDenied):
        services.expo_take_stage(expo=expo, by=stranger, stage=stage)
    assert _dates(expo) == before


def test_a_vendor_may_not(client, make_user, make_booth, expo_in):
    expo = expo_in("open")
    booth = make_booth(expo)
    vendor_user = make_user()
    VendorMembership.objects.create(vendor=booth.vendor, user=vendor_user, role="owner")
    permissions.forget(vendor_user)
    before = _dates(expo)
    client.force_login(vendor_user)
    assert client.get(_url(expo, "close")).status_code == 403
    assert client.post(_url(expo, "close")).status_code == 403
    assert _dates(expo) == before


def test_signed_out_visitors_are_sent_to_log_in(client, expo_in):
    expo = expo_in("open")
    response = client.post(_url(expo, "close"))
    assert response.status_code == 302 and "login" in response["Location"]
    assert Expo.objects.get(pk=expo.pk).state == ExpoState.OPEN


def test_a_platform_admin_may(client, admin_user, expo_in):
    expo = expo_in("open")
    client.force_login(admin_user)
    _follow(client, _url(expo, "close"))
    assert Expo.objects.get(pk=expo.pk).state == ExpoState.CLOSED


# --- The overview ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "offered"),
    [
        ("draft", {"open-applications"}),
        ("accepting", {"publish", "open"}),
        ("published", {"open"}),
        # The mall follows closing: it may be set once the expo is open (its own page, a date).
        ("open", {"close", "mall"}),
        ("closed", {"mall"}),
    ],
)
def test_the_overview_shows_the_timeline_with_the_actions_allowed_now(
    client, organiser, expo_in, state, offered
):
    expo = expo_in(state)
    client.force_login(organiser)
    response = client.get(reverse("manage:expo_overview", args=[expo.slug]))
    html = response.content.decode()
    for stage in ("open-applications", "publish", "open", "close"):
        shown = f'data-testid="stage-{stage}"' in html
        assert shown == (stage in offered), stage
        if shown:
            assert _url(expo, stage) in html
    actions = {step.action for step in response.context["timeline"] if step.action}
    assert actions == offered


def test_a_hall_published_early_shows_both_stages_current(client, organiser, expo_in):
    expo = expo_in("accepting")
    services.expo_take_stage(expo=expo, by=organiser, stage="publish")
    client.force_login(organiser)
    response = client.get(reverse("manage:expo_overview", args=[expo.slug]))
    steps = {step.state: step.status for step in response.context["timeline"]}
    assert steps == {
        "draft": "done",
        "accepting": "current",
        "published": "current",
        "open": "next",
        "closed": "next",
        "mall": "next",
    }


def test_an_edited_deadline_before_an_early_publication_still_governs(organiser, expo_in):
    """The hall is public from the earlier of the publication and the deadline."""
    expo = expo_in("accepting")
    Expo.objects.filter(pk=expo.pk).update(published_at=timezone.now() + timedelta(days=30))
    expo.refresh_from_db()
    assert expo.publishes_at == expo.application_deadline
    assert not timebox.allows(expo, timebox.Action.VIEW_HALL)


def test_a_publication_the_edited_dates_leave_before_applications_no_longer_counts(
    organiser, expo_in
):
    """Published early, then the organiser moves the whole time box later: the hall is not public
    before applications open again."""
    expo = expo_in("accepting")
    services.expo_take_stage(expo=expo, by=organiser, stage="publish")
    later = timezone.now() + timedelta(days=3)
    services.expo_update(
        expo=expo,
        by=organiser,
        applications_open_at=later,
        application_deadline=later + timedelta(days=5),
        opens_at=later + timedelta(days=7),
        closes_at=later + timedelta(days=9),
    )
    expo.refresh_from_db()
    assert expo.state == ExpoState.DRAFT
    assert not timebox.allows(expo, timebox.Action.VIEW_HALL)
