"""The organisers' stored matchmaking suggestions (events.matching.suggestions): on random buyers,
vendors, meetings and changes made through the services (hypothesis), the stored pairs equal a
fresh scoring of the expo and the page shows them in the order the matchmaking always ranked them
(score, the vendor's next free slot, the company, the vendor's name; page by page and under the
filters); each service that changes an input updates them; the rebuild command; the page's
queries stay the same as buyers, vendors and pairs grow; a queue outage; and, on PostgreSQL,
concurrent changes leave the pairs equal to a recount."""

from __future__ import annotations

import contextlib
import io
import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis.exceptions import ConnectionError as RedisConnectionError

from booths.models import Booth, BoothApplication, Product, Vendor
from booths.rubrics import ApplicationScore, Criterion, CurationRubric
from booths.services import catalogue
from events.matching import matchmaking, scoring, services, suggestions
from events.matching.models import Meeting, PairSuggestion, SuggestionBoard
from expo import buyers
from expo.models import BuyerProfile, Sector
from expo.refusals import Refused
from expo.services import office_add_organiser
from tests.events.matching_fixtures import make_matching_expo, make_stand, make_user, publish, wib

pytestmark = pytest.mark.django_db

WORDS = ["coffee", "batik", "rattan", "honey", "spice", "soap"]
NAMES = ["Kopi Kita", "kopi kita", "Batik Ayu", "Zamrud", "Éclair"]
COMPANIES = ["Hana Trading", "hana trading", "Asia Foods", "Zen", "Ölmühle"]


def sectors() -> list[Sector]:
    return [
        Sector.objects.get_or_create(
            slug=f"s-{n}", defaults={"name_en": f"Sector {n}", "name_id": f"Sektor {n}"}
        )[0]
        for n in range(3)
    ]


def make_buyer(company: str, *, country="JP", kind="importer", products="", sector_ids=(), ok=True):
    user = make_user(name=company)
    buyers.buyer_profile_save(
        user=user,
        company=company,
        country=country,
        buyer_type=kind,
        products=products,
        sectors=list(sector_ids),
        order_size=1_000_000,
        consent=ok,
    )
    return user


def add_product(stand, name: str) -> Product:
    return Product.objects.create(
        booth=stand.booth,
        slug=f"p-{Product.objects.count() + 1}",
        name_en=name,
        name_id=name,
        category="food",
        price=1000,
    )


def set_export(stand, value: int) -> None:
    application = stand.booth.application or BoothApplication.objects.create(
        expo=stand.booth.expo, vendor=stand.vendor, status="approved", stock="ready"
    )
    if stand.booth.application_id != application.pk:
        stand.booth.application = application
        stand.booth.save(update_fields=["application"])
    ApplicationScore.objects.update_or_create(
        application=application, key=Criterion.EXPORT, defaults={"value": value}
    )


def oracle(expo, *, country: str = "", sector_id: int | None = None) -> list[tuple]:
    """(buyer, vendor, score) of every suggested pair scored afresh, in the matchmaking's order:
    the score, then the vendor with the earlier free slot (none: last), then the company and the
    vendor's name in lower case; the ids for pairs equal in all of these."""
    vendors = scoring.vendor_cards(expo)
    scoring.next_slots(expo, vendors)
    far = wib(0).replace(year=9999)
    rows = [
        ((-score, v.next_slot or far, b.company.lower(), v.name.lower(), b.user_id, v.vendor_id),
         (b.user_id, v.vendor_id, score))
        for score, b, v in scoring.scored_pairs(
            scoring.buyer_cards(), vendors, scoring.met_pairs(expo)
        )
        if (not country or b.country == country) and (sector_id is None or v.sector_id == sector_id)
    ]  # fmt: skip
    return [row for _key, row in sorted(rows)]


def shown(expo, *, limit: int, **filters) -> list[tuple]:
    """Every page of the board, ``limit`` a page, one after the other."""
    found, page = [], 1
    while True:
        board = matchmaking.matchmaking_board(expo=expo, limit=limit, page=page, **filters)
        found += [(s.buyer.user_id, s.vendor.vendor_id, s.score) for s in board.suggestions]
        assert all(s.reasons for s in board.suggestions)
        if not board.has_next:
            return found
        page += 1


def assert_fresh(expo) -> None:
    assert suggestions.stored_pairs(expo) == suggestions.fresh_pairs(expo)


# --- Random worlds -----------------------------------------------------------------------------------

vendor_st = st.fixed_dictionaries(
    {
        "name": st.sampled_from(NAMES),
        "sector": st.integers(0, 2),
        "size": st.sampled_from(["mikro", "kecil", "menengah"]),
        "tagline": st.sampled_from(["", *WORDS]),
        "products": st.lists(st.sampled_from(WORDS), max_size=3),
        "export": st.one_of(st.none(), st.integers(1, 5)),
        "slot": st.sampled_from([None, 9, 10]),
    }
)
buyer_st = st.fixed_dictionaries(
    {
        "company": st.sampled_from(COMPANIES),
        "country": st.sampled_from(["ID", "JP", "NL"]),
        "kind": st.sampled_from(["importer", "retailer", "distributor"]),
        "sectors": st.sets(st.integers(0, 2), max_size=2),
        "products": st.lists(st.sampled_from([*WORDS, "and", "gifts"]), max_size=4),
        "consent": st.booleans(),
    }
)
# Changes made after the first view stored the suggestions: a buyer requests a meeting or cancels
# one, changes their profile or consent; a vendor adds or hides a product, closes or reopens its
# booth, changes its sector, gets another export score.
change_st = st.one_of(
    st.tuples(st.just("request"), st.integers(0, 5), st.integers(0, 4)),
    st.tuples(st.just("cancel"), st.integers(0, 9), st.just(0)),
    st.tuples(st.just("profile"), st.integers(0, 5), st.integers(0, 5)),
    st.tuples(st.just("consent"), st.integers(0, 5), st.booleans()),
    st.tuples(st.just("product"), st.integers(0, 4), st.integers(0, 5)),
    st.tuples(st.just("hide"), st.integers(0, 4), st.just(0)),
    st.tuples(st.just("booth"), st.integers(0, 4), st.booleans()),
    st.tuples(st.just("sector"), st.integers(0, 4), st.integers(0, 2)),
    st.tuples(st.just("export"), st.integers(0, 4), st.integers(1, 5)),
)


def build_world(vendor_specs, buyer_specs):
    expo = make_matching_expo()
    found = sectors()
    stands = []
    for spec in vendor_specs:
        stand = make_stand(expo, name=spec["name"])
        Vendor.objects.filter(pk=stand.vendor.pk).update(
            sector=found[spec["sector"]], size_class=spec["size"]
        )
        Booth.objects.filter(pk=stand.booth.pk).update(tagline_en=spec["tagline"])
        stand.booth.refresh_from_db()
        for word in spec["products"]:
            add_product(stand, f"{word} pack")
        if spec["export"] is not None:
            set_export(stand, spec["export"])
        if spec["slot"] is not None:
            publish(stand, wib(spec["slot"]), wib(spec["slot"] + 2))
        stands.append(stand)
    people = [
        make_buyer(
            spec["company"],
            country=spec["country"],
            kind=spec["kind"],
            products=" ".join(spec["products"]),
            sector_ids=[found[n].pk for n in spec["sectors"]],
            ok=spec["consent"],
        )
        for spec in buyer_specs
    ]
    return expo, found, stands, people


def apply_change(change, expo, found, stands, people, meetings) -> None:
    action, a, b = change
    if action == "request" and a < len(people) and b < len(stands):
        stand = stands[b]
        slots = services.matching.free_slots(expo=expo, vendor_id=stand.vendor.pk, buyer=people[a])
        if slots:
            # The booth is closed, the buyer has no consent...: then nothing changes.
            with contextlib.suppress(Refused, ValidationError, PermissionDenied):
                meetings.append(
                    services.meeting_request(
                        booth=stand.booth, starts_at=slots[0].starts_at, agenda="Hi", by=people[a]
                    )
                )
    elif action == "cancel" and meetings:
        meeting = meetings[a % len(meetings)]
        meeting.refresh_from_db()
        with contextlib.suppress(Refused):  # cancelled already
            services.meeting_cancel(meeting=meeting, by=meeting.buyer)
    elif action == "profile" and a < len(people):
        profile = buyers.profile_of(people[a])
        buyers.buyer_profile_save(
            user=people[a],
            company=COMPANIES[b % len(COMPANIES)],
            country=["ID", "JP"][b % 2],
            buyer_type=profile.buyer_type,
            products=f"{WORDS[b]} {WORDS[(b + 2) % len(WORDS)]}",
            sectors=[found[b % 3].pk],
            order_size=1_000_000,
        )
    elif action == "consent" and a < len(people):
        buyers.buyer_profile_save(user=people[a], consent=b)
    elif action == "product" and a < len(stands):
        add_product(stands[a], f"fine {WORDS[b]}")
    elif action == "hide" and a < len(stands):
        for product in Product.objects.filter(booth=stands[a].booth):
            product.is_active = False
            product.save(update_fields=["is_active"])
    elif action == "booth" and a < len(stands):
        booth = stands[a].booth
        booth.is_active = b
        booth.save(update_fields=["is_active"])
    elif action == "sector" and a < len(stands):
        vendor = stands[a].vendor
        vendor.refresh_from_db()
        vendor.sector = found[b]
        vendor.save(update_fields=["sector"])
    elif action == "export" and a < len(stands):
        stands[a].booth.refresh_from_db()
        set_export(stands[a], b)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    vendor_specs=st.lists(vendor_st, min_size=1, max_size=5),
    buyer_specs=st.lists(buyer_st, min_size=1, max_size=6),
    changes=st.lists(change_st, max_size=10),
    limit=st.integers(1, 4),
)
def test_stored_suggestions_equal_a_fresh_scoring_in_the_same_order(
    django_capture_on_commit_callbacks, vendor_specs, buyer_specs, changes, limit
):
    BuyerProfile.objects.all().delete()  # the buyers of earlier examples
    expo, found, stands, people = build_world(vendor_specs, buyer_specs)
    assert shown(expo, limit=limit) == oracle(expo)  # the first view stores them
    assert SuggestionBoard.objects.filter(pk=expo.pk).exists()
    assert_fresh(expo)
    meetings: list[Meeting] = []
    for change in changes:
        with django_capture_on_commit_callbacks(execute=True):
            apply_change(change, expo, found, stands, people, meetings)
        assert_fresh(expo)
    assert shown(expo, limit=limit) == oracle(expo)
    assert shown(expo, limit=limit, country="JP") == oracle(expo, country="JP")
    sector = found[1].pk
    assert shown(expo, limit=limit, sector_id=sector) == oracle(expo, sector_id=sector)
    stored = suggestions.stored_pairs(expo)
    suggestions.suggestions_rebuild(expo=expo)
    assert suggestions.stored_pairs(expo) == stored


# --- Each change of an input, through its service ------------------------------------------------


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    expo = make_matching_expo()
    coffee, batik, _spare = sectors()
    kopi = make_stand(expo, name="Kopi Gayo")
    Vendor.objects.filter(pk=kopi.vendor.pk).update(sector=coffee, size_class="kecil")
    add_product(kopi, "Arabica coffee beans")
    publish(kopi, wib(10), wib(12))
    cloth = make_stand(expo, name="Batik Tulis")
    Vendor.objects.filter(pk=cloth.vendor.pk).update(sector=batik)
    publish(cloth, wib(10), wib(12))
    hana = make_buyer("Hana Trading", products="coffee", sector_ids=[coffee.pk])
    suggestions.suggestions_rebuild(expo=expo)
    return expo, (coffee, batik), kopi, cloth, hana


def pairs(expo) -> dict[tuple[int, int], int]:
    assert_fresh(expo)
    return suggestions.stored_pairs(expo)


def test_a_buyer_profile_change_rescored_in_its_transaction(world):
    expo, (coffee, batik), kopi, cloth, hana = world
    assert set(pairs(expo)) == {(hana.pk, kopi.vendor.pk)}
    buyers.buyer_profile_save(user=hana, products="batik cloth", sectors=[batik.pk], country="ID")
    assert pairs(expo) == {(hana.pk, cloth.vendor.pk): 3}  # the sector; no product says batik


def test_consent_withdrawn_and_given_again(world):
    expo, _sectors, kopi, _cloth, hana = world
    profile = buyers.profile_of(hana)
    assert buyers.buyer_consent_withdraw(profile=profile, by=hana)
    assert pairs(expo) == {}
    buyers.buyer_consent_give(profile=profile, by=hana)
    assert set(pairs(expo)) == {(hana.pk, kopi.vendor.pk)}


def test_an_account_switched_off_and_on(world):
    expo, _sectors, kopi, _cloth, hana = world
    hana.is_active = False
    hana.save()
    assert pairs(expo) == {}
    hana.is_active = True
    hana.save(update_fields=["is_active"])
    assert set(pairs(expo)) == {(hana.pk, kopi.vendor.pk)}
    with CaptureQueriesContext(connection) as queries:
        hana.save(update_fields=["last_login"])  # a sign-in: nothing to score
    assert len(queries) == 1


def test_a_profile_deleted(world):
    expo, *_rest = world
    BuyerProfile.objects.all().delete()
    assert pairs(expo) == {}


def test_a_new_buyer_is_suggested(world):
    expo, (_coffee, batik), _kopi, cloth, _hana = world
    budi = make_buyer("Budi", country="ID", kind="horeca", sector_ids=[batik.pk])
    assert pairs(expo)[(budi.pk, cloth.vendor.pk)] == 3


def test_meetings_booked_and_cancelled(world):
    expo, _sectors, kopi, _cloth, hana = world
    meeting = services.meeting_request(booth=kopi.booth, starts_at=wib(10), agenda="Hi", by=hana)
    assert pairs(expo) == {}
    services.meeting_cancel(meeting=meeting, by=hana)
    assert set(pairs(expo)) == {(hana.pk, kopi.vendor.pk)}
    organiser = make_user(name="Organiser")
    office_add_organiser(office=expo.office, user=organiser)
    arranged = services.meeting_arrange(
        booth=kopi.booth, buyer=hana, starts_at=wib(11), agenda="Hi", by=organiser
    )
    assert pairs(expo) == {}
    services.meeting_decline(meeting=arranged, by=kopi.member, reason="Busy")
    assert pairs(expo) == {}  # a declined meeting is still a meeting of the pair
    arranged.delete()
    assert set(pairs(expo)) == {(hana.pk, kopi.vendor.pk)}


def test_products_through_the_catalogue_services(world, django_capture_on_commit_callbacks):
    expo, _sectors, kopi, cloth, hana = world
    with django_capture_on_commit_callbacks(execute=True):
        product = catalogue.product_create(
            booth=cloth.booth,
            by=cloth.member,
            name_en="Coffee print batik",
            name_id="Batik motif kopi",
            category="batik",
            price=250_000,
        )
    assert pairs(expo)[(hana.pk, cloth.vendor.pk)] == 2 - 1  # a word; abroad, not export-ready
    with django_capture_on_commit_callbacks(execute=True):
        catalogue.product_update(product=product, by=cloth.member, name_en="Batik", name_id="Kain")
    assert (hana.pk, cloth.vendor.pk) not in pairs(expo)


def test_a_booth_closed_and_its_tagline(world, django_capture_on_commit_callbacks):
    expo, _sectors, kopi, cloth, hana = world
    with django_capture_on_commit_callbacks(execute=True):
        catalogue.booth_update(booth=cloth.booth, by=cloth.member, tagline_en="Coffee dyed")
    assert (hana.pk, cloth.vendor.pk) in pairs(expo)
    with django_capture_on_commit_callbacks(execute=True):
        kopi.booth.is_active = False
        kopi.booth.save(update_fields=["is_active"])
    assert set(pairs(expo)) == {(hana.pk, cloth.vendor.pk)}


def test_a_vendor_sector_size_and_export_score(world, django_capture_on_commit_callbacks):
    expo, (coffee, batik), kopi, cloth, hana = world
    with django_capture_on_commit_callbacks(execute=True):
        cloth.vendor.sector = coffee
        cloth.vendor.save(update_fields=["sector"])
    assert pairs(expo)[(hana.pk, cloth.vendor.pk)] == 3 - 1
    with django_capture_on_commit_callbacks(execute=True):
        set_export(kopi, 5)
    assert pairs(expo)[(hana.pk, kopi.vendor.pk)] == 3 + 2 + 2 + 1
    with django_capture_on_commit_callbacks(execute=True):
        CurationRubric.objects.update_or_create(expo=expo, defaults={"scale": 10})
    assert pairs(expo)[(hana.pk, kopi.vendor.pk)] == 3 + 2 - 1 + 1  # 5 of 10: not ready


def test_a_save_of_other_fields_queues_nothing(world, django_capture_on_commit_callbacks):
    _expo, _sectors, kopi, _cloth, _hana = world
    with django_capture_on_commit_callbacks() as callbacks:
        Product.objects.get(booth=kopi.booth).save(update_fields=["price"])
        kopi.booth.save(update_fields=["min_price"])
    assert callbacks == []


def test_during_a_queue_outage_the_change_is_applied_at_once(
    world, django_capture_on_commit_callbacks
):
    expo, _sectors, kopi, _cloth, hana = world
    down = mock.patch("events.tasks.refresh_suggestions", side_effect=RedisConnectionError("down"))
    with down, django_capture_on_commit_callbacks(execute=True):
        kopi.booth.is_active = False
        kopi.booth.save(update_fields=["is_active"])
    assert pairs(expo) == {}


def test_a_closed_expo_is_forgotten_and_built_again_when_viewed(world):
    expo, (coffee, _batik), kopi, _cloth, hana = world
    later = mock.patch(
        "events.matching.suggestions.timezone.now", return_value=expo.closes_at + timedelta(days=1)
    )
    with later:
        buyers.buyer_profile_save(user=hana, products="arabica", sectors=[coffee.pk])
    assert not SuggestionBoard.objects.filter(pk=expo.pk).exists()
    board = matchmaking.matchmaking_board(expo=expo)
    assert SuggestionBoard.objects.filter(pk=expo.pk).exists()
    assert [s.key for s in board.suggestions] == [f"{hana.pk}-{kopi.vendor.pk}"]


def test_the_rebuild_command_puts_back_what_was_lost(world):
    expo, _sectors, kopi, _cloth, hana = world
    PairSuggestion.objects.all().delete()
    out = io.StringIO()
    call_command("rebuild_suggestions", "--expo", expo.slug, stdout=out)
    assert f"{expo.slug}: 1 suggested pairs" in out.getvalue()
    assert set(pairs(expo)) == {(hana.pk, kopi.vendor.pk)}
    with pytest.raises(CommandError, match="no expo"):
        call_command("rebuild_suggestions", "--expo", "no-such-expo")


# --- The page ------------------------------------------------------------------------------------


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries)


def test_the_page_reads_the_same_queries_however_many_buyers_vendors_and_pairs(client, world):
    expo, (coffee, batik), kopi, cloth, hana = world
    organiser = make_user(name="Organiser")
    office_add_organiser(office=expo.office, user=organiser)
    client.force_login(organiser)
    url = reverse("manage:matchmaking", args=[expo.slug])
    client.get(url)
    small = _count(lambda: client.get(url))
    small_two = _count(lambda: client.get(url + "?page=2&sector=" + str(coffee.pk)))
    for n in range(8):
        stand = make_stand(expo, name=f"Kopi {n}")
        add_product(stand, f"coffee blend {n}")
        publish(stand, wib(12), wib(14))
    for n in range(60):
        make_buyer(f"Buyer {n:02d}", products="coffee batik", sector_ids=[coffee.pk, batik.pk])
    suggestions.suggestions_rebuild(expo=expo)
    assert PairSuggestion.objects.filter(expo=expo).count() > 500
    page = client.get(url + "?page=2")
    assert page.status_code == 200
    assert 'data-testid="next-suggestions"' in page.content.decode()
    assert _count(lambda: client.get(url)) == small
    assert _count(lambda: client.get(url + "?page=2&sector=" + str(coffee.pk))) == small_two


def test_a_page_of_suggestions_is_the_organisers_only(client, world):
    expo, _sectors, kopi, _cloth, hana = world
    url = reverse("manage:matchmaking", args=[expo.slug]) + "?page=2&country=JP"
    client.force_login(hana)
    assert client.get(url).status_code in (302, 403)
    client.force_login(kopi.member)
    assert client.get(url).status_code in (302, 403)
    other = make_user(name="Other organiser")
    office_add_organiser(office=make_matching_expo().office, user=other)
    client.force_login(other)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999999", ""])
def test_a_bad_page_number_shows_a_page(client, world, page):
    expo, *_ = world
    organiser = make_user(name="Organiser")
    office_add_organiser(office=expo.office, user=organiser)
    client.force_login(organiser)
    url = reverse("manage:matchmaking", args=[expo.slug])
    assert client.get(url, {"page": page}).status_code == 200


# --- Under real concurrency ----------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_changes_leave_the_suggestions_equal_to_a_recount():
    assert connection.vendor == "postgresql", "the PostgreSQL pass: DATABASE_URL=postgres://…"
    expo = make_matching_expo()
    coffee, batik, _spare = sectors()
    stands = []
    for n in range(4):
        stand = make_stand(expo, name=f"Kopi {n}")
        Vendor.objects.filter(pk=stand.vendor.pk).update(sector=[coffee, batik][n % 2])
        add_product(stand, ["coffee beans", "batik cloth"][n % 2])
        publish(stand, wib(9), wib(17))
        stands.append(stand)
    people = [make_buyer(f"Buyer {n}", products="coffee", sector_ids=[coffee.pk]) for n in range(8)]
    suggestions.suggestions_rebuild(expo=expo)
    start = threading.Barrier(12)
    problems: list[str] = []

    def buyer_thread(n: int) -> None:
        try:
            start.wait(timeout=60)
            me = people[n]
            for i in range(3):
                stand = stands[(n + i) % 4]
                slots = services.matching.free_slots(expo=expo, vendor_id=stand.vendor.pk, buyer=me)
                try:
                    meeting = services.meeting_request(
                        booth=stand.booth, starts_at=slots[0].starts_at, agenda="Hi", by=me
                    )
                    if i == 1:
                        services.meeting_cancel(meeting=meeting, by=me)
                except Refused:
                    pass  # the slot was taken meanwhile
                buyers.buyer_profile_save(
                    user=me, products=["coffee", "batik cloth"][(n + i) % 2], sectors=[coffee.pk]
                )
        except Exception as exc:  # reported below, with the others
            problems.append(f"buyer {n}: {exc!r}")
        finally:
            close_old_connections()

    def vendor_thread(n: int) -> None:
        try:
            start.wait(timeout=60)
            for i in range(3):
                vendor = Vendor.objects.get(pk=stands[n].vendor.pk)
                vendor.sector = [coffee, batik][(n + i + 1) % 2]
                vendor.save(update_fields=["sector"])  # outside a transaction: queued at once
                add_product(stands[n], ["rattan", "coffee honey"][i % 2])
        except Exception as exc:
            problems.append(f"vendor {n}: {exc!r}")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=buyer_thread, args=(n,)) for n in range(8)]
    threads += [threading.Thread(target=vendor_thread, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a writer never finished"
    assert problems == []
    assert Meeting.objects.filter(expo=expo).exists()
    assert_fresh(expo)
    assert shown(expo, limit=7) == oracle(expo)
