"""The hall's search on the demo catalogue (seeded once for the module by expo.demo.seed's
seed_demo) and on small halls: ranking by relevance, typos, the two languages through the office's
synonyms, filters and their counts on search results, the index following catalogue writes, and a
query count that does not grow with the catalogue. tests/booths/test_search_postgres.py runs the
same tests on PostgreSQL."""

from __future__ import annotations

import html
import re

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test.utils import override_settings
from django.urls import reverse

from booths import services
from booths.models import Booth, Product, SearchSynonym
from booths.search import index as search_index
from booths.selectors import HallFilters, hall_search
from expo.demo.images import Pictures
from expo.demo.seed import seed_demo
from tests.conftest import move_to

BOOTH = re.compile(r'<h3 class="bcard-title"><a [^>]*>([^<]*)</a>')
PRODUCT = re.compile(r'<h3 class="pcard-title"><a [^>]*>([^<]*)</a>')
FACET = re.compile(
    r'<span class="check-label">([^<]*)</span>\s*<span class="check-count">(\d+)</span>'
)
COFFEE_BOOTHS = {"Kopi Lereng Sindoro", "Kopi Lereng Ungaran", "Kawista Lasem"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo expo of `make run`, seeded once for the module and rolled back after it."""
    media = tmp_path_factory.mktemp("demo-media")
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media / "private")},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, STORAGES=storages, PASSWORD_HASHERS=hashers),
        transaction.atomic(),
    ):
        expo = seed_demo(pictures=Pictures(pool=2)).expo
        yield expo
        transaction.set_rollback(True)


def _hall(client, expo, query: str) -> str:
    response = client.get(f"{reverse('booths:hall', args=[expo.slug])}?{query}")
    assert response.status_code == 200
    return response.content.decode()


def booths_in(page: str) -> list[str]:
    return [html.unescape(name) for name in BOOTH.findall(page)]


def products_in(page: str) -> list[str]:
    return [html.unescape(name) for name in PRODUCT.findall(page)]


def sort_menu(page: str) -> str:
    return re.search(r'<select id="id_sort".*?</select>', page, re.DOTALL).group(0)


def counts_in(page: str) -> dict[str, int]:
    return {html.unescape(label): int(n) for label, n in FACET.findall(page)}


# --- Ranking on the demo catalogue -----------------------------------------------------------------


@pytest.mark.parametrize("word", ["coffee", "kopi", "Coffee", "KOPI"])
def test_a_coffee_search_lists_coffee_first(db, client, demo, word):
    page = _hall(client, demo, f"q={word}")
    booths = booths_in(page)
    assert set(booths[:3]) == COFFEE_BOOTHS, booths
    # The bamboo-furniture booth sells a "Bamboo coffee table": found, but after the coffee.
    assert "Bambu Lawu Kreasi" not in booths[:3]
    products = products_in(page)
    assert len(products) >= 3
    for name in products[:3]:
        assert "coffee" in name.lower() or "kopi" in name.lower(), products
    assert "Bamboo coffee table" not in products[:3]


def test_booths_and_products_are_both_found(db, client, demo):
    page = _hall(client, demo, "q=jenang")
    assert booths_in(page)[0] == "Jenang Sekar Kudus"
    assert products_in(page) and all("enang" in name for name in products_in(page))
    assert 'aria-labelledby="hall-products-heading"' in page


@pytest.mark.parametrize(
    ("typed", "meant", "expected"),
    [
        ("battik", "batik", "batik"),
        ("bttik", "batik", "batik"),
        ("kripik", "keripik", "chips"),  # put right, then its synonym too
        ("cofee", "coffee", "coffee"),
    ],
)
def test_typos_are_put_right(db, client, demo, typed, meant, expected):
    page = _hall(client, demo, f"q={typed}")
    products = products_in(page)
    assert products, f"nothing found for {typed!r}"
    assert expected in products[0].lower(), products
    assert f"Also searched for “{meant}” (you typed “{typed}”)." in page


@pytest.mark.parametrize(
    ("query", "first_booth", "in_products"),
    [
        ("palm+sugar", "Gula Semut Nira Lestari", "palm sugar"),
        ("gula+aren", "Gula Semut Nira Lestari", "palm sugar"),
        ("chips", "Keripik Tempe Sari Kedelai", "chips"),
        ("keripik", "Keripik Tempe Sari Kedelai", "chips"),
        ("weaving", None, "woven"),
        ("tenun", None, "woven"),
        ("madu", "Kopi Lereng Ungaran", "honey"),  # robusta, honey process
    ],
)
def test_the_two_languages_meet_through_synonyms(db, client, demo, query, first_booth, in_products):
    page = _hall(client, demo, f"q={query}")
    booths = booths_in(page)
    assert booths, f"nothing found for {query!r}"
    if first_booth:
        assert booths[0] == first_booth, booths
    else:
        assert booths[0].startswith(("Tenun", "Lurik")), booths
    assert any(in_products in name.lower() for name in products_in(page)[:3]), products_in(page)


def test_the_office_extends_the_synonyms_in_the_admin(
    db, client, demo, admin_user, django_capture_on_commit_callbacks
):
    assert booths_in(_hall(client, demo, "q=sweetmeat")) == []
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:booths_searchsynonym_add"), {"phrases": "Jenang,  SWEETMEAT "}
        )
    assert response.status_code == 302
    assert SearchSynonym.objects.filter(phrases="jenang, sweetmeat").exists()
    refused = client.post(reverse("admin:booths_searchsynonym_add"), {"phrases": "dodol"})
    assert "Give at least two words or phrases" in refused.content.decode()
    client.logout()
    # The page cached a moment ago is let go: the next search knows the new synonym.
    assert booths_in(_hall(client, demo, "q=sweetmeat"))[0] == "Jenang Sekar Kudus"


def test_a_search_typed_on_the_hall_is_ordered_by_relevance(db, client, demo):
    """The hall's sort menu is part of the search form: what it sends with a new search must not
    keep the whole hall's name order."""
    menu = sort_menu(_hall(client, demo, ""))
    sent = re.search(r'<option value="([^"]*)" selected>', menu).group(1)
    assert sent == ""  # the hall's default order: a search takes its own
    booths = booths_in(_hall(client, demo, f"q=coffee&sort={sent}"))
    assert set(booths[:3]) == COFFEE_BOOTHS, booths
    menu = sort_menu(_hall(client, demo, "q=coffee"))
    assert '<option value="" selected>Best match</option>' in menu
    assert '<option value="name">' in menu


def test_filters_apply_to_search_results_and_count_them(db, client, demo):
    everything = counts_in(_hall(client, demo, ""))
    page = _hall(client, demo, "q=kopi")
    coffee = counts_in(page)
    assert coffee.keys() == everything.keys()  # every option stays, with what it would add
    assert all(coffee[label] <= n for label, n in everything.items())
    assert any(n and not coffee[label] for label, n in everything.items())
    assert coffee["Kab. Temanggung"] >= 1
    sectors = [n for label, n in coffee.items() if not label.startswith(("Kab. ", "Kota "))]
    assert sum(sectors) == len(booths_in(page)) == 8
    # A price ceiling: only products under it, and only the booths that have one.
    page = _hall(client, demo, "q=batik&price_max=100000")
    prices = Product.objects.filter(name_en__in=products_in(page)).values_list("price", flat=True)
    assert prices and max(prices) <= 100_000
    for name in booths_in(page):
        booth = Booth.objects.get(expo=demo, vendor__name=name)
        assert booth.products.filter(price__lte=100_000, is_active=True).exists(), name


# --- Small halls -----------------------------------------------------------------------------------


@pytest.fixture
def market(make_expo, make_booth, regions, sectors):
    expo = make_expo("open")
    make_booth(
        expo, name="Batik Sekar", sector=sectors[1], region=regions[1], product_names=("Batik",)
    )
    make_booth(expo, name="Batik Tulis Lasem", sector=sectors[1], region=regions[0])
    make_booth(expo, name="Kopi Lereng", region=regions[0], product_names=("Arabica beans",))
    make_booth(expo, name="Keripik Bu Sri", region=regions[2], halal=True)
    return expo


def test_the_filter_counts_follow_the_filters_in_force(client, market):
    counts = counts_in(_hall(client, market, ""))
    assert counts["Food and drink"] == 2 and counts["Batik"] == 2
    assert counts["Kab. Banyumasan"] == 2 and counts["Kab. Purbalinggan"] == 1
    # A regency: the sectors count the booths in it; the regencies count as if none were ticked.
    counts = counts_in(_hall(client, market, "region=99.02"))
    assert counts["Food and drink"] == 1 and counts["Batik"] == 1
    assert counts["Kab. Banyumasan"] == 2 and counts["Kota Surakartan"] == 1
    # A sector: the regencies count its booths, the sectors still offer the others.
    counts = counts_in(_hall(client, market, "sector=test-batik"))
    assert counts["Kab. Banyumasan"] == 1 and counts["Kota Surakartan"] == 0
    assert counts["Food and drink"] == 2 and counts["Batik"] == 2
    # Halal and a search narrow every count.
    counts = counts_in(_hall(client, market, "halal=1"))
    assert counts == {
        "Food and drink": 1,
        "Batik": 0,
        "Kab. Banyumasan": 0,
        "Kab. Purbalinggan": 0,
        "Kota Surakartan": 1,
    }
    counts = counts_in(_hall(client, market, "q=batik"))
    assert counts["Batik"] == 2 and counts["Food and drink"] == 0
    assert counts["Kab. Purbalinggan"] == 1 and counts["Kota Surakartan"] == 0


def test_nothing_found_says_so_and_counts_nothing(client, market):
    page = _hall(client, market, "q=zzzqqq")
    assert booths_in(page) == [] and products_in(page) == []
    assert "No booth matches these filters." in page
    assert set(counts_in(page).values()) == {0}


@pytest.mark.parametrize(
    "typed",
    [
        "'; DROP TABLE booths_booth; --",
        'batik" OR "x',
        "batik AND NOT kopi",
        "bat*",
        "(batik",
        "batik:* & !kopi | <->",
        "NEAR(batik kopi)",
        "☕",
        "日本茶",
        "Café Kafé",
        "a",
        "__",
        "1",
        "x" * 100,
        "the and of",
    ],
)
def test_any_query_is_answered(client, market, typed):
    response = client.get(reverse("booths:hall", args=[market.slug]), {"q": typed})
    assert response.status_code == 200
    assert 'role="alert"' not in response.content.decode()


def test_the_index_follows_catalogue_writes(
    client, market, make_user, django_capture_on_commit_callbacks
):
    booth = Booth.objects.get(vendor__name="Kopi Lereng")
    assert booths_in(_hall(client, market, "q=luwak")) == []
    member = make_user()
    booth.vendor.memberships.create(user=member, role="owner")
    product = booth.products.get(name_en="Arabica beans")
    with django_capture_on_commit_callbacks(execute=True):
        services.product_update(product=product, by=member, name_en="Luwak beans")
    assert booths_in(_hall(client, market, "q=luwak")) == ["Kopi Lereng"]
    # Written past the services (the admin, an import): seen too.
    Product.objects.filter(pk=product.pk).update(is_active=False)
    cache.clear()
    assert booths_in(_hall(client, market, "q=luwak")) == []
    Product.objects.create(
        booth=booth, slug="gayo", name_en="Gayo", name_id="Gayo", category="drink", price=50_000
    )
    cache.clear()
    assert booths_in(_hall(client, market, "q=gayo")) == ["Kopi Lereng"]


def test_a_search_before_publication_or_of_an_empty_hall_is_fine(client, make_expo, make_booth):
    expo = make_expo("open")
    assert booths_in(_hall(client, expo, "q=batik")) == []
    make_booth(expo, name="Batik Sekar")
    move_to(expo, "published")
    assert booths_in(_hall(client, expo, "q=sekar")) == ["Batik Sekar"]


def test_the_query_count_does_not_grow_with_the_catalogue(
    make_expo, make_booth, regions, sectors, django_assert_num_queries
):
    expo = make_expo("open")
    make_booth(expo, name="Batik Sekar", sector=sectors[1], products=2)
    make_booth(expo, name="Kopi Lereng", product_names=("Batik coffee sack",))
    filters = HallFilters(q="batik cofee", regions=(regions[0].code,), price_max=500_000)
    counts = []
    for extra in (0, 60):
        for i in range(extra):
            make_booth(expo, products=25, sector=sectors[i % 2], region=regions[i % 3])
        search_index.ensure_fresh(expo.pk)  # once per catalogue change, not per search
        # fingerprint, synonyms, words near the typed ones, scores; the booths with their filter
        # results; the page's booths, card products, photos; best products, photos
        with django_assert_num_queries(10):
            results = hall_search(expo=expo, filters=filters, page=1)
        counts.append(results.count)
    assert counts == [1, 1]
