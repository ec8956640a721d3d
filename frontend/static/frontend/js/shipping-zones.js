// The vendor's shipping rates: each zone shows its rate field only for "flat rate" (the server
// checks everything again). Plain ES module.

document.querySelectorAll("[data-zone]").forEach((zone) => {
  const amount = zone.querySelector("[data-amount-for]");
  const update = () => {
    const checked = zone.querySelector("input[type=radio]:checked");
    amount.hidden = !checked || checked.value !== "flat";
  };
  zone.addEventListener("change", update);
  update();
});
