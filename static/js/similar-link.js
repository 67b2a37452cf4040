// Replay page hook for similarity search (issue #7): the "Find similar positions" link carries
// the frame on screen. replay.js writes the frame it shows to its root's data-frame attribute;
// this module keeps the link's ?frame= in step with it, so the link works without this script
// too (it then searches from the swing's Top).
const wired = new WeakSet();

function wire(scope) {
  const root = document.querySelector("[data-replay][data-controls]");
  if (!root) return;
  for (const link of scope.querySelectorAll("a[data-similar-link]")) {
    if (wired.has(link)) continue;
    wired.add(link);
    const update = () => {
      const frame = root.dataset.frame;
      if (frame === undefined) return;
      const url = new URL(link.href, window.location.href);
      url.searchParams.set("frame", frame);
      link.href = url.pathname + url.search;
    };
    new MutationObserver(update).observe(root, { attributes: true, attributeFilter: ["data-frame"] });
    update();
  }
}

if (window.htmx) window.htmx.onLoad(wire);
else document.addEventListener("DOMContentLoaded", () => wire(document));
