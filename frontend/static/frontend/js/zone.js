// The time zone of a page's times, for every script that writes or checks one. Plain ES module.
//
//   <meta name="time-zone" content="Asia/Tokyo" [data-follow]>
//
// The server renders each time in the visitor's zone and names it in this tag: the account's zone,
// else the one this module reported in the "umkm_tz" cookie, else Asia/Jakarta. data-follow marks
// a page (a GET without an account zone) whose times follow the browser's own zone.

export const TZ_COOKIE = "umkm_tz";
// What an IANA zone name is made of ("America/Argentina/Buenos_Aires", "Etc/GMT+9"): characters
// that may stand in a cookie as they are, so the server reads the name without decoding it.
const ZONE_NAME = /^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/;

export function browserZone() {
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    return zone && ZONE_NAME.test(zone) ? zone : "";
  } catch (_err) {
    return "";
  }
}

function zoneTag() {
  return document.querySelector('meta[name="time-zone"]');
}

export function pageZone() {
  const tag = zoneTag();
  const drawn = (tag && tag.content) || undefined;
  if (tag && tag.hasAttribute("data-follow")) return browserZone() || drawn;
  return drawn;
}

export function formatMoment(moment, options, lang = document.documentElement.lang || undefined) {
  const zone = pageZone();
  try {
    return new Intl.DateTimeFormat(lang, zone ? { ...options, timeZone: zone } : options).format(moment);
  } catch (_err) {
    return new Intl.DateTimeFormat(undefined, options).format(moment);
  }
}

function storedZone() {
  const entry = document.cookie.split("; ").find((c) => c.startsWith(`${TZ_COOKIE}=`));
  return entry ? entry.slice(TZ_COOKIE.length + 1) : null;
}

export function rememberTimeZone() {
  // Tell the server which zone the browser is in. Written as it is, not URL-encoded: an encoded
  // "Asia%2FTokyo" is not a zone name, and the server would fall back to Asia/Jakarta.
  const zone = browserZone();
  if (!zone) return false;
  if (storedZone() !== zone) {
    document.cookie = `${TZ_COOKIE}=${zone}; path=/; max-age=31536000; samesite=lax`;
  }
  return storedZone() === zone;
}

export function showInBrowserZone() {
  // A visit's first page is drawn before the server knows the browser's zone. If its times follow
  // the browser and were drawn in another zone, load it again now that the cookie tells the
  // server: it came from a GET, so nothing is sent twice. Once per zone in a tab, and not over a
  // message the reload would lose.
  const tag = zoneTag();
  const zone = browserZone();
  if (!tag || !tag.hasAttribute("data-follow") || !zone || zone === tag.content) return;
  if (document.querySelector(".flash-stack")) return;
  const key = `tz-reloaded:${zone}`;
  try {
    if (sessionStorage.getItem(key)) return;
    sessionStorage.setItem(key, "1");
  } catch (_err) {
    return;
  }
  window.location.reload();
}
