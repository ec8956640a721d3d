"""The chat fan-out bench's clients read each socket from the moment it joined, as a browser does.

A socket nobody reads fills its receive queue (16 frames), stops reading from the network and so
cannot answer the server's pings: Daphne drops it (1006) once a ping has gone unanswered 30 s. When
the bench opened every socket of a client process before reading any, the sockets that joined first
sat unread while thousands of others connected, and with 10,000 sockets (a connect phase of
minutes) a third of them were dropped before the first message: the big session's "missing"
deliveries were the bench's. Here a plain server lets a second socket join only once the first has
answered a ping sent behind a pile of frames, so the bench's client passes only if it reads the first
socket while the second is still connecting. No timing is asserted: every wait has a bound of tens
of seconds and waits for a condition.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import time
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
MESSAGES = 3
# Frames sent to the first socket after its history: more than the client's receive queue holds,
# big enough that the ping behind them is not in the same read (a client that stops reading never
# sees it).
FILLER_FRAMES = 40
FILLER_BYTES = 64 * 1024
WAIT = 30.0


@pytest.fixture
def chat_fanout(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    import chat_fanout

    return chat_fanout


def text(frame: dict) -> str:
    return json.dumps(frame, separators=(",", ":"))


async def test_a_socket_waits_for_the_others_to_connect_while_being_read(chat_fanout):
    from websockets.asyncio.server import broadcast, serve

    members = []
    joins = 0
    first_answered = asyncio.Event()

    async def handler(ws) -> None:
        nonlocal joins
        async for raw in ws:
            frame = json.loads(raw)
            if frame.get("type") != "join":
                continue
            joins += 1
            first = joins == 1
            if not first:  # the second socket joins once the first has been read meanwhile
                await asyncio.wait_for(first_answered.wait(), WAIT)
            await ws.send(text({"type": "history", "room": frame["room"], "messages": []}))
            members.append(ws)
            if first:
                for n in range(FILLER_FRAMES):
                    await ws.send(text({"type": "presence", "n": n, "pad": "x" * FILLER_BYTES}))
                pong = await ws.ping()  # answered only by a client that reads this socket
                await asyncio.wait_for(pong, WAIT)
                first_answered.set()

    ours, theirs = multiprocessing.Pipe()
    async with serve(handler, "127.0.0.1", 0, compression=None, max_queue=None) as server:
        port = server.sockets[0].getsockname()[1]
        clients = asyncio.create_task(
            chat_fanout._clients(
                [f"ws://127.0.0.1:{port}/ws/"], "booth:1", [0, 1], MESSAGES, 2, WAIT, theirs
            )
        )
        assert await asyncio.to_thread(ours.poll, WAIT * 3)
        assert ours.recv() == "ready"
        ours.send("start")
        for seq in range(MESSAGES):
            body = f"bench {seq} {time.perf_counter():.6f}"
            broadcast(members, text({"type": "message", "room": "booth:1", "body": body}))
        result = await asyncio.wait_for(clients, WAIT * 2)

    assert result["failures"] == []
    assert result["connected"] == 2
    assert result["closed"] == {}
    assert (result["delivered"], result["duplicates"]) == (2 * MESSAGES, 0)
