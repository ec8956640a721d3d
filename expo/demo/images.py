"""The demo's drawn pictures and documents: product photos, vendor logos, booth covers, the expo's
hero and application photos are drawn with Pillow (big initials over a sector's gradient and
batik-like motif), stored through the field's own storage (local disk or S3) like an upload would
be; business documents are tiny one-page PDFs.

:class:`Pictures` draws on a few threads and, for the benchmarks, can share a small pool of pictures
between thousands of rows.
"""

from __future__ import annotations

import functools
import io
import os
import threading
import uuid
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import models
from PIL import Image, ImageDraw, ImageFont

from booths.images import THUMB_SIDE
from booths.models import ApplicationPhoto, Booth, BoothApplication, ProductImage, Vendor


def stable_seed(*parts: str) -> int:
    """A number from text that is the same on every run: the seed of a picture's colours and of
    the demo's random choices, so a second run draws and picks what the first did."""
    return zlib.crc32("|".join(parts).encode())


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


def fit_text(draw: ImageDraw.ImageDraw, text: str, width: int, size: int, *, bold: bool) -> tuple:
    """The largest font (from ``size`` down) in which ``text`` fits ``width``, and the text: cut
    with an ellipsis when even the smallest font is too wide."""
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
    font, caption = fit_text(draw, picture.caption, int(side * 0.9), int(side * 0.05), bold=False)
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


def store(model: type[models.Model], field_name: str, filename: str, data: bytes) -> str:
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
                store(ProductImage, "image", f"{stem}.jpg", full),
                store(ProductImage, "thumbnail", f"{stem}-thumb.jpg", thumb),
            )

        return self._many("product", specs, make)

    def logos(self, specs: Sequence[Picture]) -> list[str]:
        def make(p: Picture) -> str:
            return store(Vendor, "logo", f"{uuid.uuid4().hex}.jpg", jpeg(draw_square(p, 400)))

        return self._many("logo", specs, make)

    def covers(self, specs: Sequence[tuple[Picture, str]]) -> list[str]:
        def make(p: Picture) -> str:
            image = draw_banner(p, (1200, 400))
            return store(Booth, "cover_image", f"{uuid.uuid4().hex}.jpg", jpeg(image, 82))

        return self._many("cover", [p for p, _ in specs], make)

    def application_photos(self, specs: Sequence[Picture]) -> list[str]:
        def make(p: Picture) -> str:
            image = draw_square(p, 640)
            return store(ApplicationPhoto, "image", f"{uuid.uuid4().hex}.jpg", jpeg(image, 80))

        return self._many("photo", specs, make)

    def document(self, field_name: str, lines: Sequence[str], *, key: str = "") -> str:
        """A tiny PDF stored for a BoothApplication file field (shared in pool mode)."""
        shared_key = ("document", field_name)
        if self.pool is not None and shared_key in self._shared:
            return self._shared[shared_key]
        name = store(
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


def draw_titled_banner(picture: Picture, size: tuple[int, int], text: str) -> Image.Image:
    """A promotion banner: :func:`draw_banner` with ``text`` written across it (the demo's banners
    are drawn once per language, so the text can be in it)."""
    width, height = size
    image = draw_banner(picture, size)
    draw = ImageDraw.Draw(image, "RGBA")
    font, line = fit_text(draw, text, int(width * 0.86), height // 5, bold=True)
    draw.text((width / 2, height / 2), line, font=font, anchor="mm", fill=(255, 255, 255, 240))
    return image
