// The lesson recorder: records the replay stage(s) of the page as the coach sees them (the video,
// the skeleton, the drawings, the ghost or the second swing) with the coach's microphone.
//
// Every animation frame paints each stage onto one canvas, the way it is on screen: the video
// letterboxed in its box (object-fit: contain), then the overlay canvas (skeleton, drawings,
// ghost) stretched over the box. canvas.captureStream() plus the microphone's track go into a
// MediaRecorder. A coach who refuses the microphone records without sound and is told so. The
// recording stops itself at the limit (shown from the start, and a minute before); then a
// preview with "Save lesson" (streamed to the server as a multipart upload, with progress) or
// "Discard".

const HEIGHT = 720; // the recording's height; its width follows the stage(s)
const MAX_WIDTH = 1920;
const FPS = 30;
const VIDEO_BITS = 2_500_000;
const AUDIO_BITS = 96_000;
const WARN_BEFORE_S = 60;
const TYPES = [
  "video/webm;codecs=vp9,opus",
  "video/webm;codecs=vp8,opus",
  "video/webm",
  "video/mp4;codecs=avc1,mp4a",
  "video/mp4",
];

export function pickType() {
  if (!window.MediaRecorder) return null;
  return TYPES.find((t) => MediaRecorder.isTypeSupported(t)) || "";
}

export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function csrfToken() {
  try {
    const headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    if (headers["X-CSRFToken"]) return headers["X-CSRFToken"];
  } catch {
    // fall through to the cookie
  }
  const m = document.cookie.match(/(?:^|;\s*)(?:__Host-)?csrftoken=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : "";
}

// The picture of one stage, letterboxed into (x, y, w, h) of the recording.
function paintStage(ctx, root, x, y, w, h) {
  ctx.fillStyle = "#000";
  ctx.fillRect(x, y, w, h);
  const video = root.querySelector("[data-video]");
  if (video && video.readyState >= 2 && video.videoWidth) {
    const scale = Math.min(w / video.videoWidth, h / video.videoHeight);
    const vw = video.videoWidth * scale;
    const vh = video.videoHeight * scale;
    ctx.drawImage(video, x + (w - vw) / 2, y + (h - vh) / 2, vw, vh);
  }
  const overlay = root.querySelector("[data-overlay]");
  if (overlay && overlay.width && overlay.height) ctx.drawImage(overlay, x, y, w, h);
  const player = root.svPlayer;
  if (player) {
    // The frame and the speed, as the transport shows them (the overlay does not).
    const text = `frame ${player.frame}${player.rate !== 1 ? ` · ${player.rate}×` : ""}`;
    ctx.font = `${Math.round(h / 30)}px system-ui, sans-serif`;
    ctx.fillStyle = "rgba(0, 0, 0, 0.55)";
    const tw = ctx.measureText(text).width;
    ctx.fillRect(x + 8, y + h - h / 30 - 16, tw + 12, h / 30 + 10);
    ctx.fillStyle = "#fff";
    ctx.fillText(text, x + 14, y + h - 12);
  }
}

export class StageRecorder {
  constructor(stages) {
    this.stages = stages;
    this.canvas = document.createElement("canvas");
    const boxes = stages.map((s) => s.querySelector("[data-stage]").getBoundingClientRect());
    let widths = boxes.map((b) => (b.width && b.height ? (HEIGHT * b.width) / b.height : HEIGHT * 4 / 3));
    let height = HEIGHT;
    const total = widths.reduce((a, b) => a + b, 0);
    if (total > MAX_WIDTH) {
      const k = MAX_WIDTH / total;
      widths = widths.map((w) => w * k);
      height = Math.round(height * k);
    }
    this.widths = widths.map((w) => Math.round(w / 2) * 2);
    this.canvas.width = this.widths.reduce((a, b) => a + b, 0);
    this.canvas.height = Math.round(height / 2) * 2;
    this.ctx = this.canvas.getContext("2d");
    this.running = false;
  }

  paint() {
    let x = 0;
    this.stages.forEach((root, i) => {
      paintStage(this.ctx, root, x, 0, this.widths[i], this.canvas.height);
      x += this.widths[i];
    });
  }

  start() {
    this.running = true;
    this.paint();
    const loop = () => {
      if (!this.running) return;
      this.paint();
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
    // A timer too: animation frames stop in a hidden tab, and the recording must go on.
    this.timer = setInterval(() => { if (document.hidden) this.paint(); }, 1000 / FPS);
    return this.canvas.captureStream(FPS);
  }

  stop() {
    this.running = false;
    clearInterval(this.timer);
  }
}

async function microphone() {
  if (!navigator.mediaDevices?.getUserMedia) return { stream: null, reason: "this browser offers no microphone" };
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } });
    return { stream, reason: "" };
  } catch (err) {
    const reason = err && err.name === "NotAllowedError" ? "the microphone was refused" : "no microphone could be opened";
    return { stream: null, reason };
  }
}

class LessonRecorder {
  constructor(root) {
    this.root = root;
    this.maxSeconds = Number(root.dataset.maxSeconds) || 600;
    this.maxBytes = Number(root.dataset.maxBytes) || Infinity;
    this.el = (name) => root.querySelector(`[data-rec-${name}]`);
    this.state = "idle";
    this.chunks = [];
    this.blob = null;
    this.el("start").addEventListener("click", () => this.start());
    this.el("pause").addEventListener("click", () => this.togglePause());
    this.el("stop").addEventListener("click", () => this.stop());
    this.el("discard").addEventListener("click", () => this.discard());
    this.el("form").addEventListener("submit", (e) => { e.preventDefault(); this.save(); });
    if (pickType() === null || !HTMLCanvasElement.prototype.captureStream) {
      this.el("start").disabled = true;
      this.status("This browser cannot record lessons (no MediaRecorder): use a recent Chrome, Edge, Firefox or Safari.");
    }
  }

  status(text, kind = "") {
    const p = this.el("status");
    p.textContent = text;
    p.className = `rec-status small ${kind}`;
  }

  stages() {
    const scope = this.root.closest("main") || document;
    const all = [...scope.querySelectorAll("[data-replay]")].filter((r) => r.querySelector("[data-stage]"));
    const order = (r) => (r.dataset.role === "b" ? 1 : 0);
    return all.sort((a, b) => order(a) - order(b));
  }

  elapsed() {
    const running = this.resumedAt ? performance.now() - this.resumedAt : 0;
    return (this.activeMs + running) / 1000;
  }

  setState(state) {
    this.state = state;
    this.root.dataset.state = state;
    const recording = state === "recording" || state === "paused";
    this.el("start").hidden = recording || state === "preview";
    this.el("pause").hidden = !recording;
    this.el("stop").hidden = !recording;
    this.el("clock").hidden = !recording;
    this.el("preview").hidden = state !== "preview";
    this.el("pause").textContent = state === "paused" ? "Resume" : "Pause";
    this.el("pause").setAttribute("aria-pressed", String(state === "paused"));
  }

  async start() {
    if (this.state !== "idle") return;
    const stages = this.stages();
    if (!stages.length) {
      this.status("There is no replay on this page to record.", "error");
      return;
    }
    this.el("start").disabled = true;
    this.status("Asking for the microphone…");
    const mic = await microphone();
    this.mic = mic.stream;
    this.hasAudio = Boolean(mic.stream);
    this.root.dataset.audio = this.hasAudio ? "true" : "false";
    this.stage = new StageRecorder(stages);
    const stream = this.stage.start();
    if (mic.stream) for (const track of mic.stream.getAudioTracks()) stream.addTrack(track);
    const type = pickType();
    try {
      this.recorder = new MediaRecorder(stream, {
        ...(type ? { mimeType: type } : {}),
        videoBitsPerSecond: VIDEO_BITS,
        audioBitsPerSecond: AUDIO_BITS,
      });
    } catch (err) {
      this.cleanup();
      this.el("start").disabled = false;
      this.status(`Recording could not start: ${err.message}`, "error");
      return;
    }
    this.chunks = [];
    this.bytes = 0;
    this.recorder.addEventListener("dataavailable", (e) => {
      if (e.data && e.data.size) {
        this.chunks.push(e.data);
        this.bytes += e.data.size;
        if (this.bytes > this.maxBytes && this.state === "recording") {
          this.stop(`The lesson reached the size limit and was stopped at ${clock(this.elapsed())}.`);
        }
      }
    });
    this.recorder.addEventListener("stop", () => this.stopped());
    this.activeMs = 0;
    this.resumedAt = performance.now();
    this.recorder.start(1000);
    this.el("start").disabled = false;
    this.setState("recording");
    this.status(this.hasAudio
      ? "Recording the replay with your voice. Play, step, draw and talk."
      : `Recording without sound: ${mic.reason}. Allow the microphone in the browser to record your voice.`,
    this.hasAudio ? "" : "warning");
    this.el("limit").textContent = clock(this.maxSeconds);
    this.tick = setInterval(() => this.update(), 200);
    this.update();
  }

  update() {
    const t = this.elapsed();
    this.el("timer").textContent = clock(t);
    this.root.dataset.recordedMs = String(Math.round(t * 1000));
    const left = this.maxSeconds - t;
    if (left <= 0 && this.state === "recording") {
      this.stop(`The lesson reached the ${clock(this.maxSeconds)} limit and was stopped.`);
    } else if (left <= WARN_BEFORE_S && !this.warned) {
      this.warned = true;
      this.el("clock").classList.add("near-limit");
      this.status(`${Math.ceil(left)} s left: the recording stops by itself at ${clock(this.maxSeconds)}.`, "warning");
    }
  }

  togglePause() {
    if (this.state === "recording") {
      this.recorder.pause();
      this.activeMs += performance.now() - this.resumedAt;
      this.resumedAt = null;
      this.setState("paused");
      this.status("Paused. Resume to go on recording.");
    } else if (this.state === "paused") {
      this.recorder.resume();
      this.resumedAt = performance.now();
      this.setState("recording");
      this.status("Recording.");
    }
    this.update();
  }

  stop(message = "") {
    if (this.state !== "recording" && this.state !== "paused") return;
    if (this.resumedAt) this.activeMs += performance.now() - this.resumedAt;
    this.resumedAt = null;
    this.stopMessage = message;
    clearInterval(this.tick);
    this.setState("stopping");
    this.update();
    this.recorder.stop();
  }

  cleanup() {
    this.stage?.stop();
    if (this.mic) for (const track of this.mic.getTracks()) track.stop();
    this.mic = null;
  }

  stopped() {
    this.cleanup();
    const type = this.recorder.mimeType || "video/webm";
    this.blob = new Blob(this.chunks, { type });
    this.chunks = [];
    this.root.dataset.recordedBytes = String(this.blob.size);
    const video = this.el("video");
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = URL.createObjectURL(this.blob);
    video.src = this.url;
    this.setState("preview");
    const sound = this.hasAudio ? "" : " (no sound)";
    this.status(`${this.stopMessage ? this.stopMessage + " " : ""}Recorded ${clock(this.elapsed())}${sound}. Watch it, then save or discard it.`);
  }

  discard() {
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = null;
    this.blob = null;
    this.el("video").removeAttribute("src");
    this.warned = false;
    this.el("clock").classList.remove("near-limit");
    this.setState("idle");
    this.status("Discarded: nothing was saved.");
  }

  save() {
    if (!this.blob || this.state === "saving") return;
    const form = new FormData(this.el("form"));
    const ext = this.blob.type.includes("mp4") ? "mp4" : "webm";
    form.append("file", this.blob, `lesson.${ext}`);
    const progress = this.el("progress");
    progress.hidden = false;
    progress.value = 0;
    this.setState("saving");
    this.el("preview").hidden = false;
    this.el("save").disabled = true;
    this.status("Saving the lesson…");
    const xhr = new XMLHttpRequest();
    xhr.open("POST", this.root.dataset.uploadUrl);
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) progress.value = Math.round((100 * e.loaded) / e.total);
    });
    const failed = (message) => {
      this.el("save").disabled = false;
      this.setState("preview");
      this.status(`Not saved: ${message}`, "error");
    };
    xhr.addEventListener("load", () => {
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch { body = {}; }
      if (xhr.status !== 201) {
        failed(body.error || `the server answered ${xhr.status}`);
        return;
      }
      this.el("save").disabled = false;
      progress.hidden = true;
      if (this.url) URL.revokeObjectURL(this.url);
      this.url = null;
      this.blob = null;
      this.el("video").removeAttribute("src");
      this.setState("idle");
      this.root.dataset.saved = body.lesson.id;
      const p = this.el("status");
      p.className = "rec-status small ok";
      p.replaceChildren(`Saved: “${body.lesson.title}”. `);
      const link = document.createElement("a");
      link.href = body.lesson.page_url;
      link.textContent = "Open the lesson";
      link.dataset.recSavedLink = "";
      p.append(link);
    });
    xhr.addEventListener("error", () => failed("the connection failed; try again"));
    xhr.send(form);
  }
}

function init(scope) {
  for (const root of scope.querySelectorAll("[data-lesson-recorder]")) {
    if (root.dataset.started) continue;
    root.dataset.started = "true";
    root.svRecorder = new LessonRecorder(root);
  }
}

if (window.htmx) window.htmx.onLoad(init);
else document.addEventListener("DOMContentLoaded", () => init(document));
