// Live countdowns and local times. Plain ES module, no build step.
//
//   <strong data-countdown="2026-06-01T02:00:00Z" data-day-suffix="d" data-done="Opening now…">
//   <time datetime="2026-06-01T02:00:00Z" data-local-time [data-tz="Asia/Jakarta"] [data-style="date"]>
//
// The server renders both already (in the visitor's time zone); this keeps the countdown ticking and
// re-renders times with the browser's own date formatting. When a countdown reaches zero the page
// reloads once, so the visitor sees the expo open without pressing anything.

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

function localiseTime(el) {
  const moment = new Date(el.getAttribute("datetime") || "");
  if (Number.isNaN(moment.getTime())) return;
  const options =
    el.dataset.style === "date"
      ? { dateStyle: "medium" }
      : { weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" };
  if (el.dataset.tz) options.timeZone = el.dataset.tz;
  try {
    const lang = document.documentElement.lang || undefined;
    el.textContent = new Intl.DateTimeFormat(lang, options).format(moment);
    if (!el.title) {
      el.title = new Intl.DateTimeFormat(lang, { dateStyle: "full", timeStyle: "long", timeZone: options.timeZone }).format(moment);
    }
  } catch (_err) {
    // An unknown zone or locale: keep the server's rendering.
  }
}

document.querySelectorAll("[data-countdown]").forEach(startCountdown);
document.querySelectorAll("time[data-local-time]").forEach(localiseTime);
