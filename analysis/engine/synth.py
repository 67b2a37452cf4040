"""Synthetic golf swings with known truth: the engine's test oracle, demo data and benchmark load.

A right-handed golfer is modelled in 3D (metres; X toward the target, Y up, Z toward the face-on
camera, so the golfer faces +Z and the ball lies at +Z). Every motion is a smooth track through
the swing's knots (Address, Top, Impact, Finish) built from quintic Hermite segments, so speeds
and accelerations are continuous and the hands are fastest near impact, as in a real swing.
The 33 BlazePose landmarks are projected with a weak-perspective camera (face-on or
down-the-line) to MediaPipe's conventions, then noise, dropouts and handedness are applied.

Ground truth: events come from the model's own curves (see `_truth_events`); metrics are the
model's exact values at those events (turns in the horizontal plane, sways in the face-on
projection), independent of the engine's estimators.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

from analysis.engine.metrics import plane_angle_deg
from analysis.engine.pose import EVENT_NAMES, N_LANDMARKS, SKELETON_EDGES, mirror_poses

# Body dimensions (metres), an adult of about 1.8 m.
_PELVIS_HEIGHT = 0.95
_TORSO = 0.50  # hip midpoint to shoulder midpoint (neck base)
_HALF_SHOULDERS = 0.19
_HALF_HIPS = 0.12
_UPPER_ARM, _FOREARM = 0.30, 0.28
_THIGH, _SHIN = 0.45, 0.46
_HALF_STANCE = 0.22  # ankle to ankle 0.44 m
_CLUB = 1.10
_HEAD_RADIUS = 0.12
_FOCAL = 0.40  # image heights per metre: a 1.8 m golfer fills 72% of the frame height
_DTL_CENTRE_Z = 0.25  # the down-the-line camera is centred between golfer and ball

_LEAD, _TRAIL = 1.0, -1.0


@dataclass
class SwingParams:
    """Everything that shapes one synthetic swing. Angles in degrees, times in seconds.

    Turns are rotations in the horizontal plane from Address to Top (what a face-on camera
    with depth measures). Sways are fractions: head_sway and head_dip of the face-on torso
    length, hip_sway of the stance width (+ = away from the target).
    """

    fps: float = 30.0
    view: str = "face-on"  # or "down-the-line"
    left_handed: bool = False
    shoulder_turn_deg: float = 95.0
    hip_turn_deg: float = 45.0
    address_s: float = 0.6  # still address before the takeaway
    backswing_s: float = 0.8
    downswing_s: float = 0.27
    follow_s: float = 0.5
    finish_s: float = 0.6  # held finish at the end of the clip
    head_sway: float = 0.05  # max lateral head drift over [Address, Impact], torso lengths
    head_dip: float = 0.03  # max head drop over [Address, Impact], torso lengths
    hip_sway: float = 0.03  # hip-midpoint shift at Top, stance widths, + = away from target
    hip_lead_s: float = 0.04  # the hips stop turning back this long before the arms
    spine_deg: float = 35.0  # forward bend at Address, from vertical
    spine_change_deg: float = 4.0  # spine straightens this much by Impact (early extension)
    lead_elbow_top_deg: float = 170.0
    plane_deg: float = 50.0  # hand-path plane, from the ground
    shoulder_impact_deg: float = -20.0  # shoulders open at Impact
    hip_impact_deg: float = -40.0
    noise: float = 0.003  # sigma of x and y (frame fractions); z gets 3x; hands more when fast
    dropout: float = 0.0  # fraction of frames inside dropout bursts
    seed: int = 0
    width: int = 640
    height: int = 480

    def __post_init__(self) -> None:
        if self.view not in ("face-on", "down-the-line"):
            raise ValueError(f"view must be 'face-on' or 'down-the-line', got {self.view!r}")
        if not self.fps > 0:
            raise ValueError("fps must be positive")
        if min(self.backswing_s, self.downswing_s, self.follow_s) <= 0:
            raise ValueError("swing phases must have positive durations")
        if self.width % 2 or self.height % 2 or self.width <= 0 or self.height <= 0:
            raise ValueError("width and height must be positive and even (H.264, yuv420p)")


@dataclass
class SyntheticSwing:
    """A generated swing: MediaPipe-style poses plus the truth they were made from."""

    keypoints: np.ndarray  # (F, 33, 4) float32, x y z confidence
    fps: float
    params: SwingParams
    events: dict[str, int]  # the 8 GolfDB events, frame numbers
    metrics: dict[str, float]  # ground truth, engine metric names
    club_head: np.ndarray  # (F, 2) image-normalised club-head path (x, y)
    clean_keypoints: np.ndarray = field(repr=False)  # before noise and dropouts
    event_times: dict[str, float] = field(default_factory=dict)  # continuous, in frames

    @property
    def n_frames(self) -> int:
        return int(self.keypoints.shape[0])


def varied_params(
    n: int,
    seed: int = 0,
    fps_choices: tuple[float, ...] = (30.0, 60.0, 120.0, 240.0),
    noise: tuple[float, float] = (0.001, 0.004),
    size: tuple[int, int] = (640, 480),
) -> list[SwingParams]:
    """n realistic, varied swings, the one definition of "varied" (the synthetic report's sweep
    and the event model's generated training swings both draw from it): the frame rate cycles
    through `fps_choices`, the view switches every len(fps_choices) swings, about 30% are
    left-handed, dropouts in every other one; turns, phase durations, sways, spine, arm and
    plane angles and the pose noise (`noise`: low, high) are drawn uniformly."""
    rng = np.random.default_rng(seed)
    views = ("face-on", "down-the-line")
    out = []
    for i in range(n):
        out.append(
            SwingParams(
                fps=float(fps_choices[i % len(fps_choices)]),
                view=views[(i // len(fps_choices)) % 2],
                left_handed=bool(rng.random() < 0.3),
                shoulder_turn_deg=float(rng.uniform(75, 110)),
                hip_turn_deg=float(rng.uniform(30, 60)),
                address_s=float(rng.uniform(0.4, 1.0)),
                backswing_s=float(rng.uniform(0.65, 1.0)),
                downswing_s=float(rng.uniform(0.22, 0.33)),
                follow_s=float(rng.uniform(0.4, 0.6)),
                finish_s=float(rng.uniform(0.4, 0.8)),
                head_sway=float(rng.uniform(0.0, 0.2)),
                head_dip=float(rng.uniform(0.0, 0.1)),
                hip_sway=float(rng.uniform(-0.05, 0.15)),
                hip_lead_s=float(rng.uniform(0.0, 0.06)),
                spine_deg=float(rng.uniform(28, 45)),
                spine_change_deg=float(rng.uniform(0, 10)),
                lead_elbow_top_deg=float(rng.uniform(145, 178)),
                plane_deg=float(rng.uniform(42, 60)),
                noise=float(rng.uniform(*noise)),
                dropout=float(rng.uniform(0.02, 0.1)) if i % 2 else 0.0,
                seed=int(rng.integers(1 << 31)),
                width=int(size[0]),
                height=int(size[1]),
            )
        )
    return out


# ----------------------------------------------------------------------------- motion tracks


def _quintic(u: np.ndarray, p0, v0, a0, p1, v1, a1, dur: float) -> np.ndarray:
    """Quintic Hermite interpolation on u in [0, 1] (positions, velocities, accelerations)."""
    u2, u3 = u * u, u * u * u
    u4, u5 = u3 * u, u3 * u2
    h0 = 1 - 10 * u3 + 15 * u4 - 6 * u5
    h1 = u - 6 * u3 + 8 * u4 - 3 * u5
    h2 = 0.5 * (u2 - 3 * u3 + 3 * u4 - u5)
    h3 = 0.5 * (u3 - 2 * u4 + u5)
    h4 = -4 * u3 + 7 * u4 - 3 * u5
    h5 = 10 * u3 - 15 * u4 + 6 * u5
    return h0 * p0 + h1 * v0 * dur + h2 * a0 * dur**2 + h3 * a1 * dur**2 + h4 * v1 * dur + h5 * p1


def _track(t: np.ndarray, knots: list[tuple[float, float, float, float]]) -> np.ndarray:
    """A smooth track through knots (time, value, velocity, acceleration); held outside them."""
    out = np.full(t.shape, knots[0][1], dtype=np.float64)
    for (t0, p0, v0, a0), (t1, p1, v1, a1) in zip(knots[:-1], knots[1:], strict=True):
        inside = (t > t0) & (t <= t1)
        out[inside] = _quintic((t[inside] - t0) / (t1 - t0), p0, v0, a0, p1, v1, a1, t1 - t0)
    out[t > knots[-1][0]] = knots[-1][1]
    return out


def _two_link(root: np.ndarray, end: np.ndarray, l1: float, l2: float, pole: np.ndarray):
    """Middle joint (elbow, knee) of a two-link chain from root to end, bending toward pole."""
    d = end - root
    dist = np.linalg.norm(d, axis=-1, keepdims=True)
    dist_c = np.clip(dist, abs(l1 - l2) + 1e-6, l1 + l2 - 1e-6)
    axis = d / np.maximum(dist, 1e-9)
    along = (l1**2 - l2**2 + dist_c**2) / (2 * dist_c)
    off = np.sqrt(np.maximum(l1**2 - along**2, 0.0))
    perp = pole - np.sum(pole * axis, axis=-1, keepdims=True) * axis
    perp /= np.maximum(np.linalg.norm(perp, axis=-1, keepdims=True), 1e-9)
    return root + along * axis + off * perp


def _rot_y(v: np.ndarray, deg: np.ndarray) -> np.ndarray:
    """Rotate vectors (..., 3) about the vertical axis; + turns +Z toward +X."""
    th = np.radians(deg)[..., None]
    c, s = np.cos(th), np.sin(th)
    x, y, z = v[..., 0:1], v[..., 1:2], v[..., 2:3]
    return np.concatenate([c * x + s * z, y, -s * x + c * z], axis=-1)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _timeline(p: SwingParams) -> dict[str, float]:
    t_a = p.address_s
    t_t = t_a + p.backswing_s
    t_i = t_t + p.downswing_s
    t_f = t_i + p.follow_s
    return {"A": t_a, "T": t_t, "I": t_i, "F": t_f, "end": t_f + p.finish_s}


def _tracks(p: SwingParams, t: np.ndarray) -> dict[str, np.ndarray]:
    """Every scalar degree of freedom of the model over time."""
    k = _timeline(p)
    ta, tt, ti, tf = k["A"], k["T"], k["I"], k["F"]
    tb, td, tfo = p.backswing_s, p.downswing_s, p.follow_s

    alpha_top = 95.0 + 0.35 * p.shoulder_turn_deg  # arm angle in the swing plane at Top
    alpha_end = -200.0
    v_imp = -min(1.7 * alpha_top / td, 1.8 * abs(alpha_end) / tfo)
    acc_top = -6.0 * alpha_top / tb**2
    alpha = _track(
        t, [(ta, 0, 0, 0), (tt, alpha_top, 0, acc_top), (ti, 0, v_imp, 0), (tf, alpha_end, 0, 0)]
    )
    # Wrist hinge; the shaft's angle in the plane is alpha + hinge. The wrists hinge with the
    # arm swing (fully set, the shaft vertical, when the lead arm is parallel: P3), keep the
    # angle (lag) into the downswing, release through impact and re-hinge in the follow-through.
    hinge = np.clip(alpha, -90.0, 90.0)
    down = (t > tt) & (t <= ti)
    hinge[down] = np.clip(1.6 * alpha[down], 0.0, 90.0)

    sh_top, sh_imp, sh_fin = p.shoulder_turn_deg, p.shoulder_impact_deg, -100.0
    shoulder = _track(
        t,
        [
            (ta, 0, 0, 0),
            (tt, sh_top, 0, -6 * sh_top / tb**2),
            (ti, sh_imp, -1.3 * (sh_top - sh_imp) / td, 0),
            (tf, sh_fin, 0, 0),
        ],
    )
    # The hips peak hip_lead_s before the arms (X-factor stretch) and start down first.
    th_peak = tt - p.hip_lead_s
    hp_top, hp_imp, hp_fin = p.hip_turn_deg, p.hip_impact_deg, -80.0
    hips = _track(
        t,
        [
            (ta, 0, 0, 0),
            (th_peak, hp_top, 0, -6 * hp_top / (th_peak - ta) ** 2),
            (ti, hp_imp, -1.2 * (hp_top - hp_imp) / (ti - th_peak), 0),
            (tf, hp_fin, 0, 0),
        ],
    )
    torso_fo = _TORSO * np.cos(np.radians(p.spine_deg))  # the face-on (foreshortened) torso
    head_dx = _track(
        t,
        [
            (ta, 0, 0, 0),
            (tt, -p.head_sway * torso_fo, 0, 0),
            (ti, -0.6 * p.head_sway * torso_fo, 0, 0),
            (tf, 0.15 * torso_fo, 0, 0),
        ],
    )
    head_dy = _track(
        t,
        [
            (ta, 0, 0, 0),
            (tt, -0.3 * p.head_dip * torso_fo, 0, 0),
            (ti, -p.head_dip * torso_fo, 0, 0),
            (tf, 0.05 * torso_fo, 0, 0),
        ],
    )
    stance = 2 * _HALF_STANCE
    pelvis_dx = _track(
        t,
        [
            (ta, 0, 0, 0),
            (tt, -p.hip_sway * stance, 0, 0),
            (ti, 0.12 * stance, 0, 0),
            (tf, 0.2 * stance, 0, 0),
        ],
    )
    spine = _track(
        t,
        [
            (ta, p.spine_deg, 0, 0),
            (tt, p.spine_deg - 0.3 * p.spine_change_deg, 0, 0),
            (ti, p.spine_deg - p.spine_change_deg, 0, 0),
            (tf, min(p.spine_deg - p.spine_change_deg, 12.0), 0, 0),
        ],
    )
    elbow = _track(
        t,
        [(ta, 172, 0, 0), (tt, p.lead_elbow_top_deg, 0, 0), (ti, 176, 0, 0), (tf, 95, 0, 0)],
    )
    head_yaw = _track(t, [(ti, 0, 0, 0), (tf, 65, 0, 0)])
    return {
        "alpha": alpha,
        "hinge": hinge,
        "shoulder": shoulder,
        "hips": hips,
        "head_dx": head_dx,
        "head_dy": head_dy,
        "pelvis_dx": pelvis_dx,
        "spine": spine,
        "elbow": elbow,
        "head_yaw": head_yaw,
    }


def _body(p: SwingParams, tr: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """World positions (F, 33, 3) of a right-handed golfer and the club head (F, 3)."""
    n = tr["alpha"].shape[0]
    world = np.zeros((n, N_LANDMARKS, 3))
    ex = np.array([1.0, 0.0, 0.0])
    s = np.radians(tr["spine"])[:, None]
    spine_axis = np.concatenate([np.zeros_like(s), np.cos(s), np.sin(s)], axis=1)

    pelvis = np.stack([tr["pelvis_dx"], np.full(n, _PELVIS_HEIGHT), np.zeros(n)], axis=1)
    neck = pelvis + _TORSO * spine_axis

    # Shoulders turn about the tilted spine; the angle about the spine that gives the
    # requested horizontal-plane turn theta solves tan(theta) = cos(spine) tan(phi).
    theta = np.radians(tr["shoulder"])[:, None]
    phi = np.arctan2(np.sin(theta), np.cos(s) * np.cos(theta))
    shoulder_dir = np.concatenate(
        [np.cos(phi), -np.sin(s) * np.sin(phi), np.cos(s) * np.sin(phi)], axis=1
    )
    sh_lead = neck + _HALF_SHOULDERS * shoulder_dir
    sh_trail = neck - _HALF_SHOULDERS * shoulder_dir
    # The pelvis turns about the vertical.
    hip_dir = _rot_y(np.broadcast_to(ex, (n, 3)), -tr["hips"])
    hip_lead = pelvis + _HALF_HIPS * hip_dir
    hip_trail = pelvis - _HALF_HIPS * hip_dir

    # Hands move on a circle in the swing plane around a centre below the neck; the radius is
    # chosen each frame so the lead arm has the elbow angle of its track.
    pl = np.radians(p.plane_deg)
    down_plane = np.array([0.0, -np.sin(pl), np.cos(pl)])  # in-plane, down toward the ball
    plane_normal = np.array([0.0, np.cos(pl), np.sin(pl)])
    al = np.radians(tr["alpha"])[:, None]
    arm_dir = np.cos(al) * down_plane - np.sin(al) * ex
    centre = neck - 0.06 * spine_axis
    reach = np.sqrt(
        _UPPER_ARM**2 + _FOREARM**2 - 2 * _UPPER_ARM * _FOREARM * np.cos(np.radians(tr["elbow"]))
    )[:, None]
    rel = centre - sh_lead
    b = np.sum(arm_dir * rel, axis=1, keepdims=True)
    disc = b**2 - np.sum(rel * rel, axis=1, keepdims=True) + reach**2
    radius = -b + np.sqrt(np.maximum(disc, 0.0))
    wrist_lead = centre + radius * arm_dir
    psi = np.radians(tr["alpha"] + tr["hinge"])[:, None]
    shaft = np.cos(psi) * down_plane - np.sin(psi) * ex
    wrist_trail = wrist_lead + 0.08 * shaft
    elbow_lead = _two_link(sh_lead, wrist_lead, _UPPER_ARM, _FOREARM, np.array([0.3, -1.0, 0.0]))
    elbow_trail = _two_link(
        sh_trail, wrist_trail, _UPPER_ARM, _FOREARM, np.array([-0.3, -1.0, -0.2])
    )

    # Head: rides on the neck, looks down at the ball, turns to the target after impact.
    h_tilt = np.radians(tr["spine"] + 15.0)[:, None]
    head_up = np.concatenate([np.zeros_like(h_tilt), np.cos(h_tilt), np.sin(h_tilt)], axis=1)
    face = np.concatenate([np.zeros_like(h_tilt), -np.sin(h_tilt), np.cos(h_tilt)], axis=1)
    face = _rot_y(face, tr["head_yaw"])
    ear_axis = _rot_y(np.broadcast_to(ex, (n, 3)), tr["head_yaw"])
    # The head's drift and dip are absolute (it stays back while the pelvis slides and the
    # spine straightens); only its depth follows the spine.
    head = neck + 0.24 * head_up
    head[:, 0] = head[0, 0] + tr["head_dx"]
    head[:, 1] = head[0, 1] + tr["head_dy"]

    def face_point(fwd: float, up: float, side: float) -> np.ndarray:
        return head + fwd * face + up * head_up + side * ear_axis

    world[:, 0] = face_point(0.10, 0.0, 0.0)
    for idx, side in ((1, 0.02), (2, 0.035), (3, 0.05)):
        world[:, idx] = face_point(0.085, 0.03, _LEAD * side)  # left eye: lead side
        world[:, idx + 3] = face_point(0.085, 0.03, _TRAIL * side)
    world[:, 7] = face_point(-0.01, 0.0, _LEAD * 0.075)
    world[:, 8] = face_point(-0.01, 0.0, _TRAIL * 0.075)
    world[:, 9] = face_point(0.085, -0.045, _LEAD * 0.025)
    world[:, 10] = face_point(0.085, -0.045, _TRAIL * 0.025)

    world[:, 11], world[:, 12] = sh_lead, sh_trail
    world[:, 13], world[:, 14] = elbow_lead, elbow_trail
    world[:, 15], world[:, 16] = wrist_lead, wrist_trail
    for wrist_idx, wrist in ((0, wrist_lead), (1, wrist_trail)):
        world[:, 17 + wrist_idx] = wrist + 0.05 * shaft - 0.02 * plane_normal  # pinky
        world[:, 19 + wrist_idx] = wrist + 0.07 * shaft + 0.01 * plane_normal  # index
        world[:, 21 + wrist_idx] = wrist + 0.04 * shaft + 0.025 * plane_normal  # thumb
    world[:, 23], world[:, 24] = hip_lead, hip_trail

    for side, hip_idx, sign in ((0, 23, _LEAD), (1, 24, _TRAIL)):
        ankle = np.array([sign * _HALF_STANCE, 0.08, 0.0])
        world[:, 27 + side] = ankle
        world[:, 29 + side] = ankle + np.array([0.0, -0.04, -0.06])
        world[:, 31 + side] = ankle + np.array([sign * 0.03, -0.06, 0.16])
        world[:, 25 + side] = _two_link(
            world[:, hip_idx], np.broadcast_to(ankle, (n, 3)), _THIGH, _SHIN,
            np.array([sign * 0.25, 0.0, 1.0]),
        )  # fmt: skip
    club_head = wrist_lead + _CLUB * shaft
    return world, club_head


def _project(points: np.ndarray, view: str, width: int, height: int) -> np.ndarray:
    """Weak-perspective projection to MediaPipe coordinates (x, y, z), z from the hip midpoint.

    x is a fraction of the width, y of the height (down), z in the units of x, nearer = smaller.
    Works on (F, J, 3) with the hips at landmarks 23/24, or (F, 3) given hip depth separately.
    """
    f_px = _FOCAL * height
    if view == "face-on":  # camera on +Z looking at the golfer's front
        horiz, depth = points[..., 0], -points[..., 2]
    else:  # down-the-line: camera behind, on the target line, looking toward the target
        horiz, depth = points[..., 2] - _DTL_CENTRE_Z, points[..., 0]
    x = 0.5 + f_px * horiz / width
    y = 0.5 - f_px * (points[..., 1] - 1.0) / height
    z = f_px * depth / width
    return np.stack([x, y, z], axis=-1)


# ----------------------------------------------------------------------------- ground truth


def _crossings(signal: np.ndarray, level: float, lo: int, hi: int, rising: bool) -> float | None:
    """First sub-frame time in [lo, hi] where signal crosses level in the given direction."""
    seg = signal[lo : hi + 1] - level
    if rising:
        idx = np.nonzero((seg[:-1] < 0) & (seg[1:] >= 0))[0]
    else:
        idx = np.nonzero((seg[:-1] > 0) & (seg[1:] <= 0))[0]
    if idx.size == 0:
        return None
    i = idx[0]
    return lo + i + seg[i] / (seg[i] - seg[i + 1])


def _truth_events(
    p: SwingParams, tr: dict[str, np.ndarray], image: np.ndarray
) -> tuple[dict[str, int], dict[str, float]]:
    """Events from the model's curves, as frames and as continuous times (in frames)."""
    fps = p.fps
    k = _timeline(p)
    n = image.shape[0]
    alpha = tr["alpha"]
    t_top = float(np.argmax(alpha))
    times: dict[str, float] = {
        "address": k["A"] * fps,
        "top": k["T"] * fps,
        "impact": k["I"] * fps,
        "finish": k["F"] * fps,
    }
    a_f, t_f, i_f = int(np.floor(k["A"] * fps + 1e-9)), int(t_top), int(round(k["I"] * fps))
    # The lead arm is horizontal when the wrist is level with the shoulder (image y = world up).
    arm_y = image[:, 15, 1] - image[:, 11, 1]
    times["mid_backswing"] = _crossings(arm_y, 0.0, a_f, t_f, rising=False)
    times["mid_downswing"] = _crossings(arm_y, 0.0, t_f, min(i_f + 1, n - 1), rising=True)
    # The virtual shaft is horizontal when its in-plane angle is +-90 degrees.
    psi = alpha + tr["hinge"]
    times["toe_up"] = _crossings(psi, 90.0, a_f, t_f, rising=True)
    times["mid_follow_through"] = _crossings(psi, -90.0, i_f, n - 1, rising=False)
    missing = [name for name, value in times.items() if value is None]
    if missing:
        raise ValueError(f"the swing model never reaches {missing}; adjust the parameters")
    frames = {
        "address": a_f,
        "top": t_f,
        "impact": i_f,
        "finish": min(int(np.ceil(k["F"] * fps - 1e-9)), n - 1),
    }
    for name in ("toe_up", "mid_backswing", "mid_downswing", "mid_follow_through"):
        frames[name] = int(round(times[name]))
    return {name: frames[name] for name in EVENT_NAMES}, {name: times[name] for name in EVENT_NAMES}


def _truth_metrics(
    p: SwingParams, tr: dict[str, np.ndarray], world: np.ndarray, ev: dict[str, int]
) -> dict[str, float]:
    a, t, i = ev["address"], ev["top"], ev["impact"]
    fo = _project(world, "face-on", p.width, p.height) * np.array([p.width / p.height, 1, 1])
    dtl = _project(world, "down-the-line", p.width, p.height) * np.array([p.width / p.height, 1, 1])
    torso_fo = np.linalg.norm(
        0.5 * (fo[a, 11, :2] + fo[a, 12, :2]) - 0.5 * (fo[a, 23, :2] + fo[a, 24, :2])
    )
    head = fo[a : i + 1, [0, 7, 8], :2].mean(axis=1)
    stance = abs(fo[a, 27, 0] - fo[a, 28, 0])
    hip_mid = 0.5 * (fo[:, 23, 0] + fo[:, 24, 0])
    spine = tr["spine"]
    sh = world[:, 11] - world[:, 13]
    wr = world[:, 15] - world[:, 13]
    cos_elbow = np.sum(sh * wr, axis=1) / np.linalg.norm(sh, axis=1) / np.linalg.norm(wr, axis=1)
    hands = 0.5 * (dtl[:, 15, :2] + dtl[:, 16, :2])
    # Turns at the instant of the top, not at its frame: just after the top the hips unwind by
    # several degrees per frame at 30 fps, so a frame-quantised truth would differ from the
    # turn "at Top" by up to half a frame's worth (the engine reads at its sub-frame top).
    at_top = _tracks(p, np.array([_timeline(p)["T"]]))
    shoulder_top, hip_top = float(at_top["shoulder"][0]), float(at_top["hips"][0])
    down = plane_angle_deg(hands[ev["mid_downswing"] : i + 1])
    back = plane_angle_deg(hands[ev["toe_up"] : ev["mid_backswing"] + 1])
    return {
        "tempo_ratio": p.backswing_s / p.downswing_s,
        "swing_time_s": p.backswing_s + p.downswing_s,
        "backswing_s": p.backswing_s,
        "downswing_s": p.downswing_s,
        "shoulder_turn_deg": shoulder_top,
        "hip_turn_deg": hip_top,
        "x_factor_deg": shoulder_top - hip_top,
        "head_sway": float(np.max(np.abs(head[:, 0] - head[0, 0])) / torso_fo),
        "head_dip": float(np.max(np.abs(head[:, 1] - head[0, 1])) / torso_fo),
        "spine_angle_address_deg": float(spine[a]),
        "spine_angle_change_deg": float(np.max(np.abs(spine[a : i + 1] - spine[a]))),
        "spine_angle_deg": float(spine[a]),
        "lead_arm_top_deg": float(np.degrees(np.arccos(np.clip(cos_elbow[t], -1, 1)))),
        "hip_sway_top": float(-(hip_mid[t] - hip_mid[a]) / stance),
        "swing_plane_deg": down,
        "plane_shift_deg": down - back,
    }


# ----------------------------------------------------------------------------- noise


def _dropout_mask(rng: np.random.Generator, n: int, fraction: float, fps: float) -> np.ndarray:
    """Frames inside dropout bursts, (F,) bool: alternating geometric gaps and bursts."""
    mask = np.zeros(n, dtype=bool)
    if fraction <= 0 or n == 0:
        return mask
    mean_burst = max(2.0, 0.08 * fps)
    mean_gap = mean_burst * (1 - fraction) / fraction
    pos = int(rng.geometric(1 / max(mean_gap, 1.0)))
    while pos < n:
        length = int(rng.geometric(1 / mean_burst))
        mask[pos : pos + length] = True
        pos += length + int(rng.geometric(1 / max(mean_gap, 1.0)))
    return mask


_DROPOUT_GROUPS: tuple[tuple[int, ...], ...] = (
    (13, 15, 17, 19, 21),  # lead arm
    (14, 16, 18, 20, 22),  # trail arm
    (15, 16, 17, 18, 19, 20, 21, 22),  # both hands
    tuple(range(11)),  # face
    (25, 27, 29, 31),  # lead leg
    (23, 24, 25, 26),  # hips and knees
)


def _add_noise(p: SwingParams, rng: np.random.Generator, image: np.ndarray) -> np.ndarray:
    """Add jitter (growing with joint speed, like motion blur), confidence and dropout bursts."""
    n = image.shape[0]
    speed = np.zeros(image.shape[:2])
    if n > 1:
        speed[1:] = np.linalg.norm(np.diff(image[..., :2], axis=0), axis=-1) * p.fps
        speed[0] = speed[1]
    sigma = p.noise * (1.0 + np.minimum(speed / 2.0, 2.0))  # about x2 at peak hand speed
    out = np.empty((n, N_LANDMARKS, 4))
    out[..., 0:2] = image[..., 0:2] + rng.normal(size=(n, N_LANDMARKS, 2)) * sigma[..., None]
    out[..., 2] = image[..., 2] + rng.normal(size=(n, N_LANDMARKS)) * 3 * sigma
    conf = rng.uniform(0.85, 0.995, size=(n, N_LANDMARKS))
    if p.view == "down-the-line":  # the lead side is partly hidden behind the body
        lead_side = [1, 2, 3, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31]
        conf[:, lead_side] *= rng.uniform(0.6, 0.9, size=(n, len(lead_side)))
    out[..., 3] = conf

    burst = _dropout_mask(rng, n, p.dropout, p.fps)
    if burst.any():
        # One joint group per burst; half the bursts lose coordinates, half keep jittered ones.
        starts = np.flatnonzero(burst & ~np.r_[False, burst[:-1]])
        ends = np.flatnonzero(burst & ~np.r_[burst[1:], False]) + 1
        for s, e in zip(starts, ends, strict=True):
            joints = list(_DROPOUT_GROUPS[rng.integers(len(_DROPOUT_GROUPS))])
            if rng.random() < 0.5:
                out[s:e][:, joints] = np.nan
            else:
                jitter = rng.normal(scale=0.03, size=(e - s, len(joints), 3))
                out[s:e, joints, 0:3] += jitter
                out[s:e, joints, 3] = 0.1
    return out


# ----------------------------------------------------------------------------- public API


def generate_swing(params: SwingParams | None = None) -> SyntheticSwing:
    """Generate one swing; the same params (including seed) give the same swing."""
    p = params or SwingParams()
    k = _timeline(p)
    n = int(round(k["end"] * p.fps))
    t = np.arange(n) / p.fps
    tr = _tracks(p, t)
    world, club_world = _body(p, tr)
    image = _project(world, p.view, p.width, p.height)
    hip_depth = 0.5 * (image[:, 23, 2] + image[:, 24, 2])
    image[..., 2] -= hip_depth[:, None]  # MediaPipe's z origin: the hip midpoint
    club = _project(club_world, p.view, p.width, p.height)[:, :2]

    events, times = _truth_events(p, tr, image)
    metrics = _truth_metrics(p, tr, world, events)

    rng = np.random.default_rng(p.seed)
    noisy = _add_noise(p, rng, image)
    clean = np.concatenate([image, np.ones((n, N_LANDMARKS, 1))], axis=-1)
    if p.left_handed:  # a left-hander is the mirror image of the right-handed model
        noisy = mirror_poses(noisy)
        clean = mirror_poses(clean)
        club = club.copy()
        club[:, 0] = 1.0 - club[:, 0]
    return SyntheticSwing(
        keypoints=noisy.astype(np.float32),
        fps=p.fps,
        params=p,
        events=events,
        metrics=metrics,
        club_head=club.astype(np.float32),
        clean_keypoints=clean.astype(np.float32),
        event_times=times,
    )


# ----------------------------------------------------------------------------- rendering

_BACKGROUND = np.array([232, 236, 228], dtype=np.uint8)
_BODY_COLOUR = np.array([38, 70, 150], dtype=np.uint8)
_LEAD_ARM_COLOUR = np.array([200, 70, 50], dtype=np.uint8)
_HEAD_COLOUR = np.array([224, 172, 128], dtype=np.uint8)
_CLUB_COLOUR = np.array([40, 40, 40], dtype=np.uint8)
_LEFT_ARM_EDGES = {(11, 13), (13, 15)}
_RIGHT_ARM_EDGES = {(12, 14), (14, 16)}
_RENDER_EDGES = tuple(e for e in SKELETON_EDGES if e[0] > 10 and e[1] > 10)  # no face lines


def _capsule(img: np.ndarray, p0, p1, radius: float, colour: np.ndarray) -> None:
    """Fill the pixels within radius of the segment p0-p1 (pixel coordinates, x right, y down)."""
    h, w = img.shape[:2]
    x0 = max(int(np.floor(min(p0[0], p1[0]) - radius)), 0)
    x1 = min(int(np.ceil(max(p0[0], p1[0]) + radius)) + 1, w)
    y0 = max(int(np.floor(min(p0[1], p1[1]) - radius)), 0)
    y1 = min(int(np.ceil(max(p0[1], p1[1]) + radius)) + 1, h)
    if x0 >= x1 or y0 >= y1:
        return
    px = np.arange(x0, x1, dtype=np.float32)[None, :] + 0.5 - p0[0]
    py = np.arange(y0, y1, dtype=np.float32)[:, None] + 0.5 - p0[1]
    dx, dy = p1[0] - p0[0], p1[1] - p0[1]
    ll = dx * dx + dy * dy
    if ll > 1e-12:
        u = np.clip((px * dx + py * dy) / ll, 0.0, 1.0)
        ex, ey = px - u * dx, py - u * dy
    else:
        ex, ey = px, py
    img[y0:y1, x0:x1][ex * ex + ey * ey <= radius * radius] = colour


def render_frame(
    keypoints: np.ndarray,
    club_head: np.ndarray | None,
    width: int,
    height: int,
    *,
    left_handed: bool = False,
) -> np.ndarray:
    """One RGB frame (height, width, 3) uint8: limbs as capsules, the head as a disc, the club.

    Pixel (column, row) = (x * width, y * height): an overlay of the same poses lines up.
    Missing joints are skipped.
    """
    img = np.empty((height, width, 3), dtype=np.uint8)
    img[:] = _BACKGROUND
    px = keypoints[:, :2].astype(np.float64) * (width, height)
    ok = np.all(np.isfinite(px), axis=1)
    limb = max(2.0, 0.018 * height)
    lead_arm = _RIGHT_ARM_EDGES if left_handed else _LEFT_ARM_EDGES
    for a, b in _RENDER_EDGES:
        if ok[a] and ok[b]:
            colour = _LEAD_ARM_COLOUR if (a, b) in lead_arm else _BODY_COLOUR
            _capsule(img, px[a], px[b], limb, colour)
    lead_wrist = 16 if left_handed else 15
    if club_head is not None and ok[lead_wrist] and np.all(np.isfinite(club_head)):
        grip = px[lead_wrist]
        head = np.asarray(club_head, dtype=np.float64) * (width, height)
        _capsule(img, grip, head, max(1.0, 0.005 * height), _CLUB_COLOUR)
        _capsule(img, head, head, max(2.0, 0.012 * height), _CLUB_COLOUR)
    face = [j for j in (0, 7, 8) if ok[j]]
    if face:
        centre = px[face].mean(axis=0)
        if ok[7] and ok[8]:
            centre = 0.5 * (px[7] + px[8])
        _capsule(img, centre, centre, _HEAD_RADIUS * _FOCAL * height, _HEAD_COLOUR)
    return img


def _rate(fps: float) -> Fraction:
    """A frame rate as an exact fraction: 30 -> 30, 29.97 -> 30000/1001, else to 1/1000."""
    if abs(fps - round(fps)) < 1e-6:
        return Fraction(round(fps))
    ntsc = Fraction(round(fps * 1.001) * 1000, 1001)
    if abs(float(ntsc) - fps) < 1e-3:
        return ntsc
    return Fraction(fps).limit_denominator(1000)


def render_video(
    swing: SyntheticSwing,
    path: str | Path,
    *,
    codec: str = "h264",
    fps: float | None = None,
    frame_rate_override: float | None = None,
) -> None:
    """Write the swing as a video (H.264 MP4 by default, yuv420p, the params' width x height).

    - Default: every pose frame becomes one video frame at the swing's fps (F frames).
    - fps: resample time to another capture rate (nearest pose frame), e.g. a 240 fps swing as a
      real-time 30 fps clip.
    - frame_rate_override: write every frame but label the stream with this rate, i.e. baked-in
      slow motion (a 240 fps capture in a 30 fps file plays 8x slower).
    """
    import av  # imported here so that pose generation does not need PyAV

    p = swing.params
    width, height = p.width, p.height
    n = swing.n_frames
    if fps is not None and fps != swing.fps:
        n_out = int(np.floor((n - 1) * fps / swing.fps + 1e-9)) + 1
        frames = np.minimum(np.round(np.arange(n_out) * swing.fps / fps).astype(int), n - 1)
        capture_rate = fps
    else:
        frames = np.arange(n)
        capture_rate = swing.fps
    rate = _rate(frame_rate_override if frame_rate_override is not None else capture_rate)
    encoder = "libx264" if codec in ("h264", "libx264") else codec
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream(encoder, rate=rate)
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        stream.time_base = 1 / rate
        if encoder == "libx264":
            stream.options = {"preset": "ultrafast", "crf": "20"}
        for pts, i in enumerate(frames):
            img = render_frame(
                swing.keypoints[i], swing.club_head[i], width, height, left_handed=p.left_handed
            )
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = pts
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
