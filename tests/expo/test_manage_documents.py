"""Private business documents and application photos (``booths.documents`` through
``manage:application_document``): who may read them, with which headers, and on S3."""

# The builders are pytest fixtures imported from test_manage: tests name them as parameters, which
# pyflakes reads as redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import time
import urllib.error
import urllib.request
import uuid
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from booths import documents
from booths.models import ApplicationPhoto, BoothApplication
from tests.expo.test_manage import (  # noqa: F401 - fixtures
    PDF,
    fetch,
    image_bytes,
    make_application,
    make_vendor,
    private_files,
    world,
)


def doc_url(application, kind: str, photo=None) -> str:
    if photo is not None:
        return reverse("manage:application_document", args=[application.pk, "photos", photo.pk])
    return reverse("manage:application_document", args=[application.pk, kind])


KINDS = ("nib", "halal", "photo")


def urls_of(world) -> dict[str, str]:
    app = world.application
    return {
        "nib": doc_url(app, "nib"),
        "halal": doc_url(app, "halal"),
        "photo": doc_url(app, "photos", world.photo),
    }


@pytest.mark.parametrize(
    ("account", "status"),
    [
        ("buyer", 403),
        ("other_vendor", 403),  # a member of another vendor
        ("other_organiser", 403),  # an organiser of another office
        ("vendor", 200),  # a member of the application's vendor
        ("organiser", 200),
        ("admin", 200),
    ],
)
def test_document_permission_matrix(client, world, account, status):
    client.force_login(world.accounts[account])
    for kind, url in urls_of(world).items():
        assert fetch(client, url).status_code == status, kind


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    for url in urls_of(world).values():
        response = fetch(client, url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_unknown_ids_and_missing_documents_are_404(client, world, make_application):
    client.force_login(world.accounts["organiser"])
    app = world.application
    other = make_application(world.expo)
    assert fetch(client, "/manage/applications/999999/documents/nib/").status_code == 404
    assert (
        fetch(client, f"/manage/applications/{app.pk}/documents/photos/999999/").status_code == 404
    )
    # A photo of another application is not reachable through this one.
    assert fetch(client, doc_url(app, "photos", other.photos.get())).status_code == 404
    # No food permit was sent.
    assert fetch(client, doc_url(app, "permit")).status_code == 404
    # Only the known kinds have a URL at all.
    assert fetch(client, f"/manage/applications/{app.pk}/documents/logo/").status_code == 404


def test_unknown_ids_are_404_for_anyone_signed_in(client, world):
    client.force_login(world.accounts["buyer"])
    assert fetch(client, "/manage/applications/999999/documents/nib/").status_code == 404


def test_a_pdf_is_shown_inline_with_safe_headers(client, world):
    client.force_login(world.accounts["organiser"])
    response = fetch(client, doc_url(world.application, "nib"))
    assert response.content_bytes == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'inline; filename="{world.application.vendor.slug}-nib.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_photos_and_certificates_are_served_as_images(client, world):
    client.force_login(world.accounts["vendor"])
    response = fetch(client, doc_url(world.application, "photos", world.photo))
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline;")
    assert response.content_bytes.startswith(b"\xff\xd8\xff")
    response = fetch(client, doc_url(world.application, "halal"))
    assert response["Content-Type"] == "image/png"


def test_a_file_that_is_not_a_pdf_or_image_is_only_downloaded(client, world, private_files):
    # Whatever its name says, content that is not a PDF or an image is never rendered.
    app = world.application
    app.nib_document.save(f"{uuid.uuid4().hex}.pdf", ContentFile(b"<html><script>x</script>"))
    client.force_login(world.accounts["organiser"])
    response = fetch(client, doc_url(app, "nib"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_file_missing_from_storage_is_404(client, world, private_files):
    private_files.delete(world.application.nib_document.name)
    client.force_login(world.accounts["organiser"])
    assert fetch(client, doc_url(world.application, "nib")).status_code == 404


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.7", ("application/pdf", "pdf")),
        (b"\x89PNG\r\n\x1a\n", ("image/png", "png")),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", ("image/webp", "webp")),
        (b"<svg xmlns=", ("application/octet-stream", "bin")),
        (b"", ("application/octet-stream", "bin")),
    ],
)
def test_sniff(head, expected):
    assert documents.sniff(head) == expected


# --- On S3 (moto_server) -------------------------------------------------------------------------


@pytest.fixture
def s3_private_storage(s3_endpoint_url, settings, monkeypatch):
    """The private storage on S3, as production configures it (signed URLs, private objects)."""
    from storages.backends.s3 import S3Storage

    bucket = f"umkm-manage-{uuid.uuid4().hex[:8]}"
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    s3.create_bucket(Bucket=bucket)
    storage = S3Storage(
        bucket_name=bucket,
        endpoint_url=s3_endpoint_url,
        access_key="test",
        secret_key="test",
        region_name="us-east-1",
        addressing_style="path",
        location="private",
        querystring_auth=True,
        querystring_expire=300,
        default_acl="private",
        object_parameters={"CacheControl": "private, no-store"},
        file_overwrite=False,
    )
    for model, name in (
        (BoothApplication, "nib_document"),
        (BoothApplication, "permit_document"),
        (BoothApplication, "halal_document"),
        (ApplicationPhoto, "image"),
    ):
        monkeypatch.setattr(model._meta.get_field(name), "storage", storage)
    yield storage, s3, bucket
    listed = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    for item in listed:
        s3.delete_object(Bucket=bucket, Key=item["Key"])
    s3.delete_bucket(Bucket=bucket)


def expires_in(query: dict[str, list[str]]) -> float:
    """Seconds a presigned URL stays valid (SigV4 ``X-Amz-Expires`` or SigV2 ``Expires``)."""
    if "X-Amz-Expires" in query:
        return int(query["X-Amz-Expires"][0])
    return int(query["Expires"][0]) - time.time()


@pytest.mark.s3
@pytest.mark.django_db
def test_on_s3_readers_get_a_short_signed_url_and_others_403(
    client, s3_private_storage, make_expo, make_vendor, make_user, make_organiser
):
    storage, s3, bucket = s3_private_storage
    organiser = make_organiser()
    expo = make_expo("open", office=organiser.offices.get())
    member, stranger = make_user(), make_user()
    vendor = make_vendor(members=(member,))
    make_vendor(members=(stranger,))
    application = BoothApplication(expo=expo, vendor=vendor, stock="ready")
    application.nib_document.save(f"{uuid.uuid4().hex}.pdf", ContentFile(PDF), save=False)
    application.save()
    photo = ApplicationPhoto.objects.create(
        application=application, image=ContentFile(image_bytes(), name=f"{uuid.uuid4().hex}.jpg")
    )
    key = f"private/{application.nib_document.name}"
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == PDF

    # Objects are private: the bare URL does not give the file away.
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{storage.endpoint_url}/{bucket}/{key}", timeout=10)
    refused.value.close()
    assert refused.value.code == 403

    for user in (organiser, member):
        client.force_login(user)
        response = client.get(doc_url(application, "nib"))
        assert response.status_code == 302
        assert response["Cache-Control"] == "private, no-store"
        signed = response["Location"]
        query = parse_qs(urlparse(signed).query)
        assert urlparse(signed).path == f"/{bucket}/{key}"
        assert expires_in(query) <= documents.SIGNED_URL_SECONDS
        assert query["response-content-type"] == ["application/pdf"]
        with urllib.request.urlopen(signed, timeout=10) as answer:
            assert answer.read() == PDF
            assert answer.headers["Content-Type"] == "application/pdf"
            assert answer.headers["Content-Disposition"].startswith("inline;")
        response = client.get(doc_url(application, "photos", photo))
        assert response.status_code == 302
        with urllib.request.urlopen(response["Location"], timeout=10) as answer:
            assert answer.headers["Content-Type"] == "image/jpeg"
            assert answer.read().startswith(b"\xff\xd8\xff")

    client.force_login(stranger)
    assert client.get(doc_url(application, "nib")).status_code == 403
