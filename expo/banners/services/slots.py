"""The five banner slots."""

from __future__ import annotations

from expo.banners.models import BannerSlot

# The five slots (created by migration 0004_banners; kept here so tests and the demo can restore
# them after a database flush): code, English name, Indonesian name, width, height, shown at once.
SLOTS = (
    ("hall_hero", "Hall: hero carousel", "Aula: karusel utama", 1200, 400, 3),
    ("hall_side", "Hall: side column", "Aula: kolom samping", 600, 500, 2),
    ("sector_top", "Top of a sector's page", "Atas halaman sektor", 1200, 200, 1),
    ("booth_page", "Booth page (cross-promotion)", "Halaman booth (promosi silang)", 1200, 200, 1),
    ("session_page", "Live session page", "Halaman sesi live", 600, 500, 1),
)


def slots_ensure() -> dict[str, BannerSlot]:
    """Create the five slots where missing; returns them by code."""
    found = {s.code: s for s in BannerSlot.objects.all()}
    for position, (code, name_en, name_id, width, height, shows) in enumerate(SLOTS):
        if code not in found:
            found[code] = BannerSlot.objects.create(
                code=code,
                name_en=name_en,
                name_id=name_id,
                width=width,
                height=height,
                shows=shows,
                position=position,
            )
    return found
