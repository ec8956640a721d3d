"""Reads for the public hall, booth and product pages, and the one rule of who sees them. Query
counts stay constant as the hall grows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Value,
    prefetch_related_objects,
)
from django.utils.translation import get_language

from booths import search
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
    sort: str = (
        "name"  # "relevance" (a search's default), "name", "price_low", "price_high", "newest"
    )


def _hall_order(sort: str) -> tuple:
    # Booths without products have no price: they go last whichever way prices are sorted.
    orders = {
        "name": (F("vendor__name").asc(),),
        "price_low": (F("min_price").asc(nulls_last=True), F("vendor__name").asc()),
        "price_high": (F("max_price").desc(nulls_last=True), F("vendor__name").asc()),
        "newest": (F("created_at").desc(),),
    }
    return (*orders.get(sort, orders["name"]), F("pk").asc())


# --- Public hall, booth and product pages --------------------------------------------------------
# Each returns everything its page shows in a fixed number of queries, whatever the hall's size.

CARD_PRODUCTS = 3
RELATED_PRODUCTS = 4
SEARCH_PRODUCTS = 8  # the best matching products shown above a search's booths


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
    """The options of the hall's filters (the sectors and regencies that have booths), each with
    how many booths it would show given the other filters in force; ``total``: booths shown."""

    sectors: tuple[Facet, ...] = ()
    regions: tuple[Facet, ...] = ()
    total: int = 0


# What the filter column shows of each booth's sector and regency.
_FACET_FIELDS = (
    "vendor__sector__slug",
    "vendor__sector__name_en",
    "vendor__sector__name_id",
    "vendor__sector__icon",
    "vendor__sector__position",
    "vendor__region__code",
    "vendor__region__name",
    "vendor__region__kind",
)


def _folded(rows: Iterable[dict[str, Any]]) -> HallFacets:
    """Rows of sector and regency fields with their counts (``for_sector``: booths the sector
    would show, ``for_region``: booths the regency would show, ``shown``: booths shown) summed up
    per sector and per regency."""
    sectors: dict[str, list] = {}
    regions: dict[str, list] = {}
    total = 0
    for row in rows:
        total += row["shown"]
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
        sector[4] += row["for_sector"]
        prefix = "Kota" if row["vendor__region__kind"] == "kota" else "Kab."
        label = f"{prefix} {row['vendor__region__name']}"
        region = regions.setdefault(
            row["vendor__region__code"], [row["vendor__region__name"], label, 0]
        )
        region[2] += row["for_region"]
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


def hall_facets(*, expo: Expo) -> HallFacets:
    """Sectors and regencies of the expo's booths with their booth counts, no filter in force (one
    grouped query): the choices of the hall's filter form."""
    rows = (
        Booth.objects.filter(expo=expo, is_active=True)
        .values(*_FACET_FIELDS)
        .annotate(n=Count("id"))
        .order_by()
    )
    return _folded(
        {**row, "for_sector": row["n"], "for_region": row["n"], "shown": row["n"]} for row in rows
    )


def _first_image() -> Prefetch:
    return Prefetch(
        "images",
        queryset=ProductImage.objects.order_by("position", "id")[:1],
        to_attr="first_images",
    )


def _card_products() -> Prefetch:
    """The first few products of each booth (featured first), each with its first photo only."""
    return Prefetch(
        "products",
        queryset=Product.objects.filter(is_active=True)
        .prefetch_related(_first_image())
        .order_by("-is_featured", "name_en", "id")[:CARD_PRODUCTS],
        to_attr="card_products",
    )


@dataclass(frozen=True)
class HallResults:
    """One page of the hall: its booth cards, the products that match best (a search's first page
    only), the filters' options with their counts, and the words a search put right."""

    page: Page
    facets: HallFacets
    products: tuple[Product, ...] = ()
    corrections: tuple[tuple[str, str], ...] = ()

    @property
    def count(self) -> int:
        return self.page.paginator.count


def _product_passes(hit: search.ProductHit, filters: HallFilters) -> bool:
    """Whether a matched product is on sale and meets the filters that are about products."""
    return (
        hit.is_active
        and (filters.price_min is None or hit.price >= filters.price_min)
        and (filters.price_max is None or hit.price <= filters.price_max)
        and (not filters.preorder or hit.is_preorder)
    )


def _booth_condition(
    filters: HallFilters, match: search.Match | None, passing: tuple[search.ProductHit, ...]
) -> Q:
    """What a booth must meet besides the sector and regency filters: matched by the search (by its
    own texts, or by a product that meets the product filters), a product in the price range,
    pre-order, halal."""
    condition = Q()
    if match is not None:
        condition &= Q(pk__in=sorted({*match.booths, *(hit.booth_id for hit in passing)}))
    if filters.price_min is not None or filters.price_max is not None:
        in_range = Product.objects.filter(booth=OuterRef("pk"), is_active=True)
        if filters.price_min is not None:
            in_range = in_range.filter(price__gte=filters.price_min)
        if filters.price_max is not None:
            in_range = in_range.filter(price__lte=filters.price_max)
        condition &= Q(Exists(in_range))
    if filters.preorder:
        condition &= Q(has_preorder=True)
    if filters.halal:
        condition &= Q(is_halal=True)
    return condition


def _counted(rows: list[dict[str, Any]], filters: HallFilters) -> list[dict[str, Any]]:
    """Each booth's part in the counts: a sector's count obeys every filter but the sectors
    (ticking it adds its booths to those shown), a regency's every filter but the regencies."""
    sectors, regions = set(filters.sectors), set(filters.regions)
    for row in rows:
        ok = bool(row["ok"])
        in_sector = not sectors or row["vendor__sector__slug"] in sectors
        in_region = not regions or row["vendor__region__code"] in regions
        row["for_sector"] = int(ok and in_region)
        row["for_region"] = int(ok and in_sector)
        row["shown"] = int(ok and in_sector and in_region)
    return rows


def _products_of(hits: list[search.ProductHit]) -> tuple[Product, ...]:
    found = (
        Product.objects.select_related("booth", "booth__vendor")
        .prefetch_related(_first_image())
        .in_bulk([hit.product_id for hit in hits])
    )
    return tuple(found[hit.product_id] for hit in hits if hit.product_id in found)


def hall_search(*, expo: Expo, filters: HallFilters, page: int = 1) -> HallResults:
    """The hall as the filters ask: one page of booth cards, the best products when searching, and
    the filters' counts under the filters in force.

    A search (booths.search.find) ranks by relevance unless another order is asked. A fixed number
    of queries whatever the number of booths or products: the search's own (see booths.search);
    every active booth of the expo in the order asked, with its sector, regency and whether it meets
    the other filters (the counts and the shown booths come from these rows); the page's booths,
    their card products and photos; when searching, the best products and their photos.
    """
    match = search.find(expo_id=expo.pk, query=filters.q) if filters.q else None
    passing = tuple(h for h in match.products if _product_passes(h, filters)) if match else ()
    if match is not None and not match.booths and not passing:
        meets: Any = Value(False)  # nothing matched: the options are still listed, with 0 each
    else:
        condition = _booth_condition(filters, match, passing)
        meets = ExpressionWrapper(condition, BooleanField()) if condition else Value(True)
    rows = _counted(
        list(
            Booth.objects.filter(expo=expo, is_active=True)
            .annotate(ok=meets)
            .order_by(*_hall_order(filters.sort))
            .values("pk", "ok", *_FACET_FIELDS)
        ),
        filters,
    )
    ids = [row["pk"] for row in rows if row["shown"]]
    if match is not None and filters.sort == "relevance":
        relevance = match.booth_relevance(passing)
        ids.sort(key=lambda pk: -relevance.get(pk, 0.0))  # stable: equals stay in name order
    result = Paginator(ids, HALL_PAGE_SIZE).get_page(page)
    found = (
        Booth.objects.select_related("vendor", "vendor__region", "vendor__sector").in_bulk(
            list(result.object_list)
        )
        if result.object_list
        else {}
    )
    shown = [found[pk] for pk in result.object_list if pk in found]
    prefetch_related_objects(shown, _card_products())
    result.object_list = shown
    products: tuple[Product, ...] = ()
    if match is not None and result.number == 1 and ids:
        shown_ids = set(ids)
        products = _products_of([h for h in passing if h.booth_id in shown_ids][:SEARCH_PRODUCTS])
    return HallResults(
        page=result,
        facets=_folded(rows),
        products=products,
        corrections=match.corrections if match else (),
    )


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
