"""The catalogue (``expo.demo.catalogue``) loaded into an expo: vendors with their logos, the
curators' approved applications with their documents, booths with covers, products with photos,
and the applications still waiting for review.

Rows are written directly (this is trusted data) with bulk inserts, but keep what the services keep:
one approved application per booth, unique slugs, pre-order products with a lead time and quota,
halal booths from halal applications, and the hall's aggregates recomputed through
``booths.services.booth_refresh_aggregates``. Everything is keyed by slug, so a second run creates
nothing and only checks.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.text import slugify

from booths import catalogue
from booths.models import (
    ApplicationPhoto,
    Booth,
    BoothApplication,
    Product,
    ProductImage,
    Vendor,
)
from booths.services import booth_refresh_aggregates
from expo.demo.catalogue import MAKERS, Applicant, Maker
from expo.demo.images import PRODUCT_SIDE, Picture, Pictures, initials, stable_seed
from expo.models import Expo, Region, Sector, User


def planned_slugs(maker: Maker) -> list[tuple[str, Any, Any]]:
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
    rng = random.Random(stable_seed(maker.name, slug))
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
    return f"9120{stable_seed('nib', name) % 10**9:09d}"


def _whatsapp(name: str) -> str:
    return f"+6281{stable_seed('wa', name) % 10**9:09d}"


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
            [Picture(v.name, v.sector.slug, stable_seed("logo", v.slug)) for v in no_logo]
        )
        for vendor, name in zip(no_logo, names, strict=True):
            vendor.logo = name
    Vendor.objects.bulk_create(new, batch_size=500)
    stale = [v for v in no_logo if v.pk and v not in new]
    if stale:
        Vendor.objects.bulk_update(stale, ["logo"])
    counts.vendors += len(new)
    return {m.name: found[slug_of[m.name]] for m in makers}


def _attach_permits(
    application: BoothApplication, spec: Maker | Applicant, *, pictures: Pictures, key: str
) -> None:
    """The food permit (P-IRT or BPOM) and the halal certificate, with their documents, where the
    maker has them."""
    vendor = application.vendor
    region = str(vendor.region)
    if spec.permit:
        number = (
            f"P-IRT {stable_seed('pirt', vendor.name) % 10**15:015d}"
            if spec.permit == "pirt"
            else f"BPOM MD {stable_seed('bpom', vendor.name) % 10**12:012d}"
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
        number = f"ID33{stable_seed('halal', vendor.name) % 10**10:010d}"
        application.halal_number = number
        application.halal_document = pictures.document(
            "halal_document",
            _document_lines("SERTIFIKAT HALAL", vendor.name, vendor.owner_name, number, region),
            key=f"halal-{key}",
        )


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
    """An application of ``vendor`` to ``expo`` with its NIB document (not saved)."""
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
    _attach_permits(application, spec, pictures=pictures, key=key)
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
    region_by_code = {r.code: r for r in Region.objects.all()}
    vendors = _vendors(
        makers,
        region_by_code=region_by_code,
        sector_by_slug={s.slug: s for s in Sector.objects.all()},
        pictures=pictures,
        counts=counts,
    )
    applications = _approved_applications(
        expo, makers, vendors, organiser=organiser, pictures=pictures, counts=counts
    )
    by_maker, new_booths = _booths(
        expo, makers, vendors, applications, pictures=pictures, counts=counts
    )
    new_products = _products(makers, by_maker, region_by_code, counts=counts)
    _product_photos(makers, by_maker, pictures=pictures, counts=counts)
    if new_products or new_booths:
        booth_refresh_aggregates([b.pk for b in by_maker.values()])
    catalogue.bump(expo.pk)
    counts.pictures_drawn = pictures.drawn
    return by_maker


def _approved_applications(
    expo: Expo,
    makers: Sequence[Maker],
    vendors: dict[str, Vendor],
    *,
    organiser: User | None,
    pictures: Pictures,
    counts: Counts,
) -> dict[int, BoothApplication]:
    """The curators' record of each booth: an approved application per vendor, by vendor id."""
    now = timezone.now()
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
    return applications


def _booths(
    expo: Expo,
    makers: Sequence[Maker],
    vendors: dict[str, Vendor],
    applications: dict[int, BoothApplication],
    *,
    pictures: Pictures,
    counts: Counts,
) -> tuple[dict[str, Booth], list[Booth]]:
    """The booth of each maker (by maker name), each with a cover; and the booths made now."""
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
            [
                (Picture(m.name, m.sector, stable_seed("cover", m.name)), m.tagline_id)
                for m, _ in no_cover
            ]
        )
        for (_, booth), name in zip(no_cover, names, strict=True):
            booth.cover_image = name
    Booth.objects.bulk_create(new_booths, batch_size=500)
    stale = [b for _, b in no_cover if b not in new_booths]
    if stale:
        Booth.objects.bulk_update(stale, ["cover_image"])
    counts.booths += len(new_booths)
    return by_maker, new_booths


def _products(
    makers: Sequence[Maker],
    by_maker: dict[str, Booth],
    region_by_code: dict[str, Region],
    *,
    counts: Counts,
) -> int:
    """The catalogue's products missing from each booth (the first and the dearest featured);
    returns how many were made."""
    existing = set(
        Product.objects.filter(booth__in=by_maker.values()).values_list("booth_id", "slug")
    )
    new_products: list[Product] = []
    for maker in makers:
        booth = by_maker[maker.name]
        region = region_by_code[maker.region]
        planned = planned_slugs(maker)
        top = max(range(len(planned)), key=lambda i: planned[i][2].price)
        for index, (slug, line, item) in enumerate(planned):
            if (booth.pk, slug) in existing:
                continue
            new_products.append(
                _product(booth, maker, region, slug, line, item, featured=index in (0, top))
            )
    Product.objects.bulk_create(new_products, batch_size=500)
    counts.products += len(new_products)
    return len(new_products)


def _product_photos(
    makers: Sequence[Maker], by_maker: dict[str, Booth], *, pictures: Pictures, counts: Counts
) -> None:
    """A photo for every product that has none."""
    sector_of_booth = {by_maker[m.name].pk: m.sector for m in makers}
    bare = list(
        Product.objects.filter(booth__in=by_maker.values(), images__isnull=True).only(
            "pk", "booth_id", "slug", "name_id", "name_en"
        )
    )
    if not bare:
        return
    names = pictures.products(
        [
            Picture(
                p.name_id,
                sector_of_booth[p.booth_id],
                stable_seed("product", str(p.booth_id), p.slug),
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
                Picture(
                    f"{vendor.name} — foto {n}",
                    spec.sector,
                    stable_seed("photo", spec.name, str(n)),
                )
                for n in range(1, 4)
            ]
        )
        ApplicationPhoto.objects.bulk_create(
            ApplicationPhoto(application=application, image=name, position=i)
            for i, name in enumerate(photos)
        )
        counts.applications += 1


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
