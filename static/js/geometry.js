// Plane geometry shared by the replay (replay.js) and the coach's drawing tools (coach-tools.js):
// angles, the stage's zoom / pan / mirror view, and the distances the tools hit-test with.
// Both modules import this one file from the same folder, so the page loads one copy.

// The angle ABC in degrees (null when an arm has no length).
export function angleDeg(a, b, c) {
  const v1 = [a[0] - b[0], a[1] - b[1]];
  const v2 = [c[0] - b[0], c[1] - b[1]];
  const n = Math.hypot(...v1) * Math.hypot(...v2);
  if (n === 0) return null;
  const cos = Math.max(-1, Math.min(1, (v1[0] * v2[0] + v1[1] * v2[1]) / n));
  return (Math.acos(cos) * 180) / Math.PI;
}

// Tilt of the line a -> b from horizontal in degrees: 0 level, positive when b is higher.
export function tiltFromHorizontal(a, b) {
  let deg = (Math.atan2(a[1] - b[1], Math.abs(b[0] - a[0])) * 180) / Math.PI;
  if (b[0] < a[0]) deg = -deg;
  return deg;
}

export function midpoint(p, q) {
  return [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2];
}

// Distance from p to the segment a-b.
export function distanceToSegment(p, a, b) {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2));
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}

// The line through a and b, extended both ways to the edges of the rectangle r {x, y, w, h}: the
// two points where it leaves it (a and b themselves when they coincide).
export function extendToRect(a, b, r) {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  if (dx === 0 && dy === 0) return [a, b];
  let lo = -Infinity;
  let hi = Infinity;
  const clip = (d, p, min, max) => {
    if (d === 0) return p >= min && p <= max;
    let t0 = (min - p) / d;
    let t1 = (max - p) / d;
    if (t0 > t1) [t0, t1] = [t1, t0];
    lo = Math.max(lo, t0);
    hi = Math.min(hi, t1);
    return true;
  };
  if (!clip(dx, a[0], r.x, r.x + r.w) || !clip(dy, a[1], r.y, r.y + r.h) || lo > hi) return [a, b];
  return [[a[0] + lo * dx, a[1] + lo * dy], [a[0] + hi * dx, a[1] + hi * dy]];
}

// -- the stage's view: zoom about the stage's centre, a pan, a left-right mirror ----------------
// A point p of the unzoomed stage lands at c + S (p - c) + t, with S = diag(zoom * m, zoom), m = -1
// when mirrored, c the stage's centre and t the pan (all in the same pixels). The video gets the
// same as a CSS transform (transform-origin: centre): translate(t) scale(zoom * m, zoom).
export const MIN_ZOOM = 1;
export const MAX_ZOOM = 8;

export function identityView() {
  return { zoom: 1, tx: 0, ty: 0, mirror: false };
}

export function applyView(view, c, p) {
  const sx = view.zoom * (view.mirror ? -1 : 1);
  return [c[0] + sx * (p[0] - c[0]) + view.tx, c[1] + view.zoom * (p[1] - c[1]) + view.ty];
}

export function invertView(view, c, q) {
  const sx = view.zoom * (view.mirror ? -1 : 1);
  return [c[0] + (q[0] - c[0] - view.tx) / sx, c[1] + (q[1] - c[1] - view.ty) / view.zoom];
}

// Keep the zoomed picture over the whole stage: the pan goes no further than the zoom's margin.
export function clampPan(view, w, h) {
  const mx = ((view.zoom - 1) * w) / 2;
  const my = ((view.zoom - 1) * h) / 2;
  return { ...view, tx: Math.max(-mx, Math.min(mx, view.tx)), ty: Math.max(-my, Math.min(my, view.ty)) };
}

// Zoom to `zoom`, keeping the stage point q (after the view) where it is on screen.
export function zoomAbout(view, c, q, zoom, w, h) {
  const z = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, zoom));
  const p = invertView(view, c, q);
  const sx = z * (view.mirror ? -1 : 1);
  const next = { ...view, zoom: z, tx: q[0] - c[0] - sx * (p[0] - c[0]), ty: q[1] - c[1] - z * (p[1] - c[1]) };
  return clampPan(next, w, h);
}
