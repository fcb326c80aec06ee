// Back office: a form marked data-once sends once; a second click while the page loads does
// nothing. The server is safe either way (see support/money/views.py); this spares the noise.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-once")) return;
  if (form.dataset.sent === "1") {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "1";
  // Disabled after this tick, so the clicked button's name and value are still sent.
  setTimeout(() => {
    for (const button of form.querySelectorAll("button[type=submit]")) button.disabled = true;
  });
});
