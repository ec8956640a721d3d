"""Conversion is a share of the same people: of a booth's visitors (its page, its products, its live
sessions' chat), how many bought from it. Never over 100 %, and the same figure on the dashboard, in
the exports, in the data API and on the vendor's own sales page.

The data of the first tests used to give 2300 % (one booth visit, 23 paid orders) and 350 %."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from booths.services.visit_rollups import visits_write
from booths.visits import account_key
from events.models import LiveSession
from events.rooms import Room
from events.services import message_send
from expo import ratelimit
from expo.reports import figures
from expo.reports import services as report_services
from expo.reports.exports import dashboard_tables, to_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counts():
    ratelimit.reset()
    yield
    ratelimit.reset()


def _visit(booth, visitor: str, *, day: date | None = None) -> None:
    # As the visits' flush writes them: the rows and their rollups.
    visits_write(visits=[("booth", booth.pk, day or date.today(), visitor)])


def _product_visit(product, visitor: str, *, day: date | None = None) -> None:
    visits_write(visits=[("product", product.pk, day or date.today(), visitor)])


@pytest.fixture
def at():
    return timezone.now() - timedelta(hours=2)


@pytest.fixture
def one_visit_many_orders(booths, write, at, make_user):
    """The walk's dashboard: one booth visit recorded, 23 paid orders from the booth (one account
    that visited, bought 3 times; 20 guests whose browsing was recorded under sessions the orders
    do not carry)."""
    booth = booths[0]
    regular = make_user(name="Regular")
    _visit(booth, account_key(regular.pk))
    for _ in range(3):
        write.order(lines=[(booth, 10_000, 1)], at=at, buyer=regular, email=regular.email)
    for n in range(20):
        write.order(lines=[(booth, 10_000, 1)], at=at, email=f"guest{n}@example.com")
    return booth, regular


def test_one_visit_and_23_orders_is_not_2300_percent(expo, one_visit_many_orders):
    booth, _regular = one_visit_many_orders
    board = figures.expo_dashboard(expo)
    row = next(r for r in board.by_booth if r.key == booth.pk)
    assert row.orders == 23
    # 21 people bought (one account, 20 guests); each of them reached the booth.
    assert row.extra["buyers"] == 21
    assert row.extra["visitors"] == 21
    assert row.extra["conversion"] == pytest.approx(100.0)
    assert board.totals.visitors == 21
    assert board.totals.conversion == pytest.approx(100.0)
    assert board.totals.buyers == 21


def test_conversion_counts_people_not_days_or_orders(expo, booths, write, at, make_user):
    """The vendor page's 350 %: two visitor-days, seven orders. Now: four people came (one of them
    twice, one only to a product page, one in the session chat), one of them bought four times."""
    booth = booths[1]
    product = booth.products.first()
    buyer, chatter = make_user(name="Buyer"), make_user(name="Chatter")
    today = date.today()
    _visit(booth, account_key(buyer.pk), day=today)
    _visit(booth, account_key(buyer.pk), day=today - timedelta(days=1))  # same person, next day
    _product_visit(product, account_key(buyer.pk))  # and a product page: still one person
    _visit(booth, "guest-session-a")
    _product_visit(product, "guest-session-b")
    session = LiveSession.objects.create(
        booth=booth,
        title_en="Demo",
        title_id="Demo",
        starts_at=at,
        ends_at=at + timedelta(hours=1),
        stream_url="https://example.com/live",
    )
    # As the chat writes it (the one service that saves messages, which counts the chatter).
    message_send(room=Room("session", session.pk), body="Halo", by=chatter)
    for _ in range(4):
        write.order(lines=[(booth, 20_000, 1)], at=at, buyer=buyer, email=buyer.email)

    reach, total = figures.expo_conversion(expo.pk)
    assert reach[booth.pk] == figures.Conversion(visitors=4, buyers=1)
    assert reach[booth.pk].rate == pytest.approx(25.0)
    assert total == figures.Conversion(visitors=4, buyers=1)


def test_an_expo_counts_each_person_once_across_booths(expo, booths, write, at, make_user):
    a, b = booths[0], booths[1]
    person = make_user()
    _visit(a, account_key(person.pk))
    _visit(b, account_key(person.pk))
    _visit(b, "someone-else")
    write.order(lines=[(b, 10_000, 1)], at=at, buyer=person, email=person.email)
    reach, total = figures.expo_conversion(expo.pk)
    assert reach[a.pk] == figures.Conversion(visitors=1, buyers=0)
    assert reach[b.pk] == figures.Conversion(visitors=2, buyers=1)
    assert total == figures.Conversion(visitors=2, buyers=1)
    assert total.rate == pytest.approx(50.0)


def test_a_buyer_whose_visit_was_recorded_under_a_session_is_still_a_visitor(
    expo, booths, write, at, make_user
):
    """Browsing as a guest, signing in to pay: the visit carries the session, the order the account.
    The buyer is one more visitor (the figure errs low, never above 100 %)."""
    booth = booths[2]
    person = make_user()
    _visit(booth, "the-guest-session-before-login")
    write.order(lines=[(booth, 10_000, 1)], at=at, buyer=person, email=person.email)
    reach, _total = figures.expo_conversion(expo.pk)
    assert reach[booth.pk] == figures.Conversion(visitors=2, buyers=1)


def test_no_visitors_no_conversion(expo, booths):
    board = figures.expo_dashboard(expo)
    assert board.totals.conversion is None
    assert all(r.extra["conversion"] is None for r in board.by_booth)


def test_conversion_never_passes_100_percent_on_any_mix(expo, booths, write, at, make_user):
    people = [make_user() for _ in range(6)]
    for i, person in enumerate(people):
        booth = booths[i % len(booths)]
        if i % 2:
            _visit(booth, account_key(person.pk))
        for _ in range(i + 1):
            write.order(lines=[(booth, 5_000, 2)], at=at, buyer=person, email=person.email)
            write.order(lines=[(booths[-1], 5_000, 1)], at=at, email=f"g{i}@example.com")
    reach, total = figures.expo_conversion(expo.pk)
    for item in (*reach.values(), total):
        assert item.rate is not None and 0 <= item.rate <= 100


# --- The same figure everywhere -----------------------------------------------------------------


def test_the_dashboard_exports_api_and_vendor_page_show_the_same_conversion(
    client, expo, organiser, one_visit_many_orders, make_vendor_user
):
    booth, _regular = one_visit_many_orders
    board = figures.expo_dashboard(expo)
    expected = board.totals.conversion
    assert expected == pytest.approx(100.0)

    # The dashboard page.
    client.force_login(organiser)
    page = client.get(reverse("manage:reports:dashboard", args=[expo.slug])).content.decode()
    assert "100.0%" in page and "2300.0%" not in page

    # The exports: the summary's figure and the booth's row.
    tables = {t.slug: t for t in dashboard_tables(board, [])}
    summary = {str(k): v for k, v in tables["summary"].rows}
    assert summary["Conversion: visitors who bought (%)"] == pytest.approx(100.0)
    assert summary["Booth visitors (people, each once)"] == 21
    booth_columns = [str(c) for c in tables["booths"].columns]
    row = next(r for r in tables["booths"].rows if r[0] == booth.vendor.name)
    assert row[booth_columns.index("Conversion (%)")] == pytest.approx(100.0)
    assert to_xlsx(list(tables.values()))  # the workbook is written from the same rows

    # The data API.
    _token, secret = report_services.api_token_create(office=expo.office, name="t", by=organiser)
    answer = client.get(
        reverse("api:expo_omzet", args=[expo.slug]), HTTP_AUTHORIZATION=f"Bearer {secret}"
    ).json()
    assert answer["totals"]["conversion"] == pytest.approx(100.0)
    assert answer["totals"]["visitors"] == 21
    rows = client.get(
        reverse("api:expo_breakdown", args=[expo.slug, "booths"]),
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    ).json()["results"]
    api_row = next(r for r in rows if r["booth_id"] == booth.pk)
    assert api_row["conversion"] == pytest.approx(100.0)
    assert api_row["visitors"] == 21 and api_row["buyers"] == 21

    # The vendor's own sales page.
    vendor_user = make_vendor_user(booth)
    client.force_login(vendor_user)
    (mine,) = figures.vendor_figures(booth.vendor)
    assert mine.conversion == pytest.approx(100.0)
    page = client.get(reverse("vendor_reports:sales", args=[booth.vendor.slug])).content.decode()
    assert "100.0%" in page and "2300.0%" not in page


def test_the_dashboard_says_what_conversion_means(client, expo, organiser, booths):
    client.force_login(organiser)
    page = client.get(reverse("manage:reports:dashboard", args=[expo.slug])).content.decode()
    assert 'data-testid="conversion-help"' in page


def test_conversion_query_count_is_constant(
    expo, booths, write, at, make_user, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    person = make_user()
    _visit(booths[0], account_key(person.pk))
    write.order(lines=[(booths[0], 1_000, 1)], at=at, buyer=person, email=person.email)
    with CaptureQueriesContext(connection) as small:
        figures.expo_conversion(expo.pk)
    for n in range(30):
        extra = make_user()
        _visit(booths[n % 4], account_key(extra.pk))
        _product_visit(booths[n % 4].products.first(), f"s{n}")
        write.order(lines=[(booths[n % 4], 1_000, 1)], at=at, buyer=extra, email=extra.email)
    with django_assert_max_num_queries(len(small.captured_queries)):
        figures.expo_conversion(expo.pk)


def test_a_buyer_with_an_account_is_counted_among_the_visitors_as_it_buys(
    expo, booths, write, at, make_user
):
    """The visit rollups count a signed-in buyer at each booth it bought from, once, under the key
    its visits carry (so its own visits do not count it again), in the sale's transaction; the
    rebuild finds the same from the buyers the ledger's rollups keep."""
    from io import StringIO

    from django.core.management import call_command

    from booths.models import BoothReach, BoothVisitor, ExpoReach

    buyer = make_user(name="Signed in")
    _visit(booths[0], account_key(buyer.pk))
    _visit(booths[0], "guest-session")
    for _ in range(2):
        write.order(lines=[(booths[0], 10_000, 1), (booths[1], 5_000, 1)], at=at, buyer=buyer)
    reach = dict(BoothReach.objects.values_list("booth_id", "visitors"))
    assert reach == {booths[0].pk: 2, booths[1].pk: 1}
    assert ExpoReach.objects.get(expo=expo).visitors == 2
    row = next(r for r in figures.expo_dashboard(expo).by_booth if r.key == booths[1].pk)
    assert (row.extra["visitors"], row.extra["buyers"]) == (1, 1)

    kept = set(BoothVisitor.objects.values_list("expo_id", "booth_id", "visitor"))
    BoothVisitor.objects.all().delete()
    BoothReach.objects.all().delete()
    call_command("rebuild_visit_rollups", "--expo", expo.slug, stdout=StringIO())
    assert set(BoothVisitor.objects.values_list("expo_id", "booth_id", "visitor")) == kept
    assert dict(BoothReach.objects.values_list("booth_id", "visitors")) == reach
