"""Page visits written with their rollups (``booths.visit_rollups``) in one transaction, and the
rollups rebuilt from the visits on demand.

:func:`visits_write` is what the background flush of :mod:`booths.visits` calls. Each visit row is
inserted with ``INSERT … ON CONFLICT DO NOTHING RETURNING``: only the rows really inserted come
back, and only they are counted, so a visit that two processes buffered, or that a process flushes
twice, counts once. The new visits' (booth, visitor) pairs go the same way into the first-seen
table of each booth, and the pairs really new there into the expo's; a counter is bumped only for
a row inserted there (``INSERT … ON CONFLICT (key) DO UPDATE SET n = n + excluded.n``, so two
flushes at the same moment both land: the second waits on the first's row, then adds to what the
first committed). Rows are sent sorted and the tables are written in one fixed order, so two
flushes take their locks in the same order.

A visitor first seen at a booth through one of its product pages is a visitor of the booth (the
conversion's rule, :mod:`expo.reports.figures.conversion`), and so is a buyer with an account,
under the key its visits would carry: the ledger's writer adds it with :func:`reach_add` in the
sale's transaction. The expo's visitors are everyone seen at any of its booths. The counts
therefore equal, at any moment, a ``COUNT(DISTINCT …)`` over the visit tables and the pairs of the
registered reach sources (the buyers with an account), which :func:`visit_rollups_rebuild`
recomputes from them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from django.apps import apps as global_apps
from django.db import connection, transaction

from booths.models import (
    Booth,
    BoothReach,
    BoothVisit,
    BoothVisitDay,
    BoothVisitor,
    ExpoReach,
    ExpoVisitor,
    Product,
    ProductVisit,
)

# A buffered page visit: ("booth" or "product", the object's id, the day, the visitor key).
Visit = tuple[str, int, date, str]
ROWS_PER_STATEMENT = 1000


def visits_write(*, visits: Iterable[Visit]) -> int:
    """Insert the visits that are not recorded yet and add them to the rollups, in one
    transaction; returns how many visit rows were new. Visits of pages gone since (a booth or
    product deleted) are dropped."""
    visits = list(visits)
    if not visits:
        return 0
    day = connection.ops.adapt_datefield_value
    product_booth = dict(
        Product.objects.filter(pk__in={i for kind, i, _d, _v in visits if kind == "product"})
        .order_by()
        .values_list("pk", "booth_id")
    )
    booth_ids = {i for kind, i, _d, _v in visits if kind == "booth"} | set(product_booth.values())
    expo_of = dict(Booth.objects.filter(pk__in=booth_ids).order_by().values_list("pk", "expo_id"))
    booth_rows = sorted(
        {(i, day(d), v) for kind, i, d, v in visits if kind == "booth" and i in expo_of}
    )
    product_rows = sorted(
        {
            (i, day(d), v)
            for kind, i, d, v in visits
            if kind == "product" and product_booth.get(i) in expo_of
        }
    )
    with transaction.atomic():
        new_booth = _insert_new(BoothVisit, ("booth_id", "day", "visitor"), booth_rows)
        new_product = _insert_new(ProductVisit, ("product_id", "day", "visitor"), product_rows)
        days = Counter((expo_of[b], b, d) for b, d, _v in new_booth)
        _add(BoothVisitDay, ("expo_id", "booth_id", "day"), ("booth_id", "day"), "visits", days)
        pairs = {(expo_of[b], b, v) for b, _d, v in new_booth}
        pairs |= {(expo_of[product_booth[p]], product_booth[p], v) for p, _d, v in new_product}
        _reach(pairs)
    return len(new_booth) + len(new_product)


def reach_add(*, expo_id: int, booth_ids: Iterable[int], visitor: str) -> None:
    """Count ``visitor`` (a visitor key, :func:`booths.visits.account_key` for an account) among
    the visitors of these booths of the expo, and of the expo, where it is new: someone who
    reached them otherwise than by their pages (a buyer with an account: the ledger's writer calls
    this in the sale's transaction). Higher apps that call it register a :data:`ReachSource` for
    the rebuild."""
    _reach({(expo_id, booth_id, visitor) for booth_id in booth_ids})


def _reach(pairs: set[tuple[int, int, str]]) -> None:
    """(expo, booth, visitor) pairs into the first-seen tables; counters for the new ones."""
    new_pairs = _insert_new(BoothVisitor, ("expo_id", "booth_id", "visitor"), sorted(pairs))
    reach = Counter((e, b) for e, b, _v in new_pairs)
    _add(BoothReach, ("expo_id", "booth_id"), ("booth_id",), "visitors", reach)
    # Someone seen before at a booth of the expo was seen at the expo: only new pairs ask.
    people = sorted({(e, v) for e, _b, v in new_pairs})
    new_people = _insert_new(ExpoVisitor, ("expo_id", "visitor"), people)
    expo_reach = Counter((e,) for e, _v in new_people)
    _add(ExpoReach, ("expo_id",), ("expo_id",), "visitors", expo_reach)


# Who else reached which booths, for the rebuild: (expo ids or None for all, an app registry) ->
# (expo, booth, visitor key) pairs. Registered by the higher apps that call reach_add.
ReachSource = Callable[[Sequence[int] | None, Any], Iterable[tuple[int, int, str]]]
_reach_sources: dict[str, ReachSource] = {}


def register_reach_source(name: str, source: ReachSource) -> None:
    _reach_sources[name] = source


def _chunks(rows: Sequence[Any], columns: int) -> Iterable[Sequence[Any]]:
    limit = connection.features.max_query_params or ROWS_PER_STATEMENT * columns
    size = max(1, min(ROWS_PER_STATEMENT, limit // columns))
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _insert_new(model: Any, columns: tuple[str, ...], rows: Sequence[tuple]) -> list[tuple]:
    """Insert ``rows`` (sorted) where they are not yet; the rows really inserted."""
    table = connection.ops.quote_name(model._meta.db_table)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    names = ", ".join(columns)
    inserted: list[tuple] = []
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, len(columns)):
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(chunk))} "  # noqa: S608
                f"ON CONFLICT DO NOTHING RETURNING {names}",
                [value for row in chunk for value in row],
            )
            inserted.extend(tuple(row) for row in cursor.fetchall())
    return inserted


def _add(
    model: Any, columns: tuple[str, ...], key: tuple[str, ...], counter: str, rows: Counter
) -> None:
    """Add each row's count to its key's counter (keys in order)."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    one = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
    ordered = sorted(rows.items())
    with connection.cursor() as cursor:
        for chunk in _chunks(ordered, len(columns) + 1):
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}, {counter}) "  # noqa: S608
                f"VALUES {', '.join([one] * len(chunk))} ON CONFLICT ({', '.join(key)}) "
                f"DO UPDATE SET {counter} = {table}.{counter} + excluded.{counter}",
                [value for row_key, n in chunk for value in (*row_key, n)],
            )


# --- Rebuild ------------------------------------------------------------------------------------

ROLLUPS = ("ExpoReach", "ExpoVisitor", "BoothReach", "BoothVisitor", "BoothVisitDay")


def visit_rollups_rebuild(
    *, expo_ids: Sequence[int] | None = None, apps: Any = None, sources: bool = True
) -> int:
    """Recompute the visit rollups of ``expo_ids`` (every expo when None) from the visit rows
    and the registered reach sources (``sources=False``: the visits alone) and return how many
    visit rows they cover. Flushes wait while it runs (on PostgreSQL the visit tables are locked
    against inserts), so nothing is written between the reading and the replacing. ``apps``: a
    migration's app registry (the current models when None)."""
    apps = apps or global_apps
    model = {
        name: apps.get_model("booths", name)
        for name in ("Booth", "BoothVisit", "Product", "ProductVisit", *ROLLUPS)
    }
    t = {name: connection.ops.quote_name(m._meta.db_table) for name, m in model.items()}
    if expo_ids is None:
        where, params = "", []
    else:
        if not expo_ids:
            return 0
        where = f"WHERE b.expo_id IN ({', '.join(['%s'] * len(expo_ids))})"
        params = list(expo_ids)
    statements = _rebuild_statements(t, where, params)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The flush's order: booth visits, then product visits.
            cursor.execute(f"LOCK TABLE {t['BoothVisit']}, {t['ProductVisit']} IN SHARE MODE")
        for name in ROLLUPS:
            # Rollups may be deleted: they are derived, the visits stay as they are.
            rows = model[name]._base_manager.all()
            if expo_ids is not None:
                rows = rows.filter(expo_id__in=list(expo_ids))
            rows.delete()
        for n, (sql, values) in enumerate(statements):
            if n == 2 and sources:  # the pairs known otherwise, before the counting
                pairs = {p for source in _reach_sources.values() for p in source(expo_ids, apps)}
                _insert_new(
                    model["BoothVisitor"], ("expo_id", "booth_id", "visitor"), sorted(pairs)
                )
            cursor.execute(sql, values)
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {t['BoothVisit']} v JOIN {t['Booth']} b "  # noqa: S608
            f"ON b.id = v.booth_id {where}) + (SELECT COUNT(*) FROM {t['ProductVisit']} v "
            f"JOIN {t['Product']} p ON p.id = v.product_id JOIN {t['Booth']} b "
            f"ON b.id = p.booth_id {where})",
            params * 2,
        )
        (covered,) = cursor.fetchone()
    return covered or 0


def _rebuild_statements(
    t: dict[str, str], where: str, params: list[int]
) -> list[tuple[str, list[int]]]:
    """The rebuild's inserts, in order: visits per booth and day, the booths' first-seen
    visitors and their counts, the expos' first-seen visitors and their counts."""
    on_expo = where.replace("b.expo_id", "expo_id")
    # Table names come from the models, values only as parameters.
    return [
        # Visits per booth and day: the booth pages' rows.
        (
            f"INSERT INTO {t['BoothVisitDay']} (expo_id, booth_id, day, visits) "  # noqa: S608
            f"SELECT b.expo_id, v.booth_id, v.day, COUNT(*) FROM {t['BoothVisit']} v "
            f"JOIN {t['Booth']} b ON b.id = v.booth_id {where} "
            "GROUP BY b.expo_id, v.booth_id, v.day",
            params,
        ),
        # Each booth's visitors: of its page and of its products' pages, each once.
        (
            f"INSERT INTO {t['BoothVisitor']} (expo_id, booth_id, visitor) "  # noqa: S608
            f"SELECT b.expo_id, v.booth_id, v.visitor FROM {t['BoothVisit']} v "
            f"JOIN {t['Booth']} b ON b.id = v.booth_id {where} UNION "
            f"SELECT b.expo_id, p.booth_id, v.visitor FROM {t['ProductVisit']} v "
            f"JOIN {t['Product']} p ON p.id = v.product_id "
            f"JOIN {t['Booth']} b ON b.id = p.booth_id {where}",
            params * 2,
        ),
        (
            f"INSERT INTO {t['BoothReach']} (expo_id, booth_id, visitors) "  # noqa: S608
            f"SELECT expo_id, booth_id, COUNT(*) FROM {t['BoothVisitor']} {on_expo} "
            "GROUP BY expo_id, booth_id",
            params,
        ),
        (
            f"INSERT INTO {t['ExpoVisitor']} (expo_id, visitor) "  # noqa: S608
            f"SELECT DISTINCT expo_id, visitor FROM {t['BoothVisitor']} {on_expo}",
            params,
        ),
        (
            f"INSERT INTO {t['ExpoReach']} (expo_id, visitors) "  # noqa: S608
            f"SELECT expo_id, COUNT(*) FROM {t['ExpoVisitor']} {on_expo} GROUP BY expo_id",
            params,
        ),
    ]
