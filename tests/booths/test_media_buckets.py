"""Media on S3 (moto_server), as the settings configure it: public media and private business
documents in two buckets, so the public bucket's public-read policy can never expose a document."""

# The vendor builders are pytest fixtures imported from test_vendor_views: tests name them as
# parameters, which pyflakes reads as redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
import uuid

import boto3
import pytest
from django.core.files.storage import storages

from booths import services
from booths.models import ApplicationPhoto
from expo.settings import s3_storages
from tests.booths.test_vendor_views import (  # noqa: F401 - fixtures
    PDF,
    image_bytes,
    image_upload,
    make_vendor,
    make_vendor_booth,
    pdf_upload,
)
from tests.expo.test_settings import ROOT


def anonymous_status(url: str) -> int:
    """The HTTP status an anonymous GET of ``url`` gets (no credentials, no signature)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as refused:
        refused.close()
        return refused.code


def public_read_policy(bucket: str) -> str:
    """What docs/deployment.md gives the public media bucket: anybody may read any object."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "PublicReadMedia",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{bucket}/*",
                }
            ],
        }
    )


@pytest.fixture
def buckets(s3_endpoint_url, settings):
    """Two fresh buckets and the storages the settings build for them."""
    public = f"umkm-media-{uuid.uuid4().hex[:8]}"
    private = f"{public}-private"  # the settings' default name for the private bucket
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    for bucket in (public, private):
        s3.create_bucket(Bucket=bucket)
    settings.AWS_S3_ENDPOINT_URL = s3_endpoint_url
    settings.AWS_ACCESS_KEY_ID = "test"
    settings.AWS_SECRET_ACCESS_KEY = "test"
    settings.AWS_S3_REGION_NAME = "us-east-1"
    settings.AWS_S3_ADDRESSING_STYLE = "path"
    settings.STORAGES = {
        **settings.STORAGES,
        **s3_storages(bucket=public, private_bucket=private),
    }
    yield s3, public, private
    for bucket in (public, private):
        for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=item["Key"])
        s3.delete_bucket_policy(Bucket=bucket)
        s3.delete_bucket(Bucket=bucket)


def keys(s3, bucket: str) -> set[str]:
    return {item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}


@pytest.mark.s3
@pytest.mark.django_db
def test_documents_go_to_the_private_bucket_and_photos_to_the_public_one(
    buckets, make_expo, make_vendor, make_vendor_booth
):
    s3, public, private = buckets
    vendor = make_vendor()
    member = vendor.members.first()
    application = services.application_submit(
        expo=make_expo("accepting"),
        vendor=vendor,
        by=member,
        nib_document=pdf_upload(),
        stock="ready",
        photos=[image_upload()],
    )
    booth = make_vendor_booth(vendor, make_expo("open"), products=0)
    product = services.product_create(
        booth=booth,
        by=member,
        images=[image_upload("tempe.jpg", image_bytes(size=(640, 480)))],
        name_en="Tempe chips",
        name_id="Keripik tempe",
        category="food",
        price=25_000,
        stock=5,
    )
    photo = product.images.get()
    document_keys = {
        f"private/{application.nib_document.name}",
        f"private/{ApplicationPhoto.objects.get(application=application).image.name}",
    }
    photo_keys = {photo.image.name, photo.thumbnail.name}

    assert document_keys <= keys(s3, private)
    assert (
        s3.get_object(Bucket=private, Key=f"private/{application.nib_document.name}")["Body"].read()
        == PDF
    )
    assert photo_keys <= keys(s3, public)
    # Nothing private in the public bucket, nothing public in the private one.
    assert not keys(s3, public) & document_keys
    assert not any(key.startswith("private/") for key in keys(s3, public))
    assert not keys(s3, private) & photo_keys

    # The public bucket gets its public-read policy: the photo is readable by anybody at the
    # address pages use, and the document is still not, in either bucket.
    s3.put_bucket_policy(Bucket=public, Policy=public_read_policy(public))
    endpoint = s3.meta.endpoint_url
    assert storages["default"].url(photo.image.name) == f"{endpoint}/{public}/{photo.image.name}"
    assert anonymous_status(storages["default"].url(photo.image.name)) == 200
    for key in document_keys:
        assert anonymous_status(f"{endpoint}/{public}/{key}") in (403, 404)
        assert anonymous_status(f"{endpoint}/{private}/{key}") == 403
    with pytest.raises(s3.exceptions.ClientError):
        s3.head_object(Bucket=public, Key=f"private/{application.nib_document.name}")

    # The private storage hands out short-lived signed URLs, and they work.
    signed = storages["private"].url(application.nib_document.name)
    assert "X-Amz-Signature=" in signed or "Signature=" in signed
    with urllib.request.urlopen(signed, timeout=10) as answer:
        assert answer.read() == PDF


def settings_with(**env: str) -> subprocess.CompletedProcess[str]:
    """The two buckets' names as the settings module reads them from ``env``."""
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='expo.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.STORAGES['default']['OPTIONS']['bucket_name'],"
        " s.STORAGES['private']['OPTIONS']['bucket_name'])"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_private_bucket_is_another_one():
    assert settings_with(AWS_STORAGE_BUCKET_NAME="media").stdout.split() == [
        "media",
        "media-private",
    ]
    named = settings_with(AWS_STORAGE_BUCKET_NAME="media", AWS_PRIVATE_STORAGE_BUCKET_NAME="docs")
    assert named.stdout.split() == ["media", "docs"]
    same = settings_with(AWS_STORAGE_BUCKET_NAME="media", AWS_PRIVATE_STORAGE_BUCKET_NAME="media")
    assert same.returncode != 0
    assert "AWS_PRIVATE_STORAGE_BUCKET_NAME must name another bucket" in same.stderr
