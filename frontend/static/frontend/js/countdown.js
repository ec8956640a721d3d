// Live countdowns and local times. Plain ES module, no build step.
//
//   <strong data-countdown="2026-06-01T02:00:00Z" data-day-suffix="d" data-done="Opening now…">
//   <time datetime="2026-06-01T02:00:00Z" data-local-time [data-style="date"]>
//
// The server renders both already, in the visitor's time zone (the page's, see zone.js), with the
// zone's name; this keeps the countdown ticking and gives each time a title with its full date in
// that zone. When a countdown reaches zero the page reloads once, so the visitor sees the expo open
// without pressing anything.

import { formatMoment } from "./zone.js";

const SECOND = 1000;

function pad(n) {
  return String(n).padStart(2, "0");
}

export function formatRemaining(ms, daySuffix = "d") {
  const total = Math.max(0, Math.floor(ms / SECOND));
  const days = Math.floor(total / 86400);
  const hours = Math.floor((total % 86400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const clock = `${pad(hours)}:${pad(minutes)}:${pad(seconds)}`;
  return days > 0 ? `${days}${daySuffix} ${clock}` : clock;
}

function startCountdown(el) {
  const target = Date.parse(el.dataset.countdown || "");
  if (Number.isNaN(target)) return;
  const suffix = el.dataset.daySuffix || "d";
  let timer = null;
  const tick = () => {
    const left = target - Date.now();
    if (left <= 0) {
      clearInterval(timer);
      el.textContent = el.dataset.done || formatRemaining(0, suffix);
      // Give the server a moment past the boundary, then show the opened expo. A few tries at
      // most, in case this computer's clock runs ahead of the server's.
      const key = `countdown-reloads:${el.dataset.countdown}`;
      let tries = 0;
      try {
        tries = Number(sessionStorage.getItem(key) || 0);
        sessionStorage.setItem(key, String(tries + 1));
      } catch (_err) {
        tries = 3;
      }
      if (tries < 3) setTimeout(() => window.location.reload(), (tries + 1) * 2000 + Math.random() * 1500);
      return;
    }
    el.textContent = formatRemaining(left, suffix);
  };
  tick();
  timer = setInterval(tick, SECOND);
}

function describeTime(el) {
  // The server wrote the time in the page's zone and named it ("Mon 1 Jun 2026, 11:00 JST"); the
  // title gives the full date and the zone's full name ("Japan Standard Time") in the page's language.
  const moment = new Date(el.getAttribute("datetime") || "");
  if (Number.isNaN(moment.getTime()) || el.title) return;
  const options = el.dataset.style === "date" ? { dateStyle: "full" } : { dateStyle: "full", timeStyle: "full" };
  try {
    el.title = formatMoment(moment, options);
  } catch (_err) {
    // An unknown zone or language: the server's text says it all.
  }
}

document.querySelectorAll("[data-countdown]").forEach(startCountdown);
document.querySelectorAll("time[data-local-time]").forEach(describeTime);
