"""The live side's pages through the test client: permission boundaries, the booth page's chat shell
(the same for everyone, so it can be cached), inquiries and the inbox, the agenda in the visitor's
time zone, the vendor's schedule — and query counts that do not grow with the data."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from booths import visits
from booths.models import VendorMembership
from events import rooms, services
from events.models import ChatMessage, Inquiry, LiveSession, SessionReminder
from expo import permissions
from tests.conftest import move_to


def _member(make_user, vendor, **extra):
    user = make_user(**extra)
    VendorMembership.objects.create(vendor=vendor, user=user)
    permissions.forget(user)
    return user


def _session(booth, *, hours_from_now: float = 2, stream_url="https://youtu.be/dQw4w9WgXcQ"):
    start = timezone.now() + timedelta(hours=hours_from_now)
    return LiveSession.objects.create(
        booth=booth,
        title_en="Batik demo",
        title_id="Demo batik",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        stream_url=stream_url,
    )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def _say(inquiry, user, body):
    return services.message_send(room=rooms.parse(inquiry.room), body=body, by=user)


# --- The booth page --------------------------------------------------------------------------------


def test_the_booth_page_has_a_chat_shell_without_personal_data(client, booth, buyer, team_member):
    url = reverse("booths:booth", args=[booth.expo.slug, booth.slug])
    anonymous = client.get(url).content.decode()
    client.force_login(buyer)
    as_buyer = client.get(url).content.decode()

    for html in (anonymous, as_buyer):
        assert f'data-room="booth:{booth.pk}"' in html
        assert reverse("events:ask", args=[booth.expo.slug, booth.slug]) in html
        assert "frontend/js/chat.js" in html
        assert "frontend/css/live.css" in html
    visits.flush()  # the page counted its visits; write them while the booth exists
    shell = as_buyer[
        as_buyer.index("data-chat ") : as_buyer.index("</section>", as_buyer.index("data-chat "))
    ]
    assert buyer.email not in shell and "Ayu" not in shell
    assert shell in anonymous  # the very same markup: safe in the shared caches


# --- Inquiries -------------------------------------------------------------------------------------


def test_asking_opens_one_thread_and_sends_the_first_message(client, booth, buyer, team_member):
    url = reverse("events:ask", args=[booth.expo.slug, booth.slug])
    assert client.get(url).status_code == 302  # log in first
    client.force_login(buyer)
    assert client.get(url).status_code == 200

    response = client.post(url, {"body": "Ship to Perth?"})

    inquiry = Inquiry.objects.get()
    assert response.url == reverse("events:inquiry", args=[inquiry.pk])
    assert ChatMessage.objects.get().body == "Ship to Perth?"
    # Asking again goes to the same thread.
    assert client.get(url).url == reverse("events:inquiry", args=[inquiry.pk])
    page = client.get(reverse("events:inquiry", args=[inquiry.pk])).content.decode()
    assert f'data-room="inquiry:{inquiry.pk}"' in page
    assert "Ship to Perth?" in page


def test_asking_is_refused_with_a_message_when_the_expo_closed(client, booth, buyer):
    move_to(booth.expo, "closed")
    client.force_login(buyer)
    url = reverse("events:ask", args=[booth.expo.slug, booth.slug])

    response = client.post(url, {"body": "Hello?"})

    assert response.status_code == 200
    assert "closed" in response.content.decode()
    assert not Inquiry.objects.exists()


def test_a_buyer_sees_only_their_own_threads(client, booth, buyer, make_user):
    mine = Inquiry.objects.create(booth=booth, buyer=buyer)
    other = Inquiry.objects.create(booth=booth, buyer=make_user())
    client.force_login(buyer)

    assert client.get(reverse("events:inquiry", args=[mine.pk])).status_code == 200
    assert client.get(reverse("events:inquiry", args=[other.pk])).status_code == 404
    listing = client.get(reverse("events:inquiries")).content.decode()
    assert reverse("events:inquiry", args=[mine.pk]) in listing
    assert reverse("events:inquiry", args=[other.pk]) not in listing


def test_the_inbox_counts_unread_per_member(client, booth, buyer, team_member, make_user):
    colleague = _member(make_user, booth.vendor)
    inquiry = Inquiry.objects.create(booth=booth, buyer=buyer)
    _say(inquiry, buyer, "one")
    _say(inquiry, buyer, "two")
    inbox = reverse("events:vendor_inbox", args=[booth.vendor.slug])
    thread = reverse("events:vendor_inquiry", args=[booth.vendor.slug, inquiry.pk])

    client.force_login(team_member)
    assert client.get(inbox).context["unread"] == 2
    client.get(thread)  # reading it marks it read for this member only
    assert client.get(inbox).context["unread"] == 0
    _say(inquiry, team_member, "answer")  # the team's own messages are not unread for them
    assert client.get(inbox).context["unread"] == 0
    client.force_login(colleague)
    assert client.get(inbox).context["unread"] == 2
    client.force_login(buyer)
    assert client.get(reverse("events:inquiries")).context["unread"] == 1


def test_the_inbox_of_another_vendor_is_refused(client, booth, make_booth, make_user):
    other = make_booth(booth.expo)
    stranger = _member(make_user, other.vendor)
    client.force_login(stranger)

    assert client.get(reverse("events:vendor_inbox", args=[booth.vendor.slug])).status_code == 403
    assert client.get(reverse("events:vendor_inbox", args=["no-such-vendor"])).status_code == 404
    inquiry = Inquiry.objects.create(booth=booth, buyer=make_user())
    own_slug_other_thread = reverse("events:vendor_inquiry", args=[other.vendor.slug, inquiry.pk])
    assert client.get(own_slug_other_thread).status_code == 404


def test_the_inbox_needs_a_login(client, booth):
    response = client.get(reverse("events:vendor_inbox", args=[booth.vendor.slug]))
    assert response.status_code == 302
    assert reverse("account_login") in response.url


def test_the_inbox_query_count_does_not_grow(client, booth, team_member, make_user):
    client.force_login(team_member)
    url = reverse("events:vendor_inbox", args=[booth.vendor.slug])

    def add_threads(n):
        for _ in range(n):
            inquiry = Inquiry.objects.create(booth=booth, buyer=make_user())
            _say(inquiry, inquiry.buyer, "hello")

    add_threads(2)
    client.get(url)
    few = _queries(client, url)
    add_threads(5)
    assert _queries(client, url) == few
    assert len(client.get(url).context["threads"]) == 7


# --- Agenda and session pages ----------------------------------------------------------------------


def test_the_agenda_shows_times_in_the_visitors_time_zone(client, booth, make_user):
    session = _session(booth)
    new_york = make_user(time_zone="America/New_York")
    client.force_login(new_york)

    html = client.get(reverse("events:agenda", args=[booth.expo.slug])).content.decode()

    local = timezone.localtime(session.starts_at, timezone=ZoneInfo("America/New_York"))
    assert local.strftime("%H:%M") in html
    assert "America/New_York" in html
    assert reverse("events:session", args=[booth.expo.slug, session.pk]) in html


def test_the_agenda_query_count_does_not_grow(client, booth, make_booth, buyer):
    client.force_login(buyer)
    url = reverse("events:agenda", args=[booth.expo.slug])
    _session(booth)
    client.get(url)
    few = _queries(client, url)
    for n in range(4):
        _session(make_booth(booth.expo), hours_from_now=3 + n)
    assert _queries(client, url) == few
    response = client.get(url)
    assert sum(len(items) for _day, items in response.context["days"]) == 5


def test_a_draft_expos_agenda_is_hidden(client, make_expo, make_booth):
    booth = make_booth(make_expo("accepting"))
    _session(booth, hours_from_now=24 * 8)
    assert client.get(reverse("events:agenda", args=[booth.expo.slug])).status_code == 404


def test_remind_me_and_the_calendar_file(client, booth, buyer):
    session = _session(booth)
    remind = reverse("events:session_remind", args=[booth.expo.slug, session.pk])
    assert client.post(remind).status_code == 302
    assert not SessionReminder.objects.exists()  # sent to log in first

    client.force_login(buyer)
    client.post(remind)
    assert SessionReminder.objects.filter(user=buyer, session=session).exists()
    client.post(remind, {"action": "cancel"})
    assert not SessionReminder.objects.exists()

    calendar = client.get(reverse("events:session_ics", args=[booth.expo.slug, session.pk]))
    assert calendar["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in calendar.content


def test_youtube_plays_on_the_page_and_other_streams_open_outside(client, booth):
    embedded = _session(booth)
    outside = _session(booth, hours_from_now=5, stream_url="https://zoom.us/j/123456789")

    page = client.get(reverse("events:session", args=[booth.expo.slug, embedded.pk]))
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in page.content.decode()
    page = client.get(
        reverse("events:session", args=[booth.expo.slug, outside.pk])
    ).content.decode()
    assert (
        'href="https://zoom.us/j/123456789" target="_blank" rel="noopener noreferrer nofollow"'
        in page
    )
    assert "<iframe" not in page


def test_only_the_team_sees_the_pin_controls(client, booth, buyer, team_member):
    session = _session(booth)
    url = reverse("events:session", args=[booth.expo.slug, session.pk])
    client.force_login(buyer)
    assert "data-pin-toggle" not in client.get(url).content.decode()
    client.force_login(team_member)
    assert "data-pin-toggle" in client.get(url).content.decode()


def test_pinning_through_the_page_needs_the_team(client, booth, buyer, team_member):
    session = _session(booth)
    product = booth.products.first()
    pins = reverse("events:session_pins", args=[booth.expo.slug, session.pk])

    client.force_login(buyer)
    assert client.post(pins, {"product": product.pk}).status_code == 403
    assert not session.pins.exists()
    client.force_login(team_member)
    response = client.post(pins, {"product": product.pk}, HTTP_ACCEPT="application/json")
    assert response.json() == {"ok": True, "error": None}
    assert list(session.pinned_products.all()) == [product]


# --- The vendor's schedule -------------------------------------------------------------------------


def _form(expo, **extra):
    start = timezone.localtime(max(timezone.now(), expo.opens_at) + timedelta(hours=2))
    data = {
        "title_en": "Weaving live",
        "title_id": "Menenun langsung",
        "description_en": "",
        "description_id": "",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "stream_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "replay_url": "",
    }
    data.update(extra)
    return data


def test_a_member_schedules_through_the_form(client, booth, team_member):
    client.force_login(team_member)
    url = reverse("events:vendor_session_create", args=[booth.vendor.slug])

    response = client.post(url, {"booth": booth.pk, **_form(booth.expo)})

    session = LiveSession.objects.get()
    assert response.url == reverse(
        "events:vendor_session_edit", args=[booth.vendor.slug, session.pk]
    )
    assert session.title_id == "Menenun langsung"


def test_the_form_reports_a_session_outside_the_expo(client, booth, team_member):
    client.force_login(team_member)
    late = timezone.localtime(booth.expo.closes_at + timedelta(hours=1))
    data = _form(
        booth.expo,
        starts_at=late.strftime("%Y-%m-%dT%H:%M"),
        ends_at=(late + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    )

    response = client.post(
        reverse("events:vendor_session_create", args=[booth.vendor.slug]),
        {"booth": booth.pk, **data},
    )

    assert response.status_code == 200
    assert "while the expo is open" in response.content.decode()
    assert not LiveSession.objects.exists()


def test_another_vendor_cannot_edit_a_session_through_the_pages(
    client, booth, make_booth, make_user
):
    session = _session(booth)
    other = make_booth(booth.expo)
    stranger = _member(make_user, other.vendor)
    client.force_login(stranger)

    theirs = reverse("events:vendor_session_edit", args=[booth.vendor.slug, session.pk])
    mine = reverse("events:vendor_session_edit", args=[other.vendor.slug, session.pk])
    assert client.get(theirs).status_code == 403
    assert client.post(theirs, _form(booth.expo, title_en="Hacked")).status_code == 403
    assert client.get(mine).status_code == 404
    session.refresh_from_db()
    assert session.title_en == "Batik demo"


def test_the_schedule_query_count_does_not_grow(client, booth, team_member):
    client.force_login(team_member)
    url = reverse("events:vendor_sessions", args=[booth.vendor.slug])
    _session(booth)
    client.get(url)
    few = _queries(client, url)
    for n in range(4):
        _session(booth, hours_from_now=3 + n)
    assert _queries(client, url) == few


# --- The vendor's live pages sit in the vendor workspace ------------------------------------------


def test_the_inbox_and_sessions_pages_keep_the_workspace_tabs(client, booth, team_member):
    """Reached from the workspace's tabs, the inbox and the sessions pages keep them (with the
    business switcher), so the vendor is never stranded on a page without its navigation."""
    client.force_login(team_member)
    slug = booth.vendor.slug
    for name, tab in (
        ("events:vendor_inbox", 'data-testid="tab-inbox"'),
        ("events:vendor_sessions", 'data-testid="tab-sessions"'),
        ("events:vendor_session_create", 'data-testid="tab-sessions"'),
    ):
        html = client.get(reverse(name, args=[slug])).content.decode()
        assert 'class="ws-tabs"' in html, name
        assert reverse("vendor:dashboard", args=[slug]) in html
        current = html.split(tab, 1)[0].rsplit("<a ", 1)[1]
        assert 'aria-current="page"' in current, name


def test_inbox_and_inquiry_times_name_the_visitors_zone(client, booth, make_user):
    tokyo = make_user(time_zone="Asia/Tokyo")
    member = _member(make_user, booth.vendor, time_zone="Asia/Tokyo")
    inquiry = Inquiry.objects.create(booth=booth, buyer=tokyo)
    _say(inquiry, tokyo, "Halo")

    client.force_login(member)
    html = client.get(reverse("events:vendor_inbox", args=[booth.vendor.slug])).content.decode()
    assert "JST" in html
    assert 'data-zone-abbr="JST"' in html
    client.force_login(tokyo)
    assert "JST" in client.get(reverse("events:inquiries")).content.decode()


def test_a_session_page_counts_as_a_visit_of_its_booth(client, booth, buyer, settings):
    """Conversion's visitors include a booth's live sessions' viewers (issue: conversion is a share
    of the people who saw the booth, its products or its sessions)."""
    from booths.models import BoothVisit
    from expo.reports import figures

    settings.VISITS_FLUSH_SECONDS = 0
    session = _session(booth)
    visits.flush()
    client.force_login(buyer)
    assert (
        client.get(reverse("events:session", args=[booth.expo.slug, session.pk])).status_code == 200
    )
    visits.flush()

    assert BoothVisit.objects.filter(booth=booth, visitor=visits.account_key(buyer.pk)).exists()
    reach, _total = figures.expo_conversion(booth.expo_id)
    assert reach[booth.pk].visitors == 1
