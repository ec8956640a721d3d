"""Business matching (issue 16): slots cut from the vendors' windows, each step of a meeting, no
double booking for a vendor or a person, times in each reader's zone (page, e-mail, .ics), who may
see a meeting, and the buyer's consent to show their profile."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from events.matching import notify, selectors, services
from events.matching.models import Meeting, MeetingParticipant, MeetingStatus
from events.models import Notification
from expo import buyers
from expo.refusals import Refused
from tests.events.matching_fixtures import (
    add_member,
    make_business_buyer,
    make_matching_expo,
    make_stand,
    make_user,
    publish,
    wib,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def expo():
    return make_matching_expo()


@pytest.fixture
def stand(expo):
    stand = make_stand(expo)
    publish(stand, wib(10), wib(11))
    return stand


@pytest.fixture
def tokyo():
    return make_business_buyer(name="Hana Tanaka", time_zone="Asia/Tokyo")


@pytest.fixture
def london():
    return make_business_buyer(name="Olivia Smith", time_zone="Europe/London")


def request(stand, buyer, hour=10, minute=0, agenda="Green beans, 2 tonnes a month"):
    return services.meeting_request(
        booth=stand.booth, starts_at=wib(hour, minute), agenda=agenda, by=buyer
    )


def test_slots_are_cut_from_the_windows_at_the_meeting_length(stand):
    slots = selectors.free_slots(expo=stand.booth.expo, vendor_id=stand.vendor.pk)
    assert [(s.starts_at, s.ends_at) for s in slots] == [
        (wib(10), wib(10, 30)),
        (wib(10, 30), wib(11)),
    ]
    assert slots[0].member_ids == [stand.member.pk]


def test_a_request_holds_the_slot_and_the_vendor_accepts(stand, tokyo):
    meeting = request(stand, tokyo)
    assert meeting.status == MeetingStatus.REQUESTED
    assert {(p.user_id, p.side) for p in meeting.participants.all()} == {
        (tokyo.pk, "buyer"),
        (stand.member.pk, "vendor"),
    }
    free = selectors.free_slots(expo=stand.booth.expo, vendor_id=stand.vendor.pk)
    assert [s.starts_at for s in free] == [wib(10, 30)]
    services.meeting_accept(meeting=meeting, by=stand.member)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CONFIRMED


def test_the_vendor_proposes_another_time_and_the_buyer_confirms(stand, tokyo):
    meeting = request(stand, tokyo)
    services.meeting_propose(meeting=meeting, by=stand.member, starts_at=wib(10, 30))
    meeting.refresh_from_db()
    assert (meeting.status, meeting.starts_at) == (MeetingStatus.PROPOSED, wib(10, 30))
    assert set(meeting.participants.values_list("starts_at", flat=True)) == {wib(10, 30)}
    with pytest.raises(Refused):  # the vendor cannot confirm for the buyer
        services.meeting_confirm(meeting=meeting, by=stand.member)
    services.meeting_confirm(meeting=meeting, by=tokyo)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CONFIRMED
    # The first time is free again.
    free = selectors.free_slots(expo=stand.booth.expo, vendor_id=stand.vendor.pk)
    assert [s.starts_at for s in free] == [wib(10)]


def test_a_decline_needs_a_reason_and_frees_the_slot(stand, tokyo):
    meeting = request(stand, tokyo)
    with pytest.raises(Exception, match="reason"):
        services.meeting_decline(meeting=meeting, by=stand.member, reason="  ")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.REQUESTED
    services.meeting_decline(meeting=meeting, by=stand.member, reason="Sold out until August")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.reason) == (MeetingStatus.DECLINED, "Sold out until August")
    assert not meeting.participants.filter(is_active=True).exists()
    assert len(selectors.free_slots(expo=stand.booth.expo, vendor_id=stand.vendor.pk)) == 2


def test_either_side_cancels_up_to_the_cut_off(stand, tokyo):
    meeting = request(stand, tokyo)
    services.meeting_accept(meeting=meeting, by=stand.member)
    late = wib(9)  # an hour before: inside the two-hour cut-off
    with (
        mock.patch("django.utils.timezone.now", return_value=late),
        pytest.raises(Refused) as refused,
    ):
        services.meeting_cancel(meeting=meeting, by=tokyo)
    assert refused.value.code == "too_late"
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CONFIRMED
    services.meeting_cancel(meeting=meeting, by=stand.member, reason="Travel")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED


def test_a_second_buyer_for_the_same_slot_gets_a_clear_answer(stand, tokyo, london):
    request(stand, tokyo)
    with pytest.raises(Refused) as refused:
        request(stand, london)
    assert refused.value.code == "slot_taken"
    assert Meeting.objects.count() == 1


def test_a_vendor_is_not_booked_twice_across_its_members_overlapping_slots(stand, tokyo, london):
    colleague = add_member(stand, name="Dewi")
    publish(stand, wib(10, 15), wib(11, 15), member=colleague)
    slots = selectors.free_slots(expo=stand.booth.expo, vendor_id=stand.vendor.pk)
    assert [s.starts_at for s in slots] == [wib(10), wib(10, 15), wib(10, 30), wib(10, 45)]
    request(stand, tokyo, 10, 0)
    # 10:15 overlaps 10:00–10:30: the vendor cannot hold both, whichever member offered it.
    assert [
        s.starts_at for s in selectors.free_slots(expo=stand.booth.expo, vendor_id=stand.vendor.pk)
    ] == [wib(10, 30), wib(10, 45)]
    with pytest.raises(Refused) as refused:
        request(stand, london, 10, 15)
    assert refused.value.code == "slot_taken"
    assert Meeting.objects.filter(vendor=stand.vendor).count() == 1


def test_a_buyer_cannot_be_in_two_meetings_at_once(expo, stand, tokyo):
    other = make_stand(expo, name="Batik Sekar")
    publish(other, wib(10), wib(11))
    request(stand, tokyo)
    assert [
        s.starts_at for s in selectors.free_slots(expo=expo, vendor_id=other.vendor.pk, buyer=tokyo)
    ] == [wib(10, 30)]
    with pytest.raises(Refused) as refused:
        request(other, tokyo)
    assert refused.value.code == "busy"


def test_the_database_refuses_a_second_active_meeting_at_the_same_start(stand, tokyo, london):
    """Below the services: the stand-in constraint (the exclusion constraint on PostgreSQL)."""
    request(stand, tokyo)
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(
            expo=stand.booth.expo,
            vendor=stand.vendor,
            booth=stand.booth,
            buyer=london,
            starts_at=wib(10),
            ends_at=wib(10, 30),
        )
    meeting = Meeting.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        other = make_stand(stand.booth.expo, name="Other")
        twin = Meeting.objects.create(
            expo=stand.booth.expo,
            vendor=other.vendor,
            booth=other.booth,
            buyer=tokyo,
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
        )
        MeetingParticipant.objects.create(
            meeting=twin,
            user=tokyo,
            side="buyer",
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
        )


def test_a_request_needs_a_profile_with_consent(stand):
    shopper = make_user(name="Just Looking")
    with pytest.raises(Refused) as refused:
        request(stand, shopper)
    assert refused.value.code == "profile_required"
    withdrawn = make_business_buyer(name="Withdrawn", consent=False)
    with pytest.raises(Refused):
        request(stand, withdrawn)
    assert not Meeting.objects.exists()


def test_a_vendor_cannot_book_its_own_booth(stand):
    buyers.buyer_profile_save(
        user=stand.member, company="Self", country="ID", buyer_type="retailer", consent=True
    )
    with pytest.raises(Refused):
        request(stand, stand.member)


def test_a_passed_or_unknown_time_is_refused(stand, tokyo):
    with pytest.raises(Refused) as refused:
        request(stand, tokyo, 10, 10)  # not a slot
    assert refused.value.code == "slot_taken"
    with (
        mock.patch("django.utils.timezone.now", return_value=wib(10, 5)),
        pytest.raises(Refused) as refused,
    ):
        request(stand, tokyo, 10, 0)
    assert refused.value.code == "slot_passed"


# --- Time zones ---------------------------------------------------------------------------------


def test_slot_page_shows_each_buyer_their_own_time(client, stand, tokyo, london):
    url = reverse("events:booth_slots", args=[stand.booth.expo.slug, stand.booth.slug])
    client.force_login(tokyo)
    page = client.get(url).content.decode()
    assert "12:00–12:30" in page and "12:30–13:00" in page
    assert "Asia/Tokyo" in page
    client.force_login(london)
    page = client.get(url).content.decode()
    assert "04:00–04:30" in page and "04:30–05:00" in page
    assert "12:00" not in page


def test_emails_and_ics_are_in_each_recipients_time(
    client, stand, tokyo, django_capture_on_commit_callbacks
):
    stand.member.time_zone = "Europe/London"
    stand.member.save(update_fields=["time_zone"])
    with django_capture_on_commit_callbacks(execute=True):
        meeting = request(stand, tokyo)
    to_vendor = [m for m in mail.outbox if m.to == [stand.member.email]]
    assert len(to_vendor) == 1
    assert "Meeting request from Hana Tanaka (Hana Tanaka Trading)" in to_vendor[0].subject
    assert "04:00–04:30 BST" in to_vendor[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_accept(meeting=meeting, by=stand.member)
    (confirmed,) = mail.outbox
    assert confirmed.to == [tokyo.email]
    assert "12:00–12:30 JST" in confirmed.body
    ((name, invitation, mimetype),) = confirmed.attachments
    assert (name, mimetype) == (f"meeting-{meeting.pk}.ics", "text/calendar")
    assert "DTSTART:20270602T030000Z" in invitation
    assert "DTEND:20270602T033000Z" in invitation
    assert "12:00–12:30 JST" in invitation.replace("\r\n ", "")
    # The page's .ics for a London reader: the same UTC moment, 04:00 BST in the text.
    client.force_login(stand.member)
    body = client.get(reverse("events:meeting_ics", args=[meeting.pk])).content.decode()
    assert "DTSTART:20270602T030000Z" in body
    assert "04:00–04:30 BST" in body.replace("\r\n ", "")
    client.force_login(tokyo)
    page = client.get(reverse("events:meeting", args=[meeting.pk])).content.decode()
    assert "12:00–12:30 JST" in page


def test_vendor_publishes_in_wib_whatever_its_own_zone(client, expo):
    stand = make_stand(expo)
    stand.member.time_zone = "Asia/Tokyo"
    stand.member.save(update_fields=["time_zone"])
    client.force_login(stand.member)
    reply = client.post(
        reverse("events:vendor_meetings", args=[stand.vendor.slug]),
        {
            "expo": expo.pk,
            "member": stand.member.pk,
            "starts_at": "2027-06-02T10:00",
            "ends_at": "2027-06-02T12:00",
        },
    )
    assert reply.status_code == 302, reply.content.decode()[:2000]
    window = stand.vendor.meeting_availability.get()
    assert (window.starts_at, window.ends_at) == (wib(10), wib(12))


# --- Who sees what ------------------------------------------------------------------------------


def test_others_cannot_see_a_meeting(client, expo, stand, tokyo, london):
    meeting = request(stand, tokyo)
    other_vendor = make_stand(expo, name="Other Vendor").member
    pages = [
        reverse("events:meeting", args=[meeting.pk]),
        reverse("events:meeting_ics", args=[meeting.pk]),
    ]
    for page in pages:
        assert client.get(page).status_code == 302  # a guest is sent to sign in
    assert (
        client.post(reverse("events:meeting_step", args=[meeting.pk, "cancel"])).status_code == 302
    )
    for outsider in (london, other_vendor):
        client.force_login(outsider)
        assert client.get(pages[0]).status_code == 404
        assert client.get(pages[1]).status_code == 404
        reply = client.post(reverse("events:meeting_step", args=[meeting.pk, "cancel"]))
        assert reply.status_code == 404
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.REQUESTED
    with pytest.raises(Refused):
        services.meeting_accept(meeting=meeting, by=other_vendor)
    with pytest.raises(Refused):
        services.meeting_cancel(meeting=meeting, by=london)
    for insider in (tokyo, stand.member):
        client.force_login(insider)
        assert client.get(pages[0]).status_code == 200


def test_organisers_see_meetings_of_their_own_office_only(client, expo, stand, tokyo):
    from expo.services import office_add_organiser

    meeting = request(stand, tokyo)
    own = make_user(name="Own Organiser")
    office_add_organiser(office=expo.office, user=own)
    stranger = make_user(name="Other Organiser")
    other = make_matching_expo()
    office_add_organiser(office=other.office, user=stranger)
    client.force_login(own)
    assert client.get(reverse("events:meeting", args=[meeting.pk])).status_code == 200
    assert client.get(reverse("events:matching_settings", args=[expo.slug])).status_code == 200
    client.force_login(stranger)
    assert client.get(reverse("events:meeting", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("events:matching_settings", args=[expo.slug])).status_code == 403


def test_organiser_turns_matching_on_inside_the_time_box(client, expo):
    from expo.services import office_add_organiser

    own = make_user(name="Own Organiser")
    office_add_organiser(office=expo.office, user=own)
    client.force_login(own)
    url = reverse("events:matching_settings", args=[expo.slug])
    outside = {
        "enabled": "on",
        "meeting_minutes": "20",
        "cancel_cutoff_minutes": "60",
        "starts_at": "2027-05-30T09:00",
    }
    reply = client.post(url, outside)
    assert reply.status_code == 200
    assert "while the expo is open" in reply.content.decode()
    expo.matching.refresh_from_db()
    assert expo.matching.meeting_minutes == 30
    before = expo.updated_at
    reply = client.post(url, {**outside, "starts_at": "2027-06-02T09:00"})
    assert reply.status_code == 302
    expo.refresh_from_db()
    assert expo.updated_at > before  # the booth pages' cached bodies follow
    expo.matching.refresh_from_db()
    assert (expo.matching.meeting_minutes, expo.matching.starts_at) == (20, wib(9))


# --- Consent ------------------------------------------------------------------------------------


def test_vendor_sees_the_profile_only_after_contact_and_while_consent_stands(
    client, expo, stand, tokyo
):
    assert buyers.profile_for_vendor(vendor_id=stand.vendor.pk, buyer_id=tokyo.pk) is None
    meeting = request(stand, tokyo)
    other = make_stand(expo, name="Not Contacted")
    assert buyers.profile_for_vendor(vendor_id=other.vendor.pk, buyer_id=tokyo.pk) is None
    client.force_login(stand.member)
    page = client.get(reverse("events:meeting", args=[meeting.pk])).content.decode()
    assert "Hana Tanaka Trading" in page and "coffee beans" in page
    client.force_login(tokyo)
    reply = client.post(reverse("buyer_profile"), {"action": "withdraw"})
    assert reply.status_code == 302
    consent = tokyo.buyer_profile.consents.get()
    assert consent.withdrawn_at is not None and "vendors I contact" in consent.wording
    client.force_login(stand.member)
    page = client.get(reverse("events:meeting", args=[meeting.pk])).content.decode()
    assert "coffee beans" not in page and 'data-testid="profile-hidden"' in page
    assert buyers.profile_for_vendor(vendor_id=stand.vendor.pk, buyer_id=tokyo.pk) is None


def test_profile_page_records_consent(client):
    user = make_user(name="New Buyer")
    client.force_login(user)
    assert client.get(reverse("buyer_profile")).status_code == 200
    reply = client.post(
        reverse("buyer_profile"),
        {
            "company": "Doha Foods",
            "country": "QA",
            "buyer_type": "importer",
            "products": "snacks",
            "order_size": "500000000",
            "website": "https://doha.example",
            "consent": "on",
        },
    )
    assert reply.status_code == 302
    profile = user.buyer_profile
    assert (profile.company, profile.order_size) == ("Doha Foods", 500_000_000)
    assert buyers.is_ready_to_meet(user)
    reply = client.post(reverse("buyer_profile"), {"company": "", "country": "QA"})
    assert reply.status_code == 200  # refused: nothing changed
    profile.refresh_from_db()
    assert profile.company == "Doha Foods"


# --- Notifications --------------------------------------------------------------------------------


def test_each_step_rings_the_other_side(stand, tokyo):
    colleague = add_member(stand)
    meeting = request(stand, tokyo)
    rung = set(
        Notification.objects.filter(kind="meeting", subject=f"meeting:{meeting.pk}").values_list(
            "user_id", flat=True
        )
    )
    assert rung == {stand.member.pk, colleague.pk}
    services.meeting_accept(meeting=meeting, by=stand.member)
    note = Notification.objects.get(user=tokyo, kind="meeting")
    assert note.params["step"] == "confirmed"


def test_a_reminder_goes_to_both_sides_once(stand, tokyo, django_capture_on_commit_callbacks):
    meeting = request(stand, tokyo)
    services.meeting_accept(meeting=meeting, by=stand.member)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert notify.reminders_send_due(now=wib(9, 50)) == 2
        assert notify.reminders_send_due(now=wib(9, 51)) == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([tokyo.email, stand.member.email])
    assert all(m.attachments for m in mail.outbox)


# --- Pages ----------------------------------------------------------------------------------------


def test_request_through_the_page_and_accept_through_the_page(client, stand, tokyo):
    url = reverse("events:booth_slots", args=[stand.booth.expo.slug, stand.booth.slug])
    client.force_login(tokyo)
    reply = client.post(url, {"slot": "2027-06-02T03:30:00Z", "agenda": "Samples"})
    meeting = Meeting.objects.get()
    assert reply.url == reverse("events:meeting", args=[meeting.pk])
    assert meeting.starts_at == wib(10, 30)
    reply = client.post(url, {"slot": "2027-06-02T03:30:00Z", "agenda": "Again"})
    assert reply.status_code == 200
    assert Meeting.objects.count() == 1
    client.force_login(stand.member)
    reply = client.post(reverse("events:meeting_step", args=[meeting.pk, "accept"]))
    assert reply.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CONFIRMED
    page = client.get(reverse("events:vendor_meetings", args=[stand.vendor.slug]))
    assert page.status_code == 200 and "Hana Tanaka" in page.content.decode()


def test_slot_page_queries_do_not_grow_with_windows_and_meetings(
    client, expo, stand, tokyo, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("events:booth_slots", args=[expo.slug, stand.booth.slug])
    client.force_login(tokyo)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for hour in range(12, 18):
        publish(stand, wib(hour), wib(hour + 1))
    for n in range(3):
        request(stand, make_business_buyer(name=f"B{n}"), 12 + n)
    with django_assert_num_queries(len(small.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count('data-testid="slot"') == 2 + 12 - 3


def test_guest_sees_slots_but_signs_in_to_request(client, stand):
    url = reverse("events:booth_slots", args=[stand.booth.expo.slug, stand.booth.slug])
    page = client.get(url)
    assert page.status_code == 200 and "Sign in to request a meeting" in page.content.decode()
    assert client.post(url, {"slot": "2027-06-02T03:00:00Z", "agenda": "x"}).status_code == 302
    assert not Meeting.objects.exists()


def test_matching_off_means_no_slots_and_no_requests(stand, tokyo):
    stand.booth.expo.matching.enabled = False
    stand.booth.expo.matching.save()
    assert selectors.free_slots(expo=stand.booth.expo, vendor_id=stand.vendor.pk) == []
    with pytest.raises(Refused):
        request(stand, tokyo)


def test_seating_an_interpreter_and_a_colleague(stand, tokyo):
    meeting = request(stand, tokyo)
    interpreter = make_user(name="Interpreter")
    colleague = add_member(stand)
    services.meeting_seat(meeting=meeting, by=tokyo, email=interpreter.email)
    services.meeting_seat(meeting=meeting, by=stand.member, email=colleague.email)
    with pytest.raises(Exception, match="members of your business"):
        services.meeting_seat(meeting=meeting, by=stand.member, email=make_user(name="X").email)
    with pytest.raises(Refused) as refused:
        services.meeting_seat(meeting=meeting, by=tokyo, email=make_user(name="Y").email)
    assert refused.value.code == "full"
    assert meeting.participants.count() == 4
    assert timezone.now() < meeting.starts_at - timedelta(hours=1)


def test_a_question_is_a_contact_too(expo, stand, tokyo):
    from events import services as live
    from expo.models import ExpoState

    assert expo.state == ExpoState.PUBLISHED
    live.inquiry_open(booth=stand.booth, by=tokyo)
    profile = buyers.profile_for_vendor(vendor_id=stand.vendor.pk, buyer_id=tokyo.pk)
    assert profile is not None and profile.company == "Hana Tanaka Trading"


def test_an_organiser_arranges_a_meeting_both_sides_confirm(expo, stand, tokyo):
    from expo.services import office_add_organiser

    organiser = make_user(name="Own Organiser")
    office_add_organiser(office=expo.office, user=organiser)
    stranger = make_user(name="Other Organiser")
    office_add_organiser(office=make_matching_expo().office, user=stranger)
    arrange = dict(booth=stand.booth, buyer=tokyo, starts_at=wib(10), agenda="Hosted buyer")
    with pytest.raises(PermissionDenied):
        services.meeting_arrange(by=stranger, **arrange)
    meeting = services.meeting_arrange(by=organiser, **arrange)
    assert meeting.status == MeetingStatus.PROPOSED
    rung = set(Notification.objects.filter(kind="meeting").values_list("user_id", flat=True))
    assert rung == {tokyo.pk, stand.member.pk}
    with pytest.raises(Refused) as refused:
        services.meeting_arrange(by=organiser, **arrange)
    assert refused.value.code == "slot_taken"
    services.meeting_accept(meeting=meeting, by=stand.member)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PROPOSED  # the buyer has not agreed yet
    services.meeting_confirm(meeting=meeting, by=tokyo)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CONFIRMED
    assert buyers.profile_for_vendor(vendor_id=stand.vendor.pk, buyer_id=tokyo.pk) is not None


def test_a_buyer_waits_for_one_answer_per_vendor(expo, stand, tokyo):
    request(stand, tokyo, 10, 0)
    with pytest.raises(Refused) as refused:
        request(stand, tokyo, 10, 30)
    assert refused.value.code == "already_requested"
    assert Meeting.objects.count() == 1


def test_a_request_whose_time_passed_unanswered_no_longer_waits(expo, stand, tokyo):
    first = request(stand, tokyo, 10, 0)
    past = timezone.now() - timedelta(hours=2)
    Meeting.objects.filter(pk=first.pk).update(starts_at=past, ends_at=past + timedelta(minutes=20))

    again = request(stand, tokyo, 10, 30)

    assert again.status == MeetingStatus.REQUESTED
    assert Meeting.objects.filter(status=MeetingStatus.REQUESTED).count() == 2


def test_bad_input_gets_a_clear_message_and_changes_nothing(client, expo, stand, tokyo):
    url = reverse("events:booth_slots", args=[expo.slug, stand.booth.slug])
    client.force_login(tokyo)
    for data in (
        {"slot": "not-a-time", "agenda": "Samples"},
        {"slot": "2027-06-02T03:00:00Z", "agenda": ""},
        {"slot": "2027-06-02T03:00:00Z", "agenda": "x" * 501},
    ):
        reply = client.post(url, data)
        assert reply.status_code == 200
        assert 'class="errorlist' in reply.content.decode()
    assert not Meeting.objects.exists()
    meeting = request(stand, tokyo)
    client.force_login(stand.member)
    step = reverse("events:meeting_step", args=[meeting.pk, "propose"])
    reply = client.post(step, {"slot": "garbage"}, follow=True)
    assert "Choose another free time of yours." in reply.content.decode()
    reply = client.post(
        reverse("events:meeting_step", args=[meeting.pk, "link"]),
        {"external_link": "http://zoom.example/j/1"},
        follow=True,
    )
    assert "must start with https://" in reply.content.decode()
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.external_link) == (wib(10), "")
    windows = reverse("events:vendor_meetings", args=[stand.vendor.slug])
    reply = client.post(
        windows,
        {
            "expo": expo.pk,
            "member": stand.member.pk,
            "starts_at": "2027-06-02T12:00",
            "ends_at": "2027-06-02T11:00",
        },
    )
    assert reply.status_code == 200 and "after the start" in reply.content.decode()
    reply = client.post(
        windows,
        {
            "expo": expo.pk,
            "member": stand.member.pk,
            "starts_at": "2027-07-02T10:00",
            "ends_at": "2027-07-02T11:00",
        },
    )
    assert reply.status_code == 200 and "matching window" in reply.content.decode()
    assert stand.vendor.meeting_availability.count() == 1


def test_only_the_vendors_members_publish_and_remove_its_windows(client, expo, stand, tokyo):
    other = make_stand(expo, name="Other Vendor")
    window = stand.vendor.meeting_availability.get()
    client.force_login(other.member)
    assert (
        client.get(reverse("events:vendor_meetings", args=[stand.vendor.slug])).status_code == 403
    )
    remove = reverse("events:vendor_availability_remove", args=[other.vendor.slug, window.pk])
    assert client.post(remove).status_code == 404
    client.force_login(tokyo)
    assert (
        client.get(reverse("events:vendor_meetings", args=[stand.vendor.slug])).status_code == 403
    )
    assert stand.vendor.meeting_availability.filter(pk=window.pk).exists()
    client.force_login(stand.member)
    remove = reverse("events:vendor_availability_remove", args=[stand.vendor.slug, window.pk])
    assert client.post(remove).status_code == 302
    assert not stand.vendor.meeting_availability.exists()


def test_the_email_is_in_the_recipients_language(stand, tokyo, django_capture_on_commit_callbacks):
    stand.member.language = "id"
    stand.member.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        request(stand, tokyo)
    (message,) = [m for m in mail.outbox if m.to == [stand.member.email]]
    assert message.body.startswith("Halo Kopi,")
    assert "10:00–10:30 WIB" in message.body


def test_a_guest_sees_slots_in_the_zone_their_browser_reported(client, settings, stand):
    client.cookies[settings.TIMEZONE_COOKIE_NAME] = "Europe/London"
    url = reverse("events:booth_slots", args=[stand.booth.expo.slug, stand.booth.slug])
    page = client.get(url).content.decode()
    assert "04:00–04:30" in page and "Europe/London" in page


def test_vendor_meetings_page_queries_do_not_grow(client, expo, stand, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("events:vendor_meetings", args=[stand.vendor.slug])
    request(stand, make_business_buyer(name="First"), 10)
    client.force_login(stand.member)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for hour in range(12, 16):
        publish(stand, wib(hour), wib(hour + 1), member=add_member(stand, name=f"M{hour}"))
        request(stand, make_business_buyer(name=f"B{hour}"), hour)
    with django_assert_num_queries(len(small.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count("Requested") >= 5


def test_the_booth_page_offers_a_meeting_while_matching_is_on(client, expo, stand):
    from events.matching import availability
    from expo.services import office_add_organiser

    url = reverse("booths:booth", args=[expo.slug, stand.booth.slug])
    assert 'data-testid="book-meeting"' in client.get(url).content.decode()
    organiser = make_user(name="Own Organiser")
    office_add_organiser(office=expo.office, user=organiser)
    availability.matching_configure(
        expo=expo, by=organiser, enabled=False, meeting_minutes=30, cancel_cutoff_minutes=60
    )
    assert 'data-testid="book-meeting"' not in client.get(url).content.decode()
