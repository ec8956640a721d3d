"""The services behind the vendor workspace, called directly: the rules hold for every caller."""

# The vendor builders are pytest fixtures imported from test_vendor_views: tests name them as
# parameters, which pyflakes reads as redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from booths import services
from booths.models import BoothApplication, Product, VendorMembership
from expo import timebox
from expo.models import AuditLogEntry
from tests.booths.test_vendor_views import (  # noqa: F401 - fixtures
    PDF,
    SVG,
    TEXT,
    _fresh_cache,
    food_sector,
    image_bytes,
    image_upload,
    make_vendor,
    make_vendor_booth,
    pdf_upload,
)
from tests.conftest import move_to


def submit(vendor, expo, **extra):
    fields = {
        "expo": expo,
        "vendor": vendor,
        "by": vendor.members.first(),
        "nib_document": pdf_upload(),
        "stock": "ready",
        "photos": [image_upload()],
    }
    fields.update(extra)
    return services.application_submit(**fields)


# --- Documents -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "extension"),
    [(PDF, "pdf"), (image_bytes("JPEG"), "jpg"), (image_bytes("PNG"), "png")],
)
def test_documents_are_recognised_by_content(data, extension):
    assert services.validate_document(pdf_upload("whatever.txt", data)) == extension


@pytest.mark.parametrize("data", [TEXT, SVG, image_bytes("GIF"), b"", b"%PD"])
def test_other_documents_are_refused(data):
    with pytest.raises(ValidationError) as refused:
        services.validate_document(pdf_upload("scan.pdf", data))
    assert "PDF, JPEG or PNG" in refused.value.messages[0]


def test_documents_over_five_megabytes_are_refused():
    big = pdf_upload("big.pdf", PDF + b"0" * services.MAX_DOCUMENT_BYTES)
    with pytest.raises(ValidationError) as refused:
        services.validate_document(big)
    assert "the limit is 5 MB" in refused.value.messages[0]


# --- Permits -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("food", "values", "fields"),
    [
        (True, {}, {"permit_kind", "permit_number", "permit_document"}),
        (True, {"permit_kind": "bpom", "permit_number": "MD 123"}, {"permit_document"}),
        (True, {"permit_kind": "pirt", "permit_number": "1", "permit_document": "f"}, set()),
        (False, {}, set()),
        (False, {"permit_document": "f"}, {"permit_kind", "permit_number"}),
        (False, {"halal_number": "ID1"}, {"halal_document"}),
        (False, {"halal_document": "f"}, {"halal_number"}),
        (False, {"halal_number": "ID1", "halal_document": "f"}, set()),
        (False, {"halal_number": "   ", "halal_document": ""}, set()),
    ],
)
def test_application_check(make_vendor, food_sector, sectors, food, values, fields):
    vendor = make_vendor(sector=food_sector if food else sectors[1])
    if not fields:
        services.application_check(vendor=vendor, values=values)
        return
    with pytest.raises(ValidationError) as refused:
        services.application_check(vendor=vendor, values=values)
    assert set(refused.value.error_dict) == fields


def test_submit_refuses_more_than_six_photos(make_vendor, make_expo):
    vendor = make_vendor()
    with pytest.raises(ValidationError, match="at most 6"):
        submit(vendor, make_expo("accepting"), photos=[image_upload() for _ in range(7)])
    assert not BoothApplication.objects.exists()


def test_submit_checks_every_document(make_vendor, make_expo):
    vendor = make_vendor()
    with pytest.raises(ValidationError, match="PDF, JPEG or PNG"):
        submit(
            vendor,
            make_expo("accepting"),
            halal_number="ID1",
            halal_document=pdf_upload("halal.pdf", SVG),
        )
    assert not BoothApplication.objects.exists()


# --- Resubmit and withdraw -----------------------------------------------------------------------


@pytest.fixture
def changes_requested(make_vendor, make_expo, make_organiser):
    vendor = make_vendor()
    expo = make_expo("accepting")
    application = submit(vendor, expo)
    services.application_request_changes(
        application=application, by=make_organiser(office=expo.office), reason="Resend."
    )
    return application


def test_resubmit_keeps_its_old_signature(changes_requested):
    application = services.application_resubmit(
        application=changes_requested,
        by=changes_requested.vendor.members.get(),
        stock_note="More stock now.",
    )
    assert (application.status, application.stock_note) == ("submitted", "More stock now.")
    entry = AuditLogEntry.objects.get(action="booths.application.resubmitted")
    assert entry.data["replaced"] == []


def test_resubmit_checks_replacements(changes_requested):
    owner = changes_requested.vendor.members.get()
    with pytest.raises(ValidationError, match="PDF, JPEG or PNG"):
        services.application_resubmit(
            application=changes_requested, by=owner, nib_document=pdf_upload("x.pdf", TEXT)
        )
    with pytest.raises(ValidationError, match="at most 6"):
        services.application_resubmit(
            application=changes_requested, by=owner, photos=[image_upload()] * 7
        )
    with pytest.raises(ValidationError):
        services.application_resubmit(
            application=changes_requested, by=owner, photos=[image_upload("x.jpg", SVG)]
        )
    changes_requested.refresh_from_db()
    assert changes_requested.status == "changes_requested"
    assert changes_requested.photos.count() == 1


def test_resubmit_by_another_vendor_is_refused(changes_requested, make_vendor):
    intruder = make_vendor().members.get()
    with pytest.raises(PermissionDenied):
        services.application_resubmit(application=changes_requested, by=intruder, stock="ready")


def test_withdraw(changes_requested, make_vendor):
    owner = changes_requested.vendor.members.get()
    with pytest.raises(PermissionDenied):
        services.application_withdraw(application=changes_requested, by=make_vendor().members.get())
    services.application_withdraw(application=changes_requested, by=owner)
    changes_requested.refresh_from_db()
    assert changes_requested.status == "withdrawn"
    assert AuditLogEntry.objects.filter(action="booths.application.withdrawn").exists()
    with pytest.raises(ValidationError, match="already been decided"):
        services.application_withdraw(application=changes_requested, by=owner)


def test_withdraw_after_the_expo_closed_is_refused(changes_requested):
    move_to(changes_requested.expo, "closed")
    with pytest.raises(timebox.ExpoStateError):
        services.application_withdraw(
            application=changes_requested, by=changes_requested.vendor.members.get()
        )


# --- Team ----------------------------------------------------------------------------------------


def test_remove_member_rules(make_vendor, make_user):
    staff, other, stranger = make_user(), make_user(), make_user()
    vendor = make_vendor(staff=[staff, other])
    owner = VendorMembership.objects.get(vendor=vendor, role="owner")
    other_membership = VendorMembership.objects.get(vendor=vendor, user=other)
    with pytest.raises(PermissionDenied):
        services.vendor_remove_member(membership=other_membership, by=staff)
    with pytest.raises(PermissionDenied):
        services.vendor_remove_member(membership=other_membership, by=stranger)
    with pytest.raises(ValidationError, match="at least one owner"):
        services.vendor_remove_member(membership=owner, by=owner.user)
    services.vendor_remove_member(membership=other_membership, by=owner.user)
    entry = AuditLogEntry.objects.get(action="booths.vendor.member_removed")
    assert entry.data["member"] == other.email
    own = VendorMembership.objects.get(vendor=vendor, user=staff)
    services.vendor_remove_member(membership=own, by=staff)  # staff may leave
    assert list(vendor.memberships.values_list("user", flat=True)) == [owner.user_id]


def test_adding_a_member_twice_is_refused_by_the_service(make_vendor, make_user):
    newcomer = make_user()
    vendor = make_vendor()
    owner = vendor.members.get()
    services.vendor_add_member(vendor=vendor, email=newcomer.email.upper(), by=owner)
    with pytest.raises(ValidationError, match="already on your team") as caught:
        services.vendor_add_member(vendor=vendor, email=newcomer.email, by=owner)
    assert caught.value.code == "already_member"
    assert vendor.memberships.filter(user=newcomer).count() == 1
    assert AuditLogEntry.objects.filter(action="booths.vendor.member_added").count() == 1


def test_services_write_only_their_allowed_fields(make_vendor, make_vendor_booth, make_expo):
    vendor = make_vendor()
    booth = make_vendor_booth(vendor, make_expo("open"))
    member = vendor.members.get()
    with pytest.raises(TypeError, match="slug"):
        services.vendor_update(vendor=vendor, by=member, slug="taken-over")
    with pytest.raises(TypeError, match="expo"):
        services.booth_update(booth=booth, by=member, expo=None)
    with pytest.raises(TypeError, match="booth"):
        services.product_update(product=booth.products.first(), by=member, booth=None)
    services.booth_update(booth=booth, by=member, tagline_en="Handmade")
    booth.refresh_from_db()
    assert booth.tagline_en == "Handmade" and booth.slug == f"{vendor.slug}-booth"


# --- Booth and photos ----------------------------------------------------------------------------


def test_featured_set_only_touches_the_booths_own_products(
    make_vendor, make_vendor_booth, make_expo
):
    expo = make_expo("open")
    mine = make_vendor_booth(make_vendor(), expo, products=2)
    theirs = make_vendor_booth(make_vendor(), expo, products=1)
    their_product = theirs.products.get()
    first, second = mine.products.order_by("pk")
    services.booth_update(
        booth=mine,
        by=mine.vendor.members.get(),
        featured=[second.pk, their_product.pk],
    )
    assert list(Product.objects.filter(is_featured=True).values_list("pk", flat=True)) == [
        second.pk
    ]


def test_photo_cover_needs_a_member_and_an_open_catalogue(
    make_vendor, make_vendor_booth, make_expo
):
    booth = make_vendor_booth(make_vendor(), make_expo("open"), products=1, photos=2)
    image = booth.products.get().images.order_by("position").last()
    with pytest.raises(PermissionDenied):
        services.product_image_make_cover(image=image, by=make_vendor().members.get())
    move_to(booth.expo, "closed")
    booth.expo.refresh_from_db()
    image = booth.products.get().images.order_by("position").last()
    with pytest.raises(timebox.ExpoStateError):
        services.product_image_make_cover(image=image, by=booth.vendor.members.get())


def test_replaced_files_go_only_when_the_change_commits(
    make_vendor, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile
    from django.db import transaction

    vendor = make_vendor()
    vendor.logo.save("old-logo.jpg", ContentFile(b"old"), save=True)
    old = vendor.logo.name

    class Abort(Exception):
        pass

    # Rolled back: the old file stays (the database still points at it).
    with pytest.raises(Abort), transaction.atomic():
        services.delete_files_on_commit([vendor.logo])
        raise Abort
    assert vendor.logo.storage.exists(old)
    # Committed: it goes; empty fields are skipped.
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_files_on_commit([vendor.logo, None, vendor.__class__().logo])
    assert not vendor.logo.storage.exists(old)
