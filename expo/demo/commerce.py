"""The demo's payments side: the expo's bank account, exchange and shipping rates, and its first
orders, placed and confirmed through the payments services so that the ledger, stock and
settlements are what real orders make."""

from __future__ import annotations

import random
from collections.abc import Sequence
from decimal import Decimal

from booths.models import Booth, Product
from events.models import LiveSession
from expo.demo.images import stable_seed
from expo.models import Expo, User
from expo.services import emails_suppressed
from payments import services as pay
from payments.attribution import Attribution
from payments.models import (
    Cart,
    Channel,
    CollectingAccount,
    ExchangeRate,
    Order,
    VendorShippingRate,
)

DEMO_RATES = {  # rupiah per unit, for the approximate prices shown to buyers from abroad
    "USD": "16250", "SGD": "12100", "MYR": "3460", "EUR": "17650",
    "JPY": "105.5", "AUD": "10650", "CNY": "2240",
}  # fmt: skip

# (name, e-mail, country, city, state or province, how many orders)
DEMO_BUYERS = (
    ("Dewi Anggraini", "dewi.anggraini@example.id", "ID", "Semarang", "Jawa Tengah", 4),
    ("Rizky Pratama", "rizky.pratama@example.id", "ID", "Surabaya", "Jawa Timur", 3),
    ("Siti Rahmawati", "siti.rahma@example.id", "ID", "Bandung", "Jawa Barat", 3),
    ("Agus Setiawan", "agus.setiawan@example.id", "ID", "Jakarta Selatan", "DKI Jakarta", 3),
    ("Tan Wei Ling", "weiling.tan@example.sg", "SG", "Singapore", "", 3),
    ("Nurul Aisyah", "nurul.aisyah@example.my", "MY", "Kuala Lumpur", "Wilayah Persekutuan", 3),
    ("Olivia Harris", "olivia.harris@example.au", "AU", "Melbourne", "Victoria", 2),
    ("Kenji Watanabe", "kenji.watanabe@example.jp", "JP", "Osaka", "Osaka", 2),
    ("Emma de Vries", "emma.devries@example.nl", "NL", "Utrecht", "Utrecht", 2),
    ("Omar Al-Harbi", "omar.alharbi@example.sa", "SA", "Jeddah", "Makkah", 1),
)


def seed_sales(
    expo: Expo,
    demo_booth: Booth,
    booths: Sequence[Booth],
    *,
    organiser: User,
    vendor: User,
    buyer: User,
) -> None:
    """The expo's bank account, exchange rates and shipping rates, and its first orders: most paid
    by transfer (confirmed by the organiser), a few through a live session, some still waiting, and
    the demo buyer's own. All through the payments services, so the ledger, stock and settlements
    are what real orders make. Runs once per expo (skipped when it has orders); mails nobody."""
    # One generator for the rates and the orders, so every run picks what the first one did.
    rng = random.Random(stable_seed("sales", expo.slug))
    _payment_settings(expo, demo_booth, booths, organiser=organiser, rng=rng)
    if Order.objects.filter(expo=expo).exists():
        return
    with emails_suppressed():
        _first_orders(
            _Shop(expo, demo_booth, booths, rng), organiser=organiser, vendor=vendor, buyer=buyer
        )


def _payment_settings(
    expo: Expo,
    demo_booth: Booth,
    booths: Sequence[Booth],
    *,
    organiser: User,
    rng: random.Random,
) -> None:
    """The collecting account, the exchange rates, and each vendor's shipping rates (most ship
    abroad, the demo booth always)."""
    CollectingAccount.objects.get_or_create(
        expo=expo,
        defaults={
            "bank_name": "Bank Jateng",
            "account_number": "1-023-45678-9",
            "account_holder": "Dinas Koperasi dan UKM Provinsi Jawa Tengah",
            "instructions_en": "Transfer the exact amount and write the order number in the note.",
            "instructions_id": "Transfer sesuai jumlah dan tulis nomor pesanan di berita transfer.",
            "updated_by": organiser,
        },
    )
    for currency, rate in DEMO_RATES.items():
        ExchangeRate.objects.get_or_create(
            expo=expo, currency=currency, defaults={"idr_per_unit": Decimal(rate)}
        )
    for booth in booths:
        if VendorShippingRate.objects.filter(vendor=booth.vendor).exists():
            continue
        abroad = rng.random() < 0.6 or booth.pk == demo_booth.pk
        rates = [("province", "flat", 12_000), ("domestic", "flat", 24_000)]
        rates.append(
            ("international", "flat", 275_000) if abroad else ("international", "arrange", 0)
        )
        VendorShippingRate.objects.bulk_create(
            VendorShippingRate(vendor=booth.vendor, zone=z, method=m, amount=a) for z, m, a in rates
        )


class _Shop:
    """What the demo's buyers choose from, and how one of their orders is placed."""

    def __init__(
        self, expo: Expo, demo_booth: Booth, booths: Sequence[Booth], rng: random.Random
    ) -> None:
        self.expo, self.demo_booth, self.rng = expo, demo_booth, rng
        self.session = LiveSession.objects.filter(booth=demo_booth).order_by("starts_at").first()
        self.products = list(
            Product.objects.filter(
                booth__in=booths, is_active=True, is_preorder=False, stock__gte=20
            )
            .select_related("booth__vendor")
            .order_by("id")
        )
        self.demo_products = [p for p in self.products if p.booth_id == demo_booth.pk]

    def place(self, details: pay.BuyerDetails, items: list[Product], *,
              account: User | None = None, channel: str = Channel.DIRECT) -> Order:  # fmt: skip
        """An order of ``items`` (a few of each), by bank transfer, through the checkout."""
        cart = Cart.objects.create(user=None)
        for product in items:
            pay.cart_add(
                cart=cart, product=product, quantity=max(product.min_order, self.rng.randint(1, 3))
            )
        session = self.session
        attribution = (
            Attribution(channel=channel, id=session.pk, label=session.title_en)
            if channel == Channel.LIVE_SESSION and session is not None
            else Attribution()
        )
        order = pay.order_place(
            cart=cart, expo=self.expo, details=details, provider="manual", buyer=account,
            attribution=attribution,
        )  # fmt: skip
        cart.delete()
        return order


def _first_orders(shop: _Shop, *, organiser: User, vendor: User, buyer: User) -> None:
    """The buyers' orders (every fifth through the live session, most transfers confirmed) and the
    demo buyer's two: one paid and shipped, one waiting for the transfer."""
    rng, products, demo_products = shop.rng, shop.products, shop.demo_products
    n = 0
    for name, email, country, city, state, orders in DEMO_BUYERS:
        for _i in range(orders):
            n += 1
            details = pay.BuyerDetails(
                email=email, name=name, phone=f"+62 812 5550 {n:04d}", address="Jl. Contoh 1",
                city=city, region=state, postal_code="", country=country,
                language="id" if country == "ID" else "en",
            )  # fmt: skip
            live = n % 5 == 0 and bool(demo_products)
            pool = demo_products if live else products
            items = rng.sample(pool, k=min(len(pool), rng.randint(1, 3)))
            order = shop.place(
                details, items, channel=Channel.LIVE_SESSION if live else Channel.DIRECT
            )
            if n % 7 != 3:  # most transfers arrived; a few are still waiting
                pay.transfer_confirm(payment=order.payments.get(), by=organiser)
    details = pay.BuyerDetails(
        email=buyer.email, name=buyer.name, phone="+62 812 0000 1234",
        address="Jl. Pandanaran 88", city="Semarang", region="Jawa Tengah",
        postal_code="50134", country="ID", language="en",
    )  # fmt: skip
    if demo_products:
        paid = shop.place(details, demo_products[:2], account=buyer)
        pay.transfer_confirm(payment=paid.payments.get(), by=organiser)
        part = paid.parts.get(booth=shop.demo_booth)
        pay.part_mark_shipped(part=part, courier="jne", tracking_number="JNE0123456789", by=vendor)
    shop.place(details, rng.sample(products, k=2), account=buyer)
