// The upload form (selling/_upload_form.html): drop a file or pick one, check it here
// (type and size, so a 60 MB file is not sent for nothing), then let htmx send it while a
// <progress> shows the bytes going up. Without this script the form is a plain post.
(() => {
  "use strict";

  // The file types the input offers (its accept attribute: ".pdf", or also ".docx,.odt"
  // where the server can convert them).
  function accepted(input, name) {
    const suffixes = (input.accept || ".pdf")
      .split(",")
      .map((item) => item.trim().toLowerCase())
      .filter((item) => item.startsWith("."));
    return suffixes.some((suffix) => name.toLowerCase().endsWith(suffix));
  }

  function parts(form) {
    return {
      input: form.querySelector("input[type=file]"),
      zone: form.querySelector("[data-drop-zone]"),
      error: form.querySelector("[data-upload-error]"),
      progress: form.querySelector("[data-upload-progress]"),
      bar: form.querySelector("[data-upload-progress] progress"),
      percent: form.querySelector("[data-upload-percent]"),
      button: form.querySelector("[data-upload-button]"),
    };
  }

  function problem(input, file) {
    if (!accepted(input, file.name)) {
      return input.dataset.wrongType;
    }
    if (file.size > Number(input.dataset.maxBytes)) {
      return input.dataset.tooLarge;
    }
    return "";
  }

  function showError(p, message) {
    p.error.textContent = message;
    p.input.setAttribute("aria-invalid", message ? "true" : "false");
  }

  function choose(form) {
    const p = parts(form);
    const file = p.input.files[0];
    if (!file) {
      return;
    }
    const message = problem(p.input, file);
    showError(p, message);
    if (message) {
      p.input.value = "";
      return;
    }
    form.requestSubmit();
  }

  function setUp(form) {
    if (form.dataset.uploadReady) {
      return;
    }
    form.dataset.uploadReady = "1";
    const p = parts(form);
    // With this script the upload starts as soon as a file is there; the button is for
    // when JavaScript is off.
    p.button.hidden = true;
    p.input.addEventListener("change", () => choose(form));
    ["dragenter", "dragover"].forEach((type) =>
      p.zone.addEventListener(type, (event) => {
        event.preventDefault();
        p.zone.dataset.dragging = "";
      }),
    );
    ["dragleave", "drop"].forEach((type) =>
      p.zone.addEventListener(type, () => delete p.zone.dataset.dragging),
    );
    p.zone.addEventListener("drop", (event) => {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        p.input.files = event.dataTransfer.files;
        choose(form);
      }
    });
    form.addEventListener("htmx:beforeRequest", () => {
      showError(p, "");
      p.bar.value = 0;
      p.percent.textContent = "0 %";
      p.progress.hidden = false;
    });
    // htmx reports the request body going up, then the (small) answer coming down; only
    // the first is the upload, and it ends at 100 %.
    form.addEventListener("htmx:xhr:progress", (event) => {
      const { lengthComputable, loaded, total } = event.detail;
      if (lengthComputable && total > 0 && p.bar.value < 100) {
        const value = Math.floor((loaded / total) * 100);
        p.bar.value = value;
        p.percent.textContent = `${value} %`;
      }
    });
    form.addEventListener("htmx:sendError", () => {
      p.progress.hidden = true;
      showError(p, form.dataset.networkError);
    });
    // A file picked while this script was still loading raised its change event before
    // anyone listened: send it now rather than leave the user waiting on a hidden button.
    if (p.input.files.length) {
      choose(form);
    }
  }

  function setUpAll(root) {
    root.querySelectorAll("form[data-upload]").forEach(setUp);
  }

  document.addEventListener("DOMContentLoaded", () => setUpAll(document));
  // The server answers a refused upload with a new form: set that one up too.
  document.addEventListener("htmx:load", (event) => setUpAll(event.detail.elt.parentElement || document));
})();
