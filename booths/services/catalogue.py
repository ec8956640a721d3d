"""Writes of an expo's catalogue: a booth's page (texts, cover, video, featured products), its
products and their photos, and the booth figures the hall sorts and filters on. Vendors change
them while the time box allows catalogue edits; every write bumps the catalogue's cache version."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Max, Min, Q
from django.utils.translation import gettext as _

from booths import catalogue
from booths.images import reencode, reencode_with_thumbnail
from booths.models import Booth, Product, ProductImage
from booths.services.common import assign, delete_files_on_commit, unique_slug
from booths.video import validate_video_url
from expo import permissions, timebox
from expo.models import User
from expo.services import audit_log

MAX_PRODUCT_IMAGES = 8
# What a vendor writes on its booth page (the booth form's fields); the cover image apart.
BOOTH_FIELDS = (
    "tagline_en", "tagline_id", "description_en", "description_id", "video_url", "is_active",
)  # fmt: skip
# What a vendor writes about a product (the product form's fields); photos apart.
PRODUCT_FIELDS = (
    "name_en", "name_id", "description_en", "description_id", "category", "price", "stock",
    "is_preorder", "preorder_lead_days", "preorder_quota", "weight_grams", "min_order",
    "is_featured", "is_active",
)  # fmt: skip


def _require_booth_editor(booth: Booth, by: User) -> None:
    permissions.require(permissions.is_vendor_member(by, booth.vendor_id))
    timebox.require(booth.expo, timebox.Action.EDIT_CATALOGUE)


@transaction.atomic
def booth_update(
    *,
    booth: Booth,
    by: User,
    cover_image: UploadedFile | None = None,
    featured: Iterable[int] | None = None,
    **fields: Any,
) -> Booth:
    """Change the booth's texts, cover, video and visibility (``fields`` among
    :data:`BOOTH_FIELDS`); ``featured`` (product ids of this booth), when given, becomes the exact
    set of its featured products."""
    _require_booth_editor(booth, by)
    validate_video_url(fields.get("video_url", booth.video_url))
    changed = assign(booth, fields, BOOTH_FIELDS)
    if cover_image is not None:
        delete_files_on_commit([booth.cover_image])
        booth.cover_image = reencode(cover_image)
        changed.append("cover_image")
    booth.full_clean()
    booth.save(update_fields=[*changed, "updated_at"])
    if featured is not None:
        chosen = set(featured)
        products = Product.objects.filter(booth=booth)
        products.filter(pk__in=chosen).exclude(is_featured=True).update(is_featured=True)
        products.exclude(pk__in=chosen).exclude(is_featured=False).update(is_featured=False)
    audit_log(action="booths.booth.updated", obj=booth, user=by, expo_id=booth.expo_id)
    catalogue.bump(booth.expo_id)
    return booth


def booth_refresh_aggregates(booth_ids: Iterable[int]) -> None:
    """Recompute the hall's denormalised price range, pre-order flag and product count."""
    booth_ids = list(booth_ids)
    rows = (
        Product.objects.filter(booth_id__in=booth_ids, is_active=True)
        .values("booth_id")
        .annotate(
            lo=Min("price"),
            hi=Max("price"),
            n=Count("id"),
            pre=Count("id", filter=Q(is_preorder=True)),
        )
    )
    found = {row["booth_id"]: row for row in rows}
    for booth_id in booth_ids:
        row = found.get(booth_id)
        Booth.objects.filter(pk=booth_id).update(
            min_price=row["lo"] if row else None,
            max_price=row["hi"] if row else None,
            product_count=row["n"] if row else 0,
            has_preorder=bool(row and row["pre"]),
        )


def _clean_product(product: Product) -> None:
    if not product.is_preorder:
        product.preorder_lead_days = None
        product.preorder_quota = None
    elif product.preorder_lead_days is None or product.preorder_quota is None:
        raise ValidationError(_("A pre-order product needs a lead time and a quota."))
    product.full_clean(exclude=["slug"] if not product.slug else None)


@transaction.atomic
def product_create(
    *, booth: Booth, by: User, images: Sequence[UploadedFile] = (), **fields: Any
) -> Product:
    """Add a product to the booth (``fields`` among :data:`PRODUCT_FIELDS`), with its photos."""
    _require_booth_editor(booth, by)
    product = Product(booth=booth)
    assign(product, fields, PRODUCT_FIELDS)
    product.slug = unique_slug(
        Product, fields.get("name_en") or fields.get("name_id", ""), booth=booth
    )
    _clean_product(product)
    product.save()
    for upload in images:
        _add_image(product, upload)
    booth_refresh_aggregates([booth.pk])
    audit_log(action="booths.product.created", obj=product, user=by, expo_id=booth.expo_id)
    catalogue.bump(booth.expo_id)
    return product


@transaction.atomic
def product_update(
    *, product: Product, by: User, images: Sequence[UploadedFile] = (), **fields: Any
) -> Product:
    """Change a product (``fields`` among :data:`PRODUCT_FIELDS`) and add ``images`` to its
    photos."""
    _require_booth_editor(product.booth, by)
    changed = assign(product, fields, PRODUCT_FIELDS)
    _clean_product(product)
    # A product that is no longer made to order loses its lead time and quota (_clean_product).
    cleared = [] if product.is_preorder else ["preorder_lead_days", "preorder_quota"]
    product.save(update_fields=list(dict.fromkeys([*changed, *cleared, "updated_at"])))
    for upload in images:
        _add_image(product, upload)
    booth_refresh_aggregates([product.booth_id])
    audit_log(action="booths.product.updated", obj=product, user=by, expo_id=product.booth.expo_id)
    catalogue.bump(product.booth.expo_id)
    return product


def _add_image(product: Product, upload: UploadedFile) -> ProductImage:
    count = product.images.count()
    if count >= MAX_PRODUCT_IMAGES:
        raise ValidationError(
            _("A product can have at most %(n)s photos."), params={"n": MAX_PRODUCT_IMAGES}
        )
    full, thumb = reencode_with_thumbnail(upload)
    return ProductImage.objects.create(product=product, image=full, thumbnail=thumb, position=count)


def _renumber_images(product: Product, first: ProductImage | None = None) -> None:
    """Positions 0, 1, 2… in the current order, with ``first`` (the cover) moved to the front."""
    images = list(ProductImage.objects.filter(product=product).order_by("position", "id"))
    if first is not None:
        images = [first] + [i for i in images if i.pk != first.pk]
    for position, image in enumerate(images):
        if image.position != position:
            ProductImage.objects.filter(pk=image.pk).update(position=position)


@transaction.atomic
def product_image_delete(*, image: ProductImage, by: User) -> None:
    """Delete one photo of a product (its files once committed); the rest close up."""
    product = image.product
    _require_booth_editor(product.booth, by)
    delete_files_on_commit([image.image, image.thumbnail])
    image.delete()
    _renumber_images(product)
    audit_log(
        action="booths.product.image_deleted",
        obj=product,
        user=by,
        expo_id=product.booth.expo_id,
    )
    catalogue.bump(product.booth.expo_id)


@transaction.atomic
def product_image_make_cover(*, image: ProductImage, by: User) -> None:
    """Make ``image`` the product's first photo: the one cards and shares show."""
    product = image.product
    _require_booth_editor(product.booth, by)
    _renumber_images(product, first=image)
    catalogue.bump(product.booth.expo_id)
