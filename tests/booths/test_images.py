"""Uploads are real raster images, bounded, re-encoded and thumbnailed; SVG is refused; S3 works."""

from __future__ import annotations

import io

import boto3
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from booths import images


def png_bytes(size=(640, 480), colour=(200, 80, 20), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, format="PNG")
    return out.getvalue()


def jpeg_with_exif() -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (300, 200), (10, 120, 90))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def upload(
    data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_text_file_renamed_jpg_is_refused():
    with pytest.raises(ValidationError) as refused:
        images.reencode(upload(b"just some text, not a picture\n" * 20))
    assert "not an image we can read" in refused.value.messages[0]


def test_svg_is_refused_even_with_an_image_name():
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'
    with pytest.raises(ValidationError) as refused:
        images.reencode(upload(svg, "logo.png", "image/png"))
    assert "SVG" in refused.value.messages[0]


def test_oversized_upload_is_refused():
    big = upload(b"\xff\xd8" + b"0" * (images.MAX_UPLOAD_BYTES + 1))
    with pytest.raises(ValidationError) as refused:
        images.reencode(big)
    assert "too large" in refused.value.messages[0]


def test_too_many_pixels_is_refused(monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS", 100 * 100)
    with pytest.raises(ValidationError) as refused:
        images.reencode(upload(png_bytes((200, 200)), "big.png"))
    assert "too many pixels" in refused.value.messages[0]


def test_good_image_is_reencoded_bounded_and_stripped():
    data = jpeg_with_exif()
    result = images.reencode(upload(data), max_side=120)
    with Image.open(io.BytesIO(result.read())) as out:
        assert out.format == "JPEG"
        assert max(out.size) == 120
        assert not out.getexif()  # metadata (camera, GPS) does not survive
    assert result.name.endswith(".jpg") and "photo" not in result.name


def test_transparent_png_keeps_alpha_as_webp_and_gets_a_thumbnail():
    full, thumb = images.reencode_with_thumbnail(
        upload(png_bytes((1200, 900), (0, 0, 0, 0), "RGBA"), "t.png")
    )
    with Image.open(io.BytesIO(full.read())) as f, Image.open(io.BytesIO(thumb.read())) as t:
        assert f.format == t.format == "WEBP"
        assert max(t.size) == images.THUMB_SIDE
        assert f.size == (1200, 900)


@pytest.mark.s3
@pytest.mark.django_db
def test_product_image_round_trips_through_s3(s3_endpoint_url, settings):
    from django.core.files.storage import storages

    bucket = "umkm-expo-test-media"
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    s3.create_bucket(Bucket=bucket)
    settings.AWS_STORAGE_BUCKET_NAME = bucket
    settings.AWS_S3_ENDPOINT_URL = s3_endpoint_url
    settings.AWS_ACCESS_KEY_ID = "test"
    settings.AWS_SECRET_ACCESS_KEY = "test"
    settings.AWS_S3_REGION_NAME = "us-east-1"
    settings.AWS_S3_ADDRESSING_STYLE = "path"
    settings.AWS_QUERYSTRING_AUTH = False
    settings.AWS_DEFAULT_ACL = None
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage"},
    }
    storage = storages.create_storage(settings.STORAGES["default"])

    content = images.reencode(upload(png_bytes(), "p.png"))
    name = storage.save(f"products/{content.name}", content)
    stored = s3.get_object(Bucket=bucket, Key=name)["Body"].read()
    with Image.open(io.BytesIO(stored)) as out:
        assert out.format == "JPEG" and out.size == (640, 480)
    assert storage.url(name).startswith(f"{s3_endpoint_url}/{bucket}/products/")
    storage.delete(name)
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
