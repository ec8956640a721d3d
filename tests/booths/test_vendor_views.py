"""The vendor workspace through its URLs: dashboard, registration, profile, team, applications,
booth editor and products; uploads refused with a clear message; constant query counts.

Builders for vendors, their booths and uploads live here; the permission matrix
(test_vendor_permissions.py) and the service tests import them.
"""

from __future__ import annotations

import io
import itertools
import os

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from booths import images, services, visits
from booths.models import (
    ApplicationPhoto,
    Booth,
    BoothApplication,
    Product,
    ProductImage,
    Vendor,
    VendorMembership,
)
from booths.services import applications as application_services
from expo.models import Sector
from tests.conftest import move_to

# --- Builders ------------------------------------------------------------------------------------

_n = itertools.count(1)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'
)
TEXT = b"just some text, not a picture\n" * 20


def image_bytes(fmt: str = "JPEG", size=(320, 240), colour=(200, 80, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=fmt)
    return out.getvalue()


def noisy_png(side: int = 200) -> bytes:
    """A PNG that does not compress: big in bytes for its size in pixels."""
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, format="PNG")
    return out.getvalue()


def image_upload(name: str = "photo.jpg", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data or image_bytes(), content_type="image/jpeg")


def pdf_upload(name: str = "nib.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def vendor_form_data(region, sector, /, **overrides) -> dict:
    data = {
        "name": "Batik Sekar Jagad",
        "owner_name": "Sri Lestari",
        "nib": "9120 0012 3456 7",
        "region": region.pk,
        "sector": sector.pk,
        "size_class": "kecil",
        "address": "Jl. Pahlawan 1, Purbalingga",
        "whatsapp": "0812-3456-7890",
        "story": "Hand-drawn batik since 1998.",
    }
    data.update(overrides)
    return data


def product_form_data(**overrides) -> dict:
    data = {
        "name_en": "Tempe chips, 250 g",
        "name_id": "Keripik tempe, 250 g",
        "description_en": "Crisp.",
        "description_id": "Renyah.",
        "category": "snack",
        "price": "25.000",
        "stock": "40",
        "weight_grams": "250",
        "min_order": "1",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def application_form_data(**overrides) -> dict:
    data = {
        "nib_document": pdf_upload(),
        "photos": [image_upload("a.jpg"), image_upload("b.png", image_bytes("PNG"))],
        "stock": "ready",
        "stock_note": "200 packs a week.",
        "motivation": "To reach buyers abroad.",
        "declared_turnover": "750.000.000",
    }
    data.update(overrides)
    return data


@pytest.fixture
def food_sector(db) -> Sector:
    """The food and drink sector of expo/data/sectors.csv (loaded by migration 0002)."""
    return Sector.objects.get(slug="kuliner")


@pytest.fixture
def make_vendor(make_user, regions, sectors):
    """A vendor registered through the service, its owner first; ``staff`` accounts added."""

    def build(*, owner=None, sector=None, name: str | None = None, staff=()) -> Vendor:
        owner = owner or make_user(name="Owner")
        vendor = services.vendor_register(
            user=owner,
            name=name or f"UMKM {next(_n):03d}",
            owner_name="Sri",
            nib="9120001234567",
            region=regions[0],
            sector=sector or sectors[1],
            whatsapp="6281234567890",
            story="Made by hand.",
        )
        for user in staff:
            VendorMembership.objects.create(vendor=vendor, user=user)
        return vendor

    return build


@pytest.fixture
def make_vendor_booth():
    """A booth of ``vendor`` at ``expo`` (as an approval opens it) with ``products`` products, each
    with ``photos`` photo rows (names only: nothing is read from disk)."""

    def build(vendor: Vendor, expo, *, products: int = 2, photos: int = 1) -> Booth:
        application = BoothApplication.objects.create(
            expo=expo,
            vendor=vendor,
            status=BoothApplication.Status.APPROVED,
            nib_document="applications/nib/x.pdf",
            stock="ready",
        )
        booth = Booth.objects.create(
            expo=expo, vendor=vendor, application=application, slug=f"{vendor.slug}-booth"
        )
        for i in range(products):
            product = Product.objects.create(
                booth=booth,
                slug=f"product-{i}",
                name_en=f"Product {i}",
                name_id=f"Produk {i}",
                category=Product.Category.FOOD,
                price=10_000 + i,
                stock=5,
            )
            ProductImage.objects.bulk_create(
                ProductImage(
                    product=product,
                    image=f"products/{product.pk}-{k}.jpg",
                    thumbnail=f"products/thumbs/{product.pk}-{k}.jpg",
                    width=800,
                    height=800,
                    position=k,
                )
                for k in range(photos)
            )
        services.booth_refresh_aggregates([booth.pk])
        booth.refresh_from_db()
        return booth

    return build


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()
    with visits._lock:  # public pages opened by a test record visits; drop them
        visits._buffer.clear()


def login(client, user):
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def url(name: str, *args) -> str:
    return reverse(f"vendor:{name}", args=args)


# --- Dashboard and registration ------------------------------------------------------------------


def test_an_account_without_a_business_is_invited_to_register(client, buyer):
    response = login(client, buyer).get(url("index"))
    assert response.status_code == 200
    assert "vendor/welcome.html" in [t.name for t in response.templates]
    assert url("register") in response.content.decode()


def test_dashboard_shows_card_applications_booths_and_open_calls(
    client, make_vendor, make_vendor_booth, make_expo
):
    vendor = make_vendor(name="Batik Sekar")
    owner = vendor.members.get()
    open_expo = make_expo("open")
    booth = make_vendor_booth(vendor, open_expo, products=3)
    waiting = make_expo("accepting")
    rejected_expo = make_expo("accepting")
    BoothApplication.objects.create(
        expo=rejected_expo,
        vendor=vendor,
        status=BoothApplication.Status.REJECTED,
        decision_reason="Photos <too> dark & blurry",
        nib_document="x.pdf",
        stock="ready",
    )
    fresh = make_expo("accepting")
    make_expo("published")  # not accepting: not offered

    html = login(client, owner).get(url("index")).content.decode()
    assert "Batik Sekar" in html and "9120001234567" in html and "+62 812-3456-7890" in html
    # Applications, with the organiser's reason (escaped) and the next step.
    assert "Photos &lt;too&gt; dark &amp; blurry" in html
    assert url("booth_edit", vendor.slug, open_expo.slug) in html
    assert url("products", vendor.slug, open_expo.slug) in html
    assert reverse("booths:booth", args=[open_expo.slug, booth.slug]) in html
    # Expos taking applications that it has not applied to: "Apply".
    assert url("apply", vendor.slug, fresh.slug) in html
    assert url("apply", vendor.slug, waiting.slug) in html
    assert url("apply", vendor.slug, rejected_expo.slug) not in html


def test_vendor_index_remembers_the_chosen_business(client, make_user, make_vendor):
    user = make_user()
    first = make_vendor(owner=user, name="Aaa Batik")
    second = make_vendor(owner=user, name="Zzz Kopi")
    login(client, user)
    assert client.get(url("index")).context["vendor"] == first
    assert client.get(url("dashboard", second.slug)).status_code == 200
    response = client.get(url("index"))
    assert response.context["vendor"] == second
    assert url("dashboard", first.slug) in response.content.decode()  # the switcher


def test_register_normalises_and_makes_the_account_owner(client, buyer, regions, sectors):
    login(client, buyer)
    response = client.post(
        url("register"),
        vendor_form_data(regions[1], sectors[1], logo=image_upload("logo.png")),
    )
    vendor = Vendor.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("dashboard", vendor.slug)
    assert vendor.nib == "9120001234567"
    assert vendor.whatsapp == "6281234567890"
    assert vendor.region == regions[1]
    assert vendor.logo.name.startswith("vendors/logos/")
    assert "logo" not in vendor.logo.name.rsplit("/", 1)[-1]  # a fresh name, re-encoded
    assert VendorMembership.objects.get(vendor=vendor, user=buyer).role == "owner"


def test_register_page_groups_or_sorts_regions(client, buyer, regions):
    html = login(client, buyer).get(url("register")).content.decode()
    assert html.index("Kab. Banyumasan") < html.index("Kab. Purbalinggan")
    assert "Kota Surakartan" in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nib", "12345", "exactly 13 digits"),
        ("nib", "91200012345678", "exactly 13 digits"),
        ("nib", "91200O1234567", "exactly 13 digits"),
        ("whatsapp", "021 555 1234", "Indonesian mobile number"),
        ("whatsapp", "0812-abc", "digits only"),
        ("whatsapp", "", "This field is required"),
        ("region", "", "This field is required"),
    ],
)
def test_register_refuses_bad_input(client, buyer, regions, sectors, field, value, message):
    login(client, buyer)
    response = client.post(
        url("register"), vendor_form_data(regions[0], sectors[0], **{field: value})
    )
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert not Vendor.objects.exists()


@pytest.mark.parametrize(
    ("number", "stored"),
    [
        ("0812-3456-7890", "6281234567890"),
        ("+62 812 3456 7890", "6281234567890"),
        ("62 812 3456 789", "628123456789"),
        ("812 3456 7890", "6281234567890"),
        ("(0857) 1234 5678", "6285712345678"),
    ],
)
def test_whatsapp_numbers_are_normalised(number, stored):
    from booths.forms import normalise_whatsapp

    assert normalise_whatsapp(number) == stored


def test_a_vendor_slug_never_shadows_a_fixed_path(client, buyer, regions, sectors):
    login(client, buyer)
    client.post(url("register"), vendor_form_data(regions[0], sectors[0], name="Register"))
    vendor = Vendor.objects.get()
    assert vendor.slug != "register"
    assert client.get(url("dashboard", vendor.slug)).status_code == 200


def test_profile_edit_saves_and_keeps_the_slug(client, make_vendor, regions, sectors):
    vendor = make_vendor(name="Kopi Lama")
    login(client, vendor.members.get())
    response = client.post(
        url("profile", vendor.slug),
        vendor_form_data(
            regions[2], sectors[0], name="Kopi  Baru\r\nBcc: x", whatsapp="+62 857 1234 5678"
        ),
    )
    assert response.status_code == 302
    vendor.refresh_from_db()
    assert (vendor.name, vendor.whatsapp, vendor.region) == (
        "Kopi Baru Bcc: x",  # one line: names go into e-mail subjects
        "6285712345678",
        regions[2],
    )
    assert vendor.slug == "kopi-lama"


def test_refused_profile_edit_changes_nothing_and_keeps_the_card(
    client, make_vendor, regions, sectors
):
    vendor = make_vendor(name="Kopi Lama")
    login(client, vendor.members.get())
    response = client.post(
        url("profile", vendor.slug),
        vendor_form_data(regions[2], sectors[0], name="Kopi Baru", nib="123"),
    )
    assert response.status_code == 200
    assert response.context["vendor"].name == "Kopi Lama"  # the workspace bar is not the form
    vendor.refresh_from_db()
    assert vendor.name == "Kopi Lama"


# --- Uploads: checked, refused with a clear message, nothing created ------------------------------


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (TEXT, "logo.jpg", "not an image we can read"),
        (SVG, "logo.png", "SVG"),
        (noisy_png(), "huge.png", "too large"),
    ],
)
def test_logo_uploads_are_checked(
    client, buyer, regions, sectors, monkeypatch, data, name, message
):
    monkeypatch.setattr(images, "MAX_UPLOAD_BYTES", 2_000)  # the 900 px PNG is bigger
    login(client, buyer)
    response = client.post(
        url("register"), vendor_form_data(regions[0], sectors[0], logo=image_upload(name, data))
    )
    assert response.status_code == 200
    assert message in str(response.context["form"].errors["logo"])
    assert not Vendor.objects.exists()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (TEXT, "chips.jpg", "not an image we can read"),
        (SVG, "chips.svg", "SVG"),
        (noisy_png(), "huge.png", "too large"),
    ],
)
def test_product_photos_are_checked(
    client, make_vendor, make_vendor_booth, make_expo, monkeypatch, data, name, message
):
    monkeypatch.setattr(images, "MAX_UPLOAD_BYTES", 2_000)
    vendor = make_vendor()
    booth = make_vendor_booth(vendor, make_expo("open"), products=0)
    login(client, vendor.members.get())
    response = client.post(
        url("product_create", vendor.slug, booth.expo.slug),
        product_form_data(
            photos=[image_upload("ok.jpg", image_bytes(size=(20, 20))), image_upload(name, data)]
        ),
    )
    assert response.status_code == 200
    errors = str(response.context["form"].errors["photos"])
    assert message in errors and name in errors
    assert not Product.objects.exists() and not ProductImage.objects.exists()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (TEXT, "cover.jpg", "not an image we can read"),
        (SVG, "cover.jpg", "SVG"),
    ],
)
def test_booth_cover_is_checked(
    client, make_vendor, make_vendor_booth, make_expo, data, name, message
):
    vendor = make_vendor()
    booth = make_vendor_booth(vendor, make_expo("open"))
    login(client, vendor.members.get())
    response = client.post(
        url("booth_edit", vendor.slug, booth.expo.slug),
        {"tagline_en": "New", "is_active": "on", "cover_image": image_upload(name, data)},
    )
    assert message in str(response.context["form"].errors["cover_image"])
    booth.refresh_from_db()
    assert booth.tagline_en == "" and not booth.cover_image


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (TEXT, "PDF, JPEG or PNG"),
        (SVG, "PDF, JPEG or PNG"),
        (b"MZ\x90\x00" + b"\x00" * 200, "PDF, JPEG or PNG"),  # an executable named .pdf
        (PDF + b"0" * 3_000, "too large"),
    ],
)
def test_application_documents_are_checked_by_content(
    client, make_vendor, make_expo, monkeypatch, data, message
):
    # The limit lives with the application services, where validate_document reads it.
    monkeypatch.setattr(application_services, "MAX_DOCUMENT_BYTES", 2_000)
    vendor = make_vendor()
    expo = make_expo("accepting")
    login(client, vendor.members.get())
    response = client.post(
        url("apply", vendor.slug, expo.slug),
        application_form_data(nib_document=pdf_upload("nib.pdf", data)),
    )
    assert response.status_code == 200
    assert message in str(response.context["form"].errors["nib_document"])
    assert not BoothApplication.objects.exists() and not ApplicationPhoto.objects.exists()


# --- Applying ------------------------------------------------------------------------------------


def test_apply_while_accepting(client, make_vendor, make_expo, settings):
    vendor = make_vendor()
    expo = make_expo("accepting")
    login(client, vendor.members.get())
    assert client.get(url("apply", vendor.slug, expo.slug)).status_code == 200
    response = client.post(
        url("apply", vendor.slug, expo.slug),
        application_form_data(
            halal_number="ID3312345678",
            halal_document=image_upload("halal.png", image_bytes("PNG")),
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == url("application", vendor.slug, expo.slug)
    application = BoothApplication.objects.get()
    assert (application.status, application.stock, application.halal_number) == (
        "submitted",
        "ready",
        "ID3312345678",
    )
    # Stored privately under fresh names that say what the content is.
    assert application.nib_document.name.endswith(".pdf")
    assert "nib" not in application.nib_document.name.rsplit("/", 1)[-1]
    assert application.halal_document.name.endswith(".png")
    assert application.photos.count() == 2


def test_apply_only_while_the_expo_accepts(client, make_vendor, make_expo):
    vendor = make_vendor()
    expo = make_expo("accepting")
    login(client, vendor.members.get())
    move_to(expo, "published")
    response = client.get(url("apply", vendor.slug, expo.slug), follow=True)
    assert "Applications for this expo are closed." in messages_of(response)
    response = client.post(
        url("apply", vendor.slug, expo.slug), application_form_data(), follow=True
    )
    assert "Applications for this expo are closed." in messages_of(response)
    move_to(expo, "draft")
    assert client.get(url("apply", vendor.slug, expo.slug)).status_code == 404
    assert not BoothApplication.objects.exists()


def test_the_deadline_passing_between_page_and_post_is_refused(
    client, make_vendor, make_expo, monkeypatch
):
    """A stale form posted after the deadline: the service's time box refuses it."""
    from expo import timebox

    vendor = make_vendor()
    expo = make_expo("accepting")
    login(client, vendor.members.get())
    real_allows = timebox.allows
    # The view's own early check still sees the expo accepting; the service does not.
    monkeypatch.setattr(timebox, "allows", lambda e, a, at=None: True)
    move_to(expo, "published")
    response = client.post(
        url("apply", vendor.slug, expo.slug), application_form_data(), follow=True
    )
    monkeypatch.setattr(timebox, "allows", real_allows)
    assert "Applications for this expo are closed." in messages_of(response)
    assert not BoothApplication.objects.exists()


def test_applying_twice_is_refused(client, make_vendor, make_expo):
    vendor = make_vendor()
    expo = make_expo("accepting")
    login(client, vendor.members.get())
    client.post(url("apply", vendor.slug, expo.slug), application_form_data())
    response = client.post(
        url("apply", vendor.slug, expo.slug), application_form_data(), follow=True
    )
    assert "You have already applied to this expo." in messages_of(response)
    assert response.redirect_chain[-1][0] == url("application", vendor.slug, expo.slug)
    assert BoothApplication.objects.count() == 1
    with pytest.raises(Exception, match="already applied"):
        services.application_submit(
            expo=expo,
            vendor=vendor,
            by=vendor.members.get(),
            nib_document=pdf_upload(),
            stock="ready",
            photos=[image_upload()],
        )


def test_food_business_needs_a_permit(client, make_vendor, make_expo, food_sector):
    vendor = make_vendor(sector=food_sector)
    expo = make_expo("accepting")
    expo.sectors.add(food_sector)
    login(client, vendor.members.get())
    response = client.post(url("apply", vendor.slug, expo.slug), application_form_data())
    errors = response.context["form"].errors
    assert "P-IRT or BPOM" in str(errors["permit_kind"])
    assert "registration number" in str(errors["permit_number"])
    assert "document" in str(errors["permit_document"])
    assert not BoothApplication.objects.exists()
    # The service holds the same rule for every caller, not only this form.
    with pytest.raises(Exception, match="P-IRT or BPOM"):
        services.application_submit(
            expo=expo,
            vendor=vendor,
            by=vendor.members.get(),
            nib_document=pdf_upload(),
            stock="ready",
            photos=[image_upload()],
        )

    response = client.post(
        url("apply", vendor.slug, expo.slug),
        application_form_data(
            permit_kind="pirt",
            permit_number="2063302010123",
            permit_document=pdf_upload("pirt.pdf"),
        ),
    )
    assert response.status_code == 302
    assert BoothApplication.objects.get().permit_kind == "pirt"


def test_a_non_food_business_needs_no_permit_but_a_given_one_is_complete(
    client, make_vendor, make_expo
):
    vendor = make_vendor()
    expo = make_expo("accepting")
    login(client, vendor.members.get())
    response = client.post(
        url("apply", vendor.slug, expo.slug), application_form_data(permit_number="123")
    )
    assert "kind of permit" in str(response.context["form"].errors["permit_kind"])
    assert not BoothApplication.objects.exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"halal_number": "ID331234"}, "halal_document"),
        ({"halal_document": "upload"}, "halal_number"),
    ],
)
def test_halal_number_and_certificate_go_together(client, make_vendor, make_expo, extra, field):
    vendor = make_vendor()
    expo = make_expo("accepting")
    login(client, vendor.members.get())
    if extra.get("halal_document"):
        extra = {"halal_document": pdf_upload("halal.pdf")}
    response = client.post(url("apply", vendor.slug, expo.slug), application_form_data(**extra))
    assert "too, or" in str(response.context["form"].errors[field])
    assert not BoothApplication.objects.exists()


@pytest.mark.parametrize(("count", "message"), [(0, "required"), (7, "at most 6")])
def test_one_to_six_product_photos(client, make_vendor, make_expo, count, message):
    vendor = make_vendor()
    expo = make_expo("accepting")
    login(client, vendor.members.get())
    photos = [image_upload(f"p{i}.jpg", image_bytes(size=(16, 16))) for i in range(count)]
    response = client.post(
        url("apply", vendor.slug, expo.slug), application_form_data(photos=photos)
    )
    assert message in str(response.context["form"].errors["photos"])
    assert not BoothApplication.objects.exists()


def test_an_expo_without_the_vendors_sector_is_refused(client, make_vendor, make_expo, food_sector):
    vendor = make_vendor(sector=food_sector)  # the expo shows the test sectors only
    expo = make_expo("accepting")
    login(client, vendor.members.get())
    html = client.get(url("index")).content.decode()
    assert (
        url("apply", vendor.slug, expo.slug) not in html and "does not include your sector" in html
    )
    response = client.post(
        url("apply", vendor.slug, expo.slug), application_form_data(), follow=True
    )
    assert "This expo does not include your sector." in messages_of(response)
    assert not BoothApplication.objects.exists()


# --- The application page and resubmission -------------------------------------------------------


@pytest.fixture
def asked_for_changes(client, make_vendor, make_expo, make_organiser):
    vendor = make_vendor()
    expo = make_expo("accepting")
    application = services.application_submit(
        expo=expo,
        vendor=vendor,
        by=vendor.members.get(),
        nib_document=pdf_upload(),
        stock="limited",
        photos=[image_upload("old.jpg")],
    )
    organiser = make_organiser(office=expo.office)
    services.application_request_changes(
        application=application, by=organiser, reason="The NIB scan is unreadable; resend it."
    )
    login(client, vendor.members.get())
    return application


def test_application_page_shows_status_reason_and_documents(client, asked_for_changes):
    application = asked_for_changes
    vendor, expo = application.vendor, application.expo
    response = client.get(url("application", vendor.slug, expo.slug))
    html = response.content.decode()
    assert "Changes requested" in html
    assert "The NIB scan is unreadable; resend it." in html
    photo = application.photos.get()
    assert reverse("manage:application_document", args=[application.pk, "nib"]) in html
    assert reverse("manage:application_document", args=[application.pk, "photos", photo.pk]) in html
    assert 'data-testid="resubmit-form"' in html
    form = response.context["form"]  # filled in with what was sent
    assert form["stock"].value() == "limited" and not form.is_bound


def test_resubmit_replaces_documents_and_photos(
    client, asked_for_changes, django_capture_on_commit_callbacks
):
    application = asked_for_changes
    vendor, expo = application.vendor, application.expo
    old_nib = application.nib_document.name
    old_photo = application.photos.get()
    storage = application.nib_document.storage
    assert storage.exists(old_nib) and storage.exists(old_photo.image.name)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("application", vendor.slug, expo.slug),
            {
                "nib_document": pdf_upload("nib-clear.png", image_bytes("PNG")),
                "photos": [image_upload("n1.jpg"), image_upload("n2.jpg")],
                "stock": "ready",
                "stock_note": "Now ready stock.",
            },
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "submitted"
    assert application.stock == "ready" and application.stock_note == "Now ready stock."
    assert application.nib_document.name != old_nib and application.nib_document.name.endswith(
        ".png"
    )
    assert list(application.photos.values_list("position", flat=True)) == [0, 1]
    assert not application.photos.filter(pk=old_photo.pk).exists()
    # The replaced files left the private storage; the new ones are there.
    assert not storage.exists(old_nib) and not storage.exists(old_photo.image.name)
    assert storage.exists(application.nib_document.name)


def test_resubmit_without_new_files_keeps_them(client, asked_for_changes):
    application = asked_for_changes
    vendor, expo = application.vendor, application.expo
    old_nib = application.nib_document.name
    response = client.post(url("application", vendor.slug, expo.slug), {"stock": "preorder"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.stock) == ("submitted", "preorder")
    assert application.nib_document.name == old_nib and application.photos.count() == 1


def test_resubmit_is_refused_unless_changes_were_asked(client, asked_for_changes):
    application = asked_for_changes
    BoothApplication.objects.filter(pk=application.pk).update(status="submitted")
    response = client.post(
        url("application", application.vendor.slug, application.expo.slug),
        {"stock": "preorder"},
        follow=True,
    )
    assert "This application is not waiting for changes." in messages_of(response)
    application.refresh_from_db()
    assert application.stock == "limited"


def test_resubmit_after_the_deadline_is_refused(client, asked_for_changes):
    application = asked_for_changes
    move_to(application.expo, "published")
    html = client.get(url("application", application.vendor.slug, application.expo.slug)).content
    assert b'data-testid="resubmit-form"' not in html
    client.post(
        url("application", application.vendor.slug, application.expo.slug), {"stock": "preorder"}
    )
    application.refresh_from_db()
    assert (application.status, application.stock) == ("changes_requested", "limited")


def test_withdraw_an_undecided_application(client, asked_for_changes):
    application = asked_for_changes
    response = client.post(
        url("application_withdraw", application.vendor.slug, application.expo.slug)
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "withdrawn"
    response = client.post(
        url("application_withdraw", application.vendor.slug, application.expo.slug), follow=True
    )
    assert "already been decided" in " ".join(messages_of(response))


# --- Booth editor --------------------------------------------------------------------------------


def test_booth_edit_saves_texts_video_featured_and_visibility(
    client, make_vendor, make_vendor_booth, make_expo
):
    vendor = make_vendor()
    booth = make_vendor_booth(vendor, make_expo("published"), products=3)
    first, second, third = booth.products.order_by("pk")
    Product.objects.filter(pk=first.pk).update(is_featured=True)
    login(client, vendor.members.get())
    page = client.get(url("booth_edit", vendor.slug, booth.expo.slug)).content.decode()
    assert reverse("booths:booth", args=[booth.expo.slug, booth.slug]) in page  # preview
    assert url("profile", vendor.slug) in page and "+62 812-3456-7890" in page  # contact
    response = client.post(
        url("booth_edit", vendor.slug, booth.expo.slug),
        {
            "tagline_en": "Hand-drawn batik",
            "tagline_id": "Batik tulis",
            "description_en": "Since 1998.",
            "description_id": "Sejak 1998.",
            "video_url": "https://youtu.be/dQw4w9WgXcQ",
            "featured": [second.pk, third.pk],
            "cover_image": image_upload("cover.jpg", image_bytes(size=(1600, 600))),
        },
    )
    assert response.status_code == 302
    booth.refresh_from_db()
    assert (booth.tagline_en, booth.tagline_id, booth.video_url, booth.is_active) == (
        "Hand-drawn batik",
        "Batik tulis",
        "https://youtu.be/dQw4w9WgXcQ",
        False,  # the box was not ticked: hidden
    )
    assert booth.cover_image.name.startswith("booths/covers/")
    assert set(booth.products.filter(is_featured=True).values_list("pk", flat=True)) == {
        second.pk,
        third.pk,
    }


@pytest.mark.parametrize(
    ("video", "message"),
    [
        ("https://evil.example/watch?v=dQw4w9WgXcQ", "Only YouTube and Vimeo"),
        ("https://www.youtube.com.evil.example/watch?v=x", "Only YouTube and Vimeo"),
        ("https://www.youtube.com/@somechannel", "not a single video"),
        ("javascript:alert(1)", "Enter a valid URL"),
    ],
)
def test_booth_edit_refuses_videos_off_the_allow_list(
    client, make_vendor, make_vendor_booth, make_expo, video, message
):
    vendor = make_vendor()
    booth = make_vendor_booth(vendor, make_expo("open"))
    login(client, vendor.members.get())
    response = client.post(
        url("booth_edit", vendor.slug, booth.expo.slug),
        {"tagline_en": "Changed", "is_active": "on", "video_url": video},
    )
    assert response.status_code == 200
    assert message in str(response.context["form"].errors["video_url"])
    booth.refresh_from_db()
    assert booth.tagline_en == "" and booth.video_url == ""


def test_a_closed_expos_booth_is_read_only(client, make_vendor, make_vendor_booth, make_expo):
    vendor = make_vendor()
    booth = make_vendor_booth(vendor, make_expo("closed"))
    product = booth.products.first()
    login(client, vendor.members.get())
    html = client.get(url("booth_edit", vendor.slug, booth.expo.slug)).content.decode()
    assert 'data-testid="read-only-notice"' in html and "disabled" in html
    for target, data in (
        (
            url("booth_edit", vendor.slug, booth.expo.slug),
            {"tagline_en": "Late", "is_active": "on"},
        ),
        (url("product_create", vendor.slug, booth.expo.slug), product_form_data()),
        (url("product_edit", vendor.slug, booth.expo.slug, product.pk), product_form_data()),
        (url("product_toggle", vendor.slug, booth.expo.slug, product.pk), {}),
    ):
        response = client.post(target, data, follow=True)
        assert any("closed" in m for m in messages_of(response)), target
    booth.refresh_from_db()
    product.refresh_from_db()
    assert booth.tagline_en == "" and product.name_en == "Product 0" and product.is_active
    assert booth.products.count() == 2


# --- Products ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "price"),
    [
        ("25000", 25_000),
        ("25.000", 25_000),
        ("25,000", 25_000),
        ("Rp 1.250.000", 1_250_000),
        (" rp25.000 ", 25_000),
    ],
)
def test_product_price_accepts_rupiah_as_people_type_it(
    client, make_vendor, make_vendor_booth, make_expo, typed, price
):
    vendor = make_vendor()
    booth = make_vendor_booth(vendor, make_expo("open"), products=0)
    login(client, vendor.members.get())
    response = client.post(
        url("product_create", vendor.slug, booth.expo.slug), product_form_data(price=typed)
    )
    assert response.status_code == 302
    assert Product.objects.get().price == price


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("25.5", "whole rupiah"),
        ("25.000,50", "whole rupiah"),
        ("2.50.000", "whole rupiah"),
        ("abc", "whole rupiah"),
        ("-5000", "whole rupiah"),
        ("0", "more than Rp 0"),
        ("", "required"),
        ("9.999.999.999.999", "too high"),
    ],
)
def test_product_price_refuses_anything_else(
    client, make_vendor, make_vendor_booth, make_expo, typed, message
):
    vendor = make_vendor()
    booth = make_vendor_booth(vendor, make_expo("open"), products=0)
    login(client, vendor.members.get())
    response = client.post(
        url("product_create", vendor.slug, booth.expo.slug), product_form_data(price=typed)
    )
    assert message in str(response.context["form"].errors["price"])
    assert not Product.objects.exists()


def test_pre_order_needs_lead_time_and_quota(client, make_vendor, make_vendor_booth, make_expo):
    vendor = make_vendor()
    booth = make_vendor_booth(vendor, make_expo("open"), products=0)
    login(client, vendor.members.get())
    create = url("product_create", vendor.slug, booth.expo.slug)
    response = client.post(create, product_form_data(is_preorder="on", preorder_quota="30"))
    errors = response.context["form"].errors
    assert "Required for a pre-order product." in str(errors["preorder_lead_days"])
    assert "preorder_quota" not in errors
    assert not Product.objects.exists()

    response = client.post(
        create, product_form_data(is_preorder="on", preorder_lead_days="7", preorder_quota="30")
    )
    assert response.status_code == 302
    product = Product.objects.get()
    assert (product.is_preorder, product.preorder_lead_days, product.preorder_quota) == (
        True,
        7,
        30,
    )
    booth.refresh_from_db()
    assert booth.has_preorder

    # Off pre-order, leftover lead time and quota are dropped.
    client.post(
        url("product_edit", vendor.slug, booth.expo.slug, product.pk),
        product_form_data(preorder_lead_days="7", preorder_quota="30"),
    )
    product.refresh_from_db()
    assert (product.is_preorder, product.preorder_lead_days, product.preorder_quota) == (
        False,
        None,
        None,
    )


def test_product_create_with_several_photos_and_edit(
    client, make_vendor, make_vendor_booth, make_expo
):
    vendor = make_vendor()
    booth = make_vendor_booth(vendor, make_expo("open"), products=0)
    login(client, vendor.members.get())
    response = client.post(
        url("product_create", vendor.slug, booth.expo.slug),
        product_form_data(
            is_featured="on",
            photos=[image_upload("1.jpg"), image_upload("2.png", image_bytes("PNG"))],
        ),
    )
    product = Product.objects.get()
    assert response["Location"] == url("product_edit", vendor.slug, booth.expo.slug, product.pk)
    assert (product.name_en, product.price, product.stock, product.is_featured) == (
        "Tempe chips, 250 g",
        25_000,
        40,
        True,
    )
    assert list(product.images.values_list("position", flat=True)) == [0, 1]
    assert all(i.thumbnail.name.startswith("products/thumbs/") for i in product.images.all())
    booth.refresh_from_db()
    assert (booth.product_count, booth.min_price) == (1, 25_000)

    response = client.post(
        url("product_edit", vendor.slug, booth.expo.slug, product.pk),
        product_form_data(price="30.000", min_order="2", photos=[image_upload("3.jpg")]),
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.price, product.min_order, product.images.count()) == (30_000, 2, 3)


def test_a_product_has_at_most_eight_photos(client, make_vendor, make_vendor_booth, make_expo):
    vendor = make_vendor()
    booth = make_vendor_booth(vendor, make_expo("open"), products=1, photos=7)
    product = booth.products.get()
    login(client, vendor.members.get())
    response = client.post(
        url("product_edit", vendor.slug, booth.expo.slug, product.pk),
        product_form_data(photos=[image_upload("a.jpg"), image_upload("b.jpg")]),
    )
    assert "you can add 1 more" in str(response.context["form"].errors["photos"])
    assert product.images.count() == 7


def test_delete_a_photo_and_choose_the_cover(
    client, make_vendor, make_vendor_booth, make_expo, django_capture_on_commit_callbacks
):
    vendor = make_vendor()
    booth = make_vendor_booth(vendor, make_expo("open"), products=1, photos=3)
    product = booth.products.get()
    first, second, third = product.images.order_by("position")
    files = [first.image.name, first.thumbnail.name, second.image.name]
    for name in files:  # the fixture names files without writing them
        assert default_storage.save(name, ContentFile(b"jpeg")) == name
    login(client, vendor.members.get())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("product_image_delete", vendor.slug, booth.expo.slug, product.pk, first.pk))
    # The deleted photo's files are gone from the storage, the others stay.
    assert not any(default_storage.exists(name) for name in files[:2])
    assert default_storage.exists(second.image.name)
    assert list(product.images.order_by("position").values_list("pk", "position")) == [
        (second.pk, 0),
        (third.pk, 1),
    ]
    client.post(url("product_image_cover", vendor.slug, booth.expo.slug, product.pk, third.pk))
    assert list(product.images.order_by("position").values_list("pk", flat=True)) == [
        third.pk,
        second.pk,
    ]


def test_deactivating_a_product_hides_it_from_the_hall(
    client, make_vendor, make_vendor_booth, make_expo, django_capture_on_commit_callbacks
):
    vendor = make_vendor()
    expo = make_expo("open")
    booth = make_vendor_booth(vendor, expo, products=2)
    product = booth.products.order_by("pk").first()
    public = reverse("booths:product", args=[expo.slug, booth.slug, product.slug])
    assert client.get(public).status_code == 200
    login(client, vendor.members.get())
    with django_capture_on_commit_callbacks(execute=True):  # the hall's cache version is bumped
        client.post(url("product_toggle", vendor.slug, expo.slug, product.pk))
    product.refresh_from_db()
    booth.refresh_from_db()
    assert not product.is_active and booth.product_count == 1
    client.logout()
    assert client.get(public).status_code == 404
    html = login(client, vendor.members.get()).get(url("products", vendor.slug, expo.slug))
    assert "1 on sale" in html.content.decode()
    client.post(url("product_toggle", vendor.slug, expo.slug, product.pk))
    product.refresh_from_db()
    assert product.is_active


def test_products_list_shows_thumbnail_price_stock_and_pre_order(
    client, make_vendor, make_vendor_booth, make_expo
):
    vendor = make_vendor()
    booth = make_vendor_booth(vendor, make_expo("open"), products=1)
    product = booth.products.get()
    Product.objects.filter(pk=product.pk).update(
        price=1_250_000, is_preorder=True, preorder_lead_days=5, preorder_quota=12
    )
    html = login(client, vendor.members.get()).get(url("products", vendor.slug, booth.expo.slug))
    html = html.content.decode()
    assert "Rp 1.250.000" in html and "Pre-order" in html and "12 to order" in html
    assert f"products/thumbs/{product.pk}-0.jpg" in html


def _count_queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_products_list_query_count_is_constant(client, make_vendor, make_vendor_booth, make_expo):
    small, large = make_vendor(), make_vendor()
    user = small.members.get()
    VendorMembership.objects.create(vendor=large, user=user)
    few = make_vendor_booth(small, make_expo("open"), products=3, photos=2)
    many = make_vendor_booth(large, make_expo("open"), products=30, photos=2)
    login(client, user)
    few_url = url("products", small.slug, few.expo.slug)
    many_url = url("products", large.slug, many.expo.slug)
    client.get(few_url)  # warm the session
    assert _count_queries(client, few_url) == _count_queries(client, many_url)


def test_dashboard_and_booth_editor_query_counts_are_constant(
    client, make_vendor, make_vendor_booth, make_expo
):
    small, large = make_vendor(), make_vendor()
    user = small.members.get()
    VendorMembership.objects.create(vendor=large, user=user)
    few = make_vendor_booth(small, make_expo("open"), products=2)
    make_expo("accepting")
    for _ in range(5):
        make_vendor_booth(large, make_expo("open"), products=2)
    many = large.booths.first()
    for _ in range(3):
        make_expo("accepting")
    login(client, user)
    client.get(url("dashboard", small.slug))
    assert _count_queries(client, url("dashboard", small.slug)) == _count_queries(
        client, url("dashboard", large.slug)
    )
    Product.objects.bulk_create(
        Product(booth=many, slug=f"extra-{i}", name_en="x", name_id="x", category="food", price=1)
        for i in range(20)
    )
    assert _count_queries(client, url("booth_edit", small.slug, few.expo.slug)) == _count_queries(
        client, url("booth_edit", large.slug, many.expo.slug)
    )


# --- Team ----------------------------------------------------------------------------------------


def test_owner_adds_a_member_by_email(client, make_vendor, make_user):
    vendor = make_vendor()
    newcomer = make_user(email="Rina@Example.com")
    login(client, vendor.members.get())
    response = client.post(url("members", vendor.slug), {"email": "rina@example.com"}, follow=True)
    assert "rina@example.com can now work on" in " ".join(messages_of(response))
    assert VendorMembership.objects.get(vendor=vendor, user=newcomer).role == "staff"
    response = client.post(url("members", vendor.slug), {"email": "rina@example.com"})
    assert "already on your team" in str(response.context["form"].errors["email"])


def test_adding_an_unknown_email_says_so(client, make_vendor):
    vendor = make_vendor()
    login(client, vendor.members.get())
    response = client.post(url("members", vendor.slug), {"email": "nobody@example.com"})
    assert "No account uses nobody@example.com" in str(response.context["form"].errors["email"])
    assert vendor.memberships.count() == 1


def test_owner_removes_staff_but_not_the_last_owner(client, make_vendor, make_user):
    staff = make_user()
    vendor = make_vendor(staff=[staff])
    owner = VendorMembership.objects.get(vendor=vendor, role="owner")
    login(client, owner.user)
    staff_membership = VendorMembership.objects.get(vendor=vendor, user=staff)
    client.post(url("member_remove", vendor.slug, staff_membership.pk))
    assert not VendorMembership.objects.filter(pk=staff_membership.pk).exists()
    response = client.post(url("member_remove", vendor.slug, owner.pk), follow=True)
    assert "at least one owner" in " ".join(messages_of(response))
    assert VendorMembership.objects.filter(pk=owner.pk).exists()


def test_an_owner_may_leave_when_another_owner_stays(client, make_vendor, make_user):
    second = make_user()
    vendor = make_vendor()
    VendorMembership.objects.create(vendor=vendor, user=second, role="owner")
    first = VendorMembership.objects.exclude(user=second).get(vendor=vendor)
    login(client, first.user)
    response = client.post(url("member_remove", vendor.slug, first.pk))
    assert response["Location"] == url("index")
    assert list(vendor.memberships.values_list("user", flat=True)) == [second.pk]


def test_staff_may_leave_but_not_manage_the_team(client, make_vendor, make_user):
    staff, other = make_user(), make_user()
    vendor = make_vendor(staff=[staff, other])
    login(client, staff)
    page = client.get(url("members", vendor.slug)).content.decode()
    assert 'data-testid="add-member"' not in page
    assert client.post(url("members", vendor.slug), {"email": "x@example.com"}).status_code == 403
    other_membership = VendorMembership.objects.get(vendor=vendor, user=other)
    assert client.post(url("member_remove", vendor.slug, other_membership.pk)).status_code == 403
    assert vendor.memberships.count() == 3
    own = VendorMembership.objects.get(vendor=vendor, user=staff)
    assert client.post(url("member_remove", vendor.slug, own.pk)).status_code == 302
    assert vendor.memberships.count() == 2
    assert client.get(url("dashboard", vendor.slug)).status_code == 403
