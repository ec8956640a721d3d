// A PDF report being built: polls the job's status once a second and shows its progress, step and,
// when done, the download link. Plain ES module.
//
// The bar's width is a class (pct-0 … pct-100, frontend/css/scales.css): the Content-Security-Policy
// allows no style="" attribute, and a class keeps the width's transition.

const box = document.querySelector("[data-report-job]");

if (box) {
  const bar = box.querySelector("[data-job-bar]");
  const label = box.querySelector("[data-job-label]");
  const step = box.querySelector("[data-job-step]");
  const link = box.querySelector("[data-job-download]");

  const showProgress = (progress) => {
    const percent = Math.max(0, Math.min(100, Math.round(Number(progress) || 0)));
    bar.className = `pct-${percent}`;
    bar.parentElement.setAttribute("aria-valuenow", String(percent));
  };

  async function poll() {
    try {
      const response = await fetch(box.dataset.statusUrl, { credentials: "same-origin" });
      if (response.ok) {
        const status = await response.json();
        showProgress(status.progress);
        label.textContent = status.label;
        step.textContent = status.step || "";
        if (status.download) {
          link.hidden = false;
          return;
        }
        if (status.status === "failed") return;
      }
    } catch {
      // A network blip: the next poll tries again.
    }
    setTimeout(poll, 1000);
  }

  if (link.hidden) poll();
}
