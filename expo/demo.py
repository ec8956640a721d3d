"""Demo accounts and data for `make run` (``manage.py seed_demo``). Idempotent."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import transaction

from expo.models import Office, OfficeMembership, User


@dataclass(frozen=True)
class DemoAccount:
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


@transaction.atomic
def seed_accounts() -> dict[str, User]:
    office, _ = Office.objects.get_or_create(
        province="Jawa Tengah",
        defaults={
            "name": "Dinas Koperasi dan UKM Provinsi Jawa Tengah",
            "slug": "jawa-tengah",
            "email": "dinkop@jatengprov.go.id",
            "website": "https://dinkopumkm.jatengprov.go.id",
        },
    )
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
