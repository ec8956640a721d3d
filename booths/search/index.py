"""An expo's search documents and terms, rebuilt from its booths and products when they changed.

The index is rebuilt lazily, per expo, by the first search after a change: every search compares
the expo's catalogue :func:`fingerprint` (one query) with the one the index was built from, and
rebuilds when they differ. The fingerprint holds the catalogue version that every catalogue service
bumps (booths.catalogue: texts, vendors' names, photos), and the count and latest change of the
expo's booths and products, so rows written past the services (the admin, a data import) are seen
too. A rebuild reads the booths and products in two queries and writes the documents in a handful
of statements; rebuilds of one expo take turns (:meth:`Engine.lock`), and a second one that finds
the work done stops there.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Count, Max, OuterRef, Subquery
from django.utils import timezone, translation

from booths import catalogue
from booths.models import Booth, Product, SearchDocument, SearchIndexState, SearchTerm
from booths.search.engines import engine
from booths.search.text import normalise, vocabulary
from expo.models import Expo


def fingerprint(expo_id: int) -> tuple[str, str | None]:
    """The expo's catalogue as it is now, and as its index was built (None: never), in one query."""
    booths = Booth.objects.filter(expo=OuterRef("pk")).order_by().values("expo")
    products = Product.objects.filter(booth__expo=OuterRef("pk")).order_by().values("booth__expo")
    row = (
        Expo.objects.filter(pk=expo_id)
        .annotate(
            booth_count=Subquery(booths.annotate(n=Count("pk")).values("n")),
            booth_changed=Subquery(booths.annotate(t=Max("updated_at")).values("t")),
            product_count=Subquery(products.annotate(n=Count("pk")).values("n")),
            product_changed=Subquery(products.annotate(t=Max("updated_at")).values("t")),
            built=Subquery(
                SearchIndexState.objects.filter(expo=OuterRef("pk")).values("fingerprint")
            ),
        )
        .values_list("booth_count", "booth_changed", "product_count", "product_changed", "built")
        .first()
    )
    if row is None:
        return "", None
    *parts, built = row
    now = ":".join(str(part or 0) for part in [catalogue.version(expo_id), *parts])
    return now, built


def ensure_fresh(expo_id: int) -> None:
    """Rebuild the expo's index when its catalogue changed since it was built."""
    now, built = fingerprint(expo_id)
    if now and now != built:
        rebuild(expo_id, now)


@transaction.atomic
def rebuild(expo_id: int, stamp: str) -> None:
    """Write the expo's documents and terms anew and fill the engine's index; ``stamp`` is the
    fingerprint they are built from."""
    search_engine = engine()
    search_engine.lock(expo_id)
    built = SearchIndexState.objects.filter(expo_id=expo_id).values_list("fingerprint", flat=True)
    if list(built) == [stamp]:
        return  # another request did it while this one waited
    documents = _documents(expo_id)
    search_engine.clear(expo_id)
    SearchDocument.objects.filter(expo_id=expo_id).delete()
    SearchTerm.objects.filter(expo_id=expo_id).delete()
    terms = vocabulary(text for d in documents for text in d[3:])
    # Plain statements: Django's bulk_create spends most of a rebuild preparing fields that
    # need nothing (a catalogue of 3,000 products is written in a fraction of the time).
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO booths_searchdocument (expo_id, booth_id, product_id, name, tagline, body)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            documents,
        )
        cursor.executemany(
            "INSERT INTO booths_searchterm (expo_id, term) VALUES (%s, %s)",
            [(expo_id, term) for term in sorted(terms)],
        )
    search_engine.fill(expo_id)
    SearchIndexState.objects.update_or_create(
        expo_id=expo_id, defaults={"fingerprint": stamp, "built_at": timezone.now()}
    )


def _join(*texts: str | None) -> str:
    return normalise(" ".join(t for t in texts if t))


def _category_words() -> dict[str, str]:
    """Each product category's name in both languages (a search for "snacks" or "minuman")."""
    names: dict[str, list[str]] = {}
    for language in ("en", "id"):
        with translation.override(language):
            for value, label in Product.Category.choices:
                names.setdefault(value, []).append(str(label))
    return {value: " ".join(labels) for value, labels in names.items()}


Document = tuple[int, int, int | None, str, str, str]  # expo, booth, product, name, tagline, body


def _documents(expo_id: int) -> list[Document]:
    """A document per booth (its vendor's name; taglines; descriptions, story, sector and
    regency) and per product (names; its vendor's name; descriptions and category)."""
    documents = [
        (
            expo_id,
            b["pk"],
            None,
            _join(b["vendor__name"]),
            _join(b["tagline_en"], b["tagline_id"]),
            _join(
                b["description_en"],
                b["description_id"],
                b["vendor__story"],
                b["vendor__sector__name_en"],
                b["vendor__sector__name_id"],
                b["vendor__region__name"],
            ),
        )
        for b in Booth.objects.filter(expo_id=expo_id).values(
            "pk",
            "tagline_en",
            "tagline_id",
            "description_en",
            "description_id",
            "vendor__name",
            "vendor__story",
            "vendor__sector__name_en",
            "vendor__sector__name_id",
            "vendor__region__name",
        )
    ]
    categories = _category_words()
    documents += [
        (
            expo_id,
            p["booth_id"],
            p["pk"],
            _join(p["name_en"], p["name_id"]),
            _join(p["booth__vendor__name"]),
            _join(p["description_en"], p["description_id"], categories.get(p["category"])),
        )
        for p in Product.objects.filter(booth__expo_id=expo_id).values(
            "pk",
            "booth_id",
            "name_en",
            "name_id",
            "description_en",
            "description_id",
            "category",
            "booth__vendor__name",
        )
    ]
    return documents
