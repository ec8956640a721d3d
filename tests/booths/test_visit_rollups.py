"""The visit rollups equal a full recount from the visit rows, whatever happened.

- On random histories (hypothesis): page visits of booths and products at two expos, recorded by
  several processes (each its own buffer, as each Daphne process has), flushed in random order and
  in random batches, with repeats within and across processes and days — the rollups kept by the
  flushes equal what this file counts from the visit rows alone, and what a rebuild recomputes.
- Under real concurrency on PostgreSQL: many flushes of overlapping visits at the same moment (the
  same counters, hot), then the same equalities: no update lost, no visit counted twice.
- The page view itself still only touches the buffer; a flush that fails keeps its visits.
- ``manage.py rebuild_visit_rollups`` puts back rollups that were wrong or missing, for one expo
  or all, and refuses an unknown expo.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import close_old_connections, connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booths import visits
from booths.models import (
    BoothReach,
    BoothVisit,
    BoothVisitDay,
    BoothVisitor,
    ExpoReach,
    ExpoVisitor,
    ProductVisit,
)
from booths.services.visit_rollups import visit_rollups_rebuild, visits_write

pytestmark = pytest.mark.django_db

DAY = date(2026, 6, 1)


def stored() -> dict[str, Any]:
    """Every rollup row, keyed, without the row ids."""
    return {
        "days": {
            (e, b, d): n
            for e, b, d, n in BoothVisitDay.objects.values_list(
                "expo_id", "booth_id", "day", "visits"
            )
        },
        "booth_visitors": set(BoothVisitor.objects.values_list("expo_id", "booth_id", "visitor")),
        "booth_reach": {
            (e, b): n
            for e, b, n in BoothReach.objects.values_list("expo_id", "booth_id", "visitors")
        },
        "expo_visitors": set(ExpoVisitor.objects.values_list("expo_id", "visitor")),
        "expo_reach": dict(ExpoReach.objects.values_list("expo_id", "visitors")),
    }


def recounted() -> dict[str, Any]:
    """The same, counted in Python from the visit rows: a booth's visitors are those of its page
    and of its products' pages; an expo's, those of any of its booths."""
    days: Counter = Counter()
    pairs: set[tuple[int, int, str]] = set()
    for visit in BoothVisit.objects.select_related("booth"):
        days[(visit.booth.expo_id, visit.booth_id, visit.day)] += 1
        pairs.add((visit.booth.expo_id, visit.booth_id, visit.visitor))
    for visit in ProductVisit.objects.select_related("product__booth"):
        booth = visit.product.booth
        pairs.add((booth.expo_id, booth.pk, visit.visitor))
    people = {(e, v) for e, _b, v in pairs}
    return {
        "days": dict(days),
        "booth_visitors": pairs,
        "booth_reach": dict(Counter((e, b) for e, b, _v in pairs)),
        "expo_visitors": people,
        "expo_reach": dict(Counter(e for e, _v in people)),
    }


def assert_rollups_exact() -> None:
    """The rollups kept with the flushes = the recount = what a rebuild writes."""
    kept = stored()
    assert kept == recounted()
    visit_rollups_rebuild()
    assert stored() == kept


@pytest.fixture
def world(make_expo, make_booth):
    """Two expos, three booths (two at the first), two products each."""
    first, second = make_expo("open"), make_expo("open")
    booths = [make_booth(first), make_booth(first), make_booth(second)]
    products = [p for booth in booths for p in booth.products.order_by("pk")]
    return booths, products


# A visit: which page (three booths, then six products), which day, which visitor.
visit = st.tuples(st.integers(0, 8), st.integers(0, 2), st.sampled_from("abcdef"))
# A step: a process (0-2) records some visits, or flushes some of what it has buffered.
step = st.one_of(
    st.tuples(st.just("record"), st.integers(0, 2), st.lists(visit, min_size=1, max_size=6)),
    st.tuples(st.just("flush"), st.integers(0, 2), st.integers(1, 8)),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=st.lists(step, min_size=1, max_size=16))
def test_rollups_equal_the_visits_recounted(world, history):
    booths, products = world
    for model in (ExpoReach, ExpoVisitor, BoothReach, BoothVisitor, BoothVisitDay):
        model.objects.all().delete()
    BoothVisit.objects.all().delete()
    ProductVisit.objects.all().delete()
    buffers: list[list[tuple]] = [[], [], []]
    for action, process, what in history:
        if action == "record":
            for page, day, who in what:
                kind, obj = ("booth", booths[page]) if page < 3 else ("product", products[page - 3])
                buffers[process].append((kind, obj.pk, DAY + timedelta(days=day), f"v-{who}"))
        else:  # a flush of the oldest buffered visits (the rest wait for the next)
            taken, buffers[process] = buffers[process][:what], buffers[process][what:]
            visits_write(visits=taken)
    for buffered in buffers:
        visits_write(visits=buffered)
    # Every visit recorded once, as it was made.
    made = {entry for action, process, what in history if action == "record" for entry in what}
    assert {
        ("booth", b, d, v)
        for b, d, v in BoothVisit.objects.values_list("booth_id", "day", "visitor")
    } | {
        ("product", p, d, v)
        for p, d, v in ProductVisit.objects.values_list("product_id", "day", "visitor")
    } == {
        ("booth", booths[page].pk, DAY + timedelta(days=day), f"v-{who}")
        if page < 3
        else ("product", products[page - 3].pk, DAY + timedelta(days=day), f"v-{who}")
        for page, day, who in made
    }
    assert_rollups_exact()


def test_a_visit_written_twice_counts_once(world):
    booths, products = world
    seen = [("booth", booths[0].pk, DAY, "v-a"), ("product", products[0].pk, DAY, "v-a")]
    assert visits_write(visits=seen) == 2
    # Another process had buffered the same visits; the next day the same person comes back.
    assert visits_write(visits=seen) == 0
    assert visits_write(visits=[("booth", booths[0].pk, DAY + timedelta(days=1), "v-a")]) == 1
    assert BoothVisitDay.objects.get(booth=booths[0], day=DAY).visits == 1
    assert BoothReach.objects.get(booth=booths[0]).visitors == 1
    assert ExpoReach.objects.get(expo=booths[0].expo).visitors == 1
    assert_rollups_exact()


def test_a_page_view_only_buffers_and_the_flush_counts(rf, world, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    booths, _products = world
    request = rf.get("/")
    request.user = AnonymousUser()
    request.session = SessionStore()
    with django_assert_num_queries(0):
        visits.record("booth", booths[0].pk, request)
        visits.record("booth", booths[0].pk, request)
    assert visits.flush() == 1
    assert BoothReach.objects.get(booth=booths[0]).visitors == 1
    assert BoothVisitDay.objects.get(booth=booths[0]).visits == 1


def test_a_failed_flush_keeps_its_visits_for_the_next(world, monkeypatch):
    booths, _products = world
    entry = ("booth", booths[0].pk, DAY, "v-a")
    with visits._lock:
        visits._buffer.add(entry)

    def broken(**kwargs):
        raise RuntimeError("database away")

    monkeypatch.setattr(visits, "visits_write", broken)
    with pytest.raises(RuntimeError):
        visits.flush()
    monkeypatch.undo()
    assert visits.flush() == 1
    assert BoothVisit.objects.get().visitor == "v-a"
    assert_rollups_exact()


def test_visits_of_pages_gone_since_are_dropped(world):
    """A page deleted between the view and the flush: its visits are left out, the others are
    written (a failing flush would keep them all for ever)."""
    booths, products = world
    gone_booth, gone_product = booths[1].pk, products[0].pk
    booths[1].delete()
    products[0].delete()
    written = visits_write(
        visits=[
            ("booth", gone_booth, DAY, "v-a"),
            ("product", gone_product, DAY, "v-a"),
            ("booth", booths[0].pk, DAY, "v-a"),
            ("product", products[1].pk, DAY, "v-b"),
        ]
    )
    assert written == 2
    assert BoothReach.objects.get(booth=booths[0]).visitors == 2
    assert_rollups_exact()


# --- The same under real concurrency -------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_flushes_lose_no_update(world):
    assert connection.vendor == "postgresql", "the PostgreSQL pass: DATABASE_URL=postgres://…"
    booths, products = world
    pages = [("booth", b.pk) for b in booths] + [("product", p.pk) for p in products]
    flushes = 16
    problems: list[str] = []
    start = threading.Barrier(flushes)

    def flush(n: int) -> None:
        # Every process saw some of the same people on the same pages (overlapping buffers).
        batch = [
            (kind, pk, DAY + timedelta(days=(n + i) % 2), f"v-{(n * 7 + i) % 23}")
            for i, (kind, pk) in enumerate(pages * 3)
        ]
        try:
            start.wait(timeout=60)
            for _ in range(3):
                visits_write(visits=batch[n % 5 :])
        except Exception as exc:  # reported below, with the others
            problems.append(f"flush {n}: {exc!r}")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=flush, args=(n,)) for n in range(flushes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a flush never finished"
    assert problems == []
    assert BoothReach.objects.filter(visitors__gt=1).exists()
    assert_rollups_exact()


# --- The rebuild command -------------------------------------------------------------------------


def test_rebuild_command_puts_back_what_was_lost(world, make_expo):
    booths, products = world
    visits_write(
        visits=[
            ("booth", booths[0].pk, DAY, "v-a"),
            ("booth", booths[1].pk, DAY, "v-a"),
            ("product", products[1].pk, DAY, "v-b"),
            ("product", products[5].pk, DAY, "v-c"),
        ]
    )
    kept = stored()
    assert kept == recounted() and kept["expo_reach"]

    # Wrong and missing rows, as after a bug or a restore of one table.
    BoothReach.objects.update(visitors=7)
    ExpoVisitor.objects.all().delete()
    BoothVisitDay.objects.all().delete()
    out = StringIO()
    call_command("rebuild_visit_rollups", "--expo", booths[0].expo.slug, stdout=out)
    assert "1 expo(s)" in out.getvalue() and "from 3 visits" in out.getvalue()
    assert stored() != kept  # the second expo's rows were not asked for
    call_command("rebuild_visit_rollups", "--expo", str(booths[2].expo_id), stdout=StringIO())
    assert stored() == kept

    # Every expo (an expo without visits keeps no rows).
    make_expo("open")
    ExpoReach.objects.all().delete()
    call_command("rebuild_visit_rollups", stdout=StringIO())
    assert stored() == kept


def test_rebuild_command_refuses_an_unknown_expo(db):
    with pytest.raises(CommandError, match="no-such-expo"):
        call_command("rebuild_visit_rollups", "--expo", "no-such-expo", stdout=StringIO())
