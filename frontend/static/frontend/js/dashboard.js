// The live omzet dashboard: joins the expo's "omzet:<id>" room on the one websocket (socket.js),
// shows each "omzet" frame's figures at once, then refreshes the detailed figures from the server
// at most once a second (bursts of payments cost one request). Plain ES module.
import { join, onStatus } from "./socket.js";

const REFRESH_MS = 1000;
const root = document.querySelector("[data-omzet-room]");

if (root) {
  const room = root.dataset.omzetRoom;
  const figuresUrl = root.dataset.figuresUrl;
  const status = document.querySelector("[data-live-status]");
  const announce = document.querySelector("[data-live-announce]");
  const numbers = new Intl.NumberFormat("id-ID"); // rupiah are written 1.250.000 in both languages
  let shown = { omzet: null, transactions: null };
  let lastFetch = 0;
  let timer = null;
  let inFlight = false;

  const rupiah = (value) => (value < 0 ? "-Rp " : "Rp ") + numbers.format(Math.abs(value));

  function show(name, value) {
    root.querySelectorAll(`[data-figure="${name}"]`).forEach((el) => {
      if (el.dataset.value === String(value)) return;
      el.dataset.value = String(value);
      el.textContent = el.dataset.format === "rupiah" ? rupiah(value) : String(value);
      el.classList.add("db-bumped");
      setTimeout(() => el.classList.remove("db-bumped"), 1200);
    });
  }

  async function refresh() {
    timer = null;
    if (inFlight) {
      timer = setTimeout(refresh, REFRESH_MS);
      return;
    }
    inFlight = true;
    lastFetch = Date.now();
    try {
      const response = await fetch(figuresUrl, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (response.ok) {
        const html = await response.text();
        const open = [...root.querySelectorAll("details[open]")].map((d) => d.querySelector("summary")?.textContent);
        root.innerHTML = html;
        root.querySelectorAll("details").forEach((d) => {
          if (open.includes(d.querySelector("summary")?.textContent)) d.open = true;
        });
      }
    } catch (_err) {
      // The next frame or reconnect tries again.
    } finally {
      inFlight = false;
    }
  }

  function scheduleRefresh() {
    if (timer) return;
    const wait = Math.max(0, REFRESH_MS - (Date.now() - lastFetch));
    timer = setTimeout(refresh, wait);
  }

  join(room, (frame) => {
    if (frame.type !== "omzet") return;
    const before = Number(root.querySelector('[data-figure="omzet"]')?.dataset.value);
    const changed = frame.omzet !== shown.omzet || frame.transactions !== shown.transactions;
    const first = shown.omzet === null;
    shown = { omzet: frame.omzet, transactions: frame.transactions };
    show("omzet", frame.omzet);
    show("transactions", frame.transactions);
    if (changed && !first) {
      if (announce) announce.textContent = rupiah(frame.omzet);
      scheduleRefresh();
    } else if (first && before !== frame.omzet) {
      scheduleRefresh();
    }
  });

  onStatus((state) => {
    if (!status) return;
    status.dataset.state = state;
    const label = status.querySelector("[data-live-label]");
    if (label) label.textContent = status.dataset[`label${state === "open" ? "Open" : state === "closed" ? "Closed" : "Connecting"}`] || "";
  });
}
