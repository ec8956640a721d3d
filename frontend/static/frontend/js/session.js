// A live session's page: pinned products change on every screen as the vendor pins them, and the
// vendor's pin buttons work without a page load. Plain ES module; the chat is chat.js.

import { wireForm } from "./cart.js";
import { join } from "./socket.js";

const lang = (document.documentElement.lang || "en").toLowerCase().startsWith("id") ? "id" : "en";

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function showPinState(form, pinned) {
  form.querySelector("input[name=action]").value = pinned ? "unpin" : "pin";
  const button = form.querySelector("button");
  button.textContent = pinned ? form.dataset.tUnpin : form.dataset.tPin;
  button.classList.toggle("btn-brand", !pinned);
  button.classList.toggle("btn-secondary", pinned);
  form.closest("[data-pin-row]")?.classList.toggle("is-pinned", pinned);
}

function csrfToken() {
  const field = document.querySelector("input[name=csrfmiddlewaretoken]");
  return field ? field.value : "";
}

// While the expo sells, a pinned product goes straight into the cart (cart.js posts the form);
// otherwise the card links to the product page.
function buyButton(root, p, view) {
  if (!root.dataset.cartUrl || !p.available) {
    const link = el("a", "btn btn-primary btn-small pin-cta", view);
    link.href = p.url;
    return link;
  }
  const form = el("form", "pin-cta");
  form.method = "post";
  form.action = root.dataset.cartUrl;
  form.dataset.addToCart = "";
  form.dataset.tView = root.dataset.tViewCart;
  for (const [name, value] of [["csrfmiddlewaretoken", csrfToken()], ["product", p.id], ["quantity", p.min_order || 1], ["next", location.pathname]]) {
    const input = el("input");
    input.type = "hidden";
    input.name = name;
    input.value = String(value);
    form.append(input);
  }
  const button = el("button", "btn btn-primary btn-small", root.dataset.tAdd);
  button.type = "submit";
  button.dataset.testid = "pin-add";
  form.append(button);
  wireForm(form);
  return form;
}

function renderPinned(root, products) {
  const list = root.querySelector("[data-pinned-list]");
  const empty = root.querySelector("[data-pinned-empty]");
  const view = root.dataset.tView || "View";
  const soldOut = root.dataset.tSoldOut || "";
  list.replaceChildren(
    ...products.map((p) => {
      const li = el("li", "pin-card");
      li.dataset.product = p.id;
      const media = el("div", "pin-media");
      if (p.image) {
        const img = el("img");
        img.src = p.image;
        img.alt = "";
        img.loading = "lazy";
        media.append(img);
      } else {
        media.append(el("span", "pin-ph", (p.name[lang] || p.name.en || "?").charAt(0)));
      }
      const body = el("div", "pin-body");
      const title = el("a", "pin-name", p.name[lang] || p.name.en || p.name.id);
      title.href = p.url;
      body.append(title, el("p", "pin-price", p.price_label));
      if (!p.available && soldOut) body.append(el("p", "pin-soldout", soldOut));
      li.append(media, body, buyButton(root, p, view));
      return li;
    }),
  );
  empty.hidden = products.length > 0;
  root.classList.toggle("has-pins", products.length > 0);
  const ids = new Set(products.map((p) => String(p.id)));
  document.querySelectorAll("[data-pin-toggle]").forEach((form) => showPinState(form, ids.has(form.dataset.product)));
}

function wirePinForms() {
  document.querySelectorAll("[data-pin-toggle]").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button");
      const pinning = form.querySelector("input[name=action]").value === "pin";
      button.disabled = true;
      try {
        const response = await fetch(form.getAttribute("action"), {
          method: "POST",
          body: new FormData(form),
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        const result = await response.json().catch(() => ({}));
        if (response.ok) showPinState(form, pinning);
        else if (result.error) window.alert(result.error);
      } catch (_err) {
        form.submit();
      } finally {
        button.disabled = false;
      }
    });
  });
}

const root = document.querySelector("[data-pinned]");
if (root) {
  join(root.dataset.room, (frame) => {
    if (frame.type === "pinned") renderPinned(root, frame.products || []);
    if (frame.type === "presence") {
      document.querySelectorAll("[data-viewers]").forEach((node) => {
        node.textContent = String(frame.count);
      });
    }
  });
}
wirePinForms();
