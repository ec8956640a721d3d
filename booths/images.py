"""Uploaded images: checked to be real raster images, bounded in size, re-encoded, thumbnailed.

Re-encoding keeps the pixels and nothing else the file carried: no EXIF (camera, GPS), no XMP, no
comment segment, no text chunks, no polyglot payload. Pillow copies some of them to the new file by
itself (a JPEG's comment, for one), so the encoder is handed an image with no metadata at all. An
ICC colour profile is applied rather than kept: the pixels are converted to sRGB, which browsers
assume for an untagged image. SVG and other vector or active formats are refused outright.
"""

from __future__ import annotations

import io
import struct
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 2000
THUMB_SIDE = 480
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def _fail(message: str) -> None:
    raise ValidationError(message, code="invalid_image")


def validate_image(upload: UploadedFile) -> Image.Image:
    """Open ``upload`` as a raster image or raise ValidationError with a clear message."""
    size = getattr(upload, "size", None) or 0
    if size > MAX_UPLOAD_BYTES:
        _fail(
            _("The image is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {
                "size": round(size / 1024 / 1024, 1),
                "limit": MAX_UPLOAD_BYTES // 1024 // 1024,
            }
        )
    upload.seek(0)
    head = upload.read(512)
    upload.seek(0)
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<?xml", b"<svg", b"<!doctype", b"<html")) or b"<svg" in lowered:
        _fail(
            _(
                "SVG and other vector or web files are not accepted. Upload a JPEG, PNG or WebP photo."
            )
        )
    try:
        with Image.open(upload) as probe:
            probe.verify()
        upload.seek(0)
        image = Image.open(upload)
        if image.format not in ALLOWED_FORMATS:
            _fail(_("Only JPEG, PNG, WebP or GIF images are accepted."))
        if image.width * image.height > MAX_PIXELS:
            _fail(_("The image has too many pixels; use one under 40 megapixels."))
        image.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError, ValueError):
        _fail(_("This file is not an image we can read. Upload a JPEG, PNG or WebP photo."))
    return image


_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _in_srgb(image: Image.Image, mode: str) -> Image.Image:
    """``image`` in ``mode`` ("RGB" or "RGBA"), its colours converted to sRGB when it carries an ICC
    profile (a profile that cannot be read or applied is ignored), with no metadata left."""
    converted = None
    profile = image.info.get("icc_profile")
    if profile:
        try:
            source = image if image.mode in ("RGB", "RGBA", "CMYK", "L") else image.convert(mode)
            converted = ImageCms.profileToProfile(
                source, ImageCms.ImageCmsProfile(io.BytesIO(profile)), _SRGB, outputMode=mode
            )
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            converted = None
    if converted is None or converted.mode != mode:
        converted = image.convert(mode)
    converted.info = {}  # convert() copies the source's info: comment, EXIF, XMP, ICC, DPI…
    return converted


def _upright(image: Image.Image) -> Image.Image:
    """``image`` turned as its EXIF orientation says; as it is when the EXIF block is broken (the
    uploader's metadata is not worth refusing their photo for, and it is dropped anyway)."""
    try:
        return ImageOps.exif_transpose(image)
    except (SyntaxError, ValueError, TypeError, KeyError, IndexError, OSError, struct.error):
        return image


def _encode(image: Image.Image, side: int) -> bytes:
    image = _upright(image)
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    image = _in_srgb(image, "RGBA" if has_alpha else "RGB")
    image.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if has_alpha:
        image.save(out, format="WEBP", quality=85, method=4)
    else:
        image.save(out, format="JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue()


def _extension(data: bytes) -> str:
    return "webp" if data[:4] == b"RIFF" else "jpg"


def reencode(upload: UploadedFile, *, max_side: int = MAX_SIDE) -> ContentFile:
    """Validate and re-encode ``upload``; the result has a fresh random name."""
    data = _encode(validate_image(upload), max_side)
    return ContentFile(data, name=f"{uuid.uuid4().hex}.{_extension(data)}")


def reencode_with_thumbnail(upload: UploadedFile) -> tuple[ContentFile, ContentFile]:
    image = validate_image(upload)
    full = _encode(image, MAX_SIDE)
    thumb = _encode(image, THUMB_SIDE)
    stem = uuid.uuid4().hex
    return (
        ContentFile(full, name=f"{stem}.{_extension(full)}"),
        ContentFile(thumb, name=f"{stem}-thumb.{_extension(thumb)}"),
    )
