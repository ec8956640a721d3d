"""Live sessions: scheduling rules, the stream allow-list, pinned products live on every screen,
reminders and calendar files."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from channels.db import database_sync_to_async
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from icalendar import Calendar

from booths.models import Product, VendorMembership
from events import ics, notifications, rooms, services
from events.models import LiveSession, SessionPin, SessionReminder
from expo import permissions
from expo.refusals import Refused
from tests.conftest import move_to


def _times(expo, start_hours: float = 1, hours: float = 1):
    start = max(expo.opens_at, timezone.now()) + timedelta(hours=start_hours)
    return start, start + timedelta(hours=hours)


def _fields(expo, **extra):
    start, end = _times(expo)
    fields = {
        "title_en": "Batik demo",
        "title_id": "Demo batik",
        "description_en": "Live from the workshop",
        "description_id": "Langsung dari bengkel",
        "starts_at": start,
        "ends_at": end,
        "stream_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "replay_url": "",
    }
    fields.update(extra)
    return fields


@pytest.fixture
def session(booth, team_member):
    return services.session_create(booth=booth, by=team_member, **_fields(booth.expo))


# --- Scheduling ------------------------------------------------------------------------------------


def test_a_member_schedules_a_session_inside_the_expo(booth, team_member):
    session = services.session_create(booth=booth, by=team_member, **_fields(booth.expo))

    assert session.booth == booth
    assert session.title == "Batik demo"
    assert services.stream_kind(session.stream_url) == "embed"


def test_sessions_stay_inside_the_expo_window(booth, team_member):
    expo = booth.expo
    too_late = expo.closes_at - timedelta(minutes=30)
    with pytest.raises(ValidationError) as caught:
        services.session_create(
            booth=booth,
            by=team_member,
            **_fields(expo, starts_at=too_late, ends_at=too_late + timedelta(hours=1)),
        )
    assert "starts_at" in caught.value.message_dict
    too_early = expo.opens_at - timedelta(hours=2)
    with pytest.raises(ValidationError):
        services.session_create(
            booth=booth,
            by=team_member,
            **_fields(expo, starts_at=too_early, ends_at=too_early + timedelta(hours=1)),
        )
    start, _end = _times(expo)
    with pytest.raises(ValidationError) as caught:
        services.session_create(
            booth=booth, by=team_member, **_fields(expo, starts_at=start, ends_at=start)
        )
    assert "ends_at" in caught.value.message_dict
    assert not LiveSession.objects.exists()


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://youtu.be/dQw4w9WgXcQ", "embed"),
        ("https://vimeo.com/123456789", "embed"),
        ("https://us02web.zoom.us/j/123456789?pwd=abc", "link"),
        ("https://meet.google.com/abc-defg-hij", "link"),
    ],
)
def test_streams_embed_youtube_and_vimeo_and_link_the_rest(booth, team_member, url, kind):
    session = services.session_create(
        booth=booth, by=team_member, **_fields(booth.expo, stream_url=url)
    )
    assert services.stream_kind(session.stream_url) == kind


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "http://zoom.us/j/1", "ftp://example.com/x", "not a link", ""]
)
def test_unsafe_or_missing_stream_links_are_refused(booth, team_member, url):
    with pytest.raises(ValidationError) as caught:
        services.session_create(booth=booth, by=team_member, **_fields(booth.expo, stream_url=url))
    assert "stream_url" in caught.value.message_dict


def test_only_the_vendors_members_schedule(booth, buyer, make_booth, make_user):
    other = make_booth(booth.expo)
    stranger = make_user()
    VendorMembership.objects.create(vendor=other.vendor, user=stranger)
    permissions.forget(stranger)

    for user in (buyer, stranger):
        with pytest.raises(PermissionDenied):
            services.session_create(booth=booth, by=user, **_fields(booth.expo))


def test_another_vendor_cannot_edit_a_session(session, make_booth, make_user):
    other = make_booth(session.booth.expo)
    stranger = make_user()
    VendorMembership.objects.create(vendor=other.vendor, user=stranger)
    permissions.forget(stranger)

    with pytest.raises(PermissionDenied):
        services.session_update(session=session, by=stranger, title_en="Hacked")
    session.refresh_from_db()
    assert session.title_en == "Batik demo"


def test_after_the_expo_only_the_replay_can_change(session, team_member):
    move_to(session.booth.expo, "closed")
    session.refresh_from_db()

    services.session_update(
        session=session,
        by=team_member,
        title_en="Changed",
        replay_url="https://www.youtube.com/watch?v=aaaaaaaaaaa",
    )

    session.refresh_from_db()
    assert session.title_en == "Batik demo"
    assert session.replay_url == "https://www.youtube.com/watch?v=aaaaaaaaaaa"


# --- Pins ------------------------------------------------------------------------------------------


def test_pins_keep_the_vendors_order(session, team_member):
    first, second = session.booth.products.order_by("id")
    services.session_pin(session=session, product=second, by=team_member)
    services.session_pin(session=session, product=first, by=team_member)
    services.session_pin(session=session, product=second, by=team_member)  # no double

    assert list(SessionPin.objects.filter(session=session).values_list("product", flat=True)) == [
        second.pk,
        first.pk,
    ]
    services.session_unpin(session=session, product=second, by=team_member)
    assert [p.pk for p in session.pinned_products.all()] == [first.pk]


def test_only_the_booths_products_are_pinned(session, team_member, make_booth):
    elsewhere = make_booth(session.booth.expo).products.first()
    with pytest.raises(ValidationError):
        services.session_pin(session=session, product=elsewhere, by=team_member)


def test_a_buyer_cannot_pin(session, buyer):
    with pytest.raises(PermissionDenied):
        services.session_pin(session=session, product=session.booth.products.first(), by=buyer)


@pytest.mark.django_db(transaction=True)
async def test_pinning_shows_on_every_viewers_screen(session, team_member, buyer, connect):
    room = rooms.session(session.pk)
    viewer = await connect(buyer)
    anonymous = await connect()
    await viewer.join(room)
    assert (await viewer.get("pinned"))["products"] == []
    await anonymous.join(room)
    await anonymous.get("pinned")
    product = await database_sync_to_async(lambda: session.booth.products.order_by("id").first())()

    await database_sync_to_async(services.session_pin)(
        session=session, product=product, by=team_member
    )

    for socket in (viewer, anonymous):
        frame = await socket.get("pinned")
        assert frame["room"] == room
        [shown] = frame["products"]
        assert shown["id"] == product.pk
        assert shown["name"] == {"en": product.name_en, "id": product.name_id}
        assert shown["price"] == product.price
        assert shown["price_label"].startswith("Rp ")
        assert shown["url"].endswith(f"/products/{product.slug}/")
    await database_sync_to_async(services.session_unpin)(
        session=session, product=product, by=team_member
    )
    assert (await viewer.get("pinned"))["products"] == []
    await viewer.close()
    await anonymous.close()


# --- Reminders and calendars -----------------------------------------------------------------------


def test_reminders_go_out_once_about_15_minutes_before(session, buyer, make_user):
    indonesian = make_user(language="id", name="Sari")
    services.reminder_set(session=session, by=buyer)
    services.reminder_set(session=session, by=indonesian)
    services.reminder_set(session=session, by=buyer)  # once per account
    assert SessionReminder.objects.count() == 2

    assert notifications.reminders_send_due(now=session.starts_at - timedelta(minutes=40)) == 0
    assert notifications.reminders_send_due(now=session.starts_at - timedelta(minutes=14)) == 2
    assert notifications.reminders_send_due(now=session.starts_at - timedelta(minutes=13)) == 0

    assert sorted(m.to[0] for m in mail.outbox) == sorted([buyer.email, indonesian.email])
    english = next(m for m in mail.outbox if m.to == [buyer.email])
    assert "Batik demo" in english.subject
    assert f"/sessions/{session.pk}/" in english.body
    assert not SessionReminder.objects.filter(sent_at__isnull=True).exists()


def test_no_reminder_for_a_session_that_started(session, buyer):
    LiveSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(minutes=1)
    )
    session.refresh_from_db()
    with pytest.raises(Refused):
        services.reminder_set(session=session, by=buyer)


def test_the_calendar_file_is_valid_icalendar(session):
    LiveSession.objects.filter(pk=session.pk).update(title_en="Batik, tulis; and cap")
    session.refresh_from_db()

    text = ics.calendar([session], expo=session.booth.expo, base_url="https://expo.example")

    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert f"UID:session-{session.pk}@expo.example" in text
    assert f"DTSTART:{session.starts_at.astimezone(UTC):%Y%m%dT%H%M%SZ}" in text
    assert "SUMMARY:Batik\\, tulis\\; and cap" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    # Read back (to the second), the file says what the session says, and reminds 15 minutes before.
    event = Calendar.from_ical(text).walk("VEVENT")[0]
    url = f"https://expo.example/expos/{session.booth.expo.slug}/sessions/{session.pk}/"
    assert event.decoded("dtstart") == session.starts_at.replace(microsecond=0)
    assert event.decoded("dtend") == session.ends_at.replace(microsecond=0)
    assert str(event["summary"]) == f"Batik, tulis; and cap · {session.booth.vendor.name}"
    assert str(event["description"]).endswith(url)
    assert str(event["url"]) == url
    (alarm,) = event.walk("VALARM")
    assert alarm.decoded("trigger") == -timedelta(minutes=15)


def test_products_stay_pinned_only_while_on_sale(session, team_member):
    product = session.booth.products.first()
    services.session_pin(session=session, product=product, by=team_member)
    Product.objects.filter(pk=product.pk).update(is_active=False)

    from events import selectors

    assert selectors.pinned_products(session) == []
