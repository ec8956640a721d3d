"""Vendors' business documents and application photos, handed out one at a time after a permission
check. They live in the private storage (``storages["private"]``), which nothing serves publicly.

Who may read an application's files: the organisers of its expo's office (and platform admins), who
curate it, and the members of its vendor, who sent it. Everyone else gets 403; unknown ids 404.

Only PDFs and raster images are shown in the browser, with a content type decided by the file's own
first bytes (and ``nosniff``); anything else is sent as an attachment of unknown type. On S3 the
answer is a redirect to a short-lived signed URL that carries the same headers.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.files.storage import Storage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header

from booths import selectors
from booths.models import BoothApplication
from expo import permissions

# URL kind → the application's file field.
DOCUMENT_FIELDS = {
    "nib": "nib_document",
    "permit": "permit_document",
    "halal": "halal_document",
}
PHOTOS = "photos"
KINDS = (*DOCUMENT_FIELDS, PHOTOS)

# What a file may be shown as, recognised by its first bytes: (signature, content type, extension).
SAFE_TYPES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
)
WEBP = ("image/webp", "webp")
UNSAFE_TYPE = ("application/octet-stream", "bin")
# The same, by extension, for storages we do not read from (S3 answers with a redirect): the
# services name every stored file themselves (``<uuid>.<ext>`` from the checked content).
TYPES_BY_EXTENSION = {
    "pdf": ("application/pdf", "pdf"),
    "jpg": ("image/jpeg", "jpg"),
    "jpeg": ("image/jpeg", "jpg"),
    "png": ("image/png", "png"),
    "gif": ("image/gif", "gif"),
    "webp": WEBP,
}
SIGNED_URL_SECONDS = 60
CACHE_CONTROL = "private, no-store"


def may_read(user: Any, application: BoothApplication) -> bool:
    """Organisers of the expo's office (and platform admins), and members of the vendor."""
    return permissions.can_manage_office(
        user, application.expo.office_id
    ) or permissions.is_vendor_member(user, application.vendor_id)


def sniff(head: bytes) -> tuple[str, str]:
    """``(content type, extension)`` of a file from its first bytes; unknown → octet-stream."""
    for signature, content_type, extension in SAFE_TYPES:
        if head.startswith(signature):
            return content_type, extension
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return UNSAFE_TYPE


def _by_extension(name: str) -> tuple[str, str]:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return TYPES_BY_EXTENSION.get(extension, UNSAFE_TYPE)


def _download_name(application: BoothApplication, kind: str, position: int | None) -> str:
    vendor = re.sub(r"[^a-z0-9-]+", "-", application.vendor.slug.lower()).strip("-") or "vendor"
    label = {"nib": "nib", "permit": "permit", "halal": "halal"}.get(kind, "photo")
    suffix = f"-{position + 1}" if position is not None else ""
    return f"{vendor}-{label}{suffix}"


def _signed_redirect(
    storage: Storage, name: str, content_type: str, disposition: str
) -> HttpResponse | None:
    """On S3 with signed URLs: a redirect to one that expires soon and makes S3 answer with our
    headers. None for any other storage (the file is then streamed)."""
    try:
        from storages.backends.s3 import S3Storage
    except ImportError:  # pragma: no cover - django-storages is a dependency
        return None
    if not isinstance(storage, S3Storage) or not storage.querystring_auth:
        return None
    url = storage.url(
        name,
        parameters={
            "ResponseContentType": content_type,
            "ResponseContentDisposition": disposition,
            "ResponseCacheControl": CACHE_CONTROL,
        },
        expire=SIGNED_URL_SECONDS,
    )
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = CACHE_CONTROL
    response["Referrer-Policy"] = "no-referrer"
    return response


def _file_of(
    application: BoothApplication, kind: str, photo_id: int | None
) -> tuple[FieldFile, int | None]:
    if kind == PHOTOS:
        if photo_id is None:
            raise Http404
        photo = application.photos.filter(pk=photo_id).first()
        if photo is None:
            raise Http404
        return photo.image, photo.position
    field = DOCUMENT_FIELDS.get(kind)
    if field is None:
        raise Http404
    return getattr(application, field), None


def document_response(
    *, user: Any, application_id: int, kind: str, photo_id: int | None = None
) -> HttpResponse:
    """The response for one document (``kind`` in nib, permit, halal) or one product photo
    (``kind="photos"`` with ``photo_id``) of an application, after checking that ``user`` may read
    it. Raises Http404 for an unknown application, photo or an empty document, PermissionDenied for
    anyone but the expo's organisers, platform admins and the vendor's members."""
    if kind not in KINDS:
        raise Http404
    application = selectors.application_for_document(application_id=application_id)
    if application is None:
        raise Http404
    permissions.require(may_read(user, application))
    file, position = _file_of(application, kind, photo_id)
    if not file:
        raise Http404
    storage, name = file.storage, file.name

    content_type, extension = _by_extension(name)
    inline = content_type != UNSAFE_TYPE[0]
    filename = f"{_download_name(application, kind, position)}.{extension}"
    redirect = _signed_redirect(
        storage, name, content_type, content_disposition_header(not inline, filename)
    )
    if redirect is not None:
        return redirect

    try:
        handle = storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    # Trust the bytes, not the name: what does not look like a PDF or an image is downloaded.
    content_type, extension = sniff(handle.read(16))
    handle.seek(0)
    inline = content_type != UNSAFE_TYPE[0]
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=f"{_download_name(application, kind, position)}.{extension}",
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = CACHE_CONTROL
    response["Referrer-Policy"] = "no-referrer"
    response["Content-Security-Policy"] = "frame-ancestors 'self'"
    return response
