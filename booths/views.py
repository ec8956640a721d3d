"""The public hall, booth and product pages.

Caching, in two layers, so that a page costs one query (the expo) whatever the size of the hall:

1. Bodies — the hall's booth grid (and its filter column), the booth body, the product body — are
   the same for every visitor and cached under a key made of the expo, its catalogue version (bumped
   by every catalogue write, so nothing goes stale), the expo's own last change, the language, and
   for the hall the normalised filters and page. A miss costs a fixed handful of queries.
2. Whole pages for visitors without a session (anonymous, nothing pending for them): everything
   around the body is then the same for all of them too, except the CSRF token of the language
   switch and the countdown's starting value, which are left as slots and filled in per request.
   The key adds the full path, time zone and expo state. Signed-in visitors always get their own
   header rendered around the cached body.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.html import strip_spaces_between_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from booths import catalogue, hooks, selectors, visits
from booths.display import countdown_text, whatsapp_link
from booths.filters import (
    HallFilterForm,
    filter_params,
    parse_page,
    querystring,
    sort_choices,
)
from booths.selectors import HallFacets, HallFilters
from booths.video import video_embed_url
from expo import permissions
from expo.models import Expo, ExpoState
from expo.money import format_rupiah

CACHE_SECONDS = 300
BROWSER_CACHE_SECONDS = 60


def _slot(name: str) -> str:
    # Unguessable (derived from the secret key), so no vendor text can ever contain a slot, and the
    # same in every process, so pages cached by one process are filled in by another.
    digest = hashlib.blake2b(
        f"booths-slot:{name}".encode(), key=settings.SECRET_KEY.encode()[:64], digest_size=12
    ).hexdigest()
    return f"slot-{name}-{digest}"


CSRF_SLOT = _slot("csrf")
COUNTDOWN_SLOT = _slot("countdown")
BUY_NOTICE_SLOT = f"<!--{_slot('buy-notice')}-->"

T = TypeVar("T")


# --- Shared pieces -------------------------------------------------------------------------------


def _expo(slug: str) -> Expo:
    expo = selectors.expo_by_slug(slug)
    if expo is None:
        raise Http404
    return expo


def _keys(expo: Expo) -> Callable[..., str]:
    """Builds this request's cache keys; each changes with the catalogue version, the expo's own
    last change and the language, so an edit or a language switch never shows stale text."""
    prefix = [str(catalogue.version(expo.pk)), expo.updated_at.isoformat(), get_language() or ""]

    def key(kind: str, *parts: object) -> str:
        raw = "\x1f".join(prefix + [str(p) for p in parts])
        digest = hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()
        return f"booths:{kind}:{expo.pk}:{digest}"

    return key


def _cached(key: str, build: Callable[[], T]) -> T:
    return catalogue.cached(key, build, CACHE_SECONDS)


def _shared_page(request: HttpRequest) -> bool:
    """True for a visitor with no session and no pending messages: every such visitor is shown the
    same page (told apart without touching the database)."""
    return (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def _page_key(request: HttpRequest, expo: Expo, key: Callable[..., str]) -> str:
    zone = getattr(request, "timezone", None) or timezone.get_current_timezone()
    # Approximate prices follow the visitor's chosen currency (a cookie the checkout sets).
    currency = request.COOKIES.get(hooks.CURRENCY_COOKIE, "")[:3]
    return key("page", request.get_host(), request.get_full_path(), str(zone), expo.state, currency)


def _fill(html: str, request: HttpRequest, expo: Expo) -> str:
    """Put the per-request values into a shared page."""
    html = html.replace(CSRF_SLOT, get_token(request))
    if COUNTDOWN_SLOT in html:
        html = html.replace(COUNTDOWN_SLOT, countdown_text(expo.opens_at))
    return html


def _next_change(expo: Expo) -> datetime | None:
    state = expo.state
    if state == ExpoState.PUBLISHED:
        return expo.opens_at
    if state == ExpoState.OPEN:
        return expo.closes_at
    if state == ExpoState.MALL:
        return expo.mall_until
    if state in (ExpoState.DRAFT, ExpoState.ACCEPTING):
        return expo.application_deadline
    return None


def _cache_headers(response: HttpResponse, request: HttpRequest, expo: Expo) -> HttpResponse:
    """Anonymous visitors may keep a page a minute, never past the expo's next state change. Pages
    hold a per-visitor CSRF token, so they are private; signed-in visitors always revalidate."""
    if _shared_page(request):
        seconds = BROWSER_CACHE_SECONDS
        change = _next_change(expo)
        if change is not None:
            seconds = max(0, min(seconds, int((change - timezone.now()).total_seconds())))
        patch_cache_control(response, private=True, max_age=seconds)
    else:
        patch_cache_control(response, private=True, no_cache=True, max_age=0)
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return response


def _frame(expo: Expo, *, preview: bool, shared: bool) -> dict[str, Any]:
    """What every page needs around its body: the expo, its state and the countdown's start."""
    state = expo.state
    context: dict[str, Any] = {
        "expo": expo,
        "state": state,
        "is_preview": preview,
        "is_open": state == ExpoState.OPEN,
        # The expo has ended but its catalogue still sells as a mall (until ``expo.mall_until``).
        "is_mall": state == ExpoState.MALL,
        "is_closed": state == ExpoState.CLOSED,
        "opens_later": state in (ExpoState.DRAFT, ExpoState.ACCEPTING, ExpoState.PUBLISHED),
        "countdown_start": COUNTDOWN_SLOT if shared else countdown_text(expo.opens_at),
    }
    if shared:
        context["csrf_token"] = CSRF_SLOT
    return context


def _respond(
    request: HttpRequest,
    expo: Expo,
    template: str,
    context: dict[str, Any],
    *,
    page_key: str | None,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """Render; a shared page (rendered with slots) is kept under ``page_key`` and filled in."""
    response = render(request, template, context)
    if context.get("csrf_token") == CSRF_SLOT:
        html = response.content.decode()
        if page_key is not None:
            cache.set(page_key, {"html": html, **(extra or {})}, CACHE_SECONDS)
        response.content = _fill(html, request, expo)
    return _cache_headers(response, request, expo)


def _from_page_cache(request: HttpRequest, expo: Expo, entry: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(_fill(entry["html"], request, expo))
    return _cache_headers(response, request, expo)


@dataclass(frozen=True)
class _Visit:
    """Where a booth or product page stands once its visitor is let in: the expo, whether the hall
    is public and the page shared, and either the whole page from the cache or the body's entry."""

    expo: Expo
    public: bool
    shared: bool
    page_key: str | None
    entry: dict[str, Any]
    cached_page: HttpResponse | None = None


def _visit(
    request: HttpRequest,
    expo_slug: str,
    kind: str,
    slugs: tuple[str, ...],
    build: Callable[[Expo], dict[str, Any]],
) -> _Visit:
    """The start of a booth or product page: 404 for an unknown booth or product and for one the
    visitor may not see (selectors.may_see_hall); the visit of a public page is recorded."""
    expo = _expo(expo_slug)
    public = selectors.hall_is_public(expo)
    if not public and not permissions.is_authenticated(request.user):
        raise Http404  # nobody signed out previews: answer before building a page
    key = _keys(expo)
    shared = public and _shared_page(request)
    page_key = _page_key(request, expo, key) if shared else None
    if page_key is not None and (page := cache.get(page_key)) is not None:
        visits.record(kind, page[f"{kind}_id"], request)
        cached = _from_page_cache(request, expo, page)
        return _Visit(expo, public, shared, page_key, page, cached_page=cached)
    entry = _cached(key(kind, *slugs), lambda: build(expo))
    if entry["id"] is None:
        raise Http404
    if not selectors.may_see_hall(request.user, expo, vendor_id=entry["vendor_id"]):
        raise Http404
    if public:
        visits.record(kind, entry["id"], request)
    return _Visit(expo, public, shared, page_key, entry)


# --- Hall ----------------------------------------------------------------------------------------


def _chips(
    filters: HallFilters, params: list[tuple[str, str]], facets: HallFacets
) -> list[tuple[str, str]]:
    """Active filters as (label, query string without it), for removable chips."""
    sectors = {f.value: f.name for f in facets.sectors}
    regions = {f.value: f.name for f in facets.regions}
    chips: list[tuple[str, str]] = []

    def without(*names: str, value: str | None = None) -> str:
        kept = [(k, v) for k, v in params if not (k in names and (value is None or v == value))]
        return querystring(kept)

    if filters.q:
        chips.append((f"“{filters.q}”", without("q")))
    for value in filters.sectors:
        chips.append((sectors.get(value, value), without("sector", value=value)))
    for value in filters.regions:
        chips.append((regions.get(value, value), without("region", value=value)))
    low, high = filters.price_min, filters.price_max
    if low is not None or high is not None:
        if low is not None and high is not None:
            label = f"{format_rupiah(low)} – {format_rupiah(high)}"
        elif low is not None:
            label = _("From %(price)s") % {"price": format_rupiah(low)}
        else:
            label = _("Up to %(price)s") % {"price": format_rupiah(high)}
        chips.append((label, without("price_min", "price_max")))
    if filters.preorder:
        chips.append((_("Pre-order"), without("preorder")))
    if filters.halal:
        chips.append((_("Halal"), without("halal")))
    return chips


def _hall_results(
    expo: Expo, filters: HallFilters, params: list[tuple[str, str]], page: int
) -> dict[str, Any]:
    """One page of results rendered (the best products of a search, then the booth cards), how
    many booths matched, and the filters' counts under the filters in force."""
    results = selectors.hall_search(expo=expo, filters=filters, page=page)
    html = strip_spaces_between_tags(
        render_to_string(
            "booths/_hall_results.html",
            {
                "expo": expo,
                "page_obj": results.page,
                "products": results.products,
                "corrections": results.corrections,
                "base_query": querystring(params),
                "has_filters": bool(params and params != [("sort", filters.sort)]),
            },
        )
    )
    return {"html": html, "count": results.count, "facets": results.facets}


def _hall_body(expo: Expo, key: Callable[..., str], form: HallFilterForm, page: int) -> str:
    """The filter column around the results (the results are cached apart, whatever the column).
    The column's counts follow the filters in force."""
    filters = form.to_filters()
    params = filter_params(filters)
    results = _cached(
        key("grid", querystring(params), page),
        lambda: _hall_results(expo, filters, params, page),
    )
    facets = results["facets"]
    return render_to_string(
        "booths/_hall_body.html",
        {
            "expo": expo,
            "facets": facets,
            "form": form,
            "filters": filters,
            "selected_sectors": set(filters.sectors),
            "selected_regions": set(filters.regions),
            "chips": _chips(filters, params, facets),
            "sort_choices": sort_choices(filters),
            "results_html": mark_safe(results["html"]),  # our template, user text escaped
            "result_count": results["count"],
        },
    )


@require_safe
def hall(request: HttpRequest, expo_slug: str) -> HttpResponse:
    expo = _expo(expo_slug)
    preview = not selectors.hall_is_public(expo)
    if not selectors.may_see_hall(request.user, expo):
        raise Http404
    key = _keys(expo)
    shared = _shared_page(request) and not preview
    page_key = _page_key(request, expo, key) if shared else None
    if page_key is not None and (entry := cache.get(page_key)) is not None:
        return _from_page_cache(request, expo, entry)

    facets: HallFacets = _cached(key("facets"), lambda: selectors.hall_facets(expo=expo))
    form = HallFilterForm(request.GET, facets=facets)
    base_query = querystring(filter_params(form.to_filters()))
    page = parse_page(request.GET.get("page"))
    # The filter column shows what was typed when it did not clean, so only a clean form's body (or
    # page) is shared; the booth grid inside it is cached either way.
    if form.errors:
        hall_body, page_key = _hall_body(expo, key, form, page), None
    else:
        hall_body = _cached(
            key("hall", base_query, page), lambda: _hall_body(expo, key, form, page)
        )
    context = {
        **_frame(expo, preview=preview, shared=shared),
        "facets": facets,
        "form": form,
        "hall_body": mark_safe(hall_body),  # our own templates, user text escaped
    }
    return _respond(request, expo, "booths/hall.html", context, page_key=page_key)


# --- Booth ---------------------------------------------------------------------------------------


def _booth_entry(expo: Expo, booth_slug: str) -> dict[str, Any]:
    booth = selectors.booth_page(expo=expo, slug=booth_slug)
    if booth is None:
        return {"id": None}
    products = booth.shown_products
    featured = [p for p in products if p.is_featured]
    vendor = booth.vendor
    html = render_to_string(
        "booths/_booth_body.html",
        {
            "expo": expo,
            "booth": booth,
            "vendor": vendor,
            "products": products,
            "featured": featured,
            "video_embed": video_embed_url(booth.video_url),
            "whatsapp": whatsapp_link(
                vendor.whatsapp,
                _("Hello %(vendor)s, I visited your booth at %(expo)s.")
                % {"vendor": vendor.name, "expo": expo.title},
            ),
        },
    )
    image = booth.cover_image or vendor.logo
    return {
        "id": booth.pk,
        "vendor_id": booth.vendor_id,
        "name": vendor.name,
        "summary": Truncator(booth.tagline or booth.description or vendor.story).chars(160),
        "image": image.url if image else "",
        "html": html,
    }


@require_safe
def booth(request: HttpRequest, expo_slug: str, booth_slug: str) -> HttpResponse:
    visit = _visit(
        request, expo_slug, "booth", (booth_slug,), lambda expo: _booth_entry(expo, booth_slug)
    )
    booth_id = visit.entry["booth_id" if visit.cached_page is not None else "id"]
    hooks.stand_arrival(request, booth_id=booth_id, expo_id=visit.expo.pk)  # a stand's QR code
    if visit.cached_page is not None:
        return visit.cached_page
    entry = visit.entry
    context = {
        **_frame(visit.expo, preview=not visit.public, shared=visit.shared),
        "page_title": entry["name"],
        "summary": entry["summary"],
        "share_image": request.build_absolute_uri(entry["image"]) if entry["image"] else "",
        "body": mark_safe(entry["html"]),  # our own rendered template, user text escaped
    }
    return _respond(
        request,
        visit.expo,
        "booths/booth.html",
        context,
        page_key=visit.page_key,
        extra={"booth_id": entry["id"]},
    )


# --- Product -------------------------------------------------------------------------------------


def _product_entry(expo: Expo, booth_slug: str, product_slug: str) -> dict[str, Any]:
    product = selectors.product_page(expo=expo, booth_slug=booth_slug, slug=product_slug)
    if product is None:
        return {"id": None}
    booth = product.booth
    vendor = booth.vendor
    images = list(product.images.all())
    html = render_to_string(
        "booths/_product_body.html",
        {
            "expo": expo,
            "booth": booth,
            "vendor": vendor,
            "product": product,
            "images": images,
            "related": selectors.related_product_cards(product=product),
            "buy_notice_slot": mark_safe(BUY_NOTICE_SLOT),
            "whatsapp": whatsapp_link(
                vendor.whatsapp,
                _("Hello %(vendor)s, I am interested in %(product)s (%(expo)s).")
                % {"vendor": vendor.name, "product": product.name, "expo": expo.title},
            ),
        },
    )
    return {
        "id": product.pk,
        "buyable": hooks.Buyable(
            id=product.pk,
            expo_id=expo.pk,
            price=product.price,
            min_order=product.min_order,
            is_preorder=product.is_preorder,
            available=(product.preorder_quota or 0) if product.is_preorder else product.stock,
        ),
        "vendor_id": booth.vendor_id,
        "name": product.name,
        "booth_name": vendor.name,
        "summary": Truncator(product.description).chars(160),
        "image": images[0].image.url if images else "",
        "html": html,
    }


@require_safe
def product(
    request: HttpRequest, expo_slug: str, booth_slug: str, product_slug: str
) -> HttpResponse:
    visit = _visit(
        request,
        expo_slug,
        "product",
        (booth_slug, product_slug),
        lambda expo: _product_entry(expo, booth_slug, product_slug),
    )
    if visit.cached_page is not None:
        return visit.cached_page
    entry = visit.entry
    frame = _frame(visit.expo, preview=not visit.public, shared=visit.shared)
    # The notice shows times in the visitor's zone: rendered per request, not kept in the body.
    notice = render_to_string("booths/_buy_notice.html", {**frame, "user": request.user})
    if frame["is_open"] or frame["is_mall"]:
        # The checkout's buy box; with the visitor's CSRF token (a slot on shared pages).
        notice += hooks.buy_box(request, entry["buyable"], frame)
    context = {
        **frame,
        "page_title": entry["name"],
        "booth_name": entry["booth_name"],
        "summary": entry["summary"],
        "share_image": request.build_absolute_uri(entry["image"]) if entry["image"] else "",
        # Our own rendered templates, user text escaped.
        "body": mark_safe(entry["html"].replace(BUY_NOTICE_SLOT, notice, 1)),
    }
    return _respond(
        request,
        visit.expo,
        "booths/product.html",
        context,
        page_key=visit.page_key,
        extra={"product_id": entry["id"]},
    )
