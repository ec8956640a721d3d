"""A meeting's room page and what comes after the meeting: who may open it, when it opens (in the
visitor's own time zone), the marks of each side and the vendor's outcome."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from booths.models import VendorMembership
from events.call import services
from events.matching.models import Meeting, MeetingStatus
from expo import permissions
from expo.models import AuditLogEntry
from tests.events.meetings import make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(make_expo, make_booth, make_user, make_organiser):
    booth = make_booth(make_expo("open"), name="Batik Sekar")
    vendor = make_user(name="Budi Vendor")
    VendorMembership.objects.create(vendor=booth.vendor, user=vendor)
    buyer = make_user(name="Emma Buyer", time_zone="Asia/Tokyo")
    other_booth = make_booth(booth.expo, name="Kopi Lain")
    other_vendor = make_user(name="Other Vendor")
    VendorMembership.objects.create(vendor=other_booth.vendor, user=other_vendor)
    for user in (vendor, other_vendor):
        permissions.forget(user)
    return {
        "booth": booth,
        "vendor": vendor,
        "buyer": buyer,
        "organiser": make_organiser(office=booth.expo.office, name="Sri Organiser"),
        "another buyer": make_user(name="Other Buyer"),
        "another vendor": other_vendor,
        "another office's organiser": make_organiser(name="Other Organiser"),
    }


def _meeting(scene, **kwargs) -> Meeting:
    return make_meeting(scene["booth"], buyer=scene["buyer"], vendor_user=scene["vendor"], **kwargs)


def _url(meeting: Meeting, name: str = "events:meeting_room") -> str:
    return reverse(name, args=[meeting.pk])


@pytest.mark.parametrize("who", ["buyer", "vendor", "organiser"])
def test_the_people_of_the_meeting_and_its_organisers_open_the_room(client, scene, who):
    meeting = _meeting(scene, external_link="https://meet.example.com/batik")
    client.force_login(scene[who])
    response = client.get(_url(meeting))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-room="meeting:{meeting.pk}"' in page
    assert 'data-testid="call"' in page and "frontend/js/call.js" in page
    # Where the browser cannot call, the vendor's own link.
    assert 'data-testid="external-link"' in page and "https://meet.example.com/batik" in page


@pytest.mark.parametrize("who", ["another buyer", "another vendor", "another office's organiser"])
def test_nobody_else_opens_the_room_or_learns_it_exists(client, scene, who):
    meeting = _meeting(scene)
    client.force_login(scene[who])
    assert client.get(_url(meeting)).status_code == 404
    assert client.get(reverse("events:meeting_room", args=[meeting.pk + 1000])).status_code == 404
    for name, data in (
        ("events:meeting_mark", {"mark": "held"}),
        ("events:meeting_outcome", {"outcome": "deal", "deal_value": "100"}),
    ):
        assert client.post(_url(meeting, name), data).status_code == 404
    meeting.refresh_from_db()
    assert (meeting.vendor_mark, meeting.buyer_mark, meeting.outcome) == ("", "", "")


def test_a_guest_is_sent_to_log_in(client, scene):
    meeting = _meeting(scene)
    response = client.get(_url(meeting))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(_url(meeting, "events:meeting_mark"), {"mark": "held"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_before_it_opens_the_room_says_when_in_the_visitors_own_time(client, scene, settings):
    settings.MEETING_ROOM_OPENS_MINUTES = 10
    jakarta = ZoneInfo("Asia/Jakarta")
    tomorrow = timezone.now().astimezone(jakarta).date() + timedelta(days=1)
    ten_wib = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 10, 0, tzinfo=jakarta)
    meeting = _meeting(scene, starts_in=ten_wib - timezone.now())
    client.force_login(scene["buyer"])  # an account in Tokyo
    page = client.get(_url(meeting)).content.decode()
    assert 'data-testid="room-waiting"' in page and 'data-testid="call"' not in page
    # The meeting at 10:00 WIB is 12:00 in Tokyo; the room opens ten minutes before.
    assert "12:00 JST" in page and "11:50 JST" in page
    client.force_login(scene["vendor"])  # in Jakarta
    page = client.get(_url(meeting)).content.decode()
    assert "10:00 WIB" in page and "09:50 WIB" in page


def test_a_meeting_not_confirmed_has_no_call(client, scene):
    meeting = _meeting(scene, status=MeetingStatus.REQUESTED)
    client.force_login(scene["buyer"])
    page = client.get(_url(meeting)).content.decode()
    assert 'data-testid="room-unavailable"' in page and 'data-testid="call"' not in page


def test_the_page_costs_the_same_queries_with_more_people(client, scene, make_user):
    small = _meeting(scene)
    colleague, interpreter = make_user(name="Colleague"), make_user(name="Interpreter")
    VendorMembership.objects.create(vendor=scene["booth"].vendor, user=colleague)
    full = _meeting(
        scene,
        starts_in=timedelta(hours=2),
        extra=((colleague, "vendor"), (interpreter, "buyer")),
    )
    client.force_login(scene["buyer"])
    client.get(_url(small))  # warm the session and caches
    counts = []
    for meeting in (small, full):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url(meeting)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- After the meeting ---------------------------------------------------------------------------


def test_marks_come_only_once_the_meeting_started_and_the_status_follows(client, scene):
    meeting = _meeting(scene, starts_in=timedelta(minutes=5))
    client.force_login(scene["buyer"])
    client.post(_url(meeting, "events:meeting_mark"), {"mark": "no_show"})
    meeting.refresh_from_db()
    assert meeting.buyer_mark == "" and meeting.status == MeetingStatus.CONFIRMED

    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - timedelta(minutes=31),
        ends_at=timezone.now() - timedelta(minutes=1),
    )
    response = client.post(_url(meeting, "events:meeting_mark"), {"mark": "no_show"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.buyer_mark == "no_show" and meeting.status == MeetingStatus.NO_SHOW
    # The vendor says it was held: the marks disagree, both are kept; held wins the status.
    client.force_login(scene["vendor"])
    client.post(_url(meeting, "events:meeting_mark"), {"mark": "held"})
    meeting.refresh_from_db()
    assert (meeting.vendor_mark, meeting.buyer_mark) == ("held", "no_show")
    assert meeting.status == MeetingStatus.HELD
    assert AuditLogEntry.objects.filter(action="events.meeting.marked").count() == 2
    # Bad input changes nothing.
    client.post(_url(meeting, "events:meeting_mark"), {"mark": "maybe"})
    meeting.refresh_from_db()
    assert meeting.vendor_mark == "held"


def test_organisers_watch_but_do_not_mark(scene):
    meeting = _meeting(scene, starts_in=timedelta(minutes=-5))
    with pytest.raises(services.Refused):
        services.meeting_mark(meeting=meeting, by=scene["organiser"], mark="held")


def test_the_vendor_records_a_deal_with_its_potential_value(client, scene):
    meeting = _meeting(scene, starts_in=timedelta(minutes=-40))
    client.force_login(scene["vendor"])
    response = client.post(
        _url(meeting, "events:meeting_outcome"), {"outcome": "deal", "deal_value": "Rp 12.500.000"}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.outcome == "deal" and meeting.deal_value == 12_500_000
    assert meeting.vendor_mark == "held" and meeting.status == MeetingStatus.HELD
    # Another outcome drops the value.
    client.post(_url(meeting, "events:meeting_outcome"), {"outcome": "sample_requested"})
    meeting.refresh_from_db()
    assert meeting.outcome == "sample_requested" and meeting.deal_value is None
    page = client.get(_url(meeting)).content.decode()
    assert 'data-testid="save-outcome"' in page


@pytest.mark.parametrize("value", ["", "0", "-5", "12,5 juta", "1e9", "９９"])
def test_a_deal_needs_a_whole_rupiah_value_and_bad_input_changes_nothing(client, scene, value):
    meeting = _meeting(scene, starts_in=timedelta(minutes=-40))
    client.force_login(scene["vendor"])
    response = client.post(
        _url(meeting, "events:meeting_outcome"),
        {"outcome": "deal", "deal_value": value},
        follow=True,
    )
    assert "whole rupiah" in response.content.decode()
    meeting.refresh_from_db()
    assert (meeting.outcome, meeting.deal_value, meeting.vendor_mark) == ("", None, "")


def test_only_the_vendor_records_the_outcome(client, scene):
    meeting = _meeting(scene, starts_in=timedelta(minutes=-40))
    client.force_login(scene["buyer"])
    client.post(_url(meeting, "events:meeting_outcome"), {"outcome": "deal", "deal_value": "100"})
    meeting.refresh_from_db()
    assert meeting.outcome == "" and meeting.deal_value is None
    # A vendor that said the buyer did not come cannot record an outcome without changing that.
    services.meeting_mark(meeting=meeting, by=scene["vendor"], mark="no_show")
    with pytest.raises(services.Refused):
        services.meeting_outcome_record(meeting=meeting, by=scene["vendor"], outcome="interested")
