// The header search box's suggestions: htmx fills #header-suggestions with links
// (search/_suggestions.html); this moves through them with the arrow keys and
// closes the list on Escape or when the focus leaves the form. Without it the links still
// work with Tab and the mouse, and without JavaScript the box is a plain GET form.
(function () {
  "use strict";
  const input = document.getElementById("header-q");
  const box = document.getElementById("header-suggestions");
  if (!input || !box) return;
  const form = input.form;

  function links() {
    return Array.from(box.querySelectorAll("a"));
  }

  function close() {
    box.replaceChildren();
  }

  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") {
      const first = links()[0];
      if (first) {
        event.preventDefault();
        first.focus();
      }
    } else if (event.key === "Escape") {
      close();
    }
  });

  box.addEventListener("keydown", function (event) {
    const all = links();
    const index = all.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && index < all.length - 1) {
      event.preventDefault();
      all[index + 1].focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      (index > 0 ? all[index - 1] : input).focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      input.focus();
      close();
    }
  });

  form.addEventListener("focusout", function () {
    // Only close once the focus has left the form; the wait lets a click on a suggestion
    // land first in browsers that do not focus links on click.
    window.setTimeout(function () {
      if (!form.contains(document.activeElement)) close();
    }, 200);
  });
})();
