"""The learned event model: rules propose, a small network over the pose sequence decides.

For every frame the model gives the probability that it is each of GolfDB's 8 events (or none).
Its input (`frame_features`) is the normalised pose around that frame: joints relative to the
hip midpoint in torso lengths, the hand point's height, speed and depth, the shoulder and hip
lines, and where the rule detector (events.detect_events) put each event, sampled at offsets
of up to 10 frames either side. Offsets are in *swing frames*: 1/30 s of real-time motion. At
other frame rates, and in slow motion (detected from the rules' downswing length), the same
offsets cover proportionally more clip frames, so one model serves 30-240 fps and slow motion.

`decode` picks the 8 frames in order that maximise the summed log probabilities (dynamic
programming; a coach's override pins its event), and each event's confidence is the model's
probability mass within GolfDB's tolerance of the chosen frame: the chance the event is right.

Weights: `event_model.npz` beside this file, trained by `analysis.engine.train_events`
(`python -m analysis.engine.train_events`, real labelled swings plus generated ones). Runtime is
numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from analysis.engine.events import (
    LEAD_HIP,
    LEAD_SHOULDER,
    LEAD_WRIST,
    TRAIL_HIP,
    TRAIL_SHOULDER,
    TRAIL_WRIST,
    Events,
    Motion,
)
from analysis.engine.pose import EVENT_NAMES
from analysis.engine.smoothing import savgol

MODEL_PATH = Path(__file__).with_name("event_model.npz")
SWING_FPS = 30.0  # the model's frame: 1/30 s of real-time motion
OFFSETS = (-24, -16, -8, -4, -2, -1, 0, 1, 2, 4, 8, 16, 24)  # in swing frames
JOINTS = (0, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26)  # nose, shoulders, elbows, wrists, hips, knees
TYPICAL_DOWNSWING = 8.0  # swing frames from top to impact in real time (GolfDB median ~7-8)
NEAR_SWING_FRAMES = 3  # an event this close is good enough for the metrics read at it
# Rules within this of the model give the sub-frame time (detect). 1.5 rather than 1: on the
# generated swings, where the rules are exact, tempo within +-0.15 went from 94.5% to 95.5%.
SNAP_SWING_FRAMES = 1.5
GAP_PRIOR_REACH = 4.0  # sd: gaps further from the mean all cost as much as this
GAP_PRIOR_MAX_SD = 3.0  # swing frames: wider gaps (the takeaway, the finish) get no prior
REAL_TIME_MAX_DOWNSWING_S = 0.45  # longer than this from top to impact: not real time


@dataclass(frozen=True, slots=True)
class EventModel:
    """Random tanh features of the standardised input, plus the input itself, mapped linearly
    to one score per event (ridge regression onto a bump around each labelled frame)."""

    mean: np.ndarray  # (D,) feature standardisation
    std: np.ndarray
    proj: np.ndarray  # (D, H) fixed random projection
    bias: np.ndarray  # (H,)
    coef: np.ndarray  # (H + D + 1, 8) readout
    sharpness: np.ndarray  # () scores -> log probabilities over frames
    gap_mean: np.ndarray  # (7,) gaps between consecutive events, swing frames (see decode)
    gap_sd: np.ndarray  # (7,)

    def hidden(self, x: np.ndarray) -> np.ndarray:
        z = ((x - self.mean) / self.std).astype(self.proj.dtype)
        return np.concatenate(
            [np.tanh(z @ self.proj + self.bias), z, np.ones((z.shape[0], 1), dtype=z.dtype)], axis=1
        )

    def scores(self, x: np.ndarray) -> np.ndarray:
        """(F, D) features -> (F, 8) event scores (about 1 on the event's frame, 0 far away)."""
        return self.hidden(x) @ self.coef

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path,
            mean=self.mean.astype(np.float32),
            std=self.std.astype(np.float32),
            proj=self.proj.astype(np.float16),
            bias=self.bias.astype(np.float32),
            coef=self.coef.astype(np.float32),
            sharpness=np.asarray(self.sharpness, dtype=np.float32),
            gap_mean=self.gap_mean.astype(np.float32),
            gap_sd=self.gap_sd.astype(np.float32),
        )


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> EventModel:
    with np.load(path) as data:
        # float32 at run time: twice as fast as float64, and the scores need no more.
        return EventModel(**{k: data[k].astype(np.float32) for k in data.files})


def swing_scale(m: Motion, rule_times: dict[str, float] | None) -> tuple[float, bool]:
    """Clip frames per swing frame, and whether the motion looks too slow for real time.

    fps / 30 for a real-time clip. When the rules' downswing (top to impact) lasts longer
    than REAL_TIME_MAX_DOWNSWING_S, the clip is taken for slow motion and stretched so its
    downswing is a typical one (TYPICAL_DOWNSWING swing frames).
    """
    base = m.fps / SWING_FPS
    if not rule_times:
        return base, False
    down = rule_times["impact"] - rule_times["top"]
    if down / m.fps <= REAL_TIME_MAX_DOWNSWING_S:
        return base, False
    return max(base, down / TYPICAL_DOWNSWING), True


def _signals(m: Motion, view: str, scale: float) -> np.ndarray:
    """(F, K) per-frame signals the model reads, in torso lengths and swing frames."""
    torso = m.torso
    hips = 0.5 * (m.smooth[:, LEAD_HIP, :] + m.smooth[:, TRAIL_HIP, :])
    pts = savgol(m.points[:, JOINTS], m.window, 2, axis=0)  # (F, J, 3), in JOINTS' order
    rel = (pts[..., :2] - hips[:, None, :2]) / torso  # (F, J, 2)
    hand = (m.hand - hips[:, :2]) / torso
    vel = m.hand_velocity / torso * (scale / m.fps)  # torso lengths per swing frame
    speed = np.linalg.norm(vel, axis=1)
    peak = max(float(np.percentile(speed, 99)), 1e-6)
    y = m.hand[:, 1]
    lo, hi = np.percentile(y, [2, 98])
    height = (hi - y) / max(hi - lo, 1e-6)  # 1 = hands highest
    rest = np.median(m.hand, axis=0)
    from_rest = np.linalg.norm(m.hand - rest, axis=1) / torso
    j = {joint: i for i, joint in enumerate(JOINTS)}
    arm = (pts[:, j[LEAD_WRIST], 1] - pts[:, j[LEAD_SHOULDER], 1]) / torso
    trail_arm = (pts[:, j[TRAIL_WRIST], 1] - pts[:, j[TRAIL_SHOULDER], 1]) / torso
    sh = (m.smooth[:, TRAIL_SHOULDER, :2] - m.smooth[:, LEAD_SHOULDER, :2]) / torso
    hp = (m.smooth[:, TRAIL_HIP, :2] - m.smooth[:, LEAD_HIP, :2]) / torso
    if m.has_depth:
        wz = 0.5 * (pts[:, j[LEAD_WRIST], 2] + pts[:, j[TRAIL_WRIST], 2])
        depth = np.clip((wz - hips[:, 2]) / torso, -3.0, 3.0)
    else:
        depth = np.zeros(m.n_frames)
    dtl = np.full(m.n_frames, 1.0 if view == "down-the-line" else 0.0)
    return np.column_stack(
        [
            rel.reshape(m.n_frames, -1),
            hand,
            vel,
            speed,
            speed / peak,
            height,
            from_rest,
            arm,
            trail_arm,
            sh,
            hp,
            depth,
            dtl,
        ]
    )


def _sample(x: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Rows of x at fractional positions `at` (clamped to the clip), linear interpolation."""
    at = np.clip(at, 0.0, x.shape[0] - 1.0)
    i0 = np.floor(at).astype(np.int64)
    i1 = np.minimum(i0 + 1, x.shape[0] - 1)
    w = (at - i0)[:, None]
    return x[i0] * (1.0 - w) + x[i1] * w


def frame_features(
    m: Motion,
    view: str,
    rule_times: dict[str, float] | None,
    scale: float,
    at: np.ndarray | None = None,
) -> np.ndarray:
    """(len(at), D): the signals at each frame's offsets, plus where the rules put each event;
    `at`: the (possibly fractional) frames to describe, every frame by default."""
    sig = _signals(m, view, scale)
    t = np.arange(m.n_frames, dtype=np.float64) if at is None else np.asarray(at, float)
    parts = [_sample(sig, t + k * scale) for k in OFFSETS]
    # Distance from each rule event, in swing frames: a bump and a clipped offset.
    rule = np.zeros((t.size, 2 * len(EVENT_NAMES) + 1))
    if rule_times:
        rule[:, -1] = 1.0
        for i, name in enumerate(EVENT_NAMES):
            d = (t - rule_times[name]) / scale
            rule[:, 2 * i] = np.exp(-0.5 * (d / 2.0) ** 2)
            rule[:, 2 * i + 1] = np.clip(d, -20.0, 20.0) / 10.0
    parts.append(rule)
    return np.concatenate(parts, axis=1)


def frame_scores(
    model: EventModel, m: Motion, view: str, rule_times: dict[str, float] | None, scale: float
) -> np.ndarray:
    """(F, 8) event scores of every frame. At high frame rates the model runs on a grid of
    half a swing frame (its own resolution) and the scores are interpolated in between, so a
    240 fps clip costs about what a 60 fps one does."""
    step = max(1.0, 0.5 * scale)
    if step <= 1.0:
        return model.scores(frame_features(m, view, rule_times, scale))
    grid = np.arange(0.0, m.n_frames - 1 + 1e-9, step)
    if grid[-1] < m.n_frames - 1:
        grid = np.append(grid, m.n_frames - 1.0)
    coarse = model.scores(frame_features(m, view, rule_times, scale, at=grid))
    t = np.arange(m.n_frames, dtype=np.float64)
    return np.column_stack([np.interp(t, grid, coarse[:, k]) for k in range(coarse.shape[1])])


def decode(
    scores: np.ndarray,
    sharpness: float,
    override: dict[str, int] | None = None,
    gaps: tuple[np.ndarray, np.ndarray] | None = None,
    scale: float = 1.0,
) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """The 8 events in strict order maximising the summed log probability; (times, confidence,
    nearness).

    Each event's scores become a probability over the clip's frames (softmax of sharpness x
    score). `gaps` (mean, sd of the 7 gaps between consecutive events, in swing frames; scale
    clip frames per swing frame) adds a Gaussian log prior on each gap that is regular enough
    (sd <= GAP_PRIOR_MAX_SD): the phases of a swing keep their proportions, so the sharply
    found mid-downswing and impact help place the top. A gap beyond GAP_PRIOR_REACH sd is
    allowed at the prior's cost there. Times are frames refined to sub-frame by a parabola
    through the scores; each confidence is the probability mass within GolfDB's tolerance of
    the frame, each nearness the mass within NEAR_SWING_FRAMES (what metrics read at an event need).
    """
    n = scores.shape[0]
    logit = sharpness * scores
    logit = logit - logit.max(axis=0, keepdims=True)
    dist = np.exp(logit)
    dist /= dist.sum(axis=0, keepdims=True)
    score = np.log(dist + 1e-12)
    for name, frame in (override or {}).items():
        k = EVENT_NAMES.index(name)
        pinned = np.full(n, -1e9)
        pinned[frame] = 0.0
        score[:, k] = pinned
    # best[k, t]: best total with event k at frame t; events strictly increasing.
    n_ev = len(EVENT_NAMES)
    best = np.empty((n_ev, n))
    back = np.zeros((n_ev, n), dtype=np.int64)
    best[0] = score[:, 0]
    idx = np.arange(n)
    for k in range(1, n_ev):
        prev = best[k - 1]
        # prefix argmax of prev over [0, t - 1]
        acc = np.maximum.accumulate(prev)
        run_arg = np.maximum.accumulate(np.where(prev >= acc, idx, 0))
        reach = np.full(n, -np.inf)
        arg = np.zeros(n, dtype=np.int64)
        reach[1:], arg[1:] = acc[:-1], run_arg[:-1]
        if gaps is not None and gaps[1][k - 1] <= GAP_PRIOR_MAX_SD:
            mu, sd = float(gaps[0][k - 1]) * scale, float(gaps[1][k - 1]) * scale
            reach = reach - 0.5 * GAP_PRIOR_REACH**2  # any gap, at that cost
            d_max = min(n - 1, int(np.ceil(mu + GAP_PRIOR_REACH * sd)))
            if d_max >= 1:
                # cand[t, j]: event k-1 at t - d (d = j + 1) plus the gap's log prior; the best
                # d per t (the smallest on a tie) replaces reach where it is strictly better.
                d = np.arange(1, d_max + 1)
                padded = np.concatenate([np.full(d_max, -np.inf), prev])
                window = np.lib.stride_tricks.sliding_window_view(padded, d_max)[:n]
                cand = window[:, ::-1] - 0.5 * ((d - mu) / sd) ** 2
                j = np.argmax(cand, axis=1)
                top = cand[idx, j]
                better = top > reach
                reach = np.where(better, top, reach)
                arg = np.where(better, idx - d[j], arg)
        best[k] = reach + score[:, k]
        back[k] = arg
    frames = [0] * n_ev
    frames[-1] = int(np.argmax(best[-1]))
    for k in range(n_ev - 1, 0, -1):
        frames[k - 1] = int(back[k, frames[k]])
    span = frames[EVENT_NAMES.index("impact")] - frames[EVENT_NAMES.index("address")]
    tol = max(int(round(span / 30.0)), 1)
    times, conf, near = {}, {}, {}
    for k, name in enumerate(EVENT_NAMES):
        f = frames[k]
        t = float(f)
        if 0 < f < n - 1 and not (override and name in override):
            a, b, c = score[f - 1, k], score[f, k], score[f + 1, k]
            den = a - 2 * b + c
            if den < 0:
                t += float(np.clip(0.5 * (a - c) / den, -0.5, 0.5))
        times[name] = t
        lo, hi = max(0, f - tol), min(n, f + tol + 1)
        conf[name] = 1.0 if override and name in override else float(dist[lo:hi, k].sum())
        reach = max(tol, int(round(NEAR_SWING_FRAMES * scale)))
        lo, hi = max(0, f - reach), min(n, f + reach + 1)
        near[name] = 1.0 if override and name in override else float(dist[lo:hi, k].sum())
    return times, conf, near


def detect(
    m: Motion,
    view: str,
    rule_events: Events | None,
    override: dict[str, int] | None = None,
    model: EventModel | None = None,
) -> tuple[dict[str, int], dict[str, float], dict[str, float], dict[str, float], float, bool]:
    """Events by the model: (frames, sub-frame times, confidence, nearness (see decode), clip
    frames per swing frame, too slow for real time)."""
    model = model or load_model()
    rule_times = None if rule_events is None else dict(rule_events.times)
    scale, too_slow = swing_scale(m, rule_times)
    sharp = float(model.sharpness)
    gaps = (model.gap_mean, model.gap_sd)
    times, conf, near = decode(
        frame_scores(model, m, view, rule_times, scale), sharp, override, gaps, scale
    )
    if rule_times is None:
        # Without the rules' downswing, the model's own says whether this is slow motion.
        scale2, too_slow = swing_scale(m, times)
        if too_slow:
            scale = scale2
            times, conf, near = decode(
                frame_scores(model, m, view, None, scale), sharp, override, gaps, scale
            )
    frames = {name: int(np.clip(round(t), 0, m.n_frames - 1)) for name, t in times.items()}
    if rule_times:
        # Where the rules agree with the model (within SNAP_SWING_FRAMES), their sub-frame
        # time is kept: it comes from the signal's own geometry (a crossing, a fitted
        # polynomial) and is finer than the model's parabola. The frame stays the model's.
        for name in frames:
            if abs(rule_times[name] - times[name]) <= SNAP_SWING_FRAMES * scale:
                times[name] = float(rule_times[name])
    for name, f in (override or {}).items():
        frames[name], times[name] = int(f), float(f)
    return frames, times, conf, near, scale, too_slow
