"""`manage.py seed_demo`: the demo accounts and an open expo full of booths, idempotently."""

from __future__ import annotations

import csv
import io
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image

from booths.models import ApplicationPhoto, Booth, BoothApplication, Product, ProductImage, Vendor
from events.models import ChatMessage, LiveSession, SessionPin
from expo import regions, timebox
from expo.demo import seed as demo
from expo.demo.catalogue import APPLICANTS, DEMO_VENDOR_MAKER, MAKERS
from expo.models import Expo, ExpoState, OfficeMembership, Sector
from payments.models import Order, OrderLine, SalesLedgerEntry


@pytest.fixture
def demo_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The demo's four passwords are hashed on every run; a fast hasher keeps this test quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings


def _counts() -> dict[str, int]:
    return {
        "vendors": Vendor.objects.count(),
        "applications": BoothApplication.objects.count(),
        "photos": ApplicationPhoto.objects.count(),
        "booths": Booth.objects.count(),
        "products": Product.objects.count(),
        "images": ProductImage.objects.count(),
        "expos": Expo.objects.count(),
    }


@pytest.mark.django_db
def test_seed_demo_builds_an_open_expo_and_is_idempotent(demo_settings, client, capsys):
    started = time.perf_counter()
    call_command("seed_demo")
    first_run = time.perf_counter() - started
    out = capsys.readouterr().out
    for account in demo.DEMO_ACCOUNTS:
        assert account.email in out and account.password in out

    expo = Expo.objects.get(slug=demo.DEMO_EXPO_SLUG)
    assert expo.title_id == "UKM Virtual Expo Jawa Tengah" and expo.title_en
    assert expo.tagline_en and expo.tagline_id and expo.description_en and expo.description_id
    assert expo.state == ExpoState.OPEN
    assert timebox.allows(expo, timebox.Action.BUY)
    now = timezone.now()
    assert now - timedelta(days=11) < expo.applications_open_at < now - timedelta(days=9)
    assert expo.application_deadline < now < expo.closes_at <= now + timedelta(days=3)
    assert expo.booth_quota == 60
    assert expo.office.province == "Jawa Tengah"
    assert set(expo.sectors.all()) == set(Sector.objects.all())

    booths = Booth.objects.filter(expo=expo, application__status="approved", is_active=True)
    assert booths.count() >= 40
    assert booths.count() <= expo.booth_quota
    assert booths.values("vendor__region").distinct().count() >= 10
    for sector in Sector.objects.all():
        assert booths.filter(vendor__sector=sector).exists(), sector.slug
    assert booths.filter(is_halal=True, vendor__sector__slug="kuliner").exists()
    assert not booths.filter(is_halal=True).exclude(application__halal_number__gt="").exists()

    products = Product.objects.filter(booth__expo=expo)
    assert products.count() >= 300
    assert not products.filter(images__isnull=True).exists(), "every product has a photo"
    assert products.filter(is_preorder=True).exists()
    assert products.filter(is_featured=True).exists()
    assert all(15_000 <= p <= 3_500_000 for p in products.values_list("price", flat=True))
    assert not products.filter(is_preorder=True, preorder_lead_days__isnull=True).exists()
    assert not products.filter(is_preorder=True, preorder_quota__isnull=True).exists()
    assert not products.filter(is_preorder=False, preorder_quota__isnull=False).exists()
    for product in products.filter(booth__slug="batik-lasem-sekar-kencana"):
        assert product.name_en and product.name_id
        assert product.description_en and product.description_id

    # Pictures went through the storage: the photo, its thumbnail, covers and logos are there.
    for image in ProductImage.objects.filter(product__booth__expo=expo).select_related("product"):
        assert default_storage.exists(image.image.name)
        assert default_storage.exists(image.thumbnail.name)
    sample = ProductImage.objects.first()
    with default_storage.open(sample.image.name) as f, Image.open(f) as picture:
        assert picture.format == "JPEG" and picture.size == (800, 800)
    with default_storage.open(sample.thumbnail.name) as f, Image.open(f) as thumb:
        assert max(thumb.size) <= 480
    assert not booths.filter(cover_image="").exists()
    assert not Vendor.objects.filter(booths__expo=expo, logo="").exists()

    # The hall's aggregates are what the services would have computed.
    for booth in booths:
        prices = list(booth.products.filter(is_active=True).values_list("price", flat=True))
        assert booth.product_count == len(prices)
        assert (booth.min_price, booth.max_price) == (min(prices), max(prices))
        assert booth.has_preorder == booth.products.filter(is_preorder=True).exists()

    pending = BoothApplication.objects.filter(expo=expo, status="submitted")
    assert pending.count() >= 4
    for application in pending:
        assert application.nib_document.name
        with application.nib_document.open("rb") as f:
            assert f.read(5) == b"%PDF-"
        assert application.photos.count() >= 1
        assert not hasattr(application, "booth") or application.booth is None
    changes = BoothApplication.objects.get(expo=expo, status="changes_requested")
    assert changes.decision_reason and changes.decided_by is not None

    # The agenda: four sessions inside the window, the first live now on the demo vendor's booth
    # with pinned products of its own booth; the demo booth's chat is not empty.
    sessions = LiveSession.objects.filter(booth__expo=expo).order_by("starts_at")
    assert sessions.count() == len(demo.DEMO_SESSIONS)
    assert all(expo.opens_at <= s.starts_at < s.ends_at <= expo.closes_at for s in sessions)
    live = sessions.first()
    assert live.starts_at <= timezone.now() < live.ends_at
    assert live.booth.vendor.name == DEMO_VENDOR_MAKER
    assert live.pins.count() == 3
    assert (
        not SessionPin.objects.filter(session__in=sessions)
        .exclude(product__booth=F("session__booth"))
        .exists()
    )
    assert ChatMessage.objects.filter(room_kind="booth", room_id=live.booth_id).count() == 4
    assert client.get(f"/expos/{expo.slug}/agenda/").status_code == 200

    # The first sales, made through the payments services: the ledger holds exactly the paid
    # lines, some came through the live session, the demo buyer has orders of its own, and
    # buyers from abroad are among them. Nobody was mailed about the demo's history.
    orders = Order.objects.filter(expo=expo)
    paid_lines = OrderLine.objects.filter(order__expo=expo, order__paid_at__isnull=False)
    assert orders.filter(paid_at__isnull=False).count() >= 20
    assert orders.filter(status="pending").exists()
    ledger = SalesLedgerEntry.objects.filter(expo=expo)
    assert ledger.count() == paid_lines.count()
    assert sum(ledger.values_list("amount", flat=True)) == sum(line.amount for line in paid_lines)
    assert ledger.filter(channel="live_session").exists()
    assert ledger.exclude(buyer_country="ID").exists()
    assert orders.filter(buyer__email=demo.BUYER.email).count() == 2
    assert hasattr(expo, "collecting_account") and expo.exchange_rates.count() == 7
    assert not mail.outbox

    # The accounts: each can log in through the real login form; roles are in place.
    for account in demo.DEMO_ACCOUNTS:
        client.logout()
        response = client.post(
            "/accounts/login/", {"login": account.email, "password": account.password}
        )
        assert response.status_code == 302, account.email
        assert "_auth_user_id" in client.session, account.email
    vendor_booth = Booth.objects.get(expo=expo, vendor__name=DEMO_VENDOR_MAKER)
    assert vendor_booth.vendor.members.filter(email=demo.VENDOR.email).exists()
    assert vendor_booth.application.status == "approved"
    assert OfficeMembership.objects.filter(
        user__email=demo.ORGANISER.email, office=expo.office
    ).exists()

    # Running again creates nothing, keeps every count, and is quick.
    before = _counts()
    before_orders = orders.count()
    started = time.perf_counter()
    call_command("seed_demo")
    second_run = time.perf_counter() - started
    assert "created this run: 0 vendors, 0 applications, 0 booths, 0 products" in (
        capsys.readouterr().out
    )
    assert _counts() == before
    assert sessions.count() == len(demo.DEMO_SESSIONS)
    assert ChatMessage.objects.count() == 4
    assert orders.count() == before_orders
    assert second_run < max(3.0, first_run / 2), (first_run, second_run)


@pytest.mark.django_db
def test_a_closed_demo_expo_is_opened_again(demo_settings):
    office = demo.seed_office()
    expo = demo.seed_expo(office)
    now = timezone.now()
    Expo.objects.filter(pk=expo.pk).update(
        applications_open_at=now - timedelta(days=30),
        application_deadline=now - timedelta(days=20),
        opens_at=now - timedelta(days=10),
        closes_at=now - timedelta(days=7),
    )
    expo = demo.seed_expo(office)
    assert expo.state == ExpoState.OPEN
    assert Expo.objects.filter(slug=demo.DEMO_EXPO_SLUG).count() == 1


def test_the_catalogue_is_consistent():
    region_codes = {row.code for row in regions.read_regions(regions.CENTRAL_JAVA_CSV)}
    sector_slugs = {row.slug for row in regions.read_sectors()}
    names = [m.name for m in MAKERS] + [a.name for a in APPLICANTS]
    assert len(set(names)) == len(names)
    assert len({slugify(n) for n in names}) == len(names)
    assert DEMO_VENDOR_MAKER in names
    assert {m.sector for m in MAKERS} == sector_slugs
    assert len({m.region for m in MAKERS}) >= 10
    assert sum(len(line.items) for m in MAKERS for line in m.lines) >= 300
    assert {a.status for a in APPLICANTS} == {"submitted", "changes_requested"}
    categories = {value for value, _ in Product.Category.choices}
    for maker in [*MAKERS, *APPLICANTS]:
        assert maker.region in region_codes, maker.name
        assert maker.sector in sector_slugs, maker.name
        assert maker.permit in ("", "pirt", "bpom")
    for maker in MAKERS:
        assert maker.size in ("mikro", "kecil", "menengah")
        assert maker.tagline_en and maker.tagline_id and maker.story_en and maker.story_id
        assert len(maker.tagline_en) <= 160 and len(maker.tagline_id) <= 160
        if maker.sector == "kuliner":
            assert maker.halal and maker.permit, maker.name
        slugs = set()
        for line in maker.lines:
            assert line.category in categories, (maker.name, line.category)
            assert line.about_en and line.about_id
            assert line.min_order >= 1
            if line.preorder:
                lead, quota = line.preorder
                assert lead > 0 and quota > 0
            for item in line.items:
                assert isinstance(item.price, int) and 15_000 <= item.price <= 3_500_000, item
                assert item.name_en and item.name_id and len(item.name_en) <= 160
                assert item.grams >= 0
                slugs.add(slugify(item.name_en))
        assert len(slugs) == sum(len(line.items) for line in maker.lines), maker.name


def test_scaled_makers_give_the_bench_its_size():
    makers = demo.scaled_makers(200, 15)
    assert len(makers) == 200
    assert len({m.name for m in makers}) == 200
    assert all(sum(len(line.items) for line in m.lines) == 15 for m in makers)
    for maker in makers[:60]:
        slugs = [slug for slug, _, _ in demo.planned_slugs(maker)]
        assert len(set(slugs)) == len(slugs)


def test_tiny_pdf_is_a_pdf():
    data = demo.tiny_pdf(["NOMOR INDUK BERUSAHA (NIB)", "Nama usaha: Lanting Ibu Ratmi"])
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    xref = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
    assert data[xref:].startswith(b"xref")
    assert b"(NOMOR INDUK BERUSAHA \\(NIB\\)) '" in data


def test_regions_csv_has_the_documented_columns():
    with open(regions.CENTRAL_JAVA_CSV, encoding="utf-8") as f:
        rows = list(csv.DictReader(io.StringIO(f.read())))
    assert list(rows[0]) == ["province", "code", "name", "kind"]
    assert len(rows) == 35


def _business_counts() -> dict[str, int]:
    from booths.deals import Lead
    from booths.models import QuoteRequest
    from booths.rubrics import ApplicationScore, CurationRubric
    from booths.venues import Stand
    from events.matching.models import Meeting, MeetingAvailability
    from expo.models import BuyerConsent, BuyerProfile
    from payments.models import Quotation

    return {
        "windows": MeetingAvailability.objects.count(),
        "meetings": Meeting.objects.count(),
        "profiles": BuyerProfile.objects.count(),
        "consents": BuyerConsent.objects.count(),
        "requests": QuoteRequest.objects.count(),
        "quotations": Quotation.objects.count(),
        "leads": Lead.objects.count(),
        "stands": Stand.objects.count(),
        "assigned": Stand.objects.filter(booth__isnull=False).count(),
        "rubrics": CurationRubric.objects.count(),
        "scores": ApplicationScore.objects.count(),
    }


@pytest.mark.django_db
def test_seed_demo_shows_the_business_side_and_is_idempotent(demo_settings):
    from booths.deals import Lead
    from booths.models import QuoteRequest
    from booths.rubrics import CurationRubric
    from booths.venues import Stand, Venue
    from events.matching import selectors as matching
    from events.matching.models import Meeting, MeetingAvailability, MeetingStatus
    from expo import buyers
    from expo.models import User
    from payments.models import Quotation

    makers = [m for m in MAKERS if m.name == DEMO_VENDOR_MAKER] + [
        m for m in MAKERS if m.name != DEMO_VENDOR_MAKER
    ][:6]
    demo.seed_demo(makers=makers, applicants=APPLICANTS[:4])
    expo = Expo.objects.get(slug=demo.DEMO_EXPO_SLUG)
    buyer = User.objects.get(email=demo.BUYER.email)
    vendor = User.objects.get(email=demo.VENDOR.email)
    demo_booth = Booth.objects.get(expo=expo, vendor__memberships__user=vendor)

    # Matching is on, and a few booths' vendors meet buyers in WIB office hours inside the expo.
    window = matching.window_of(expo)
    assert window is not None and window.length == timedelta(minutes=20)
    windows = MeetingAvailability.objects.filter(expo=expo)
    assert windows.values("vendor").distinct().count() >= 3
    assert windows.filter(vendor=demo_booth.vendor, member=vendor).exists()
    for row in windows:
        assert expo.opens_at <= row.starts_at < row.ends_at <= expo.closes_at
        assert (
            9 <= timezone.localtime(row.starts_at).hour < timezone.localtime(row.ends_at).hour <= 16
        )
    # The demo buyer has a business profile with consent, and two meetings with the demo vendor.
    assert buyers.is_ready_to_meet(buyer) and buyers.profile_of(buyer).company
    statuses = sorted(
        Meeting.objects.filter(expo=expo, buyer=buyer, vendor=demo_booth.vendor).values_list(
            "status", flat=True
        )
    )
    assert statuses == sorted([MeetingStatus.CONFIRMED, MeetingStatus.REQUESTED])
    # An export deal: the buyer's request for quotation, quoted; the buyer is the booth's lead.
    request = QuoteRequest.objects.get(booth=demo_booth, buyer=buyer)
    assert request.status == QuoteRequest.Status.QUOTED
    quotation = Quotation.objects.get(request=request)
    assert quotation.total > 0 and quotation.revisions.count() == 1
    assert Lead.objects.filter(booth=demo_booth, buyer=buyer).exists()
    # The venue's numbered stands, the demo booth's among those given out.
    venue = Venue.objects.get(expo=expo)
    assert venue.stands.count() >= 4
    assert Stand.objects.filter(venue=venue, booth=demo_booth).exists()
    assert Stand.objects.filter(venue=venue, booth__isnull=False).count() >= 3
    # The curators' rubric, a few graded applications, and every application's declared turnover.
    assert CurationRubric.objects.filter(expo=expo).exists()
    graded = BoothApplication.objects.filter(expo=expo).exclude(curation_grade="")
    assert graded.count() >= 3 and graded.filter(pk=demo_booth.application_id).exists()
    assert graded.filter(status="submitted").exists()
    applications = BoothApplication.objects.filter(expo=expo)
    assert not applications.filter(declared_turnover__isnull=True).exists()
    assert applications.values("declared_turnover").distinct().count() >= 3

    before = (_business_counts(), _counts())
    demo.seed_demo(makers=makers, applicants=APPLICANTS[:4])
    assert (_business_counts(), _counts()) == before

    # Days later the demo expo has closed and is opened again: the business side comes back at
    # times still to come; the earlier run's request, passed unanswered, is declined.
    back = timedelta(days=10)
    Expo.objects.filter(pk=expo.pk).update(
        applications_open_at=F("applications_open_at") - back,
        application_deadline=F("application_deadline") - back,
        opens_at=F("opens_at") - back,
        closes_at=F("closes_at") - back,
    )
    for model in (MeetingAvailability, Meeting):
        model.objects.update(starts_at=F("starts_at") - back, ends_at=F("ends_at") - back)
    demo.seed_demo(makers=makers, applicants=APPLICANTS[:4])
    upcoming = Meeting.objects.filter(buyer=buyer, ends_at__gt=timezone.now())
    assert sorted(upcoming.values_list("status", flat=True)) == statuses
    assert Meeting.objects.filter(buyer=buyer, status=MeetingStatus.DECLINED).count() == 1
    assert MeetingAvailability.objects.filter(ends_at__gt=timezone.now()).exists()
