// The search page. The filters' fold is closed in the HTML (on a phone the results come first,
// also after htmx replaced them) and shown beside the results by CSS on wider screens: nothing
// here moves the page after it is drawn (Lighthouse counted a layout shift of 0.3 when this
// script folded them).
(function () {
  "use strict";

  document.addEventListener("htmx:afterSwap", function (event) {
    // The link that was followed is gone with the old results: the focus goes to the new
    // heading ("12 resultaten voor …"), which screen readers then read out.
    const heading = event.target.querySelector("#search-heading");
    if (heading) heading.focus({ preventScroll: true });
  });
})();
