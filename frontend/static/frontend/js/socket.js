// The one websocket of this tab (/ws/), shared by every live part of the page. Plain ES module.
//
//   import { join, leave, send, onStatus } from "./socket.js";
//   const stop = join("booth:12", (frame) => { ... });   // every frame about that room
//   send({ type: "message", room: "booth:12", body: "Halo", client_id: "…" });
//
// It reconnects by itself (growing delays with jitter, at once when the tab comes back), and on
// reconnect asks each room for what it missed since the last message id it saw ("resume"), so a
// restart or a dropped connection loses nothing and shows nothing twice. See docs/realtime.md.
//
// A socket can die without the browser noticing (a server that stopped answering, a network that
// drops packets silently): every PING_MS it sends a ping, and a pong that has not come back within
// PONG_TIMEOUT_MS means the socket is dead: it is closed and replaced like any lost connection.

const PING_MS = 25000;
const PONG_TIMEOUT_MS = 10000;
const MAX_DELAY_MS = 30000;

const rooms = new Map(); // room -> { listeners: Set, lastId: number | null }
const statusListeners = new Set();
const outbox = [];
let socket = null;
let status = "idle";
let delay = 1000;
let retryTimer = null;
let pingTimer = null;
let pongTimer = null;

function url() {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${window.location.host}/ws/`;
}

function setStatus(next) {
  status = next;
  statusListeners.forEach((fn) => fn(next));
}

function raw(frame) {
  if (socket && socket.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify(frame));
    return true;
  }
  return false;
}

function enter(room, entry) {
  if (entry.lastId === null) raw({ type: "join", room });
  else raw({ type: "resume", room, after_id: entry.lastId });
}

function dispatch(frame) {
  const entry = frame.room ? rooms.get(frame.room) : null;
  if (entry) {
    if (frame.type === "message" && typeof frame.id === "number") {
      entry.lastId = Math.max(entry.lastId ?? 0, frame.id);
    } else if (frame.type === "history") {
      const ids = (frame.messages || []).map((m) => m.id);
      if (ids.length) entry.lastId = Math.max(entry.lastId ?? 0, ...ids);
      else if (entry.lastId === null) entry.lastId = frame.after_id ?? 0;
      // More were missed than one answer holds: ask for the rest.
      if (frame.more) raw({ type: "resume", room: frame.room, after_id: entry.lastId });
    }
    entry.listeners.forEach((fn) => fn(frame));
    return;
  }
  if (frame.type === "resume") {
    // The server could not keep up with this tab: reconnect and catch up at once.
    delay = 250;
    return;
  }
  if (!frame.room) rooms.forEach((e) => e.listeners.forEach((fn) => fn(frame)));
}

function ping() {
  if (!raw({ type: "ping", ts: Date.now() })) return;
  // The earliest unanswered ping sets the deadline; later ones do not push it back.
  const ws = socket;
  if (pongTimer === null) pongTimer = setTimeout(() => dead(ws), PONG_TIMEOUT_MS);
}

function stopHeartbeat() {
  clearInterval(pingTimer);
  clearTimeout(pongTimer);
  pingTimer = null;
  pongTimer = null;
}

function lost() {
  stopHeartbeat();
  socket = null;
  setStatus("closed");
  if (!rooms.size) return;
  // Many tabs reconnecting after a restart spread out instead of arriving together.
  const wait = Math.min(MAX_DELAY_MS, delay) * (0.5 + Math.random());
  delay = Math.min(MAX_DELAY_MS, delay * 2);
  retryTimer = setTimeout(connect, wait);
}

// No pong in time: give up on this socket now, without waiting for a close handshake that a dead
// connection never completes; its own close event, whenever it comes, is then ignored.
function dead(ws) {
  if (!ws || socket !== ws) return;
  try {
    ws.close();
  } catch (_err) {
    // already closing
  }
  lost();
}

function connect() {
  clearTimeout(retryTimer);
  retryTimer = null;
  setStatus("connecting");
  const ws = new WebSocket(url());
  socket = ws;
  ws.addEventListener("open", () => {
    if (socket !== ws) return;
    delay = 1000;
    setStatus("open");
    rooms.forEach((entry, room) => enter(room, entry));
    while (outbox.length && raw(outbox[0])) outbox.shift();
    stopHeartbeat();
    pingTimer = setInterval(ping, PING_MS);
  });
  ws.addEventListener("message", (event) => {
    if (socket !== ws) return;
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch (_err) {
      return;
    }
    if (!frame || typeof frame.type !== "string") return;
    if (frame.type === "pong") {
      clearTimeout(pongTimer);
      pongTimer = null;
    }
    dispatch(frame);
  });
  // Closed by the server (4500 after a server error, 4008 when too slow, a restart) or lost.
  ws.addEventListener("close", () => {
    if (socket === ws) lost();
  });
}

function ensureOpen() {
  if (!socket && !retryTimer) connect();
}

export function join(room, listener) {
  let entry = rooms.get(room);
  if (!entry) {
    entry = { listeners: new Set(), lastId: null };
    rooms.set(room, entry);
    if (socket && socket.readyState === WebSocket.OPEN) enter(room, entry);
  }
  entry.listeners.add(listener);
  ensureOpen();
  return () => leave(room, listener);
}

export function leave(room, listener) {
  const entry = rooms.get(room);
  if (!entry) return;
  entry.listeners.delete(listener);
  if (!entry.listeners.size) {
    rooms.delete(room);
    raw({ type: "leave", room });
  }
}

export function send(frame) {
  ensureOpen();
  if (!raw(frame)) outbox.push(frame);
}

export function onStatus(listener) {
  statusListeners.add(listener);
  listener(status);
  return () => statusListeners.delete(listener);
}

export function isOpen() {
  return status === "open";
}

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState !== "visible" || !rooms.size) return;
  // Back in view: reconnect at once, or check at once that the socket still answers (timers of
  // a hidden tab are slowed down, so the last ping may be long ago).
  if (!socket) connect();
  else if (socket.readyState === WebSocket.OPEN) ping();
});
window.addEventListener("online", () => {
  if (!socket && rooms.size) connect();
});
