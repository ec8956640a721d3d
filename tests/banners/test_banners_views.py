"""Banner pages and endpoints through the URLs: serving, the beacon, the click redirect and its
attribution, the workspace pages, every permission boundary, bad input and the reports."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from expo.banners import selectors, services
from expo.banners.models import BannerCampaign, BannerDailyStat, BannerFee
from payments.models import Channel, Order, OrderLine, OrderPart, SalesLedgerEntry

from .conftest import BROWSER, image_file

pytestmark = pytest.mark.django_db


def _serve(client, expo, slot="hall_hero", **params):
    return client.get(
        reverse("banners:serve", args=[expo.slug, slot]), params, HTTP_USER_AGENT=BROWSER
    )


# --- Public endpoints ---------------------------------------------------------------------------


def test_pages_carry_only_empty_slot_placeholders(client, expo, booth_a, place):
    place()
    hall = client.get(reverse("booths:hall", args=[expo.slug])).content.decode()
    assert 'data-banner-slot="hall_hero"' in hall and 'data-banner-slot="hall_side"' in hall
    assert 'data-banner-slot="sector_top"' not in hall  # no sector filter
    assert "/media/banners/" not in hall and "/b/1/" not in hall  # nothing baked in
    sector = client.get(
        reverse("booths:hall", args=[expo.slug]), {"sector": booth_a.vendor.sector.slug}
    )
    assert 'data-banner-slot="sector_top"' in sector.content.decode()
    booth = client.get(reverse("booths:booth", args=[expo.slug, booth_a.slug])).content.decode()
    assert f"exclude_booth={booth_a.pk}" in booth


def test_serve_draws_banners_with_tokens_and_sets_the_visitor_cookie(client, expo, place):
    campaigns = [place(weight=w) for w in (1, 2, 3, 4)]
    response = _serve(client, expo)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    data = response.json()
    assert data["shows"] == 3 and len(data["banners"]) == 3
    assert {b["id"] for b in data["banners"]} <= {c.pk for c in campaigns}
    assert all(b["token"] and b["href"].startswith("/b/") for b in data["banners"])
    assert services.VISITOR_COOKIE in response.cookies


def test_serve_makes_no_query_on_a_warm_pool(client, expo, place, django_assert_num_queries):
    place()
    _serve(client, expo)
    with django_assert_num_queries(0):
        assert len(_serve(client, expo).json()["banners"]) == 1


def test_serve_unknown_slot_is_404_and_unknown_expo_is_empty(client, expo, place):
    assert _serve(client, expo, "nowhere").status_code == 404
    response = client.get(reverse("banners:serve", args=["no-such-expo", "hall_hero"]))
    assert response.json()["banners"] == []


def test_booth_page_slot_leaves_out_the_booths_own_banner(client, expo, place, booth_a, booth_b):
    place(slot="booth_page", booth=booth_a)
    response = _serve(client, expo, "booth_page", exclude_booth=booth_a.pk)
    assert response.json()["banners"] == []
    other = place(slot="booth_page", booth=booth_b)
    cache.clear()  # the pool's version moves on commit, which a test transaction never reaches
    response = _serve(client, expo, "booth_page", exclude_booth=booth_a.pk)
    assert [b["id"] for b in response.json()["banners"]] == [other.pk]


def _beacon(client, tokens, agent=BROWSER):
    return client.post(
        reverse("banners:seen"),
        json.dumps({"t": tokens}),
        content_type="application/json",
        HTTP_USER_AGENT=agent,
    )


def test_beacon_counts_served_banners_once_per_hour_without_csrf(expo, place):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    campaign = place()
    token = _serve(client, expo).json()["banners"][0]["token"]
    assert _beacon(client, [token]).status_code == 204
    assert _beacon(client, [token, token]).status_code == 204
    services.flush()
    stat = BannerDailyStat.objects.get(campaign=campaign)
    assert (stat.impressions, stat.unique_viewers) == (1, 1)
    # Another visitor (fresh cookie) with the first one's token: not counted.
    stranger = Client()
    _serve(stranger, expo)
    _beacon(stranger, [token])
    services.flush()
    assert BannerDailyStat.objects.get(campaign=campaign).impressions == 1


@pytest.mark.parametrize("body", [b"not json", b'{"t": "x"}', b'{"t": [1, 2]}', b"[]"])
def test_beacon_bad_input_is_400_and_counts_nothing(client, body):
    response = client.post(reverse("banners:seen"), body, content_type="application/json")
    assert response.status_code == 400
    assert services.flush() == 0


def test_beacon_rejects_get_and_huge_bodies(client):
    assert client.get(reverse("banners:seen")).status_code == 405
    big = json.dumps({"t": ["x" * 100] * 500})
    assert (
        client.post(reverse("banners:seen"), big, content_type="application/json").status_code
        == 413
    )


def test_click_counts_sets_attribution_and_redirects_to_the_target(client, expo, place, booth_a):
    campaign = place()
    response = client.get(reverse("banners:click", args=[campaign.pk]), HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 302
    assert response["Location"] == reverse("booths:booth", args=[expo.slug, booth_a.slug])
    attribution = client.session["attribution"]
    assert (attribution["channel"], attribution["id"], attribution["expo"]) == (
        "banner",
        campaign.pk,
        expo.pk,
    )
    services.flush()
    assert BannerDailyStat.objects.get(campaign=campaign).clicks == 1


def test_click_on_product_and_session_banners_goes_there(client, expo, place, booth_a):
    from events.models import LiveSession

    product = booth_a.products.first()
    to_product = place(target="product", product=product, booth=None)
    now = timezone.now()
    session = LiveSession.objects.create(
        booth=booth_a, title_en="Batik demo", title_id="Demo batik", starts_at=now,
        ends_at=now + timedelta(hours=1), stream_url="https://www.youtube.com/watch?v=abc",
    )  # fmt: skip
    to_session = place(slot="session_page", target="session", session=session, booth=None)
    response = client.get(reverse("banners:click", args=[to_product.pk]))
    assert response["Location"] == reverse(
        "booths:product", args=[expo.slug, booth_a.slug, product.slug]
    )
    response = client.get(reverse("banners:click", args=[to_session.pk]))
    assert response["Location"] == reverse("events:session", args=[expo.slug, session.pk])


def test_click_on_a_banner_that_may_not_run_is_404(client, request_banner):
    campaign = request_banner()
    assert client.get(reverse("banners:click", args=[campaign.pk])).status_code == 404
    assert "attribution" not in client.session


# --- Reports: attributed orders and omzet -------------------------------------------------------


def _ledger_sale(campaign, booth, amount, *, channel=Channel.BANNER, attribution_id=None):
    """A paid order line and its ledger entry, as payments writes them for an attributed order."""
    vendor = booth.vendor
    order = Order.objects.create(
        code=f"T{Order.objects.count() + 1:07d}", expo=campaign.expo, access_key="k" * 43,
        email="ayu@example.com", name="Ayu", phone="0812", address="Jl. Pemuda 12", city="Semarang",
        country="ID", status=Order.Status.PAID, stock=Order.Stock.SOLD, provider="manual",
        channel=channel, attribution_id=attribution_id or campaign.pk, attribution_label=campaign.label,
        subtotal=amount, total=amount, paid_at=timezone.now(),
    )  # fmt: skip
    part = OrderPart.objects.create(
        order=order, booth=booth, vendor=vendor, status=OrderPart.Status.PAID, subtotal=amount,
        shipping_zone="domestic", shipping_method="arrange",
    )  # fmt: skip
    line = OrderLine.objects.create(
        order=order, part=part, name_en="Batik", name_id="Batik", unit_price=amount, quantity=1
    )
    SalesLedgerEntry.objects.create(
        kind="sale", amount=amount, expo=campaign.expo, booth=booth, vendor=vendor,
        region=vendor.region, sector=vendor.sector, size_class="micro", buyer_country="ID",
        channel=channel, attribution_id=attribution_id or campaign.pk,
        attribution_label=campaign.label, order=order, line=line, quantity=1,
        occurred_at=timezone.now(),
    )  # fmt: skip
    return order


def test_report_counts_attributed_orders_and_omzet_only(expo, place, booth_a):
    campaign = place()
    other = place()
    _ledger_sale(campaign, booth_a, 120_000)
    _ledger_sale(campaign, booth_a, 30_000)
    _ledger_sale(other, booth_a, 999_000)
    _ledger_sale(campaign, booth_a, 55_000, channel=Channel.LIVE_SESSION)  # same id, other channel
    report = selectors.campaign_report(campaign=campaign)
    assert (report.orders, report.omzet) == (2, 150_000)
    assert report.days[-1].omzet == 150_000 and report.days[-1].orders == 2
    listed = {c.pk: c for c in selectors.expo_campaigns(expo=expo)}
    assert (listed[campaign.pk].total_orders, listed[campaign.pk].total_omzet) == (2, 150_000)


def test_lists_take_a_fixed_number_of_queries(
    client, expo, organiser, place, booth_a, django_assert_num_queries
):
    client.force_login(organiser)
    url = reverse("banners:manage_banners", args=[expo.slug])
    place()
    client.get(url)
    with django_assert_num_queries(_count_queries(client, url)) as first:
        client.get(url)
    for _ in range(4):
        campaign = place()
        _ledger_sale(campaign, booth_a, 10_000)
    with django_assert_num_queries(len(first.captured_queries)):
        assert client.get(url).status_code == 200


def _count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        client.get(url)
    return len(context.captured_queries)


# --- Workspace pages and permission boundaries ---------------------------------------------------


def test_vendor_sees_its_own_campaigns_and_figures(client, expo, vendor_a, request_banner):
    campaign = request_banner()
    client.force_login(vendor_a)
    slug = campaign.vendor.slug
    listing = client.get(reverse("banners:vendor_banners", args=[slug]))
    assert listing.status_code == 200 and campaign.title in listing.content.decode()
    detail = client.get(reverse("banners:vendor_banner", args=[slug, campaign.pk]))
    assert detail.status_code == 200 and 'data-testid="banner-report"' in detail.content.decode()


def test_a_vendor_cannot_read_another_vendors_campaign_figures(
    client, expo, vendor_a, vendor_b, booth_b, request_banner
):
    theirs = request_banner(booth=booth_b, by=vendor_b)
    client.force_login(vendor_a)
    # Through its own workspace: 404 (looked up through the vendor).
    mine = vendor_a.vendor_memberships.get().vendor.slug
    assert client.get(reverse("banners:vendor_banner", args=[mine, theirs.pk])).status_code == 404
    # Through the other vendor's workspace: 403.
    other = booth_b.vendor.slug
    assert client.get(reverse("banners:vendor_banner", args=[other, theirs.pk])).status_code == 403
    assert client.get(reverse("banners:vendor_banners", args=[other])).status_code == 403
    # Nor in its own list.
    listing = client.get(reverse("banners:vendor_banners", args=[mine])).content.decode()
    assert f"/banners/{theirs.pk}/" not in listing
    assert theirs.pk not in [
        c.pk
        for c in selectors.vendor_campaigns(vendor_id=vendor_a.vendor_memberships.get().vendor_id)
    ]
    # Nor the organiser's pages.
    assert client.get(reverse("banners:manage_banners", args=[expo.slug])).status_code == 403
    assert (
        client.get(reverse("banners:manage_banner", args=[expo.slug, theirs.pk])).status_code == 403
    )


def test_anonymous_visitors_are_sent_to_log_in(client, expo, request_banner):
    campaign = request_banner()
    for url in (
        reverse("banners:vendor_banners", args=[campaign.vendor.slug]),
        reverse("banners:manage_banners", args=[expo.slug]),
        reverse("banners:manage_banner", args=[expo.slug, campaign.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_an_organiser_of_another_office_cannot_see_or_decide(
    client, expo, make_organiser, request_banner
):
    campaign = request_banner()
    client.force_login(make_organiser())
    assert client.get(reverse("banners:manage_banners", args=[expo.slug])).status_code == 403
    decide = reverse("banners:manage_banner_decide", args=[expo.slug, campaign.pk])
    assert client.post(decide, {"action": "approve"}).status_code == 403
    reject = reverse("banners:manage_banner_reject", args=[expo.slug, campaign.pk])
    assert client.post(reject, {"reason": "no"}).status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == BannerCampaign.Status.REQUESTED


def test_a_buyer_cannot_reach_the_workspaces(client, buyer, expo, request_banner):
    campaign = request_banner()
    client.force_login(buyer)
    assert (
        client.get(reverse("banners:vendor_banners", args=[campaign.vendor.slug])).status_code
        == 403
    )
    assert client.get(reverse("banners:manage_banners", args=[expo.slug])).status_code == 403


def test_a_campaign_of_another_expo_is_404_in_the_organisers_pages(
    client, expo, organiser, make_expo, make_booth, make_vendor_user, slots
):
    other_expo = make_expo("open")
    booth = make_booth(other_expo)
    user = make_vendor_user(booth)
    first, last = services.expo_days(other_expo)
    elsewhere = services.banner_request(
        expo=other_expo, vendor=booth.vendor, slot=slots["hall_side"], target="booth", booth=booth,
        title_en="x", image_en=image_file(600, 500), starts_on=first, ends_on=last, by=user,
    )  # fmt: skip
    client.force_login(organiser)
    assert (
        client.get(reverse("banners:manage_banner", args=[expo.slug, elsewhere.pk])).status_code
        == 404
    )
    response = client.post(
        reverse("banners:manage_banner_decide", args=[expo.slug, elsewhere.pk]),
        {"action": "approve"},
    )
    assert response.status_code == 404


def test_organiser_reviews_prices_and_confirms_the_fee_through_the_pages(
    client, expo, organiser, request_banner
):
    campaign = request_banner()
    client.force_login(organiser)
    listing = client.get(reverse("banners:manage_banners", args=[expo.slug]))
    assert listing.status_code == 200 and campaign.title in listing.content.decode()
    detail = client.get(reverse("banners:manage_banner", args=[expo.slug, campaign.pk]))
    assert 'data-testid="decide"' in detail.content.decode()
    decide = reverse("banners:manage_banner_decide", args=[expo.slug, campaign.pk])
    response = client.post(decide, {"action": "price", "price": "", "weight": "2"})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == BannerCampaign.Status.REQUESTED  # no price given: nothing changed
    client.post(decide, {"action": "price", "price": "150000", "weight": "2"})
    campaign.refresh_from_db()
    assert campaign.status == BannerCampaign.Status.PRICED and campaign.price == 150_000
    fee = BannerFee.objects.get(campaign=campaign)
    confirm = reverse("banners:manage_fee_confirm", args=[expo.slug, fee.pk])
    assert client.post(confirm, {"note": "ok", "next": "https://evil.example/"}).status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == BannerCampaign.Status.PAID
    page = client.get(reverse("banners:manage_banners", args=[expo.slug])).content.decode()
    assert "150.000" in page or "150,000" in page


def test_reject_without_reason_changes_nothing(client, expo, organiser, request_banner):
    campaign = request_banner()
    client.force_login(organiser)
    response = client.post(
        reverse("banners:manage_banner_reject", args=[expo.slug, campaign.pk]),
        {"reason": ""},
        follow=True,
    )
    assert "Say why" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == BannerCampaign.Status.REQUESTED


def _form(booth, slots, days, **extra):
    data = {
        "slot": slots["hall_hero"].pk,
        "target": "booth",
        "booth": booth.pk,
        "title_en": "Fresh batik",
        "title_id": "Batik segar",
        "image_en": image_file(1200, 400),
        "starts_on": days[0].isoformat(),
        "ends_on": days[1].isoformat(),
    }
    data.update(extra)
    return data


def test_vendor_requests_a_banner_through_the_form(client, vendor_a, booth_a, slots, days):
    client.force_login(vendor_a)
    url = reverse("banners:vendor_banner_new", args=[booth_a.vendor.slug])
    assert client.get(url).status_code == 200
    response = client.post(url, _form(booth_a, slots, days))
    campaign = BannerCampaign.objects.get()
    assert response.status_code == 302
    assert (
        campaign.vendor_id == booth_a.vendor_id
        and campaign.status == BannerCampaign.Status.REQUESTED
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"starts_on": "2001-01-01"}, "A banner runs inside the expo"),
        ({"image_en": "shape"}, "1200 × 400"),
        ({"image_en": "svg"}, "SVG"),
        ({"ends_on": "not a date"}, "Enter a valid date"),
        ({"target": "product", "product": ""}, "Choose the product"),
    ],
    ids=["dates-outside", "wrong-size", "wrong-type", "bad-date", "missing-product"],
)
def test_bad_banner_input_shows_a_clear_message_and_changes_nothing(
    client, vendor_a, booth_a, slots, days, change, message
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(vendor_a)
    if change.get("image_en") == "shape":
        change["image_en"] = image_file(300, 300)
    elif change.get("image_en") == "svg":
        change["image_en"] = SimpleUploadedFile(
            "a.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"
        )
    url = reverse("banners:vendor_banner_new", args=[booth_a.vendor.slug])
    response = client.post(url, _form(booth_a, slots, days, **change))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not BannerCampaign.objects.exists()


def test_vendor_cannot_pick_another_vendors_booth_in_the_form(
    client, vendor_a, booth_a, booth_b, slots, days
):
    client.force_login(vendor_a)
    url = reverse("banners:vendor_banner_new", args=[booth_a.vendor.slug])
    response = client.post(url, _form(booth_b, slots, days))
    assert response.status_code == 400
    assert not BannerCampaign.objects.exists()


def test_organiser_places_a_banner_through_the_form(client, expo, organiser, booth_a, slots, days):
    client.force_login(organiser)
    url = reverse("banners:manage_banner_new", args=[expo.slug])
    assert client.get(url).status_code == 200
    response = client.post(url, _form(booth_a, slots, days, weight="4"))
    assert response.status_code == 302
    campaign = BannerCampaign.objects.get()
    assert campaign.vendor_id is None and campaign.status == BannerCampaign.Status.APPROVED
    assert campaign.weight == 4


def test_workspace_pages_render_in_indonesian(client, expo, organiser, request_banner):
    campaign = request_banner()
    client.force_login(organiser)
    client.cookies["umkm_language"] = "id"
    response = client.get(reverse("banners:manage_banner", args=[expo.slug, campaign.pk]))
    assert response.status_code == 200


def test_only_the_expos_organisers_confirm_fees_and_place_banners(
    client, expo, organiser, make_organiser, vendor_a, request_banner, booth_a, slots, days
):
    fee = services.banner_set_price(campaign=request_banner(), price=90_000, by=organiser)
    confirm = reverse("banners:manage_fee_confirm", args=[expo.slug, fee.pk])
    place_url = reverse("banners:manage_banner_new", args=[expo.slug])
    for user in (vendor_a, make_organiser()):
        client.force_login(user)
        assert client.post(confirm, {"note": ""}).status_code == 403
        assert client.get(place_url).status_code == 403
        assert client.post(place_url, _form(booth_a, slots, days, weight="1")).status_code == 403
    fee.refresh_from_db()
    assert fee.status == BannerFee.Status.PENDING
    assert BannerCampaign.objects.count() == 1


def test_vendor_list_takes_a_fixed_number_of_queries(
    client, vendor_a, booth_a, request_banner, django_assert_num_queries
):
    client.force_login(vendor_a)
    url = reverse("banners:vendor_banners", args=[booth_a.vendor.slug])
    request_banner()
    expected = _count_queries(client, url)
    for _ in range(4):
        request_banner()
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
