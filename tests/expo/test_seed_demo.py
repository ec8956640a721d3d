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
