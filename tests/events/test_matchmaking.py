"""The organisers' matchmaking (issue 16, item 4) and the meeting figures (item 7): suggested
pairs with their reasons and ranking, none for pairs that already meet, bulk proposals that report
each pair and write nothing for a failed one, the page's boundary, figures per buyer country and
sector that agree with the meetings (page, dashboard, export, data API), constant query counts."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from booths.models import BoothApplication, Product, Vendor
from booths.rubrics import ApplicationScore, Criterion
from events.matching import matchmaking, selectors, services
from events.matching.models import Meeting, MeetingParticipant, MeetingStatus
from expo import buyers
from expo.models import Sector
from expo.reports import exports
from expo.reports import services as report_services
from expo.reports.figures.meetings import meeting_figures
from expo.services import office_add_organiser
from tests.events.matching_fixtures import (
    make_business_buyer,
    make_matching_expo,
    make_stand,
    make_user,
    publish,
    wib,
)

pytestmark = pytest.mark.django_db


def coffee() -> Sector:
    return Sector.objects.get_or_create(
        slug="m-coffee", defaults={"name_en": "Coffee", "name_id": "Kopi"}
    )[0]


def batik() -> Sector:
    return Sector.objects.get_or_create(
        slug="m-batik", defaults={"name_en": "Batik", "name_id": "Batik"}
    )[0]


def product(stand, name: str) -> Product:
    n = Product.objects.count() + 1
    return Product.objects.create(
        booth=stand.booth, slug=f"p-{n}", name_en=name, name_id=name, category="food", price=1000
    )


def export_score(stand, value: int) -> None:
    application = BoothApplication.objects.create(
        expo=stand.booth.expo, vendor=stand.vendor, status="approved", stock="ready"
    )
    stand.booth.application = application
    stand.booth.save(update_fields=["application"])
    ApplicationScore.objects.create(application=application, key=Criterion.EXPORT, value=value)


def buyer(name: str, *, country: str = "JP", products: str = "", sectors=(), kind="importer"):
    user = make_business_buyer(name=name)
    profile = buyers.profile_of(user)
    buyers.buyer_profile_save(
        user=user,
        sectors=list(sectors),
        company=profile.company,
        country=country,
        buyer_type=kind,
        products=products,
    )
    return user


def organiser_of(expo):
    user = make_user(name="Organiser")
    office_add_organiser(office=expo.office, user=user)
    return user


@pytest.fixture
def expo():
    return make_matching_expo()


@pytest.fixture
def stands(expo):
    """Three vendors: coffee, export-ready, selling beans; coffee, not scored; batik."""
    ready = make_stand(expo, name="Kopi Siap Ekspor")
    product(ready, "Arabica coffee beans")
    export_score(ready, 5)
    Vendor.objects.filter(pk=ready.vendor.pk).update(size_class="kecil")
    plain = make_stand(expo, name="Kopi Kampung")
    cloth = make_stand(expo, name="Batik Tulis")
    Vendor.objects.filter(pk=cloth.vendor.pk).update(sector=batik())
    product(cloth, "Batik tulis fabric")
    for stand in (ready, plain, cloth):
        publish(stand, wib(10), wib(11))
    return ready, plain, cloth


def test_suggestions_carry_their_reasons_and_are_ranked(expo, stands):
    ready, plain, cloth = stands
    tokyo = buyer("Hana", products="coffee beans, green tea", sectors=[coffee()])
    board = matchmaking.matchmaking_board(expo=expo)
    pairs = [(s.buyer.user_id, s.vendor.vendor_id) for s in board.suggestions]
    assert pairs == [(tokyo.pk, ready.vendor.pk), (tokyo.pk, plain.vendor.pk)]  # no batik
    best, second = board.suggestions
    assert best.reasons == [
        "Same sector: Coffee",
        "Products of interest: beans, coffee",
        "Buyer in Japan; export readiness 5/5",
        "Small (kecil) business, for a importer's volumes",
    ]
    assert best.score == 3 + 2 * 2 + 2 + 1
    assert second.reasons == [
        "Same sector: Coffee",
        "Buyer in Japan, but export readiness is not scored high",
    ]
    assert second.score == 3 - 1
    assert best.vendor.next_slot == wib(10)


def test_a_product_word_alone_suggests_a_pair_and_the_filters_narrow_it(expo, stands):
    ready, plain, cloth = stands
    jakarta = buyer("Budi", country="ID", products="Batik fabric for hotels", kind="horeca")
    board = matchmaking.matchmaking_board(expo=expo)
    assert [(s.vendor.vendor_id, s.reasons) for s in board.suggestions] == [
        (cloth.vendor.pk, ["Products of interest: batik, fabric"])
    ]
    assert matchmaking.matchmaking_board(expo=expo, country="JP").suggestions == []
    sector = matchmaking.matchmaking_board(expo=expo, sector_id=coffee().pk)
    assert sector.suggestions == []
    assert jakarta.pk in {b.user_id for b in board.buyers}


def test_no_suggestion_for_pairs_that_already_meet_or_without_consent(expo, stands):
    ready, plain, _cloth = stands
    tokyo = buyer("Hana", products="coffee", sectors=[coffee()])
    withdrawn = buyer("Wendy", products="coffee", sectors=[coffee()])
    buyers.buyer_consent_withdraw(profile=buyers.profile_of(withdrawn), by=withdrawn)
    meeting = services.meeting_request(
        booth=ready.booth, starts_at=wib(10), agenda="Beans", by=tokyo
    )
    board = matchmaking.matchmaking_board(expo=expo)
    assert [(s.buyer.user_id, s.vendor.vendor_id) for s in board.suggestions] == [
        (tokyo.pk, plain.vendor.pk)
    ]
    services.meeting_cancel(meeting=meeting, by=tokyo)
    board = matchmaking.matchmaking_board(expo=expo)
    assert {s.vendor.vendor_id for s in board.suggestions} == {ready.vendor.pk, plain.vendor.pk}


def test_bulk_proposal_reports_each_pair_and_writes_nothing_for_a_failed_one(expo, stands):
    ready, plain, cloth = stands
    organiser = organiser_of(expo)
    tokyo = buyer("Hana", products="coffee", sectors=[coffee()])
    london = buyer("Olivia", country="GB", products="batik", sectors=[batik()])
    lazy = make_user(name="No profile")
    rival = buyer("Rival", products="batik")
    real_free_slots = selectors.free_slots
    seen = []

    def stale(*, expo, vendor_id, buyer=None, **kw):
        """The bulk's read of the batik vendor's times, overtaken by a rival's booking."""
        if vendor_id != cloth.vendor.pk or buyer is None or buyer == rival:
            return real_free_slots(expo=expo, vendor_id=vendor_id, buyer=buyer, **kw)
        if not seen:
            seen.extend(real_free_slots(expo=expo, vendor_id=vendor_id, buyer=buyer))
            services.meeting_request(
                booth=cloth.booth, starts_at=seen[0].starts_at, agenda="Mine", by=rival
            )
        return seen[:1]

    with mock.patch.object(matchmaking.matching, "free_slots", side_effect=stale):
        results = matchmaking.meetings_propose_bulk(
            expo=expo,
            pairs=[
                f"{tokyo.pk}-{ready.vendor.pk}",
                f"{london.pk}-{cloth.vendor.pk}",
                f"{lazy.pk}-{plain.vendor.pk}",
                "garbage",
            ],
            agenda="",
            by=organiser,
        )
    assert [r.ok for r in results] == [True, False, False, False]
    assert "no longer free" in results[1].error
    assert "cannot meet" in results[2].error
    made = results[0].meeting
    assert (made.status, made.starts_at, made.proposed_by) == (
        MeetingStatus.PROPOSED,
        wib(10),
        organiser,
    )
    # Nothing for the failed pairs: the rival's meeting and the one proposed.
    assert Meeting.objects.exclude(buyer=rival).get() == made
    assert not MeetingParticipant.objects.filter(user=london).exists()
    # Both sides confirm, as for any proposal.
    services.meeting_accept(meeting=made, by=ready.member)
    services.meeting_confirm(meeting=made, by=tokyo)
    made.refresh_from_db()
    assert made.status == MeetingStatus.CONFIRMED
    # Proposed again: already meeting, said plainly.
    again = matchmaking.meetings_propose_bulk(
        expo=expo, pairs=[f"{tokyo.pk}-{ready.vendor.pk}"], agenda="", by=organiser
    )
    assert not again[0].ok and "already" in again[0].error
    # The next pair of the same buyer gets the buyer's next free time (10:30, not 10:00).
    nxt = matchmaking.meetings_propose_bulk(
        expo=expo, pairs=[f"{tokyo.pk}-{plain.vendor.pk}"], agenda="Tea too", by=organiser
    )
    assert nxt[0].meeting.starts_at == wib(10, 30)


def test_bulk_proposal_is_refused_to_another_office_and_for_bad_input(expo, stands):
    ready, *_ = stands
    tokyo = buyer("Hana", products="coffee", sectors=[coffee()])
    stranger = organiser_of(make_matching_expo())
    with pytest.raises(PermissionDenied):
        matchmaking.meetings_propose_bulk(
            expo=expo, pairs=[f"{tokyo.pk}-{ready.vendor.pk}"], agenda="", by=stranger
        )
    organiser = organiser_of(expo)
    for pairs, agenda in (([], ""), ([f"{tokyo.pk}-{ready.vendor.pk}"], "x" * 501)):
        with pytest.raises(Exception, match="Tick at least one|At most"):
            matchmaking.meetings_propose_bulk(expo=expo, pairs=pairs, agenda=agenda, by=organiser)
    assert not Meeting.objects.exists()


def test_the_page_is_the_organisers_of_the_office_only(client, expo, stands):
    ready, *_ = stands
    tokyo = buyer("Hana", products="coffee", sectors=[coffee()])
    url = reverse("manage:matchmaking", args=[expo.slug])
    client.force_login(organiser_of(make_matching_expo()))
    assert client.get(url).status_code == 403
    assert client.post(url, {"pair": f"{tokyo.pk}-{ready.vendor.pk}"}).status_code == 403
    client.force_login(tokyo)
    assert client.get(url).status_code in (302, 403)
    client.force_login(ready.member)
    assert client.get(url).status_code in (302, 403)
    assert not Meeting.objects.exists()
    client.force_login(organiser_of(expo))
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'value="{tokyo.pk}-{ready.vendor.pk}"' in html
    assert 'data-testid="tab-matchmaking"' in html
    answer = client.post(url, {"pair": [f"{tokyo.pk}-{ready.vendor.pk}"], "agenda": "Beans"})
    assert answer.status_code == 200
    assert 'data-testid="bulk-results"' in answer.content.decode()
    assert Meeting.objects.get().agenda == "Beans"


def _meetings(expo, stands):
    """Meetings of three buyers (Japan, Japan, Great Britain) in every status."""
    ready, plain, cloth = stands
    jp1 = buyer("A", products="coffee", sectors=[coffee()])
    jp2 = buyer("B", products="coffee", sectors=[coffee()])
    gb = buyer("C", country="GB", products="batik")
    made = [
        services.meeting_request(booth=ready.booth, starts_at=wib(10), agenda="x", by=jp1),
        services.meeting_request(booth=plain.booth, starts_at=wib(10), agenda="x", by=jp2),
        services.meeting_request(booth=cloth.booth, starts_at=wib(10), agenda="x", by=gb),
        services.meeting_request(booth=ready.booth, starts_at=wib(10, 30), agenda="x", by=gb),
    ]
    statuses = [MeetingStatus.HELD, MeetingStatus.NO_SHOW, MeetingStatus.CONFIRMED, "requested"]
    for meeting, status in zip(made, statuses, strict=True):
        Meeting.objects.filter(pk=meeting.pk).update(status=status)
    Meeting.objects.filter(pk=made[0].pk).update(outcome="deal", deal_value=40_000_000)
    return made


def test_figures_per_country_and_sector_agree_with_the_meetings(expo, stands):
    _meetings(expo, stands)
    figures = meeting_figures(expo)
    total = figures.total
    assert (total.requested, total.confirmed, total.held, total.no_shows) == (4, 3, 1, 1)
    assert (total.deals, total.deal_value) == (1, 40_000_000)
    for key, country in (("JP", "JP"), ("GB", "GB")):
        row = next(r for r in figures.by_country if r.key == key)
        mine = Meeting.objects.filter(expo=expo, buyer__buyer_profile__country=country)
        assert row.requested == mine.count()
        assert row.held == mine.filter(status="held").count()
        assert row.no_shows == mine.filter(status="no_show").count()
        assert row.confirmed == mine.filter(status__in=["confirmed", "held", "no_show"]).count()
    for row in figures.by_sector:
        mine = Meeting.objects.filter(expo=expo, vendor__sector_id=int(row.key))
        assert (row.requested, row.held) == (mine.count(), mine.filter(status="held").count())
    assert sum(r.requested for r in figures.by_vendor) == 4
    assert {r.label: r.requested for r in figures.by_sector} == {"Coffee": 3, "Batik": 1}


def test_figures_on_the_dashboard_export_and_api(client, expo, stands):
    _meetings(expo, stands)
    organiser = organiser_of(expo)
    client.force_login(organiser)
    dashboard = client.get(reverse("manage:reports:dashboard", args=[expo.slug]))
    assert 'data-testid="meetings-by-country"' in dashboard.content.decode()
    table = exports.meetings_table(expo)
    assert table.rows[0][2:] == [4, 3, 1, 1, 1, 40_000_000]
    assert ["Buyer country", "Japan", 2, 2, 1, 1, 1, 40_000_000] in table.rows
    _token, raw = report_services.api_token_create(office=expo.office, name="BPS", by=organiser)
    reply = client.get(f"/api/v1/expos/{expo.slug}/meetings/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert reply.status_code == 200
    body = reply.json()
    assert body["total"]["requested"] == 4
    held = {r["key"]: r["held"] for r in body["breakdowns"]["by_buyer_country"]}
    assert held == {"JP": 1, "GB": 0}
    elsewhere = make_matching_expo()
    _t, foreign = report_services.api_token_create(
        office=elsewhere.office, name="x", by=organiser_of(elsewhere)
    )
    reply = client.get(
        f"/api/v1/expos/{expo.slug}/meetings/", HTTP_AUTHORIZATION=f"Bearer {foreign}"
    )
    assert reply.status_code == 404


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries)


def test_query_counts_stay_constant_as_data_grows(client, expo, stands):
    ready, plain, cloth = stands
    buyer("Hana", products="coffee", sectors=[coffee()])
    organiser = organiser_of(expo)
    matchmaking.matchmaking_board(expo=expo)  # the first view stores the suggestions
    small_board = _count(lambda: matchmaking.matchmaking_board(expo=expo))
    small_figures = _count(lambda: meeting_figures(expo))
    client.force_login(organiser)
    url = reverse("manage:matchmaking", args=[expo.slug])
    client.get(url)
    small_page = _count(lambda: client.get(url))
    for n in range(6):
        stand = make_stand(expo, name=f"Kopi {n}")
        product(stand, f"coffee blend {n}")
        publish(stand, wib(12), wib(14))
        buyer(f"Buyer {n}", products="coffee", sectors=[coffee(), batik()])
    _meetings(expo, (ready, plain, cloth))
    assert _count(lambda: matchmaking.matchmaking_board(expo=expo)) == small_board
    assert _count(lambda: meeting_figures(expo)) == small_figures == 1
    assert _count(lambda: client.get(url)) == small_page


def test_the_meetings_answer_matches_the_api_document(client, expo, stands):
    from tests.reports.test_api import _check

    _meetings(expo, stands)
    organiser = organiser_of(expo)
    document = client.get("/api/v1/openapi.json").json()
    _token, raw = report_services.api_token_create(office=expo.office, name="BPS", by=organiser)
    url = f"/api/v1/expos/{expo.slug}/meetings/"
    for reply in (client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}"), client.get(url)):
        _check(document, "/expos/{slug}/meetings/", reply)
