// Small skeleton drawings for the similarity page: every <canvas data-thumb='{"points": [[x, y] |
// null, ...33], "aspect": w/h}'> gets its pose, fitted to the canvas (the bones come from the
// page's #skeleton-edges JSON, the same list the replay draws). No inline script: strict CSP.
const done = new WeakSet();

function edges() {
  const el = document.getElementById("skeleton-edges");
  return el ? JSON.parse(el.textContent) : [];
}

export function fit(points, aspect, width, height, pad) {
  // Points in one unit (x times the frame's aspect), scaled to fill the box, centred.
  const seen = points.filter(Boolean).map(([x, y]) => [x * aspect, y]);
  if (!seen.length) return null;
  const xs = seen.map((p) => p[0]);
  const ys = seen.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const scale = Math.min((width - 2 * pad) / Math.max(x1 - x0, 1e-6),
    (height - 2 * pad) / Math.max(y1 - y0, 1e-6));
  const ox = (width - scale * (x1 - x0)) / 2;
  const oy = (height - scale * (y1 - y0)) / 2;
  return points.map((p) => (p ? [ox + (p[0] * aspect - x0) * scale, oy + (p[1] - y0) * scale] : null));
}

function draw(canvas, bones) {
  let data;
  try {
    data = JSON.parse(canvas.dataset.thumb);
  } catch {
    return;
  }
  const ratio = window.devicePixelRatio || 1;
  const w = canvas.width;
  const h = canvas.height;
  canvas.width = Math.round(w * ratio);
  canvas.height = Math.round(h * ratio);
  const ctx = canvas.getContext("2d");
  ctx.scale(ratio, ratio);
  const pts = fit(data.points || [], data.aspect || 1, w, h, 8);
  if (!pts) return;
  ctx.lineCap = "round";
  ctx.lineWidth = 2.5;
  for (const [a, b] of bones) {
    if (!pts[a] || !pts[b]) continue;
    // The golfer's left side (odd landmark numbers) in one colour, the right in another.
    ctx.strokeStyle = a % 2 && b % 2 ? "#1f6f4a" : (a % 2 || b % 2 ? "#5f6b66" : "#b5651d");
    ctx.beginPath();
    ctx.moveTo(...pts[a]);
    ctx.lineTo(...pts[b]);
    ctx.stroke();
  }
  ctx.fillStyle = "#1b2420";
  for (const p of pts) {
    if (!p) continue;
    ctx.beginPath();
    ctx.arc(p[0], p[1], 2, 0, 2 * Math.PI);
    ctx.fill();
  }
  canvas.dataset.drawn = "true";
}

function init(root) {
  const bones = edges();
  for (const canvas of root.querySelectorAll("canvas[data-thumb]")) {
    if (done.has(canvas) || !canvas.dataset.thumb) continue;
    done.add(canvas);
    draw(canvas, bones);
  }
}

if (window.htmx) window.htmx.onLoad(init);
else document.addEventListener("DOMContentLoaded", () => init(document));
