// Coach tools on the swing replay (issue #10).
//
// Drawings (line, angle, circle, text) over the skeleton, attached to one frame or to the whole
// swing and saved with it. A point placed with "snap to joints" names the joint instead of a
// spot, so the drawing follows the body as the swing plays and an angle on the lead arm reads its
// live degrees. Phase markers dragged along the timeline, or set in the phases panel, correct the
// analysis: the server recomputes it, the stage takes the new events and the panels refresh
// through htmx (the "analysis-changed" event). The player sees the drawings, without the tools.
//
// It hooks into replay.js through its extension point: the "sv:ready" event carries the player,
// whose `layers` it draws on (after the skeleton, in the same frame callback) and whose
// `onFrame` listeners it joins.

import { isTyping } from "./focus.js";
import { angleDeg, distanceToSegment, extendToRect } from "./geometry.js";

const NEEDS = { line: 2, angle: 3, circle: 2, text: 1, arrow: 2, box: 2, plane: 2 };
const KIND_LABELS = {
  line: "Line", angle: "Angle", circle: "Circle", text: "Text", arrow: "Arrow", box: "Box", plane: "Shaft plane",
};
const FIELDS = ["kind", "frame", "points", "text", "colour"]; // what a drawing is, without its id
const HIT_PX = 10; // CSS pixels: how near the pointer must be to a drawing to pick it up
const HISTORY = 100; // undo steps kept
const SNAP_PX = 24; // CSS pixels: how near a click must be to a joint to stick to it
// The face's and the fingers' points crowd round the head and the wrists, a few pixels apart: a
// click near a wrist means the wrist, so these are snapped to only when no other joint is near.
const MINOR_JOINT = /^(left|right)_(eye|ear|pinky|index|thumb)|^mouth/;
const OUTLINE = "rgba(0, 0, 0, 0.65)";

// -- talking to the server -------------------------------------------------------------------------
function csrfToken() {
  // base.html puts the token in the body's hx-headers for htmx; fetch sends it the same way.
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  } catch {
    return "";
  }
}

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

export async function api(method, url, payload) {
  const response = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: {
      Accept: "application/json",
      "Content-Type": "application/json",
      "X-CSRFToken": csrfToken(),
    },
    body: payload === undefined ? undefined : JSON.stringify(payload),
  });
  if (response.status === 204) return null;
  const json = await response.json().catch(() => ({}));
  if (!response.ok) {
    const why = response.status === 403 ? "Only the player's coach can change this." : json.error;
    throw new ApiError(why || `The server answered ${response.status}.`, response.status);
  }
  return json;
}

// -- drawing ----------------------------------------------------------------------------------------
function label(ctx, text, x, y, colour, s, align = "left") {
  ctx.save();
  ctx.setLineDash([]);
  ctx.font = `600 ${Math.round(Math.max(12, 15 * s))}px system-ui, sans-serif`;
  ctx.textAlign = align;
  ctx.textBaseline = "middle";
  ctx.lineJoin = "round";
  ctx.lineWidth = Math.max(3, 4 * s);
  ctx.strokeStyle = OUTLINE;
  ctx.strokeText(text, x, y);
  ctx.fillStyle = colour;
  ctx.fillText(text, x, y);
  ctx.restore();
}

function strokeTwice(ctx, colour, width, path) {
  // A dark edge under the colour keeps the drawing readable on any picture.
  ctx.beginPath();
  path();
  ctx.strokeStyle = OUTLINE;
  ctx.lineWidth = width + 2.5;
  ctx.stroke();
  ctx.strokeStyle = colour;
  ctx.lineWidth = width;
  ctx.stroke();
}

function dot(ctx, p, radius, colour) {
  ctx.beginPath();
  ctx.arc(p[0], p[1], radius, 0, Math.PI * 2);
  ctx.fillStyle = colour;
  ctx.fill();
  ctx.lineWidth = 1;
  ctx.strokeStyle = OUTLINE;
  ctx.stroke();
}

// One drawing at canvas points `pts` (fewer than its kind needs while it is being drawn).
// `bounds` is the picture's rectangle on the canvas (a shaft plane runs across all of it).
export function drawShape(ctx, kind, pts, { colour, text = "", s = 1, dashed = false, selected = false, bounds = null }) {
  const width = Math.max(2, 2.6 * s) + (selected ? 1.5 : 0);
  ctx.save();
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  if (dashed) ctx.setLineDash([6 * s, 5 * s]);
  if (kind === "line" || kind === "angle") {
    if (pts.length >= 2) {
      strokeTwice(ctx, colour, width, () => {
        ctx.moveTo(...pts[0]);
        for (const p of pts.slice(1)) ctx.lineTo(...p);
      });
    }
    if (kind === "angle" && pts.length === 3) {
      const [a, b, c] = pts;
      const deg = angleDeg(a, b, c);
      const a1 = Math.atan2(a[1] - b[1], a[0] - b[0]);
      const a2 = Math.atan2(c[1] - b[1], c[0] - b[0]);
      let delta = a2 - a1;
      while (delta > Math.PI) delta -= 2 * Math.PI;
      while (delta <= -Math.PI) delta += 2 * Math.PI;
      const arm = Math.min(Math.hypot(a[0] - b[0], a[1] - b[1]), Math.hypot(c[0] - b[0], c[1] - b[1]));
      const radius = Math.max(6, Math.min(26 * s, 0.35 * arm));
      strokeTwice(ctx, colour, Math.max(1.5, width * 0.7), () => {
        ctx.arc(b[0], b[1], radius, a1, a1 + delta, delta < 0);
      });
      if (deg !== null) {
        // The degrees sit outside the angle, away from both arms.
        const mid = a1 + delta / 2;
        const off = radius + 18 * s;
        const text2 = `${Math.round(deg)}°${text ? ` ${text}` : ""}`;
        label(ctx, text2, b[0] - Math.cos(mid) * off, b[1] - Math.sin(mid) * off, colour, s, "center");
      }
    } else if (kind === "line" && pts.length === 2 && text) {
      label(ctx, text, (pts[0][0] + pts[1][0]) / 2 + 8 * s, (pts[0][1] + pts[1][1]) / 2, colour, s);
    }
    for (const p of pts) dot(ctx, p, Math.max(2.5, 3.2 * s), colour);
  } else if (kind === "circle") {
    if (pts.length === 2) {
      const r = Math.hypot(pts[1][0] - pts[0][0], pts[1][1] - pts[0][1]);
      strokeTwice(ctx, colour, width, () => ctx.arc(pts[0][0], pts[0][1], r, 0, Math.PI * 2));
      if (text) label(ctx, text, pts[0][0] + r + 6 * s, pts[0][1], colour, s);
    }
    dot(ctx, pts[0], Math.max(2.5, 3.2 * s), colour);
  } else if (kind === "text" && pts.length === 1) {
    label(ctx, text || "…", pts[0][0], pts[0][1], colour, s);
  } else if (kind === "arrow") {
    if (pts.length === 2) {
      const [a, b] = pts;
      const ang = Math.atan2(b[1] - a[1], b[0] - a[0]);
      const size = Math.min(14 * Math.max(1, s), 0.45 * Math.hypot(b[0] - a[0], b[1] - a[1])) || 1;
      const barb = (d) => [b[0] - size * Math.cos(ang + d), b[1] - size * Math.sin(ang + d)];
      strokeTwice(ctx, colour, width, () => {
        ctx.moveTo(...a);
        ctx.lineTo(...b);
        ctx.moveTo(...barb(-0.49));
        ctx.lineTo(...b);
        ctx.lineTo(...barb(0.49));
      });
      if (text) label(ctx, text, a[0] + 8 * s, a[1], colour, s);
    } else {
      dot(ctx, pts[0], Math.max(2.5, 3.2 * s), colour);
    }
  } else if (kind === "box") {
    if (pts.length === 2) {
      const [a, b] = pts;
      strokeTwice(ctx, colour, width, () => ctx.rect(Math.min(a[0], b[0]), Math.min(a[1], b[1]),
        Math.abs(b[0] - a[0]), Math.abs(b[1] - a[1])));
      if (text) label(ctx, text, Math.min(a[0], b[0]), Math.min(a[1], b[1]) - 10 * s, colour, s);
    }
    for (const p of pts) dot(ctx, p, Math.max(2, 2.6 * s), colour);
  } else if (kind === "plane") {
    if (pts.length === 2) {
      const [e0, e1] = bounds ? extendToRect(pts[0], pts[1], bounds) : pts;
      strokeTwice(ctx, colour, width, () => {
        ctx.moveTo(...e0);
        ctx.lineTo(...e1);
      });
      if (text) label(ctx, text, pts[1][0] + 8 * s, pts[1][1], colour, s);
    }
    for (const p of pts) dot(ctx, p, Math.max(2.5, 3.2 * s), colour);
  }
  ctx.restore();
}

// -- the tools ----------------------------------------------------------------------------------------
export class CoachTools {
  constructor(root, player, panel, config) {
    this.root = root;
    this.player = player;
    this.data = player.data;
    this.panel = panel;
    this.config = config;
    this.urls = config.urls;
    this.canEdit = Boolean(config.canEdit);
    this.authors = config.authors || {};
    this.annotations = (config.annotations || []).slice();
    this.tool = null;
    this.pending = []; // points of the drawing in progress
    this.hover = null;
    this.selected = null; // the drawing whose list item is open for editing
    this.drawn = []; // what the last frame showed: [{id, frame, points (0..1 of the frame), degrees}]
    // Undo / redo: each step names its drawing through a ref whose id follows it when an undo
    // re-creates a deleted drawing (the server gives it a new id).
    this.undoStack = [];
    this.redoStack = [];
    this.refs = new Map();
    this.queue = Promise.resolve(); // server calls run one after another, in order
    this.moving = null; // a drawing being dragged with the move tool
    this.list = panel.querySelector("[data-drawings]");
    this.empty = panel.querySelector("[data-drawings-empty]");
    this.hint = panel.querySelector("[data-draw-hint]");
    this.toast = document.createElement("p");
    this.toast.className = "coach-toast";
    this.toast.setAttribute("role", "status");
    this.toast.hidden = true;
    document.body.append(this.toast);
    player.layers.push((ctx, frame, r, s, map) => this.drawLayer(ctx, frame, r, s, map));
    player.onFrame((frame) => this.updateValues(frame));
    if (this.canEdit) {
      this.wireToolbar();
      this.wireSurface();
      this.wireTimeline();
    }
    this.wirePage();
    this.renderList();
    player.draw(player.frame);
  }

  // -- where things are
  rect() {
    return this.player.contentRect();
  }

  // A drawing's point -> canvas pixels at a frame, through the stage's zoom, pan and mirror.
  resolve(point, frame, map = this.player.viewMap()) {
    if (point.joint) {
      const j = this.data.named(frame, point.joint);
      return j ? map(j[0], j[1]) : null;
    }
    return map(point.x, point.y);
  }

  // A drawing's points as fractions of the frame (joints where they are at this frame).
  normalized(point, frame) {
    if (point.joint) {
      const j = this.data.named(frame, point.joint);
      return j ? [j[0], j[1]] : null;
    }
    return [point.x, point.y];
  }

  // An angle drawing's degrees at a frame, in the picture's pixels (zoom and mirror keep angles).
  degrees(a, frame) {
    const w = this.data.width || 1;
    const h = this.data.height || 1;
    const pts = a.points.map((p) => this.normalized(p, frame));
    return pts.every(Boolean) ? angleDeg(...pts.map(([x, y]) => [x * w, y * h])) : null;
  }

  shownAt(a, frame) {
    return a.frame === null || a.frame === undefined || a.frame === frame;
  }

  // Canvas pixels per CSS pixel (the overlay is sized for the device pixel ratio).
  scaleK() {
    const box = this.player.overlay.getBoundingClientRect();
    return box.width ? this.player.overlay.width / box.width : 1;
  }

  // The picture's rectangle on the canvas, through the view (a shaft plane spans it).
  bounds() {
    const [x0, y0] = this.player.toCanvas(0, 0);
    const [x1, y1] = this.player.toCanvas(1, 1);
    return { x: Math.min(x0, x1), y: Math.min(y0, y1), w: Math.abs(x1 - x0), h: Math.abs(y1 - y0) };
  }

  // -- the layer replay.js calls after drawing the skeleton
  drawLayer(ctx, frame, r, s, map = this.player.viewMap()) {
    const drawn = [];
    const bounds = this.bounds();
    for (const a of this.annotations) {
      if (!this.shownAt(a, frame)) continue;
      const shown = this.moving && this.moving.id === a.id ? { ...a, points: this.moving.points } : a;
      const pts = shown.points.map((p) => this.resolve(p, frame, map));
      if (pts.some((p) => !p)) continue; // a snapped joint not seen in this frame
      drawShape(ctx, a.kind, pts, { colour: a.colour, text: a.text, s, selected: a.id === this.selected, bounds });
      drawn.push({
        id: a.id,
        frame,
        points: a.points.map((p) => this.normalized(p, frame)),
        canvas: pts,
        degrees: a.kind === "angle" ? this.degrees(a, frame) : null,
      });
    }
    if (this.tool && NEEDS[this.tool] && (this.pending.length || this.hover)) {
      const pts = [...this.pending, ...(this.hover ? [this.hover] : [])]
        .slice(0, NEEDS[this.tool])
        .map((p) => this.resolve(p, frame, map))
        .filter(Boolean);
      const colour = this.colourInput?.value || this.config.colour;
      drawShape(ctx, this.tool, pts, { colour, text: this.textInput?.value || "", s, dashed: true, bounds });
    }
    this.drawn = drawn;
  }

  redraw() {
    this.player.draw(this.player.frame);
  }

  // -- the toolbar
  wireToolbar() {
    const bar = this.panel.querySelector("[data-draw-toolbar]");
    if (!bar) return;
    bar.hidden = false;
    if (this.hint) this.hint.hidden = false;
    this.toolButtons = [...bar.querySelectorAll("[data-tool]")];
    this.snapInput = bar.querySelector("[data-snap]");
    this.frameInput = bar.querySelector("[data-this-frame]");
    this.colourInput = bar.querySelector("[data-colour]");
    this.textInput = bar.querySelector("[data-text-input]");
    for (const b of this.toolButtons) {
      b.addEventListener("click", () => this.setTool(this.tool === b.dataset.tool ? null : b.dataset.tool));
    }
    this.textInput?.addEventListener("input", () => this.redraw());
    this.colourInput?.addEventListener("change", () => this.redraw());
    this.undoButton = bar.querySelector('[data-act="undo"]');
    this.redoButton = bar.querySelector('[data-act="redo"]');
    this.undoButton?.addEventListener("click", () => this.undo());
    this.redoButton?.addEventListener("click", () => this.redo());
    this.renderHistory();
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && this.tool) {
        e.preventDefault();
        this.setTool(null);
        return;
      }
      // Ctrl+Z undo, Ctrl+Shift+Z (or Ctrl+Y) redo; a text field keeps its own undo.
      if (!(e.ctrlKey || e.metaKey) || e.altKey || isTyping(e.target)) return;
      const key = e.key.toLowerCase();
      if (key === "z" && !e.shiftKey) {
        e.preventDefault();
        this.undo();
      } else if ((key === "z" && e.shiftKey) || key === "y") {
        e.preventDefault();
        this.redo();
      }
    });
  }

  setTool(tool) {
    this.tool = tool;
    this.pending = [];
    this.hover = null;
    for (const b of this.toolButtons) b.setAttribute("aria-pressed", String(b.dataset.tool === tool));
    this.surface?.classList.toggle("active", Boolean(tool));
    this.root.dataset.drawTool = tool || "";
    if (tool) this.say(this.instructions(), "hint");
    this.redraw();
  }

  instructions() {
    const steps = {
      line: "Click the line's two ends.",
      angle: "Click one arm's end, then the vertex, then the other arm's end.",
      circle: "Click the centre, then a point on the rim.",
      text: "Type the text above, then click where it goes.",
      arrow: "Click the arrow's tail, then where it points.",
      box: "Click one corner, then the opposite corner.",
      plane: "Click two points on the shaft (the ball or clubhead, then the hands): the line runs across the picture.",
      move: "Drag a drawing to move it, or one of its points to reshape it.",
    };
    return `${steps[this.tool]} Esc stops.`;
  }

  // -- clicks on the picture
  wireSurface() {
    const stage = this.root.querySelector("[data-stage]");
    this.surface = document.createElement("div");
    this.surface.className = "draw-surface";
    this.surface.setAttribute("aria-hidden", "true");
    stage.append(this.surface);
    this.surface.addEventListener("pointerdown", (e) => (this.tool === "move" ? this.grab(e) : this.place(e)));
    this.surface.addEventListener("pointerup", (e) => this.drop(e));
    this.surface.addEventListener("pointercancel", () => {
      this.moving = null;
      this.redraw();
    });
    this.surface.addEventListener("pointermove", (e) => {
      if (this.moving) {
        this.drag(e);
        return;
      }
      if (!this.tool || !this.pending.length) return;
      this.hover = this.pointAt(e, false);
      this.redraw();
    });
    this.surface.addEventListener("pointerleave", () => {
      this.hover = null;
      this.redraw();
    });
  }

  // The point under the pointer: a joint when snapping and one is near, else a spot (0..1 of the
  // frame); null outside the picture.
  pointAt(e, snap = this.snapInput?.checked) {
    const box = this.player.overlay.getBoundingClientRect();
    const k = this.scaleK();
    const cx = (e.clientX - box.left) * k;
    const cy = (e.clientY - box.top) * k;
    const [nx, ny] = this.player.fromCanvas(cx, cy);
    if (nx < 0 || nx > 1 || ny < 0 || ny > 1) return null;
    if (snap) {
      const near = { major: [null, SNAP_PX * k], minor: [null, SNAP_PX * k] };
      for (const name of this.data.joints) {
        const p = this.data.named(this.player.frame, name);
        if (!p) continue;
        const [jx, jy] = this.player.toCanvas(p[0], p[1]);
        const d = Math.hypot(jx - cx, jy - cy);
        const best = near[MINOR_JOINT.test(name) ? "minor" : "major"];
        if (d < best[1]) {
          best[0] = name;
          best[1] = d;
        }
      }
      const joint = near.major[0] || near.minor[0];
      if (joint) return { joint };
    }
    return { x: Math.round(nx * 1e5) / 1e5, y: Math.round(ny * 1e5) / 1e5 };
  }

  place(e) {
    if (!this.tool) return;
    e.preventDefault();
    if (this.player.playing) this.player.pause();
    if (this.tool === "text" && !this.textInput.value.trim()) {
      this.say("Type the text first, then click where it goes.", "error");
      this.textInput.focus();
      return;
    }
    const point = this.pointAt(e);
    if (!point) {
      this.say("Click on the picture.", "error");
      return;
    }
    this.pending.push(point);
    this.redraw();
    if (this.pending.length === NEEDS[this.tool]) this.save();
  }

  save() {
    const kind = this.tool;
    const payload = {
      kind,
      frame: this.frameInput?.checked ? this.player.frame : null,
      points: this.pending,
      text: this.textInput?.value.trim() || "",
      colour: this.colourInput?.value || this.config.colour,
    };
    this.pending = [];
    this.hover = null;
    return this.run(async () => {
      const annotation = await this.create(payload);
      this.record({ type: "add", ref: this.ref(annotation.id), data: payload });
      if (kind === "text") this.textInput.value = "";
      this.say(`${KIND_LABELS[kind]} saved.`, "ok");
    });
  }

  // -- the move tool: drag a drawing, or one of its points
  // The drawing under the pointer (its point within reach first, then its lines), at this frame.
  hit(e) {
    const box = this.player.overlay.getBoundingClientRect();
    const k = this.scaleK();
    const q = [(e.clientX - box.left) * k, (e.clientY - box.top) * k];
    const reach = HIT_PX * k;
    let best = null;
    for (const d of this.drawn) {
      const pts = d.canvas;
      pts.forEach((p, i) => {
        const dist = Math.hypot(p[0] - q[0], p[1] - q[1]);
        if (dist <= reach && (!best || dist < best.dist)) best = { id: d.id, point: i, dist };
      });
    }
    if (best) return best;
    for (const d of this.drawn) {
      const a = this.annotations.find((x) => x.id === d.id);
      const pts = d.canvas;
      let segs = [];
      if (a.kind === "box" && pts.length === 2) {
        const [[x0, y0], [x1, y1]] = pts;
        const c = [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
        segs = c.map((p, i) => [p, c[(i + 1) % 4]]);
      } else if (a.kind === "circle" && pts.length === 2) {
        const r = Math.hypot(pts[1][0] - pts[0][0], pts[1][1] - pts[0][1]);
        const dist = Math.abs(Math.hypot(q[0] - pts[0][0], q[1] - pts[0][1]) - r);
        if (dist <= reach) return { id: d.id, point: null, dist };
        continue;
      } else {
        segs = pts.slice(1).map((p, i) => [pts[i], p]);
      }
      for (const [p0, p1] of segs) {
        const dist = distanceToSegment(q, p0, p1);
        if (dist <= reach) return { id: d.id, point: null, dist };
      }
    }
    return null;
  }

  grab(e) {
    e.preventDefault();
    if (this.player.playing) this.player.pause();
    const found = this.hit(e);
    const start = this.pointAt(e, false);
    if (!found || !start) return;
    const a = this.annotations.find((x) => x.id === found.id);
    const frame = this.player.frame;
    // Where each point is now, as a spot: a moved joint point stays where it is put.
    const from = a.points.map((p) => {
      const [x, y] = this.normalized(p, frame);
      return { x, y };
    });
    this.surface.setPointerCapture?.(e.pointerId);
    this.moving = { id: a.id, point: found.point, start, from, points: a.points, moved: false };
  }

  drag(e) {
    const m = this.moving;
    const box = this.player.overlay.getBoundingClientRect();
    const k = this.scaleK();
    const [nx, ny] = this.player.fromCanvas((e.clientX - box.left) * k, (e.clientY - box.top) * k);
    const dx = nx - m.start.x;
    const dy = ny - m.start.y;
    const clamp = (v) => Math.round(Math.max(0, Math.min(1, v)) * 1e5) / 1e5;
    m.points = m.from.map((p, i) => {
      if (m.point !== null && i !== m.point) return this.annotations.find((x) => x.id === m.id).points[i];
      return { x: clamp(p.x + dx), y: clamp(p.y + dy) };
    });
    m.moved = m.moved || Math.hypot(dx, dy) > 0.002;
    this.redraw();
  }

  drop() {
    const m = this.moving;
    if (!m) return;
    this.moving = null;
    const a = this.annotations.find((x) => x.id === m.id);
    if (!a || !m.moved) {
      this.redraw();
      return;
    }
    this.change(a, { points: m.points }, "Drawing moved.");
  }

  // -- server calls and the history
  ref(id) {
    let ref = this.refs.get(id);
    if (!ref) {
      ref = { id };
      this.refs.set(id, ref);
    }
    return ref;
  }

  run(fn) {
    this.queue = this.queue.then(fn).catch((err) => this.say(err.message, "error")).finally(() => {
      this.renderList();
      this.renderHistory();
      this.redraw();
    });
    return this.queue;
  }

  record(step) {
    this.undoStack.push(step);
    if (this.undoStack.length > HISTORY) this.undoStack.shift();
    this.redoStack = [];
  }

  fields(a) {
    return Object.fromEntries(FIELDS.map((k) => [k, a[k] ?? null]));
  }

  async create(data) {
    const { annotation } = await api("POST", this.urls.annotations, data);
    this.annotations.push(annotation);
    return annotation;
  }

  async put(id, changes) {
    const { annotation } = await api("PUT", `${this.urls.annotations}${encodeURIComponent(id)}/`, changes);
    this.annotations = this.annotations.map((x) => (x.id === id ? annotation : x));
    return annotation;
  }

  async destroy(id) {
    await api("DELETE", `${this.urls.annotations}${encodeURIComponent(id)}/`);
    this.annotations = this.annotations.filter((x) => x.id !== id);
    if (this.selected === id) this.selected = null;
  }

  // Re-create a drawing an undo or redo brings back; its ref takes the new id.
  async revive(ref, data) {
    const annotation = await this.create(data);
    this.refs.delete(ref.id);
    ref.id = annotation.id;
    this.refs.set(ref.id, ref);
  }

  change(a, changes, message = "Drawing saved.") {
    const before = this.fields(a);
    return this.run(async () => {
      const annotation = await this.put(a.id, changes);
      this.record({ type: "edit", ref: this.ref(a.id), before, after: this.fields(annotation) });
      this.selected = null;
      this.say(message, "ok");
    });
  }

  undo() {
    return this.run(async () => {
      const step = this.undoStack.pop();
      if (!step) return this.say("Nothing to undo.", "ok");
      try {
        if (step.type === "add") await this.destroy(step.ref.id);
        else if (step.type === "delete") await this.revive(step.ref, step.data);
        else await this.put(step.ref.id, step.before);
      } catch (err) {
        this.undoStack.push(step);
        throw err;
      }
      this.redoStack.push(step);
      this.say(`Undone: ${this.describe(step)}.`, "ok");
    });
  }

  redo() {
    return this.run(async () => {
      const step = this.redoStack.pop();
      if (!step) return this.say("Nothing to redo.", "ok");
      try {
        if (step.type === "add") await this.revive(step.ref, step.data);
        else if (step.type === "delete") await this.destroy(step.ref.id);
        else await this.put(step.ref.id, step.after);
      } catch (err) {
        this.redoStack.push(step);
        throw err;
      }
      this.undoStack.push(step);
      this.say(`Redone: ${this.describe(step)}.`, "ok");
    });
  }

  describe(step) {
    const kind = KIND_LABELS[(step.data || step.before).kind] || "drawing";
    return { add: `${kind.toLowerCase()} added`, delete: `${kind.toLowerCase()} deleted`, edit: `${kind.toLowerCase()} changed` }[step.type];
  }

  renderHistory() {
    if (this.undoButton) this.undoButton.disabled = !this.undoStack.length;
    if (this.redoButton) this.redoButton.disabled = !this.redoStack.length;
    this.panel.dataset.undo = String(this.undoStack.length);
    this.panel.dataset.redo = String(this.redoStack.length);
  }

  // -- the list of drawings
  renderList() {
    this.list.replaceChildren(...this.annotations.map((a) => this.item(a)));
    if (this.empty) this.empty.hidden = this.annotations.length > 0;
    this.panel.dataset.count = String(this.annotations.length);
    this.updateValues(this.player.frame);
  }

  item(a) {
    const li = document.createElement("li");
    li.dataset.annotationId = a.id;
    li.dataset.kind = a.kind;
    li.className = a.id === this.selected ? "selected" : "";
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = a.colour;
    const name = document.createElement("strong");
    name.textContent = KIND_LABELS[a.kind] || a.kind;
    const value = document.createElement("span");
    value.className = "value";
    value.dataset.value = "";
    const scope = document.createElement("span");
    scope.className = "scope muted small";
    if (a.frame === null || a.frame === undefined) {
      scope.textContent = "whole swing";
    } else {
      const go = document.createElement("button");
      go.type = "button";
      go.className = "link";
      go.textContent = `frame ${a.frame}`;
      go.addEventListener("click", () => this.seek(a.frame));
      scope.append(go);
    }
    const joints = a.points.filter((p) => p.joint).map((p) => p.joint.replaceAll("_", " "));
    const follows = document.createElement("span");
    follows.className = "muted small";
    follows.textContent = joints.length ? `follows ${joints.join(", ")}` : "";
    const text = document.createElement("span");
    text.className = "text";
    text.textContent = a.text ? `“${a.text}”` : "";
    const by = document.createElement("span");
    by.className = "muted small";
    by.textContent = this.authors[a.author_id] ? `by ${this.authors[a.author_id]}` : "";
    li.append(swatch, name, value, scope, follows, text, by);
    if (this.canEdit) li.append(this.editControls(a));
    return li;
  }

  editControls(a) {
    const box = document.createElement("span");
    box.className = "edit";
    const edit = document.createElement("button");
    edit.type = "button";
    edit.className = "small";
    edit.textContent = "Edit";
    edit.dataset.act = "edit";
    const del = document.createElement("button");
    del.type = "button";
    del.className = "small danger";
    del.textContent = "Delete";
    del.dataset.act = "delete";
    del.addEventListener("click", () => this.remove(a));
    const form = document.createElement("form");
    form.className = "edit-form";
    form.hidden = a.id !== this.selected;
    const colour = this.colourInput.cloneNode(true);
    colour.value = a.colour;
    if (colour.value !== a.colour) {
      const o = document.createElement("option");
      o.value = o.textContent = a.colour;
      colour.append(o);
      colour.value = a.colour;
    }
    colour.setAttribute("aria-label", "Colour");
    colour.removeAttribute("data-colour");
    const text = document.createElement("input");
    text.type = "text";
    text.value = a.text || "";
    text.maxLength = this.config.maxText;
    text.setAttribute("aria-label", "Text or label");
    const only = document.createElement("label");
    only.className = "check";
    const onlyBox = document.createElement("input");
    onlyBox.type = "checkbox";
    onlyBox.checked = a.frame !== null && a.frame !== undefined;
    only.append(onlyBox, " only at this frame");
    const follow = document.createElement("label");
    follow.className = "check";
    const followBox = document.createElement("input");
    followBox.type = "checkbox";
    followBox.dataset.follow = "";
    followBox.checked = a.points.some((p) => p.joint);
    follow.append(followBox, " snap to joints (moves with the body)");
    const save = document.createElement("button");
    save.type = "submit";
    save.className = "small primary";
    save.textContent = "Save";
    form.append(colour, text, only, follow, save);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      let frame = null;
      if (onlyBox.checked) frame = a.frame ?? this.player.frame;
      const changes = { colour: colour.value, text: text.value.trim(), frame };
      const follows = a.points.some((p) => p.joint);
      if (followBox.checked !== follows) changes.points = followBox.checked ? this.snapped(a) : this.fixed(a);
      this.update(a, changes);
    });
    edit.addEventListener("click", () => {
      this.selected = this.selected === a.id ? null : a.id;
      this.renderList();
      this.redraw();
    });
    box.append(edit, del, form);
    return box;
  }

  updateValues(frame) {
    for (const li of this.list.children) {
      const a = this.annotations.find((x) => x.id === li.dataset.annotationId);
      const out = li.querySelector("[data-value]");
      if (!a || !out) continue;
      const at = a.frame === null || a.frame === undefined ? frame : a.frame;
      if (a.kind !== "angle") {
        out.textContent = "";
        continue;
      }
      const deg = this.degrees(a, at);
      out.textContent = deg === null ? "–" : `${Math.round(deg)}°`;
    }
  }

  update(a, changes) {
    return this.change(a, changes);
  }

  remove(a) {
    const data = this.fields(a);
    return this.run(async () => {
      await this.destroy(a.id);
      this.record({ type: "delete", ref: this.ref(a.id), data });
      this.say("Drawing deleted. Ctrl+Z brings it back.", "ok");
    });
  }

  // A drawing's points held where they are at the frame on screen (it stops following the body).
  fixed(a) {
    return a.points.map((p) => {
      const q = this.normalized(p, this.player.frame);
      return q ? { x: Math.round(q[0] * 1e5) / 1e5, y: Math.round(q[1] * 1e5) / 1e5 } : p;
    });
  }

  // Each point stuck to the joint nearest it at the frame on screen (it follows the body).
  snapped(a) {
    const frame = this.player.frame;
    const w = this.data.width || 1;
    const h = this.data.height || 1;
    return a.points.map((p) => {
      if (p.joint) return p;
      let best = null;
      for (const name of this.data.joints) {
        if (MINOR_JOINT.test(name)) continue;
        const j = this.data.named(frame, name);
        if (!j) continue;
        const d = Math.hypot((j[0] - p.x) * w, (j[1] - p.y) * h);
        if (!best || d < best[1]) best = [name, d];
      }
      return best ? { joint: best[0] } : p;
    });
  }

  // -- phase markers: drag on the timeline
  wireTimeline() {
    const timeline = this.root.querySelector("[data-timeline]");
    this.ticks = timeline?.querySelector(".ticks");
    if (!this.ticks) return;
    timeline.classList.add("editable");
    let drag = null;
    this.ticks.addEventListener("pointerdown", (e) => {
      const tick = e.target.closest("[data-tick]");
      if (!tick || !tick.dataset.event) return;
      e.preventDefault();
      if (this.player.playing) this.player.pause();
      tick.setPointerCapture(e.pointerId);
      tick.classList.add("dragging");
      drag = { tick, event: tick.dataset.event, from: Number(tick.dataset.frame), to: null };
    });
    this.ticks.addEventListener("pointermove", (e) => {
      if (!drag) return;
      const frame = this.frameAt(e.clientX);
      if (frame === drag.to) return;
      drag.to = frame;
      drag.tick.style.left = this.tickLeft(frame);
      drag.tick.dataset.preview = String(frame);
      this.player.seek(frame);
    });
    const end = () => {
      if (!drag) return;
      const { tick, event, from, to } = drag;
      drag = null;
      tick.classList.remove("dragging");
      delete tick.dataset.preview;
      if (to === null || to === from) {
        tick.style.left = this.tickLeft(from);
        return;
      }
      this.correct(event, to);
    };
    this.ticks.addEventListener("pointerup", end);
    this.ticks.addEventListener("pointercancel", end);
  }

  last() {
    return Math.max(1, this.player.n - 1);
  }

  tickLeft(frame) {
    return `${(100 * frame) / this.last()}%`;
  }

  frameAt(clientX) {
    const box = this.ticks.getBoundingClientRect();
    const t = (clientX - box.left) / Math.max(1, box.width);
    return Math.max(0, Math.min(this.player.n - 1, Math.round(t * this.last())));
  }

  // -- corrections: the server recomputes; the stage and the panels follow
  async correct(event, frame) {
    this.root.dataset.correcting = event;
    try {
      const result = await api("POST", this.urls.events, { event, frame });
      this.applyEvents(result.events || {});
      this.applyChecks(result.check || {});
      document.body.dispatchEvent(new CustomEvent("analysis-changed"));
      const row = (result.rows || []).find((x) => x.name === event);
      // The engine keeps the 8 events in order: say which others a correction took along.
      const moved = result.moved || [];
      const along = moved.length
        ? ` ${moved.length > 1 ? `${moved.slice(0, -1).join(", ")} and ${moved.at(-1)}` : moved[0]} moved to keep the phases in order.`
        : "";
      this.say(
        (frame === null
          ? `${row?.label || event} is the engine's again (frame ${row?.frame ?? "–"}): metrics recomputed.`
          : `${row?.label || event} set to frame ${frame}: metrics recomputed.`) + along,
        "ok",
      );
    } catch (err) {
      this.applyEvents(this.data.events);
      this.say(err.message, "error");
    } finally {
      delete this.root.dataset.correcting;
    }
  }

  // Markers worth checking, as the server sees them after the correction: "check this".
  applyChecks(check) {
    for (const tick of this.root.querySelectorAll("[data-tick]")) {
      const why = check[tick.dataset.event];
      tick.classList.toggle("check", Boolean(why));
      if (why) tick.dataset.check = why.join("; ");
      else delete tick.dataset.check;
    }
    for (const el of this.root.querySelectorAll(".phases [data-phase]")) {
      const why = check[el.dataset.phase];
      el.classList.toggle("check", Boolean(why));
      if (why) el.dataset.check = why.join("; ");
      else delete el.dataset.check;
    }
  }

  applyEvents(events) {
    this.data.events = { ...events };
    for (const el of this.root.querySelectorAll(".phases [data-phase], .phases .phase.missing")) {
      const li = el.closest("li");
      const name = el.dataset.phase || el.dataset.missingPhase;
      if (!li || !name) continue;
      const frame = events[name];
      const text = el.textContent;
      if (Number.isInteger(frame)) {
        let button = el;
        if (el.tagName !== "BUTTON") {
          button = document.createElement("button");
          button.type = "button";
          button.className = "phase";
          button.dataset.phase = name;
          button.textContent = text;
          button.addEventListener("click", () => this.seek(Number(button.dataset.frame)));
          el.replaceWith(button);
        }
        button.dataset.frame = String(frame);
        button.title = `Jump to ${text.toLowerCase()} (frame ${frame})`;
      } else if (el.tagName === "BUTTON") {
        // Given back to an engine that cannot find it: a label again, as the page renders it.
        const span = document.createElement("span");
        span.className = "phase missing";
        span.dataset.missingPhase = name;
        span.title = "Not found in this swing";
        span.textContent = text;
        el.replaceWith(span);
      }
    }
    if (this.ticks) {
      const labels = Object.fromEntries(
        [...this.root.querySelectorAll(".phases [data-phase]")].map((b) => [b.dataset.phase, b.textContent]),
      );
      this.ticks.replaceChildren(
        ...Object.entries(events)
          .filter(([, f]) => Number.isInteger(f))
          .map(([name, f]) => {
            const tick = document.createElement("span");
            tick.className = "tick";
            tick.dataset.tick = "";
            tick.dataset.event = name;
            tick.dataset.frame = String(f);
            tick.title = labels[name] || name;
            tick.style.left = this.tickLeft(f);
            return tick;
          }),
      );
    }
    this.player.show(this.player.frame); // the phase highlight follows the new frames
  }

  seek(frame) {
    if (this.player.playing) this.player.pause();
    this.player.seek(frame);
  }

  // -- the page around the stage: phases panel, notes
  wirePage() {
    document.addEventListener("submit", (e) => {
      const form = e.target.closest?.("form[data-event-form]");
      if (!form || !this.canEdit) return;
      e.preventDefault();
      const restore = e.submitter?.name === "restore";
      const raw = form.elements.frame.value.trim();
      if (!restore && !/^\d+$/.test(raw)) {
        this.say("Give the frame as a whole number.", "error");
        return;
      }
      this.correct(form.elements.event.value, restore ? null : Number(raw));
    });
    document.addEventListener("click", (e) => {
      const here = e.target.closest?.("[data-set-current]");
      if (here) {
        const form = here.closest("form");
        form.elements.frame.value = String(this.player.frame);
        form.requestSubmit();
        return;
      }
      const use = e.target.closest?.("[data-use-frame]");
      if (use) {
        const input = document.querySelector(use.dataset.useFrame);
        if (input) input.value = String(this.player.frame);
        return;
      }
      const seek = e.target.closest?.("[data-seek-frame]");
      if (seek) {
        e.preventDefault();
        this.seek(Number(seek.dataset.seekFrame));
        this.root.scrollIntoView({ block: "nearest", behavior: "smooth" });
      }
    });
    const reveal = (scope) => {
      for (const b of scope.querySelectorAll("[data-set-current], [data-use-frame]")) b.hidden = false;
    };
    reveal(document);
    if (window.htmx) window.htmx.onLoad(reveal);
  }

  say(message, kind) {
    if (kind === "hint" && this.hint) {
      this.hint.textContent = message;
      this.hint.hidden = false;
      return;
    }
    this.toast.textContent = message;
    this.toast.dataset.kind = kind;
    this.toast.hidden = false;
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => { this.toast.hidden = true; }, kind === "error" ? 8000 : 4000);
  }
}

// The notes form answers 400 with the panel and its error (text missing, too long): show it
// instead of dropping it, as htmx does with error responses by default.
document.addEventListener("htmx:beforeSwap", (e) => {
  const source = e.detail.requestConfig?.elt;
  if (e.detail.xhr.status === 400 && source?.closest?.("[data-swap-errors]")) {
    e.detail.shouldSwap = true;
    e.detail.isError = false;
  }
});

function start(root, player) {
  if (root.dataset.coachTools) return;
  const panel = document.querySelector("[data-coach-tools]");
  const config = document.getElementById("coach-data");
  if (!panel || !config) return;
  root.dataset.coachTools = "ready";
  window.__svCoach = new CoachTools(root, player, panel, JSON.parse(config.textContent));
}

document.addEventListener("sv:ready", (e) => {
  const root = e.target.closest?.("[data-replay][data-controls]");
  if (root) start(root, e.detail.player);
});
// The player may have been ready before this module ran.
for (const root of document.querySelectorAll("[data-replay][data-controls]")) {
  if (root.svPlayer) start(root, root.svPlayer);
}
