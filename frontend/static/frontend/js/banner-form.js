// The banner form: only the choice that matches "Links to" shows (booth, product or session). All
// stay in the form, so nothing typed is lost when the choice changes. Plain ES module.

const radios = document.querySelectorAll('input[name="target"]');

function sync() {
  const chosen = document.querySelector('input[name="target"]:checked');
  const value = chosen ? chosen.value : "booth";
  document.querySelectorAll("[data-target-field]").forEach((el) => {
    el.hidden = el.dataset.targetField !== value;
  });
}

radios.forEach((radio) => radio.addEventListener("change", sync));
sync();
