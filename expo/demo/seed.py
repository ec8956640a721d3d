"""Demo accounts and the demo expo for `make run` (``manage.py seed_demo``). Idempotent.

``seed_demo()`` is the one entry point: it builds the office, the four demo accounts and an open
expo, "UKM Virtual Expo Jawa Tengah", with the booths and products of ``expo.demo.catalogue``
(every product with a generated photo and thumbnail, booth covers, vendor logos, documents for the
curators, pending applications), live sessions and a chat, the organiser's banners and the first
sales. ``seed_hall()`` builds a bigger expo from the same catalogue for the benchmarks
(``bench/hall.py``), sharing a small pool of pictures between its rows so that it stays fast.

The work is done by a module per concern: :mod:`~expo.demo.office` (office, accounts, the expo),
:mod:`~expo.demo.images` (the drawn pictures and documents), :mod:`~expo.demo.booths` (the catalogue
loaded into booths), :mod:`~expo.demo.live` (sessions and chat), :mod:`~expo.demo.banners` and
:mod:`~expo.demo.commerce` (payment settings and orders), :mod:`~expo.demo.business` (business
matching, an export deal, the venue's stands, curation grades). The names below are this package's
front door, for the command, the benchmarks and the tests.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils import timezone

from booths.models import Booth, BoothApplication, Product, ProductImage, VendorMembership
from events.models import LiveSession
from expo import permissions
from expo.demo.banners import seed_banners
from expo.demo.booths import Counts, planned_slugs, scaled_makers, seed_applicants, seed_booths
from expo.demo.business import seed_business
from expo.demo.catalogue import APPLICANTS, DEMO_VENDOR_MAKER, MAKERS, Applicant, Maker
from expo.demo.commerce import seed_sales
from expo.demo.images import Pictures, tiny_pdf
from expo.demo.live import DEMO_SESSIONS, seed_live
from expo.demo.office import (
    ADMIN,
    BUYER,
    DEMO_ACCOUNTS,
    DEMO_BOOTH_QUOTA,
    DEMO_EXPO_SLUG,
    EXPO_TEXT,
    ORGANISER,
    VENDOR,
    ensure_regions_and_sectors,
    seed_accounts,
    seed_expo,
    seed_office,
)
from expo.models import Expo
from payments.models import Order, SalesLedgerEntry

__all__ = [
    "ADMIN",
    "BUYER",
    "DEMO_ACCOUNTS",
    "DEMO_BOOTH_QUOTA",
    "DEMO_EXPO_SLUG",
    "DEMO_SESSIONS",
    "ORGANISER",
    "VENDOR",
    "Pictures",
    "Summary",
    "expo_totals",
    "planned_slugs",
    "scaled_makers",
    "seed_demo",
    "seed_expo",
    "seed_hall",
    "seed_office",
    "tiny_pdf",
]


@dataclass
class Summary:
    """What a run made and what the expo holds now, for the command to print."""

    expo: Expo
    created: Counts
    seconds: float
    totals: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        t = self.totals
        c = self.created
        return [
            f"Expo: {self.expo.title} (/expos/{self.expo.slug}/), {self.expo.state.label}, "
            f"closes {timezone.localtime(self.expo.closes_at):%d %b %Y %H:%M} WIB",
            f"  booths approved {t['booths']} (quota {self.expo.booth_quota}) in "
            f"{t['regions']} regencies/cities, {t['sectors']} sectors; halal {t['halal']}",
            f"  products {t['products']} (pre-order {t['preorder']}, featured {t['featured']}), "
            f"product photos {t['images']}",
            f"  live sessions {t['sessions']} (live now {t['live_now']}), see "
            f"/expos/{self.expo.slug}/agenda/",
            f"  orders {t['orders']} (paid {t['paid_orders']}), omzet Rp "
            + f"{t['omzet']:,}".replace(",", "."),
            f"  applications waiting for review {t['submitted']}, changes requested "
            f"{t['changes_requested']}",
            f"  created this run: {c.vendors} vendors, {c.applications} applications, "
            f"{c.booths} booths, {c.products} products, {c.images} product photos "
            f"({c.pictures_drawn} pictures drawn)",
        ]


def expo_totals(expo: Expo) -> dict[str, int]:
    """The expo's counts the summary prints."""
    booths = Booth.objects.filter(expo=expo, application__status="approved")
    products = Product.objects.filter(booth__expo=expo)
    statuses = Counter(BoothApplication.objects.filter(expo=expo).values_list("status", flat=True))
    sessions = LiveSession.objects.filter(booth__expo=expo)
    now = timezone.now()
    orders = Order.objects.filter(expo=expo)
    return {
        "orders": orders.count(),
        "paid_orders": orders.filter(paid_at__isnull=False).count(),
        "omzet": SalesLedgerEntry.objects.filter(expo=expo).aggregate(t=models.Sum("amount"))["t"]
        or 0,
        "sessions": sessions.count(),
        "live_now": sessions.filter(starts_at__lte=now, ends_at__gt=now).count(),
        "booths": booths.count(),
        "regions": booths.values("vendor__region").distinct().count(),
        "sectors": booths.values("vendor__sector").distinct().count(),
        "halal": booths.filter(is_halal=True).count(),
        "products": products.count(),
        "preorder": products.filter(is_preorder=True).count(),
        "featured": products.filter(is_featured=True).count(),
        "images": ProductImage.objects.filter(product__booth__expo=expo).count(),
        "submitted": statuses.get("submitted", 0),
        "changes_requested": statuses.get("changes_requested", 0),
    }


def seed_demo(
    *,
    makers: Sequence[Maker] = MAKERS,
    applicants: Sequence[Applicant] = APPLICANTS,
    pictures: Pictures | None = None,
) -> Summary:
    """Everything `make run` shows. Safe to run again: only what is missing is created."""
    started = time.perf_counter()
    pictures = pictures or Pictures()
    counts = Counts()
    with transaction.atomic():
        ensure_regions_and_sectors()
        accounts = seed_accounts()
        organiser, vendor_user = accounts["organiser"], accounts["vendor"]
        expo = seed_expo(accounts["office"], pictures=pictures)
        booths = seed_booths(expo, makers, organiser=organiser, pictures=pictures, counts=counts)
        demo_booth = booths.get(DEMO_VENDOR_MAKER) or next(iter(booths.values()))
        _, joined = VendorMembership.objects.get_or_create(
            vendor=demo_booth.vendor,
            user=vendor_user,
            defaults={"role": VendorMembership.Role.OWNER},
        )
        if joined:
            permissions.forget(vendor_user)
        seed_applicants(expo, applicants, organiser=organiser, pictures=pictures, counts=counts)
        seed_live(
            expo, demo_booth, list(booths.values()), vendor=vendor_user, buyer=accounts["buyer"]
        )
        seed_banners(expo)
        seed_sales(
            expo,
            demo_booth,
            list(booths.values()),
            organiser=organiser,
            vendor=vendor_user,
            buyer=accounts["buyer"],
        )
        seed_business(
            expo,
            demo_booth,
            list(booths.values()),
            organiser=organiser,
            vendor=vendor_user,
            buyer=accounts["buyer"],
        )
        counts.pictures_drawn = pictures.drawn
    return Summary(expo, counts, time.perf_counter() - started, expo_totals(expo))


def seed_hall(
    *, slug: str = "bench-hall", booths: int = 200, products_per_booth: int = 15, pool: int = 6
) -> Summary:
    """An open expo with ``booths`` booths of ``products_per_booth`` products for the benchmarks,
    pictures shared from a small pool. No accounts (no password hashing)."""
    started = time.perf_counter()
    pictures = Pictures(pool=pool)
    counts = Counts()
    with transaction.atomic():
        ensure_regions_and_sectors()
        office = seed_office()
        text = {**EXPO_TEXT, "title_en": "Benchmark Hall", "title_id": "Hall Uji Beban"}
        expo = seed_expo(office, slug=slug, quota=max(booths, 1), text=text, pictures=pictures)
        seed_booths(
            expo,
            scaled_makers(booths, products_per_booth),
            organiser=None,
            pictures=pictures,
            counts=counts,
        )
        counts.pictures_drawn = pictures.drawn
    return Summary(expo, counts, time.perf_counter() - started, expo_totals(expo))
