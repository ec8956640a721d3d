"""The demo's banners: a few of the organiser's own, approved, placed through the banners' public
services like an organiser would place them."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction

from booths.models import Booth
from expo.banners import services as banners
from expo.banners.models import BannerCampaign, BannerSlot
from expo.demo.images import Picture, draw_titled_banner, jpeg
from expo.models import Expo, User

# (slot, which of the expo's first booths it promotes, rotation weight)
PLAN = (
    (BannerSlot.Code.HALL_HERO, 0, 3),
    (BannerSlot.Code.HALL_HERO, 1, 2),
    (BannerSlot.Code.HALL_HERO, 2, 1),
    (BannerSlot.Code.HALL_SIDE, 3, 1),
    (BannerSlot.Code.HALL_SIDE, 4, 1),
    (BannerSlot.Code.SECTOR_TOP, 5, 1),
    (BannerSlot.Code.BOOTH_PAGE, 6, 1),
    (BannerSlot.Code.BOOTH_PAGE, 7, 1),
)


def seed_banners(expo: Expo) -> list[BannerCampaign]:
    """A few of the organiser's own banners, approved, for the demo: drawn like the demo's covers,
    with the target's name written on them. Nothing when the expo has no organiser or booths, or
    already has the organiser's banners for its days."""
    organiser = (
        User.objects.filter(office_memberships__office_id=expo.office_id).order_by("pk").first()
    )
    if organiser is None:
        return []
    booths = list(
        Booth.objects.filter(expo=expo, is_active=True)
        .select_related("vendor__sector")
        .order_by("pk")[:8]
    )
    if not booths:
        return []
    first, last = banners.expo_days(expo)
    # Once per time box: a second run places nothing, a re-opened expo gets banners for its days.
    if BannerCampaign.objects.filter(expo=expo, vendor__isnull=True, ends_on__gte=first).exists():
        return []
    slots = banners.slots_ensure()
    made = []
    for code, index, weight in PLAN:
        slot = slots.get(code)
        if slot is None:
            continue
        booth = booths[index % len(booths)]
        title_en, title_id = f"Visit {booth.vendor.name}", f"Kunjungi {booth.vendor.name}"
        image_en, image_id = (
            _banner_file(expo, slot, booth, index, text) for text in (title_en, title_id)
        )
        with transaction.atomic():
            made.append(
                banners.banner_place(
                    expo=expo,
                    slot=slot,
                    target=BannerCampaign.Target.BOOTH,
                    booth=booth,
                    title_en=title_en,
                    title_id=title_id,
                    image_en=image_en,
                    image_id=image_id,
                    starts_on=first,
                    ends_on=last,
                    weight=weight,
                    by=organiser,
                )
            )
    return made


def _banner_file(expo: Expo, slot: BannerSlot, booth: Booth, index: int, text: str) -> ContentFile:
    """The banner's picture for one language: the text is drawn in it on purpose, since the demo
    shows the per-language images."""
    sector = booth.vendor.sector.slug if booth.vendor.sector_id else "lainnya"
    picture = Picture(caption=booth.vendor.name, sector=sector, seed=index)
    image = draw_titled_banner(picture, (slot.width, slot.height), text)
    return ContentFile(jpeg(image), name=f"banner-{expo.pk}-{slot.code}-{index}.jpg")
