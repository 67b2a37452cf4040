"""The swing metrics: their registry (unit, target band, weight, views, plausible range, the
events they read, definition) and maths.

All maths runs on a right-handed Motion (see analysis.engine.events) in frame-height units.
Each metric reads the poses at the detected events; `compute_metrics` returns, per metric,
a value or the reason it is unavailable, and a confidence in [0, 1].

Where a metric is valid: `views` lists the camera views that can measure it (the definition
says how); from any other view it is "not measurable from this view", never a number. A value
outside `plausible` (what a human full swing can produce, with room for a beginner) comes from
misplaced markers or the wrong camera view, not from the swing: it is kept for the coach to see
but not scored (see core.analyze).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.engine.events import (
    LEAD_ELBOW,
    LEAD_HIP,
    LEAD_SHOULDER,
    LEAD_WRIST,
    TRAIL_HIP,
    TRAIL_SHOULDER,
    Events,
    Motion,
    activity_profile,
    noise_level,
    odd_window,
)
from analysis.engine.smoothing import savgol, savgol_coeffs

FACE_ON, DOWN_THE_LINE = "face-on", "down-the-line"
VIEWS = (FACE_ON, DOWN_THE_LINE)
BOTH = (FACE_ON, DOWN_THE_LINE)


@dataclass(frozen=True, slots=True)
class MetricSpec:
    """One metric's contract: what it means, in which unit, and what is good."""

    name: str
    label: str
    unit: str  # "ratio", "s", "deg", "torso", "stance"
    band: tuple[float, float]  # default target band (lo, hi)
    margin: float  # score falls from 100 to 0 over this distance outside the band
    weight: float  # share of the overall score; 0 = recorded, not scored
    views: tuple[str, ...]  # camera views that can measure it
    definition: str
    # What a human full swing can produce; a value outside it is not scored ("check the markers
    # or the camera view"). Durations assume real time (see timing.py).
    plausible: tuple[float, float] = (float("-inf"), float("inf"))
    events: tuple[str, ...] = ()  # the swing events the value is read at (markers to check)
    # Where the club matters: (club family, target band) pairs that replace `band` for that
    # family (club_family); any other club, or none given, keeps `band`.
    club_bands: tuple[tuple[str, tuple[float, float]], ...] = ()

    def band_for(self, club: str | None) -> tuple[float, float]:
        """The default target band for a swing with this club (`band` unless it matters)."""
        family = club_family(club)
        return next((b for f, b in self.club_bands if f == family), self.band)


def club_family(club: str | None) -> str | None:
    """driver | wood | iron | wedge | putter from what a coach typed ("Driver", "7-iron", "3W",
    "PW", "hybrid"), or None when it names none of them."""
    text = " ".join(str(club or "").lower().replace("-", " ").split())
    if not text:
        return None
    words = set(text.split())
    if "putter" in words:
        return "putter"
    if "driver" in words or text in ("1w", "1 w", "1 wood"):
        return "driver"
    numbered = text[:-1].strip().isdigit()  # "3w", "7i"
    if words & {"wood", "fairway", "hybrid", "rescue"} or (text.endswith("w") and numbered):
        return "wood"
    if "wedge" in words or text in ("pw", "gw", "sw", "lw", "aw"):
        return "wedge"
    if "iron" in words or (text.endswith("i") and numbered):
        return "iron"
    return None


# Irons and wedges turn 5-10 degrees less than the driver (shared/biomech.md); the hands come down
# on a steeper plane with the shorter clubs (TrackMan club plane: driver 45-50, irons 55-60).
_SHORT_TURN = (("iron", (78.0, 98.0)), ("wedge", (75.0, 95.0)))
_SHORT_HIPS = (("iron", (30.0, 50.0)), ("wedge", (28.0, 48.0)))
_PLANE = (("driver", (38.0, 52.0)), ("wood", (40.0, 55.0)), ("iron", (45.0, 62.0)),
          ("wedge", (48.0, 65.0)))  # fmt: skip


METRICS: dict[str, MetricSpec] = {
    m.name: m
    for m in (
        MetricSpec(
            "tempo_ratio", "Tempo", "ratio", (2.7, 3.3), 1.0, 0.15, BOTH,
            "Backswing time over downswing time, (Top - Address) / (Impact - Top), from "
            "sub-frame event times. Tour players swing close to 3:1.",
            plausible=(1.5, 6.5), events=("address", "top", "impact"),
        ),
        MetricSpec(
            "swing_time_s", "Swing time", "s", (0.9, 1.25), 0.3, 0.0, BOTH,
            "Time from Address (takeaway) to Impact, in seconds. Recorded, not scored.",
            plausible=(0.6, 2.4), events=("address", "top", "impact"),
        ),
        MetricSpec(
            "backswing_s", "Backswing time", "s", (0.7, 0.95), 0.3, 0.0, BOTH,
            "Time from Address to Top, in seconds. Recorded, not scored.",
            plausible=(0.45, 1.9), events=("address", "top"),
        ),
        MetricSpec(
            "downswing_s", "Downswing time", "s", (0.23, 0.32), 0.1, 0.0, BOTH,
            "Time from Top to Impact, in seconds. Recorded, not scored.",
            plausible=(0.15, 0.6), events=("top", "impact"),
        ),
        MetricSpec(
            "shoulder_turn_deg", "Shoulder turn", "deg", (85.0, 105.0), 25.0, 0.15,
            (FACE_ON,),
            "Rotation of the shoulder line (left to right shoulder) in the horizontal plane "
            "from Address to Top. Face-on it combines the landmarks' depth (z) with the "
            "foreshortening of the line's known length. Not measurable down the line: there "
            "the line points along the camera axis and only the pose model's depth guess "
            "sees it turn (on GolfDB's tour swings with labelled events it read 5-129°).",
            plausible=(40.0, 130.0), events=("address", "top"), club_bands=_SHORT_TURN,
        ),
        MetricSpec(
            "hip_turn_deg", "Hip rotation", "deg", (35.0, 55.0), 20.0, 0.10, (FACE_ON,),
            "Rotation of the hip line (left to right hip) in the horizontal plane from "
            "Address to Top, measured like the shoulder turn. Face-on only.",
            plausible=(10.0, 75.0), events=("address", "top"), club_bands=_SHORT_HIPS,
        ),
        MetricSpec(
            "x_factor_deg", "X-factor", "deg", (35.0, 55.0), 15.0, 0.10, (FACE_ON,),
            "Shoulder turn minus hip rotation at Top: the coil between upper and lower body. "
            "Face-on only, like the turns it is made of.",
            plausible=(0.0, 75.0), events=("address", "top"),
        ),
        MetricSpec(
            "head_sway", "Head movement stability", "torso", (0.0, 0.12), 0.2, 0.15,
            (FACE_ON,),
            "Largest sideways movement of the head (mean of nose and ears) between Address "
            "and Impact, in torso lengths (mid-hip to mid-shoulder at Address). Face-on only.",
            plausible=(0.0, 0.5), events=("address", "impact"),
        ),
        MetricSpec(
            "head_dip", "Head dip", "torso", (0.0, 0.08), 0.15, 0.05, BOTH,
            "Largest vertical movement of the head between Address and Impact, in torso "
            "lengths: a loss of posture (dipping or standing up).",
            plausible=(0.0, 0.35), events=("address", "impact"),
        ),
        MetricSpec(
            "spine_angle_address_deg", "Spine angle at address", "deg", (30.0, 45.0), 15.0,
            0.03, (DOWN_THE_LINE,),
            "Forward bend of the spine (mid-hip to mid-shoulder) from vertical at Address. "
            "Down-the-line only.",
            plausible=(10.0, 60.0), events=("address",),
        ),
        MetricSpec(
            "spine_angle_change_deg", "Spine angle change", "deg", (0.0, 8.0), 12.0, 0.10,
            (DOWN_THE_LINE,),
            "Largest change of the spine's forward bend between Address and Impact: early "
            "extension or a dip. Down-the-line only.",
            plausible=(0.0, 30.0), events=("address", "impact"),
        ),
        MetricSpec(
            "lead_arm_top_deg", "Lead arm at top", "deg", (155.0, 180.0), 30.0, 0.08, BOTH,
            "Angle at the lead elbow (shoulder-elbow-wrist) at Top, in the image plane; 180 is "
            "a straight arm. The 2D angle reads a few degrees low when the arm is foreshortened.",
            plausible=(90.0, 180.5), events=("top",),
        ),
        MetricSpec(
            "hip_sway_top", "Hip sway", "stance", (-0.05, 0.10), 0.15, 0.09, (FACE_ON,),
            "Sideways shift of the hip midpoint from Address to Top, in stance widths (ankle "
            "to ankle at Address); + is away from the target. Face-on only.",
            plausible=(-0.4, 0.5), events=("address", "top"),
        ),
        MetricSpec(
            "swing_plane_deg", "Swing plane", "deg", (40.0, 60.0), 10.0, 0.0,
            (DOWN_THE_LINE,),
            "Angle from horizontal of the hands' path in the downswing (mid-downswing to "
            "Impact, a fitted line). Recorded, not scored. Down-the-line only.",
            plausible=(25.0, 85.0), events=("mid_downswing", "impact"), club_bands=_PLANE,
        ),
        MetricSpec(
            "plane_shift_deg", "Plane shift", "deg", (-10.0, 2.0), 10.0, 0.08,
            (DOWN_THE_LINE,),
            "Downswing hand-path angle minus backswing hand-path angle (toe-up to "
            "mid-backswing); + is steeper coming down (over the top). Down-the-line only.",
            plausible=(-40.0, 25.0), events=("toe_up", "mid_backswing", "mid_downswing", "impact"),
        ),
    )
}  # fmt: skip

# How much each view can be trusted for a metric (1 = designed for it).
_VIEW_TRUST = {
    ("lead_arm_top_deg", DOWN_THE_LINE): 0.7,
    ("head_dip", DOWN_THE_LINE): 0.8,
}


@dataclass(frozen=True, slots=True)
class MetricValue:
    value: float | None
    confidence: float
    reason: str | None = None


# ----------------------------------------------------------------------------- turns


ADDRESS_YAW_PRIOR_DEG = 10.0
TURN_SMOOTH_S = 0.4  # turns change slowly: a wide quartic Savitzky-Golay keeps their peak
TURN_JOINTS = (11, 12, 23, 24)  # shoulders and hips
STILL_MAX_S = 1.0  # the reference reaches back over at most this much of the still address
STILL_ACTIVITY = 0.15  # "still": hands and body lines below this share of their fastest


def _wrap_deg(a: np.ndarray) -> np.ndarray:
    return (a + 180.0) % 360.0 - 180.0


def still_before(m: Motion, frame: int) -> int:
    """First frame of the still stretch that ends at `frame` (the address): walking back while
    the golfer moves at under STILL_ACTIVITY of the swing's fastest (events.activity_profile: the
    hands and those body lines whose motion stands clear of their jitter), for at most
    STILL_MAX_S and at least 0.15 s. A longer reference averages more pose jitter."""
    lo_min = max(0, frame - int(STILL_MAX_S * m.fps))
    lo_max = max(0, frame - int(0.15 * m.fps))
    if frame - lo_min < 1:
        return lo_min
    act = activity_profile(m, 0, m.n_frames - 1, (0, 1, 2))[lo_min : frame + 1]
    moving = np.flatnonzero(act > STILL_ACTIVITY)
    lo = lo_min if moving.size == 0 else lo_min + int(moving[-1]) + 1
    return min(lo, lo_max)


def turn_points(m: Motion, joints: tuple[int, ...] = TURN_JOINTS) -> np.ndarray:
    """m.points with `joints` smoothed over TURN_SMOOTH_S (quartic Savitzky-Golay), for
    `segment_turn`; one filter call for all the turned segments."""
    w = odd_window(m.fps, TURN_SMOOTH_S, m.n_frames, 7)
    out = m.points.copy()
    out[:, list(joints)] = savgol(
        m.points[:, list(joints)], w, min(4, w - 1), axis=0, mode="interp"
    )
    return out


def segment_turn(
    m: Motion,
    lead: int,
    trail: int,
    address: int,
    view: str,
    still_lo: int | None = None,
    smoothed: np.ndarray | None = None,
) -> np.ndarray:
    """Turn of the line lead->trail in the horizontal plane relative to Address, (F,) degrees,
    + = away from the target (right-handed poses).

    In the horizontal plane the line has a component `a` along its address direction and `b`
    across it (+ = turned away). One of them lies along the image x (precise), the other
    along the camera axis, seen only through MediaPipe's depth z (about 3x noisier): face-on
    a is x and b is depth; down the line b is x and a is depth. Two estimates are fused by
    their expected variance:
    - depth: yaw = atan2(b, a) with both measured;
    - length: the line keeps its length L, so the depth component is sqrt(L^2 - x^2 - y^2),
      signed by the depth estimate. Precise when the line is turned well out of the camera
      axis, blind where it points along it; there the depth estimate is at its best. Near
      that blind spot the measured hidden component is mostly noise, so its variance counts
      the expected noise of L^2 - x^2 - y^2, not just the value.
    Face-on L is the line's image length over the still address; down the line (where it
    then points at the camera) it is the line's longest image length from Address on. The
    points are smoothed over TURN_SMOOTH_S first (the nonlinear steps amplify jitter).
    still_lo: first frame of the still address (`still_before`); smoothed: `turn_points(m)`.
    Both are computed when not given.
    """
    w = odd_window(m.fps, TURN_SMOOTH_S, m.n_frames, 7)
    raw = m.points[:, [lead, trail]]
    if smoothed is None:
        smoothed = turn_points(m, (lead, trail))
    pts = smoothed[:, [lead, trail]]
    noise_gain = float(np.sqrt(np.sum(savgol_coeffs(w, min(4, w - 1)) ** 2)))
    d = pts[:, 1] - pts[:, 0]  # (F, 3)
    seen_sq = d[:, 0] ** 2 + d[:, 1] ** 2
    s0 = still_before(m, address) if still_lo is None else still_lo
    still = slice(s0, address + 1)
    raw_d = raw[still, 1] - raw[still, 0]
    jitter_x = noise_level(raw_d[:, 0]) * noise_gain  # per smoothed frame, image x
    if view == FACE_ON:
        length = float(np.sqrt(np.median(seen_sq[still])))
        a, b = -d[:, 0], d[:, 2]
    else:
        length = float(np.sqrt(np.percentile(seen_sq[address:], 97)))
        a, b = -d[:, 2], -d[:, 0]
    length = max(length, 1e-9)
    hidden_sq = length**2 - seen_sq
    hidden = np.sqrt(np.maximum(hidden_sq, 0.0))
    yaw_depth = np.degrees(np.arctan2(b, a))
    if view == FACE_ON:
        sign = np.where(yaw_depth >= 0, 1.0, -1.0) if m.has_depth else 1.0
        yaw_len = np.degrees(np.arctan2(sign * hidden, a))
        var_depth = (9.0 * a**2 + b**2) / length**4
    else:
        sign = np.where(np.abs(yaw_depth) <= 90.0, 1.0, -1.0) if m.has_depth else 1.0
        yaw_len = np.degrees(np.arctan2(b, sign * hidden))
        var_depth = (a**2 + 9.0 * b**2) / length**4
    if m.has_depth:
        # Variances in units of the x noise. L^2 - x^2 - y^2 carries noise of about
        # 2 L jitter_x itself, so only its excess over that informs the length estimate.
        floor = 2.0 * length * jitter_x
        var_len = 1.0 / np.maximum(hidden_sq - floor, 1e-6 * length**2)
        w_len = var_depth / (var_depth + var_len)
        yaw = yaw_depth + w_len * _wrap_deg(yaw_len - yaw_depth)
    else:
        yaw = yaw_len
    # The reference is the mean over the still address, where one frame's depth is noisy.
    # Face-on, where that noise is worst, it is shrunk toward 0 (a face-on camera faces the
    # golfer squarely, give or take ~10 degrees) by how uncertain the mean is.
    yaw = np.degrees(np.unwrap(np.radians(yaw)))
    ref = float(np.mean(yaw[still]))
    if view == FACE_ON and m.has_depth:
        jitter = np.degrees(np.arctan2(raw_d[:, 2], -raw_d[:, 0]))
        var_mean = float(np.var(jitter)) / max(len(jitter), 1)
        ref *= ADDRESS_YAW_PRIOR_DEG**2 / (ADDRESS_YAW_PRIOR_DEG**2 + var_mean)
    return yaw - ref


def value_at(series: np.ndarray, frame: int, fps: float, half_s: float = 0.15) -> float:
    """A slowly varying series read at a frame through a local quadratic fit over +-half_s,
    which averages out jitter without flattening a peak."""
    half = max(2, int(round(half_s * fps)))
    lo, hi = max(0, frame - half), min(len(series), frame + half + 1)
    t = np.arange(lo, hi) - frame
    if hi - lo < 5:
        return float(series[frame])
    coef = np.polyfit(t, series[lo:hi], 2)
    return float(coef[-1])


# ----------------------------------------------------------------------------- the rest


def _angle_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """Angle at b of the 2D triangle a-b-c, degrees."""
    u, v = a[:2] - b[:2], c[:2] - b[:2]
    cos = float(np.dot(u, v) / max(np.linalg.norm(u) * np.linalg.norm(v), 1e-12))
    return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


def plane_angle_deg(points: np.ndarray) -> float:
    """Angle from horizontal (0..90) of the total-least-squares line through 2D points (N, 2)."""
    pts = points[np.all(np.isfinite(points), axis=1)]
    if len(pts) < 3:
        return float("nan")
    _, _, vt = np.linalg.svd(pts - pts.mean(axis=0), full_matrices=False)
    return float(np.degrees(np.arctan2(abs(vt[0][1]), abs(vt[0][0]))))


def _visibility(m: Motion, joints: list[int], lo: int, hi: int) -> float:
    """Mean raw confidence of joints over frames [lo, hi], mapped to a 0..1 trust factor."""
    lo, hi = max(0, lo), min(m.n_frames - 1, hi)
    vis = float(m.confidence[lo : hi + 1, joints].mean()) if hi >= lo else 0.0
    return float(np.clip((vis - 0.2) / 0.6, 0.0, 1.0))


def compute_metrics(m: Motion, ev: Events, view: str) -> dict[str, MetricValue]:
    """Every metric in METRICS for one swing (right-handed Motion, detected events)."""
    fps, f = m.fps, ev.frames
    t = ev.times
    a, top, imp = f["address"], f["top"], f["impact"]
    c_ev = min(ev.confidence["address"], ev.confidence["top"], ev.confidence["impact"])
    c_ev = float(np.clip(c_ev / 0.8, 0.0, 1.0))
    out: dict[str, MetricValue] = {}
    half = int(0.1 * fps)

    def put(name: str, value: float, confidence: float) -> None:
        if not np.isfinite(value):
            out[name] = MetricValue(None, 0.0, "could not be measured on these poses")
            return
        trust = _VIEW_TRUST.get((name, view), 1.0)
        out[name] = MetricValue(float(value), round(float(confidence) * trust, 3))

    # Timing.
    back = (t["top"] - t["address"]) / fps
    down = (t["impact"] - t["top"]) / fps
    if back > 0 and down > 0:
        put("tempo_ratio", back / down, c_ev)
        put("swing_time_s", back + down, c_ev)
        put("backswing_s", back, c_ev)
        put("downswing_s", down, c_ev)
    else:
        for name in ("tempo_ratio", "swing_time_s", "backswing_s", "downswing_s"):
            out[name] = MetricValue(None, 0.0, "the swing's phases are out of order")

    # Turns at the top.
    vis_sh = _visibility(m, [LEAD_SHOULDER, TRAIL_SHOULDER], a, top)
    vis_hip = _visibility(m, [LEAD_HIP, TRAIL_HIP], a, top)
    depth_trust = 1.0 if m.has_depth else 0.6
    # The turn signals are already smoothed over TURN_SMOOTH_S: read them at the sub-frame top
    # (a further local fit only flattens the peak the turns reach there). Just after the top
    # the hips unwind fast, so half a frame matters at 30 fps.
    frames = np.arange(m.n_frames)
    t_top = float(np.clip(t["top"], 0, m.n_frames - 1))
    s0, smoothed = still_before(m, a), turn_points(m)
    sh = segment_turn(m, LEAD_SHOULDER, TRAIL_SHOULDER, a, view, s0, smoothed)
    hp = segment_turn(m, LEAD_HIP, TRAIL_HIP, a, view, s0, smoothed)
    sh, hp = float(np.interp(t_top, frames, sh)), float(np.interp(t_top, frames, hp))
    put("shoulder_turn_deg", sh, vis_sh * c_ev * depth_trust)
    put("hip_turn_deg", hp, vis_hip * c_ev * depth_trust)
    put("x_factor_deg", sh - hp, min(vis_sh, vis_hip) * c_ev * depth_trust)

    # Head, in torso lengths at address.
    p = m.smooth
    lo = max(0, a - int(0.15 * fps))
    torso_a = float(
        np.median(
            np.linalg.norm(
                0.5 * (p[lo : a + 1, LEAD_SHOULDER, :2] + p[lo : a + 1, TRAIL_SHOULDER, :2])
                - 0.5 * (p[lo : a + 1, LEAD_HIP, :2] + p[lo : a + 1, TRAIL_HIP, :2]),
                axis=1,
            )
        )
    )
    head = p[a : imp + 1, [0, 7, 8], :2].mean(axis=1)
    vis_head = _visibility(m, [0, 7, 8], a, imp)
    if view == FACE_ON:
        put("head_sway", float(np.max(np.abs(head[:, 0] - head[0, 0]))) / torso_a, vis_head * c_ev)
    else:
        out["head_sway"] = MetricValue(None, 0.0, "needs the face-on view")
    put("head_dip", float(np.max(np.abs(head[:, 1] - head[0, 1]))) / torso_a, vis_head * c_ev)

    # Spine (down the line).
    mid_sh = 0.5 * (p[:, LEAD_SHOULDER, :2] + p[:, TRAIL_SHOULDER, :2])
    mid_hip = 0.5 * (p[:, LEAD_HIP, :2] + p[:, TRAIL_HIP, :2])
    spine = mid_sh - mid_hip
    spine_deg = np.degrees(np.arctan2(spine[:, 0], -spine[:, 1]))  # + = leaning to the ball
    if view == DOWN_THE_LINE:
        vis_sp = min(vis_sh, vis_hip)
        spine_a = float(np.mean(spine_deg[lo : a + 1]))
        put("spine_angle_address_deg", spine_a, vis_sp)
        put(
            "spine_angle_change_deg",
            float(np.max(np.abs(spine_deg[a : imp + 1] - spine_a))),
            vis_sp * c_ev,
        )
    else:
        for name in ("spine_angle_address_deg", "spine_angle_change_deg"):
            out[name] = MetricValue(None, 0.0, "needs the down-the-line view")

    # Lead arm at the top.
    arm_seen = m.valid[max(0, top - half) : top + half + 1][:, [LEAD_ELBOW, LEAD_WRIST]]
    if arm_seen.mean() < 0.5:
        out["lead_arm_top_deg"] = MetricValue(None, 0.0, "lead arm not visible at the top")
    else:
        pt = m.smooth[top]
        put(
            "lead_arm_top_deg",
            _angle_deg(pt[LEAD_SHOULDER], pt[LEAD_ELBOW], pt[LEAD_WRIST]),
            _visibility(m, [LEAD_SHOULDER, LEAD_ELBOW, LEAD_WRIST], top - half, top + half),
        )

    # Hip sway (face-on): + = away from the target, which is image +x for a right-hander.
    if view == FACE_ON:
        stance = float(np.median(np.abs(p[lo : a + 1, 27, 0] - p[lo : a + 1, 28, 0])))
        if stance > 0.2 * torso_a and np.isfinite(stance):
            hm = mid_hip[:, 0]
            sway = -(value_at(hm, top, fps, 0.1) - float(np.mean(hm[lo : a + 1]))) / stance
            put("hip_sway_top", sway, min(vis_hip, _visibility(m, [27, 28], lo, a)) * c_ev)
        else:
            out["hip_sway_top"] = MetricValue(None, 0.0, "feet not visible at address")
    else:
        out["hip_sway_top"] = MetricValue(None, 0.0, "needs the face-on view")

    # Hand-path plane (down the line).
    if view == DOWN_THE_LINE:
        down_deg = plane_angle_deg(m.hand[f["mid_downswing"] : imp + 1])
        back_deg = plane_angle_deg(m.hand[f["toe_up"] : f["mid_backswing"] + 1])
        c_plane = min(
            ev.confidence["toe_up"], ev.confidence["mid_backswing"], ev.confidence["mid_downswing"]
        )
        put("swing_plane_deg", down_deg, c_ev * c_plane / 0.8)
        put("plane_shift_deg", down_deg - back_deg, c_ev * c_plane / 0.8)
    else:
        for name in ("swing_plane_deg", "plane_shift_deg"):
            out[name] = MetricValue(None, 0.0, "needs the down-the-line view")
    return {
        name: out[name] if view in spec.views else MetricValue(None, 0.0, not_measurable(view))
        for name, spec in METRICS.items()
    }


def not_measurable(view: str) -> str:
    """The reason a metric outside its spec's views carries."""
    return f"not measurable from this view ({view})"


def implausible(spec: MetricSpec, value: float) -> bool:
    """A value no human full swing produces: misplaced markers or the wrong camera view."""
    lo, hi = spec.plausible
    return not lo <= value <= hi
