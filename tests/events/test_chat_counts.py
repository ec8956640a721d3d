"""The live sessions' chat counts (messages and chatters per session, for the dashboard) equal a
recount from the chat messages, whatever happened.

- On random histories (hypothesis): messages by random accounts in random live sessions of two
  expos (and in a booth's chat, which is not counted), removed by a moderator (some twice), and
  accounts deleted — the counts kept by the chat's service equal what this file counts from the
  messages alone, what a rebuild recomputes, and what the dashboard showed before it read them
  (its old query over the messages, kept below); every chatter is a visitor of the session's
  booth in the visit rollups, and stays one through their rebuild.
- Under real concurrency on PostgreSQL: many accounts writing in the same session at the same
  moment (the same counters, hot), some of them removing messages meanwhile: no count lost.
- The dashboard's queries do not grow with the messages.
- ``manage.py rebuild_chat_counts`` puts back counts that were wrong or missing, for one expo or
  all, and refuses an unknown expo; the migration's fill counts the messages already written.
"""

from __future__ import annotations

import importlib
import threading
from collections import Counter
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.apps import apps as global_apps
from django.core.management import CommandError, call_command
from django.db import close_old_connections, connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booths.models import BoothReach, BoothVisit, BoothVisitor, ExpoReach, ExpoVisitor
from booths.services.visit_rollups import visit_rollups_rebuild
from booths.visits import account_key
from events import services
from events.chat_counting import chat_counts_rebuild
from events.models import ChatMessage, LiveSession, SessionChat, SessionChatter
from events.rooms import Room
from expo import ratelimit
from expo.reports import figures

pytestmark = pytest.mark.django_db


def stored() -> dict[str, Any]:
    """Every count row, keyed, without the row ids."""
    return {
        "sessions": {
            (e, s): (m, c)
            for e, s, m, c in SessionChat.objects.values_list(
                "expo_id", "session_id", "messages", "chatters"
            )
        },
        "chatters": {
            (e, s, a): n
            for e, s, a, n in SessionChatter.objects.values_list(
                "expo_id", "session_id", "author_id", "messages"
            )
        },
    }


def recounted() -> dict[str, Any]:
    """The same, counted in Python from the messages: a session's messages are those still shown,
    its chatters the distinct accounts among their authors; everyone who ever wrote there has a
    row with how many of theirs are still shown."""
    expo_of = dict(LiveSession.objects.values_list("pk", "booth__expo_id"))
    messages: Counter = Counter()
    authors: dict[tuple[int, int], set[int]] = {}
    chatters: Counter = Counter()
    for m in ChatMessage.objects.filter(room_kind="session", room_id__in=list(expo_of)):
        key = (expo_of[m.room_id], m.room_id)
        messages[key] += 0  # a session whose messages were all removed keeps its row
        authors.setdefault(key, set())
        if m.author_id is not None:
            chatters[(*key, m.author_id)] += 0
        if m.deleted_at is None:
            messages[key] += 1
            if m.author_id is not None:
                authors[key].add(m.author_id)
                chatters[(*key, m.author_id)] += 1
    return {
        "sessions": {key: (n, len(authors[key])) for key, n in messages.items()},
        "chatters": dict(chatters),
    }


def dashboard_before(expo) -> dict[int, tuple[int, int]]:
    """What the dashboard showed per live session before the counts: its query over the rows."""
    return {
        row["room_id"]: (row["messages"], row["chatters"])
        for row in ChatMessage.objects.filter(
            expo=expo, room_kind="session", deleted_at__isnull=True
        )
        .values("room_id")
        .annotate(messages=Count("id"), chatters=Count("author_id", distinct=True))
        .order_by()
    }


def dashboard_now(expo) -> dict[int, tuple[int, int]]:
    board = figures.expo_dashboard(expo)
    return {
        row.key: (row.extra["messages"], row.extra["chatters"])
        for row in board.live_sessions
        if row.extra["messages"] or row.extra["chatters"]
    }


def assert_counts_exact() -> None:
    """The counts kept with the messages = the recount = what a rebuild writes."""
    kept = stored()
    assert kept == recounted()
    chat_counts_rebuild()
    assert stored() == kept


def assert_chatters_reached() -> None:
    """Every account that wrote in a session is a visitor of its booth (and of its expo), before
    and after a rebuild of the visit rollups (no page visits in these tests: after the rebuild
    the chatters are all the visitors)."""
    wrote = {
        (s.booth.expo_id, s.booth_id, account_key(a))
        for s in LiveSession.objects.select_related("booth")
        for a in ChatMessage.objects.filter(
            room_kind="session", room_id=s.pk, author__isnull=False
        ).values_list("author_id", flat=True)
    }
    assert wrote <= set(BoothVisitor.objects.values_list("expo_id", "booth_id", "visitor"))
    # An account deleted since stays among the visitors it was counted in (as its page visits
    # stay), until the visit rollups are rebuilt from their sources; then exactly the chatters.
    visit_rollups_rebuild()
    assert set(BoothVisitor.objects.values_list("expo_id", "booth_id", "visitor")) == wrote
    assert dict(BoothReach.objects.values_list("booth_id", "visitors")) == dict(
        Counter(b for _e, b, _v in wrote)
    )
    assert dict(ExpoReach.objects.values_list("expo_id", "visitors")) == dict(
        Counter(e for e, _v in {(e, v) for e, _b, v in wrote})
    )


def _session(booth, title: str) -> LiveSession:
    at = timezone.now() - timedelta(minutes=30)
    return LiveSession.objects.create(
        booth=booth,
        title_en=title,
        title_id=title,
        starts_at=at,
        ends_at=at + timedelta(hours=2),
        stream_url="https://example.com/live",
    )


@pytest.fixture
def world(make_expo, make_booth, make_organiser, settings):
    """Two open expos with an organiser each; three booths (two at the first); three live
    sessions (two at the first booth, one at the third). Rooms: the sessions, then a booth chat."""
    settings.CHAT_RATE_LIMIT = (1_000_000, 1)
    ratelimit.reset()
    organisers = [make_organiser(name="Org A"), make_organiser(name="Org B")]
    expos = [make_expo("open", office=o.offices.get()) for o in organisers]
    booths = [make_booth(expos[0]), make_booth(expos[0]), make_booth(expos[1])]
    sessions = [
        _session(booths[0], "Demo"),
        _session(booths[0], "Sale"),
        _session(booths[2], "Q&A"),
    ]
    rooms = [Room("session", s.pk) for s in sessions] + [Room("booth", booths[1].pk)]
    moderators = {expos[0].pk: organisers[0], expos[1].pk: organisers[1]}
    yield expos, sessions, rooms, moderators
    ratelimit.reset()


def _start_afresh() -> None:
    for model in (ChatMessage, SessionChat, SessionChatter, BoothVisit):
        model.objects.all().delete()
    for model in (ExpoReach, ExpoVisitor, BoothReach, BoothVisitor):
        model.objects.all().delete()


# A step: an account (0-3) writes in a room (0-2 sessions, 3 a booth's chat); a moderator removes
# one of the messages written so far; an account is deleted (it writes no more).
step = st.one_of(
    st.tuples(st.just("send"), st.integers(0, 3), st.integers(0, 3)),
    st.tuples(st.just("remove"), st.integers(0, 40), st.just(0)),
    st.tuples(st.just("forget"), st.integers(0, 3), st.just(0)),
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=st.lists(step, min_size=1, max_size=18))
def test_counts_equal_the_messages_recounted(world, make_user, history):
    expos, _sessions, rooms, moderators = world
    _start_afresh()
    people = [make_user(name=f"Pembeli {n}") for n in range(4)]
    gone: set[int] = set()
    sent: list[ChatMessage] = []
    for action, a, b in history:
        if action == "send" and a not in gone:
            sent.append(services.message_send(room=rooms[b], body=f"halo {a}", by=people[a]))
        elif action == "remove" and sent:
            message = sent[a % len(sent)]  # perhaps removed already: then nothing changes
            services.message_delete(message=message, by=moderators[message.expo_id])
        elif action == "forget" and a not in gone:
            people[a].delete()
            gone.add(a)
    assert_counts_exact()
    for expo in expos:
        assert dashboard_now(expo) == dashboard_before(expo)
    assert_chatters_reached()


def test_a_removed_message_leaves_the_counts_and_its_author_stays_a_visitor(world, make_user):
    expos, sessions, rooms, moderators = world
    ani, budi = make_user(name="Ani"), make_user(name="Budi")
    first = services.message_send(room=rooms[0], body="Halo", by=ani)
    services.message_send(room=rooms[0], body="Harga?", by=ani)
    rude = services.message_send(room=rooms[0], body="spam", by=budi)
    services.message_send(room=rooms[3], body="Booth chat: not counted", by=budi)
    assert stored()["sessions"] == {(expos[0].pk, sessions[0].pk): (3, 2)}

    services.message_delete(message=rude, by=moderators[expos[0].pk])
    services.message_delete(message=rude, by=moderators[expos[0].pk])  # twice: once
    services.message_delete(message=first, by=moderators[expos[0].pk])
    assert stored()["sessions"] == {(expos[0].pk, sessions[0].pk): (1, 1)}
    assert dashboard_now(expos[0]) == dashboard_before(expos[0]) == {sessions[0].pk: (1, 1)}
    # Budi wrote there, so reached the booth: still a visitor for the conversion.
    reach, _total = figures.expo_conversion(expos[0].pk)
    assert reach[sessions[0].booth_id].visitors == 2
    assert_counts_exact()
    assert_chatters_reached()


def test_the_dashboard_reads_no_more_queries_with_more_messages(world, make_user):
    expos, _sessions, rooms, _moderators = world
    people = [make_user() for _ in range(10)]
    services.message_send(room=rooms[0], body="first", by=people[0])
    with CaptureQueriesContext(connection) as few:
        figures.expo_dashboard(expos[0])
    for n in range(60):
        services.message_send(room=rooms[n % 2], body=f"message {n}", by=people[n % 10])
    with CaptureQueriesContext(connection) as many:
        board = figures.expo_dashboard(expos[0])
    assert len(many.captured_queries) == len(few.captured_queries)
    assert {r.key: r.extra["messages"] for r in board.live_sessions} == {
        rooms[0].object_id: 31,
        rooms[1].object_id: 30,
    }
    # And none of them reads the chat messages.
    assert not [q for q in many.captured_queries if ChatMessage._meta.db_table in q["sql"]]


def test_a_message_costs_the_same_queries_however_many_came_before(
    world, make_user, django_assert_num_queries
):
    """The chat's own cost: the counts add fixed queries to a message, not a recount."""
    _expos, _sessions, rooms, _moderators = world
    ani, budi = make_user(), make_user()
    services.message_send(room=rooms[0], body="first", by=ani)
    services.message_send(room=rooms[0], body="first", by=budi)
    with CaptureQueriesContext(connection) as second:
        services.message_send(room=rooms[0], body="again", by=ani)
    for n in range(30):
        services.message_send(room=rooms[0], body=f"more {n}", by=[ani, budi][n % 2])
    with django_assert_num_queries(len(second.captured_queries)):
        services.message_send(room=rooms[0], body="and again", by=ani)


def test_an_unknown_session_room_or_no_author_counts_no_chatter(world, make_user):
    """A message whose author was deleted later keeps counting as a message, not as a chatter."""
    expos, sessions, rooms, _moderators = world
    ani = make_user()
    services.message_send(room=rooms[2], body="Halo", by=ani)
    services.message_send(room=rooms[2], body="Halo lagi", by=ani)
    ani.delete()
    assert ChatMessage.objects.filter(author__isnull=True).count() == 2
    assert stored()["sessions"] == {(expos[1].pk, sessions[2].pk): (2, 0)}
    assert dashboard_now(expos[1]) == dashboard_before(expos[1]) == {sessions[2].pk: (2, 0)}
    assert_counts_exact()


# --- The same under real concurrency -------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_messages_lose_no_count(world, make_user):
    assert connection.vendor == "postgresql", "the PostgreSQL pass: DATABASE_URL=postgres://…"
    expos, sessions, rooms, moderators = world
    people = [make_user(name=f"Pembeli {n}") for n in range(8)]
    writers = 16
    start = threading.Barrier(writers)
    problems: list[str] = []
    removed: list[int] = []

    def write(n: int) -> None:
        # Everyone in the same hot session, a few in the second; the same accounts in several
        # threads at once (their chatter row hot too); some remove one of theirs meanwhile.
        try:
            start.wait(timeout=60)
            mine = []
            for i in range(6):
                room = rooms[0] if (n + i) % 4 else rooms[1]
                mine.append(
                    services.message_send(room=room, body=f"{n}-{i}", by=people[(n + i) % 8])
                )
                if n % 3 == 0 and i in (2, 5):
                    gone = services.message_delete(message=mine[-2], by=moderators[expos[0].pk])
                    removed.append(gone.pk)
        except Exception as exc:  # reported below, with the others
            problems.append(f"writer {n}: {exc!r}")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a writer never finished"
    assert problems == []
    assert ChatMessage.objects.count() == writers * 6
    assert len(removed) == 12
    hot = SessionChat.objects.get(session=sessions[0])
    assert (
        hot.messages
        == ChatMessage.objects.filter(room_id=sessions[0].pk, deleted_at__isnull=True).count()
    )
    assert hot.chatters == 6  # accounts 0 and 4 write only in the second session
    assert SessionChat.objects.get(session=sessions[1]).chatters == 2
    assert dashboard_now(expos[0]) == dashboard_before(expos[0])
    assert_counts_exact()
    assert_chatters_reached()


# --- The rebuild command and the migration's fill ------------------------------------------------


def test_rebuild_command_puts_back_what_was_lost(world, make_user):
    expos, sessions, rooms, moderators = world
    ani, budi = make_user(), make_user()
    for room, who in ((rooms[0], ani), (rooms[0], budi), (rooms[1], ani), (rooms[2], budi)):
        services.message_send(room=room, body="Halo", by=who)
    removed = services.message_send(room=rooms[2], body="spam", by=ani)
    services.message_delete(message=removed, by=moderators[expos[1].pk])
    kept = stored()
    assert kept == recounted() and len(kept["sessions"]) == 3

    # Wrong and missing rows, as after a bug or a restore of one table.
    SessionChat.objects.update(messages=99, chatters=7)
    SessionChatter.objects.filter(author=budi).delete()
    out = StringIO()
    call_command("rebuild_chat_counts", "--expo", expos[0].slug, stdout=out)
    assert "1 expo(s)" in out.getvalue() and "from 3 messages" in out.getvalue()
    assert stored() != kept  # the second expo's rows were not asked for
    call_command("rebuild_chat_counts", "--expo", str(expos[1].pk), stdout=StringIO())
    assert stored() == kept

    # Every expo.
    SessionChat.objects.all().delete()
    call_command("rebuild_chat_counts", stdout=StringIO())
    assert stored() == kept
    assert dashboard_now(expos[0]) == dashboard_before(expos[0])


def test_rebuild_command_refuses_an_unknown_expo(db):
    with pytest.raises(CommandError, match="no-such-expo"):
        call_command("rebuild_chat_counts", "--expo", "no-such-expo", stdout=StringIO())


def test_the_migration_counts_the_messages_already_written(world, make_user):
    """Messages written before the counts existed (rows only): the migration's fill counts them
    and makes their authors visitors of the sessions' booths."""
    expos, sessions, _rooms, _moderators = world
    ani, budi = make_user(), make_user()
    for session, who, deleted in (
        (sessions[0], ani, False),
        (sessions[0], ani, True),
        (sessions[0], budi, True),
        (sessions[2], budi, False),
    ):
        ChatMessage.objects.create(
            room_kind="session",
            room_id=session.pk,
            expo_id=session.booth.expo_id,
            author=who,
            author_name="x",
            author_role="buyer",
            body="Halo",
            deleted_at=timezone.now() if deleted else None,
        )
    assert not SessionChat.objects.exists()
    migration = importlib.import_module("events.migrations.0006_session_chat_counts")
    migration.fill(global_apps, None)
    assert stored() == recounted()
    assert stored()["sessions"] == {
        (expos[0].pk, sessions[0].pk): (1, 1),
        (expos[1].pk, sessions[2].pk): (1, 1),
    }
    assert_chatters_reached()


# --- The admin cannot delete message rows -------------------------------------------------------


def test_the_admin_hides_messages_through_the_service_and_deletes_no_row(
    world, make_user, client, admin_user
):
    """A platform admin may hide a reported message (the service: counted out), never delete a
    message row (which the counts would not know of); an account that chatted, deleted, leaves
    its sessions' chatters."""
    from django.urls import reverse

    from events.models import MessageReport

    expos, sessions, rooms, _moderators = world
    ani, budi = make_user(), make_user()
    rude = services.message_send(room=rooms[0], body="spam", by=ani)
    services.message_send(room=rooms[0], body="Halo", by=budi)
    client.force_login(admin_user)
    delete_url = reverse("admin:events_chatmessage_delete", args=[rude.pk])
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:events_chatmessage_changelist")
    response = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [rude.pk], "post": "yes"}
    )
    assert ChatMessage.objects.filter(pk=rude.pk).exists()
    assert response.status_code in (200, 302)
    assert stored()["sessions"] == {(expos[0].pk, sessions[0].pk): (2, 2)}

    report = MessageReport.objects.create(message=rude, reporter=budi, reason="spam")
    client.post(
        reverse("admin:events_messagereport_changelist"),
        {"action": "delete_messages", "_selected_action": [report.pk]},
    )
    assert ChatMessage.objects.get(pk=rude.pk).is_deleted
    assert stored()["sessions"] == {(expos[0].pk, sessions[0].pk): (1, 1)}

    budi.delete()  # (the admin refuses it for a buyer with leads: the booths' admin keeps them)
    assert stored()["sessions"] == {(expos[0].pk, sessions[0].pk): (1, 0)}
    assert_counts_exact()
