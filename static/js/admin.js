// Admin data pages: inline edits answer 400, 409 (changed since the list was opened) or 503 with
// the row and its error message; show it instead of dropping it, and ask before the destructive
// plain forms marked data-confirm.
const SWAPPED_ERRORS = new Set([400, 409, 503]);

document.body.addEventListener("htmx:beforeSwap", (event) => {
  const source = event.detail.requestConfig && event.detail.requestConfig.elt;
  if (SWAPPED_ERRORS.has(event.detail.xhr.status) && source && source.closest("[data-swap-errors]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

function confirmForms(root) {
  for (const form of root.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
}

if (window.htmx) {
  window.htmx.onLoad(confirmForms);
} else {
  document.addEventListener("DOMContentLoaded", () => confirmForms(document));
}
