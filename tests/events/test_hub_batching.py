"""The room hub writes a quiet room's frame at once, and the frames of a burst together.

A room's frames that arrive within ``FLUSH_GAP_SECONDS`` of its last write wait for the gap to pass
and then go out together, one write per socket (a burst of 200 messages to 1,000 sockets cost a
system call per socket per message before). The event loop's clock is moved by hand here: nothing
depends on how fast the machine is.
"""

from __future__ import annotations

import asyncio

import pytest

from events import hub
from events.outbox import Frame

ROOM = "booth:1"


class Recorder:
    """A socket that keeps every write (each a tuple of the frames written together)."""

    closed = False

    def __init__(self) -> None:
        self.writes: list[tuple[str, ...]] = []

    def push(self, frame: str | Frame) -> None:
        self.writes.append(frame.texts if isinstance(frame, Frame) else (frame,))

    def overflow(self) -> None:
        raise AssertionError("not too slow")


@pytest.fixture
async def clock(monkeypatch):
    """The running loop's clock, moved forward by ``clock.advance(seconds)``."""
    loop = asyncio.get_running_loop()
    real = loop.time

    class Clock:
        offset = 0.0

        def advance(self, seconds: float) -> None:
            self.offset += seconds

    moved = Clock()
    monkeypatch.setattr(loop, "time", lambda: real() + moved.offset)
    return moved


async def until(condition, bound: float = 30.0) -> None:
    async with asyncio.timeout(bound):
        while not condition():
            await asyncio.sleep(0.01)


async def joined_hub(monkeypatch) -> tuple[hub.Hub, Recorder]:
    the_hub = hub.Hub(asyncio.get_running_loop())
    monkeypatch.setattr(the_hub.presence, "change", lambda *args, **kwargs: None)  # no counts
    socket = Recorder()
    await the_hub.begin_join(ROOM, socket)
    the_hub.finish_join(ROOM, socket, [], after_id=0)
    return the_hub, socket


async def test_a_burst_goes_out_in_one_write_per_socket(monkeypatch, clock):
    monkeypatch.setattr(hub, "FLUSH_GAP_SECONDS", 60.0)
    the_hub, socket = await joined_hub(monkeypatch)

    the_hub.deliver(ROOM, '{"n":1}', 1)
    await asyncio.sleep(0)
    assert socket.writes == [('{"n":1}',)]  # a quiet room: at the end of the turn

    the_hub.deliver(ROOM, '{"n":2}', 2)
    await asyncio.sleep(0)
    the_hub.deliver(ROOM, '{"n":3}', 3)
    await asyncio.sleep(0)
    assert socket.writes == [('{"n":1}',)]  # written a moment ago: the burst waits for the gap

    clock.advance(61.0)
    await until(lambda: len(socket.writes) == 2)
    assert socket.writes == [('{"n":1}',), ('{"n":2}', '{"n":3}')]


async def test_a_room_quiet_for_the_gap_writes_at_once(monkeypatch, clock):
    monkeypatch.setattr(hub, "FLUSH_GAP_SECONDS", 60.0)
    the_hub, socket = await joined_hub(monkeypatch)
    the_hub.deliver(ROOM, '{"n":1}', 1)
    await asyncio.sleep(0)

    clock.advance(61.0)
    the_hub.deliver(ROOM, '{"n":2}', 2)
    await asyncio.sleep(0)
    assert socket.writes == [('{"n":1}',), ('{"n":2}',)]
