"""Reads for the vendor workspace (``/vendor/``): the account's businesses, the dashboard, and the
applications, booths, products and photos of one vendor. Everything below a vendor is looked up
*through* it, so another vendor's ids find nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from booths.models import Booth, BoothApplication, Product, ProductImage, Vendor, VendorMembership
from booths.selectors.hall import hall_is_public
from expo.models import Expo, ExpoState


def vendor_memberships(*, user: Any) -> tuple[VendorMembership, ...]:
    """The account's memberships with their vendor (regency, sector), by vendor name (1 query)."""
    return tuple(
        VendorMembership.objects.filter(user=user)
        .select_related("vendor", "vendor__region", "vendor__sector")
        .order_by("vendor__name", "vendor_id")
    )


def vendor_exists(*, slug: str) -> bool:
    return Vendor.objects.filter(slug=slug).exists()


def vendor_team(*, vendor: Vendor) -> list[VendorMembership]:
    """The vendor's members with their accounts: owners first, then by joining (1 query)."""
    return list(vendor.memberships.select_related("user").order_by("-role", "created_at", "pk"))


def vendor_membership(*, vendor: Vendor, membership_id: int) -> VendorMembership | None:
    return (
        VendorMembership.objects.select_related("user")
        .filter(pk=membership_id, vendor=vendor)
        .first()
    )


def accepting_expos(*, exclude: list[int] | tuple[int, ...] = ()) -> QuerySet[Expo]:
    """Expos taking applications now, the soonest deadline first."""
    now = timezone.now()
    return (
        Expo.objects.filter(applications_open_at__lte=now, application_deadline__gt=now)
        .exclude(pk__in=exclude)
        .select_related("office")
        .order_by("application_deadline", "pk")
    )


@dataclass(frozen=True)
class VendorDashboard:
    """A vendor's applications (each with ``next_step``), booths (each with ``state``,
    ``is_public`` and ``total_products``) and the expos it may still apply to (each with
    ``sector_on_show``)."""

    applications: list[BoothApplication]
    booths: list[Booth]
    accepting: list[Expo]


def _next_step(application: BoothApplication, now: datetime) -> str:
    """What the vendor should do next about an application, as a key the template words."""
    status = application.status
    state = application.expo.state_at(now)
    if status == BoothApplication.Status.CHANGES_REQUESTED:
        return "resubmit" if state == ExpoState.ACCEPTING else "too_late"
    if status == BoothApplication.Status.APPROVED:
        return "booth"
    if status == BoothApplication.Status.SUBMITTED:
        return "wait"
    return ""


def vendor_dashboard(*, vendor: Vendor) -> VendorDashboard:
    """What the vendor's dashboard shows (3 queries)."""
    now = timezone.now()
    applications = list(
        BoothApplication.objects.filter(vendor=vendor)
        .select_related("expo")
        .order_by("-submitted_at")
    )
    booths = list(
        Booth.objects.filter(vendor=vendor)
        .select_related("expo")
        .annotate(total_products=Count("products"))
        .order_by("-expo__opens_at")
    )
    sector_on_show = Expo.sectors.through.objects.filter(
        expo_id=OuterRef("pk"), sector_id=vendor.sector_id
    )
    accepting = list(
        accepting_expos(exclude=[a.expo_id for a in applications]).annotate(
            sector_on_show=Exists(sector_on_show)
        )
    )
    for application in applications:
        application.next_step = _next_step(application, now)
    for booth in booths:
        booth.state = booth.expo.state_at(now)
        booth.is_public = hall_is_public(booth.expo, now)
    return VendorDashboard(applications=applications, booths=booths, accepting=accepting)


def has_applied(*, vendor: Vendor, expo: Expo) -> bool:
    return BoothApplication.objects.filter(expo=expo, vendor=vendor).exists()


def expo_includes_sector(*, expo: Expo, sector_id: int) -> bool:
    return expo.sectors.filter(pk=sector_id).exists()


def vendor_application(*, vendor: Vendor, expo_slug: str) -> BoothApplication | None:
    """The vendor's application to an expo, with the expo, its office and the photos."""
    return (
        BoothApplication.objects.select_related("expo", "expo__office")
        .prefetch_related("photos")
        .filter(vendor=vendor, expo__slug=expo_slug)
        .first()
    )


def booth_of_application(*, application: BoothApplication) -> Booth | None:
    return Booth.objects.filter(application=application).only("pk").first()


def vendor_booth(*, vendor: Vendor, expo_slug: str) -> Booth | None:
    """The vendor's booth at an expo, with the expo."""
    return Booth.objects.select_related("expo").filter(vendor=vendor, expo__slug=expo_slug).first()


def booth_products(*, booth: Booth) -> list[Product]:
    """All the booth's products by name (the featured-products choice of the booth editor)."""
    return list(Product.objects.filter(booth=booth).order_by("name_en", "pk"))


def _first_image() -> Prefetch:
    return Prefetch(
        "images",
        queryset=ProductImage.objects.order_by("position", "id")[:1],
        to_attr="first_images",
    )


def vendor_products(*, booth: Booth) -> list[Product]:
    """The booth's products for its vendor: on sale first, featured first, each with its first
    photo (2 queries)."""
    return list(
        Product.objects.filter(booth=booth)
        .prefetch_related(_first_image())
        .order_by("-is_active", "-is_featured", "name_en", "pk")
    )


def vendor_product(*, vendor: Vendor, expo_slug: str, product_id: int) -> Product | None:
    """A product of the vendor's booth at an expo, with its booth and expo."""
    return (
        Product.objects.select_related("booth", "booth__expo")
        .filter(pk=product_id, booth__vendor=vendor, booth__expo__slug=expo_slug)
        .first()
    )


def product_photos(*, product: Product) -> list[ProductImage]:
    return list(product.images.order_by("position", "id"))


def product_photo(*, product: Product, image_id: int) -> ProductImage | None:
    """One photo of ``product`` (the product object attached, saving a query)."""
    image = ProductImage.objects.filter(pk=image_id, product=product).first()
    if image is not None:
        image.product = product
    return image
