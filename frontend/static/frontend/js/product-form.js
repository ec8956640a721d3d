// The vendor's product form: lead time and quota only matter for a pre-order product, so they show
// when "pre-order" is ticked (the server checks everything again). Plain ES module.

const box = document.querySelector("[data-preorder] input[type=checkbox]");
const fields = document.querySelector("[data-preorder-fields]");
if (box && fields) {
  const sync = () => {
    fields.hidden = !box.checked;
  };
  box.addEventListener("change", sync);
  sync();
}
