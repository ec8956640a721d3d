// Wide screens show the hall's filters as a sidebar; phones keep them folded in the <details>.
// A classic script, not a module: the hall loads it right after the <details>, so that it opens
// before the page is first drawn, as the inline script it replaces did (a module would run after
// the whole page is parsed, and the sidebar would visibly jump open).
(function () {
  var filters = document.querySelector("details[data-open-wide]");
  if (filters && window.matchMedia("(min-width: 861px)").matches) filters.open = true;
})();
