// Add to cart without leaving the page (the form still works without JavaScript), the quantity
// steppers, and the header's cart count. Plain ES module.

function setCount(count) {
  document.querySelectorAll("[data-cart-count]").forEach((badge) => {
    badge.textContent = String(count);
    badge.hidden = !count;
  });
}

function showStatus(form, text, isError, link) {
  const status =
    form.parentElement.querySelector("[data-cart-status]") ||
    form.closest("[data-pinned]")?.querySelector("[data-cart-status]");
  if (!status) return;
  status.replaceChildren(document.createTextNode(text));
  status.classList.toggle("is-error", isError);
  if (link) {
    const a = document.createElement("a");
    a.href = link.href;
    a.textContent = link.text;
    status.append(" ", a);
  }
}

function wireSteppers(root) {
  root.querySelectorAll(".qty-step").forEach((button) => {
    button.addEventListener("click", () => {
      const input = button.parentElement.querySelector("input[type=number]");
      const min = Number(input.min || 1);
      const max = input.max ? Number(input.max) : Infinity;
      const next = Math.min(max, Math.max(min, Number(input.value || min) + Number(button.dataset.step)));
      input.value = String(next);
    });
  });
}

export function wireForm(form) {
  if (form.dataset.wired) return;
  form.dataset.wired = "1";
  wireSteppers(form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("[type=submit]");
    button.disabled = true;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const data = await response.json();
      if (data.ok) {
        setCount(data.count);
        showStatus(form, data.message, false, { href: data.cart_url, text: form.dataset.tView });
      } else {
        showStatus(form, (data.errors || []).join(" "), true);
      }
    } catch {
      form.submit(); // fall back to the plain form post
    } finally {
      button.disabled = false;
    }
  });
}

document.querySelectorAll("form[data-add-to-cart]").forEach(wireForm);
wireSteppers(document.querySelector("[data-cart-page]") || document.createElement("div"));
