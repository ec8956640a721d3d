"""Reads for the public hall, booth and product pages, and the one rule of who sees them. Query
counts stay constant as the hall grows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.utils.translation import get_language

from booths.models import Booth, Product, ProductImage
from expo import permissions, timebox
from expo.models import Expo

HALL_PAGE_SIZE = 24


@dataclass(frozen=True)
class HallFilters:
    """The hall's search form, already cleaned (see booths.filters.HallFilterForm)."""

    q: str = ""
    sectors: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    price_min: int | None = None
    price_max: int | None = None
    preorder: bool = False
    halal: bool = False
    sort: str = "name"


def _hall_order(sort: str) -> tuple:
    # Booths without products have no price: they go last whichever way prices are sorted.
    orders = {
        "name": (F("vendor__name").asc(),),
        "price_low": (F("min_price").asc(nulls_last=True), F("vendor__name").asc()),
        "price_high": (F("max_price").desc(nulls_last=True), F("vendor__name").asc()),
        "newest": (F("created_at").desc(),),
    }
    return (*orders.get(sort, orders["name"]), F("pk").asc())


def hall_booths(*, expo: Expo, filters: HallFilters) -> QuerySet[Booth]:
    """The active booths of an expo that match ``filters``, in the order ``filters.sort`` asks."""
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
    return booths.order_by(*_hall_order(filters.sort))


# --- Public hall, booth and product pages --------------------------------------------------------
# Each returns everything its page shows in a fixed number of queries, whatever the hall's size.

CARD_PRODUCTS = 3
RELATED_PRODUCTS = 4


@dataclass(frozen=True)
class Facet:
    """One filter option of the hall (a sector or a regency) and how many booths it has."""

    value: str
    name_en: str
    name_id: str
    count: int
    icon: str = ""

    @property
    def name(self) -> str:
        if (get_language() or "en").startswith("id"):
            return self.name_id or self.name_en
        return self.name_en or self.name_id


@dataclass(frozen=True)
class HallFacets:
    """The options of the hall's filters: only sectors and regencies that have booths."""

    sectors: tuple[Facet, ...] = ()
    regions: tuple[Facet, ...] = ()
    total: int = 0


def hall_facets(*, expo: Expo) -> HallFacets:
    """Sectors and regencies of the expo's booths with their booth counts (one grouped query)."""
    rows = (
        Booth.objects.filter(expo=expo, is_active=True)
        .values(
            "vendor__sector__slug",
            "vendor__sector__name_en",
            "vendor__sector__name_id",
            "vendor__sector__icon",
            "vendor__sector__position",
            "vendor__region__code",
            "vendor__region__name",
            "vendor__region__kind",
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    sectors: dict[str, list] = {}
    regions: dict[str, list] = {}
    total = 0
    for row in rows:
        total += row["n"]
        sector = sectors.setdefault(
            row["vendor__sector__slug"],
            [
                row["vendor__sector__position"],
                row["vendor__sector__name_en"],
                row["vendor__sector__name_id"],
                row["vendor__sector__icon"],
                0,
            ],
        )
        sector[4] += row["n"]
        prefix = "Kota" if row["vendor__region__kind"] == "kota" else "Kab."
        label = f"{prefix} {row['vendor__region__name']}"
        region = regions.setdefault(
            row["vendor__region__code"], [row["vendor__region__name"], label, 0]
        )
        region[2] += row["n"]
    return HallFacets(
        sectors=tuple(
            Facet(value=slug, name_en=en, name_id=idn, icon=icon, count=n)
            for slug, (_pos, en, idn, icon, n) in sorted(
                sectors.items(), key=lambda item: (item[1][0], item[0])
            )
        ),
        regions=tuple(
            Facet(value=code, name_en=label, name_id=label, count=n)
            for code, (_name, label, n) in sorted(regions.items(), key=lambda item: item[1][0])
        ),
        total=total,
    )


def _card_products() -> Prefetch:
    """The first few products of each booth (featured first), each with its first photo only."""
    first_image = Prefetch(
        "images",
        queryset=ProductImage.objects.order_by("position", "id")[:1],
        to_attr="first_images",
    )
    return Prefetch(
        "products",
        queryset=Product.objects.filter(is_active=True)
        .prefetch_related(first_image)
        .order_by("-is_featured", "name_en", "id")[:CARD_PRODUCTS],
        to_attr="card_products",
    )


def hall_cards(*, expo: Expo, filters: HallFilters, page: int = 1) -> Page:
    """One page of booth cards: count, page, then the card products and their first photos.

    Four queries whatever the number of booths or products.
    """
    booths = hall_booths(expo=expo, filters=filters)
    result = Paginator(booths, HALL_PAGE_SIZE).get_page(page)
    shown = list(result.object_list)
    prefetch_related_objects(shown, _card_products())
    result.object_list = shown
    return result


def booth_page(*, expo: Expo, slug: str) -> Booth | None:
    """A booth with its vendor and all products on sale, each with its first photo (3 queries)."""
    first_image = Prefetch(
        "images",
        queryset=ProductImage.objects.order_by("position", "id")[:1],
        to_attr="first_images",
    )
    products = Prefetch(
        "products",
        queryset=Product.objects.filter(is_active=True)
        .prefetch_related(first_image)
        .order_by("-is_featured", "name_en", "id"),
        to_attr="shown_products",
    )
    return (
        Booth.objects.filter(expo=expo, slug=slug, is_active=True)
        .select_related("vendor", "vendor__region", "vendor__sector")
        .prefetch_related(products)
        .first()
    )


def product_page(*, expo: Expo, booth_slug: str, slug: str) -> Product | None:
    """A product on sale with its booth, vendor and all its photos (2 queries)."""
    return (
        Product.objects.filter(
            booth__expo=expo,
            booth__slug=booth_slug,
            booth__is_active=True,
            slug=slug,
            is_active=True,
        )
        .select_related("booth", "booth__vendor", "booth__vendor__region", "booth__vendor__sector")
        .prefetch_related(Prefetch("images", queryset=ProductImage.objects.order_by("position")))
        .first()
    )


def related_product_cards(*, product: Product, limit: int = RELATED_PRODUCTS) -> list[Product]:
    """Other products of the same booth, featured first, each with its first photo (2 queries)."""
    first_image = Prefetch(
        "images",
        queryset=ProductImage.objects.order_by("position", "id")[:1],
        to_attr="first_images",
    )
    return list(
        Product.objects.filter(booth_id=product.booth_id, is_active=True)
        .exclude(pk=product.pk)
        .prefetch_related(first_image)
        .order_by("-is_featured", "name_en", "id")[:limit]
    )


# --- Who sees the hall ---------------------------------------------------------------------------


def expo_by_slug(slug: str) -> Expo | None:
    """An expo with its office, or None (one query, unordered: the slug is unique)."""
    found = list(Expo.objects.filter(slug=slug).select_related("office").order_by()[:1])
    return found[0] if found else None


def hall_is_public(expo: Expo, at: datetime | None = None) -> bool:
    """The hall, its booths and products are public from publication on (published, open, closed)."""
    return timebox.allows(expo, timebox.Action.VIEW_HALL, at)


def may_see_hall(user: Any, expo: Expo, *, vendor_id: int | None = None) -> bool:
    """Whether ``user`` may see the expo's hall, or (with ``vendor_id``) a booth of that vendor,
    its products and its live sessions. Everyone may once the hall is public; before that, the
    organisers of the expo's office preview it all, and a vendor's members their own booth."""
    if hall_is_public(expo):
        return True
    if not permissions.is_authenticated(user):
        return False
    if permissions.can_manage_office(user, expo.office_id):
        return True
    return vendor_id is not None and permissions.is_vendor_member(user, vendor_id)
