// Where a key press belongs: to a field being typed in (text, numbers, dates, lists), or to the
// page's shortcuts (buttons, sliders and checkboxes do not take typing). replay.js and
// coach-tools.js both ask.
const NOT_TYPING = new Set(["range", "checkbox", "radio", "button", "submit", "reset", "color", "image"]);

export function isTyping(t) {
  if (!(t instanceof HTMLElement)) return false;
  if (t.isContentEditable || t.tagName === "TEXTAREA" || t.tagName === "SELECT") return true;
  return t.tagName === "INPUT" && !NOT_TYPING.has(t.type);
}
