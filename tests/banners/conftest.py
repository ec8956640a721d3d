"""Fixtures of the banner tests: an open expo with its organiser, two vendors' booths with their
members, the five slots, and images of the right (and wrong) shapes."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from booths.models import VendorMembership
from expo import permissions
from expo.banners import services as banner_services
from expo.banners.models import BannerCampaign
from expo.banners.services import counting

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126 Safari/537.36"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _empty_buffer():
    counting._buffer.clear()
    yield
    counting._buffer.clear()


@pytest.fixture
def slots(db):
    return banner_services.slots_ensure()


@pytest.fixture
def expo(make_expo, make_organiser):
    organiser = make_organiser(name="Sri Organiser")
    expo = make_expo("open", office=organiser.offices.get())
    expo.organiser = organiser
    return expo


@pytest.fixture
def organiser(expo):
    return expo.organiser


@pytest.fixture
def booth_a(expo, make_booth):
    return make_booth(expo, name="Batik Sekar", prices=(100_000, 40_000))


@pytest.fixture
def booth_b(expo, make_booth, sectors):
    return make_booth(expo, name="Kopi Gunung", sector=sectors[1], prices=(55_000,))


@pytest.fixture
def make_vendor_user(make_user):
    def build(booth, **extra):
        user = make_user(**extra)
        VendorMembership.objects.create(vendor=booth.vendor, user=user, role="owner")
        permissions.forget(user)
        return user

    return build


@pytest.fixture
def vendor_a(booth_a, make_vendor_user):
    return make_vendor_user(booth_a, name="Sekar Owner")


@pytest.fixture
def vendor_b(booth_b, make_vendor_user):
    return make_vendor_user(booth_b, name="Kopi Owner")


def image_file(width: int, height: int, *, fmt: str = "JPEG", name: str = "banner.jpg"):
    out = io.BytesIO()
    Image.new("RGB", (width, height), (180, 60, 40)).save(out, format=fmt)
    return SimpleUploadedFile(name, out.getvalue(), content_type=f"image/{fmt.lower()}")


@pytest.fixture
def image():
    return image_file


@pytest.fixture
def days(expo):
    return banner_services.expo_days(expo)


@pytest.fixture
def place(expo, organiser, slots, booth_a, days):
    """The organiser's own banner (approved at once) in a slot, with a weight."""

    def build(*, slot="hall_hero", weight=1, booth=None, **extra):
        values = {
            "expo": expo,
            "slot": slots[slot],
            "target": BannerCampaign.Target.BOOTH,
            "booth": booth or booth_a,
            "title_en": "Visit us",
            "image_en": image_file(slots[slot].width, slots[slot].height),
            "starts_on": days[0],
            "ends_on": days[1],
            "weight": weight,
            "by": organiser,
        }
        values.update(extra)
        return banner_services.banner_place(**values)

    return build


@pytest.fixture
def request_banner(expo, slots, booth_a, vendor_a, days):
    """A vendor's banner request (waiting for review)."""

    def build(*, slot="hall_hero", booth=None, by=None, **extra):
        booth = booth or booth_a
        values = {
            "expo": expo,
            "vendor": booth.vendor,
            "slot": slots[slot],
            "target": BannerCampaign.Target.BOOTH,
            "booth": booth,
            "title_en": "Our batik",
            "image_en": image_file(slots[slot].width, slots[slot].height),
            "starts_on": days[0],
            "ends_on": days[1],
            "by": by or vendor_a,
        }
        values.update(extra)
        return banner_services.banner_request(**values)

    return build


def one_day():
    return timedelta(days=1)
