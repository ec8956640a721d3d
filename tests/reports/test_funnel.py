"""The export-deal funnel: each deal once in each stage (three revisions and one acceptance count
once), realised only from the ledger (a refund moves it down), hand-recorded deals tied to a
request not counted again, the breakdowns adding up to the totals, a constant number of queries,
and the dashboard, export and API showing it to the expo's own office only (leads as counts)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from booths.models import Lead
from expo.reports import services as report_services
from expo.reports.figures.funnel import expo_funnel
from expo.reports.models import PotentialDeal
from payments import services
from payments.models import CollectingAccount
from payments.quotations import services as quotes
from tests.payments.quoting import ask, business_buyer, offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked(booths):
    for booth in booths:
        booth.products.update(stock=100_000)
    return booths


@pytest.fixture
def vendor_users(stocked, make_vendor_user):
    return {booth.pk: make_vendor_user(booth) for booth in stocked}


@pytest.fixture
def accept(details_factory):
    def run(quotation, buyer):
        return quotes.quotation_accept(
            quotation=quotation,
            by=buyer,
            revision=quotation.revision,
            details=details_factory(),
            provider="manual",
        )

    return run


@pytest.fixture
def details_factory():
    def build():
        return services.BuyerDetails(
            email="buyer@example.qa",
            name="Buyer",
            phone="+974 4444 1234",
            address="Street 1",
            city="Doha",
            region="",
            postal_code="",
            country="QA",
        )

    return build


def _pay(order, organiser):
    for payment in order.payments.filter(status="created"):
        services.transfer_confirm(payment=payment, by=organiser)
    order.refresh_from_db()
    if order.paid_at is None:
        balance = quotes.quotation_pay_balance(order=order, by=order.buyer, provider="manual")
        services.transfer_confirm(payment=balance, by=organiser)
        order.refresh_from_db()
    return order


def test_three_revisions_and_one_acceptance_count_once(
    expo, stocked, vendor_users, make_user, accept, organiser
):
    booth = stocked[0]
    buyer = business_buyer(make_user)
    request = ask(booth, buyer, quantity=1000)
    vendor = vendor_users[booth.pk]
    for price in (40_000, 38_000, 35_000):
        quotation = offer(request, vendor, unit_price=price, quantity=1000)
        if price != 35_000:
            quotes.quotation_ask_revision(quotation=quotation, by=buyer, note="cheaper")
    funnel = expo_funnel(expo)
    assert (funnel.requests, funnel.quotations, funnel.accepted) == (1, 1, 0)
    assert funnel.potential == 35_000_000 and funnel.agreed == 0 == funnel.realised

    order = _pay(accept(quotation, buyer), organiser)
    funnel = expo_funnel(expo)
    assert (funnel.quotations, funnel.accepted, funnel.acceptance_rate) == (1, 1, 100.0)
    assert funnel.potential == funnel.agreed == funnel.realised == 35_000_000

    # A refund moves realised down by its amount, and nothing else.
    line = order.lines.get()
    services.order_refund(order=order, by=organiser, lines=[line])
    funnel = expo_funnel(expo)
    assert funnel.realised == 0 and funnel.agreed == funnel.potential == 35_000_000


def test_breakdowns_add_up_and_deals_join_without_counting_twice(
    expo, stocked, vendor_users, make_user, accept, organiser
):
    qatar = business_buyer(make_user, country="QA")
    japan = business_buyer(make_user, country="JP")
    a, b, c = stocked[0], stocked[1], stocked[2]
    paid = offer(
        ask(a, qatar, quantity=600), vendor_users[a.pk], quantity=600, deposit=0, shipping=0
    )
    _pay(accept(paid, qatar), organiser)
    agreed = offer(ask(b, japan, quantity=700), vendor_users[b.pk], quantity=700, unit_price=10_000)
    accept(agreed, japan)  # accepted, not paid
    declined = offer(ask(c, japan, quantity=800), vendor_users[c.pk], quantity=800)
    quotes.quotation_decline(quotation=declined, by=japan)
    ask(c, qatar)  # never answered

    PotentialDeal.objects.create(
        expo=expo,
        booth=a,
        vendor=a.vendor,
        buyer_company="Doha",
        buyer_country="QA",
        product="Batik",
        estimated_value=99_000_000,
        quote_request=paid.request,
    )
    PotentialDeal.objects.create(
        expo=expo,
        booth=b,
        vendor=b.vendor,
        buyer_company="Osaka",
        buyer_country="JP",
        product="Kopi",
        estimated_value=5_000_000,
    )
    funnel = expo_funnel(expo)
    assert (funnel.requests, funnel.quoted_requests, funnel.quotations, funnel.accepted) == (
        4,
        3,
        3,
        2,
    )
    assert funnel.potential == 600 * 30_000 + 700 * 10_000 + 800 * 30_000
    assert funnel.agreed == 600 * 30_000 + 700 * 10_000
    assert funnel.realised == 600 * 30_000
    assert (funnel.recorded_count, funnel.recorded) == (1, 5_000_000)  # the tied one is not added
    for name, rows in funnel.by.items():
        assert sum(r.potential for r in rows) == funnel.potential, name
        assert sum(r.agreed for r in rows) == funnel.agreed, name
        assert sum(r.realised for r in rows) == funnel.realised, name
    countries = {r.key: r for r in funnel.by["buyer_country"]}
    assert countries["JP"].agreed == 7_000_000 and countries["QA"].realised == 18_000_000
    assert funnel.median_first_quote is not None
    vendor_only = expo_funnel(expo, vendor_id=a.vendor_id)
    assert vendor_only.requests == 1 and vendor_only.realised == 18_000_000


def test_query_count_does_not_grow(expo, stocked, vendor_users, make_user, accept, organiser):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            expo_funnel(expo)
        return len(queries)

    buyer = business_buyer(make_user)
    quotation = offer(ask(stocked[0], buyer), vendor_users[stocked[0].pk])
    _pay(accept(quotation, buyer), organiser)
    few = count()
    for booth in stocked[1:]:
        for _n in range(3):
            offer(ask(booth, buyer), vendor_users[booth.pk])
    assert count() == few


def test_dashboard_export_and_api_show_the_funnel_to_the_office_only(
    client, expo, stocked, vendor_users, make_user, accept, organiser, make_organiser
):
    CollectingAccount.objects.create(
        expo=expo, bank_name="B", account_number="1", account_holder="H"
    )
    buyer = business_buyer(make_user, name="Secret Buyer Name")
    quotation = offer(ask(stocked[0], buyer), vendor_users[stocked[0].pk], deposit=0)
    _pay(accept(quotation, buyer), organiser)
    assert Lead.objects.filter(booth=stocked[0]).count() == 1

    client.force_login(organiser)
    page = client.get(reverse("manage:reports:dashboard", args=[expo.slug])).content.decode()
    assert 'data-testid="funnel"' in page and 'data-testid="booth-leads"' in page
    assert "Secret Buyer Name" not in page and buyer.email not in page  # counts, not people
    csv = client.get(reverse("manage:reports:export", args=[expo.slug, "funnel", "csv"]))
    assert csv.status_code == 200 and "60000000" in csv.content.decode()

    client.force_login(make_organiser())  # another office
    assert client.get(reverse("manage:reports:dashboard", args=[expo.slug])).status_code in (
        403,
        404,
    )

    _token, raw = report_services.api_token_create(office=expo.office, name="BPS", by=organiser)
    answer = client.get(f"/api/v1/expos/{expo.slug}/funnel/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["potential"] == body["agreed"] == body["realised"] == 60_000_000
    assert body["breakdowns"]["by_buyer_country"][0]["key"] == "QA"


def test_a_deal_accepted_after_closing_stays_with_its_expo(
    expo, stocked, vendor_users, make_user, accept, organiser
):
    from tests.conftest import move_to

    buyer = business_buyer(make_user)
    quotation = offer(ask(stocked[0], buyer), vendor_users[stocked[0].pk], deposit=0)
    move_to(expo, "closed")
    quotation.revisions.update(valid_until=timezone.localdate() + timedelta(days=3))
    _pay(accept(quotation, buyer), organiser)
    assert expo_funnel(expo).realised == 60_000_000


def test_a_vendor_ties_a_recorded_deal_to_its_request(
    client, expo, stocked, vendor_users, make_user
):
    from django.core.exceptions import ValidationError

    buyer = business_buyer(make_user)
    mine = ask(stocked[0], buyer)
    theirs = ask(stocked[1], buyer)
    data = report_services.DealInput(
        buyer_company="Doha Fine Foods",
        buyer_country="QA",
        product="Sambal",
        estimated_value=50_000_000,
        status="negotiating",
        quote_request_id=mine.pk,
    )
    deal = report_services.deal_record(booth=stocked[0], data=data, by=vendor_users[stocked[0].pk])
    assert deal.quote_request == mine
    assert expo_funnel(expo).recorded_count == 0  # counted through its request, not again
    from dataclasses import replace

    with pytest.raises(ValidationError):
        report_services.deal_record(
            booth=stocked[0],
            data=replace(data, quote_request_id=theirs.pk),
            by=vendor_users[stocked[0].pk],
        )
    client.force_login(vendor_users[stocked[0].pk])
    page = client.get(
        reverse("vendor_reports:deals", args=[stocked[0].vendor.slug])
    ).content.decode()
    assert mine.code in page and theirs.code not in page
