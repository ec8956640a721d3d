"""The public hall, booth and product pages: states, filters, preview, caching, query counts, visits."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from booths import catalogue, visits
from booths.display import whatsapp_link
from booths.filters import HallFilterForm
from booths.models import Booth, BoothVisit, Product, ProductVisit, Vendor
from booths.search import index as search_index
from booths.selectors import HALL_PAGE_SIZE, HallFacets
from booths.video import video_embed_url
from expo.models import Expo
from expo.money import format_rupiah
from tests.conftest import STATES, move_to


@pytest.fixture(autouse=True)
def _fresh_cache_and_buffer():
    cache.clear()
    with visits._lock:
        visits._buffer.clear()
    yield
    cache.clear()
    with visits._lock:
        visits._buffer.clear()


def hall_url(expo: Expo) -> str:
    return reverse("booths:hall", args=[expo.slug])


def booth_url(booth: Booth) -> str:
    return reverse("booths:booth", args=[booth.expo.slug, booth.slug])


def product_url(product: Product) -> str:
    return reverse(
        "booths:product", args=[product.booth.expo.slug, product.booth.slug, product.slug]
    )


def names_in(response) -> list[str]:
    html = response.content.decode()
    return [b.vendor.name for b in Booth.objects.select_related("vendor") if b.vendor.name in html]


# --- States ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "status"),
    [("draft", 404), ("accepting", 404), ("published", 200), ("open", 200), ("closed", 200)],
)
def test_pages_follow_the_expo_state(client, make_expo, make_booth, state, status):
    expo = make_expo(state)
    booth = make_booth(expo)
    product = booth.products.first()
    for url in (hall_url(expo), booth_url(booth), product_url(product)):
        assert client.get(url).status_code == status, url


def test_published_hall_counts_down_to_the_opening(client, make_expo, make_booth):
    expo = make_expo("published")
    make_booth(expo)
    html = client.get(hall_url(expo)).content.decode()
    assert 'data-testid="countdown"' in html
    assert f'data-countdown="{expo.opens_at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"' in html
    assert "Opens in" in html and "1d " in html  # two days less a few seconds
    assert "frontend/js/countdown.js" in html
    assert "read-only" not in html


def test_the_opening_time_is_shown_in_the_visitors_time_zone(client, make_expo, make_booth):
    expo = make_expo("published")
    make_booth(expo)
    client.cookies["umkm_tz"] = "Australia%2FSydney"  # as browsers stored it: URL-encoded
    html = client.get(hall_url(expo)).content.decode()
    assert "AEDT" in html or "AEST" in html
    client.cookies["umkm_tz"] = "Asia%2FJakarta"
    assert "WIB" in client.get(hall_url(expo)).content.decode()


def test_product_page_says_when_buying_opens(client, make_expo, make_booth):
    expo = make_expo("published")
    product = make_booth(expo).products.first()
    html = client.get(product_url(product)).content.decode()
    assert "Buying opens when the expo opens on" in html
    move_to(expo, "open")
    cache.clear()
    assert 'data-testid="buy-notice"' not in client.get(product_url(product)).content.decode()


def test_closed_expo_says_the_catalogue_is_read_only(client, make_expo, make_booth):
    expo = make_expo("closed")
    booth = make_booth(expo)
    for url in (hall_url(expo), booth_url(booth), product_url(booth.products.first())):
        html = client.get(url).content.decode()
        assert "This expo has closed — the catalogue is read-only." in html
        assert 'data-testid="countdown"' not in html


def test_unknown_expo_booth_and_product_are_404(client, make_expo, make_booth):
    expo = make_expo("open")
    booth = make_booth(expo)
    assert client.get(reverse("booths:hall", args=["nope"])).status_code == 404
    assert client.get(reverse("booths:booth", args=[expo.slug, "nope"])).status_code == 404
    assert (
        client.get(reverse("booths:product", args=[expo.slug, booth.slug, "nope"])).status_code
        == 404
    )
    other = make_booth(make_expo("open"))
    # A booth of another expo is not reachable under this expo's address.
    assert client.get(reverse("booths:booth", args=[expo.slug, other.slug])).status_code == 404


def test_inactive_booths_and_products_are_hidden(client, make_expo, make_booth):
    expo = make_expo("open")
    hidden = make_booth(expo, name="Hidden Booth")
    Booth.objects.filter(pk=hidden.pk).update(is_active=False)
    shown = make_booth(expo, name="Shown Booth")
    off = shown.products.first()
    Product.objects.filter(pk=off.pk).update(is_active=False)
    html = client.get(hall_url(expo)).content.decode()
    assert "Shown Booth" in html and "Hidden Booth" not in html
    assert client.get(booth_url(hidden)).status_code == 404
    assert client.get(product_url(off)).status_code == 404


# --- Preview before opening ------------------------------------------------------------------------


def test_vendor_member_and_organiser_preview_a_booth_before_opening(
    client, make_expo, make_booth, make_user, make_organiser, make_office
):
    office = make_office()
    expo = make_expo("accepting", office=office)
    booth = make_booth(expo)
    product = booth.products.first()
    member = make_user()
    booth.vendor.memberships.create(user=member)
    organiser = make_organiser(office=office)
    other_organiser = make_organiser()
    stranger = make_user()
    other_vendor_member = make_user()
    make_booth(expo).vendor.memberships.create(user=other_vendor_member)

    for user, allowed in (
        (None, False),
        (stranger, False),
        (other_organiser, False),
        (other_vendor_member, False),
        (member, True),
        (organiser, True),
    ):
        client.logout()
        if user is not None:
            client.force_login(user)
        for url in (booth_url(booth), product_url(product)):
            response = client.get(url)
            assert response.status_code == (200 if allowed else 404), (user, url)
            if allowed:
                assert "Preview — not public yet." in response.content.decode()
                assert 'name="robots" content="noindex"' in response.content.decode()

    # The hall as a whole is previewed by the office's organisers, not by one booth's vendor.
    client.force_login(organiser)
    assert client.get(hall_url(expo)).status_code == 200
    client.force_login(member)
    assert client.get(hall_url(expo)).status_code == 404
    visits.flush()
    assert not BoothVisit.objects.exists() and not ProductVisit.objects.exists()


def test_published_pages_have_no_preview_banner(client, make_expo, make_booth, make_user):
    expo = make_expo("published")
    booth = make_booth(expo)
    member = make_user()
    booth.vendor.memberships.create(user=member)
    client.force_login(member)
    assert "Preview — not public yet." not in client.get(booth_url(booth)).content.decode()


# --- Filters, search, sorting, pagination -----------------------------------------------------------


@pytest.fixture
def market(make_expo, make_booth, regions, sectors):
    expo = make_expo("open")
    booths = {
        "batik": make_booth(
            expo,
            name="Batik Sekar",
            sector=sectors[1],
            region=regions[1],
            prices=(150_000, 400_000),
        ),
        "kopi": make_booth(
            expo,
            name="Kopi Lereng",
            region=regions[0],
            prices=(45_000, 90_000),
            product_names=("Arabica beans", "Robusta"),
            halal=True,
        ),
        "keripik": make_booth(
            expo, name="Keripik Bu Sri", region=regions[2], prices=(12_000, 20_000), preorder=True
        ),
    }
    return expo, booths


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"Batik Sekar", "Kopi Lereng", "Keripik Bu Sri"}),
        ("q=sekar", {"Batik Sekar"}),
        ("q=ARABICA", {"Kopi Lereng"}),  # a product's name, any case
        ("q=Produk", {"Batik Sekar", "Kopi Lereng", "Keripik Bu Sri"}),  # Indonesian names
        ("sector=test-batik", {"Batik Sekar"}),
        ("sector=test-batik&sector=test-food", {"Batik Sekar", "Kopi Lereng", "Keripik Bu Sri"}),
        ("region=99.02", {"Kopi Lereng"}),
        ("region=99.02&region=99.72", {"Kopi Lereng", "Keripik Bu Sri"}),
        ("price_min=100000", {"Batik Sekar"}),
        ("price_max=20000", {"Keripik Bu Sri"}),
        ("price_min=40000&price_max=100000", {"Kopi Lereng"}),
        ("price_min=Rp+40.000&price_max=100.000", {"Kopi Lereng"}),
        ("preorder=1", {"Keripik Bu Sri"}),
        ("halal=1", {"Kopi Lereng"}),
        ("halal=1&sector=test-batik", set()),
        ("q=nothing-like-this", set()),
    ],
)
def test_filters_and_search(client, market, query, expected):
    expo, _booths = market
    response = client.get(f"{hall_url(expo)}?{query}")
    assert response.status_code == 200
    assert set(names_in(response)) == expected
    if not expected:
        assert "No booth matches these filters." in response.content.decode()


def test_sorting_by_price(client, market):
    expo, _booths = market
    html = client.get(f"{hall_url(expo)}?sort=price_low").content.decode()
    assert html.index("Keripik Bu Sri") < html.index("Kopi Lereng") < html.index("Batik Sekar")
    html = client.get(f"{hall_url(expo)}?sort=price_high").content.decode()
    assert html.index("Batik Sekar") < html.index("Kopi Lereng") < html.index("Keripik Bu Sri")
    html = client.get(f"{hall_url(expo)}?sort=name").content.decode()
    assert html.index("Batik Sekar") < html.index("Keripik Bu Sri") < html.index("Kopi Lereng")


def test_cards_show_price_range_badges_and_thumbnails(client, market):
    expo, booths = market
    html = client.get(hall_url(expo)).content.decode()
    assert "Rp 150.000 – Rp 400.000" in html
    assert "Kab. Purbalinggan" in html and "Kota Surakartan" in html
    assert 'class="flag flag-halal"' in html and 'class="flag flag-preorder"' in html
    first = booths["kopi"].products.order_by("-is_featured", "name_en").first()
    assert f"/media/products/thumbs/{first.pk}-0.jpg" in html
    assert f"/media/products/thumbs/{first.pk}-1.jpg" not in html  # first photo only


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("price_min=abc", "Enter a whole number of rupiah"),
        ("price_max=-5", "Enter a whole number of rupiah"),
        ("price_min=1.5", "Enter a whole number of rupiah"),
        ("price_min=99999999999999999999", "That price is too large."),
        ("price_min=500000&price_max=1000", "The maximum price must not be lower"),
        ("q=" + "x" * 101, "Use at most 100 characters"),
    ],
)
def test_bad_filter_input_shows_an_error_and_is_ignored(client, market, query, message):
    expo, _booths = market
    response = client.get(f"{hall_url(expo)}?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'role="alert"' in html
    assert set(names_in(response)) == {"Batik Sekar", "Kopi Lereng", "Keripik Bu Sri"}


@pytest.mark.parametrize(
    "query",
    ["page=abc", "page=-3", "page=99999", "sort=bogus", "sector=nope", "region=00.00", "halal=zzz"],
)
def test_odd_query_strings_never_fail(client, market, query):
    expo, _booths = market
    response = client.get(f"{hall_url(expo)}?{query}")
    assert response.status_code == 200
    assert 'role="alert"' not in response.content.decode()


def test_pagination(client, make_expo, make_booth):
    expo = make_expo("open")
    for i in range(HALL_PAGE_SIZE + 3):
        make_booth(expo, name=f"Booth {i:03d}", prices=(10_000,))
    first = client.get(f"{hall_url(expo)}?halal=0").content.decode()
    assert "Booth 000" in first and "Booth 023" in first and "Booth 024" not in first
    assert 'href="?page=2"' in first
    second = client.get(f"{hall_url(expo)}?page=2").content.decode()
    assert "Booth 024" in second and "Booth 026" in second and "Booth 000" not in second
    filtered = client.get(f"{hall_url(expo)}?sort=newest").content.decode()
    assert 'href="?sort=newest&amp;page=2"' in filtered


def test_filter_form_normalises_the_query():
    facets = HallFacets()
    form = HallFilterForm(
        {"q": "  kopi   bubuk ", "price_min": "Rp 25.000", "sort": "weird"}, facets=facets
    )
    filters = form.to_filters()
    assert filters.q == "kopi bubuk"
    assert filters.price_min == 25_000
    assert filters.sort == "relevance"  # an unknown order: a search's own, by relevance
    assert not form.errors
    assert HallFilterForm({"sort": "relevance"}, facets=facets).to_filters().sort == "name"


# --- Booth and product pages ------------------------------------------------------------------------


def test_booth_page(client, make_expo, make_booth):
    expo = make_expo("open")
    booth = make_booth(expo, name="Batik Sekar", halal=True, whatsapp="0812-3456-7890")
    Booth.objects.filter(pk=booth.pk).update(
        video_url="https://youtu.be/dQw4w9WgXcQ", description_en="Three generations of batik."
    )
    html = client.get(booth_url(booth)).content.decode()
    assert "<h1>Batik Sekar</h1>" in html
    assert "Three generations of batik." in html
    assert "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" in html
    assert "https://wa.me/6281234567890?text=" in html
    assert "Halal certified" in html
    assert "Featured products" in html
    for product in booth.products.all():
        assert product_url(product) in html


def test_booth_page_without_video_or_whatsapp(client, make_expo, make_booth):
    expo = make_expo("open")
    booth = make_booth(expo, whatsapp="")
    Booth.objects.filter(pk=booth.pk).update(video_url="https://example.com/video.mp4")
    html = client.get(booth_url(booth)).content.decode()
    assert "<iframe" not in html
    assert "wa.me" not in html


def test_product_page(client, make_expo, make_booth):
    expo = make_expo("open")
    booth = make_booth(expo, prices=(1_250_000, 30_000, 40_000), preorder=True, halal=True)
    product = booth.products.get(slug="product-0")
    html = client.get(product_url(product)).content.decode()
    assert "Rp 1.250.000" in html
    assert "ships within 7 days" in html
    assert "250 g" in html
    assert "Halal certified" in html
    assert f"/media/products/{product.pk}-0.jpg" in html
    assert f"/media/products/thumbs/{product.pk}-1.jpg" in html  # gallery thumbnails
    assert "More from" in html
    for other in booth.products.exclude(pk=product.pk):
        assert product_url(other) in html


def test_user_text_is_escaped(client, make_expo, make_booth):
    expo = make_expo("open")
    booth = make_booth(expo, name="<script>alert('x')</script>", product_names=("<b>bold</b>",))
    for url in (hall_url(expo), booth_url(booth), product_url(booth.products.first())):
        html = client.get(url).content.decode()
        assert "<script>alert(" not in html
        assert "&lt;script&gt;" in html


# --- Caching and query counts -----------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _counts(client, url) -> tuple[int, int]:
    cache.clear()
    miss = _queries(client, url)
    hit = _queries(client, url)
    return miss, hit


def test_query_counts_do_not_grow_with_the_hall(client, make_expo, make_booth, regions, sectors):
    expo = make_expo("open")
    small = [make_booth(expo, products=3, region=regions[i % 3]) for i in range(10)]
    measured = {}
    for size in (10, 100):
        if size == 100:
            for i in range(90):
                make_booth(expo, products=3, region=regions[i % 3], sector=sectors[i % 2])
            big = make_booth(expo, products=100)
        booth = small[0] if size == 10 else big
        product = booth.products.first()
        # The search index is rebuilt once after a catalogue change, not per request.
        search_index.ensure_fresh(expo.pk)
        measured[size] = {
            "hall": _counts(client, hall_url(expo)),
            # Page 1: a search's first page also shows its best products.
            "hall filtered": _counts(client, f"{hall_url(expo)}?q=Product&sector=test-food&page=1"),
            "booth": _counts(client, booth_url(booth)),
            "product": _counts(client, product_url(product)),
        }
    assert measured[10] == measured[100]
    # expo, facets, the booths with their filter results, page, card products, photos
    assert measured[10]["hall"] == (6, 1)
    # expo, booth with vendor, products, photos; the expo's business matching (its aside's card)
    assert measured[10]["booth"] == (5, 1)
    assert measured[10]["product"] == (5, 1)  # expo, product with booth, photos, related, photos
    assert measured[10]["product"][1] == 1
    # expo, facets; the search: index fingerprint, synonyms, words near "product", scores; the
    # booths with their filter results; the page's booths, card products, photos; best products,
    # photos
    assert measured[10]["hall filtered"] == (12, 1)


def test_signed_in_visitors_get_the_cached_body_with_their_own_header(
    client, make_expo, make_booth, make_user
):
    expo = make_expo("open")
    booth = make_booth(expo)
    client.get(booth_url(booth))  # fills the cache
    user = make_user(name="Ayu Buyer")
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        html = client.get(booth_url(booth)).content.decode()
    assert "Ayu" in html
    # Session and account, expo; then the membership lookups of the role badge. No catalogue reads.
    assert not any("booths_product" in q["sql"] for q in captured.captured_queries)


def test_a_catalogue_write_shows_at_once(
    client, make_expo, make_booth, django_capture_on_commit_callbacks
):
    expo = make_expo("open")
    booth = make_booth(expo, name="Old Name")
    assert "Old Name" in client.get(hall_url(expo)).content.decode()
    assert "Old Name" in client.get(booth_url(booth)).content.decode()
    Vendor.objects.filter(pk=booth.vendor_id).update(name="New Name")
    assert "Old Name" in client.get(hall_url(expo)).content.decode()  # still cached
    with django_capture_on_commit_callbacks(execute=True):
        catalogue.bump(expo.pk)
    assert "New Name" in client.get(hall_url(expo)).content.decode()
    assert "New Name" in client.get(booth_url(booth)).content.decode()


def test_language_is_part_of_the_cache_key(client, make_expo, make_booth):
    expo = make_expo("open")
    make_booth(expo)
    assert "UKM Virtual Expo" in client.get(hall_url(expo)).content.decode()
    client.cookies["umkm_language"] = "id"
    assert "Expo UKM Virtual" in client.get(hall_url(expo)).content.decode()


def test_shared_pages_get_their_own_csrf_token_and_fresh_countdown(client, make_expo, make_booth):
    expo = make_expo("published")
    make_booth(expo)
    first = client.get(hall_url(expo))
    token = client.cookies["csrftoken"].value
    second = client.get(hall_url(expo))
    for response in (first, second):
        html = response.content.decode()
        assert "slot-" not in html
        assert 'name="csrfmiddlewaretoken" value="' in html
    # Posting the language switch with the cached page's token works.
    html = second.content.decode()
    masked = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    csrf_client = type(client)(enforce_csrf_checks=True)
    csrf_client.cookies["csrftoken"] = token
    response = csrf_client.post(
        reverse("set_language"),
        {"csrfmiddlewaretoken": masked, "language": "id", "next": hall_url(expo)},
    )
    assert response.status_code == 302


def test_cache_control(client, make_expo, make_booth, make_user):
    expo = make_expo("published")
    booth = make_booth(expo)
    anonymous = client.get(booth_url(booth))
    assert "private" in anonymous["Cache-Control"] and "max-age=60" in anonymous["Cache-Control"]
    assert "Cookie" in anonymous["Vary"]
    client.force_login(make_user())
    signed_in = client.get(booth_url(booth))
    assert "no-cache" in signed_in["Cache-Control"]


# --- Visits ----------------------------------------------------------------------------------------


def test_visits_are_buffered_and_written_once_per_visitor_per_day(
    client, make_expo, make_booth, make_user, monkeypatch
):
    expo = make_expo("open")
    booth = make_booth(expo)
    product = booth.products.first()
    with CaptureQueriesContext(connection) as captured:
        for _ in range(3):
            client.get(booth_url(booth))
            client.get(product_url(product))
    assert not any(q["sql"].startswith("INSERT") for q in captured.captured_queries)
    assert not BoothVisit.objects.exists()

    other = type(client)()
    other.force_login(make_user())
    other.get(booth_url(booth))
    other.get(booth_url(booth))

    assert visits.flush() == 3  # (anonymous, booth), (anonymous, product), (account, booth)
    assert BoothVisit.objects.filter(booth=booth).count() == 2
    assert ProductVisit.objects.filter(product=product).count() == 1

    client.get(booth_url(booth))  # the same visitor, the same day: nothing new
    visits.flush()
    assert BoothVisit.objects.filter(booth=booth).count() == 2

    monkeypatch.setattr(visits, "today", lambda: date.today() + timedelta(days=1))
    client.get(booth_url(booth))  # from the page cache, and still counted
    visits.flush()
    assert BoothVisit.objects.filter(booth=booth).count() == 3


def test_a_missing_booth_counts_no_visit(client, make_expo):
    expo = make_expo("open")
    client.get(reverse("booths:booth", args=[expo.slug, "nope"]))
    assert visits.flush() == 0


# --- Home page --------------------------------------------------------------------------------------


def test_home_lists_announced_expos_open_first(client, make_expo, make_booth, make_office):
    office = make_office()
    expos = {state: make_expo(state, office=office, slug=f"home-{state}") for state in STATES}
    make_booth(expos["open"])
    make_booth(expos["open"])
    html = client.get(reverse("home")).content.decode()
    assert hall_url(expos["draft"]) not in html
    positions = [html.index(hall_url(expos[s])) for s in ("open", "published", "closed")]
    assert positions == sorted(positions)
    assert 'href="/vendor/"' in html and "Apply for a booth" in html
    assert "2 booths" in html
    assert "Open now" in html and "Opening soon" in html and "Closed" in html


# --- Template helpers -------------------------------------------------------------------------------


def test_rupiah_formatting():
    assert format_rupiah(1_250_000) == "Rp 1.250.000"
    assert format_rupiah(0) == "Rp 0"
    assert format_rupiah(999) == "Rp 999"
    assert format_rupiah(Decimal("25000")) == "Rp 25.000"
    assert format_rupiah(None) == ""
    with pytest.raises(TypeError):
        format_rupiah(1.5)
    with pytest.raises(ValueError):
        format_rupiah(Decimal("1.5"))


@pytest.mark.parametrize(
    ("url", "embed"),
    [
        (
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        ("https://youtu.be/dQw4w9WgXcQ?t=10", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        (
            "https://m.youtube.com/shorts/dQw4w9WgXcQ",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871"),
        (
            "https://vimeo.com/76979871/abcdef1234",
            "https://player.vimeo.com/video/76979871?h=abcdef1234",
        ),
        ("https://player.vimeo.com/video/76979871", "https://player.vimeo.com/video/76979871"),
        ("https://www.youtube.com/channel/UCabc", ""),
        ("https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ", ""),
        ("javascript:alert(1)", ""),
        ("https://example.com/video.mp4", ""),
        ("", ""),
    ],
)
def test_video_embeds(url, embed):
    assert video_embed_url(url) == embed


def test_whatsapp_links():
    assert whatsapp_link("0812-3456-7890") == "https://wa.me/6281234567890"
    assert whatsapp_link("+62 857 1234 5678") == "https://wa.me/6285712345678"
    assert whatsapp_link("") == ""
    assert whatsapp_link("12") == ""
    assert whatsapp_link("0812345678", "Halo & hi").endswith("?text=Halo%20%26%20hi")
