// Ask before a destructive button submits its form (the server checks everything again anyway):
//   <button type="submit" data-confirm="Refund the whole order?">
// Plain ES module; pages that have such buttons load it (vendor/_confirm_script.html).

document.querySelectorAll("[data-confirm]").forEach((button) => {
  button.addEventListener("click", (event) => {
    if (!window.confirm(button.dataset.confirm)) event.preventDefault();
  });
});
