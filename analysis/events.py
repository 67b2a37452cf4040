"""Swing phases: cleaning a pose sequence into signals, then finding GolfDB's 8 events in it.

Everything works on right-handed poses (left-handed ones are mirrored first) in one unit:
P = (x * aspect, y, z * aspect), i.e. fractions of the frame height, image y pointing down.
Thresholds are relative to the golfer's torso length and to seconds, never to pixels or frames,
so the same code runs on 30-240 fps, any resolution, synthetic or real MediaPipe poses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import find_peaks, savgol_filter

from analysis.pose import BODY_JOINTS, torso_length

EVENT_NAMES: tuple[str, ...] = (
    "address",
    "toe_up",
    "mid_backswing",
    "top",
    "mid_downswing",
    "impact",
    "mid_follow_through",
    "finish",
)

MIN_CLIP_S = 0.5
MIN_CONFIDENCE = 0.3  # a joint below this visibility is treated as missing
MIN_RISE_TORSO = 0.5  # the hands must rise at least this far above address for a swing
MIN_DOWNSWING_SPEED = 2.0  # torso lengths per second, peak downward hand speed
TOE_UP_RISE = 0.25  # shaft-parallel proxy: fraction of the address-to-top hand rise

LEAD_SHOULDER, TRAIL_SHOULDER = 11, 12
LEAD_ELBOW, TRAIL_ELBOW = 13, 14
LEAD_WRIST, TRAIL_WRIST = 15, 16
LEAD_HIP, TRAIL_HIP = 23, 24


class AnalysisError(ValueError):
    """The clip cannot be analysed; `reason` says why in words a coach understands."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Motion:
    """A cleaned pose sequence and the hand signal, ready for event detection and metrics."""

    fps: float
    n_frames: int
    points: np.ndarray  # (F, 33, 3) gaps filled, frame-height units, not smoothed
    smooth: np.ndarray  # (F, 33, 3) the same, smoothed over about 0.2 s
    valid: np.ndarray  # (F, 33) bool: seen with confidence >= MIN_CONFIDENCE
    confidence: np.ndarray  # (F, 33) raw confidence, 0 where missing
    has_depth: bool  # z present (MediaPipe); False for 2D-only pose files
    torso: float  # median 2D torso length, frame-height units
    hand: np.ndarray  # (F, 2) smoothed hand point (x, y)
    hand_raw: np.ndarray  # (F, 2) the hand point before smoothing
    hand_velocity: np.ndarray  # (F, 2) per second
    speed: np.ndarray  # (F,) hand speed in torso lengths per second
    activity: np.ndarray  # (F, 3) speeds of the hands, shoulder line, hip line; ~0.2 s smoothing
    shape: np.ndarray  # (F, 6) raw hand point, shoulder line, hip line (x, y), torso lengths
    window: int  # Savitzky-Golay window of the hand signal, frames


@dataclass(frozen=True, slots=True)
class Events:
    frames: dict[str, int | None]
    times: dict[str, float | None]  # sub-frame positions, in frames
    confidence: dict[str, float]
    address_hand: np.ndarray  # (2,) hand position at address


# ----------------------------------------------------------------------------- preparation


def _odd_window(fps: float, seconds: float, n: int, minimum: int = 5) -> int:
    w = max(minimum, int(np.floor(seconds * fps / 2)) * 2 + 1)
    if w > n:
        w = n if n % 2 else n - 1
    return max(w, 3)


def fill_gaps(values: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Linear interpolation over time of every column where `valid` is False (held at the ends).

    values (F, ...) with valid broadcastable to it; columns that are never valid stay NaN.
    Vectorised: previous/next valid indices come from cumulative maxima, not a loop.
    """
    n = values.shape[0]
    valid = np.broadcast_to(valid, values.shape)
    if valid.all():
        return values.copy()
    idx = np.arange(n).reshape((n,) + (1,) * (values.ndim - 1))
    prev = np.maximum.accumulate(np.where(valid, idx, -1), axis=0)
    nxt = np.flip(np.minimum.accumulate(np.flip(np.where(valid, idx, n), axis=0), axis=0), axis=0)
    has_prev, has_next = prev >= 0, nxt < n
    prev_c, next_c = np.clip(prev, 0, n - 1), np.clip(nxt, 0, n - 1)
    v_prev = np.take_along_axis(values, prev_c, axis=0)
    v_next = np.take_along_axis(values, next_c, axis=0)
    span = np.maximum(next_c - prev_c, 1)
    w = np.clip((idx - prev_c) / span, 0.0, 1.0)
    inner = v_prev + (v_next - v_prev) * w
    out = np.where(has_prev & has_next, inner, np.where(has_prev, v_prev, v_next))
    out = np.where(valid, values, out)
    return np.where(has_prev | has_next, out, np.nan)


def prepare(keypoints: np.ndarray, fps: float, aspect: float) -> Motion:
    """Validate and clean poses (already right-handed); raise AnalysisError when unusable."""
    n = keypoints.shape[0]
    duration = n / fps
    if duration < MIN_CLIP_S:
        raise AnalysisError(f"clip too short: {duration:.2f} s (need at least {MIN_CLIP_S} s)")
    kp = keypoints.astype(np.float64)
    conf = np.nan_to_num(kp[..., 3], nan=0.0)
    xy_ok = np.isfinite(kp[..., 0]) & np.isfinite(kp[..., 1])
    valid = xy_ok & (conf >= MIN_CONFIDENCE)

    person = valid[:, list(BODY_JOINTS)].mean(axis=1) >= 0.5
    missing = 1.0 - person.mean()
    if missing > 0.5:
        raise AnalysisError(f"no person detected in {round(100 * missing)}% of frames")
    core = valid[:, [LEAD_SHOULDER, TRAIL_SHOULDER, LEAD_HIP, TRAIL_HIP]].all(axis=1) & (
        valid[:, LEAD_WRIST] | valid[:, TRAIL_WRIST]
    )
    if core.mean() < 0.5:
        raise AnalysisError(
            "most joints missing: the shoulders, hips or wrists were not visible in "
            f"{round(100 * (1 - core.mean()))}% of frames"
        )

    conf = np.where(valid, conf, 0.0)
    z_ok = valid & np.isfinite(kp[..., 2])
    has_depth = bool(z_ok[:, [LEAD_SHOULDER, TRAIL_SHOULDER, LEAD_HIP, TRAIL_HIP]].mean() > 0.5)
    pts = kp[..., :3] * np.array([aspect, 1.0, aspect])
    if not has_depth:
        pts[..., 2] = 0.0
        z_ok = valid
    pts[..., :2] = fill_gaps(pts[..., :2], valid[..., None])
    pts[..., 2] = fill_gaps(pts[..., 2], z_ok)

    torso_frames = torso_length(pts)[core]
    torso = float(np.median(torso_frames)) if torso_frames.size else float("nan")
    if not np.isfinite(torso) or torso <= 1e-6:
        raise AnalysisError("most joints missing: no torso could be measured")

    window = _odd_window(fps, 0.1, n)
    hand = _hand_point(pts, valid)
    hand_s = savgol_filter(hand, window, 2, axis=0, mode="interp")
    hand_v = savgol_filter(hand, window, 2, deriv=1, delta=1.0 / fps, axis=0, mode="interp")
    speed = np.linalg.norm(hand_v, axis=1) / torso
    lines = np.stack(
        [
            pts[:, TRAIL_SHOULDER, :2] - pts[:, LEAD_SHOULDER, :2],
            pts[:, TRAIL_HIP, :2] - pts[:, LEAD_HIP, :2],
        ],
        axis=1,
    )
    # Speeds for start/stop detection: hands and body lines, smoothed over ~0.2 s.
    wide = _odd_window(fps, 0.2, n)
    hand_wide = savgol_filter(hand, wide, 2, deriv=1, delta=1.0 / fps, axis=0, mode="interp")
    lines_v = savgol_filter(lines, wide, 2, deriv=1, delta=1.0 / fps, axis=0, mode="interp")
    activity = (
        np.concatenate(
            [np.linalg.norm(hand_wide, axis=1)[:, None], np.linalg.norm(lines_v, axis=2)], axis=1
        )
        / torso
    )

    # Points smoothed over ~0.2 s for metrics: turns and sways change slowly at the events
    # where they are read, so a wider window mostly removes jitter.
    body_window = _odd_window(fps, 0.2, n)
    finite = np.isfinite(pts)
    smooth = savgol_filter(np.nan_to_num(pts), body_window, 2, axis=0, mode="interp")
    smooth = np.where(finite, smooth, np.nan)
    return Motion(
        fps=fps,
        n_frames=n,
        points=pts,
        smooth=smooth,
        valid=valid,
        confidence=conf,
        has_depth=has_depth,
        torso=torso,
        hand=hand_s,
        hand_raw=hand,
        hand_velocity=hand_v,
        speed=speed,
        activity=activity,
        shape=np.concatenate([hand, lines[:, 0], lines[:, 1]], axis=1) / torso,
        window=window,
    )


def _hand_point(pts: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Midpoint of the wrists, (F, 2); a hidden wrist is rebuilt from the other one plus the
    wrist-to-wrist offset interpolated from frames where both are seen, so the signal does
    not jump when one wrist drops out (common for the lead wrist down the line)."""
    lead, trail = pts[:, LEAD_WRIST, :2], pts[:, TRAIL_WRIST, :2]
    v_lead, v_trail = valid[:, LEAD_WRIST], valid[:, TRAIL_WRIST]
    both = v_lead & v_trail
    offset = fill_gaps(lead - trail, both[:, None]) if both.any() else np.zeros_like(lead)
    mid = np.where(
        both[:, None],
        0.5 * (lead + trail),
        np.where(v_lead[:, None], lead - 0.5 * offset, trail + 0.5 * offset),
    )
    seen = v_lead | v_trail
    return fill_gaps(mid, seen[:, None])


# ----------------------------------------------------------------------------- helpers


def _crossing(signal: np.ndarray, lo: int, hi: int, falling: bool, last: bool = False):
    """Sub-frame time in [lo, hi] where signal crosses zero (falling: + to -), or None."""
    lo, hi = max(lo, 0), min(hi, len(signal) - 1)
    if hi - lo < 1:
        return None
    seg = signal[lo : hi + 1]
    if falling:
        idx = np.flatnonzero((seg[:-1] > 0) & (seg[1:] <= 0))
    else:
        idx = np.flatnonzero((seg[:-1] < 0) & (seg[1:] >= 0))
    if idx.size == 0:
        return None
    i = idx[-1] if last else idx[0]
    return lo + i + seg[i] / (seg[i] - seg[i + 1])


def _level_time(series: np.ndarray, start: int, level: float, step: int, stop: int):
    """Walk from `start` by `step` (+1 or -1) while series > level; the sub-frame time where it
    first drops to level, or None if it never does before `stop`."""
    if step > 0:
        seg = series[start : stop + 1]
        below = np.flatnonzero(seg <= level)
        if below.size == 0:
            return None
        j = start + below[0]
        if j == start:
            return float(j)
        a, b = series[j - 1], series[j]
        return j - 1 + (a - level) / (a - b)
    seg = series[stop : start + 1]
    below = np.flatnonzero(seg <= level)
    if below.size == 0:
        return None
    j = stop + below[-1]
    if j == start:
        return float(j)
    a, b = series[j], series[j + 1]
    return j + (level - a) / (b - a)


def _frame(t: float | None, n: int) -> int | None:
    return None if t is None else int(np.clip(np.round(t), 0, n - 1))


# ----------------------------------------------------------------------------- detection


def _find_top(m: Motion) -> tuple[float, int]:
    """Top of the backswing: the hands' highest point before their fastest downward move."""
    fps, torso = m.fps, m.torso
    y = m.hand[:, 1]
    vy = m.hand_velocity[:, 1] / torso  # + = hands moving down
    wide = _odd_window(fps, 0.2, m.n_frames, 7)
    vel_top = savgol_filter(m.hand_raw, wide, 3, deriv=1, axis=0, mode="interp")
    peaks, props = find_peaks(vy, height=MIN_DOWNSWING_SPEED, distance=max(1, int(0.3 * fps)))
    if peaks.size == 0:
        raise AnalysisError(
            "no swing found: the hands never moved down fast "
            f"(peak {max(float(np.max(vy)), 0.0):.1f} torso lengths/s, a downswing needs "
            f"{MIN_DOWNSWING_SPEED:.0f})"
        )
    best_rise = 0.0
    for pk in peaks[np.argsort(props["peak_heights"])[::-1]][:6]:
        back = int(2.5 * fps)
        higher_before = np.flatnonzero(y[max(0, pk - back) : pk] >= y[pk])
        lo = max(0, pk - back) + (higher_before[-1] if higher_before.size else 0)
        t0 = lo + int(np.argmin(y[lo : pk + 1]))
        before = y[max(0, t0 - back) : t0 + 1]
        after = y[t0 : min(m.n_frames, pk + int(0.6 * fps)) + 1]
        rise = (min(before.max(), after.max()) - y[t0]) / torso
        best_rise = max(best_rise, rise)
        if rise < MIN_RISE_TORSO:
            continue
        # Sub-frame: where the hands' velocity along their arrival direction (the last
        # 0.15 s of backswing) turns back; using x and y together beats the height alone on
        # the flat top. The top is lopsided (slow rise, fast drop): a cubic local fit keeps
        # the crossing unbiased.
        near = int(np.ceil(0.15 * fps))
        arrive = m.hand[t0] - m.hand[max(0, t0 - near)]
        norm = float(np.linalg.norm(arrive))
        if norm <= 1e-9:
            return float(t0), int(pk)
        v_along = vel_top @ (arrive / norm)
        seg_lo = max(t0 - near, 0)
        seg = v_along[seg_lo : min(t0 + near, m.n_frames - 1) + 1]
        idx = np.flatnonzero((seg[:-1] > 0) & (seg[1:] <= 0))
        if idx.size == 0:
            return float(t0), int(pk)
        cands = seg_lo + idx + seg[idx] / (seg[idx] - seg[idx + 1])
        zc = float(cands[np.argmin(np.abs(cands - t0))])
        return zc, int(pk)
    raise AnalysisError(
        f"no swing found: the hands rose only {best_rise:.1f} torso lengths before moving down "
        f"(a swing lifts them at least {MIN_RISE_TORSO})"
    )


def _activity(m: Motion, lo: int, hi: int, signals: tuple[int, ...]) -> np.ndarray:
    """How much the golfer moves, (F,): the largest of some speeds (0 hands, 1 shoulder line,
    2 hip line), each as a fraction of its own peak in [lo, hi].

    The hands alone start and stop almost invisibly down the line (they move along the
    camera axis there), while the shoulder line then moves across the image; the face-on
    view is the other way round. A line takes part only if its peak stands well above its
    jitter (its 20th percentile over the clip: the golfer is still at least that long).
    """
    out = np.zeros(m.n_frames)
    for k in signals:
        s = m.activity[:, k]
        peak = float(np.max(s[lo : hi + 1]))
        if peak <= 0 or (k > 0 and peak < 25.0 * float(np.percentile(s, 20))):
            continue
        out = np.maximum(out, s / peak)
    return out


def _onset(
    m: Motion,
    act: np.ndarray,
    peak: int,
    stop: int,
    direction: int,
    anchor: float,
    features: list[int],
) -> tuple[float, bool]:
    """When the swing's motion starts (direction -1, before the activity peak) or comes to
    rest (+1, after it).

    Human movements between two rests follow a minimum-jerk profile (Flash and Hogan), so
    the raw features (columns of Motion.shape) are fitted, each as a constant plus c times
    the minimum-jerk curve from t0 to `anchor` (the top for the takeaway, impact for the
    finish), over the frames from the last still moment to well into the movement; t0 is the
    least-squares best on a 0.1-frame grid. Features that do not move fit flat and do not
    sway it. Returns (time in frames, found).
    """
    fps = m.fps
    level = act[peak]
    t25 = _level_time(act, peak, 0.25 * level, direction, stop)
    if t25 is None:
        return float(stop), False
    reach = int(0.6 * fps)
    if direction < 0:  # from the last earlier motion (a waggle) to well into the backswing
        edge = int(np.floor(t25))
        hi = int(np.ceil(t25 + 0.3 * max(anchor - t25, 0.0)))
        lo = max(stop, edge - reach)
        busy = np.flatnonzero(act[lo:edge] >= 0.25 * level)
        if busy.size:
            lo = lo + int(busy[-1]) + 1
        # Nor before the hands last moved against the backswing (a forward press).
        way = m.hand[min(int(round(anchor)), m.n_frames - 1)] - m.hand[edge]
        if np.linalg.norm(way) > 0:
            along = m.hand_velocity @ (way / np.linalg.norm(way))
            against = np.flatnonzero(along[lo:edge] < -0.15 * max(float(along[lo:hi].max()), 0))
            if against.size:
                lo = min(lo + int(against[-1]) + 1, edge)
    else:
        edge = int(np.ceil(t25))
        lo = int(np.floor(t25 - 0.3 * max(t25 - anchor, 0.0)))
        hi = min(stop, edge + reach)
        busy = np.flatnonzero(act[edge + 1 : hi + 1] >= 0.25 * level)
        if busy.size:
            hi = edge + int(busy[0])
    if hi - lo < 4:
        return float(t25), False
    t = np.arange(lo, hi + 1, dtype=np.float64)
    f = m.shape[lo : hi + 1][:, features]
    f = f - f.mean(axis=0)

    def best(cand: np.ndarray) -> float:
        dur = np.maximum(np.abs(anchor - cand), 1.0)[:, None]
        u = np.clip(direction * (cand[:, None] - t[None, :]) / dur, 0.0, 1.0)
        g = u**3 * (10.0 - 15.0 * u + 6.0 * u * u)
        g -= g.mean(axis=1, keepdims=True)
        cov = g @ f
        explained = np.sum(cov * cov, axis=1) / np.maximum(np.sum(g * g, axis=1), 1e-12)
        return float(cand[int(np.argmax(explained))])

    # Coarse grid, then 0.1-frame steps around its best.
    step = max(1.0, fps / 60.0)
    coarse = best(np.arange(lo, hi + 1e-9, step))
    fine = best(np.arange(max(lo, coarse - step), min(hi, coarse + step) + 1e-9, 0.1))
    return fine, True


def _onset_features(view: str) -> list[int]:
    """Motion.shape columns that show the start and end of the swing: down the line the hands
    move along the camera axis at first, so only the shoulder and hip lines are used there."""
    return [2, 3, 4, 5] if view == "down-the-line" else [0, 1, 2, 3, 4, 5]


def detect_events(
    m: Motion, override: dict[str, int] | None = None, view: str = "face-on"
) -> Events:
    """The 8 GolfDB events. `override` frames win; the others are detected around them."""
    n, fps = m.n_frames, m.fps
    ov = {k: int(v) for k, v in (override or {}).items() if v is not None}
    unknown = set(ov) - set(EVENT_NAMES)
    if unknown:
        raise AnalysisError(f"unknown events in override: {sorted(unknown)}")
    for name, frame in ov.items():
        if not 0 <= frame < n:
            raise AnalysisError(f"event {name} at frame {frame} is outside the clip (0-{n - 1})")
    times: dict[str, float | None] = {}
    conf: dict[str, float] = {}
    y = m.hand[:, 1]

    # Top.
    if "top" in ov:
        times["top"], conf["top"] = float(ov["top"]), 1.0
        pk = ov["top"] + int(np.argmax(m.speed[ov["top"] : min(n, ov["top"] + int(0.5 * fps))]))
    else:
        times["top"], pk = _find_top(m)
        conf["top"] = 0.9
    t_top = times["top"]
    top_f = int(round(t_top))

    # Address: the start of the motion that ends at the top.
    if "address" in ov:
        times["address"], conf["address"] = float(ov["address"]), 1.0
    else:
        lo = max(0, top_f - int(3.0 * fps))
        hi = max(lo, top_f - max(1, int(0.05 * fps)))
        act = _activity(m, lo, hi, (0, 1))
        bpk = lo + int(np.argmax(act[lo : hi + 1]))
        t_a, found = _onset(m, act, bpk, lo, -1, t_top, _onset_features(view))
        times["address"], conf["address"] = t_a, (0.8 if found else 0.3)
    a_f = int(np.clip(np.floor(times["address"]), 0, n - 1))
    a_lo = max(0, a_f - max(1, int(0.1 * fps)))
    address_hand = m.hand[a_lo : a_f + 1].mean(axis=0)

    # Impact: the hands return closest to their address position (sub-frame by a parabola).
    if "impact" in ov:
        times["impact"], conf["impact"] = float(ov["impact"]), 1.0
    else:
        lo, hi = top_f + 1, min(n - 1, top_f + int(0.6 * fps))
        if hi <= lo:
            times["impact"], conf["impact"] = float(min(n - 1, top_f + 1)), 0.2
        else:
            d2 = np.sum((m.hand[lo : hi + 1] - address_hand) ** 2, axis=1)
            k = int(np.argmin(d2))
            t_i = float(lo + k)
            if 0 < k < len(d2) - 1:
                den = d2[k - 1] - 2 * d2[k] + d2[k + 1]
                if den > 0:
                    t_i += float(np.clip(0.5 * (d2[k - 1] - d2[k + 1]) / den, -0.5, 0.5))
            near = np.sqrt(d2[k]) / m.torso
            if view == "down-the-line" and m.has_depth:
                # Down the line the hands pass impact along the camera axis: their image
                # position barely moves there, but their depth crosses the address depth.
                t_z = _depth_crossing(m, a_lo, a_f, t_i)
                if t_z is not None:
                    t_i = t_z
            times["impact"], conf["impact"] = t_i, float(np.clip(1.0 - near, 0.3, 0.9))
    i_f = int(round(times["impact"]))

    # Lead arm horizontal (wrist level with the shoulder), up in the backswing, down after.
    lead_wrist_y = _lead_wrist_y(m)
    arm_y = savgol_filter(lead_wrist_y - m.points[:, LEAD_SHOULDER, 1], m.window, 2)
    a_i = int(np.floor(times["address"]))
    for name, lo, hi, falling, frac in (
        ("mid_backswing", a_i, top_f, True, 0.6),
        ("mid_downswing", top_f, i_f, False, 0.5),
    ):
        if name in ov:
            times[name], conf[name] = float(ov[name]), 1.0
            continue
        t = _crossing(arm_y, lo, hi, falling=falling, last=falling)
        if t is None:
            t0, t1 = times["address" if falling else "top"], times["top" if falling else "impact"]
            times[name], conf[name] = t0 + frac * (t1 - t0), 0.3
        else:
            times[name], conf[name] = t, 0.8

    # Shaft parallel (toe-up, mid-follow-through) is not in the pose; proxy: the hands have
    # risen a quarter of the way from their address height to their height at the top.
    shaft_level = address_hand[1] + TOE_UP_RISE * (y[top_f] - address_hand[1])
    rel = y - shaft_level  # + = hands below that level
    mb_i = int(np.ceil(times["mid_backswing"]))
    if "toe_up" in ov:
        times["toe_up"], conf["toe_up"] = float(ov["toe_up"]), 1.0
    else:
        t = _crossing(rel, a_i, mb_i, falling=True, last=True)
        if t is None:
            t = times["address"] + 0.4 * (times["mid_backswing"] - times["address"])
            conf["toe_up"] = 0.3
        else:
            conf["toe_up"] = 0.6
        times["toe_up"] = t

    # Finish: the hands come to rest after the follow-through.
    if "finish" in ov:
        times["finish"], conf["finish"] = float(ov["finish"]), 1.0
    else:
        lo = min(n - 1, i_f + max(1, int(0.05 * fps)))
        hi = min(n - 1, i_f + int(1.2 * fps))
        if hi <= lo:
            times["finish"], conf["finish"] = float(n - 1), 0.2
        else:
            act = _activity(m, lo, hi, (0, 1, 2))
            fpk = lo + int(np.argmax(act[lo : hi + 1]))
            t_f, found = _onset(m, act, fpk, n - 1, +1, times["impact"], _onset_features(view))
            times["finish"], conf["finish"] = (t_f, 0.7) if found else (float(n - 1), 0.3)

    if "mid_follow_through" in ov:
        times["mid_follow_through"], conf["mid_follow_through"] = (
            float(ov["mid_follow_through"]),
            1.0,
        )
    else:
        f_i = int(np.floor(times["finish"]))
        t = _crossing(rel, i_f, f_i, falling=True)
        if t is None:
            t = times["impact"] + 0.3 * (times["finish"] - times["impact"])
            conf["mid_follow_through"] = 0.3
        else:
            conf["mid_follow_through"] = 0.6
        times["mid_follow_through"] = t

    _enforce_order(times, conf, set(ov))
    vis = _hand_visibility(m)
    frames: dict[str, int | None] = {}
    for name in EVENT_NAMES:
        frames[name] = _frame(times[name], n)
        if name not in ov:
            f = frames[name]
            lo, hi = max(0, f - int(0.1 * fps)), min(n, f + int(0.1 * fps) + 1)
            conf[name] = float(conf[name] * np.clip(vis[lo:hi].mean() / 0.7, 0.2, 1.0))
    return Events(
        frames=frames,
        times={k: times[k] for k in EVENT_NAMES},
        confidence={k: round(conf[k], 3) for k in EVENT_NAMES},
        address_hand=address_hand,
    )


def _depth_crossing(m: Motion, a_lo: int, a_f: int, guess: float) -> float | None:
    """Sub-frame time near `guess` (within 0.15 s) when the hands' depth returns, moving
    toward the target, to its value at address; None if it does not."""
    z = savgol_filter(0.5 * (m.points[:, LEAD_WRIST, 2] + m.points[:, TRAIL_WRIST, 2]), m.window, 2)
    rel = z - float(np.mean(z[a_lo : a_f + 1]))
    near = int(np.ceil(0.15 * m.fps))
    g = int(round(guess))
    lo, hi = max(0, g - near), min(m.n_frames - 1, g + near)
    seg = rel[lo : hi + 1]
    idx = np.flatnonzero((seg[:-1] < 0) & (seg[1:] >= 0))
    if idx.size == 0:
        return None
    times = lo + idx + seg[idx] / (seg[idx] - seg[idx + 1])
    return float(times[np.argmin(np.abs(times - guess))])


def _lead_wrist_y(m: Motion) -> np.ndarray:
    """Lead wrist height; where the lead wrist is hidden, the hand point (hands are together)."""
    own = m.points[:, LEAD_WRIST, 1]
    return np.where(m.valid[:, LEAD_WRIST], own, m.hand[:, 1])


def _hand_visibility(m: Motion) -> np.ndarray:
    return np.max(m.confidence[:, [LEAD_WRIST, TRAIL_WRIST]], axis=1)


def _enforce_order(times: dict[str, float | None], conf: dict[str, float], fixed: set[str]):
    """Make A < TU < MB < T < MD < I < MFT < F: an event out of order moves to the middle of
    its neighbours and loses confidence. Overridden and anchor events (A, T, I) stay."""
    anchors = {"address", "top", "impact"} | fixed
    names = list(EVENT_NAMES)
    for i, name in enumerate(names):
        if name in anchors:
            continue
        prev_t = max((times[p] for p in names[:i] if times[p] is not None), default=None)
        next_t = min((times[q] for q in names[i + 1 :] if times[q] is not None), default=None)
        t = times[name]
        if (prev_t is not None and t <= prev_t) or (next_t is not None and t >= next_t):
            if prev_t is not None and next_t is not None:
                times[name] = 0.5 * (prev_t + next_t)
            elif prev_t is not None:
                times[name] = prev_t + 1.0
            conf[name] = min(conf[name], 0.3)
