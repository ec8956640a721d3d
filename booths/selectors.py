"""Reads for the hall, booth and product pages. Query counts stay constant as the hall grows."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from booths.models import Booth, BoothApplication, Product, ProductImage
from expo.models import Expo

HALL_PAGE_SIZE = 24
SORTS = {
    "name": ("vendor__name",),
    "price_low": ("min_price", "vendor__name"),
    "price_high": ("-max_price", "vendor__name"),
    "newest": ("-created_at",),
}


@dataclass(frozen=True)
class HallFilters:
    """The hall's search form, already cleaned (see booths.forms.HallFilterForm)."""

    q: str = ""
    sectors: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    price_min: int | None = None
    price_max: int | None = None
    preorder: bool = False
    halal: bool = False
    sort: str = "name"
    extra: dict[str, str] = field(default_factory=dict)


def hall_booths(*, expo: Expo, filters: HallFilters) -> QuerySet[Booth]:
    booths = Booth.objects.filter(expo=expo, is_active=True).select_related(
        "vendor", "vendor__region", "vendor__sector"
    )
    if filters.q:
        matching_products = Product.objects.filter(booth=OuterRef("pk"), is_active=True).filter(
            Q(name_en__icontains=filters.q) | Q(name_id__icontains=filters.q)
        )
        booths = booths.filter(Q(vendor__name__icontains=filters.q) | Exists(matching_products))
    if filters.sectors:
        booths = booths.filter(vendor__sector__slug__in=filters.sectors)
    if filters.regions:
        booths = booths.filter(vendor__region__code__in=filters.regions)
    if filters.price_min is not None or filters.price_max is not None:
        in_range = Product.objects.filter(booth=OuterRef("pk"), is_active=True)
        if filters.price_min is not None:
            in_range = in_range.filter(price__gte=filters.price_min)
        if filters.price_max is not None:
            in_range = in_range.filter(price__lte=filters.price_max)
        booths = booths.filter(Exists(in_range))
    if filters.preorder:
        booths = booths.filter(has_preorder=True)
    if filters.halal:
        booths = booths.filter(is_halal=True)
    return booths.order_by(*SORTS.get(filters.sort, SORTS["name"]), "pk")


def _featured_products() -> Prefetch:
    first_images = Prefetch("images", queryset=ProductImage.objects.order_by("position", "id"))
    return Prefetch(
        "products",
        queryset=Product.objects.filter(is_active=True)
        .order_by("-is_featured", "name_en")
        .prefetch_related(first_images),
        to_attr="shown_products",
    )


def hall_page(*, expo: Expo, filters: HallFilters, page: int | str = 1) -> Page:
    """One page of booth cards: booths, their vendor, region and sector, a few products with a photo."""
    paginator = Paginator(hall_booths(expo=expo, filters=filters), HALL_PAGE_SIZE)
    result = paginator.get_page(page)
    booths = list(result.object_list)
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(booths, _featured_products())
    result.object_list = booths
    return result


def booth_detail(*, expo: Expo, slug: str) -> Booth | None:
    return (
        Booth.objects.filter(expo=expo, slug=slug, is_active=True)
        .select_related("vendor", "vendor__region", "vendor__sector", "expo", "expo__office")
        .prefetch_related(_featured_products())
        .first()
    )


def product_detail(*, booth: Booth, slug: str) -> Product | None:
    return (
        Product.objects.filter(booth=booth, slug=slug, is_active=True)
        .prefetch_related("images")
        .first()
    )


def related_products(*, product: Product, limit: int = 4) -> list[Product]:
    return list(
        Product.objects.filter(booth_id=product.booth_id, is_active=True)
        .exclude(pk=product.pk)
        .prefetch_related("images")
        .order_by("-is_featured", "name_en")[:limit]
    )


def curation_queue(*, expo: Expo) -> QuerySet[BoothApplication]:
    return (
        BoothApplication.objects.filter(expo=expo)
        .select_related("vendor", "vendor__region", "vendor__sector", "decided_by")
        .prefetch_related("photos")
        .order_by("status", "submitted_at")
    )
