"""Re-encoded uploads keep their pixels and nothing else: no JPEG comment segment, EXIF, XMP or ICC
profile (its colours are converted to sRGB instead), no PNG text chunks; a broken EXIF block is
dropped, not a server error. Checked on the files a product upload stores."""

# The vendor builders are pytest fixtures imported from test_vendor_views: tests name them as
# parameters, which pyflakes reads as redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import io
import struct

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms, PngImagePlugin

from booths import images, services
from tests.booths.test_vendor_views import make_vendor, make_vendor_booth  # noqa: F401 - fixtures

MARKER = b"MARKER-7f3a-private-note"
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
COLOUR = (200, 80, 20)


def jpeg_segments(data: bytes) -> list[int]:
    """The marker bytes of a JPEG's segments before its image data (0xFE = comment, 0xE1 = EXIF or
    XMP, 0xE2 = ICC profile…)."""
    assert data[:2] == b"\xff\xd8"
    found, at = [], 2
    while at < len(data):
        assert data[at] == 0xFF
        marker = data[at + 1]
        if marker == 0xDA:  # start of scan: the pixels follow
            break
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        found.append(marker)
        at += 2 + length
    return found


def webp_chunks(data: bytes) -> list[bytes]:
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    found, at = [], 12
    while at + 8 <= len(data):
        kind, (size,) = data[at : at + 4], struct.unpack("<I", data[at + 4 : at + 8])
        found.append(kind)
        at += 8 + size + (size & 1)
    return found


def jpeg_with_everything() -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretCam " + MARKER.decode()  # Make
    exif[0x010E] = MARKER.decode()  # ImageDescription
    Image.new("RGB", (640, 480), COLOUR).save(
        out,
        format="JPEG",
        comment=MARKER,
        exif=exif,
        icc_profile=SRGB,
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">' + MARKER + b"</x:xmpmeta>",
    )
    data = out.getvalue()
    assert data.count(MARKER) >= 3 and 0xFE in jpeg_segments(data)  # the test input has them all
    return data


def png_with_text(mode: str = "RGB") -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", MARKER.decode())
    info.add_itxt("XML:com.adobe.xmp", MARKER.decode())
    out = io.BytesIO()
    Image.new(mode, (300, 200), (*COLOUR, 128) if mode == "RGBA" else COLOUR).save(
        out, format="PNG", pnginfo=info, icc_profile=SRGB
    )
    return out.getvalue()


@pytest.fixture
def stored(make_vendor, make_vendor_booth, make_expo):
    """Upload ``data`` as a product photo through the service; the stored photo and thumbnail."""
    vendor = make_vendor()
    booth = make_vendor_booth(vendor, make_expo("open"), products=0)

    def upload(data: bytes, name: str = "photo.jpg") -> list[bytes]:
        product = services.product_create(
            booth=booth,
            by=vendor.members.first(),
            images=[SimpleUploadedFile(name, data, content_type="image/jpeg")],
            name_en=f"Product {name}",
            name_id="Produk",
            category="food",
            price=25_000,
            stock=5,
        )
        photo = product.images.get()
        files = []
        for field in (photo.image, photo.thumbnail):
            with field.open("rb") as handle:
                files.append(handle.read())
        return files

    return upload


@pytest.mark.django_db
def test_a_jpeg_loses_its_comment_exif_xmp_and_icc_profile(stored):
    for data in stored(jpeg_with_everything()):
        assert MARKER not in data and b"SecretCam" not in data
        assert b"http://ns.adobe.com/xap/1.0/" not in data and b"ICC_PROFILE" not in data
        segments = jpeg_segments(data)
        assert 0xFE not in segments  # no comment segment
        assert not {0xE1, 0xE2} & set(segments)  # no EXIF, XMP or ICC
        with Image.open(io.BytesIO(data)) as out:
            assert out.format == "JPEG"
            assert "comment" not in out.info and "icc_profile" not in out.info
            assert not out.getexif()
            assert all(abs(a - b) <= 4 for a, b in zip(out.getpixel((5, 5)), COLOUR, strict=True))


@pytest.mark.django_db
def test_png_text_chunks_do_not_reach_the_stored_jpeg_or_webp(stored):
    for data in stored(png_with_text("RGB"), "flat.png"):
        assert MARKER not in data
        assert not {0xFE, 0xE1, 0xE2} & set(jpeg_segments(data))
    for data in stored(png_with_text("RGBA"), "clear.png"):
        assert MARKER not in data
        chunks = webp_chunks(data)
        assert not {b"ICCP", b"EXIF", b"XMP "} & set(chunks), chunks
        with Image.open(io.BytesIO(data)) as out:
            assert out.format == "WEBP" and out.mode == "RGBA"
            assert out.getpixel((5, 5))[3] == 128  # the alpha survives the colour conversion


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_broken_exif_block_is_dropped_not_a_server_error(stored, fmt):
    out = io.BytesIO()
    Image.new("RGB", (320, 240), COLOUR).save(out, format=fmt, exif=b"Exif\x00\x00" + MARKER)
    for data in stored(out.getvalue(), f"broken.{fmt.lower()}"):
        assert MARKER not in data and 0xE1 not in jpeg_segments(data)


def test_an_unreadable_icc_profile_leaves_the_colours_as_they_are():
    out = io.BytesIO()
    Image.new("RGB", (64, 64), COLOUR).save(out, format="JPEG", icc_profile=b"not a profile" * 20)
    result = images.reencode(SimpleUploadedFile("p.jpg", out.getvalue()))
    data = result.read()
    assert b"not a profile" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert all(abs(a - b) <= 4 for a, b in zip(image.getpixel((5, 5)), COLOUR, strict=True))
