// Small behaviours shared by every page, keyed on data- attributes (no inline script: strict CSP).
function autosubmit(root) {
  for (const el of root.querySelectorAll("[data-autosubmit]")) {
    el.addEventListener("change", () => el.form.requestSubmit());
  }
}

if (window.htmx) {
  window.htmx.onLoad(autosubmit);
} else {
  document.addEventListener("DOMContentLoaded", () => autosubmit(document));
}
