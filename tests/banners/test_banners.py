"""Banner promotions: requests and decisions, fees kept apart from omzet, serving only what may
run, weighted rotation, and honest counting (bots, duplicates, forged tokens)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.cache import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from expo.banners import selectors, services
from expo.banners.models import (
    BannerCampaign,
    BannerClick,
    BannerDailyStat,
    BannerFee,
    BannerImpression,
    BannerSlot,
)
from expo.demo import banners as demo_banners
from expo.models import AuditLogEntry
from payments.models import SalesLedgerEntry

from .conftest import BROWSER, image_file

pytestmark = pytest.mark.django_db


def test_the_five_slots_exist_with_sizes_and_counts(slots):
    assert set(slots) == set(BannerSlot.Code.values)
    hero = slots["hall_hero"]
    assert (hero.width, hero.height, hero.shows) == (1200, 400, 3)
    assert all(s.shows >= 1 and s.width > 0 and s.height > 0 for s in slots.values())


# --- Rotation --------------------------------------------------------------------------------


def test_rotation_gives_each_campaign_its_weight_share_over_10000_draws(place):
    campaigns = [place(weight=w) for w in (1, 2, 3, 4)]
    pool = selectors.serving_pool(expo_slug=campaigns[0].expo.slug, slot_code="hall_hero")
    assert {e["id"] for e in pool} == {c.pk for c in campaigns}
    rng = random.Random(20261123)
    draws = Counter(selectors.choose(pool, 1, rng)[0]["id"] for _ in range(10_000))
    total = sum(c.weight for c in campaigns)
    for campaign in campaigns:
        share = draws[campaign.pk] / 10_000
        assert abs(share - campaign.weight / total) < 0.02, (campaign.weight, share)


def test_choose_picks_different_banners_up_to_the_slot_count(place):
    campaigns = [place(weight=w) for w in (5, 1)]
    pool = selectors.serving_pool(expo_slug=campaigns[0].expo.slug, slot_code="hall_hero")
    for seed in range(50):
        chosen = selectors.choose(pool, 3, random.Random(seed))
        assert len(chosen) == 2 and len({c["id"] for c in chosen}) == 2
    assert selectors.choose([], 3) == []


# --- What is served --------------------------------------------------------------------------


def _served_ids(expo, slot="hall_hero", sector=""):
    return {
        e["id"] for e in selectors.serving_pool(expo_slug=expo.slug, slot_code=slot, sector=sector)
    }


def test_unapproved_rejected_and_unpaid_campaigns_are_never_served(
    expo, organiser, place, request_banner, django_capture_on_commit_callbacks
):
    running = place()
    waiting = request_banner()
    rejected = request_banner()
    services.banner_reject(campaign=rejected, reason="Blurry photo", by=organiser)
    priced = request_banner()
    fee = services.banner_set_price(campaign=priced, price=250_000, by=organiser)
    assert _served_ids(expo) == {running.pk}
    for _ in range(200):
        assert {
            e["id"]
            for e in selectors.choose(
                selectors.serving_pool(expo_slug=expo.slug, slot_code="hall_hero"), 3
            )
        } <= {running.pk}

    with django_capture_on_commit_callbacks(execute=True):  # a new pool version
        services.banner_fee_confirm(fee=fee, by=organiser)
    assert _served_ids(expo) == {running.pk, priced.pk}
    assert waiting.pk not in _served_ids(expo) and rejected.pk not in _served_ids(expo)


def test_campaigns_outside_their_dates_are_never_served(expo, place, days):
    today = services.local_day(expo.opens_at) + timedelta(days=1)
    running = place()
    later = place(starts_on=days[1], ends_on=days[1])
    earlier = place(starts_on=days[0], ends_on=days[0])
    served = {
        c.pk for c in selectors.serving_campaigns(expo=expo, slot_code="hall_hero", today=today)
    }
    assert running.pk in served
    assert later.pk not in served or days[1] == today
    assert earlier.pk not in served
    # A day past every campaign: nothing.
    assert (
        selectors.serving_campaigns(
            expo=expo, slot_code="hall_hero", today=days[1] + timedelta(days=1)
        )
        == []
    )


def test_an_expo_whose_hall_is_not_public_serves_nothing(make_expo, expo, place):
    from tests.conftest import move_to

    place()
    move_to(expo, "accepting")
    assert selectors.serving_campaigns(expo=expo, slot_code="hall_hero") == []


def test_sector_slot_serves_only_the_filtered_sectors_banners(
    expo, place, booth_a, booth_b, sectors
):
    food = place(slot="sector_top", booth=booth_a)
    batik = place(slot="sector_top", booth=booth_b)
    assert _served_ids(expo, "sector_top", sectors[0].slug) == {food.pk}
    assert _served_ids(expo, "sector_top", sectors[1].slug) == {batik.pk}
    assert _served_ids(expo, "sector_top") == set()


def test_serving_pool_is_cached_and_renewed_when_a_campaign_changes(
    expo,
    organiser,
    place,
    request_banner,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    place()
    selectors.serving_pool(expo_slug=expo.slug, slot_code="hall_hero")
    with django_assert_num_queries(0):
        selectors.serving_pool(expo_slug=expo.slug, slot_code="hall_hero")
    waiting = request_banner()
    with django_capture_on_commit_callbacks(execute=True):
        services.banner_approve(campaign=waiting, by=organiser)
    assert waiting.pk in _served_ids(expo)


# --- Requests, decisions, fees ---------------------------------------------------------------


def test_request_then_price_then_fee_paid_runs_and_is_never_omzet(
    expo, organiser, vendor_a, request_banner
):
    campaign = request_banner()
    assert campaign.status == BannerCampaign.Status.REQUESTED
    assert campaign.image_en.name.endswith(".jpg")
    fee = services.banner_set_price(campaign=campaign, price=350_000, weight=3, by=organiser)
    campaign.refresh_from_db()
    assert campaign.status == BannerCampaign.Status.PRICED and campaign.price == 350_000
    assert campaign.weight == 3
    assert fee.amount == 350_000 and fee.status == BannerFee.Status.PENDING
    services.banner_fee_confirm(fee=fee, by=organiser, note="BCA mutasi 12/11")
    campaign.refresh_from_db()
    fee.refresh_from_db()
    assert campaign.status == BannerCampaign.Status.PAID and fee.status == BannerFee.Status.PAID
    # The organiser's income: no order, no ledger entry, no omzet anywhere.
    assert not SalesLedgerEntry.objects.exists()
    assert selectors.expo_fee_totals(expo=expo) == {"paid": 350_000, "pending": 0}
    actions = list(
        AuditLogEntry.objects.filter(object_id=str(campaign.pk)).values_list("action", flat=True)
    )
    assert {"expo.banner.requested", "expo.banner.priced", "expo.banner.fee_paid"} <= set(actions)


def test_fee_uses_the_expos_collecting_account(expo, organiser, request_banner):
    from payments.models import CollectingAccount

    CollectingAccount.objects.create(
        expo=expo, bank_name="Bank Jateng", account_number="2-034-56789-0", account_holder="Dinkop"
    )
    fee = services.banner_set_price(campaign=request_banner(), price=100_000, by=organiser)
    assert (fee.bank_name, fee.account_number) == ("Bank Jateng", "2-034-56789-0")


def test_a_fee_is_confirmed_once(organiser, request_banner):
    fee = services.banner_set_price(campaign=request_banner(), price=100_000, by=organiser)
    services.banner_fee_confirm(fee=fee, by=organiser)
    with pytest.raises(ValidationError):
        services.banner_fee_confirm(fee=fee, by=organiser)


def test_reject_needs_a_reason_and_keeps_it(organiser, request_banner):
    campaign = request_banner()
    with pytest.raises(ValidationError):
        services.banner_reject(campaign=campaign, reason="  ", by=organiser)
    campaign.refresh_from_db()
    assert campaign.status == BannerCampaign.Status.REQUESTED
    services.banner_reject(campaign=campaign, reason="Text too small", by=organiser)
    campaign.refresh_from_db()
    assert (
        campaign.status == BannerCampaign.Status.REJECTED
        and campaign.reject_reason == "Text too small"
    )
    with pytest.raises(ValidationError):
        services.banner_approve(campaign=campaign, by=organiser)


# --- Permission boundaries in the services ----------------------------------------------------


def test_a_vendor_cannot_request_a_banner_for_another_vendors_booth(
    request_banner, booth_b, vendor_a
):
    with pytest.raises(PermissionDenied):
        request_banner(booth=booth_b, by=vendor_a)  # acting for booth_b's vendor
    assert not BannerCampaign.objects.exists()


def test_a_vendor_cannot_link_its_banner_to_another_booth(
    expo, slots, booth_a, booth_b, vendor_a, days
):
    with pytest.raises(ValidationError) as info:
        services.banner_request(
            expo=expo, vendor=booth_a.vendor, slot=slots["hall_side"], target="booth", booth=booth_b,
            title_en="x", image_en=image_file(600, 500), starts_on=days[0], ends_on=days[1], by=vendor_a,
        )  # fmt: skip
    assert "booth" in info.value.message_dict
    assert not BannerCampaign.objects.exists()


def test_only_the_expos_organisers_decide_and_place(
    expo, request_banner, vendor_a, make_organiser, place
):
    campaign = request_banner()
    other_office_organiser = make_organiser()
    for user in (vendor_a, other_office_organiser):
        with pytest.raises(PermissionDenied):
            services.banner_approve(campaign=campaign, by=user)
        with pytest.raises(PermissionDenied):
            services.banner_set_price(campaign=campaign, price=1000, by=user)
        with pytest.raises(PermissionDenied):
            services.banner_reject(campaign=campaign, reason="no", by=user)
        with pytest.raises(PermissionDenied):
            place(by=user)
    campaign.refresh_from_db()
    assert campaign.status == BannerCampaign.Status.REQUESTED
    assert BannerCampaign.objects.count() == 1


def test_requests_follow_the_time_box(expo, request_banner):
    from tests.conftest import move_to

    move_to(expo, "closed")
    with pytest.raises(PermissionDenied):
        request_banner()
    assert not BannerCampaign.objects.exists()


# --- Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shift",
    [(-1, 0), (0, 1), (-5, -4)],
    ids=["starts-before-the-expo", "ends-after-the-expo", "wholly-before"],
)
def test_dates_outside_the_expo_are_refused(request_banner, days, shift):
    with pytest.raises(ValidationError) as info:
        request_banner(
            starts_on=days[0] + timedelta(days=shift[0]), ends_on=days[1] + timedelta(days=shift[1])
        )
    assert "starts_on" in info.value.message_dict
    assert not BannerCampaign.objects.exists()


def test_last_day_before_first_day_is_refused(request_banner, days):
    with pytest.raises(ValidationError) as info:
        request_banner(starts_on=days[1], ends_on=days[0])
    assert "ends_on" in info.value.message_dict


def test_wrong_image_shape_type_or_size_is_refused_with_a_clear_message(
    request_banner, slots, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError) as info:
        request_banner(image_en=image_file(400, 400))
    assert "1200 × 400" in " ".join(info.value.message_dict["image_en"])
    with pytest.raises(ValidationError) as info:
        request_banner(
            image_en=SimpleUploadedFile("x.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>")
        )
    assert "SVG" in " ".join(info.value.message_dict["image_en"])
    with pytest.raises(ValidationError) as info:
        request_banner(image_en=SimpleUploadedFile("x.jpg", b"not an image at all" * 10))
    assert "image_en" in info.value.message_dict
    big = SimpleUploadedFile("big.jpg", b"\xff" * (services.MAX_BANNER_BYTES + 1))
    with pytest.raises(ValidationError) as info:
        request_banner(image_en=big)
    assert "limit is 3 MB" in " ".join(info.value.message_dict["image_en"])
    with pytest.raises(ValidationError):  # a good English image, a bad Indonesian one: nothing kept
        request_banner(image_id=image_file(100, 100))
    assert not BannerCampaign.objects.exists()


def test_images_are_re_encoded_at_the_slot_size(request_banner, slots):
    from PIL import Image

    campaign = request_banner(
        slot="hall_side", image_en=image_file(1200, 1000, fmt="PNG", name="a.png")
    )
    with Image.open(campaign.image_en.path) as stored:
        assert stored.size == (600, 500) and stored.format == "JPEG"


def test_weight_and_price_bounds(organiser, request_banner, place):
    with pytest.raises(ValidationError):
        place(weight=0)
    with pytest.raises(ValidationError):
        services.banner_set_price(campaign=request_banner(), price=0, by=organiser)


# --- Counting ------------------------------------------------------------------------------------


def _request(path="/b/seen/", *, agent=BROWSER, cookie="visitor-cookie-0001", user=None):
    request = RequestFactory().post(path, HTTP_USER_AGENT=agent)
    request.COOKIES[services.VISITOR_COOKIE] = cookie
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    return request


def test_impressions_count_once_per_visitor_per_hour_and_bots_not_at_all(place):
    campaign = place()
    one, two = _request(cookie="visitor-cookie-0001"), _request(cookie="visitor-cookie-0002")
    token = services.impression_token(campaign_id=campaign.pk, visitor=services.visitor_id(one))
    for _ in range(5):
        services.impressions_record(request=one, tokens=[token])
    services.impressions_record(
        request=two,
        tokens=[
            services.impression_token(campaign_id=campaign.pk, visitor=services.visitor_id(two))
        ],
    )
    # Another visitor replaying the first one's token, a forged token, a bot: nothing.
    assert services.impressions_record(request=two, tokens=[token, "forged:token"]) == 0
    bot = _request(agent="Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
    assert (
        services.impressions_record(
            request=bot,
            tokens=[
                services.impression_token(campaign_id=campaign.pk, visitor=services.visitor_id(bot))
            ],
        )
        == 0
    )
    assert services.impressions_record(request=_request(agent=""), tokens=[token]) == 0
    services.flush()
    services.flush()
    assert BannerImpression.objects.filter(campaign=campaign).count() == 2
    stat = BannerDailyStat.objects.get(campaign=campaign)
    assert (stat.impressions, stat.unique_viewers, stat.clicks) == (2, 2, 0)


def test_clicks_count_once_per_visitor_per_hour_and_set_the_attribution(place):
    campaign = place()
    request = _request(path=f"/b/{campaign.pk}/")
    for _ in range(3):
        services.click_record(request=request, campaign=campaign)
    services.click_record(request=_request(agent="curl/8.5"), campaign=campaign)
    services.flush()
    assert BannerClick.objects.filter(campaign=campaign).count() == 1
    assert request.session["attribution"]["channel"] == "banner"
    assert request.session["attribution"]["id"] == campaign.pk
    assert request.session["attribution"]["expo"] == campaign.expo_id


def test_is_bot():
    assert services.is_bot("Mozilla/5.0 (compatible; bingbot/2.0)")
    assert services.is_bot("python-requests/2.32")
    assert services.is_bot("")
    assert not services.is_bot(BROWSER)


def test_seed_banners_places_approved_organiser_banners(expo, booth_a, booth_b):
    made = demo_banners.seed_banners(expo)
    assert len(made) >= 5
    assert all(c.status == BannerCampaign.Status.APPROVED and c.vendor_id is None for c in made)
    assert _served_ids(expo)


def test_seed_banners_places_them_once(expo, booth_a, booth_b):
    made = demo_banners.seed_banners(expo)
    assert demo_banners.seed_banners(expo) == []
    assert BannerCampaign.objects.filter(expo=expo).count() == len(made)
