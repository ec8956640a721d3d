// Chat panels ([data-chat]) over the tab's one socket (the vendor's inbox is inbox.js).
// Plain ES module. Every text from people is set with textContent, never parsed as HTML.

import { join, onStatus, send } from "./socket.js";
import { formatMoment } from "./zone.js";

const NEAR_BOTTOM_PX = 80;
const MAX_SHOWN = 300; // older messages leave the screen (they stay in the room's history)
const lang = (document.documentElement.lang || "en").toLowerCase();

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function clientId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

// Times in the page's zone (the visitor's, as the server's times: see zone.js); the title names it.
const DAY = { year: "numeric", month: "numeric", day: "numeric" };

function timeLabel(iso) {
  const moment = new Date(iso);
  if (Number.isNaN(moment.getTime())) return "";
  const sameDay = formatMoment(new Date(), DAY, lang) === formatMoment(moment, DAY, lang);
  const options = sameDay ? { hour: "2-digit", minute: "2-digit" } : { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" };
  return formatMoment(moment, options, lang);
}

function timeTitle(iso) {
  const moment = new Date(iso);
  return Number.isNaN(moment.getTime()) ? "" : formatMoment(moment, { dateStyle: "full", timeStyle: "full" }, lang);
}

class ChatPanel {
  constructor(root) {
    this.root = root;
    this.room = root.dataset.room;
    this.kind = root.dataset.chatKind || "";
    this.t = root.dataset;
    this.log = root.querySelector("[data-chat-log]");
    this.empty = root.querySelector("[data-chat-empty]");
    this.form = root.querySelector("[data-chat-form]");
    this.input = this.form ? this.form.querySelector("textarea") : null;
    this.chars = root.querySelector("[data-chat-chars]");
    this.notice = root.querySelector("[data-chat-notice]");
    this.login = root.querySelector("[data-chat-login]");
    this.toast = root.querySelector("[data-chat-toast]");
    this.presence = root.querySelector("[data-chat-presence]");
    this.count = root.querySelector("[data-chat-count]");
    this.status = root.querySelector("[data-chat-status]");
    this.statusText = root.querySelector("[data-chat-status-text]");
    this.items = new Map(); // message id -> <li>
    this.pending = new Map(); // client id -> <li>
    this.mine = new Set(); // client ids sent from this tab
    this.you = { authenticated: false, can_send: false, can_moderate: false };
    this.lastRead = 0;
    this.log.querySelectorAll("li[data-id]").forEach((li) => li.remove()); // server-rendered fallback
    this.wireForm();
    onStatus((state) => this.showStatus(state));
    join(this.room, (frame) => this.handle(frame));
    document.addEventListener("visibilitychange", () => this.markRead());
  }

  showStatus(state) {
    const text = { open: this.t.tOnline, connecting: this.t.tConnecting, closed: this.t.tOffline, idle: this.t.tConnecting }[state];
    this.root.dataset.status = state;
    if (this.statusText && text) this.statusText.textContent = text;
    if (this.form) this.form.classList.toggle("is-offline", state !== "open");
  }

  handle(frame) {
    switch (frame.type) {
      case "history":
        if (frame.after_id === null || frame.after_id === undefined) {
          this.items.forEach((li) => li.remove());
          this.items.clear();
        }
        (frame.deleted || []).forEach((id) => this.remove(id));
        frame.messages.forEach((m) => this.add(m, false));
        if (frame.you) this.setYou(frame.you);
        this.scrollDown(true);
        this.markRead();
        break;
      case "message":
        this.add(frame, true);
        this.markRead();
        break;
      case "deleted":
        this.remove(frame.id);
        break;
      case "presence":
        if (this.count) this.count.textContent = String(frame.count);
        if (this.presence) this.presence.hidden = false;
        break;
      case "error":
        this.failed(frame);
        break;
      case "notice":
        this.say(frame.message, "info");
        break;
      default:
        break;
    }
    this.empty.hidden = this.items.size > 0 || this.pending.size > 0;
  }

  setYou(you) {
    this.you = you;
    const canSend = Boolean(you.can_send);
    if (this.form) this.form.hidden = !canSend;
    if (this.login) this.login.hidden = you.authenticated || you.code !== "login_required";
    if (this.notice) {
      const show = !canSend && you.code !== "login_required" && Boolean(you.notice);
      this.notice.hidden = !show;
      this.notice.textContent = show ? you.notice : "";
      this.notice.dataset.code = you.code || "";
    }
    this.root.classList.toggle("can-moderate", Boolean(you.can_moderate));
    this.items.forEach((li) => this.decorate(li));
  }

  render(m) {
    const li = el("li", `chat-msg chat-role-${m.author.role}`);
    li.dataset.id = m.id ?? "";
    li.dataset.role = m.author.role;
    const head = el("div", "chat-msg-head");
    head.append(el("span", "chat-avatar", (m.author.name || "?").trim().charAt(0).toUpperCase()));
    head.append(el("span", "chat-author", m.author.name));
    if (m.author.role !== "buyer") {
      const label = m.author.role === "vendor" ? this.t.tVendor : this.t.tOrganiser;
      head.append(el("span", `badge badge-${m.author.role}`, label));
    }
    if (m.client_id && this.mine.has(m.client_id)) {
      li.classList.add("is-mine");
      head.append(el("span", "chat-you", `· ${this.t.tYou}`));
    }
    const time = el("time", "chat-time", m.sent_at ? timeLabel(m.sent_at) : this.t.tSending);
    if (m.sent_at) {
      time.dateTime = m.sent_at;
      time.title = timeTitle(m.sent_at);
    }
    head.append(time);
    li.append(head, el("p", "chat-body", m.body));
    return li;
  }

  decorate(li) {
    li.querySelector(".chat-actions")?.remove();
    const id = Number(li.dataset.id);
    if (!id || !this.you.authenticated) return;
    const mine = li.classList.contains("is-mine");
    const actions = [];
    if (this.you.can_moderate) {
      actions.push(["delete", this.t.tDelete, this.t.tConfirmDelete]);
      if (!mine && li.dataset.role === "buyer") actions.push(["mute", this.t.tMute, this.t.tConfirmMute]);
    }
    if (!mine && this.kind !== "inquiry") actions.push(["report", this.t.tReport, this.t.tConfirmReport]);
    if (!actions.length) return;
    const menu = el("details", "chat-actions");
    const summary = el("summary", "chat-actions-toggle");
    summary.setAttribute("aria-label", this.t.tActions);
    summary.append(el("span", "", "⋯"));
    const list = el("div", "chat-actions-menu");
    actions.forEach(([action, label, question]) => {
      const button = el("button", `chat-action chat-action-${action}`, label);
      button.type = "button";
      button.dataset.action = action;
      button.addEventListener("click", () => {
        menu.open = false;
        if (question && !window.confirm(question)) return;
        const frame = { type: action, room: this.room, id };
        if (action === "mute") frame.minutes = 60;
        send(frame);
      });
      list.append(button);
    });
    menu.append(summary, list);
    li.append(menu);
  }

  add(m, live) {
    if (this.items.has(m.id)) return;
    const nearBottom = this.isNearBottom();
    const li = this.render(m);
    const waiting = m.client_id ? this.pending.get(m.client_id) : null;
    if (waiting) {
      waiting.replaceWith(li);
      this.pending.delete(m.client_id);
    } else {
      // Keep id order even if a resume answer arrives after live messages.
      const later = [...this.items.entries()].find(([id]) => id > m.id);
      if (later) this.log.insertBefore(li, later[1]);
      else this.log.append(li);
    }
    this.items.set(m.id, li);
    this.decorate(li);
    if (this.items.size > MAX_SHOWN) {
      const oldest = Math.min(...this.items.keys());
      this.items.get(oldest).remove();
      this.items.delete(oldest);
    }
    if (live) this.scrollDown(nearBottom || (m.client_id && this.mine.has(m.client_id)));
  }

  remove(id) {
    const li = this.items.get(id);
    if (!li) return;
    this.items.delete(id);
    li.classList.add("is-removing");
    setTimeout(() => li.remove(), 180);
  }

  failed(frame) {
    const li = frame.client_id ? this.pending.get(frame.client_id) : null;
    if (li) {
      li.classList.add("is-failed");
      const time = li.querySelector(".chat-time");
      if (time) time.textContent = this.t.tFailed;
      li.append(el("p", "chat-error", frame.message));
      this.pending.delete(frame.client_id);
      if (this.input && !this.input.value) this.input.value = li.querySelector(".chat-body").textContent;
      setTimeout(() => li.remove(), 6000);
    } else {
      this.say(frame.message, "error");
    }
    if (frame.code === "chat_closed" || frame.code === "muted" || frame.code === "login_required") {
      this.setYou({ ...this.you, can_send: false, code: frame.code, notice: frame.message });
    }
  }

  say(text, kind) {
    if (!this.toast || !text) return;
    this.toast.textContent = text;
    this.toast.dataset.kind = kind;
    this.toast.hidden = false;
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => {
      this.toast.hidden = true;
    }, 5000);
  }

  isNearBottom() {
    return this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < NEAR_BOTTOM_PX;
  }

  scrollDown(force) {
    if (force) this.log.scrollTop = this.log.scrollHeight;
  }

  markRead() {
    if (this.kind !== "inquiry" || document.visibilityState !== "visible") return;
    const ids = [...this.items.keys()];
    const last = ids.length ? Math.max(...ids) : 0;
    if (last > this.lastRead) {
      this.lastRead = last;
      send({ type: "read", room: this.room, id: last });
    }
  }

  wireForm() {
    if (!this.form || !this.input) return;
    const update = () => {
      const n = this.input.value.length;
      if (this.chars) this.chars.textContent = `${n} / 1000`;
      this.input.style.height = "auto";
      this.input.style.height = `${Math.min(this.input.scrollHeight, 160)}px`;
    };
    this.input.addEventListener("input", update);
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.form.requestSubmit();
      }
    });
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = this.input.value.trim();
      if (!body) return;
      const id = clientId();
      this.mine.add(id);
      const li = this.render({ author: { name: this.t.tYou, role: "buyer" }, body, client_id: id });
      li.classList.add("is-pending", "is-mine");
      this.pending.set(id, li);
      this.log.append(li);
      this.empty.hidden = true;
      this.scrollDown(true);
      send({ type: "message", room: this.room, body, client_id: id });
      this.input.value = "";
      update();
    });
  }
}

document.querySelectorAll("[data-chat]").forEach((root) => new ChatPanel(root));
