"""The stand sales' counts (``payments.OfflineSaleCount``): added to in the same transaction as a
sale is recorded, verified or rejected (:mod:`payments.services.offline`), rebuilt from the sales
on demand.

One ``INSERT … ON CONFLICT (expo_id) DO UPDATE SET n = n + excluded.n`` per change, so two stands
recording at the same moment both land (the second waits on the first's row, then adds to what
the first committed). A sale is recorded once and then verified or rejected at most once (its
sign-off or its rejection takes the still-pending sale under a row lock, and a database constraint
forbids both), so the counts equal the sales' at any moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import apps as global_apps
from django.db import connection, transaction

from payments.models import OfflineSaleCount


def offline_count_add(
    *,
    expo_id: int,
    recorded: int = 0,
    recorded_total: int = 0,
    verified: int = 0,
    verified_total: int = 0,
    rejected: int = 0,
    rejected_total: int = 0,
) -> None:
    """Add to the expo's counts (call inside the transaction that records, verifies or
    rejects)."""
    table = connection.ops.quote_name(OfflineSaleCount._meta.db_table)
    names = OfflineSaleCount.COUNTERS
    values = {
        "recorded": recorded,
        "recorded_total": recorded_total,
        "verified": verified,
        "verified_total": verified_total,
        "rejected": rejected,
        "rejected_total": rejected_total,
    }
    adds = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in names)
    holes = ", ".join(["%s"] * (len(names) + 1))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (expo_id, {', '.join(names)}) VALUES ({holes}) "  # noqa: S608
            f"ON CONFLICT (expo_id) DO UPDATE SET {adds}",
            [expo_id, *(values[name] for name in names)],
        )


def _has_field(model: Any, name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


def offline_counts_rebuild(*, expo_ids: Sequence[int] | None = None, apps: Any = None) -> None:
    """Recount the stand sales of ``expo_ids`` (every expo when None) from the sales alone.
    ``apps``: a migration's app registry (the current models when None; an older registry,
    before sales could be rejected, counts no rejections)."""
    apps = apps or global_apps
    sales = apps.get_model("payments", "OfflineSale")
    counts = apps.get_model("payments", "OfflineSaleCount")
    t_sales = connection.ops.quote_name(sales._meta.db_table)
    t_counts = connection.ops.quote_name(counts._meta.db_table)
    where, params = "", []
    if expo_ids is not None:
        if not expo_ids:
            return
        where = f"WHERE expo_id IN ({', '.join(['%s'] * len(expo_ids))})"
        params = list(expo_ids)
    columns = "expo_id, recorded, recorded_total, verified, verified_total"
    sums = (
        "SUM(CASE WHEN verification_id IS NULL THEN 0 ELSE 1 END), "
        "SUM(CASE WHEN verification_id IS NULL THEN 0 ELSE total END)"
    )
    if _has_field(sales, "rejected_at") and _has_field(counts, "rejected"):
        columns += ", rejected, rejected_total"
        sums += (
            ", SUM(CASE WHEN rejected_at IS NULL THEN 0 ELSE 1 END), "
            "SUM(CASE WHEN rejected_at IS NULL THEN 0 ELSE total END)"
        )
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {t_sales} IN SHARE MODE")
        cursor.execute(f"DELETE FROM {t_counts} {where}", params)  # noqa: S608
        cursor.execute(
            f"INSERT INTO {t_counts} ({columns}) "  # noqa: S608
            f"SELECT expo_id, COUNT(*), SUM(total), {sums} "
            f"FROM {t_sales} {where} GROUP BY expo_id",
            params,
        )
