// The bell in the header ([data-bell]: twice, the phone bar's and the menu's) over the tab's one
// socket. Plain ES module. See docs/realtime.md, "The bell".
//
// It joins the person's own room (user:<id>). Every "bell" frame carries the unread count; the
// first one after joining (and after every reconnect) also the latest notifications ("recent"),
// later ones a new or updated notification, or which were read in another tab. The count the
// server drew in the page is shown until then. Texts come in every language of the site and are
// set with textContent, never parsed as HTML.
//
// Following a notification's link marks it read (a POST that outlives the page: keepalive);
// "Mark all as read" goes over the socket when it is open, else as the form's own POST.

import { join, isOpen, send } from "./socket.js";
import { formatMoment } from "./zone.js";

const SHOWN = 8;
const lang = (document.documentElement.lang || "en").toLowerCase().slice(0, 2);
const DAY = { year: "numeric", month: "numeric", day: "numeric" };

const roots = [...document.querySelectorAll("[data-bell]")];
const state = { unread: null, items: new Map() };

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function textOf(item) {
  const text = item.text || {};
  return text[lang] || text.en || Object.values(text)[0] || "";
}

function timeLabel(iso) {
  const moment = new Date(iso);
  if (Number.isNaN(moment.getTime())) return "";
  const sameDay = formatMoment(new Date(), DAY, lang) === formatMoment(moment, DAY, lang);
  const options = sameDay
    ? { hour: "2-digit", minute: "2-digit" }
    : { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" };
  return formatMoment(moment, options, lang);
}

function csrfToken() {
  const input = document.querySelector("[data-bell] input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

function readUrl(id) {
  const root = roots[0];
  return root ? root.dataset.readUrl.replace(/\/0\/read\/$/, `/${id}/read/`) : "";
}

// Marked read on the server as the browser follows the link: keepalive lets the request finish
// after the page is gone.
function markRead(id) {
  const item = state.items.get(id);
  if (item && !item.read) {
    item.read = true;
    if (state.unread) state.unread -= 1;
    draw();
  }
  const url = readUrl(id);
  if (!url) return;
  fetch(url, {
    method: "POST",
    keepalive: true,
    credentials: "same-origin",
    headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
  }).catch(() => {});
}

function row(item) {
  const li = el("li", item.read ? "bell-item" : "bell-item is-unread");
  li.dataset.testid = "bell-item";
  const link = el("a", "bell-item-link");
  link.href = item.url;
  link.dataset.notificationLink = String(item.id);
  link.append(el("span", "bell-item-text", textOf(item)));
  if (item.detail) link.append(el("span", "bell-item-detail", item.detail));
  const time = el("time", "bell-item-time", timeLabel(item.at));
  time.dateTime = item.at || "";
  link.append(time);
  li.append(link);
  return li;
}

function newestFirst() {
  return [...state.items.values()].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : b.id - a.id));
}

function draw() {
  const items = newestFirst().slice(0, SHOWN);
  roots.forEach((root) => {
    const count = root.querySelector("[data-bell-count]");
    if (count && state.unread !== null) {
      count.textContent = String(state.unread);
      count.hidden = state.unread <= 0;
    }
    const list = root.querySelector("[data-bell-list]");
    if (list) list.replaceChildren(...items.map(row));
    const empty = root.querySelector("[data-bell-empty]");
    if (empty) empty.hidden = items.length > 0;
  });
}

function handle(frame) {
  if (frame.type !== "bell") return;
  if (typeof frame.unread === "number") state.unread = frame.unread;
  if (Array.isArray(frame.recent)) state.items = new Map(frame.recent.map((item) => [item.id, item]));
  if (frame.notification) state.items.set(frame.notification.id, frame.notification);
  if (frame.read === "all") state.items.forEach((item) => { item.read = true; });
  else if (Array.isArray(frame.read)) {
    frame.read.forEach((id) => {
      const item = state.items.get(id);
      if (item) item.read = true;
    });
  }
  // Keep only what the panel shows.
  newestFirst().slice(SHOWN).forEach((item) => state.items.delete(item.id));
  draw();
}

function close(root) {
  const panel = root.querySelector("[data-bell-panel]");
  const toggle = root.querySelector("[data-bell-toggle]");
  if (panel) panel.hidden = true;
  if (toggle) toggle.setAttribute("aria-expanded", "false");
}

function setUp(root) {
  const toggle = root.querySelector("[data-bell-toggle]");
  const panel = root.querySelector("[data-bell-panel]");
  if (!toggle || !panel) return;
  // The link opens the notifications page without the script; with it, the panel.
  toggle.setAttribute("role", "button");
  toggle.setAttribute("aria-expanded", "false");
  toggle.setAttribute("aria-haspopup", "true");
  toggle.addEventListener("click", (event) => {
    event.preventDefault();
    const opening = panel.hidden;
    roots.forEach(close);
    panel.hidden = !opening;
    toggle.setAttribute("aria-expanded", String(opening));
  });
  const readAll = root.querySelector("form[data-bell-read-all]");
  if (readAll) {
    readAll.addEventListener("submit", (event) => {
      if (!isOpen()) return; // the form's own POST
      event.preventDefault();
      send({ type: "bell_read", all: true });
      state.unread = 0;
      state.items.forEach((item) => { item.read = true; });
      draw();
    });
  }
}

// Links to notifications, in the panels and on the notifications page.
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("[data-notification-link]");
  if (link) markRead(Number(link.dataset.notificationLink));
  else if (!event.target.closest || !event.target.closest("[data-bell]")) roots.forEach(close);
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") roots.forEach(close);
});

if (roots.length) {
  roots.forEach(setUp);
  const empty = roots.map((root) => root.querySelector("[data-bell-empty]"));
  empty.forEach((node) => { if (node) node.hidden = true; }); // until the first frame says
  join(roots[0].dataset.room, handle);
}
