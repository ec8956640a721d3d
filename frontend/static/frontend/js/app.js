// Small progressive enhancements shared by every page. Plain ES module, no build step.

const TZ_COOKIE = "umkm_tz";

function rememberTimeZone() {
  // The server shows times in the visitor's zone; tell it which one the browser is in.
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const current = document.cookie.split("; ").find((c) => c.startsWith(`${TZ_COOKIE}=`));
    if (zone && (!current || decodeURIComponent(current.split("=")[1]) !== zone)) {
      document.cookie = `${TZ_COOKIE}=${encodeURIComponent(zone)}; path=/; max-age=31536000; samesite=lax`;
    }
  } catch (_err) {
    // Old browsers: the server falls back to Asia/Jakarta.
  }
}

function wireNavigation() {
  const toggle = document.querySelector("[data-nav-toggle]");
  const nav = document.getElementById("site-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", () => {
      const open = nav.classList.toggle("is-open");
      toggle.setAttribute("aria-expanded", String(open));
    });
  }
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
  document.querySelectorAll("[data-dismiss]").forEach((button) => {
    button.addEventListener("click", () => button.parentElement.remove());
  });
  document.addEventListener("click", (event) => {
    document.querySelectorAll("details.user-menu[open]").forEach((menu) => {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
}

rememberTimeZone();
wireNavigation();
