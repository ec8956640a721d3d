"""The database's own full-text search behind one interface: PostgreSQL's (``tsvector`` with the
``simple`` configuration, since the texts are in two languages, ranked by ``ts_rank``; ``pg_trgm``
for typos) and SQLite's FTS5 (ranked by ``bm25``; a trigram FTS5 table for typos). Both rank a
match in a name above one in a tagline above one in a body, and return the same rows.

Each engine answers three things: fill its index from an expo's documents and terms (and clear
it before they go), the catalogue's words near and beyond some typed words (:meth:`candidates`),
and the documents matching a query with their scores (:meth:`score`), each in one query.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F

from booths.models import SearchDocument
from booths.search.text import Concept

CANDIDATES_PER_WORD = 40
# Name, tagline, body: PostgreSQL's weights A, B, C, which ts_rank counts 1.0, 0.4 and 0.2.
PG_WEIGHTS = [0.1, 0.2, 0.4, 1.0]  # D, C, B, A
LOCK_NAMESPACE = 7315  # pg_advisory_xact_lock(namespace, expo id): one rebuild of an expo at a time


class Row(NamedTuple):
    """A matching document: its booth, its product (None for the booth's own texts), its score
    (higher is better) and the product's price, pre-order flag and whether it is on sale."""

    booth_id: int
    product_id: int | None
    score: float
    price: int | None
    is_preorder: bool | None
    is_active: bool | None


class Engine(Protocol):
    def lock(self, expo_id: int) -> None: ...
    def clear(self, expo_id: int) -> None: ...
    def fill(self, expo_id: int) -> None: ...
    def candidates(self, expo_id: int, words: Sequence[str]) -> dict[str, list[str]]: ...
    def score(self, expo_id: int, concepts: Sequence[Concept], limit: int) -> list[Row]: ...


def engine() -> Engine:
    """The engine of the default database."""
    return PostgresEngine() if connection.vendor == "postgresql" else SQLiteEngine()


def _trigrams(word: str) -> list[str]:
    return sorted({word[i : i + 3] for i in range(len(word) - 2)})


# The SQL of the SQLite engine, written out whole (the FTS5 tables are not models).
_SQLITE_CLEAR = [
    "DELETE FROM booths_search_fts WHERE rowid IN "
    "(SELECT id FROM booths_searchdocument WHERE expo_id = %s)",
    "DELETE FROM booths_search_terms_fts WHERE rowid IN "
    "(SELECT id FROM booths_searchterm WHERE expo_id = %s)",
]
_SQLITE_FILL = [
    "INSERT INTO booths_search_fts (rowid, name, tagline, body) "
    "SELECT id, name, tagline, body FROM booths_searchdocument WHERE expo_id = %s",
    "INSERT INTO booths_search_terms_fts (rowid, term) "
    "SELECT id, term FROM booths_searchterm WHERE expo_id = %s",
]
# One word's candidates: its own trigrams OR-ed; the word itself, then the words it begins, then
# the rest by bm25 over the trigrams.
_SQLITE_CANDIDATES = (
    "SELECT * FROM (SELECT %s AS word, t.term AS term "
    "FROM booths_search_terms_fts f JOIN booths_searchterm t ON t.id = f.rowid "
    "WHERE f.term MATCH %s AND t.expo_id = %s "
    "ORDER BY t.term = %s DESC, substr(t.term, 1, %s) = %s DESC, f.rank LIMIT %s)"
)
# bm25's column weights: name 10, tagline 4, body 2 (the ratio of PostgreSQL's A, B and C).
_SQLITE_SCORE = (
    "SELECT d.booth_id, d.product_id, -bm25(booths_search_fts, 10.0, 4.0, 2.0) AS score, "
    "p.price, p.is_preorder, p.is_active "
    "FROM booths_search_fts JOIN booths_searchdocument d ON d.id = booths_search_fts.rowid "
    "LEFT JOIN booths_product p ON p.id = d.product_id "
    "WHERE booths_search_fts MATCH %s AND d.expo_id = %s ORDER BY score DESC LIMIT %s"
)


class SQLiteEngine:
    """FTS5: ``booths_search_fts`` (name, tagline, body; rowid = the document's id) and the trigram
    table ``booths_search_terms_fts`` (term; rowid = the term's id), made by the migration."""

    def lock(self, expo_id: int) -> None:
        """Nothing to do: SQLite runs one writing transaction at a time (settings: IMMEDIATE)."""

    def clear(self, expo_id: int) -> None:
        with connection.cursor() as cursor:
            for sql in _SQLITE_CLEAR:
                cursor.execute(sql, [expo_id])

    def fill(self, expo_id: int) -> None:
        # Cleared first: after a database flush the ids start again, and an index row left from
        # before must not stand for a new document.
        self.clear(expo_id)
        with connection.cursor() as cursor:
            for sql in _SQLITE_FILL:
                cursor.execute(sql, [expo_id])

    def candidates(self, expo_id: int, words: Sequence[str]) -> dict[str, list[str]]:
        """For each word, the catalogue's words sharing most of its trigrams: the word itself and
        the words it begins first."""
        params: list = []
        for word in words:
            match = " OR ".join(f'"{t}"' for t in _trigrams(word))
            params += [word, match, expo_id, word, len(word), word, CANDIDATES_PER_WORD]
        return _grouped(" UNION ALL ".join([_SQLITE_CANDIDATES] * len(words)), params)

    def score(self, expo_id: int, concepts: Sequence[Concept], limit: int) -> list[Row]:
        with connection.cursor() as cursor:
            cursor.execute(_SQLITE_SCORE, [fts_query(concepts), expo_id, limit])
            return [
                Row(booth, product, score, price, _bool(pre), _bool(active))
                for booth, product, score, price, pre, active in cursor.fetchall()
            ]


def fts_query(concepts: Sequence[Concept]) -> str:
    """FTS5's query: ``("kopi" OR "coffee") AND ("gula aren" OR "palm sugar") AND "bat"*``.
    Words are letters and digits only (booths.search.text.words), so quoting them is enough."""

    def alternative(words: Sequence[str], prefix: bool) -> str:
        return f'"{" ".join(words)}"' + ("*" if prefix else "")

    return " AND ".join(
        "(" + " OR ".join(alternative(a.words, a.prefix) for a in c.alternatives) + ")"
        for c in concepts
    )


# One word's candidates: similar by trigrams (pg_trgm's % operator and similarity) or beginning
# with it; the word itself first, then the words it begins, then the most similar.
_PG_CANDIDATES = (
    "(SELECT %s AS word, term FROM booths_searchterm "
    "WHERE expo_id = %s AND (term %% %s OR term LIKE %s) "
    "ORDER BY term = %s DESC, term LIKE %s DESC, similarity(term, %s) DESC LIMIT %s)"
)


class PostgresEngine:
    """The vector is a column of the documents (filled here); typos by ``pg_trgm``'s similarity
    on the terms, with the GIN indexes the migration makes."""

    def lock(self, expo_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, expo_id])

    def clear(self, expo_id: int) -> None:
        """Nothing to do: the vectors go with their documents."""

    def fill(self, expo_id: int) -> None:
        SearchDocument.objects.filter(expo_id=expo_id).update(
            vector=SearchVector("name", weight="A", config="simple")
            + SearchVector("tagline", weight="B", config="simple")
            + SearchVector("body", weight="C", config="simple")
        )

    def candidates(self, expo_id: int, words: Sequence[str]) -> dict[str, list[str]]:
        """For each word, the catalogue's words most similar to it (``pg_trgm``), the word itself
        and the words it begins first."""
        params: list = []
        for word in words:
            begins = f"{word}%"
            params += [word, expo_id, word, begins, word, begins, word, CANDIDATES_PER_WORD]
        return _grouped(" UNION ALL ".join([_PG_CANDIDATES] * len(words)), params)

    def score(self, expo_id: int, concepts: Sequence[Concept], limit: int) -> list[Row]:
        query = SearchQuery(tsquery(concepts), search_type="raw", config="simple")
        rows = (
            SearchDocument.objects.filter(expo_id=expo_id, vector=query)
            .annotate(score=SearchRank(F("vector"), query, weights=PG_WEIGHTS))
            .order_by("-score")
            .values_list(
                "booth_id",
                "product_id",
                "score",
                "product__price",
                "product__is_preorder",
                "product__is_active",
            )[:limit]
        )
        return [Row(*row) for row in rows]


def tsquery(concepts: Sequence[Concept]) -> str:
    """PostgreSQL's raw query: ``(kopi | coffee) & (gula <-> aren | palm <-> sugar) & bat:*``."""

    def alternative(words: Sequence[str], prefix: bool) -> str:
        return " <-> ".join(words) + (":*" if prefix else "")

    return " & ".join(
        "(" + " | ".join(alternative(a.words, a.prefix) for a in c.alternatives) + ")"
        for c in concepts
    )


def _grouped(sql: str, params: list) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    if not sql:
        return found
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for word, term in cursor.fetchall():
            found.setdefault(word, []).append(term)
    return found


def _bool(value: object) -> bool | None:
    return None if value is None else bool(value)
