// Banner slots: fill each placeholder with banners drawn for this visitor, and report honest
// impressions. A banner counts as seen only when at least half of it is on screen for a whole
// second; each is reported once per visitor per banner per hour (remembered in localStorage, and
// enforced again by the server); reports are batched into one beacon.

const VISIBLE_RATIO = 0.5;
const VISIBLE_MS = 1000;
const REPORT_AFTER_MS = 1500;
const ONCE_PER_MS = 60 * 60 * 1000;
const ROTATE_MS = 6000;

const queue = [];
let seenUrl = null;
let reportTimer = null;

function seenRecently(id) {
  try {
    const at = Number(localStorage.getItem(`umkm-banner-seen:${id}`) || 0);
    return Date.now() - at < ONCE_PER_MS;
  } catch {
    return false;
  }
}

function markSeen(id) {
  try {
    localStorage.setItem(`umkm-banner-seen:${id}`, String(Date.now()));
  } catch {
    /* private mode: the server still de-duplicates */
  }
}

function report() {
  clearTimeout(reportTimer);
  reportTimer = null;
  if (!queue.length || !seenUrl) return;
  const body = JSON.stringify({ t: queue.splice(0, queue.length) });
  const blob = new Blob([body], { type: "application/json" });
  if (!(navigator.sendBeacon && navigator.sendBeacon(seenUrl, blob))) {
    fetch(seenUrl, { method: "POST", body, keepalive: true, credentials: "same-origin", headers: { "Content-Type": "application/json" } }).catch(() => {});
  }
}

function enqueue(banner) {
  if (seenRecently(banner.id)) return;
  markSeen(banner.id);
  queue.push(banner.token);
  if (!reportTimer) reportTimer = setTimeout(report, REPORT_AFTER_MS);
}

const timers = new WeakMap();
const observer = "IntersectionObserver" in window
  ? new IntersectionObserver((entries) => {
      for (const entry of entries) {
        const el = entry.target;
        const visible = entry.isIntersecting && entry.intersectionRatio >= VISIBLE_RATIO;
        if (visible && !timers.has(el)) {
          timers.set(el, setTimeout(() => {
            timers.delete(el);
            observer.unobserve(el);
            enqueue(el._banner);
          }, VISIBLE_MS));
        } else if (!visible && timers.has(el)) {
          clearTimeout(timers.get(el));
          timers.delete(el);
        }
      }
    }, { threshold: [0, VISIBLE_RATIO, 1] })
  : null;

function ensureStyles(href) {
  if (!href || document.querySelector(`link[data-banner-css]`)) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = href;
  link.dataset.bannerCss = "";
  document.head.append(link);
}

function bannerElement(banner, slot) {
  const figure = document.createElement("figure");
  figure.className = "banner";
  figure.dataset.bannerId = banner.id;
  figure.dataset.testid = "banner";
  const link = document.createElement("a");
  link.href = banner.href;
  link.className = "banner-link";
  link.rel = "sponsored";
  // The box keeps the slot's shape before (or without) the image: no layout shift, and what is
  // measured for an impression is the banner's real place on the page.
  link.style.aspectRatio = `${banner.width} / ${banner.height}`;
  const img = document.createElement("img");
  img.src = banner.image;
  img.alt = banner.alt;
  img.width = banner.width;
  img.height = banner.height;
  img.decoding = "async";
  link.append(img);
  const label = document.createElement("figcaption");
  label.className = "banner-label";
  label.textContent = banner.house ? slot.dataset.tHouse : slot.dataset.tLabel;
  figure.append(link, label);
  figure._banner = banner;
  return figure;
}

// The hall's hero carousel (WCAG 2.2.2, pause, stop, hide): it turns every few seconds only while
// nobody reads or uses it. A visible Pause/Play button stops and restarts it; pointing at a banner or
// moving the focus into it holds it; a visitor who prefers reduced motion gets it paused (and may
// still press Play); a hidden tab holds it too. While it turns, screen readers are not told each
// change (aria-live off); once paused they are.
function carousel(slot, figures) {
  const track = document.createElement("div");
  track.className = "banner-track";
  figures.forEach((f, i) => { f.hidden = i !== 0; track.append(f); });
  slot.append(track);
  if (figures.length < 2) return;
  slot.setAttribute("role", "region");
  slot.setAttribute("aria-roledescription", slot.dataset.tCarousel || "carousel");
  let current = 0;
  const dots = document.createElement("div");
  dots.className = "banner-dots";
  const show = (n) => {
    figures[current].hidden = true;
    dots.children[current].removeAttribute("aria-current");
    current = (n + figures.length) % figures.length;
    figures[current].hidden = false;
    dots.children[current].setAttribute("aria-current", "true");
  };
  figures.forEach((_, i) => {
    const dot = document.createElement("button");
    dot.type = "button";
    dot.className = "banner-dot";
    dot.setAttribute("aria-label", slot.dataset.tShow.replace("%(n)s", String(i + 1)));
    if (i === 0) dot.setAttribute("aria-current", "true");
    dot.addEventListener("click", () => show(i));
    dots.append(dot);
  });
  for (const [cls, step, label] of [["banner-prev", -1, slot.dataset.tPrev], ["banner-next", 1, slot.dataset.tNext]]) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = `banner-arrow ${cls}`;
    button.setAttribute("aria-label", label);
    button.textContent = step < 0 ? "‹" : "›";
    button.addEventListener("click", () => show(current + step));
    slot.append(button);
  }

  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
  const held = { pointer: false, focus: false };
  let stopped = reducedMotion.matches; // by the visitor (the button) or their motion preference
  let timer = null;

  const toggle = document.createElement("button");
  toggle.type = "button";
  toggle.className = "banner-pause";
  toggle.dataset.testid = "banner-pause";
  const icon = document.createElement("span");
  icon.setAttribute("aria-hidden", "true");
  const text = document.createElement("span");
  toggle.append(icon, text);

  const turning = () => !stopped && !held.pointer && !held.focus && !document.hidden;
  const update = () => {
    clearTimeout(timer);
    timer = null;
    icon.textContent = stopped ? "▶" : "❚❚";
    text.textContent = stopped ? slot.dataset.tPlay : slot.dataset.tPause;
    toggle.dataset.state = stopped ? "paused" : "playing";
    slot.dataset.rotating = turning() ? "true" : "false";
    track.setAttribute("aria-live", turning() ? "off" : "polite");
    if (turning()) timer = setTimeout(() => { show(current + 1); update(); }, ROTATE_MS);
  };
  toggle.addEventListener("click", () => { stopped = !stopped; update(); });
  const hold = (what, value) => { held[what] = value; update(); };
  track.addEventListener("mouseenter", () => hold("pointer", true));
  track.addEventListener("mouseleave", () => hold("pointer", false));
  // Focus on the Pause/Play button itself holds nothing: pressing Play there must play.
  slot.addEventListener("focusin", (event) => hold("focus", event.target !== toggle));
  slot.addEventListener("focusout", (event) => {
    if (!slot.contains(event.relatedTarget)) hold("focus", false);
  });
  reducedMotion.addEventListener("change", () => { stopped = reducedMotion.matches; update(); });
  document.addEventListener("visibilitychange", update);

  const controls = document.createElement("div");
  controls.className = "banner-controls";
  controls.append(toggle, dots);
  slot.append(controls);
  update();
}

async function fill(slot) {
  if (slot.dataset.filled) return;
  slot.dataset.filled = "1";
  seenUrl = seenUrl || slot.dataset.seen;
  ensureStyles(slot.dataset.css);
  let data;
  try {
    const response = await fetch(slot.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) return;
    data = await response.json();
  } catch {
    return;
  }
  if (!data.banners || !data.banners.length) return;
  const figures = data.banners.map((b) => bannerElement(b, slot));
  if (slot.dataset.bannerSlot === "hall_hero") {
    slot.classList.add("banner-carousel");
    carousel(slot, figures);
  } else {
    const list = document.createElement("div");
    list.className = "banner-list";
    list.append(...figures);
    slot.append(list);
  }
  slot.hidden = false;
  if (observer) figures.forEach((figure) => observer.observe(figure));
}

document.querySelectorAll("[data-banner-slot]").forEach(fill);
document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") report(); });
window.addEventListener("pagehide", report);
