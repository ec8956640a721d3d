"""The organiser workspace (``/manage/``): who may see what, the expo form and its time box in
Asia/Jakarta, the overview, the curation queue and decisions through the booths services.

The builders here (``make_vendor``, ``make_application``, ``world``, ``private_files``) are
fixtures that tests/expo/test_manage_documents.py imports too.
"""

from __future__ import annotations

import io
import itertools
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from booths.models import ApplicationPhoto, Booth, BoothApplication, Vendor, VendorMembership
from expo.models import AuditLogEntry, Expo, Office
from tests.conftest import move_to

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
_seq = itertools.count(1)


def image_bytes(fmt: str = "JPEG", size=(320, 240), colour=(30, 120, 90)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=fmt)
    return out.getvalue()


# --- Builders ------------------------------------------------------------------------------------


@pytest.fixture
def private_files():
    """The private storage the test settings configure (a temporary folder)."""
    from django.core.files.storage import storages

    return storages["private"]


@pytest.fixture
def make_vendor(make_user, regions, sectors):
    def build(*, name: str | None = None, members: tuple[Any, ...] | None = None) -> Vendor:
        n = next(_seq)
        vendor = Vendor.objects.create(
            name=name or f"Batik Sekar {n}",
            slug=f"batik-sekar-{n}",
            owner_name=f"Bu Sri {n}",
            nib=f"{9120000000000 + n}",
            region=regions[n % len(regions)],
            sector=sectors[1],
            size_class=Vendor.SizeClass.KECIL,
            address="Jl. Pemuda 12, Semarang",
            whatsapp="0812-3456-7890",
            story="Hand-drawn batik from our village.",
        )
        for user in members if members is not None else (make_user(),):
            VendorMembership.objects.create(
                vendor=vendor, user=user, role=VendorMembership.Role.OWNER
            )
        return vendor

    return build


@pytest.fixture
def make_application(make_vendor, private_files):
    def build(
        expo: Expo,
        *,
        vendor: Vendor | None = None,
        status: str = BoothApplication.Status.SUBMITTED,
        files: bool = True,
        photos: int = 1,
        halal: bool = False,
        submitted_at: datetime | None = None,
    ) -> BoothApplication:
        application = BoothApplication(
            expo=expo,
            vendor=vendor or make_vendor(),
            status=status,
            stock=BoothApplication.Stock.LIMITED,
            stock_note="About 200 pieces, more made to order.",
            motivation="We want buyers from abroad.",
        )
        if files:
            application.nib_document.save(f"{uuid.uuid4().hex}.pdf", ContentFile(PDF), save=False)
        if halal:
            application.halal_number = "ID33110000123"
            application.halal_document.save(
                f"{uuid.uuid4().hex}.png", ContentFile(image_bytes("PNG")), save=False
            )
        application.save()
        for position in range(photos if files else 0):
            ApplicationPhoto.objects.create(
                application=application,
                image=ContentFile(image_bytes(), name=f"{uuid.uuid4().hex}.jpg"),
                position=position,
            )
        if submitted_at is not None:
            BoothApplication.objects.filter(pk=application.pk).update(submitted_at=submitted_at)
            application.refresh_from_db()
        return application

    return build


@dataclass
class World:
    office: Office
    expo: Expo
    application: BoothApplication
    photo: ApplicationPhoto
    accounts: dict[str, Any]


@pytest.fixture
def world(
    make_office,
    make_organiser,
    make_user,
    buyer,
    admin_user,
    make_expo,
    make_vendor,
    make_application,
) -> World:
    """An open expo of one office with one waiting application, and one account of each kind."""
    office, other_office = make_office(), make_office()
    expo = make_expo("open", office=office, slug="expo-jateng")
    vendor_member, other_vendor_member = make_user(), make_user()
    vendor = make_vendor(name="Batik Sekar Jagad", members=(vendor_member,))
    make_vendor(name="Kopi Lereng", members=(other_vendor_member,))
    application = make_application(expo, vendor=vendor, halal=True, photos=2)
    return World(
        office=office,
        expo=expo,
        application=application,
        photo=application.photos.first(),
        accounts={
            "buyer": buyer,
            "vendor": vendor_member,
            "other_vendor": other_vendor_member,
            "other_organiser": make_organiser(office=other_office),
            "organiser": make_organiser(office=office),
            "admin": admin_user,
        },
    )


def fetch(client, url: str, **extra):
    """GET ``url``; a streamed file is read to the end, which closes it (the test client's wrapper
    does, without closing the test's database connection as a second ``close()`` would)."""
    response = client.get(url, **extra)
    if getattr(response, "streaming", False):
        response.content_bytes = b"".join(response.streaming_content)
    return response


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Who may see what ----------------------------------------------------------------------------

PAGES = ("index", "create", "overview", "edit", "curation", "application", "nib", "photo")


def manage_urls(world: World) -> dict[str, str]:
    slug, app = world.expo.slug, world.application.pk
    return {
        "index": reverse("manage:index"),
        "create": reverse("manage:expo_create"),
        "overview": reverse("manage:expo_overview", args=[slug]),
        "edit": reverse("manage:expo_edit", args=[slug]),
        "curation": reverse("manage:curation", args=[slug]),
        "application": reverse("manage:application", args=[app]),
        "nib": reverse("manage:application_document", args=[app, "nib"]),
        "photo": reverse("manage:application_document", args=[app, "photos", world.photo.pk]),
    }


EXPECTED = {
    "buyer": dict.fromkeys(PAGES, 403),
    # The vendor's own members read its documents (linked from the vendor workspace), nothing else.
    "vendor": {**dict.fromkeys(PAGES, 403), "nib": 200, "photo": 200},
    "other_vendor": dict.fromkeys(PAGES, 403),
    # An organiser has a workspace of their own, but not this office's expo.
    "other_organiser": {**dict.fromkeys(PAGES, 403), "index": 200, "create": 200},
    "organiser": dict.fromkeys(PAGES, 200),
    "admin": dict.fromkeys(PAGES, 200),
}


def test_urls_have_the_documented_paths(world):
    urls = manage_urls(world)
    app = world.application.pk
    assert urls["index"] == "/manage/"
    assert urls["overview"] == "/manage/expos/expo-jateng/"
    assert urls["curation"] == "/manage/expos/expo-jateng/applications/"
    assert urls["nib"] == f"/manage/applications/{app}/documents/nib/"
    assert urls["photo"] == f"/manage/applications/{app}/documents/photos/{world.photo.pk}/"
    assert reverse(
        "manage:application_document", kwargs={"application_id": app, "kind": "halal"}
    ) == (f"/manage/applications/{app}/documents/halal/")


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    for name, url in manage_urls(world).items():
        response = fetch(client, url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("account_login")), name


@pytest.mark.parametrize("account", list(EXPECTED))
def test_permission_matrix(client, world, account):
    client.force_login(world.accounts[account])
    got = {name: fetch(client, url).status_code for name, url in manage_urls(world).items()}
    assert got == EXPECTED[account]


@pytest.mark.parametrize("decision", ["approve", "reject", "request_changes"])
def test_an_organiser_of_another_office_cannot_decide(
    client, world, decision, django_capture_on_commit_callbacks
):
    client.force_login(world.accounts["other_organiser"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("manage:application", args=[world.application.pk]),
            {"decision": decision, "reason": "Not ours to decide."},
        )
    assert response.status_code == 403
    world.application.refresh_from_db()
    assert world.application.status == BoothApplication.Status.SUBMITTED
    assert not Booth.objects.exists()
    assert mail.outbox == []


def test_unknown_expo_and_application_are_404(client, world):
    client.force_login(world.accounts["organiser"])
    assert client.get(reverse("manage:expo_overview", args=["no-such-expo"])).status_code == 404
    assert client.get(reverse("manage:application", args=[999_999])).status_code == 404


# --- The organiser's expos -----------------------------------------------------------------------


def test_index_lists_the_offices_expos_with_state_counts_and_dates(
    client, make_office, make_organiser, make_expo, make_application, make_booth
):
    office = make_office()
    organiser = make_organiser(office=office)
    expo = make_expo("accepting", office=office, slug="mine")
    closed = make_expo("closed", office=office, slug="mine-closed")
    make_expo("open", slug="someone-elses")
    make_application(expo, files=False)
    make_application(expo, files=False)
    make_application(expo, files=False, status=BoothApplication.Status.CHANGES_REQUESTED)
    make_booth(expo)
    client.force_login(organiser)
    response = client.get(reverse("manage:index"))
    assert response.status_code == 200
    expos = response.context["expos"]
    assert [e.slug for e in expos] == ["mine", "mine-closed"]  # current first, then the archive
    assert (expos[0].waiting_count, expos[0].changes_count, expos[0].booth_count) == (2, 1, 1)
    assert (expos[1].waiting_count, expos[1].booth_count) == (0, 0)
    html = response.content.decode()
    assert "someone-elses" not in html
    assert "Accepting applications" in html and "Closed" in html
    # Dates in Asia/Jakarta, where the expo is organised.
    local = timezone.localtime(closed.closes_at, timezone=timezone.get_fixed_timezone(7 * 60))
    assert f"{local:%H:%M} WIB" in html


def test_index_for_a_platform_admin_shows_every_office(client, admin_user, make_expo):
    make_expo("open", slug="first")
    make_expo("draft", slug="second")
    client.force_login(admin_user)
    response = client.get(reverse("manage:index"))
    assert {e.slug for e in response.context["expos"]} == {"first", "second"}


def test_index_without_expos_invites_to_create_one(client, make_organiser):
    client.force_login(make_organiser())
    response = client.get(reverse("manage:index"))
    html = response.content.decode()
    assert 'data-testid="empty-state"' in html
    assert reverse("manage:expo_create") in html


def test_index_query_count_does_not_grow_with_expos(
    client, make_office, make_organiser, make_expo, make_application
):
    office = make_office()
    organiser = make_organiser(office=office)
    client.force_login(organiser)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("manage:index")).status_code == 200
        return len(queries)

    expo = make_expo("accepting", office=office)
    make_application(expo, files=False)
    few = count()
    for _ in range(5):
        make_application(make_expo("open", office=office), files=False)
    assert count() == few


# --- Creating and editing an expo ----------------------------------------------------------------


def expo_form_data(sectors, /, **overrides) -> dict:
    data = {
        "title_en": "Central Java Batik Week",
        "title_id": "Pekan Batik Jawa Tengah",
        "tagline_en": "Straight from the makers",
        "tagline_id": "Langsung dari pembatik",
        "description_en": "Batik from Pekalongan, Solo and Lasem.",
        "description_id": "Batik dari Pekalongan, Solo dan Lasem.",
        "slug": "batik-week",
        "applications_open_at": "2030-01-10T09:00",
        "application_deadline": "2030-02-01T17:00",
        "opens_at": "2030-02-10T08:00",
        "closes_at": "2030-02-13T21:00",
        "booth_quota": "80",
        "sectors": [s.pk for s in sectors],
    }
    data.update(overrides)
    return data


def test_create_form_says_times_are_in_jakarta_and_picks_the_only_office(client, make_organiser):
    client.force_login(make_organiser())
    response = client.get(reverse("manage:expo_create"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Asia/Jakarta" in html
    assert html.count('type="datetime-local"') == 4
    assert 'name="office"' not in html  # one office: nothing to choose


def test_create_stores_utc_from_jakarta_times_and_logs_it(client, make_organiser, sectors):
    organiser = make_organiser()
    client.force_login(organiser)
    response = client.post(reverse("manage:expo_create"), expo_form_data(sectors))
    assert response.status_code == 302
    expo = Expo.objects.get()
    assert response["Location"] == reverse("manage:expo_overview", args=[expo.slug])
    assert expo.office == organiser.offices.get()
    assert expo.applications_open_at == datetime(2030, 1, 10, 2, 0, tzinfo=UTC)
    assert expo.closes_at == datetime(2030, 2, 13, 14, 0, tzinfo=UTC)
    assert (expo.title_id, expo.booth_quota) == ("Pekan Batik Jawa Tengah", 80)
    assert set(expo.sectors.all()) == set(sectors)
    assert AuditLogEntry.objects.filter(action="expo.expo.created", object_id=str(expo.pk)).exists()


def test_create_makes_the_slug_from_the_title_when_left_empty(client, make_organiser, sectors):
    client.force_login(make_organiser())
    client.post(reverse("manage:expo_create"), expo_form_data(sectors, slug=""))
    assert Expo.objects.get().slug == "central-java-batik-week"


def test_an_organiser_of_several_offices_chooses_one(client, make_office, make_organiser, sectors):
    from expo import services

    first, second = make_office(name="Dinkop A"), make_office(name="Dinkop B")
    make_office(name="Not theirs")
    organiser = make_organiser(office=first)
    services.office_add_organiser(office=second, user=organiser)
    client.force_login(organiser)
    response = client.get(reverse("manage:expo_create"))
    choices = list(response.context["form"].fields["office"].queryset)
    assert choices == [first, second]
    client.post(reverse("manage:expo_create"), expo_form_data(sectors, office=second.pk))
    assert Expo.objects.get().office == second


def test_an_organiser_cannot_create_for_an_office_not_theirs(
    client, make_office, make_organiser, sectors
):
    from expo import services

    first, second, foreign = make_office(), make_office(), make_office()
    organiser = make_organiser(office=first)
    services.office_add_organiser(office=second, user=organiser)
    client.force_login(organiser)
    response = client.post(
        reverse("manage:expo_create"), expo_form_data(sectors, office=foreign.pk)
    )
    assert response.status_code == 400
    assert "office" in response.context["form"].errors
    assert not Expo.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"application_deadline": "2030-02-11T09:00"},
            "opens_at",
            "The expo must open on or after the application deadline.",
        ),
        (
            {"application_deadline": "2030-01-09T09:00"},
            "application_deadline",
            "The deadline must be after applications open.",
        ),
        ({"closes_at": "2030-02-10T08:00"}, "closes_at", "The expo must close after it opens."),
        ({"opens_at": "not a date"}, "opens_at", "Enter a valid date/time."),
        ({"sectors": []}, "sectors", "Choose at least one sector."),
        ({"booth_quota": "0"}, "booth_quota", "greater than or equal to 1"),
        ({"title_en": ""}, "title_en", "This field is required."),
        ({"slug": "new"}, "slug", "reserved"),
    ],
)
def test_create_with_bad_input_shows_the_error_and_creates_nothing(
    client, make_organiser, sectors, overrides, field, message
):
    client.force_login(make_organiser())
    response = client.post(reverse("manage:expo_create"), expo_form_data(sectors, **overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert message.split("(")[0] in response.content.decode().replace("&#x27;", "'")
    assert not Expo.objects.exists()


def test_time_box_errors_come_with_the_other_field_errors(client, make_organiser, sectors):
    client.force_login(make_organiser())
    response = client.post(
        reverse("manage:expo_create"),
        expo_form_data(sectors, sectors=[], closes_at="2030-02-01T08:00"),
    )
    errors = response.context["form"].errors
    assert errors["sectors"] == ["Choose at least one sector."]
    assert errors["closes_at"] == ["The expo must close after it opens."]
    assert not Expo.objects.exists()


def test_an_admin_without_any_office_is_told_so(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("manage:expo_create"), follow=True)
    assert response.redirect_chain == [(reverse("manage:index"), 302)]
    assert any("no office" in m for m in messages_of(response))


def test_create_refuses_a_taken_slug(client, make_organiser, make_expo, sectors):
    make_expo("open", slug="batik-week")
    client.force_login(make_organiser())
    response = client.post(reverse("manage:expo_create"), expo_form_data(sectors))
    assert response.status_code == 400
    assert "slug" in response.context["form"].errors
    assert Expo.objects.count() == 1


def test_hero_image_is_checked_and_reencoded(client, make_organiser, sectors):
    client.force_login(make_organiser())
    svg = SimpleUploadedFile(
        "hero.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/png"
    )
    response = client.post(
        reverse("manage:expo_create"), {**expo_form_data(sectors), "hero_image": svg}
    )
    assert response.status_code == 400
    assert "SVG" in " ".join(response.context["form"].errors["hero_image"])
    assert not Expo.objects.exists()

    photo = SimpleUploadedFile("my holiday.png", image_bytes("PNG", (2400, 900)), "image/png")
    response = client.post(
        reverse("manage:expo_create"), {**expo_form_data(sectors), "hero_image": photo}
    )
    assert response.status_code == 302
    hero = Expo.objects.get().hero_image
    assert hero.name.startswith("expos/hero/") and hero.name.endswith(".jpg")
    assert "holiday" not in hero.name
    with hero.open("rb") as handle, Image.open(handle) as stored:
        assert stored.format == "JPEG" and max(stored.size) == 2000


def test_edit_shows_jakarta_times_and_saves(client, make_organiser, make_expo, sectors):
    organiser = make_organiser()
    expo = make_expo("accepting", office=organiser.offices.get())
    Expo.objects.filter(pk=expo.pk).update(
        opens_at=datetime(2030, 2, 10, 1, 0, tzinfo=UTC),
        closes_at=datetime(2030, 2, 13, 14, 0, tzinfo=UTC),
    )
    client.force_login(organiser)
    url = reverse("manage:expo_edit", args=[expo.slug])
    html = client.get(url).content.decode()
    assert 'value="2030-02-10T08:00"' in html  # 01:00 UTC is 08:00 in Jakarta
    expo.refresh_from_db()
    data = expo_form_data(
        sectors[:1],
        slug=expo.slug,
        applications_open_at=f"{timezone.localtime(expo.applications_open_at):%Y-%m-%dT%H:%M}",
        application_deadline=f"{timezone.localtime(expo.application_deadline):%Y-%m-%dT%H:%M}",
        title_en="Renamed expo",
        booth_quota="12",
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    expo.refresh_from_db()
    assert (expo.title_en, expo.booth_quota) == ("Renamed expo", 12)
    assert list(expo.sectors.all()) == sectors[:1]
    assert AuditLogEntry.objects.filter(action="expo.expo.updated").exists()


def test_edit_with_a_bad_time_box_changes_nothing(client, make_organiser, make_expo, sectors):
    organiser = make_organiser()
    expo = make_expo("accepting", office=organiser.offices.get())
    before = Expo.objects.values().get(pk=expo.pk)
    client.force_login(organiser)
    response = client.post(
        reverse("manage:expo_edit", args=[expo.slug]),
        expo_form_data(sectors, slug=expo.slug, application_deadline="2030-03-01T09:00"),
    )
    assert response.status_code == 400
    assert "The expo must open on or after the application deadline." in (response.content.decode())
    assert Expo.objects.values().get(pk=expo.pk) == before
    # The page header shows the stored expo, not the refused values.
    assert response.context["expo"].title_en == before["title_en"]


def test_a_closed_expo_is_read_only(client, make_organiser, make_expo, sectors):
    organiser = make_organiser()
    expo = make_expo("closed", office=organiser.offices.get())
    before = Expo.objects.values().get(pk=expo.pk)
    client.force_login(organiser)
    url = reverse("manage:expo_edit", args=[expo.slug])
    response = client.get(url)
    html = response.content.decode()
    assert 'data-testid="read-only"' in html
    assert "can no longer be changed" in html
    assert all(field.disabled for field in response.context["form"].fields.values())
    assert 'type="submit"' not in html.split('data-testid="expo-form"')[1]
    response = client.post(url, expo_form_data(sectors, title_en="Rewritten history"))
    assert response.status_code == 400
    assert "A closed expo can no longer be changed" in response.content.decode()
    assert Expo.objects.values().get(pk=expo.pk) == before


# --- Overview ------------------------------------------------------------------------------------


def test_overview_shows_timeline_counts_and_links(
    client, make_organiser, make_expo, make_application, make_booth
):
    organiser = make_organiser()
    expo = make_expo("published", office=organiser.offices.get())
    make_application(expo, files=False)
    make_application(expo, files=False, status=BoothApplication.Status.REJECTED)
    make_booth(expo, products=3)
    client.force_login(organiser)
    response = client.get(reverse("manage:expo_overview", args=[expo.slug]))
    html = response.content.decode()
    steps = {step.state: step.status for step in response.context["timeline"]}
    assert steps == {
        "draft": "done",
        "accepting": "done",
        "published": "current",
        "open": "next",
        "closed": "next",
        "mall": "next",  # no mall set: the organiser may open one after closing
    }
    assert 'aria-current="step" data-state="published"' in html
    counts = response.context["counts"]
    assert (counts["submitted"], counts["rejected"], counts["approved"]) == (1, 1, 0)
    figures = response.context["figures"]
    assert (figures.booths, figures.products) == (1, 3)
    for link in (
        reverse("manage:expo_edit", args=[expo.slug]),
        reverse("manage:curation", args=[expo.slug]),
        reverse("booths:hall", args=[expo.slug]),
    ):
        assert link in html
    assert "View the hall" in html


def test_overview_offers_a_preview_before_the_hall_is_public(client, make_organiser, make_expo):
    organiser = make_organiser()
    expo = make_expo("accepting", office=organiser.offices.get())
    client.force_login(organiser)
    html = client.get(reverse("manage:expo_overview", args=[expo.slug])).content.decode()
    assert "Preview the hall" in html
    # and the hall lets the office's organisers preview it
    assert client.get(reverse("booths:hall", args=[expo.slug])).status_code == 200


# --- Curation queue ------------------------------------------------------------------------------


def test_queue_puts_waiting_first_oldest_first_and_filters(
    client, make_organiser, make_expo, make_application
):
    organiser = make_organiser()
    expo = make_expo("open", office=organiser.offices.get())
    now = timezone.now()
    S = BoothApplication.Status
    approved_old = make_application(
        expo, files=False, status=S.APPROVED, submitted_at=now - timedelta(days=9)
    )
    waiting_new = make_application(expo, files=False, submitted_at=now - timedelta(days=1))
    changes = make_application(
        expo, files=False, status=S.CHANGES_REQUESTED, submitted_at=now - timedelta(days=8)
    )
    waiting_old = make_application(expo, files=False, submitted_at=now - timedelta(days=5))
    client.force_login(organiser)
    url = reverse("manage:curation", args=[expo.slug])
    response = client.get(url)
    assert [a.pk for a in response.context["page_obj"]] == [
        waiting_old.pk,
        waiting_new.pk,
        changes.pk,
        approved_old.pk,
    ]
    html = response.content.decode()
    row = html.split('data-testid="queue-row"')[1]
    vendor = waiting_old.vendor
    for text in (vendor.name, str(vendor.region), vendor.sector.name_en, "Small (kecil)"):
        assert text in row
    assert "Limited stock, stated per product" in row and "Waiting for review" in row
    response = client.get(url, {"status": "submitted"})
    assert [a.pk for a in response.context["page_obj"]] == [waiting_old.pk, waiting_new.pk]
    # An unknown filter shows everything rather than failing.
    assert len(client.get(url, {"status": "bogus"}).context["page_obj"]) == 4


def test_queue_query_count_is_constant(
    client, make_organiser, make_expo, make_application, make_vendor
):
    organiser = make_organiser()
    expo = make_expo("open", office=organiser.offices.get())
    client.force_login(organiser)
    url = reverse("manage:curation", args=[expo.slug])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), len(response.context["page_obj"])

    for _ in range(5):
        make_application(expo, files=False, vendor=make_vendor(members=()))
    few, shown = count()
    assert shown == 5
    for _ in range(25):
        make_application(expo, files=False, vendor=make_vendor(members=()))
    many, shown = count()
    assert shown == 30
    assert many == few


# --- One application and the decisions -----------------------------------------------------------


def test_application_page_shows_profile_documents_photos_and_history(client, world):
    from expo.services import audit_log

    client.force_login(world.accounts["organiser"])
    app = world.application

    audit_log(action="booths.application.submitted", obj=app, user=world.accounts["vendor"])
    response = client.get(reverse("manage:application", args=[app.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    vendor = app.vendor
    for text in (vendor.name, vendor.owner_name, vendor.nib, "Jl. Pemuda 12", "0812-3456-7890"):
        assert text in html
    assert "Hand-drawn batik" in html and "We want buyers from abroad." in html
    assert "About 200 pieces" in html and "ID33110000123" in html
    assert reverse("manage:application_document", args=[app.pk, "nib"]) in html
    assert reverse("manage:application_document", args=[app.pk, "halal"]) in html
    assert reverse("manage:application_document", args=[app.pk, "permit"]) not in html  # none
    for photo in app.photos.all():
        src = reverse("manage:application_document", args=[app.pk, "photos", photo.pk])
        assert f'src="{src}"' in html
    assert "Application submitted" in html
    assert [e.action for e in response.context["history"]] == ["booths.application.submitted"]
    for decision in ("approve", "request_changes", "reject"):
        assert f'data-testid="decision-{decision}"' in html


def post_decision(client, application, decision: str, reason: str = ""):
    return client.post(
        reverse("manage:application", args=[application.pk]),
        {"decision": decision, "reason": reason},
    )


def test_approve_opens_a_booth_and_emails_the_vendor(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.accounts["organiser"])
    with django_capture_on_commit_callbacks(execute=True):
        response = post_decision(client, world.application, "approve")
    assert response.status_code == 302
    assert response["Location"] == reverse("manage:curation", args=[world.expo.slug])
    world.application.refresh_from_db()
    assert world.application.status == BoothApplication.Status.APPROVED
    assert world.application.decided_by == world.accounts["organiser"]
    booth = Booth.objects.get()
    assert (booth.expo, booth.vendor) == (world.expo, world.application.vendor)
    assert [m.to for m in mail.outbox] == [[world.accounts["vendor"].email]]
    assert world.expo.title_en in mail.outbox[0].subject
    follow = client.get(response["Location"])
    assert any("approved" in m for m in messages_of(follow))
    history = client.get(reverse("manage:application", args=[world.application.pk]))
    assert "booths.application.approved" in [e.action for e in history.context["history"]]


@pytest.mark.parametrize(
    ("decision", "status"),
    [("reject", "rejected"), ("request_changes", "changes_requested")],
)
def test_reject_and_request_changes_need_a_reason_and_email_it(
    client, world, decision, status, django_capture_on_commit_callbacks
):
    client.force_login(world.accounts["organiser"])
    with django_capture_on_commit_callbacks(execute=True):
        response = post_decision(client, world.application, decision, "  ")
    assert response.status_code == 400
    form = response.context["forms"][decision]
    assert form.errors["reason"]
    assert messages_of(response)
    world.application.refresh_from_db()
    assert world.application.status == BoothApplication.Status.SUBMITTED
    assert mail.outbox == []

    reason = "Please add a clearer photo of the <b>batik</b> tulis."
    with django_capture_on_commit_callbacks(execute=True):
        response = post_decision(client, world.application, decision, reason)
    assert response.status_code == 302
    world.application.refresh_from_db()
    assert (world.application.status, world.application.decision_reason) == (status, reason)
    assert not Booth.objects.exists()
    assert [m.to for m in mail.outbox] == [[world.accounts["vendor"].email]]
    assert "clearer photo" in mail.outbox[0].body
    page = client.get(reverse("manage:application", args=[world.application.pk]))
    html = page.content.decode()
    assert "&lt;b&gt;batik&lt;/b&gt;" in html and "<b>batik</b>" not in html


def test_quota_reached_is_a_clear_message_and_no_booth(
    client, world, make_booth, django_capture_on_commit_callbacks
):
    Expo.objects.filter(pk=world.expo.pk).update(booth_quota=1)
    make_booth(world.expo)
    client.force_login(world.accounts["organiser"])
    with django_capture_on_commit_callbacks(execute=True):
        response = post_decision(client, world.application, "approve")
    assert response.status_code == 400
    assert any("quota" in m and "(1)" in m for m in messages_of(response))
    assert "booth quota of this expo (1) is reached" in response.content.decode()
    world.application.refresh_from_db()
    assert world.application.status == BoothApplication.Status.SUBMITTED
    assert Booth.objects.count() == 1
    assert mail.outbox == []


def test_an_already_decided_application_is_not_decided_again(client, world):
    BoothApplication.objects.filter(pk=world.application.pk).update(
        status=BoothApplication.Status.REJECTED
    )
    client.force_login(world.accounts["organiser"])
    html = client.get(reverse("manage:application", args=[world.application.pk])).content.decode()
    assert 'data-testid="decision-approve"' not in html  # no forms for a decided application
    response = post_decision(client, world.application, "approve")
    assert response.status_code == 400
    assert any("already been decided" in m for m in messages_of(response))
    assert not Booth.objects.exists()


def test_decisions_are_refused_after_the_expo_closed(client, world):
    move_to(world.expo, "closed")
    client.force_login(world.accounts["organiser"])
    response = post_decision(client, world.application, "approve")
    assert response.status_code == 400
    assert any("This expo has closed." in m for m in messages_of(response))
    world.application.refresh_from_db()
    assert world.application.status == BoothApplication.Status.SUBMITTED
    assert not Booth.objects.exists()


def test_an_unknown_decision_changes_nothing(client, world):
    client.force_login(world.accounts["organiser"])
    response = post_decision(client, world.application, "delete-everything")
    assert response.status_code == 400
    world.application.refresh_from_db()
    assert world.application.status == BoothApplication.Status.SUBMITTED


def test_a_platform_admin_can_decide(client, world):
    client.force_login(world.accounts["admin"])
    assert post_decision(client, world.application, "approve").status_code == 302
    assert Booth.objects.filter(vendor=world.application.vendor).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_curators_approving_at_once_never_pass_the_quota(
    world, make_application, make_organiser
):
    """The last free booth, two approvals at the same moment from two organisers: the expo row
    lock in the service makes one wait, and it then sees the quota reached."""
    import threading

    from django.db import close_old_connections
    from django.test import Client

    assert connection.vendor == "postgresql", (
        "the PostgreSQL pass: DATABASE_URL=postgres://… -m postgres"
    )
    Expo.objects.filter(pk=world.expo.pk).update(booth_quota=1)
    applications = [world.application, make_application(world.expo, files=False)]
    curators = [world.accounts["organiser"], make_organiser(office=world.office)]
    start = threading.Barrier(2)
    answers: list[tuple[int, str]] = []

    def approve(curator, application) -> None:
        try:
            client = Client()
            client.force_login(curator)
            start.wait(timeout=10)
            response = client.post(
                reverse("manage:application", args=[application.pk]), {"decision": "approve"}
            )
            answers.append((response.status_code, response.content.decode()))
        finally:
            close_old_connections()
            connection.close()

    threads = [
        threading.Thread(target=approve, args=pair)
        for pair in zip(curators, applications, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(code for code, _page in answers) == [302, 400]
    refused = next(page for code, page in answers if code == 400)
    assert "The booth quota of this expo (1) is reached." in refused
    assert Booth.objects.filter(expo=world.expo).count() == 1
    statuses = sorted(BoothApplication.objects.values_list("status", flat=True))
    assert statuses == ["approved", "submitted"]
