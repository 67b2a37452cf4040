// Compare two swings: side by side, the second following the first by phase, or as a ghost
// skeleton over the first. "By phase" is a piecewise-linear time warp through the eight events
// both swings have, so the two reach address, top, impact... at the same moment.

import { drawSkeleton, loadPoses, startPlayer } from "./replay.js";

const GHOST = "rgb(235, 70, 190)"; // app.css .swatch.b: apart from the white skeleton and the
// red-to-green joint confidence colours

// Frames of swing A -> frames of swing B through the events both have (strictly increasing in
// both); outside them B runs at real-time speed relative to A.
export function phaseWarp(a, b) {
  const pairs = [];
  for (const [name, fa] of a.eventFrames()) {
    const fb = b.events[name];
    if (Number.isInteger(fb)) pairs.push([fa, fb]);
  }
  pairs.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  const knots = [];
  for (const p of pairs) {
    const last = knots[knots.length - 1];
    if (!last || (p[0] > last[0] && p[1] > last[1])) knots.push(p);
  }
  const outside = (b.captureFps || b.fps) / (a.captureFps || a.fps);
  function segment(fa) {
    for (let i = 0; i + 1 < knots.length; i++) {
      if (fa < knots[i + 1][0]) return i;
    }
    return knots.length - 2;
  }
  return {
    knots,
    map(fa) {
      if (!knots.length) return fa * outside;
      const first = knots[0];
      const last = knots[knots.length - 1];
      if (fa <= first[0]) return first[1] + (fa - first[0]) * outside;
      if (fa >= last[0]) return last[1] + (fa - last[0]) * outside;
      const i = segment(fa);
      const [a0, b0] = knots[i];
      const [a1, b1] = knots[i + 1];
      return b0 + ((fa - a0) * (b1 - b0)) / (a1 - a0);
    },
    // B frames per A frame at this point of A's swing
    slope(fa) {
      if (knots.length < 2 || fa < knots[0][0] || fa >= knots[knots.length - 1][0]) return outside;
      const i = segment(fa);
      return (knots[i + 1][1] - knots[i][1]) / (knots[i + 1][0] - knots[i][0]);
    },
  };
}

function hipsAndTorso(data, frame, w, h) {
  const px = (name) => {
    const p = data.named(frame, name);
    return p ? [p[0] * w, p[1] * h] : null;
  };
  const lh = px("left_hip"); const rh = px("right_hip");
  const ls = px("left_shoulder"); const rs = px("right_shoulder");
  if (!lh || !rh || !ls || !rs) return null;
  const hip = [(lh[0] + rh[0]) / 2, (lh[1] + rh[1]) / 2];
  const sh = [(ls[0] + rs[0]) / 2, (ls[1] + rs[1]) / 2];
  const torso = Math.hypot(sh[0] - hip[0], sh[1] - hip[1]);
  return torso > 0 ? { hip, torso } : null;
}

// The first frame from `start` on where the hips and shoulders are all seen.
function referenceFrame(data, start) {
  for (let f = Math.max(0, start || 0); f < data.n; f++) {
    if (hipsAndTorso(data, f, 1, 1)) return f;
  }
  return -1;
}

// Normalized B joint -> A's normalized frame: B's hip midpoint at address lands on A's, and B is
// scaled by the ratio of torso lengths there (in pixels of each video). A golfer of the other hand
// is mirrored about the hips so leads line up.
export function ghostAlignment(a, b) {
  const wa = a.width || 1; const ha = a.height || 1;
  const wb = b.width || 1; const hb = b.height || 1;
  const ra = hipsAndTorso(a, referenceFrame(a, a.events.address), wa, ha);
  const rb = hipsAndTorso(b, referenceFrame(b, b.events.address), wb, hb);
  if (!ra || !rb) return null;
  const k = ra.torso / rb.torso;
  const mirror = a.lead !== b.lead ? -1 : 1;
  return (x, y) => [
    (ra.hip[0] + mirror * (x * wb - rb.hip[0]) * k) / wa,
    (ra.hip[1] + (y * hb - rb.hip[1]) * k) / ha,
  ];
}

async function startSide(root) {
  const [rootA, rootB] = [root.querySelector('[data-role="a"]'), root.querySelector('[data-role="b"]')];
  const [a, b] = await Promise.all([startPlayer(rootA), startPlayer(rootB)]);
  const warp = phaseWarp(a.data, b.data);
  const target = (fa) => b.clampFrame(Math.round(warp.map(fa)));
  a.onFrame((fa) => {
    const fb = target(fa);
    if (!a.playing || !b.video) {
      if (b.playing) b.pause();
      if (b.video) { if (fb !== b.frame) b.seek(fb); } else if (fb !== b.frame) b.show(fb);
      return;
    }
    // Both play: B's speed follows the warp's slope; a seek only corrects drift.
    const rate = (warp.slope(fa) * a.rate * a.fps) / b.fps;
    b.setRate(Math.max(0.0625, Math.min(16, rate)));
    if (!b.playing) {
      b.seek(fb);
      b.video.play();
    } else if (Math.abs(b.frame - fb) > 2) {
      b.seek(fb);
    }
  });
  a.show(a.frame);
  window.__svCompare = { mode: "side", a, b, warp };
}

async function startGhost(root) {
  const rootA = root.querySelector('[data-role="a"]');
  const ghost = root.querySelector("[data-ghost]");
  const [a, g] = await Promise.all([startPlayer(rootA), loadPoses(ghost.dataset.posesUrl)]);
  const warp = phaseWarp(a.data, g);
  const align = ghostAlignment(a.data, g);
  const state = { frame: -1 };
  if (align) {
    a.layers.push((ctx, fa, r, s, map) => {
      const fb = Math.max(0, Math.min(g.n - 1, Math.round(warp.map(fa))));
      state.frame = fb;
      // Through the stage's zoom, pan and mirror, as the main skeleton.
      drawSkeleton(ctx, g, fb, (x, y) => map(...align(x, y)), {
        bone: GHOST,
        boneWidth: Math.max(2, 3 * s),
        jointRadius: Math.max(2, 2.6 * s),
        jointColour: () => GHOST,
        alpha: 0.55,
        outline: false,
      });
    });
  } else {
    root.dataset.ghostError = "no hips and shoulders to align";
  }
  a.draw(a.frame);
  window.__svCompare = { mode: "ghost", a, ghost: g, warp, state };
}

function init(scope) {
  for (const root of scope.querySelectorAll("[data-compare]")) {
    if (root.dataset.started) continue;
    root.dataset.started = "true";
    (root.dataset.mode === "ghost" ? startGhost(root) : startSide(root)).then(() => {
      root.dataset.ready = "true";
    });
  }
}

if (window.htmx) window.htmx.onLoad(init);
else document.addEventListener("DOMContentLoaded", () => init(document));
