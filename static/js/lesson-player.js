// The lesson page: the player's first play marks the lesson watched (their coach sees it).
// Native controls seek through HTTP Range requests.

// The CSRF cookie is HttpOnly: the token comes from the page (base.html's hx-headers).
function csrfToken() {
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  } catch {
    return "";
  }
}

function init(scope) {
  for (const root of scope.querySelectorAll("[data-lesson-player]")) {
    if (root.dataset.started) continue;
    root.dataset.started = "true";
    const video = root.querySelector("[data-lesson-video]");
    if (!video || !root.hasAttribute("data-mark-watched")) continue;
    video.addEventListener("play", async () => {
      if (root.dataset.watched) return;
      root.dataset.watched = "pending";
      const response = await fetch(root.dataset.watchedUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      });
      root.dataset.watched = response.ok ? "true" : "";
    });
  }
}

if (window.htmx) window.htmx.onLoad(init);
else document.addEventListener("DOMContentLoaded", () => init(document));
