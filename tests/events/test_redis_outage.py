"""Chat while a Redis is down. The away side of an inquiry is e-mailed at most once a quarter of
an hour, a pause kept in the cache: while the cache's Redis is down the pause cannot be
remembered, and each message to an away side is e-mailed (expo.cache's ``add`` goes ahead) rather
than none. The chat's rate limit (expo.ratelimit) lets messages through while its Redis is down."""

from __future__ import annotations

import pytest
from django.core import mail

from events import rooms, services
from events.models import ChatMessage, Inquiry
from tests.expo.test_cache_outage import cache_down  # noqa: F401 (a fixture)
from tests.expo.test_ratelimit_outage import limiter_down  # noqa: F401 (a fixture)


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


def test_chat_messages_go_through_while_the_limiters_redis_is_down(
    thread,
    buyer,
    settings,
    limiter_down,  # noqa: F811
):
    """The chat's rate limit cannot count: the messages are sent, not refused."""
    settings.CHAT_RATE_LIMIT = (1, 60)
    for body in ("Do you ship abroad?", "Hello?", "Anyone?"):
        services.message_send(room=thread, body=body, by=buyer)
    assert list(ChatMessage.objects.values_list("body", flat=True).order_by("pk")) == [
        "Do you ship abroad?",
        "Hello?",
        "Anyone?",
    ]
