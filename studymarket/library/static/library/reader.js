// The online reader: page numbers, previous/next buttons, "go to page", and the keys
// → / j (next page) and ← / k (previous). Without JavaScript the pages still scroll.
(function () {
  "use strict";
  function start() {
    var pages = Array.prototype.slice.call(document.querySelectorAll("[data-page]"));
    var toolbar = document.querySelector("[data-reader-toolbar]");
    if (!pages.length || !toolbar) return;
    var input = document.getElementById("reader-page");
    var current = 1;

    // The observer reports the page in view, late on a busy machine: it must not overwrite a
    // number the reader is typing into the box (Enter would then go back to the old page).
    function show(number, typed) {
      current = number;
      if (typed || document.activeElement !== input) input.value = String(number);
    }

    function go(number) {
      var target = Math.min(Math.max(number, 1), pages.length);
      pages[target - 1].scrollIntoView({ block: "start" });
      show(target, true);
      history.replaceState(null, "", "#pagina-" + target);
    }

    // The page that crosses the middle of the screen is the one being read.
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) show(Number(entry.target.dataset.page));
      });
    }, { rootMargin: "-50% 0px -50% 0px" });
    pages.forEach(function (page) { observer.observe(page); });

    toolbar.querySelector("[data-reader-previous]").addEventListener("click", function () { go(current - 1); });
    toolbar.querySelector("[data-reader-next]").addEventListener("click", function () { go(current + 1); });
    toolbar.querySelector("[data-reader-goto]").addEventListener("submit", function (event) {
      event.preventDefault();
      go(Number(input.value) || 1);
    });
    input.addEventListener("change", function () { go(Number(input.value) || 1); });

    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
      if (event.target.closest("input, textarea, select, button, summary, [contenteditable]")) return;
      if (event.key === "ArrowRight" || event.key === "j") {
        event.preventDefault();
        go(current + 1);
      } else if (event.key === "ArrowLeft" || event.key === "k") {
        event.preventDefault();
        go(current - 1);
      }
    });

    toolbar.hidden = false;
    var match = /^#pagina-(\d+)$/.exec(location.hash);
    if (match) go(Number(match[1]));
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
