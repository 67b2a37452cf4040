// Swing replay: the 33-joint skeleton drawn over the video, frame-exact.
//
// With a video, every presented frame comes through requestVideoFrameCallback and its mediaTime
// says which frame it is (round(mediaTime * fps)): the skeleton of that frame is drawn in the
// same callback, so the overlay never runs ahead of or behind the picture. Without a video (it
// expired, or fails to load) a timer plays the poses on a blank stage at the video's frame rate.
// The swing page starts one player with its controls; compare.js builds on the exported pieces.
// Page opened with ?debug=sync: each callback also reads the frame-number code the sync test burns
// into its video (a row of CODE_BITS black/white blocks along the top) and logs it beside the
// frame it drew, in window.__svSync.

import {
  angleDeg, applyView, clampPan, identityView, invertView, midpoint, tiltFromHorizontal, zoomAbout,
} from "./geometry.js";
import { isTyping } from "./focus.js";

export const SPEEDS = [0.125, 0.25, 0.5, 1];
export const CODE_BITS = 12;
export const CODE_STRIP = 1 / 16; // the code's height, as a fraction of the frame height

const LOW_CONF = 0.3;
const HIGH_CONF = 0.7;

// -- pose data ----------------------------------------------------------------------------------
export class PoseData {
  constructor(raw) {
    this.fps = raw.fps;
    this.captureFps = raw.capture_fps || raw.fps;
    this.n = Math.max(raw.n || 0, raw.frames.length ? raw.frames[raw.frames.length - 1] + 1 : 0);
    this.width = raw.width;
    this.height = raw.height;
    this.lead = raw.lead || "left";
    this.joints = raw.joints;
    this.jointIndex = Object.fromEntries(raw.joints.map((name, i) => [name, i]));
    this.edges = raw.edges;
    this.events = raw.events || {};
    this.nJoints = raw.joints.length;
    const [sx, sy, sc] = raw.kp_scale;
    const values = raw.kp;
    // x, y, confidence per joint per stored frame; NaN where the joint was not seen.
    this.kp = new Float32Array(values.length);
    for (let i = 0; i < values.length; i += 3) {
      const x = values[i];
      if (x === null) {
        this.kp[i] = this.kp[i + 1] = this.kp[i + 2] = NaN;
      } else {
        this.kp[i] = x / sx;
        this.kp[i + 1] = values[i + 1] / sy;
        this.kp[i + 2] = values[i + 2] / sc;
      }
    }
    // Frame number -> row in kp (-1: no pose stored for that frame).
    this.row = new Int32Array(this.n).fill(-1);
    raw.frames.forEach((f, i) => { if (f >= 0 && f < this.n) this.row[f] = i; });
  }

  has(frame) {
    return frame >= 0 && frame < this.n && this.row[frame] >= 0;
  }

  // [x, y, confidence] of a joint at a frame (normalized to the frame), or null.
  joint(frame, j) {
    if (!this.has(frame)) return null;
    const o = (this.row[frame] * this.nJoints + j) * 3;
    const x = this.kp[o];
    return Number.isNaN(x) ? null : [x, this.kp[o + 1], this.kp[o + 2]];
  }

  named(frame, name) {
    const j = this.jointIndex[name];
    return j === undefined ? null : this.joint(frame, j);
  }

  eventFrames() {
    return Object.entries(this.events).filter(([, f]) => Number.isInteger(f));
  }
}

export async function loadPoses(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`poses: HTTP ${response.status}`);
  return new PoseData(await response.json());
}

// -- drawing --------------------------------------------------------------------------------------
export function confidenceColour(c, alpha = 1) {
  // red (low) -> amber -> green (high)
  const t = Math.max(0, Math.min(1, (c - LOW_CONF) / (HIGH_CONF - LOW_CONF)));
  const hue = Math.round(t * 125);
  return `hsla(${hue}, 85%, ${c < LOW_CONF ? 50 : 45}%, ${alpha})`;
}

// Draw one skeleton. `map` turns a normalized joint into canvas pixels.
export function drawSkeleton(ctx, data, frame, map, style) {
  if (!data.has(frame)) return false;
  const pts = new Array(data.nJoints);
  for (let j = 0; j < data.nJoints; j++) {
    const p = data.joint(frame, j);
    pts[j] = p ? [...map(p[0], p[1]), p[2]] : null;
  }
  const { bone, boneWidth, jointRadius, alpha = 1, outline = true } = style;
  ctx.save();
  ctx.globalAlpha = alpha;
  ctx.lineCap = "round";
  if (outline) {
    ctx.strokeStyle = "rgba(0, 0, 0, 0.55)";
    ctx.lineWidth = boneWidth + 2.5;
    strokeBones(ctx, data.edges, pts);
  }
  ctx.strokeStyle = bone;
  ctx.lineWidth = boneWidth;
  strokeBones(ctx, data.edges, pts);
  if (jointRadius > 0) {
    for (const p of pts) {
      if (!p) continue;
      ctx.beginPath();
      ctx.arc(p[0], p[1], jointRadius, 0, Math.PI * 2);
      ctx.fillStyle = style.jointColour ? style.jointColour(p[2]) : confidenceColour(p[2]);
      ctx.fill();
      if (outline) {
        ctx.lineWidth = 1;
        ctx.strokeStyle = "rgba(0, 0, 0, 0.6)";
        ctx.stroke();
      }
    }
  }
  ctx.restore();
  return true;
}

function strokeBones(ctx, edges, pts) {
  ctx.beginPath();
  for (const [a, b] of edges) {
    const p = pts[a];
    const q = pts[b];
    if (!p || !q) continue;
    ctx.moveTo(p[0], p[1]);
    ctx.lineTo(q[0], q[1]);
  }
  ctx.stroke();
}

// -- joint angles -----------------------------------------------------------------------------------
// The current frame's joint angles, in image pixels (x scaled by the frame's aspect ratio).
export function jointAngles(data, frame) {
  const w = data.width || 1;
  const h = data.height || 1;
  const P = (name) => {
    const p = data.named(frame, name);
    return p ? [p[0] * w, p[1] * h] : null;
  };
  const lead = data.lead;
  const trail = lead === "left" ? "right" : "left";
  const rows = [];
  const add = (label, value) => rows.push([label, value]);
  const tri = (a, b, c) => {
    const pa = P(a); const pb = P(b); const pc = P(c);
    return pa && pb && pc ? angleDeg(pa, pb, pc) : null;
  };
  add("Lead elbow", tri(`${lead}_shoulder`, `${lead}_elbow`, `${lead}_wrist`));
  add("Trail elbow", tri(`${trail}_shoulder`, `${trail}_elbow`, `${trail}_wrist`));
  add("Lead shoulder (arm to torso)", tri(`${lead}_hip`, `${lead}_shoulder`, `${lead}_elbow`));
  add("Trail shoulder (arm to torso)", tri(`${trail}_hip`, `${trail}_shoulder`, `${trail}_elbow`));
  add("Lead knee", tri(`${lead}_hip`, `${lead}_knee`, `${lead}_ankle`));
  add("Trail knee", tri(`${trail}_hip`, `${trail}_knee`, `${trail}_ankle`));
  const ls = P("left_shoulder"); const rs = P("right_shoulder");
  const lh = P("left_hip"); const rh = P("right_hip");
  if (ls && rs && lh && rh) {
    const ms = midpoint(ls, rs); const mh = midpoint(lh, rh);
    add("Spine tilt from vertical", (Math.atan2(Math.abs(ms[0] - mh[0]), mh[1] - ms[1]) * 180) / Math.PI);
  } else {
    add("Spine tilt from vertical", null);
  }
  add("Shoulder line tilt", ls && rs ? tiltFromHorizontal(ls, rs) : null);
  add("Hip line tilt", lh && rh ? tiltFromHorizontal(lh, rh) : null);
  return rows;
}

// -- the frame-number code of the sync test ------------------------------------------------------
export function readFrameCode(ctx, width, height) {
  const stripH = Math.max(2, Math.round(height * CODE_STRIP));
  const y = Math.floor(stripH / 2);
  const row = ctx.getImageData(0, y, width, 1).data;
  let code = 0;
  for (let i = 0; i < CODE_BITS; i++) {
    const x = Math.floor(((i + 0.5) * width) / CODE_BITS);
    const o = x * 4;
    const lum = 0.299 * row[o] + 0.587 * row[o + 1] + 0.114 * row[o + 2];
    code = code * 2 + (lum > 127 ? 1 : 0);
  }
  return code;
}

// -- the player ----------------------------------------------------------------------------------------
export class OverlayPlayer {
  constructor(root, data) {
    this.root = root;
    this.data = data;
    this.fps = data.fps || Number(root.dataset.fps) || 30;
    this.n = data.n;
    this.frame = 0;
    this.rate = 1;
    this.playing = false;
    this.layers = []; // extra drawings (the ghost skeleton), called after the main skeleton
    this.listeners = [];
    this.stage = root.querySelector("[data-stage]");
    this.overlay = root.querySelector("[data-overlay]");
    this.ctx = this.overlay.getContext("2d");
    this.video = root.querySelector("[data-video]");
    this.note = root.querySelector("[data-note]");
    this.debugSync = root.hasAttribute("data-debug-sync") ||
      new URLSearchParams(window.location.search).get("debug") === "sync";
    this.timer = null;
    this.lastTick = 0;
    this.clock = 0; // seconds of media time, timer mode
    this.target = null; // the frame a seek in flight will show (steps count from it)
    this.loop = null; // {a, b}: playback runs from frame a to frame b and round again
    // Zoom, pan (fractions of the stage) and mirror; the video gets it as a CSS transform and the
    // skeleton and drawings are drawn through it (toCanvas), so both stay on the picture.
    this.view = identityView();
    this.resize();
    new ResizeObserver(() => {
      this.resize();
      this.applyViewStyle();
      this.draw(this.frame);
    }).observe(this.stage);
    if (this.video) {
      this.useVideo();
    } else {
      this.useTimer();
    }
  }

  onFrame(fn) {
    this.listeners.push(fn);
  }

  resize() {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(this.overlay.clientWidth * dpr));
    const h = Math.max(1, Math.round(this.overlay.clientHeight * dpr));
    if (this.overlay.width !== w || this.overlay.height !== h) {
      this.overlay.width = w;
      this.overlay.height = h;
    }
    this.scale = Math.min(w, h) / 400;
  }

  // -- modes
  useVideo() {
    const v = this.video;
    v.muted = true;
    v.playbackRate = this.rate;
    if (this.debugSync) {
      window.__svSync = window.__svSync || [];
      this.codeCanvas = document.createElement("canvas");
      this.codeCtx = this.codeCanvas.getContext("2d", { willReadFrequently: true });
    }
    if ("requestVideoFrameCallback" in HTMLVideoElement.prototype) {
      const onVideoFrame = (now, meta) => {
        const f = this.clampFrame(Math.round(meta.mediaTime * this.fps));
        if (f === this.target) this.target = null;
        // The sync test's reading of the video's own pixels comes first, as close to the
        // callback as it can be: a late read could see the next frame already.
        const code = this.debugSync ? this.readCode() : null;
        this.show(f);
        if (this.debugSync) this.logSync(meta, f, code, now);
        v.requestVideoFrameCallback(onVideoFrame);
      };
      v.requestVideoFrameCallback(onVideoFrame);
    } else {
      // Browsers without the callback: follow currentTime on every animation frame (close, but
      // not frame-exact).
      const follow = () => {
        const f = this.clampFrame(Math.floor(v.currentTime * this.fps + 1e-6));
        if (f !== this.frame) this.show(f);
        requestAnimationFrame(follow);
      };
      requestAnimationFrame(follow);
    }
    v.addEventListener("play", () => this.setPlaying(true));
    v.addEventListener("pause", () => this.setPlaying(false));
    v.addEventListener("ended", () => {
      if (this.loop) {
        this.wrapLoop();
        return;
      }
      this.setPlaying(false);
    });
    v.addEventListener("seeked", () => {
      // A seek to the frame already shown presents no new frame: draw it here too (when a new
      // frame does come, its callback draws it again, from the frame itself).
      if (this.target !== null && !v.seeking) {
        const f = this.target;
        this.target = null;
        if (f !== this.frame) this.show(f);
      }
    });
    const failed = () => this.fallBackToTimer("The video could not be loaded: the skeleton replays on its own.");
    v.addEventListener("error", failed);
    // The element started loading with the page, before the poses came: it may have failed already.
    if (v.error || v.networkState === HTMLMediaElement.NETWORK_NO_SOURCE) {
      queueMicrotask(failed);
      return;
    }
    if (v.readyState >= 1) this.show(0);
    else v.addEventListener("loadeddata", () => this.show(this.frame), { once: true });
  }

  fallBackToTimer(message) {
    if (!this.video) return;
    const blank = document.createElement("canvas");
    blank.className = "blank";
    blank.width = this.data.width || Number(this.root.dataset.width) || 640;
    blank.height = this.data.height || Number(this.root.dataset.height) || 480;
    this.video.replaceWith(blank);
    this.video = null;
    if (this.note) {
      this.note.textContent = message;
      this.note.hidden = false;
    }
    this.useTimer();
    this.resize();
    this.show(this.frame);
  }

  useTimer() {
    this.show(this.frame);
  }

  readCode() {
    const v = this.video;
    const w = v.videoWidth;
    const h = v.videoHeight;
    if (!w || !h) return null;
    if (this.codeCanvas.width !== w || this.codeCanvas.height !== h) {
      this.codeCanvas.width = w;
      this.codeCanvas.height = h;
    }
    this.codeCtx.drawImage(v, 0, 0, w, h);
    return readFrameCode(this.codeCtx, w, h);
  }

  logSync(meta, drawn, code, now) {
    const v = this.video;
    if (code === null) return;
    window.__svSync.push({
      code,
      drawnPoseFrame: drawn,
      mediaTime: meta.mediaTime,
      presentedFrames: meta.presentedFrames,
      // How long after its expected display time the callback ran (ms): a late one may have
      // read the next frame's pixels.
      lateMs: Math.round(now - meta.expectedDisplayTime),
      playing: !v.paused,
      rate: v.playbackRate,
    });
  }

  clampFrame(f) {
    return Math.max(0, Math.min(this.n - 1, f));
  }

  // -- drawing and state
  show(frame) {
    if (this.loop && this.playing && frame >= this.loop.b) {
      this.wrapLoop();
      if (frame > this.loop.b) return;
    }
    this.frame = frame;
    this.root.dataset.frame = String(frame); // what the page shows, for tests and styles
    this.draw(frame);
    for (const fn of this.listeners) fn(frame, this);
  }

  // Where the picture is inside the overlay, in canvas pixels: the video is letterboxed when its
  // box and the picture differ in shape (object-fit: contain), and the skeleton must follow.
  contentRect() {
    const w = this.overlay.width;
    const h = this.overlay.height;
    const vw = (this.video && this.video.videoWidth) || this.data.width || Number(this.root.dataset.width) || w;
    const vh = (this.video && this.video.videoHeight) || this.data.height || Number(this.root.dataset.height) || h;
    const aspect = vw / vh;
    if (w / h > aspect) {
      const cw = h * aspect;
      return { x: (w - cw) / 2, y: 0, w: cw, h };
    }
    const ch = w / aspect;
    return { x: 0, y: (h - ch) / 2, w, h: ch };
  }

  // The view in canvas pixels (the player keeps the pan as fractions of the stage).
  pixelView() {
    const { width: w, height: h } = this.overlay;
    return { ...this.view, tx: this.view.tx * w, ty: this.view.ty * h };
  }

  centre() {
    return [this.overlay.width / 2, this.overlay.height / 2];
  }

  // Points of the picture (0..1 of the frame) -> canvas pixels, through zoom, pan and mirror:
  // the rectangle and the view worked out once for a whole drawing.
  viewMap() {
    const r = this.contentRect();
    const v = this.view;
    if (v.zoom === 1 && !v.mirror && !v.tx && !v.ty) return (nx, ny) => [r.x + nx * r.w, r.y + ny * r.h];
    const pv = this.pixelView();
    const c = this.centre();
    return (nx, ny) => applyView(pv, c, [r.x + nx * r.w, r.y + ny * r.h]);
  }

  toCanvas(nx, ny) {
    return this.viewMap()(nx, ny);
  }

  // Canvas pixels -> the point of the picture under them (0..1 of the frame; outside: beyond).
  fromCanvas(cx, cy) {
    const r = this.contentRect();
    const [x, y] = invertView(this.pixelView(), this.centre(), [cx, cy]);
    return [(x - r.x) / r.w, (y - r.y) / r.h];
  }

  // Set zoom / pan / mirror (pan in canvas pixels here); the video follows through CSS.
  setView(next) {
    const { width: w, height: h } = this.overlay;
    const v = clampPan(next, w, h);
    this.view = { zoom: v.zoom, tx: v.tx / w, ty: v.ty / h, mirror: Boolean(v.mirror) };
    this.applyViewStyle();
    this.root.dataset.zoom = this.view.zoom.toFixed(2);
    this.root.dataset.mirror = String(this.view.mirror);
    this.draw(this.frame);
    for (const fn of this.listeners) fn(this.frame, this);
  }

  applyViewStyle() {
    const picture = this.video || this.stage.querySelector("canvas.blank");
    if (!picture) return;
    const box = this.overlay.getBoundingClientRect();
    const { zoom, mirror } = this.view;
    const tx = this.view.tx * box.width;
    const ty = this.view.ty * box.height;
    picture.style.transform = zoom === 1 && !mirror && !tx && !ty
      ? ""
      : `translate(${tx}px, ${ty}px) scale(${mirror ? -zoom : zoom}, ${zoom})`;
  }

  zoomBy(factor, at = null) {
    const c = this.centre();
    const pv = this.pixelView();
    this.setView(zoomAbout(pv, c, at || c, pv.zoom * factor, this.overlay.width, this.overlay.height));
  }

  panBy(dx, dy) {
    const pv = this.pixelView();
    this.setView({ ...pv, tx: pv.tx + dx, ty: pv.ty + dy });
  }

  toggleMirror() {
    const pv = this.pixelView();
    this.setView({ ...pv, mirror: !pv.mirror, tx: -pv.tx });
  }

  resetView() {
    this.setView(identityView());
  }

  draw(frame) {
    const ctx = this.ctx;
    ctx.clearRect(0, 0, this.overlay.width, this.overlay.height);
    const r = this.contentRect();
    if (!this.video) {
      ctx.fillStyle = "#1d2a24";
      ctx.fillRect(0, 0, this.overlay.width, this.overlay.height);
    }
    const s = this.scale;
    const map = this.viewMap();
    drawSkeleton(ctx, this.data, frame, map, {
      bone: "rgba(255, 255, 255, 0.92)",
      boneWidth: Math.max(1.5, 2.2 * s),
      jointRadius: Math.max(2.5, 3.6 * s),
    });
    // Layers get the unzoomed picture rectangle and the mapping through the view.
    for (const layer of this.layers) layer(ctx, frame, r, s, map);
  }

  setPlaying(playing) {
    this.playing = playing;
    for (const fn of this.listeners) fn(this.frame, this);
  }

  // -- transport
  play() {
    this.target = null;
    if (this.loop && (this.frame < this.loop.a || this.frame >= this.loop.b)) this.seek(this.loop.a);
    else if (this.frame >= this.n - 1) this.seek(0);
    if (this.video) {
      this.video.playbackRate = this.rate;
      return this.video.play();
    }
    this.clock = this.frame / this.fps;
    this.lastTick = performance.now();
    this.setPlaying(true);
    const tick = (now) => {
      if (!this.playing) return;
      this.clock += ((now - this.lastTick) / 1000) * this.rate;
      this.lastTick = now;
      let f = Math.floor(this.clock * this.fps + 1e-6);
      if (this.loop && f >= this.loop.b) {
        this.clock = this.loop.a / this.fps;
        f = this.loop.a;
      }
      if (f >= this.n - 1) {
        this.show(this.n - 1);
        this.setPlaying(false);
        return;
      }
      if (f !== this.frame) this.show(f);
      this.timer = requestAnimationFrame(tick);
    };
    this.timer = requestAnimationFrame(tick);
    return Promise.resolve();
  }

  pause() {
    if (this.video) {
      this.video.pause();
    } else {
      if (this.timer) cancelAnimationFrame(this.timer);
      this.setPlaying(false);
    }
  }

  toggle() {
    return this.playing ? this.pause() : this.play();
  }

  // Show exactly this frame. The seek aims at the middle of the frame's display interval, which
  // lands on it whichever way the decoder rounds.
  seek(frame) {
    const f = this.clampFrame(Math.round(frame));
    if (this.video) {
      this.target = f;
      this.video.currentTime = (f + 0.5) / this.fps;
    } else {
      this.clock = f / this.fps;
      this.show(f);
    }
  }

  step(delta) {
    if (this.playing) this.pause();
    this.seek((this.target ?? this.frame) + delta);
  }

  setRate(rate) {
    this.rate = rate;
    if (this.video) this.video.playbackRate = rate;
    this.root.dataset.rate = String(rate);
  }

  // Loop playback between frames a and b (null: no loop).
  setLoop(a, b) {
    if (a === null || a === undefined) {
      this.loop = null;
      delete this.root.dataset.loop;
    } else {
      const lo = this.clampFrame(Math.min(a, b));
      const hi = this.clampFrame(Math.max(a, b));
      this.loop = { a: lo, b: hi };
      this.root.dataset.loop = `${lo}-${hi}`;
    }
    for (const fn of this.listeners) fn(this.frame, this);
  }

  // Back to the loop's first frame, still playing.
  wrapLoop() {
    const a = this.loop.a;
    if (this.video) {
      this.target = a;
      this.video.currentTime = (a + 0.5) / this.fps;
      if (this.video.paused) this.video.play();
    } else {
      this.clock = a / this.fps;
    }
  }
}

// -- controls: transport buttons, speeds, timeline, phases, keys, joint angles -----------------
export function wireControls(root, player) {
  const data = player.data;
  const playButton = root.querySelector('[data-act="play"]');
  const label = root.querySelector("[data-frame-label]");
  const scrub = root.querySelector("[data-scrub]");
  const phases = [...root.querySelectorAll("[data-phase]")];
  const anglesBox = root.querySelector("[data-angles]");
  const anglesBody = root.querySelector("[data-angles-body]");
  const anglesFrame = root.querySelector("[data-angles-frame]");
  const anglesButton = root.querySelector('[data-act="angles"]');
  const last = Math.max(0, player.n - 1);
  if (scrub) scrub.max = String(last);
  for (const tick of root.querySelectorAll("[data-tick]")) {
    tick.style.left = `${(100 * Number(tick.dataset.frame)) / Math.max(1, last)}%`;
  }
  root.querySelector('[data-act="back"]')?.addEventListener("click", () => player.step(-1));
  root.querySelector('[data-act="forward"]')?.addEventListener("click", () => player.step(1));
  playButton?.addEventListener("click", () => player.toggle());
  scrub?.addEventListener("input", () => {
    if (player.playing) player.pause();
    player.seek(Number(scrub.value));
  });
  for (const p of phases) p.addEventListener("click", () => {
    if (player.playing) player.pause();
    player.seek(Number(p.dataset.frame));
  });
  anglesButton?.addEventListener("click", () => {
    anglesBox.hidden = !anglesBox.hidden;
    anglesButton.setAttribute("aria-expanded", String(!anglesBox.hidden));
    if (!anglesBox.hidden) renderAngles(player.frame);
  });
  function renderAngles(frame) {
    anglesFrame.textContent = String(frame);
    const rows = jointAngles(data, frame);
    anglesBody.replaceChildren(...rows.map(([name, value]) => {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = name;
      const td = document.createElement("td");
      td.className = "num";
      td.textContent = value === null ? "–" : `${value.toFixed(0)}°`;
      tr.append(th, td);
      return tr;
    }));
  }
  // Time as filmed: a slow-motion file steps one captured frame at a time, 1 / capture rate apart.
  const seconds = (f) => (f / (data.captureFps || player.fps)).toFixed(2);
  player.onFrame((frame) => {
    if (label) label.textContent = `frame ${frame} / ${last} · ${seconds(frame)} s`;
    if (scrub && document.activeElement !== scrub) scrub.value = String(frame);
    if (playButton) {
      playButton.textContent = player.playing ? "Pause" : "Play";
      playButton.setAttribute("aria-pressed", String(player.playing));
    }
    let current = null;
    for (const p of phases) if (Number(p.dataset.frame) <= frame) current = p;
    for (const p of phases) p.classList.toggle("current", p === current);
    if (anglesBox && !anglesBox.hidden) renderAngles(frame);
  });
  wireSpeeds(root, player);
  wireLoop(root, player);
  wireView(root, player);
  wireKeys(root, player);
  wireCheckLabels(root);
}

// -- "check this" over the markers worth checking (display.markers_to_check) -----------------
// Markers closer together than a label is wide would pile their labels into an unreadable smear
// (a portrait clip's narrow timeline beside the stage): going left to right, a label that would
// overlap the one before it is hidden (its marker stays red, the reason in its title), and a
// label at an end of the timeline is pulled inside it. Redone when the timeline's width changes
// and when the markers change (coach-tools.js re-renders them after a correction).
const LABEL_GAP = 4; // px between two labels

export function placeCheckLabels(ticks) {
  const bounds = ticks.parentElement.getBoundingClientRect();
  const marks = [...ticks.querySelectorAll("[data-tick]")];
  let freeFrom = -Infinity;
  const placed = marks
    .map((tick) => [tick, tick.getBoundingClientRect().left])
    .sort((a, b) => a[1] - b[1]);
  for (const [tick] of placed) {
    let label = tick.querySelector(".check-label");
    if (!tick.classList.contains("check")) {
      label?.remove();
      continue;
    }
    if (!label) {
      label = document.createElement("span");
      label.className = "check-label";
      label.textContent = "check this";
      tick.append(label);
    }
    label.hidden = false;
    label.style.translate = "";
    const r = label.getBoundingClientRect();
    const dx = Math.max(0, bounds.left - r.left) - Math.max(0, r.right - bounds.right);
    if (dx) label.style.translate = `${dx}px 0`;
    if (r.left + dx < freeFrom + LABEL_GAP) label.hidden = true;
    else freeFrom = r.right + dx;
  }
}

function wireCheckLabels(root) {
  const ticks = root.querySelector("[data-timeline] .ticks");
  if (!ticks) return;
  const watch = { childList: true, subtree: true, attributes: true, attributeFilter: ["class"] };
  const observer = new MutationObserver(() => {
    observer.disconnect();
    placeCheckLabels(ticks);
    observer.takeRecords();
    observer.observe(ticks, watch);
  });
  new ResizeObserver(() => placeCheckLabels(ticks)).observe(ticks);
  placeCheckLabels(ticks);
  observer.observe(ticks, watch);
}

// -- speeds: the buttons and [ ] --------------------------------------------------------------
function wireSpeeds(root, player) {
  const buttons = [...root.querySelectorAll("[data-speed]")];
  const mark = () => {
    for (const o of buttons) o.setAttribute("aria-pressed", String(Number(o.dataset.speed) === player.rate));
  };
  for (const b of buttons) {
    b.addEventListener("click", () => {
      player.setRate(Number(b.dataset.speed));
      mark();
    });
  }
  player.stepRate = (delta) => {
    const i = SPEEDS.indexOf(player.rate);
    const next = SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, (i < 0 ? SPEEDS.indexOf(1) : i) + delta))];
    player.setRate(next);
    mark();
    return next;
  };
  player.setRate(player.rate);
}

// -- loop: L marks the loop's start, L again its end (playback then runs round between the two),
// L a third time clears it. The loop shows as a band on the timeline.
function wireLoop(root, player) {
  const button = root.querySelector('[data-act="loop"]');
  const band = root.querySelector("[data-loop-band]");
  let start = null;
  const last = () => Math.max(1, player.n - 1);
  const render = () => {
    const state = player.loop ? "on" : start !== null ? "start" : "off";
    root.dataset.loopState = state;
    if (button) {
      button.setAttribute("aria-pressed", String(state !== "off"));
      button.textContent = state === "on"
        ? `Loop ${player.loop.a}–${player.loop.b} ✕`
        : state === "start" ? `Loop from ${start}… set end` : "Loop";
    }
    if (band) {
      const from = player.loop ? player.loop.a : start;
      const to = player.loop ? player.loop.b : start;
      band.hidden = from === null;
      if (from !== null) {
        band.style.left = `${(100 * from) / last()}%`;
        band.style.width = `${(100 * (to - from)) / last()}%`;
      }
    }
  };
  player.toggleLoop = () => {
    const f = player.target ?? player.frame;
    if (player.loop) {
      player.setLoop(null);
      start = null;
    } else if (start === null) {
      start = f;
    } else if (f === start) {
      return render(); // the end must be another frame
    } else {
      player.setLoop(start, f);
      start = null;
      player.seek(player.loop.a);
    }
    render();
  };
  button?.addEventListener("click", () => player.toggleLoop());
  render();
}

// -- view: zoom (wheel, + and -, buttons), pan (drag while zoomed), mirror --------------------
function wireView(root, player) {
  const stage = player.stage;
  const zoomLabel = root.querySelector("[data-zoom-label]");
  const mirrorButton = root.querySelector('[data-act="mirror"]');
  const canvasPoint = (e) => {
    const box = player.overlay.getBoundingClientRect();
    const k = box.width ? player.overlay.width / box.width : 1;
    return [(e.clientX - box.left) * k, (e.clientY - box.top) * k];
  };
  root.querySelector('[data-act="zoom-in"]')?.addEventListener("click", () => player.zoomBy(1.25));
  root.querySelector('[data-act="zoom-out"]')?.addEventListener("click", () => player.zoomBy(0.8));
  root.querySelector('[data-act="zoom-reset"]')?.addEventListener("click", () => player.resetView());
  mirrorButton?.addEventListener("click", () => player.toggleMirror());
  stage.addEventListener("wheel", (e) => {
    if (root.dataset.drawTool) return;
    e.preventDefault();
    player.zoomBy(Math.exp(-Math.max(-300, Math.min(300, e.deltaY)) * 0.002), canvasPoint(e));
  }, { passive: false });
  let drag = null;
  stage.addEventListener("pointerdown", (e) => {
    if (e.button !== 0 || player.view.zoom <= 1 || root.dataset.drawTool) return;
    e.preventDefault();
    stage.setPointerCapture(e.pointerId);
    drag = { at: canvasPoint(e) };
    stage.classList.add("panning");
  });
  stage.addEventListener("pointermove", (e) => {
    if (!drag) return;
    const at = canvasPoint(e);
    player.panBy(at[0] - drag.at[0], at[1] - drag.at[1]);
    drag.at = at;
  });
  const end = () => {
    drag = null;
    stage.classList.remove("panning");
  };
  stage.addEventListener("pointerup", end);
  stage.addEventListener("pointercancel", end);
  player.onFrame(() => {
    if (zoomLabel) zoomLabel.textContent = `${Math.round(player.view.zoom * 100)}%`;
    mirrorButton?.setAttribute("aria-pressed", String(player.view.mirror));
    stage.classList.toggle("zoomed", player.view.zoom > 1);
  });
  root.dataset.zoom = "1.00";
  root.dataset.mirror = "false";
}

// -- keys, wherever the focus is except in a text field -------------------------------------
// ←/→ one frame, Shift+←/→ ten, 1-8 the phases, space play/pause, L loop, [ ] speed,
// + / - zoom, 0 whole picture, M mirror, ? this list.
function wireKeys(root, player) {
  const help = root.querySelector("[data-key-help]");
  const helpButton = root.querySelector('[data-act="keys"]');
  const toggleHelp = (show = help?.hidden) => {
    if (!help) return;
    help.hidden = !show;
    helpButton?.setAttribute("aria-expanded", String(show));
  };
  helpButton?.addEventListener("click", () => toggleHelp());
  help?.querySelector("[data-close]")?.addEventListener("click", () => toggleHelp(false));
  const phaseAt = (i) => root.querySelectorAll(".phases > li")[i]?.firstElementChild;
  const actions = {
    ArrowLeft: (e) => player.step(e.shiftKey ? -10 : -1),
    ArrowRight: (e) => player.step(e.shiftKey ? 10 : 1),
    ",": () => player.step(-1),
    ".": () => player.step(1),
    " ": () => player.toggle(),
    l: () => player.toggleLoop(),
    L: () => player.toggleLoop(),
    "[": () => player.stepRate(-1),
    "]": () => player.stepRate(1),
    "+": () => player.zoomBy(1.25),
    "=": () => player.zoomBy(1.25),
    "-": () => player.zoomBy(0.8),
    0: () => player.resetView(),
    m: () => player.toggleMirror(),
    M: () => player.toggleMirror(),
    "?": () => toggleHelp(),
    Escape: () => (help && !help.hidden ? toggleHelp(false) : false),
  };
  for (let i = 1; i <= 8; i++) {
    actions[String(i)] = () => {
      const el = phaseAt(i - 1);
      if (!el || el.tagName !== "BUTTON") return;
      if (player.playing) player.pause();
      player.seek(Number(el.dataset.frame));
    };
  }
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
    const act = actions[e.key];
    if (!act) return;
    if (act(e) === false) return;
    // The key is the player's, not the focused control's: no button click on space, no
    // slider step on an arrow, no page scroll.
    e.preventDefault();
  });
  // A button activates on space's keyup: the key went to the player already.
  document.addEventListener("keyup", (e) => {
    if (e.key === " " && !isTyping(e.target) && !(e.ctrlKey || e.metaKey || e.altKey)) e.preventDefault();
  });
}

// The stage's width follows the picture's shape (see .stage in app.css).
export function setAspect(root, width, height) {
  if (!(width > 0 && height > 0)) return;
  root.style.setProperty("--stage-ar", String(width / height));
  // A portrait picture takes the full height, its controls beside it (app.css).
  root.dataset.orientation = width < height ? "portrait" : "landscape";
}

export async function startPlayer(root) {
  const loading = root.querySelector("[data-loading]");
  setAspect(root, Number(root.dataset.width), Number(root.dataset.height));
  const video = root.querySelector("[data-video]");
  video?.addEventListener("loadedmetadata", () => setAspect(root, video.videoWidth, video.videoHeight));
  try {
    const data = await loadPoses(root.dataset.posesUrl);
    const player = new OverlayPlayer(root, data);
    if (root.hasAttribute("data-controls")) wireControls(root, player);
    player.show(player.frame);
    root.dataset.ready = "true";
    // Extension point for other modules (coach-tools.js): the ready player, to add drawing
    // layers (player.layers) and frame listeners (player.onFrame) to.
    root.svPlayer = player;
    root.dispatchEvent(new CustomEvent("sv:ready", { bubbles: true, detail: { player } }));
    return player;
  } catch (err) {
    root.dataset.error = String(err);
    throw err;
  } finally {
    if (loading) loading.hidden = true;
  }
}

// The swing page: one player with its controls. (The compare page's module starts its own.)
function init(scope) {
  for (const root of scope.querySelectorAll("[data-replay]")) {
    if (root.closest("[data-compare]") || root.dataset.started) continue;
    root.dataset.started = "true";
    startPlayer(root).then((player) => {
      window.__svPlayer = player;
      // ?frame=N opens the swing at that frame (the links of similarity search use it).
      const start = Number(new URLSearchParams(window.location.search).get("frame"));
      if (Number.isInteger(start) && start > 0) player.seek(start);
    });
  }
}

if (window.htmx) window.htmx.onLoad(init);
else document.addEventListener("DOMContentLoaded", () => init(document));
