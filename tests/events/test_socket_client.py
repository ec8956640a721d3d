"""The browser's socket client (``frontend/static/frontend/js/socket.js``) finds a dead socket by
itself: a ping whose pong does not come back in time closes the socket, and the client reconnects
(with jitter) and resumes every room from the last message id it saw.

The module runs under Node.js with a fake ``WebSocket`` and a fake clock the script drives, so
nothing here waits on wall-clock time. The scenario script prints one JSON object per step; the
assertions are made here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOCKET_JS = ROOT / "frontend" / "static" / "frontend" / "js" / "socket.js"

HARNESS = r"""
const timers = [];
let now = 0;
let nextId = 1;
function schedule(fn, ms, every) {
  const timer = { id: nextId++, at: now + Math.max(0, ms || 0), fn, every };
  timers.push(timer);
  return timer.id;
}
function cancel(id) {
  const i = timers.findIndex((t) => t.id === id);
  if (i >= 0) timers.splice(i, 1);
}
globalThis.setTimeout = (fn, ms) => schedule(fn, ms, null);
globalThis.setInterval = (fn, ms) => schedule(fn, ms, ms);
globalThis.clearTimeout = cancel;
globalThis.clearInterval = cancel;
Date.now = () => now;
Math.random = () => 0.5; // the jitter's middle: a wait of exactly the current delay
function advance(ms) {
  const until = now + ms;
  for (;;) {
    timers.sort((a, b) => a.at - b.at || a.id - b.id);
    const timer = timers[0];
    if (!timer || timer.at > until) break;
    now = timer.at;
    if (timer.every) timer.at += timer.every;
    else timers.shift();
    timer.fn();
  }
  now = until;
}

const sockets = [];
class FakeWebSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  constructor(url) {
    this.url = url;
    this.readyState = FakeWebSocket.CONNECTING;
    this.sent = [];
    this.closeCalls = 0;
    this.listeners = {};
    sockets.push(this);
  }
  addEventListener(type, fn) {
    (this.listeners[type] ||= []).push(fn);
  }
  emit(type, event = {}) {
    (this.listeners[type] || []).forEach((fn) => fn(event));
  }
  send(text) {
    this.sent.push(JSON.parse(text));
  }
  close() {
    this.closeCalls += 1;
    this.readyState = FakeWebSocket.CLOSING; // a dead connection never completes the handshake
  }
  // The server's side:
  open() {
    this.readyState = FakeWebSocket.OPEN;
    this.emit("open");
  }
  deliver(frame) {
    this.emit("message", { data: JSON.stringify(frame) });
  }
  closedBy(code) {
    this.readyState = FakeWebSocket.CLOSED;
    this.emit("close", { code });
  }
}
globalThis.WebSocket = FakeWebSocket;
const documentListeners = {};
globalThis.document = {
  visibilityState: "visible",
  addEventListener: (type, fn) => (documentListeners[type] ||= []).push(fn),
};
globalThis.window = {
  location: { protocol: "http:", host: "expo.test" },
  addEventListener: () => {},
};

const client = await import(process.env.SOCKET_JS_URL);
const statuses = [];
client.onStatus((status) => statuses.push(status));
const frames = [];
const step = (name, extra = {}) =>
  console.log(
    JSON.stringify({
      step: name,
      now,
      sockets: sockets.length,
      status: statuses[statuses.length - 1],
      sent: sockets.map((s) => s.sent),
      closeCalls: sockets.map((s) => s.closeCalls),
      frames: frames.length,
      ...extra,
    }),
  );

client.join("booth:12", (frame) => frames.push(frame));
const first = sockets[0];
first.open();
first.deliver({ type: "history", room: "booth:12", messages: [{ id: 5 }], after_id: null });
first.deliver({ type: "message", room: "booth:12", id: 7, body: "halo" });
step("joined");

// A pong in time keeps the socket.
advance(25000);
first.deliver({ type: "pong", ts: now });
advance(15000);
step("answered");

// The server stops answering (a frozen socket): the next ping's pong never comes.
advance(10000);
step("ping unanswered");
advance(10000);
step("pong overdue");
advance(1000);
step("reconnecting");
const second = sockets[1];
if (!second) process.exit(0); // never reconnected: the assertions say so
second.open();
step("reopened");
// The dead socket's own close event, whenever it comes, starts no third connection.
first.closedBy(1006);
advance(5000);
step("late close ignored");

// The server closes after a server error (4500): reconnect and resume again.
second.deliver({ type: "message", room: "booth:12", id: 9, body: "lagi" });
second.closedBy(4500);
advance(1000);
const third = sockets[2];
if (!third) process.exit(0);
third.open();
step("after server error");
"""


@pytest.fixture(scope="module")
def node() -> str:
    found = shutil.which("node") or shutil.which("nodejs")
    if found is None:
        pytest.fail(
            "These tests run the browser's socket client under Node.js: install it "
            "(`apt-get install -y nodejs`).",
            pytrace=False,
        )
    return found


def _run(node: str) -> dict[str, dict]:
    done = subprocess.run(
        [node, "--input-type=module", "-e", HARNESS],
        capture_output=True,
        text=True,
        timeout=60,
        env={"SOCKET_JS_URL": SOCKET_JS.as_uri(), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return {step["step"]: step for step in map(json.loads, done.stdout.splitlines())}


def _types(sent: list[dict]) -> list[str]:
    return [frame["type"] for frame in sent]


def test_a_socket_without_pong_is_closed_and_replaced_and_resumes(node):
    steps = _run(node)

    joined = steps["joined"]
    assert joined["sockets"] == 1 and joined["status"] == "open"
    assert joined["sent"][0] == [{"type": "join", "room": "booth:12"}]

    answered = steps["answered"]  # pinged at 25 s, answered: nothing happens
    assert _types(answered["sent"][0]) == ["join", "ping"]
    assert answered["closeCalls"] == [0] and answered["sockets"] == 1

    assert _types(steps["ping unanswered"]["sent"][0]) == ["join", "ping", "ping"]
    overdue = steps["pong overdue"]  # 10 s without a pong: closed, given up, waiting to retry
    assert overdue["closeCalls"] == [1]
    assert overdue["status"] == "closed"
    assert overdue["sockets"] == 1

    assert steps["reconnecting"]["sockets"] == 2  # after the (jittered) first delay
    reopened = steps["reopened"]
    assert reopened["status"] == "open"
    # It resumes from the last message it saw, not from the start.
    assert reopened["sent"][1] == [{"type": "resume", "room": "booth:12", "after_id": 7}]

    late = steps["late close ignored"]
    assert late["sockets"] == 2 and late["status"] == "open"
    assert late["closeCalls"] == [1, 0]

    after = steps["after server error"]
    assert after["sockets"] == 3 and after["status"] == "open"
    assert after["sent"][2] == [{"type": "resume", "room": "booth:12", "after_id": 9}]
