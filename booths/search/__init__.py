"""The hall's search: products and booths found by relevance, in either language, typos forgiven.

:func:`find` is the one entry point (booths.selectors.hall calls it): it makes sure the expo's
index is current (:mod:`~booths.search.index`), turns the query into concepts with the office's
synonyms and the catalogue's words (:mod:`~booths.search.text`), and asks the database's engine
(:mod:`~booths.search.engines`: PostgreSQL full-text search with ``pg_trgm``, or SQLite FTS5) for
the matching documents and their scores. A fixed number of queries whatever the catalogue's size:
the fingerprint, the synonyms, the catalogue's words near the typed ones, the scores.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from booths.models import SearchSynonym
from booths.search import index, text
from booths.search.engines import engine

# The best documents a search considers: every booth and product of a large expo, and a bound
# for one that is larger still.
MAX_DOCUMENTS = 5000
# A booth ranks by its own texts, its best product and a little for each further product.
FURTHER_PRODUCTS_WEIGHT = 0.1


@dataclass(frozen=True)
class ProductHit:
    """A product that matched, with its score and what the hall's filters ask of products."""

    product_id: int
    booth_id: int
    score: float
    price: int
    is_preorder: bool
    is_active: bool


@dataclass(frozen=True)
class Match:
    """What a query matched in an expo: booths by their own texts, products best first, and the
    words put right (typed, meant)."""

    booths: Mapping[int, float] = field(default_factory=dict)
    products: tuple[ProductHit, ...] = ()
    corrections: tuple[tuple[str, str], ...] = ()

    def booth_relevance(self, products: tuple[ProductHit, ...] | None = None) -> dict[int, float]:
        """Each matched booth's relevance: its own score, its best product's and a tenth of each
        further product's. ``products``: only these count (those the filters let through)."""
        best: dict[int, float] = {}
        rest: dict[int, float] = {}
        for hit in self.products if products is None else products:
            if hit.booth_id in best:
                rest[hit.booth_id] = rest.get(hit.booth_id, 0.0) + hit.score
            else:
                best[hit.booth_id] = hit.score  # products come best first
        return {
            booth_id: self.booths.get(booth_id, 0.0)
            + best.get(booth_id, 0.0)
            + FURTHER_PRODUCTS_WEIGHT * rest.get(booth_id, 0.0)
            for booth_id in {*self.booths, *best}
        }


def synonyms() -> text.Synonyms:
    return text.Synonyms.of(SearchSynonym.objects.values_list("phrases", flat=True))


def find(*, expo_id: int, query: str) -> Match:
    """What ``query`` matches among the expo's booths and products (active or not: the caller
    filters), scored so that a match in a name counts over one in a description."""
    index.ensure_fresh(expo_id)
    known = synonyms()
    concepts = text.concepts(query, known)
    words = text.lookups(concepts)
    search_engine = engine()
    candidates = search_engine.candidates(expo_id, words) if words else {}
    concepts = text.settle(concepts, candidates, known)
    if text.is_empty(concepts):
        return Match()
    booths: dict[int, float] = {}
    products: dict[int, ProductHit] = {}
    for row in search_engine.score(expo_id, concepts, MAX_DOCUMENTS):
        if row.product_id is None:
            booths[row.booth_id] = max(booths.get(row.booth_id, 0.0), float(row.score))
        elif row.product_id not in products and row.price is not None:
            products[row.product_id] = ProductHit(
                row.product_id,
                row.booth_id,
                float(row.score),
                row.price,
                bool(row.is_preorder),
                bool(row.is_active),
            )
    return Match(
        booths=booths,
        products=tuple(products.values()),
        corrections=tuple((c.word, c.corrected) for c in concepts if c.corrected),
    )
