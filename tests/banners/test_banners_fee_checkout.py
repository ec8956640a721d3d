"""A priced banner is paid through the checkout before it runs: its fee is a charge of the
organiser's, payable by bank transfer (confirmed on the organiser's desk) or by card through
Stripe (localstripe here); either way it never becomes an order, a ledger entry or omzet."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from expo.banners import services
from expo.banners.models import BannerCampaign, BannerFee
from payments import providers
from payments import services as pay_services
from payments.models import Charge, CollectingAccount, Order, Payment, SalesLedgerEntry
from tests.payments.conftest import use_localstripe

pytestmark = pytest.mark.django_db


@pytest.fixture
def priced(expo, organiser, request_banner, vendor_a):
    CollectingAccount.objects.create(
        expo=expo, bank_name="Bank Jateng", account_number="2-034-56789-0", account_holder="Dinkop"
    )
    campaign = request_banner(by=vendor_a)
    fee = services.banner_set_price(campaign=campaign, price=250_000, by=organiser)
    return campaign, fee


@pytest.fixture
def with_stripe(settings, stripe_api_base):
    return use_localstripe(settings, stripe_api_base)


def _card(number: str) -> str:
    token = providers.get("stripe").client.v1.tokens.create(
        params={"card": {"number": number, "exp_month": "12", "exp_year": "2031", "cvc": "123"}}
    )
    return token.card.id


def test_pricing_opens_a_charge_with_a_transfer_reference(priced, expo):
    campaign, fee = priced
    charge = services.fee_charge(fee)
    assert charge.amount == 250_000 and charge.status == Charge.Status.PENDING
    assert charge.payer == campaign.requested_by and charge.expo == expo
    transfer = charge.payments.get()
    assert transfer.provider == "manual" and transfer.reference == fee.reference


def test_the_vendor_pays_on_the_checkout_page_and_others_cannot_see_it(
    client, priced, vendor_a, vendor_b
):
    campaign, fee = priced
    charge = services.fee_charge(fee)
    client.force_login(vendor_a)
    detail = client.get(
        reverse("banners:vendor_banner", args=[campaign.vendor.slug, campaign.pk])
    ).content.decode()
    assert reverse("payments:charge", args=[charge.code]) in detail
    page = client.get(reverse("payments:charge", args=[charge.code]))
    html = page.content.decode()
    assert page.status_code == 200
    assert fee.reference in html and "Rp 250.000" in html and "2-034-56789-0" in html
    assert "never counted in any UMKM" in html
    client.force_login(vendor_b)
    assert client.get(reverse("payments:charge", args=[charge.code])).status_code == 404
    assert (
        client.get(
            reverse("payments:charge", args=[charge.code]), {"key": charge.access_key}
        ).status_code
        == 200
    )


def test_a_confirmed_transfer_runs_the_banner_and_is_no_omzet(priced, organiser, make_organiser):
    campaign, fee = priced
    stranger = make_organiser(name="Other office")
    with pytest.raises(PermissionDenied):
        services.banner_fee_confirm(fee=fee, by=stranger)
    charge = services.fee_charge(fee)
    with pytest.raises(PermissionDenied):  # nor straight through the payments service
        pay_services.transfer_confirm(payment=charge.payments.get(), by=stranger)
    services.banner_fee_confirm(fee=fee, by=organiser, note="mutasi 12/11")
    campaign.refresh_from_db()
    fee.refresh_from_db()
    charge = services.fee_charge(fee)
    assert campaign.status == BannerCampaign.Status.PAID and fee.status == BannerFee.Status.PAID
    assert fee.confirmed_by == organiser and fee.note == "mutasi 12/11"
    assert charge.status == Charge.Status.PAID
    assert not Order.objects.exists() and not SalesLedgerEntry.objects.exists()


def test_rejecting_closes_the_charge(priced, organiser):
    campaign, fee = priced
    services.banner_reject(campaign=campaign, reason="Wrong size", by=organiser)
    charge = services.fee_charge(fee)
    assert charge.status == Charge.Status.CANCELLED
    assert not charge.payments.filter(status=Payment.Status.CREATED).exists()
    with pytest.raises(ValidationError):
        pay_services.transfer_confirm(payment=charge.payments.get(), by=organiser)


def test_paying_by_card_through_localstripe(client, priced, vendor_a, with_stripe):
    campaign, fee = priced
    charge = services.fee_charge(fee)
    client.force_login(vendor_a)
    page = client.get(reverse("payments:charge", args=[charge.code])).content.decode()
    assert "data-stripe-pay" in page and "js.stripe.com/v3/" in page
    declined = client.post(
        reverse("payments:charge_pay", args=[charge.code]), {"card": _card("4000000000000341")}
    ).json()
    assert declined["ok"] is False and declined["errors"]
    campaign.refresh_from_db()
    assert campaign.status == BannerCampaign.Status.PRICED
    answer = client.post(
        reverse("payments:charge_pay", args=[charge.code]), {"card": _card("4242424242424242")}
    ).json()
    assert answer["ok"] is True
    campaign.refresh_from_db()
    fee.refresh_from_db()
    charge.refresh_from_db()
    assert campaign.status == BannerCampaign.Status.PAID and fee.status == BannerFee.Status.PAID
    card = charge.payments.get(provider="stripe", status=Payment.Status.SUCCEEDED)
    intent = providers.get("stripe").client.v1.payment_intents.retrieve(card.provider_ref)
    assert intent.amount == 250_000 * 100 and intent.currency == "idr"
    # The transfer can no longer be used, and nothing reached the sales ledger.
    assert not charge.payments.filter(status=Payment.Status.CREATED).exists()
    assert not SalesLedgerEntry.objects.exists() and not Order.objects.exists()


def test_the_vendor_withdraws_a_priced_request(client, priced, vendor_a, vendor_b, organiser):
    campaign, fee = priced
    url = reverse("banners:vendor_banner_withdraw", args=[campaign.vendor.slug, campaign.pk])
    client.force_login(vendor_b)  # another vendor: not through its own workspace, not at all
    assert client.post(url).status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == BannerCampaign.Status.PRICED
    client.force_login(vendor_a)
    client.post(url)
    campaign.refresh_from_db()
    fee.refresh_from_db()
    assert campaign.status == BannerCampaign.Status.WITHDRAWN
    assert fee.status == BannerFee.Status.CANCELLED
    assert services.fee_charge(fee).status == Charge.Status.CANCELLED
    # A paid or running banner cannot be withdrawn.
    again = client.post(url, follow=True)
    assert "can be withdrawn" in again.content.decode()


def test_a_paid_banner_cannot_be_withdrawn(priced, organiser, vendor_a):
    campaign, fee = priced
    services.banner_fee_confirm(fee=fee, by=organiser)
    with pytest.raises(ValidationError):
        services.banner_withdraw(campaign=campaign, by=vendor_a)
