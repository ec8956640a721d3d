"""Demo accounts and the demo expo for `make run` (``manage.py seed_demo``). Idempotent.

``seed_demo()`` builds the office, the four demo accounts and an open expo, "UKM Virtual Expo Jawa
Tengah", with the booths and products of ``expo.demo.catalogue``: every product with a generated
photo and thumbnail, booth covers, vendor logos, documents for the curators, pending applications.
``seed_hall()`` builds a bigger expo from the same catalogue for the benchmarks (``bench/hall.py``),
sharing a small pool of pictures between its rows so that it stays fast.

Rows are written directly (this is trusted data) with bulk inserts, but keep what the services keep:
one approved application per booth, unique slugs, pre-order products with a lead time and quota,
halal booths from halal applications, and the hall's aggregates recomputed through
``booths.services.booth_refresh_aggregates``. Everything is keyed by slug, so a second run creates
nothing and only checks.
"""

from __future__ import annotations

import functools
import io
import os
import random
import threading
import time
import uuid
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw, ImageFont

from booths import catalogue
from booths.images import THUMB_SIDE
from booths.models import (
    ApplicationPhoto,
    Booth,
    BoothApplication,
    Product,
    ProductImage,
    Vendor,
    VendorMembership,
)
from booths.services import booth_refresh_aggregates
from expo import permissions, regions
from expo.demo.catalogue import APPLICANTS, DEMO_VENDOR_MAKER, MAKERS, Applicant, Maker
from expo.models import Expo, ExpoState, Office, OfficeMembership, Region, Sector, User


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

DEMO_EXPO_SLUG = "ukm-virtual-expo-jawa-tengah"
DEMO_BOOTH_QUOTA = 60
PROVINCE = "Jawa Tengah"


# --- Accounts and office -------------------------------------------------------------------------


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


# --- Pictures ------------------------------------------------------------------------------------

PALETTES: dict[str, tuple[tuple[str, str], ...]] = {
    "kuliner": (
        ("#E76F51", "#F4A261"),
        ("#D62828", "#F77F00"),
        ("#BC6C25", "#DDA15E"),
        ("#9E2A2B", "#E09F3E"),
    ),
    "kriya": (
        ("#264653", "#2A9D8F"),
        ("#7F5539", "#9C6644"),
        ("#3A5A40", "#588157"),
        ("#7F5539", "#B08968"),
    ),
    "fashion": (
        ("#3D405B", "#81B29A"),
        ("#5F0F40", "#9A031E"),
        ("#4E342E", "#A1887F"),
        ("#1D3557", "#457B9D"),
    ),
    "agribisnis": (
        ("#283618", "#606C38"),
        ("#2D6A4F", "#74C69D"),
        ("#386641", "#A7C957"),
        ("#386641", "#BC4749"),
    ),
    "furnitur": (("#7F5539", "#DDB892"), ("#582F0E", "#936639"), ("#656D4A", "#A68A64")),
    "jasa": (("#023E8A", "#0096C7"), ("#5A189A", "#9D4EDD"), ("#3A0CA3", "#4895EF")),
    "lainnya": (("#6D597A", "#B56576"), ("#355070", "#EAAC8B"), ("#495057", "#ADB5BD")),
}
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")
PRODUCT_SIDE = 800
_local = threading.local()
_overlay_lock = threading.Lock()


def _font(size: int, *, bold: bool = True) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A font per thread (FreeType faces are not shared between threads)."""
    cache = getattr(_local, "fonts", None)
    if cache is None:
        cache = _local.fonts = {}
    key = (size, bold)
    if key not in cache:
        name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
        for folder in FONT_DIRS:
            path = os.path.join(folder, name)
            if os.path.exists(path):
                cache[key] = ImageFont.truetype(path, size)
                break
        else:
            cache[key] = ImageFont.load_default(size=size)
    return cache[key]


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _gradient(size: tuple[int, int], start: str, end: str) -> Image.Image:
    """A diagonal two-colour gradient (a 2×2 image scaled up: fast at any size)."""
    a, b = _rgb(start), _rgb(end)
    mid = tuple((x + y) // 2 for x, y in zip(a, b, strict=True))
    seed = Image.new("RGB", (2, 2))
    seed.putdata([a, mid, mid, b])
    return seed.resize(size, Image.Resampling.BILINEAR)


@functools.cache
def _motif(sector: str, size: tuple[int, int]) -> Image.Image:
    """A translucent white pattern for a sector: batik-like, simple, drawn once per size."""
    w, h = size
    layer = Image.new("RGBA", size, (255, 255, 255, 0))
    d = ImageDraw.Draw(layer)
    ink = (255, 255, 255, 46)
    step = max(w, h) // 8
    if sector == "kuliner":  # ceplok dots
        for y in range(0, h + step, step):
            for x in range(0, w + step, step):
                r = step // 5
                d.ellipse((x - r, y - r, x + r, y + r), fill=ink)
                d.ellipse(
                    (x + step // 2 - 4, y + step // 2 - 4, x + step // 2 + 4, y + step // 2 + 4),
                    fill=ink,
                )
    elif sector == "kriya":  # kawung: four ellipses around each point
        q = step // 2
        for y in range(0, h + step, step):
            for x in range(0, w + step, step):
                d.ellipse((x - q + 4, y - q // 2 + 2, x - 4, y + q // 2 - 2), outline=ink, width=4)
                d.ellipse((x + 4, y - q // 2 + 2, x + q - 4, y + q // 2 - 2), outline=ink, width=4)
                d.ellipse((x - q // 2 + 2, y - q + 4, x + q // 2 - 2, y - 4), outline=ink, width=4)
                d.ellipse((x - q // 2 + 2, y + 4, x + q // 2 - 2, y + q - 4), outline=ink, width=4)
    elif sector == "fashion":  # parang: diagonal bands with a row of dots
        for offset in range(-h, w + h, step):
            d.line((offset, 0, offset + h, h), fill=ink, width=step // 4)
            for t in range(0, h, step // 2):
                cx, cy = offset + t + step // 3, t
                d.ellipse((cx - 5, cy - 5, cx + 5, cy + 5), fill=ink)
    elif sector == "agribisnis":  # leaves
        for y in range(0, h + step, step):
            for x in range(0, w + step, step):
                dx = (y // step % 2) * step // 2
                d.ellipse(
                    (x + dx - step // 3, y - step // 8, x + dx + step // 3, y + step // 8),
                    outline=ink,
                    width=4,
                )
                d.line((x + dx - step // 3, y, x + dx + step // 3, y), fill=ink, width=2)
    elif sector == "furnitur":  # wood grain
        for i in range(1, 14):
            r = i * step // 2
            d.arc((-r, h - r, r, h + r), 270, 360, fill=ink, width=5)
            d.arc((w - r, -r, w + r, r), 90, 180, fill=ink, width=5)
    elif sector == "jasa":  # rings
        for i in range(1, 12):
            r = i * step // 2
            d.ellipse((w - r, h - r, w + r, h + r), outline=ink, width=5)
    else:  # diamonds
        for y in range(0, h + step, step):
            for x in range(0, w + step, step):
                q = step // 3
                d.polygon([(x, y - q), (x + q, y), (x, y + q), (x - q, y)], outline=ink, width=4)
    return layer


def _overlay(sector: str, size: tuple[int, int]) -> Image.Image:
    with _overlay_lock:  # drawn once, then only read by the threads
        return _motif(sector, size)


def initials(text: str) -> str:
    words = [w for w in "".join(c if c.isalnum() else " " for c in text).split() if w[0].isalpha()]
    if not words:
        return "UK"
    if len(words) == 1:
        return words[0][:2].upper()
    return (words[0][0] + words[1][0]).upper()


@dataclass(frozen=True)
class Picture:
    """What to draw: big initials over a sector's gradient and motif, with a caption."""

    caption: str
    sector: str
    seed: int
    letters: str = ""

    @property
    def colours(self) -> tuple[str, str]:
        palette = PALETTES.get(self.sector, PALETTES["lainnya"])
        return palette[self.seed % len(palette)]


def _fit(draw: ImageDraw.ImageDraw, text: str, width: int, size: int, *, bold: bool) -> tuple:
    while size > 12:
        font = _font(size, bold=bold)
        if draw.textlength(text, font=font) <= width:
            return font, text
        size -= 2
    font = _font(12, bold=bold)
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return font, text + "…"


def draw_square(picture: Picture, side: int = PRODUCT_SIDE) -> Image.Image:
    """A product photo stand-in: gradient, motif, a badge with initials and the product's name."""
    start, end = picture.colours
    image = _gradient((side, side), start, end).convert("RGBA")
    image.alpha_composite(_overlay(picture.sector, (side, side)))
    image = image.convert("RGB")
    draw = ImageDraw.Draw(image, "RGBA")  # RGBA ink on an RGB image: blended
    r = side * 0.27
    cx, cy = side / 2, side * 0.43
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(255, 255, 255, 58))
    draw.ellipse(
        (cx - r, cy - r, cx + r, cy + r), outline=(255, 255, 255, 150), width=max(2, side // 160)
    )
    letters = picture.letters or initials(picture.caption)
    draw.text(
        (cx, cy), letters, font=_font(int(side * 0.22)), anchor="mm", fill=(255, 255, 255, 240)
    )
    band = side * 0.17
    draw.rectangle((0, side - band, side, side), fill=(0, 0, 0, 70))
    font, caption = _fit(draw, picture.caption, int(side * 0.9), int(side * 0.05), bold=False)
    draw.text((cx, side - band / 2), caption, font=font, anchor="mm", fill=(255, 255, 255, 235))
    return image


def draw_banner(picture: Picture, size: tuple[int, int]) -> Image.Image:
    """A wide cover or hero: gradient and the sector's motif. No text: the pages lay the booth's or
    expo's own name over it, and baked-in text would clash with it and could not be translated."""
    start, end = picture.colours
    image = _gradient(size, start, end).convert("RGBA")
    image.alpha_composite(_overlay(picture.sector, size))
    return image.convert("RGB")


def jpeg(image: Image.Image, quality: int = 84) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def product_photo(picture: Picture, side: int = PRODUCT_SIDE) -> tuple[bytes, bytes]:
    """The photo (side × side JPEG) and its thumbnail, as booths.images would store them."""
    image = draw_square(picture, side)
    thumb = image.resize((THUMB_SIDE, THUMB_SIDE), Image.Resampling.BILINEAR, reducing_gap=2.0)
    return jpeg(image), jpeg(thumb, 82)


def tiny_pdf(lines: Sequence[str]) -> bytes:
    """A one-page PDF with the given lines: a stand-in for an uploaded business document."""

    def escape(text: str) -> str:
        text = text.encode("latin-1", "replace").decode("latin-1")
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    body = "BT /F1 13 Tf 64 770 Td 20 TL " + " ".join(f"({escape(t)}) '" for t in lines) + " ET"
    stream = body.encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _store(model: type[models.Model], field_name: str, filename: str, data: bytes) -> str:
    """Save bytes through the field's storage (local disk or S3) under its upload_to; the name."""
    file_field = model._meta.get_field(field_name)
    return file_field.storage.save(file_field.generate_filename(None, filename), ContentFile(data))


class Pictures:
    """Draws and stores the demo's pictures and documents.

    ``pool=None``: every object gets its own picture (the demo). ``pool=N``: N pictures per sector
    are stored once and shared (the benchmarks: thousands of rows in seconds). Drawing runs on a
    few threads; Pillow releases the GIL while it draws and encodes.
    """

    def __init__(self, *, pool: int | None = None, workers: int | None = None) -> None:
        self.pool = pool
        self.workers = workers or min(4, os.cpu_count() or 1)
        self._shared: dict[tuple, Any] = {}
        self.drawn = 0

    def _map(self, make: Callable[[Any], Any], specs: Sequence[Any]) -> list[Any]:
        if len(specs) < 4 or self.workers == 1:
            return [make(spec) for spec in specs]
        with ThreadPoolExecutor(self.workers) as pool:
            return list(pool.map(make, specs))

    def _many(self, kind: str, specs: Sequence[Picture], make: Callable[[Picture], Any]) -> list:
        if self.pool is None:
            self.drawn += len(specs)
            return self._map(make, specs)
        keys = [(kind, p.sector, p.seed % self.pool) for p in specs]
        missing = list(dict.fromkeys(k for k in keys if k not in self._shared))
        shared = [Picture(caption=_sector_caption(k[1]), sector=k[1], seed=k[2]) for k in missing]
        self.drawn += len(shared)
        for key, made in zip(missing, self._map(make, shared), strict=True):
            self._shared[key] = made
        return [self._shared[k] for k in keys]

    def products(self, specs: Sequence[Picture]) -> list[tuple[str, str]]:
        """(image name, thumbnail name) for each product."""

        def make(p: Picture) -> tuple[str, str]:
            full, thumb = product_photo(p)
            stem = uuid.uuid4().hex
            return (
                _store(ProductImage, "image", f"{stem}.jpg", full),
                _store(ProductImage, "thumbnail", f"{stem}-thumb.jpg", thumb),
            )

        return self._many("product", specs, make)

    def logos(self, specs: Sequence[Picture]) -> list[str]:
        def make(p: Picture) -> str:
            return _store(Vendor, "logo", f"{uuid.uuid4().hex}.jpg", jpeg(draw_square(p, 400)))

        return self._many("logo", specs, make)

    def covers(self, specs: Sequence[tuple[Picture, str]]) -> list[str]:
        def make(p: Picture) -> str:
            image = draw_banner(p, (1200, 400))
            return _store(Booth, "cover_image", f"{uuid.uuid4().hex}.jpg", jpeg(image, 82))

        return self._many("cover", [p for p, _ in specs], make)

    def application_photos(self, specs: Sequence[Picture]) -> list[str]:
        def make(p: Picture) -> str:
            image = draw_square(p, 640)
            return _store(ApplicationPhoto, "image", f"{uuid.uuid4().hex}.jpg", jpeg(image, 80))

        return self._many("photo", specs, make)

    def document(self, field_name: str, lines: Sequence[str], *, key: str = "") -> str:
        """A tiny PDF stored for a BoothApplication file field (shared in pool mode)."""
        shared_key = ("document", field_name)
        if self.pool is not None and shared_key in self._shared:
            return self._shared[shared_key]
        name = _store(
            BoothApplication, field_name, f"{key or uuid.uuid4().hex}.pdf", tiny_pdf(lines)
        )
        if self.pool is not None:
            self._shared[shared_key] = name
        return name


def _sector_caption(sector: str) -> str:
    return {
        "kuliner": "Kuliner Jawa Tengah",
        "kriya": "Kriya Jawa Tengah",
        "fashion": "Fesyen Jawa Tengah",
        "agribisnis": "Agribisnis Jawa Tengah",
        "furnitur": "Furnitur Jawa Tengah",
        "jasa": "Jasa Jawa Tengah",
    }.get(sector, "UMKM Jawa Tengah")


# --- The catalogue -------------------------------------------------------------------------------


def _seed(*parts: str) -> int:
    return zlib.crc32("|".join(parts).encode())


def _planned_slugs(maker: Maker) -> list[tuple[str, Any, Any]]:
    """(slug, line, item) for each product, slugs unique within the booth and stable between runs."""
    seen: set[str] = set()
    planned = []
    for line in maker.lines:
        for item in line.items:
            stem = slugify(item.name_en)[:150] or "product"
            slug, n = stem, 2
            while slug in seen:
                slug, n = f"{stem}-{n}", n + 1
            seen.add(slug)
            planned.append((slug, line, item))
    return planned


def _unique(stem: str, taken: set[str]) -> str:
    stem = slugify(stem)[:150] or "booth"
    slug, n = stem, 2
    while slug in taken:
        slug, n = f"{stem}-{n}", n + 1
    taken.add(slug)
    return slug


def _region_label(region: Region, lang: str) -> str:
    province = "Central Java" if lang == "en" else "Jawa Tengah"
    return f"{region}, {province}"


def _product(
    booth: Booth, maker: Maker, region: Region, slug: str, line: Any, item: Any, *, featured: bool
) -> Product:
    rng = random.Random(_seed(maker.name, slug))
    preorder = line.preorder is not None
    if preorder:
        stock = 0
    elif line.category == "service":
        stock = rng.randrange(8, 40)
    elif item.price >= 1_000_000:
        stock = rng.randrange(1, 6)
    elif item.price >= 250_000:
        stock = rng.randrange(5, 40)
    else:
        stock = rng.randrange(40, 400)
    made_by_en = f"Made by {maker.name} in {_region_label(region, 'en')}."
    made_by_id = f"Dibuat oleh {maker.name} di {_region_label(region, 'id')}."
    if line.category == "service":
        made_by_en = f"By {maker.name}, {_region_label(region, 'en')}."
        made_by_id = f"Oleh {maker.name}, {_region_label(region, 'id')}."
    description_en = f"{line.about_en} {made_by_en}"
    description_id = f"{line.about_id} {made_by_id}"
    if preorder:
        lead = line.preorder[0]
        description_en += f" Made to order: ships within {lead} days of your order."
        description_id += (
            f" Dibuat sesuai pesanan: dikirim paling lambat {lead} hari setelah pesanan."
        )
    if line.min_order > 1:
        description_en += f" Minimum order: {line.min_order}."
        description_id += f" Minimal pembelian: {line.min_order}."
    return Product(
        booth=booth,
        slug=slug,
        name_en=item.name_en,
        name_id=item.name_id,
        description_en=description_en,
        description_id=description_id,
        category=line.category,
        price=int(item.price),
        stock=stock,
        is_preorder=preorder,
        preorder_lead_days=line.preorder[0] if preorder else None,
        preorder_quota=line.preorder[1] if preorder else None,
        weight_grams=item.grams,
        min_order=line.min_order,
        is_featured=featured,
        is_active=True,
    )


def _nib(name: str) -> str:
    return f"9120{_seed('nib', name) % 10**9:09d}"


def _whatsapp(name: str) -> str:
    return f"+6281{_seed('wa', name) % 10**9:09d}"


def _document_lines(
    title: str, vendor_name: str, owner: str, number: str, region: str
) -> list[str]:
    return [
        "CONTOH DOKUMEN - DEMO UMKM VIRTUAL EXPO (bukan dokumen resmi)",
        "",
        title,
        f"Nomor: {number}",
        f"Nama usaha: {vendor_name}",
        f"Pemilik: {owner}",
        f"Alamat: {region}, Jawa Tengah",
    ]


@dataclass
class Counts:
    """What one run created."""

    vendors: int = 0
    applications: int = 0
    booths: int = 0
    products: int = 0
    images: int = 0
    pictures_drawn: int = 0


def _vendors(
    makers: Sequence[Maker | Applicant],
    *,
    region_by_code: dict[str, Region],
    sector_by_slug: dict[str, Sector],
    pictures: Pictures,
    counts: Counts,
) -> dict[str, Vendor]:
    """The vendor of each maker, by maker name; missing ones created with a logo."""
    slug_of = {m.name: slugify(m.name)[:170] for m in makers}
    found = {
        v.slug: v
        for v in Vendor.objects.filter(slug__in=slug_of.values()).select_related("region", "sector")
    }
    new = []
    for m in makers:
        if slug_of[m.name] in found:
            continue
        region = region_by_code[m.region]
        vendor = Vendor(
            name=m.name,
            slug=slug_of[m.name],
            owner_name=m.owner,
            nib=_nib(m.name),
            region=region,
            sector=sector_by_slug[m.sector],
            size_class=getattr(m, "size", Vendor.SizeClass.MIKRO),
            address=f"{m.place}, {region}, Jawa Tengah",
            whatsapp=_whatsapp(m.name),
            story=m.story_id,
        )
        found[vendor.slug] = vendor
        new.append(vendor)
    no_logo = [v for v in found.values() if not v.logo]
    if no_logo:
        names = pictures.logos(
            [Picture(v.name, v.sector.slug, _seed("logo", v.slug)) for v in no_logo]
        )
        for vendor, name in zip(no_logo, names, strict=True):
            vendor.logo = name
    Vendor.objects.bulk_create(new, batch_size=500)
    stale = [v for v in no_logo if v.pk and v not in new]
    if stale:
        Vendor.objects.bulk_update(stale, ["logo"])
    counts.vendors += len(new)
    return {m.name: found[slug_of[m.name]] for m in makers}


def _application(
    expo: Expo,
    vendor: Vendor,
    spec: Maker | Applicant,
    *,
    status: str,
    decided_by: User | None,
    pictures: Pictures,
    now: datetime,
) -> BoothApplication:
    region = str(vendor.region)
    key = slugify(vendor.name)[:60]
    application = BoothApplication(
        expo=expo,
        vendor=vendor,
        status=status,
        nib_document=pictures.document(
            "nib_document",
            _document_lines(
                "NOMOR INDUK BERUSAHA (NIB)", vendor.name, vendor.owner_name, vendor.nib, region
            ),
            key=f"nib-{key}",
        ),
        stock=spec.stock,
        motivation=getattr(spec, "motivation", "")
        or "We want to reach buyers outside Central Java and abroad.",
    )
    if spec.permit:
        number = (
            f"P-IRT {_seed('pirt', vendor.name) % 10**15:015d}"
            if spec.permit == "pirt"
            else f"BPOM MD {_seed('bpom', vendor.name) % 10**12:012d}"
        )
        application.permit_kind = spec.permit
        application.permit_number = number[:40]
        application.permit_document = pictures.document(
            "permit_document",
            _document_lines(
                f"IZIN PANGAN ({spec.permit.upper()})",
                vendor.name,
                vendor.owner_name,
                number,
                region,
            ),
            key=f"permit-{key}",
        )
    if spec.halal:
        number = f"ID33{_seed('halal', vendor.name) % 10**10:010d}"
        application.halal_number = number
        application.halal_document = pictures.document(
            "halal_document",
            _document_lines("SERTIFIKAT HALAL", vendor.name, vendor.owner_name, number, region),
            key=f"halal-{key}",
        )
    if status != BoothApplication.Status.SUBMITTED:
        application.decided_by = decided_by
        application.decided_at = now
    if isinstance(spec, Applicant) and spec.reason:
        application.decision_reason = spec.reason
    return application


def seed_booths(
    expo: Expo,
    makers: Sequence[Maker],
    *,
    organiser: User | None,
    pictures: Pictures,
    counts: Counts | None = None,
) -> dict[str, Booth]:
    """Approved applications, booths, products and their pictures for ``makers``; only what is
    missing is created. Returns the booth of each maker, by maker name."""
    counts = counts if counts is not None else Counts()
    now = timezone.now()
    region_by_code = {r.code: r for r in Region.objects.all()}
    sector_by_slug = {s.slug: s for s in Sector.objects.all()}
    vendors = _vendors(
        makers,
        region_by_code=region_by_code,
        sector_by_slug=sector_by_slug,
        pictures=pictures,
        counts=counts,
    )

    # Approved applications (the curators' record of each booth).
    applications = {
        a.vendor_id: a
        for a in BoothApplication.objects.filter(expo=expo, vendor__in=vendors.values())
    }
    new_applications = []
    for maker in makers:
        vendor = vendors[maker.name]
        if vendor.pk not in applications:
            application = _application(
                expo,
                vendor,
                maker,
                status=BoothApplication.Status.APPROVED,
                decided_by=organiser,
                pictures=pictures,
                now=now,
            )
            applications[vendor.pk] = application
            new_applications.append(application)
    BoothApplication.objects.bulk_create(new_applications, batch_size=500)
    counts.applications += len(new_applications)

    # Booths.
    booths = {b.vendor_id: b for b in Booth.objects.filter(expo=expo).select_related("vendor")}
    taken = {b.slug for b in booths.values()}
    new_booths = []
    for maker in makers:
        vendor = vendors[maker.name]
        if vendor.pk in booths:
            continue
        application = applications[vendor.pk]
        booth = Booth(
            expo=expo,
            vendor=vendor,
            application=application if application.status == "approved" else None,
            slug=_unique(vendor.name, taken),
            tagline_en=maker.tagline_en[:160],
            tagline_id=maker.tagline_id[:160],
            description_en=maker.story_en,
            description_id=maker.story_id,
            is_halal=application.is_halal,
        )
        booths[vendor.pk] = booth
        new_booths.append(booth)
    by_maker = {m.name: booths[vendors[m.name].pk] for m in makers}
    no_cover = [(m, b) for m, b in ((m, by_maker[m.name]) for m in makers) if not b.cover_image]
    if no_cover:
        names = pictures.covers(
            [(Picture(m.name, m.sector, _seed("cover", m.name)), m.tagline_id) for m, _ in no_cover]
        )
        for (_, booth), name in zip(no_cover, names, strict=True):
            booth.cover_image = name
    Booth.objects.bulk_create(new_booths, batch_size=500)
    stale = [b for _, b in no_cover if b not in new_booths]
    if stale:
        Booth.objects.bulk_update(stale, ["cover_image"])
    counts.booths += len(new_booths)

    # Products.
    existing = set(
        Product.objects.filter(booth__in=by_maker.values()).values_list("booth_id", "slug")
    )
    new_products: list[tuple[Product, Maker]] = []
    for maker in makers:
        booth = by_maker[maker.name]
        region = region_by_code[maker.region]
        planned = _planned_slugs(maker)
        top = max(range(len(planned)), key=lambda i: planned[i][2].price)
        for index, (slug, line, item) in enumerate(planned):
            if (booth.pk, slug) in existing:
                continue
            product = _product(booth, maker, region, slug, line, item, featured=index in (0, top))
            new_products.append((product, maker))
    Product.objects.bulk_create([p for p, _ in new_products], batch_size=500)
    counts.products += len(new_products)

    # A photo for every product that has none.
    sector_of_booth = {by_maker[m.name].pk: m.sector for m in makers}
    bare = list(
        Product.objects.filter(booth__in=by_maker.values(), images__isnull=True).only(
            "pk", "booth_id", "slug", "name_id", "name_en"
        )
    )
    if bare:
        names = pictures.products(
            [
                Picture(
                    p.name_id,
                    sector_of_booth[p.booth_id],
                    _seed("product", str(p.booth_id), p.slug),
                    initials(p.name_id),
                )
                for p in bare
            ]
        )
        ProductImage.objects.bulk_create(
            [
                ProductImage(
                    product=p,
                    image=image,
                    thumbnail=thumb,
                    width=PRODUCT_SIDE,
                    height=PRODUCT_SIDE,
                    position=0,
                )
                for p, (image, thumb) in zip(bare, names, strict=True)
            ],
            batch_size=500,
        )
        counts.images += len(bare)

    if new_products or new_booths:
        booth_refresh_aggregates([b.pk for b in by_maker.values()])
    catalogue.bump(expo.pk)
    counts.pictures_drawn = pictures.drawn
    return by_maker


def seed_applicants(
    expo: Expo,
    applicants: Sequence[Applicant],
    *,
    organiser: User | None,
    pictures: Pictures,
    counts: Counts,
) -> None:
    """Applications still open: waiting for review, or sent back for changes."""
    vendors = _vendors(
        applicants,
        region_by_code={r.code: r for r in Region.objects.all()},
        sector_by_slug={s.slug: s for s in Sector.objects.all()},
        pictures=pictures,
        counts=counts,
    )
    done = set(
        BoothApplication.objects.filter(expo=expo, vendor__in=vendors.values()).values_list(
            "vendor_id", flat=True
        )
    )
    now = timezone.now()
    for spec in applicants:
        vendor = vendors[spec.name]
        if vendor.pk in done:
            continue
        application = _application(
            expo,
            vendor,
            spec,
            status=spec.status,
            decided_by=organiser,
            pictures=pictures,
            now=now,
        )
        application.stock_note = spec.story_id
        application.save()
        photos = pictures.application_photos(
            [
                Picture(f"{vendor.name} — foto {n}", spec.sector, _seed("photo", spec.name, str(n)))
                for n in range(1, 4)
            ]
        )
        ApplicationPhoto.objects.bulk_create(
            ApplicationPhoto(application=application, image=name, position=i)
            for i, name in enumerate(photos)
        )
        counts.applications += 1


# --- The expos -----------------------------------------------------------------------------------

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
        expo.hero_image = _store(Expo, "hero_image", f"{uuid.uuid4().hex}.jpg", data)
        expo.save(update_fields=["hero_image", "updated_at"])
    return expo


@dataclass
class Summary:
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
    booths = Booth.objects.filter(expo=expo, application__status="approved")
    products = Product.objects.filter(booth__expo=expo)
    from events.models import LiveSession

    statuses = Counter(BoothApplication.objects.filter(expo=expo).values_list("status", flat=True))
    sessions = LiveSession.objects.filter(booth__expo=expo)
    now = timezone.now()
    from payments.models import Order, SalesLedgerEntry

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
        from expo.banners.services import seed_banners

        seed_banners(expo)
        seed_sales(
            expo,
            demo_booth,
            list(booths.values()),
            organiser=organiser,
            vendor=vendor_user,
            buyer=accounts["buyer"],
        )
        counts.pictures_drawn = pictures.drawn
    return Summary(expo, counts, time.perf_counter() - started, expo_totals(expo))


# --- Live sessions and a little chat -------------------------------------------------------------

# (booth slug — else the demo vendor's booth —, title en, title id, description en, description id,
#  hours after opening, length in hours, stream)
DEMO_SESSIONS = (
    (
        "",
        "Live from the kitchen: tempe chips fried to order",
        "Live dari dapur: keripik tempe digoreng sesuai pesanan",
        "See how the chips are sliced, spiced and fried, ask about shelf life and order on the spot.",
        "Lihat keripik diiris, dibumbui dan digoreng, tanya soal daya tahan dan pesan langsung.",
        0,
        3,
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    ),
    (
        "batik-lasem-sekar-kencana",
        "Live batik: from canting to cloth",
        "Live batik: dari canting sampai kain",
        "Watch a batik tulis piece being drawn by hand, ask about motifs and order on the spot.",
        "Saksikan batik tulis digambar dengan tangan, tanya soal motif dan pesan langsung.",
        20,
        1,
        "https://vimeo.com/76979871",
    ),
    (
        "mebel-ukir-jepara-mulya",
        "Export readiness Q&A for furniture buyers",
        "Tanya jawab kesiapan ekspor untuk pembeli mebel",
        "Buyers from abroad ask about lead times, certificates and shipping. Opens in Zoom.",
        "Pembeli mancanegara bertanya soal waktu produksi, sertifikat dan pengiriman. Lewat Zoom.",
        27,
        1,
        "https://zoom.us/j/5551234567",
    ),
    (
        "kopi-lereng-sindoro",
        "Live selling: coffee from the slopes of Sindoro",
        "Live selling: kopi dari lereng Sindoro",
        "Single-origin beans roasted to order, with brewing tips and bundle prices for the session.",
        "Biji kopi single origin disangrai sesuai pesanan, tips seduh dan harga paket khusus sesi.",
        46,
        2,
        "https://www.youtube.com/watch?v=jNQXAC9IVRw",
    ),
)

DEMO_CHAT = (
    ("buyer", "Hello! Do you ship to Australia, and how long does it take?"),
    ("vendor", "Halo! Yes, we ship by EMS: about 7–10 days to Sydney. Shipping shows at checkout."),
    ("buyer", "Great. Are the chips halal, and how long do they keep?"),
    ("vendor", "Yes, halal certified. Sealed packs keep 3 months; we fry each order fresh."),
)


def seed_live(
    expo: Expo, demo_booth: Booth, booths: Sequence[Booth], *, vendor: User, buyer: User
) -> None:
    """Four live sessions spread over the expo (the first one live from the opening, on the demo
    vendor's booth, with pinned products) and a short chat in the demo booth. Times follow the
    expo's opening, so a re-opened demo expo gets its agenda moved with it."""
    from events.models import AuthorRole, ChatMessage, LiveSession, RoomKind, SessionPin

    by_slug = {booth.slug: booth for booth in booths}
    for slug, title_en, title_id, text_en, text_id, after, hours, stream in DEMO_SESSIONS:
        host = by_slug.get(slug, demo_booth)
        starts_at = expo.opens_at + timedelta(hours=after)
        session, _created = LiveSession.objects.update_or_create(
            booth=host,
            title_en=title_en,
            defaults={
                "title_id": title_id,
                "description_en": text_en,
                "description_id": text_id,
                "starts_at": starts_at,
                "ends_at": min(starts_at + timedelta(hours=hours), expo.closes_at),
                "stream_url": stream,
                "created_by": vendor if host.pk == demo_booth.pk else None,
            },
        )
        if not session.pins.exists():
            products = Product.objects.filter(booth=host, is_active=True).order_by(
                "-is_featured", "id"
            )
            SessionPin.objects.bulk_create(
                SessionPin(session=session, product=product, position=position)
                for position, product in enumerate(products[:3])
            )
    exists = ChatMessage.objects.filter(room_kind=RoomKind.BOOTH, room_id=demo_booth.pk).exists()
    if not exists:
        names = {
            "buyer": (buyer, buyer.name or "Buyer"),
            "vendor": (vendor, vendor.name or "Vendor"),
        }
        for role, body in DEMO_CHAT:
            author, name = names[role]
            ChatMessage.objects.create(
                room_kind=RoomKind.BOOTH,
                room_id=demo_booth.pk,
                expo=expo,
                author=author,
                author_name=name,
                author_role=AuthorRole.VENDOR if role == "vendor" else AuthorRole.BUYER,
                body=body,
            )


# --- Payments settings and the first sales -------------------------------------------------------

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
    from decimal import Decimal

    from events.models import LiveSession
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
    rng = random.Random(_seed("sales", expo.slug))
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
    if Order.objects.filter(expo=expo).exists():
        return

    session = LiveSession.objects.filter(booth=demo_booth).order_by("starts_at").first()
    products = list(
        Product.objects.filter(booth__in=booths, is_active=True, is_preorder=False, stock__gte=20)
        .select_related("booth__vendor")
        .order_by("id")
    )
    demo_products = [p for p in products if p.booth_id == demo_booth.pk]

    def place(details: pay.BuyerDetails, items: list[Product], *, account: User | None = None,
              channel: str = Channel.DIRECT) -> Order:  # fmt: skip
        cart = Cart.objects.create(user=None)
        for product in items:
            pay.cart_add(
                cart=cart, product=product, quantity=max(product.min_order, rng.randint(1, 3))
            )
        attribution = (
            Attribution(channel=channel, id=session.pk, label=session.title_en)
            if channel == Channel.LIVE_SESSION and session is not None
            else Attribution()
        )
        order = pay.order_place(
            cart=cart, expo=expo, details=details, provider="manual", buyer=account,
            attribution=attribution,
        )  # fmt: skip
        cart.delete()
        return order

    with emails_suppressed():
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
                order = place(
                    details, items, channel=Channel.LIVE_SESSION if live else Channel.DIRECT
                )
                if n % 7 != 3:  # most transfers arrived; a few are still waiting
                    pay.transfer_confirm(payment=order.payments.get(), by=organiser)
        # The demo buyer: one order paid and on its way, one waiting for the transfer.
        details = pay.BuyerDetails(
            email=buyer.email, name=buyer.name, phone="+62 812 0000 1234",
            address="Jl. Pandanaran 88", city="Semarang", region="Jawa Tengah",
            postal_code="50134", country="ID", language="en",
        )  # fmt: skip
        if demo_products:
            paid = place(details, demo_products[:2], account=buyer)
            pay.transfer_confirm(payment=paid.payments.get(), by=organiser)
            part = paid.parts.get(booth=demo_booth)
            pay.part_mark_shipped(
                part=part, courier="jne", tracking_number="JNE0123456789", by=vendor
            )
        place(details, rng.sample(products, k=2), account=buyer)


# --- The benchmark hall --------------------------------------------------------------------------


def scaled_makers(booths: int, products_per_booth: int) -> list[Maker]:
    """``booths`` makers with ``products_per_booth`` products each, cycling through the catalogue
    (copies get a number: "Lanting Ibu Ratmi 2", products a lot: "…, 250 g (lot 2)")."""
    result = []
    for n in range(booths):
        base = MAKERS[n % len(MAKERS)]
        copy = n // len(MAKERS)
        items = [(line, item) for line in base.lines for item in line.items]
        lines = []
        for j in range(products_per_booth):
            line, item = items[j % len(items)]
            lot = j // len(items)
            if lot:
                item = item._replace(
                    name_en=f"{item.name_en} (lot {lot + 1})",
                    name_id=f"{item.name_id} (lot {lot + 1})",
                )
            lines.append(line._replace(items=(item,)))
        name = base.name if copy == 0 else f"{base.name} {copy + 1}"
        result.append(base._replace(name=name, lines=tuple(lines)))
    return result


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


def all_items(makers: Iterable[Maker]) -> list[tuple[Maker, Any, Any]]:
    """(maker, line, item) for every product of ``makers``."""
    return [(m, line, item) for m in makers for line in m.lines for item in line.items]
