"""No double booking under real concurrency, on PostgreSQL: 50 buyers, each in its own thread with
its own database connection, ask for the same slot at the same moment. The exclusion constraints
must let exactly one meeting through and give the 49 others a clear "taken" answer; and below the
services, overlapping times that do not share a start are refused by the database itself.

Run in the PostgreSQL pass:
    DATABASE_URL=postgres://postgres@127.0.0.1:<port>/umkm_<name> .venv/bin/python -m pytest -m postgres tests/events/test_matching_race.py
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import IntegrityError, close_old_connections, connection, transaction

from events.matching import services
from events.matching.models import Meeting, MeetingParticipant, MeetingStatus
from expo.refusals import Refused
from tests.events.matching_fixtures import (
    add_member,
    make_business_buyer,
    make_matching_expo,
    make_stand,
    publish,
    wib,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BUYERS = 50


def _require_postgres() -> None:
    assert connection.vendor == "postgresql", (
        "the PostgreSQL pass: DATABASE_URL=postgres://… .venv/bin/python -m pytest -m postgres"
    )


def test_fifty_buyers_race_for_one_slot():
    _require_postgres()
    expo = make_matching_expo()
    stand = make_stand(expo)
    publish(stand, wib(10), wib(10, 30))
    buyers = [make_business_buyer(name=f"Buyer {n}") for n in range(BUYERS)]
    start = threading.Barrier(BUYERS)
    won: list[int] = []
    refused: list[tuple[str, str]] = []
    unexpected: list[str] = []
    lock = threading.Lock()

    def ask(buyer) -> None:
        try:
            start.wait(timeout=60)
            meeting = services.meeting_request(
                booth=stand.booth, starts_at=wib(10), agenda="Coffee for Doha", by=buyer
            )
            with lock:
                won.append(meeting.pk)
        except Refused as refusal:
            with lock:
                refused.append((refusal.code, str(refusal.message)))
        except Exception as error:  # anything else is a failure of the test
            with lock:
                unexpected.append(repr(error))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=ask, args=(buyer,)) for buyer in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert unexpected == []
    assert len(won) == 1
    assert len(refused) == BUYERS - 1
    assert Counter(code for code, _ in refused) == {"slot_taken": BUYERS - 1}
    assert all("taken" in text or "no longer free" in text for _, text in refused)
    assert Meeting.objects.filter(status__in=["requested", "proposed", "confirmed"]).count() == 1
    assert MeetingParticipant.objects.filter(is_active=True).count() == 2


def test_the_database_refuses_overlapping_times_that_do_not_share_a_start():
    """The exclusion constraints themselves, with the services left out: a vendor's two meetings
    (10:00–10:30 and 10:15–10:45, offered by two members) and a person's two seats."""
    _require_postgres()
    expo = make_matching_expo()
    stand = make_stand(expo)
    colleague = add_member(stand)
    buyer, other = make_business_buyer(name="A"), make_business_buyer(name="B")
    first = Meeting.objects.create(
        expo=expo,
        vendor=stand.vendor,
        booth=stand.booth,
        buyer=buyer,
        starts_at=wib(10),
        ends_at=wib(10, 30),
    )
    with pytest.raises(IntegrityError, match="meeting_vendor_no_overlap"), transaction.atomic():
        Meeting.objects.create(
            expo=expo,
            vendor=stand.vendor,
            booth=stand.booth,
            buyer=other,
            starts_at=wib(10, 15),
            ends_at=wib(10, 45),
        )
    # Back to back is fine: ranges are half-open.
    Meeting.objects.create(
        expo=expo,
        vendor=stand.vendor,
        booth=stand.booth,
        buyer=other,
        starts_at=wib(10, 30),
        ends_at=wib(11),
    )
    seat = dict(meeting=first, side="vendor", starts_at=wib(10), ends_at=wib(10, 30))
    MeetingParticipant.objects.create(user=colleague, **seat)
    elsewhere = make_stand(expo, name="Elsewhere")
    second = Meeting.objects.create(
        expo=expo,
        vendor=elsewhere.vendor,
        booth=elsewhere.booth,
        buyer=other,
        starts_at=wib(10, 20),
        ends_at=wib(10, 50),
    )
    with pytest.raises(IntegrityError, match="meeting_person_no_overlap"), transaction.atomic():
        MeetingParticipant.objects.create(
            meeting=second, user=colleague, side="buyer", starts_at=wib(10, 20), ends_at=wib(10, 50)
        )
    # A cancelled meeting holds nothing.
    Meeting.objects.filter(pk=first.pk).update(status=MeetingStatus.CANCELLED)
    MeetingParticipant.objects.filter(meeting=first).update(is_active=False)
    MeetingParticipant.objects.create(
        meeting=second, user=colleague, side="buyer", starts_at=wib(10, 20), ends_at=wib(10, 50)
    )
