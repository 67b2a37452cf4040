"""Swing phases: cleaning a pose sequence into signals, then finding GolfDB's 8 events in it.

Everything works on right-handed poses (left-handed ones are mirrored first) in one unit:
P = (x * aspect, y, z * aspect), i.e. fractions of the frame height, image y pointing down.
Thresholds are relative to the golfer's torso length and to seconds, never to pixels or frames,
so the same code runs on 30-240 fps, any resolution, synthetic or real MediaPipe poses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import find_peaks

from analysis.engine.pose import BODY_JOINTS, EVENT_NAMES, torso_length
from analysis.engine.smoothing import savgol, savgol_coeffs

MIN_CLIP_S = 0.5
MIN_CONFIDENCE = 0.3  # a joint below this visibility is treated as missing
MIN_RISE_TORSO = 0.5  # the hands must rise at least this far above address for a swing
MIN_DOWNSWING_SPEED = 2.0  # torso lengths per second, peak downward hand speed
TOE_UP_RISE = 0.25  # shaft-parallel proxy: fraction of the address-to-top hand rise
RIVAL_SPEED = 0.8  # downward moves this fast, relative to the fastest, compete (_find_top)

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


def odd_window(fps: float, seconds: float, n: int, minimum: int = 5) -> int:
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

    window = odd_window(fps, 0.1, n)
    hand = _hand_point(pts, valid)
    hand_s = savgol(hand, window, 2, axis=0)
    hand_v = savgol(hand, window, 2, deriv=1, delta=1.0 / fps, axis=0)
    speed = np.linalg.norm(hand_v, axis=1) / torso
    lines = np.stack(
        [
            pts[:, TRAIL_SHOULDER, :2] - pts[:, LEAD_SHOULDER, :2],
            pts[:, TRAIL_HIP, :2] - pts[:, LEAD_HIP, :2],
        ],
        axis=1,
    )
    # Speeds for start/stop detection: hands and body lines, smoothed over ~0.2 s.
    wide = odd_window(fps, 0.2, n)
    hand_wide = savgol(hand, wide, 2, deriv=1, delta=1.0 / fps, axis=0)
    lines_v = savgol(lines, wide, 2, deriv=1, delta=1.0 / fps, axis=0)
    activity = (
        np.concatenate(
            [np.linalg.norm(hand_wide, axis=1)[:, None], np.linalg.norm(lines_v, axis=2)], axis=1
        )
        / torso
    )

    # Points smoothed over ~0.2 s for metrics: turns and sways change slowly at the events
    # where they are read, so a wider window mostly removes jitter.
    body_window = odd_window(fps, 0.2, n)
    finite = np.isfinite(pts)
    smooth = savgol(np.nan_to_num(pts), body_window, 2, axis=0)
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


# How a sub-frame event time becomes a frame. Address is "the moment just before the
# takeaway": the last frame before the motion starts, so the time rounds down. The finish is
# the first frame of the held pose, so it rounds up. The others are instants: nearest frame.
_FRAME_ROUNDING = {"address": np.floor, "finish": np.ceil}


def _quiet_time(
    series: np.ndarray, start: int, level: float, step: int, stop: int, hold: int
) -> float | None:
    """Like `_level_time`, but the series must then stay at or below `level` for `hold`
    frames (walking from `start` toward `stop`): shorter dips below it are passed over."""
    idx = np.arange(start, stop + 1) if step > 0 else np.arange(start, stop - 1, -1)
    if idx.size == 0:
        return None
    below = series[idx] <= level
    ok = np.flatnonzero(_run_lengths(below) >= min(hold, idx.size))
    if ok.size == 0:
        return None
    k = int(ok[0])
    if k == 0:
        return float(start)
    return _level_time(series, int(idx[k - 1]), level, step, int(idx[k]))


def _run_lengths(flags: np.ndarray) -> np.ndarray:
    """For each position, how many consecutive True values start there (0 where False)."""
    pos = np.arange(flags.size)
    last = np.flatnonzero(np.diff(np.r_[flags.astype(np.int8), 0]) < 0)  # each run's end
    if last.size == 0:
        return np.zeros(flags.size, dtype=np.int64)
    end = last[np.minimum(np.searchsorted(last, pos), last.size - 1)]
    return np.where(flags, end - pos + 1, 0)


def _frame(t: float | None, n: int, name: str = "") -> int | None:
    if t is None:
        return None
    rounding = _FRAME_ROUNDING.get(name, np.round)
    return int(np.clip(rounding(t + (1e-6 if rounding is np.floor else -1e-6)), 0, n - 1))


# ----------------------------------------------------------------------------- detection


def _find_top(m: Motion, coords: np.ndarray | None = None) -> tuple[float, int]:
    """Top of the backswing: the hands' highest point before their fastest downward move.

    Candidates are the six fastest downward moves whose hands rose at least MIN_RISE_TORSO
    before them. Of those within RIVAL_SPEED of the fastest, the earliest wins: after a
    downswing the hands can drop as fast again from a high finish (GolfDB dev swing 25 was
    read from its follow-through), while nothing as fast comes before the swing."""
    fps, torso = m.fps, m.torso
    y = m.hand[:, 1]
    vy = m.hand_velocity[:, 1] / torso  # + = hands moving down
    peaks, props = find_peaks(vy, height=MIN_DOWNSWING_SPEED, distance=max(1, int(0.3 * fps)))
    if peaks.size == 0:
        raise AnalysisError(
            "no swing found: the hands never moved down fast "
            f"(peak {max(float(np.max(vy)), 0.0):.1f} torso lengths/s, a downswing needs "
            f"{MIN_DOWNSWING_SPEED:.0f})"
        )
    best_rise = 0.0
    found: list[tuple[int, int, float]] = []
    for pk in peaks[np.argsort(props["peak_heights"])[::-1]][:6]:
        back = int(2.5 * fps)
        higher_before = np.flatnonzero(y[max(0, pk - back) : pk] >= y[pk])
        lo = max(0, pk - back) + (higher_before[-1] if higher_before.size else 0)
        t0 = lo + int(np.argmin(y[lo : pk + 1]))
        before = y[max(0, t0 - back) : t0 + 1]
        after = y[t0 : min(m.n_frames, pk + int(0.6 * fps)) + 1]
        rise = (min(before.max(), after.max()) - y[t0]) / torso
        best_rise = max(best_rise, rise)
        if rise >= MIN_RISE_TORSO:
            found.append((t0, int(pk), float(vy[pk])))
    if found:
        fastest = max(v for _, _, v in found)
        t0, pk, _ = min((c for c in found if c[2] >= RIVAL_SPEED * fastest), key=lambda c: c[1])
        return _refine_top(m, t0, pk, coords), pk
    raise AnalysisError(
        f"no swing found: the hands rose only {best_rise:.1f} torso lengths before moving down "
        f"(a swing lifts them at least {MIN_RISE_TORSO})"
    )


HAND_LANDMARKS = (15, 16, 17, 18, 19, 20, 21, 22)  # wrists, pinkies, index fingers, thumbs
TOP_BEFORE_S, TOP_AFTER_S = 0.25, 0.15  # the local model's reach on each side of the top
TOP_ORDERS = (4, 4)  # polynomial order of the model before / after the top


def noise_level(x: np.ndarray) -> float:
    """Robust frame-to-frame noise of a signal (any shape, time first): the MAD of its second
    differences, which motion at video rates barely affects, scaled to a standard deviation."""
    d2 = np.diff(x, n=2, axis=0).ravel()
    d2 = d2[np.isfinite(d2)]
    if d2.size < 5:
        return 0.0
    return 1.4826 * float(np.median(np.abs(d2 - np.median(d2)))) / np.sqrt(6.0)


def _depth_weight(m: Motion) -> float | None:
    """How much the hands' depth counts next to their x and y: the ratio of their measured
    jitters (MediaPipe's depth is several times noisier), at most 1; None without depth."""
    if not m.has_depth:
        return None
    wrists = m.points[:, [LEAD_WRIST, TRAIL_WRIST]]  # (their ratio stands for all the hand's)
    seen = m.valid[:, [LEAD_WRIST, TRAIL_WRIST]]
    xy = noise_level(np.where(seen[..., None], wrists[..., :2], np.nan))
    z = noise_level(np.where(seen, wrists[..., 2], np.nan))
    if not (xy > 0 and z > 0):
        return None
    return min(1.0, xy / z)


def _hand_coordinates(m: Motion, depth_weight: float | None) -> np.ndarray:
    """Hand landmarks (F, J, D) for the top model: x and y, plus the depth scaled by
    `depth_weight` when there is one, so every coordinate counts by its precision. Down the
    line the hands arrive at the top partly along the camera axis, which only depth sees."""
    pts = m.points[:, list(HAND_LANDMARKS)]
    if depth_weight is None:
        return pts[..., :2]
    return pts * np.array([1.0, 1.0, depth_weight])


def _top_fit_sse(
    m: Motion, coords: np.ndarray, lo: int, hi: int, taus: np.ndarray
) -> np.ndarray | None:
    """Residual sum of squares of the top model for each candidate top time in `taus`.

    Around the top every hand landmark j follows p_j(t) = c_j + A u^2 + B- u^3 + C- u^4 (u =
    t - tau < 0) and c_j + A u^2 + B+ u^3 + C+ u^4 (u > 0): the hands stop at tau (no linear
    term) with continuous acceleration, then leave on a different curve (the downswing starts
    a new, much faster movement). The hand is close to rigid there, so the curve's
    coefficients are shared and only the offsets c_j are per landmark: eight noisy landmarks
    then pin down one time. Unseen samples weigh nothing, so a dropout at the top leaves
    the model to bridge the gap from both sides. Returns the SSE per candidate, or None when
    too few samples are seen on either side of some candidate.
    """
    t = np.arange(lo, hi + 1, dtype=np.float64)
    w = m.valid[lo : hi + 1][:, list(HAND_LANDMARKS)].astype(np.float64)  # (N, J)
    counts = w.sum(axis=0)
    keep = counts >= 3
    if not keep.any():
        return None
    w, counts = w[:, keep], counts[keep]
    y = np.nan_to_num(coords[lo : hi + 1][:, keep])  # (N, J, D)
    seen = w.any(axis=1)
    u = t[None, :] - taus[:, None]  # (G, N)
    before, after = u < 0, u > 0
    if min(np.sum(before & seen, axis=1).min(), np.sum(after & seen, axis=1).min()) < 3:
        return None
    u2 = u * u
    cols = [u2] + [np.where(before, u * u2 * u**k, 0) for k in range(TOP_ORDERS[0] - 2)]
    cols += [np.where(after, u * u2 * u**k, 0) for k in range(TOP_ORDERS[1] - 2)]
    x = np.stack(cols, axis=2)  # (G, N, P)
    # Profile out the offsets c_j (least squares in the shared coefficients once each
    # landmark's basis and data are centred on its own weighted mean); matrix products only.
    xt = x.transpose(0, 2, 1)  # (G, P, N)
    wn = w.sum(axis=1)  # (N,)
    mx = (xt @ w) / counts  # (G, P, J)
    my = np.einsum("njd,nj->jd", y, w) / counts[:, None]  # (J, D)
    a = xt @ (x * wn[None, :, None]) - (mx * counts) @ mx.transpose(0, 2, 1)
    b = xt @ np.einsum("njd,nj->nd", y, w) - (mx * counts) @ my
    scale = np.sqrt(np.maximum(np.einsum("gpp->gp", a), 1e-300))
    a_n = a / scale[:, :, None] / scale[:, None, :]
    b_n = b / scale[:, :, None]
    coef = np.linalg.solve(a_n + 1e-9 * np.eye(x.shape[2]), b_n)
    syy = float(np.einsum("njd,nj->", (y - my[None]) ** 2, w))
    return syy - np.einsum("gpd,gpd->g", coef, b_n)


# At low frame rates the fit is re-run with its window shifted a frame either way and the
# times averaged: at 30 fps a window is ~13 frames, and which frames it holds moves the
# estimate by itself. From 90 fps on a frame is a small part of the window.
TOP_SHIFTS = (-1, 0, 1)
TOP_SHIFT_BELOW_FPS = 90.0


def _fit_top_window(
    m: Motion, coords: np.ndarray, lo: int, hi: int, centre: int, reach: float
) -> float | None:
    """The top model's best time for candidates within `reach` frames of `centre`, fitted on
    frames [lo, hi]: a grid of 41 candidates, then a parabola through the best three (the
    SSE is smooth in the candidate time)."""
    span_lo, span_hi = max(lo + 2.0, centre - reach), min(hi - 2.0, centre + reach)
    if span_hi <= span_lo:
        return None
    taus = np.linspace(span_lo, span_hi, 41)
    sse = _top_fit_sse(m, coords, lo, hi, taus)
    if sse is None:
        return None
    k = int(np.argmin(sse))
    tau = float(taus[k])
    if 0 < k < len(taus) - 1:
        den = sse[k - 1] - 2 * sse[k] + sse[k + 1]
        if den > 0:
            frac = float(np.clip(0.5 * (sse[k - 1] - sse[k + 1]) / den, -1, 1))
            tau += frac * float(taus[1] - taus[0])
    return tau


def _refine_top(m: Motion, t0: int, pk: int, coords: np.ndarray | None = None) -> float:
    """Sub-frame top near frame t0 (the hands' highest smoothed point): the time at which the
    hand landmarks stop, by the least-squares fit of `_top_fit_sse`. The window is re-centred
    on the estimate once, since a dropout at the top biases the smoothed highest point."""
    fps, n = m.fps, m.n_frames
    centre, tau = t0, float(t0)
    coords = _hand_coordinates(m, _depth_weight(m)) if coords is None else coords
    reach = max(1.5, 0.05 * fps)  # candidates; farther moves re-centre the window
    seen = m.valid[:, list(HAND_LANDMARKS)].any(axis=1)
    shifts = TOP_SHIFTS if fps < TOP_SHIFT_BELOW_FPS else (0,)
    for _ in range(3):
        found = []
        for shift in shifts:
            c = centre + shift
            lo = max(0, c - int(np.ceil(TOP_BEFORE_S * fps)))
            hi = min(n - 1, c + int(np.ceil(TOP_AFTER_S * fps)), max(pk, c + 3))
            # Extend over a dropout so both sides keep some samples.
            while hi < n - 1 and int(np.sum(seen[c + 1 : hi + 1])) < 4 and hi < pk:
                hi += 1
            est = _fit_top_window(m, coords, lo, hi, centre, reach)
            if est is not None:
                found.append(est)
        if not found:
            return tau
        tau = float(np.mean(found))
        if abs(tau - centre) <= 1.0:
            break
        centre = int(round(tau))
    return tau


def activity_profile(m: Motion, lo: int, hi: int, signals: tuple[int, ...]) -> np.ndarray:
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
    features: np.ndarray,
    into: float = 0.3,
    path: np.ndarray | None = None,
    slow: float = 1.0,
) -> tuple[float, bool]:
    """When the swing's motion starts (direction -1, before the activity peak) or comes to
    rest (+1, after it).

    Human movements between two rests follow a minimum-jerk profile (Flash and Hogan), so
    the raw features ((F, K), see `_onset_features`) are fitted, each as a constant plus c times
    the minimum-jerk curve from t0 to `anchor` (the top for the takeaway, impact for the
    finish), over the frames from the last still moment to `into` of the way from the
    25%-activity point to the anchor; t0 is the least-squares best on a 0.1-frame grid.
    Features that do not move fit flat and do not sway it. `path` (F, D), the hand positions
    in torso lengths, bounds a takeaway by the last forward press (`_last_reversal`); `slow`
    stretches the search for a clip in slow motion. Returns (time in frames, found).
    """
    fps = m.fps
    level = act[peak]
    # Where the activity falls below 25% of its peak and stays there for 0.1 s (in real
    # time): brief dips of a noisy activity inside the movement do not end it.
    t25 = _quiet_time(act, peak, 0.25 * level, direction, stop, max(2, int(0.1 * fps * slow)))
    if t25 is None:
        return float(stop), False
    reach = int(0.6 * fps * slow)
    press = None
    if direction < 0:  # from the last earlier motion (a waggle) to well into the backswing
        edge = int(np.floor(t25))
        hi = int(np.ceil(t25 + into * max(anchor - t25, 0.0)))
        lo = max(stop, edge - reach)
        busy = np.flatnonzero(act[lo:edge] >= 0.25 * level)
        if busy.size:
            lo = lo + int(busy[-1]) + 1
        # Nor before the end of the hands' last move away from the top (a forward press, a
        # waggle): the takeaway is the continuous motion that leads into the top.
        press = None if path is None else _last_reversal(m, path, lo, edge, anchor)
        if press is not None:
            # The body may already be moving the takeaway's way then, so the hands' own
            # progress toward the top joins the signals: the takeaway is when it starts.
            lo = min(press[0], edge)
            features = np.column_stack([features, path @ press[1]])
    else:
        edge = int(np.ceil(t25))
        lo = int(np.floor(t25 - into * max(t25 - anchor, 0.0)))
        hi = min(stop, edge + reach)
        busy = np.flatnonzero(act[edge + 1 : hi + 1] >= 0.25 * level)
        if busy.size:
            hi = edge + int(busy[0])
    if hi - lo < 4:
        return float(t25), False
    t = np.arange(lo, hi + 1, dtype=np.float64)
    f = features[lo : hi + 1]
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


PRESS_MIN_TORSO = 0.03  # a move against the takeaway smaller than this is not a press


def _last_reversal(
    m: Motion, path: np.ndarray, lo: int, edge: int, anchor: float
) -> tuple[int, np.ndarray] | None:
    """The end of the hands' last move *away* from the top in [lo, edge] (a forward press, a
    waggle's return): (its last frame, the unit direction toward the top in `path`), or None
    if there was no such move.

    The hands' velocity is taken along the line from where they are at `edge` (early in the
    takeaway) to where they are at the top (`path`: positions in torso lengths, depth
    included down the line, where the takeaway starts along the camera axis). Moving away
    counts where the velocity (smoothed over 0.2 s) is below -4 times its own jitter
    (measured on this clip) and the hands went back at least PRESS_MIN_TORSO and six times
    the position's jitter that way, so noise on a still address does not.
    """
    top = min(int(round(anchor)), m.n_frames - 1)
    if edge - lo < 3:
        return None
    lo_top = max(0, top - max(1, int(0.05 * m.fps)))
    way = path[lo_top : top + 1].mean(axis=0) - path[max(0, edge - 2) : edge + 3].mean(axis=0)
    norm = float(np.linalg.norm(way))
    if norm <= 0:
        return None
    start = max(0, lo - int(0.6 * m.fps))  # a press may begin before lo and end after it
    raw = path[start : edge + 1] @ (way / norm)
    w = odd_window(m.fps, 0.2, len(raw))
    q = savgol(raw, w, 2)
    v = savgol(raw, w, 2, deriv=1)  # per frame
    noise = noise_level(raw)
    q_noise = noise * float(np.sqrt(np.sum(savgol_coeffs(w, 2) ** 2)))
    v_noise = noise * float(np.sqrt(np.sum(savgol_coeffs(w, 2, 1) ** 2)))
    away = v < -4.0 * v_noise
    runs = np.flatnonzero(np.diff(np.r_[0, away.astype(np.int8), 0]))  # run starts and ends
    for r0, r1 in reversed(list(zip(runs[0::2], runs[1::2], strict=True))):
        if r1 <= lo - start:  # ended before lo: an earlier motion that `busy` bounds already
            break
        back_from = q[max(0, r0 - w // 2) : r0 + 1].max()  # the run's start lags its motion
        if back_from - q[min(r1 + w // 2, len(q) - 1)] < max(PRESS_MIN_TORSO, 6.0 * q_noise):
            continue
        return start + int(r1), way / norm
    return None


def _hand_depth(m: Motion) -> np.ndarray:
    """Mean depth of the seen hand landmarks per frame, (F,), gaps filled."""
    seen = m.valid[:, list(HAND_LANDMARKS)]
    z = np.where(seen, m.points[:, list(HAND_LANDMARKS), 2], 0.0)
    depth = z.sum(axis=1) / np.maximum(seen.sum(axis=1), 1)
    return fill_gaps(depth, seen.any(axis=1))


def _finish_features(m: Motion, view: str) -> np.ndarray:
    """Signals for the end of the follow-through: the takeaway's, without the hands' depth
    down the line (with it, the finish hit rate on the synthetic sweep fell from 89% to 76%)."""
    return m.shape if view != "down-the-line" else m.shape[:, 2:]


# How far into the backswing the takeaway fit reaches (see _onset), tuned on the synthetic
# sweep (seeds 0 and 1, checked on 2). Face-on the hands cross the image in step with the
# swing, and a longer stretch of it averages more noise; down the line the start is carried
# by the body lines and the noisy hand depth, and a longer stretch drew it early.
TAKEAWAY_FIT_INTO = {"face-on": 0.4, "down-the-line": 0.25}


def _onset_features(m: Motion, view: str, depth_weight: float | None) -> np.ndarray:
    """Signals (F, K) that show the start and end of the swing, in torso lengths: face-on the
    hand point and the shoulder and hip lines (Motion.shape). Down the line the hands move
    along the camera axis at first, so their image position is left out; the lines remain,
    plus the hands' depth when the poses have it, weighted by its precision relative to x
    and y (`_depth_weight`)."""
    if view != "down-the-line":
        return m.shape
    if depth_weight is None:
        return m.shape[:, 2:]
    depth = depth_weight * _hand_depth(m) / m.torso
    return np.concatenate([m.shape[:, 2:], depth[:, None]], axis=1)


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
    depth_weight = _depth_weight(m)
    coords = _hand_coordinates(m, depth_weight)
    onset_features = _onset_features(m, view, depth_weight)
    # The hands in torso lengths, with their depth weighted by its precision: down the line
    # they start back along the camera axis.
    hand_path = m.hand_raw / m.torso
    if depth_weight is not None:
        hand_path = np.column_stack([hand_path, depth_weight * _hand_depth(m) / m.torso])

    # Top.
    if "top" in ov:
        times["top"], conf["top"] = float(ov["top"]), 1.0
        pk = ov["top"] + int(np.argmax(m.speed[ov["top"] : min(n, ov["top"] + int(0.5 * fps))]))
    else:
        times["top"], pk = _find_top(m, coords)
        conf["top"] = 0.9
    t_top = times["top"]
    top_f = int(round(t_top))
    # Clips in baked-in slow motion (GolfDB has many; the frame rate says nothing) stretch
    # every phase: the hands take ~0.2 s from the top to their fastest descent in real time,
    # so windows after the top grow by how much longer that takes here.
    slow = max(1.0, (pk - top_f) / (0.2 * fps))

    # Address: the start of the motion that ends at the top.
    if "address" in ov:
        times["address"], conf["address"] = float(ov["address"]), 1.0
    else:
        lo = max(0, top_f - int(3.0 * fps * slow))
        hi = max(lo, top_f - max(1, int(0.05 * fps)))
        act = activity_profile(m, lo, hi, (0, 1))
        bpk = lo + int(np.argmax(act[lo : hi + 1]))
        t_a, found = _onset(
            m, act, bpk, lo, -1, t_top, onset_features, TAKEAWAY_FIT_INTO[view], hand_path, slow
        )
        times["address"], conf["address"] = t_a, (0.8 if found else 0.3)
    a_f = int(np.clip(np.floor(times["address"]), 0, n - 1))
    a_lo = max(0, a_f - max(1, int(0.1 * fps)))
    address_hand = m.hand[a_lo : a_f + 1].mean(axis=0)

    # Impact: the hands return closest to their address position (sub-frame by a parabola).
    if "impact" in ov:
        times["impact"], conf["impact"] = float(ov["impact"]), 1.0
    else:
        # Within 0.6 s of the top (longer in slow motion).
        lo, hi = top_f + 1, min(n - 1, top_f + int(0.6 * fps * slow))
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
            # The hands reach the ball moving toward the target, and the body has slid that
            # way since address: impact is when they pass their address position *relative
            # to the pelvis*, along the target line. Face-on that line is the image x; down
            # the line it is the depth, which MediaPipe measures from the hip midpoint.
            if view == "down-the-line":
                t_line = _depth_crossing(m, a_lo, a_f, t_i) if m.has_depth else None
            else:
                t_line = _target_line_crossing(m, a_lo, a_f, t_i)
            if t_line is not None:
                t_i = t_line
            times["impact"], conf["impact"] = t_i, float(np.clip(1.0 - near, 0.3, 0.9))
    i_f = int(round(times["impact"]))

    # Lead arm horizontal (wrist level with the shoulder), up in the backswing, down after.
    lead_wrist_y = _lead_wrist_y(m)
    arm_y = savgol(lead_wrist_y - m.points[:, LEAD_SHOULDER, 1], m.window, 2)
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
        hi = min(n - 1, i_f + int(1.2 * fps * slow))
        if hi <= lo:
            times["finish"], conf["finish"] = float(n - 1), 0.2
        else:
            act = activity_profile(m, lo, hi, (0, 1, 2))
            fpk = lo + int(np.argmax(act[lo : hi + 1]))
            t_f, found = _onset(
                m, act, fpk, n - 1, +1, times["impact"], _finish_features(m, view), slow=slow
            )
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
        frames[name] = _frame(times[name], n, name)
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
    """Down the line: sub-frame time near `guess` (within 0.15 s) when the hands' depth returns,
    moving toward the target, to its value at address; None if it does not. The depth is the
    mean over the seen hand landmarks: MediaPipe's depth is noisy, the more points the better."""
    z = savgol(_hand_depth(m), m.window, 2)
    rel = z - float(np.mean(z[a_lo : a_f + 1]))
    return _nearest_rising(rel, guess, int(np.ceil(0.15 * m.fps)))


def _target_line_crossing(m: Motion, a_lo: int, a_f: int, guess: float) -> float | None:
    """Face-on: sub-frame time near `guess` (within 0.15 s) when the hands, moving toward the
    target (image +x for right-handed poses), pass their address offset from the hip
    midpoint; None if they do not."""
    hips_x = 0.5 * (m.smooth[:, LEAD_HIP, 0] + m.smooth[:, TRAIL_HIP, 0])
    rel = m.hand[:, 0] - hips_x
    rel = rel - float(np.mean(rel[a_lo : a_f + 1]))
    return _nearest_rising(rel, guess, int(np.ceil(0.15 * m.fps)))


def _nearest_rising(rel: np.ndarray, guess: float, near: int) -> float | None:
    """The upward zero crossing of `rel` nearest to `guess`, within `near` frames, or None."""
    g = int(round(guess))
    lo, hi = max(0, g - near), min(len(rel) - 1, g + near)
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
