"""Fixtures of the payments tests: an open expo with two booths, buyer details, a helper that puts
products in a cart and places an order, and the Stripe settings pointing at localstripe."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from booths.models import VendorMembership
from expo import permissions
from payments import services
from payments.attribution import DIRECT
from payments.models import Cart, CollectingAccount

STRIPE_SECRET = "sk_test_umkm_payments"
STRIPE_PUBLISHABLE = "pk_test_umkm_payments"
WEBHOOK_SECRET = "whsec_umkm_payments_tests"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Page caches and catalogue versions do not leak between tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _payment_settings(settings):
    settings.PLATFORM_FEE_BPS = 250
    settings.RESERVATION_MINUTES = 30
    settings.BANK_TRANSFER_EXPIRY_HOURS = 24
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_PUBLISHABLE_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""
    settings.STRIPE_API_BASE = ""


@pytest.fixture
def stripe_settings(settings, stripe_api_base):
    """Stripe on, pointed at the real localstripe."""
    return use_localstripe(settings, stripe_api_base)


def use_localstripe(settings, stripe_api_base: str):
    settings.STRIPE_SECRET_KEY = STRIPE_SECRET
    settings.STRIPE_PUBLISHABLE_KEY = STRIPE_PUBLISHABLE
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = stripe_api_base
    settings.STRIPE_JS_URL = f"{stripe_api_base}/js.stripe.com/v3/"
    return settings


@pytest.fixture
def expo(make_expo, make_organiser):
    organiser = make_organiser(name="Sri Organiser")
    expo = make_expo("open", office=organiser.offices.get())
    expo.organiser = organiser
    CollectingAccount.objects.create(
        expo=expo,
        bank_name="Bank Jateng",
        account_number="2-034-56789-0",
        account_holder="Dinkop UKM Jateng",
    )
    return expo


@pytest.fixture
def organiser(expo):
    return expo.organiser


@pytest.fixture
def booth_a(expo, make_booth, regions):
    return make_booth(expo, name="Batik Sekar", region=regions[0], prices=(100_000, 40_000))


@pytest.fixture
def booth_b(expo, make_booth, regions, sectors):
    return make_booth(
        expo, name="Kopi Gunung", region=regions[2], sector=sectors[1], prices=(55_000,)
    )


@pytest.fixture
def make_vendor_user(make_user):
    def build(booth, **extra):
        user = make_user(**extra)
        VendorMembership.objects.create(vendor=booth.vendor, user=user, role="owner")
        permissions.forget(user)
        return user

    return build


@pytest.fixture
def details():
    def build(**extra) -> services.BuyerDetails:
        values = {
            "email": "ayu@example.com",
            "name": "Ayu Lestari",
            "phone": "+62 812 3456 7890",
            "address": "Jl. Pemuda 12",
            "city": "Semarang",
            "region": "Jawa Tengah",
            "postal_code": "50132",
            "country": "ID",
            "language": "en",
        }
        values.update(extra)
        return services.BuyerDetails(**values)

    return build


@pytest.fixture
def place(details):
    """Put ``(product, quantity)`` pairs in a fresh cart and place the order."""

    def build(*wanted, buyer=None, provider="manual", attribution=DIRECT, **extra):
        cart = Cart.objects.create(user=buyer) if buyer is not None else Cart.objects.create()
        expo = None
        for product, quantity in wanted:
            services.cart_add(cart=cart, product=product, quantity=quantity)
            expo = product.booth.expo
        return services.order_place(
            cart=cart,
            expo=expo,
            details=details(**extra),
            provider=provider,
            buyer=buyer,
            attribution=attribution,
        )

    return build
