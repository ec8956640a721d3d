// Checkout and paying. The address form shows the province list for Indonesia and a free field
// abroad, and asks the server for the shipping of the address as it is typed (the server charges
// the same figures again when the order is placed). On an order page waiting for a card payment,
// stripe.js collects the card; the server confirms it and answers; stripe.js then handles any
// authentication step, and the page asks the server to re-read the payment. Plain ES module.

const checkout = document.querySelector("[data-checkout]");

function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

if (checkout) {
  const country = checkout.querySelector("[name=country]");
  const province = checkout.querySelector("[name=province]");
  const state = checkout.querySelector("[name=state]");

  const showFields = () => {
    const domestic = country.value === "ID";
    checkout.querySelectorAll("[data-show]").forEach((field) => {
      const visible = (field.dataset.show === "ID") === domestic;
      field.hidden = !visible;
    });
  };

  const quote = async () => {
    const params = new URLSearchParams({
      country: country.value,
      region: country.value === "ID" ? province.value : state.value,
    });
    try {
      const response = await fetch(`${checkout.dataset.quoteUrl}?${params}`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) return;
      const data = await response.json();
      data.parts.forEach((part) => {
        const label = checkout.querySelector(`[data-part="${part.booth}"] [data-ship-label]`);
        if (!label) return;
        label.textContent = part.label;
        label.classList.toggle("line-problem", !part.ships);
      });
      for (const key of ["subtotal", "shipping", "total"]) {
        const cell = checkout.querySelector(`[data-sum="${key}"]`);
        if (cell) cell.textContent = data[key];
      }
    } catch {
      /* the server checks the address again when the order is placed */
    }
  };
  const later = debounce(quote, 250);

  country.addEventListener("change", () => {
    showFields();
    quote();
  });
  province.addEventListener("change", quote);
  state.addEventListener("input", later);
  showFields();
}

// --- Card payment on the order page ------------------------------------------------------------

const pay = document.querySelector("[data-stripe-pay]");

function csrfToken(form) {
  return form.querySelector("[name=csrfmiddlewaretoken]").value;
}

function showError(box, text) {
  box.textContent = text;
  box.hidden = !text;
}

async function post(url, form, body) {
  const data = new FormData();
  data.append("csrfmiddlewaretoken", csrfToken(form));
  data.append("key", form.dataset.key);
  for (const [name, value] of Object.entries(body)) data.append(name, value);
  const response = await fetch(url, {
    method: "POST",
    body: data,
    headers: { Accept: "application/json" },
    credentials: "same-origin",
  });
  return response.json();
}

if (pay && window.Stripe) {
  const stripe = window.Stripe(pay.dataset.publishableKey);
  const elements = stripe.elements();
  const card = elements.create("card", { hidePostalCode: true });
  card.mount(pay.querySelector("[data-card]"));
  const errors = pay.querySelector("[data-pay-errors]");
  const button = pay.querySelector("[type=submit]");

  pay.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(errors, "");
    button.disabled = true;
    button.dataset.label = button.dataset.label || button.textContent;
    button.textContent = pay.dataset.tPaying;
    try {
      const made = await stripe.createToken(card);
      if (made.error) {
        showError(errors, made.error.message);
        return;
      }
      const result = await post(pay.dataset.payUrl, pay, { card: made.token.card.id });
      if (result.requires_action) {
        const confirmed = await stripe.confirmCardPayment(result.client_secret);
        if (confirmed.error) showError(errors, confirmed.error.message);
        // Whatever the page saw, the server re-reads the payment from Stripe.
        const sync = document.createElement("form");
        sync.method = "post";
        sync.action = pay.dataset.syncUrl;
        sync.innerHTML = `<input type="hidden" name="csrfmiddlewaretoken"><input type="hidden" name="key">`;
        sync.elements.csrfmiddlewaretoken.value = csrfToken(pay);
        sync.elements.key.value = pay.dataset.key;
        document.body.append(sync);
        sync.submit();
        return;
      }
      if (result.errors) showError(errors, result.errors.join(" "));
      if (result.next && (result.ok || result.status === "failed" || result.status === "cancelled")) {
        window.location.assign(result.next);
      }
    } catch {
      showError(errors, pay.dataset.tFailed);
    } finally {
      button.disabled = false;
      button.textContent = button.dataset.label;
    }
  });
}
