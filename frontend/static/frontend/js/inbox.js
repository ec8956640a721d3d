// The vendor's inbox ([data-inbox]) over the tab's one socket. Plain ES module.
//
// It listens to the vendor's inbox room (inbox:<vendor id>): an "inbox" frame for a thread on the
// page moves its row to the top with the new preview and time and, when the buyer wrote, counts
// it unread. A thread not on the page yet (a new question) is fetched: the page is read again
// and its list put in place, so the new row is drawn by the server exactly as on a reload (names,
// expo, time zone, escaping). Texts from people are set with textContent.

import { join } from "./socket.js";
import { formatMoment } from "./zone.js";

const lang = (document.documentElement.lang || "en").toLowerCase();
const DAY = { year: "numeric", month: "numeric", day: "numeric" };
const REFRESH_DELAY_MS = 150; // questions arriving together are fetched once

function timeLabel(iso) {
  const moment = new Date(iso);
  if (Number.isNaN(moment.getTime())) return "";
  const sameDay = formatMoment(new Date(), DAY, lang) === formatMoment(moment, DAY, lang);
  const options = sameDay
    ? { hour: "2-digit", minute: "2-digit" }
    : { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" };
  return formatMoment(moment, options, lang);
}

class Inbox {
  constructor(root) {
    this.root = root;
    this.timer = null;
    this.fetching = false;
    this.again = false;
    join(root.dataset.room, (frame) => this.handle(frame));
  }

  handle(frame) {
    if (frame.type !== "inbox") return;
    const row = this.root.querySelector(`[data-inquiry="${Number(frame.inquiry)}"]`);
    if (!row) {
      this.refreshSoon();
      return;
    }
    const preview = row.querySelector("[data-inbox-preview]");
    if (preview) preview.textContent = frame.preview;
    const when = row.querySelector("[data-inbox-time]");
    if (when) {
      // Named like the server-drawn rows: "3 Dec, 14:05 JST" (the zone's abbreviation from the list).
      const abbr = this.root.querySelector("[data-inbox-list]")?.dataset.zoneAbbr;
      when.textContent = abbr ? `${timeLabel(frame.sent_at)} ${abbr}` : timeLabel(frame.sent_at);
    }
    if (frame.from === "buyer") {
      const badge = row.querySelector("[data-inbox-unread]");
      if (badge) {
        badge.textContent = String(Number(badge.textContent || 0) + 1);
        badge.hidden = false;
      }
      row.classList.add("is-unread");
      const total = this.root.querySelector("[data-inbox-total]");
      if (total) total.textContent = String(Number(total.textContent || 0) + 1);
    }
    const list = this.root.querySelector("[data-inbox-list]");
    if (list) list.prepend(row);
  }

  refreshSoon() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), REFRESH_DELAY_MS);
  }

  async refresh() {
    if (this.fetching) {
      this.again = true;
      return;
    }
    this.fetching = true;
    try {
      const response = await fetch(window.location.href, {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      });
      if (response.ok) {
        const page = new DOMParser().parseFromString(await response.text(), "text/html");
        const fresh = page.querySelector("[data-inbox]");
        if (fresh) this.root.replaceChildren(...fresh.childNodes);
      } else {
        this.hint();
      }
    } catch (_err) {
      this.hint();
    } finally {
      this.fetching = false;
      if (this.again) {
        this.again = false;
        this.refresh();
      }
    }
  }

  hint() {
    // Could not fetch: say so, with a link to reload.
    const hint = this.root.querySelector("[data-inbox-new]");
    if (hint) hint.hidden = false;
  }
}

document.querySelectorAll("[data-inbox]").forEach((root) => new Inbox(root));
