"""The away side of an inquiry is e-mailed at most once a quarter of an hour, a pause kept in the
cache. While the cache's Redis is down the pause cannot be remembered: each message to an away
side is e-mailed (expo.cache's ``add`` goes ahead), rather than none."""

from __future__ import annotations

import pytest
from django.core import mail

from events import rooms, services
from events.models import Inquiry
from tests.expo.test_cache_outage import cache_down  # noqa: F401 (a fixture)


@pytest.fixture
def thread(booth, buyer, team_member):
    return rooms.parse(rooms.inquiry(Inquiry.objects.create(booth=booth, buyer=buyer).pk))


def test_one_email_for_two_messages_with_the_cache_up(thread, buyer, team_member):
    services.message_send(room=thread, body="Do you ship abroad?", by=buyer)
    services.message_send(room=thread, body="Hello?", by=buyer)
    assert [m.to for m in mail.outbox] == [[team_member.email]]


def test_each_message_is_emailed_while_the_cache_is_down(
    thread,
    buyer,
    team_member,
    cache_down,  # noqa: F811
):
    services.message_send(room=thread, body="Do you ship abroad?", by=buyer)
    services.message_send(room=thread, body="Hello?", by=buyer)
    assert [m.to for m in mail.outbox] == [[team_member.email], [team_member.email]]
    assert "Hello?" in mail.outbox[1].body
