"""The e-mails curation decisions send to every member of the vendor, in each member's language:
subject and body name the expo, carry the organiser's reason and an absolute link to the
application page in the vendor workspace."""

from __future__ import annotations

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from booths import services
from booths.models import BoothApplication
from tests.booths.test_vendor_views import image_upload, pdf_upload

REASON = 'Your photos are dark & the P-IRT "number" <is> missing.'


@pytest.fixture
def application(make_user, make_expo, regions, sectors):
    owner = make_user(name="Sri Lestari", language="en")
    staff = make_user(name="Budi Santoso", language="id", time_zone="Asia/Makassar")
    expo = make_expo("accepting")
    expo.title_en, expo.title_id = "Central Java Craft Week", "Pekan Kriya Jawa Tengah"
    expo.save()
    vendor = services.vendor_register(
        user=owner,
        name="Batik Sekar & Co",
        owner_name="Sri",
        nib="9120001234567",
        region=regions[0],
        sector=sectors[1],
        whatsapp="6281234567890",
    )
    services.vendor_add_member(vendor=vendor, email=staff.email, by=owner)
    return services.application_submit(
        expo=expo,
        vendor=vendor,
        by=owner,
        nib_document=pdf_upload(),
        stock="ready",
        photos=[image_upload()],
    )


def link(application: BoothApplication, settings) -> str:
    return settings.SITE_URL + reverse(
        "vendor:application", args=[application.vendor.slug, application.expo.slug]
    )


def by_recipient() -> dict[str, mail.EmailMessage]:
    return {message.to[0]: message for message in mail.outbox}


@pytest.mark.parametrize(
    ("decide", "subject_en", "reason_shown"),
    [
        ("approve", "Approved: your booth at Central Java Craft Week", False),
        ("reject", "Your application to Central Java Craft Week was declined", True),
        ("request_changes", "Changes requested: your application to Central Java Craft Week", True),
    ],
)
def test_each_decision_mails_every_member_in_their_language(
    application,
    make_organiser,
    settings,
    django_capture_on_commit_callbacks,
    decide,
    subject_en,
    reason_shown,
):
    organiser = make_organiser(office=application.expo.office)
    with django_capture_on_commit_callbacks(execute=True):
        if decide == "approve":
            services.application_approve(application=application, by=organiser)
        else:
            getattr(services, f"application_{decide}")(
                application=application, by=organiser, reason=REASON
            )
    messages = by_recipient()
    owner, staff = (m.user for m in application.vendor.memberships.order_by("role"))
    english, indonesian = messages[owner.email], messages[staff.email]
    assert english.subject == f"[{settings.PLATFORM_NAME}] {subject_en}"
    assert "Pekan Kriya Jawa Tengah" in indonesian.subject  # the expo's Indonesian title
    assert "Hello Sri," in english.body and "Batik Sekar & Co" in english.body
    assert "Pekan Kriya Jawa Tengah" in indonesian.body
    for message in (english, indonesian):
        assert link(application, settings) in message.body
        assert "&amp;" not in message.body and "&quot;" not in message.body  # plain text
        assert (REASON in message.body) is reason_shown
        assert "\n" not in message.subject


def test_the_changes_mail_gives_the_deadline_in_the_recipients_time_zone(
    application, make_organiser, django_capture_on_commit_callbacks
):
    organiser = make_organiser(office=application.expo.office)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_request_changes(application=application, by=organiser, reason=REASON)
    staff_mail = next(m for m in mail.outbox if "Budi" in m.body)
    assert "Asia/Makassar" in staff_mail.body


@pytest.mark.parametrize("language", ["en", "id"])
@pytest.mark.parametrize("status", ["approved", "rejected", "changes_requested"])
def test_templates_render_in_both_languages(application, settings, language, status):
    application.status = status
    application.decision_reason = "" if status == "approved" else REASON
    recipient = application.vendor.memberships.get(role="owner").user
    context = {
        "application": application,
        "expo": application.expo,
        "vendor": application.vendor,
        "site_url": settings.SITE_URL,
        "recipient": recipient,
    }
    with translation.override(language):
        subject = render_to_string(f"booths/email/application_{status}_subject.txt", context)
        body = render_to_string(f"booths/email/application_{status}_message.txt", context)
    title = application.expo.title_id if language == "id" else application.expo.title_en
    assert title in subject and title in body
    assert subject.strip() and "\n" not in subject.strip()
    assert link(application, settings) in body
    if status != "approved":
        assert REASON in body
    assert "{%" not in body and "{{" not in body


def test_a_title_with_line_breaks_stays_on_one_subject_line(application, settings):
    application.expo.title_en = "Craft\r\nWeek"
    context = {
        "application": application,
        "expo": application.expo,
        "vendor": application.vendor,
        "site_url": settings.SITE_URL,
        "recipient": application.vendor.memberships.first().user,
    }
    subject = render_to_string("booths/email/application_approved_subject.txt", context)
    assert "Craft Week" in subject and "\r" not in subject and "\n" not in subject.strip()
