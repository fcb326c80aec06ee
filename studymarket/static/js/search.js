// The search page. On a phone the filters start folded under one "Filters" summary, so the
// results come first, also after htmx replaced them (a filter chosen). On wider screens, and
// without JavaScript, the filters stay open beside or above the results.
(function () {
  "use strict";
  const phone = window.matchMedia("(max-width: 768px)");

  function fold(root) {
    if (!phone.matches) return;
    root.querySelectorAll("details.search-filters").forEach(function (details) {
      details.open = false;
    });
  }

  fold(document);
  document.addEventListener("htmx:afterSwap", function (event) {
    fold(event.target);
    // The link that was followed is gone with the old results: the focus goes to the new
    // heading ("12 resultaten voor …"), which screen readers then read out.
    const heading = event.target.querySelector("#search-heading");
    if (heading) heading.focus({ preventScroll: true });
  });
})();
