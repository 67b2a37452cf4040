// The printable swing report: its "Print or save as PDF" button (the page prints without it too).
for (const button of document.querySelectorAll("[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
