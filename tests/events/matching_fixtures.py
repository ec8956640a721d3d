"""Builders of business matching's tests: an expo in June 2027 with matching on (a summer date, so
that London is on BST: 10:00 WIB is 03:00 UTC, 12:00 in Tokyo, 04:00 in London), a vendor with a
member and a published window, and buyers with a business profile and a standing consent."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from booths.models import Booth, Vendor, VendorMembership
from events.matching.models import MatchingSettings, MeetingAvailability
from expo import buyers, permissions
from expo.models import Expo, Office, Region, Sector, User

WIB = ZoneInfo("Asia/Jakarta")
DAY = datetime(2027, 6, 2, tzinfo=WIB)
_seq = itertools.count(1)


def wib(hour: int, minute: int = 0, *, day: datetime = DAY) -> datetime:
    return day.replace(hour=hour, minute=minute)


def make_matching_expo(office: Office | None = None, *, minutes: int = 30) -> Expo:
    """Published now (the hall is visible, meetings can be booked ahead), open 1–5 June 2027."""
    n = next(_seq)
    office = office or Office.objects.create(
        name=f"Dinkop M{n}", province=f"Matching {n}", slug=f"matching-{n}"
    )
    expo = Expo.objects.create(
        office=office,
        slug=f"meet-expo-{n}",
        title_en="Trade Expo",
        title_id="Pameran Dagang",
        applications_open_at=datetime(2026, 1, 1, tzinfo=WIB),
        application_deadline=datetime(2026, 2, 1, tzinfo=WIB),
        opens_at=datetime(2027, 6, 1, 8, tzinfo=WIB),
        closes_at=datetime(2027, 6, 5, 20, tzinfo=WIB),
    )
    MatchingSettings.objects.create(
        expo=expo, enabled=True, meeting_minutes=minutes, cancel_cutoff_minutes=120
    )
    return expo


def make_user(*, name: str, time_zone: str = "Asia/Jakarta", language: str = "en") -> User:
    n = next(_seq)
    return User.objects.create_user(
        email=f"m{n}@example.com",
        password="correct-horse-9",
        name=name,
        time_zone=time_zone,
        language=language,
    )


@dataclass
class Stand:
    booth: Booth
    vendor: Vendor
    member: User


def make_stand(expo: Expo, *, name: str = "Kopi Gayo") -> Stand:
    n = next(_seq)
    region = Region.objects.get_or_create(
        code=f"98.{n:02d}", defaults={"province": "Uji", "name": f"Kab {n}", "kind": "kabupaten"}
    )[0]
    sector = Sector.objects.get_or_create(
        slug="m-coffee", defaults={"name_en": "Coffee", "name_id": "Kopi"}
    )[0]
    vendor = Vendor.objects.create(
        name=name, slug=f"m-vendor-{n}", owner_name="Sri", region=region, sector=sector
    )
    booth = Booth.objects.create(expo=expo, vendor=vendor, slug=f"m-booth-{n}")
    member = make_user(name=f"{name} Owner")
    VendorMembership.objects.create(vendor=vendor, user=member, role="owner")
    permissions.forget(member)
    return Stand(booth=booth, vendor=vendor, member=member)


def add_member(stand: Stand, *, name: str = "Colleague") -> User:
    user = make_user(name=name)
    VendorMembership.objects.create(vendor=stand.vendor, user=user)
    permissions.forget(user)
    return user


def publish(stand: Stand, start: datetime, end: datetime, *, member: User | None = None):
    return MeetingAvailability.objects.create(
        expo=stand.booth.expo,
        vendor=stand.vendor,
        member=member or stand.member,
        starts_at=start,
        ends_at=end,
    )


def make_business_buyer(
    *, name: str = "Hana Buyer", time_zone: str = "Asia/Tokyo", consent: bool = True
) -> User:
    user = make_user(name=name, time_zone=time_zone)
    buyers.buyer_profile_save(
        user=user,
        company=f"{name} Trading",
        country="JP",
        buyer_type="importer",
        products="coffee beans",
        order_size=150_000_000,
        website="https://example.com",
        consent=consent,
    )
    return user
