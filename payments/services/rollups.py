"""The omzet rollups (``payments.models.rollups``), added to in the same transaction as each
ledger write and rebuilt from the ledger on demand.

Concurrency: every counter is added with one ``INSERT … ON CONFLICT (key) DO UPDATE SET x = x +
excluded.x`` statement (PostgreSQL and SQLite), so two checkouts paid at the same moment both
land: the second waits on the first's row lock, then adds to what the first committed. Keys are
sent sorted and the tables are written in one fixed order, so two writers take their row locks in
the same order. A buyer is counted with ``INSERT … ON CONFLICT DO NOTHING RETURNING`` into the
first-seen table: only the transaction that really inserted the row bumps the counter.

An order's orders-count (``orders``) goes where its first sale entry falls: the caller tells
:func:`omzet_add` which booths of the order had sale entries before this write (the order is
locked while its ledger is written, so that answer stays true until the commit).
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.apps import apps as global_apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Min, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncHour
from django.utils import timezone

from booths.services.visit_rollups import reach_add
from booths.visits import account_key
from payments.models import (
    OmzetBuyer,
    OmzetBuyerCount,
    OmzetByBooth,
    OmzetByHour,
    OmzetByOrigin,
    Order,
    SalesLedgerEntry,
)
from payments.models.rollups import NO_ATTRIBUTION

HOME_COUNTRY = "ID"
JAKARTA = zoneinfo.ZoneInfo(settings.TIME_ZONE)
SALE = SalesLedgerEntry.Kind.SALE
MONEY = ("sales", "refunds", "orders", "quantity")
# Who bought, as one text (the dashboard's rule): the account, else the lower-cased e-mail.
PERSON = "CASE WHEN o.buyer_id IS NULL THEN 'e:' || lower(o.email) ELSE 'u:' || o.buyer_id END"


def hour_of(moment: datetime) -> datetime:
    """The start of ``moment``'s hour in Asia/Jakarta (the charts' hours)."""
    return timezone.localtime(moment, JAKARTA).replace(minute=0, second=0, microsecond=0)


def omzet_add(*, order: Order, entries: Sequence[SalesLedgerEntry], sold_before: set[int]) -> None:
    """Add ``entries`` (just written for ``order``) to the rollups. ``sold_before``: the booths
    at which this order already had a sale entry before these (empty for a new sale)."""
    if not entries:
        return
    booths: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    origins: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    hours: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    counted = set(sold_before)
    order_counted = bool(sold_before)
    sold_at: set[int] = set()
    for entry in entries:
        sale = entry.kind == SALE
        money = [entry.amount if sale else 0, 0 if sale else entry.amount, 0, entry.quantity]
        booth_key = (
            entry.expo_id,
            entry.booth_id,
            entry.vendor_id,
            entry.region_id,
            entry.sector_id,
            entry.size_class,
            entry.channel,
        )
        origin_key = (
            entry.expo_id,
            entry.channel,
            entry.attribution_id or NO_ATTRIBUTION,
            entry.attribution_label,
            entry.buyer_country,
        )
        hour_key = (entry.expo_id, entry.channel, hour_of(entry.occurred_at))
        _add_to(booths[booth_key], money, first=sale and entry.booth_id not in counted)
        _add_to(origins[origin_key], money, first=sale and not order_counted)
        _add_to(hours[hour_key], money, first=sale and not order_counted)
        if sale:
            counted.add(entry.booth_id)
            sold_at.add(entry.booth_id)
            order_counted = True
    _upsert(OmzetByOrigin, origins)
    _upsert(OmzetByHour, hours)
    _upsert(OmzetByBooth, booths)
    if sold_at:
        _add_buyer(order, country=entries[0].buyer_country, booths=sold_at)


def _add_to(counters: list[int], money: list[int], *, first: bool) -> None:
    for i, value in enumerate(money):
        counters[i] += value
    if first:
        counters[2] += 1


def _upsert(model: Any, rows: dict[tuple, list[int]]) -> None:
    """Add each row's counters to its key's row (one statement, keys in order)."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    key = model.KEY
    columns = (*key, *MONEY)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    adds = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in MONEY)
    params: list[Any] = []
    for row_key in sorted(rows):
        params.extend(_db_value(v) for v in row_key)
        params.extend(rows[row_key])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * len(rows))} "  # noqa: S608
            f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {adds}",
            params,
        )


def _db_value(value: Any) -> Any:
    # A raw statement gets what the ORM would store (SQLite keeps UTC without an offset).
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _scopes(country: str, booths: Iterable[int]) -> list[tuple[str, int | None]]:
    scopes: list[tuple[str, int | None]] = [("expo", None), (f"country:{country}", None)]
    if country != HOME_COUNTRY:
        scopes.append(("abroad", None))
    scopes.extend((f"booth:{booth}", booth) for booth in sorted(booths))
    return sorted(scopes, key=lambda s: s[0])


def _add_buyer(order: Order, *, country: str, booths: set[int]) -> None:
    """Record the order's buyer in every scope it bought in; count it where it is new."""
    scopes = _scopes(country, booths)
    seen = connection.ops.quote_name(OmzetBuyer._meta.db_table)
    counts = connection.ops.quote_name(OmzetBuyerCount._meta.db_table)
    orders = connection.ops.quote_name(Order._meta.db_table)
    one = "SELECT CAST(%s AS VARCHAR(40)) AS scope, CAST(%s AS BIGINT) AS booth_id"
    params: list[Any] = [value for scope in scopes for value in scope]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {seen} (expo_id, scope, person, booth_id, account_id) "  # noqa: S608
            f"SELECT o.expo_id, s.scope, {PERSON}, s.booth_id, o.buyer_id FROM {orders} o "
            f"CROSS JOIN ({' UNION ALL '.join([one] * len(scopes))}) s WHERE o.id = %s "
            "ON CONFLICT (expo_id, scope, person) DO NOTHING RETURNING scope, booth_id, person",
            [*params, order.pk],
        )
        new = sorted(cursor.fetchall(), key=lambda row: row[0])
        if not new:
            return
        if order.buyer_id is not None:
            # A buyer reached the booth: counted among its visitors under the key its visits
            # carry (the conversion's rule), once, in this transaction.
            reached = [booth_id for _scope, booth_id, _person in new if booth_id is not None]
            if reached:
                reach_add(
                    expo_id=order.expo_id, booth_ids=reached, visitor=account_key(order.buyer_id)
                )
        one = "(%s, %s, %s, 1, %s)"
        cursor.execute(
            f"INSERT INTO {counts} (expo_id, scope, booth_id, buyers, guests) "  # noqa: S608
            f"VALUES {', '.join([one] * len(new))} ON CONFLICT (expo_id, scope) DO UPDATE SET "
            f"buyers = {counts}.buyers + excluded.buyers, "
            f"guests = {counts}.guests + excluded.guests",
            [
                value
                for scope, booth_id, person in new
                for value in (order.expo_id, scope, booth_id, int(person.startswith("e:")))
            ],
        )


def buyers_reached(expo_ids: Sequence[int] | None, apps: Any = None) -> list[tuple[int, int, str]]:
    """(expo, booth, visitor key) of every buyer with an account at each booth it bought from,
    for the rebuild of the booths' visit rollups (a reach source, registered by the app)."""
    buyers = (
        (apps or global_apps)
        .get_model("payments", "OmzetBuyer")
        ._base_manager.filter(booth__isnull=False, account_id__isnull=False)
    )
    if expo_ids is not None:
        buyers = buyers.filter(expo_id__in=list(expo_ids))
    return [
        (expo_id, booth_id, account_key(account_id))
        for expo_id, booth_id, account_id in buyers.values_list("expo_id", "booth_id", "account_id")
    ]


# --- Rebuild ------------------------------------------------------------------------------------


def omzet_rebuild(*, expo_ids: Sequence[int] | None = None, apps: Any = None) -> int:
    """Recompute the rollups of ``expo_ids`` (every expo when None) from the ledger alone and
    return how many ledger entries they cover. Writers wait while it runs (on PostgreSQL the
    ledger is locked against inserts), so nothing is written between the reading and the
    replacing. ``apps``: a migration's app registry (the current models when None)."""
    apps = apps or global_apps
    model = {
        name: apps.get_model("payments", name)
        for name in (
            "SalesLedgerEntry",
            "OmzetByBooth",
            "OmzetByOrigin",
            "OmzetByHour",
            "OmzetBuyer",
            "OmzetBuyerCount",
        )
    }
    ledger = model["SalesLedgerEntry"]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            table = connection.ops.quote_name(ledger._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {table} IN SHARE MODE")
        scope = Q() if expo_ids is None else Q(expo_id__in=list(expo_ids))
        for name in (
            "OmzetBuyerCount",
            "OmzetBuyer",
            "OmzetByHour",
            "OmzetByOrigin",
            "OmzetByBooth",
        ):
            # Rollups may be deleted: they are derived, the ledger stays as it is.
            model[name]._base_manager.filter(scope).delete()
        entries = ledger._base_manager.filter(scope).order_by()
        _rebuild_money(entries, ledger, model)
        _rebuild_buyers(expo_ids, ledger, model)
        return entries.count()


def _rebuild_money(entries: Any, ledger: Any, model: dict[str, Any]) -> None:
    """Each table's sums in one grouped pass over the entries, and its orders in a second pass
    over the entries where an order counts (its first sale entry; per booth, its first sale entry
    at the booth): a semi-join, which spills to disk gracefully on a big ledger."""
    sales = entries.filter(kind=SALE)
    first_of_order = sales.values("order_id").annotate(first=Min("id")).values("first")
    first_at_booth = sales.values("order_id", "booth_id").annotate(first=Min("id")).values("first")
    sums = {
        "sales": Coalesce(Sum("amount", filter=Q(kind=SALE)), 0),
        "refunds": Coalesce(Sum("amount", filter=~Q(kind=SALE)), 0),
        "quantity": Coalesce(Sum("quantity"), 0),
    }
    booth_key = ("expo_id", "booth_id", "vendor_id", "region_id", "sector_id", "size_class")
    tables = (
        ("OmzetByBooth", entries, (*booth_key, "channel"), first_at_booth),
        (
            "OmzetByOrigin",
            entries.annotate(attr=Coalesce("attribution_id", Value(NO_ATTRIBUTION))),
            ("expo_id", "channel", "attr", "attribution_label", "buyer_country"),
            first_of_order,
        ),
        (
            "OmzetByHour",
            entries.annotate(hour=TruncHour("occurred_at", tzinfo=JAKARTA)),
            ("expo_id", "channel", "hour"),
            first_of_order,
        ),
    )
    for name, rows, key, first in tables:
        found: dict[tuple, dict[str, Any]] = {}
        for row in rows.values(*key).annotate(**sums):
            found[tuple(row[k] for k in key)] = {**row, "orders": 0}
        for row in rows.filter(id__in=first).values(*key).annotate(n=Count("id")):
            found[tuple(row[k] for k in key)]["orders"] = row["n"]
        if name == "OmzetByOrigin":
            for row in found.values():
                row["attribution_id"] = row.pop("attr")
        target = model[name]
        target._base_manager.bulk_create([target(**row) for row in found.values()], batch_size=1000)


def _rebuild_buyers(expo_ids: Sequence[int] | None, ledger: Any, model: dict[str, Any]) -> None:
    """The first-seen table as one ``INSERT … SELECT DISTINCT`` per kind of scope, then its
    counts."""
    q = connection.ops.quote_name
    ledger_table = q(ledger._meta.db_table)
    orders = q(_order_table(ledger))
    seen = q(model["OmzetBuyer"]._meta.db_table)
    counts = q(model["OmzetBuyerCount"]._meta.db_table)
    where, params = "l.kind = %s", [str(SALE)]
    if expo_ids is not None:
        ids = list(expo_ids)
        if not ids:
            return
        where += f" AND l.expo_id IN ({', '.join(['%s'] * len(ids))})"
        params += ids
    kinds = (
        ("'expo'", "CAST(NULL AS BIGINT)", ""),
        ("'abroad'", "CAST(NULL AS BIGINT)", f" AND l.buyer_country <> '{HOME_COUNTRY}'"),
        ("'country:' || l.buyer_country", "CAST(NULL AS BIGINT)", ""),
        ("'booth:' || l.booth_id", "l.booth_id", ""),
    )
    with connection.cursor() as cursor:
        for scope, booth, extra in kinds:
            cursor.execute(
                f"INSERT INTO {seen} (expo_id, scope, person, booth_id, account_id) "  # noqa: S608
                f"SELECT DISTINCT l.expo_id, {scope}, {PERSON}, {booth}, o.buyer_id "
                f"FROM {ledger_table} l "
                f"JOIN {orders} o ON o.id = l.order_id WHERE {where}{extra}",
                params,
            )
        scoped = "" if expo_ids is None else f"WHERE expo_id IN ({', '.join(['%s'] * len(ids))})"
        cursor.execute(
            f"INSERT INTO {counts} (expo_id, scope, booth_id, buyers, guests) "  # noqa: S608
            "SELECT expo_id, scope, MIN(booth_id), COUNT(*), "
            "SUM(CASE WHEN substr(person, 1, 2) = 'e:' THEN 1 ELSE 0 END) "
            f"FROM {seen} {scoped} GROUP BY expo_id, scope",
            [] if expo_ids is None else ids,
        )


def _order_table(ledger: Any) -> str:
    """The orders' table, through the ledger's model (a migration's registry has its own)."""
    return ledger._meta.get_field("order").related_model._meta.db_table
