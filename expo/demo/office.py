"""The demo's office, its four accounts, and the open expo it runs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from expo import regions
from expo.demo.images import Picture, Pictures, draw_banner, jpeg, store
from expo.models import Expo, ExpoState, Office, OfficeMembership, Region, Sector, User


@dataclass(frozen=True)
class DemoAccount:
    """One of the four accounts `make run` prints, to log in with."""

    email: str
    password: str
    name: str
    role: str


ORGANISER = DemoAccount(
    "organiser@demo.umkm-expo.id", "expo-organiser-2026", "Sri Wahyuni", "organiser"
)
VENDOR = DemoAccount("vendor@demo.umkm-expo.id", "expo-vendor-2026", "Budi Santoso", "vendor")
BUYER = DemoAccount("buyer@demo.umkm-expo.id", "expo-buyer-2026", "Emma Lawson", "buyer")
ADMIN = DemoAccount("admin@demo.umkm-expo.id", "expo-admin-2026", "Platform Admin", "admin")
DEMO_ACCOUNTS = (ORGANISER, VENDOR, BUYER, ADMIN)

DEMO_EXPO_SLUG = "ukm-virtual-expo-jawa-tengah"
DEMO_BOOTH_QUOTA = 60
PROVINCE = "Jawa Tengah"


def _account(spec: DemoAccount, **extra: object) -> User:
    user, created = User.objects.get_or_create(
        email=spec.email, defaults={"name": spec.name, **extra}
    )
    if created or not user.check_password(spec.password):
        user.set_password(spec.password)
        user.save(update_fields=["password"])
    # Demo accounts can log in straight away: their address counts as verified.
    EmailAddress.objects.update_or_create(
        user=user, email=spec.email, defaults={"verified": True, "primary": True}
    )
    return user


def seed_office() -> Office:
    """The Central Java office (Dinkop UKM Jawa Tengah) that runs the demo expo."""
    office, _ = Office.objects.get_or_create(
        province=PROVINCE,
        defaults={
            "name": "Dinas Koperasi dan UKM Provinsi Jawa Tengah",
            "slug": "jawa-tengah",
            "email": "dinkop@jatengprov.go.id",
            "website": "https://dinkopumkm.jatengprov.go.id",
        },
    )
    return office


@transaction.atomic
def seed_accounts() -> dict[str, Any]:
    """The four demo accounts (the organiser a member of the office) and the office, by role."""
    office = seed_office()
    organiser = _account(ORGANISER, language="id")
    OfficeMembership.objects.get_or_create(office=office, user=organiser)
    buyer = _account(BUYER, country="AU", language="en", time_zone="Australia/Sydney")
    vendor = _account(VENDOR, language="id")
    admin = _account(ADMIN, is_staff=True, is_superuser=True)
    if not admin.is_superuser:
        admin.is_staff = admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])
    return {
        "organiser": organiser,
        "vendor": vendor,
        "buyer": buyer,
        "admin": admin,
        "office": office,
    }


def ensure_regions_and_sectors() -> None:
    """Migration 0002 loads them; this puts them back if the tables were emptied since."""
    if Region.objects.filter(province=PROVINCE).count() < 35 or Sector.objects.count() < 7:
        regions.load_defaults()


# --- The expo --------------------------------------------------------------------------------------

EXPO_TEXT = {
    "title_en": "UKM Virtual Expo Jawa Tengah",
    "title_id": "UKM Virtual Expo Jawa Tengah",
    "tagline_en": "Central Java's makers, online for three days: shop, chat and watch them at work.",
    "tagline_id": "UMKM Jawa Tengah hadir daring selama tiga hari: belanja, mengobrol dan saksikan mereka berkarya.",
    "description_en": (
        "The UKM Virtual Expo brings the micro, small and medium businesses of Central Java to buyers "
        "at home and abroad. Walk the hall and visit the booths of batik makers from Pekalongan, Solo "
        "and Lasem, jenang from Kudus, coffee from Temanggung, carved furniture from Jepara and many "
        "more; chat with the makers, join their live sessions and buy straight from them. Every "
        "booth was reviewed by the Dinas Koperasi dan UKM of Central Java for product quality and "
        "stock. Prices are in rupiah; buyers abroad see an approximate price in their currency."
    ),
    "description_id": (
        "UKM Virtual Expo mempertemukan usaha mikro, kecil dan menengah Jawa Tengah dengan pembeli "
        "dari dalam dan luar negeri. Jelajahi hall dan kunjungi booth pembatik dari Pekalongan, Solo "
        "dan Lasem, jenang Kudus, kopi Temanggung, mebel ukir Jepara dan banyak lagi; mengobrol "
        "dengan pelaku usahanya, ikuti sesi live mereka dan beli langsung dari mereka. Setiap booth "
        "telah dikurasi Dinas Koperasi dan UKM Provinsi Jawa Tengah untuk mutu produk dan "
        "ketersediaan stok."
    ),
}


def open_time_box(now: datetime) -> dict[str, datetime]:
    """Applications opened 10 days ago, closed 2 days ago; open since a few minutes, for 3 days."""
    return {
        "applications_open_at": now - timedelta(days=10),
        "application_deadline": now - timedelta(days=2),
        "opens_at": now - timedelta(minutes=5),
        "closes_at": now + timedelta(days=3),
    }


def seed_expo(
    office: Office,
    *,
    slug: str = DEMO_EXPO_SLUG,
    quota: int = DEMO_BOOTH_QUOTA,
    text: dict[str, str] | None = None,
    pictures: Pictures | None = None,
) -> Expo:
    """The expo, open now. An existing one keeps its times while it is open and is opened again
    (the same time box from now) once it has closed, so `make run` always shows an open expo."""
    now = timezone.now()
    expo = Expo.objects.filter(slug=slug).first()
    if expo is None:
        expo = Expo.objects.create(
            office=office, slug=slug, booth_quota=quota, **(text or EXPO_TEXT), **open_time_box(now)
        )
    elif expo.state_at(now) != ExpoState.OPEN:
        for name, value in open_time_box(now).items():
            setattr(expo, name, value)
        expo.save()
    sectors = list(Sector.objects.all())
    if set(expo.sectors.values_list("pk", flat=True)) != {s.pk for s in sectors}:
        expo.sectors.set(sectors)
    if not expo.hero_image and pictures is not None:
        picture = Picture(expo.title_id, "fashion", 1)
        data = jpeg(draw_banner(picture, (1600, 600)), 82)
        expo.hero_image = store(Expo, "hero_image", f"{uuid.uuid4().hex}.jpg", data)
        expo.save(update_fields=["hero_image", "updated_at"])
    return expo
