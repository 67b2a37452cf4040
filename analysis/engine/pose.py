"""The canonical pose: MediaPipe BlazePose's 33 landmarks, as arrays of shape (frames, 33, 4).

The last axis is x, y (normalized to the frame, 0..1, y down), z (relative depth, about the scale of
x) and confidence (0..1). A joint that was not seen is NaN in all four channels.
"""

from __future__ import annotations

import re

import numpy as np

LANDMARK_NAMES: tuple[str, ...] = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)
N_LANDMARKS = len(LANDMARK_NAMES)
LANDMARK_INDEX: dict[str, int] = {name: i for i, name in enumerate(LANDMARK_NAMES)}

# Limbs drawn by the overlay and the thumbnails (MediaPipe's POSE_CONNECTIONS, body part only).
SKELETON_EDGES: tuple[tuple[int, int], ...] = (
    (11, 12), (11, 13), (13, 15), (12, 14), (14, 16),
    (15, 17), (15, 19), (15, 21), (16, 18), (16, 20), (16, 22), (17, 19), (18, 20),
    (11, 23), (12, 24), (23, 24),
    (23, 25), (25, 27), (27, 29), (29, 31), (27, 31),
    (24, 26), (26, 28), (28, 30), (30, 32), (28, 32),
    (0, 7), (0, 8),
)  # fmt: skip

# Joints whose mean confidence is a pose's confidence (face details and fingers left out).
BODY_JOINTS: tuple[int, ...] = (0, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28)


def empty_poses(n_frames: int) -> np.ndarray:
    """A (n_frames, 33, 4) float32 array with every joint missing."""
    return np.full((n_frames, N_LANDMARKS, 4), np.nan, dtype=np.float32)


def pose_confidence(keypoints: np.ndarray) -> np.ndarray:
    """Mean confidence over the body joints per frame (missing joints count as 0)."""
    conf = np.nan_to_num(keypoints[..., list(BODY_JOINTS), 3], nan=0.0)
    return conf.mean(axis=-1).astype(np.float32)


# Joints of the similarity embedding: nose, shoulders, elbows, wrists, hips, knees, ankles.
EMBEDDING_JOINTS: tuple[int, ...] = (0, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28)
# Version 1 (engine 1.1): x, y, z of each joint about the hip midpoint, one torso scale per swing.
POSE_EMBEDDING_V1_DIM = 3 * len(EMBEDDING_JOINTS)  # 39

# Version 2: the pose in 2D plus where the arms come from and go to (see pose_embeddings).
POSE_EMBEDDING_VERSION = 2
# Joints whose motion the embedding carries: wrists and elbows (the hands' path tells address
# from impact and the backswing from the downswing, which a still pose cannot).
MOTION_JOINTS: tuple[int, ...] = (15, 16, 13, 14)
# Displacement horizons as fractions of the swing's moving time (so slow-motion and real-time
# clips compare), each looked at forward and backward.
MOTION_HORIZONS: tuple[float, ...] = (0.06, 0.18)
# Hand-travel horizons for the log-speed terms (still vs moving, before and after the frame).
SPEED_HORIZONS: tuple[float, ...] = (0.05, 0.2)
SPEED_WEIGHT = 0.4
SPEED_FLOOR = 0.1  # of the swing's peak speed: below it, speeds count as still
MOVING = 0.15  # a frame moves when its arm speed is above this fraction of the peak
POSE_DIM_2D = 2 * len(EMBEDDING_JOINTS)  # 26
POSE_EMBEDDING_DIM = (
    POSE_DIM_2D + 2 * 2 * len(MOTION_JOINTS) * len(MOTION_HORIZONS) + 2 * len(SPEED_HORIZONS)
)  # 62

_OTHER_SIDE = {"left": "right", "right": "left"}
# Index permutation that swaps every left landmark with its right twin (the nose stays).
MIRROR_INDEX: np.ndarray = np.array(
    [
        LANDMARK_INDEX[re.sub("left|right", lambda m: _OTHER_SIDE[m.group()], name)]
        for name in LANDMARK_NAMES
    ],
    dtype=np.intp,
)

# The 8 swing events of GolfDB, in swing order (analysis.engine.events finds them).
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
# What a coach reads for each event.
EVENT_LABELS: dict[str, str] = {
    "address": "Address",
    "toe_up": "Toe up",
    "mid_backswing": "Mid backswing",
    "top": "Top",
    "mid_downswing": "Mid downswing",
    "impact": "Impact",
    "mid_follow_through": "Mid follow-through",
    "finish": "Finish",
}

# Event poses in a swing embedding, all 8 in order; Top and Impact count 1.5 times (they define
# a swing most).
SWING_EMBEDDING_EVENTS: tuple[str, ...] = EVENT_NAMES
SWING_EMBEDDING_WEIGHTS: dict[str, float] = {"top": 1.5, "impact": 1.5}
SWING_EMBEDDING_DIM = len(SWING_EMBEDDING_EVENTS) * POSE_EMBEDDING_DIM  # 496


def mirror_poses(keypoints: np.ndarray) -> np.ndarray:
    """Mirror poses left to right: x -> 1 - x and every left landmark swapped with its right twin.

    A left-handed swing becomes the right-handed swing a mirror would show. y, z and confidence
    are unchanged; missing joints stay missing. Returns a new array of the same dtype.
    """
    mirrored = keypoints[..., MIRROR_INDEX, :].copy()
    mirrored[..., 0] = 1.0 - mirrored[..., 0]
    return mirrored


def torso_length(points: np.ndarray) -> np.ndarray:
    """Per-frame 2D torso length |mid(shoulders) - mid(hips)| of (F, 33, >=2) points (NaN if missing)."""
    shoulders = 0.5 * (points[:, 11, :2] + points[:, 12, :2])
    hips = 0.5 * (points[:, 23, :2] + points[:, 24, :2])
    return np.linalg.norm(shoulders - hips, axis=-1)


def fill_joint_gaps(points: np.ndarray) -> np.ndarray:
    """(F, J, C) points with NaN gaps filled per joint and channel by linear interpolation (held
    flat beyond the first and last seen frame); a joint never seen becomes 0."""
    out = np.array(points, dtype=np.float64, copy=True)
    n = out.shape[0]
    t = np.arange(n)
    flat = out.reshape(n, -1)
    for c in range(flat.shape[1]):
        seen = np.isfinite(flat[:, c])
        if seen.all():
            continue
        flat[:, c] = np.interp(t, t[seen], flat[seen, c]) if seen.any() else 0.0
    return flat.reshape(out.shape)


def _smooth(points: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian smoothing over frames (MediaPipe's jitter is a frame or two), edges held."""
    if len(points) < 2:
        return points
    radius = int(np.ceil(3 * sigma))
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    taps /= taps.sum()
    padded = np.concatenate([points[:1].repeat(radius, 0), points, points[-1:].repeat(radius, 0)])
    return np.apply_along_axis(lambda x: np.convolve(x, taps, mode="valid"), 0, padded)


def moving_frames(arms: np.ndarray) -> tuple[int, float]:
    """(frames the arms move in, peak per-frame speed) of a swing: the speed is the mean over
    the motion joints of their per-frame travel (torso lengths), smoothed; a frame moves above
    MOVING x its 98th percentile. The count is the swing's time scale (at least 8 frames)."""
    if len(arms) < 2:
        return 8, 1.0
    speed = np.linalg.norm(np.diff(arms, axis=0), axis=2).mean(axis=1)
    speed = _smooth(speed[:, None], 2.0)[:, 0]
    peak = float(np.percentile(speed, 98))
    if not np.isfinite(peak) or peak <= 0:
        return 8, 1.0
    return max(int(np.count_nonzero(speed > MOVING * peak)), 8), peak


def pose_embeddings(keypoints: np.ndarray, *, left_handed: bool, aspect: float = 1.0) -> np.ndarray:
    """Pose vectors, (F, POSE_EMBEDDING_DIM) float32, for "find similar positions" (version 2).

    Built so that the nearest frame of another golfer's swing is the same moment of the swing:
    - Left-handed swings are mirrored to right-handed; x is multiplied by `aspect` (width /
      height) so x and y share one unit; gaps are interpolated; a light smoothing (1 frame)
      takes MediaPipe's jitter out.
    - The pose: x, y of the 13 EMBEDDING_JOINTS about the hip midpoint, divided by the swing's
      torso length (median over frames), 26 numbers. No z: MediaPipe's depth is too noisy to
      tell one golfer's moment from another's.
    - Its motion: the wrists' and elbows' displacement (about the hips, torso lengths) to the
      frame MOTION_HORIZONS x T ahead and from the frame as far behind, T being the swing's
      moving time in frames (moving_frames), so a slow-motion replay and a real-time clip
      compare. Address and impact look alike standing still; their hands do not go the same way.
    - Still or moving: log(SPEED_FLOOR + hand travel / peak speed) over SPEED_HORIZONS x T
      ahead and behind, weighted SPEED_WEIGHT (the setup before the takeaway, the hold after
      the finish).
    A frame without any joint (no person) is all zeros, as is every frame of a swing without a
    measurable torso. Layout: pose (joint-major x, y), then per horizon forward and backward
    displacements (joint-major x, y), then per horizon forward and backward log speeds.
    """
    kp = np.asarray(keypoints, dtype=np.float64)
    if kp.ndim != 3 or kp.shape[1:] != (N_LANDMARKS, 4):
        raise ValueError(f"keypoints must have shape (frames, 33, 4), got {kp.shape}")
    n_frames = kp.shape[0]
    out = np.zeros((n_frames, POSE_EMBEDDING_DIM), dtype=np.float32)
    if left_handed:
        kp = mirror_poses(kp)
    points = kp[..., :2] * np.array([aspect, 1.0])
    torso = torso_length(points)
    torso = torso[np.isfinite(torso) & (torso > 0)]
    seen = np.isfinite(points[..., 0]).any(axis=1)
    if torso.size == 0 or not seen.any():
        return out
    scale = float(np.median(torso))
    points = _smooth(fill_joint_gaps(points), 1.0)
    hips = 0.5 * (points[:, 23] + points[:, 24])
    pose = (points[:, list(EMBEDDING_JOINTS)] - hips[:, None]) / scale
    arms = (points[:, list(MOTION_JOINTS)] - hips[:, None]) / scale
    moving, peak = moving_frames(arms)
    frames = np.arange(n_frames)
    parts = [pose.reshape(n_frames, -1)]
    for h in MOTION_HORIZONS:
        d = max(1, round(h * moving))
        ahead, behind = np.minimum(frames + d, n_frames - 1), np.maximum(frames - d, 0)
        parts.append((arms[ahead] - arms).reshape(n_frames, -1))
        parts.append((arms - arms[behind]).reshape(n_frames, -1))
    hands = (points[:, 15] + points[:, 16]) / (2 * scale)
    for h in SPEED_HORIZONS:
        d = max(1, round(h * moving))
        ahead, behind = np.minimum(frames + d, n_frames - 1), np.maximum(frames - d, 0)
        for other in (ahead, behind):
            travel = np.linalg.norm(hands[other] - hands, axis=1) / (d * peak)
            parts.append(SPEED_WEIGHT * np.log(SPEED_FLOOR + travel)[:, None])
    emb = np.concatenate(parts, axis=1)
    emb = np.nan_to_num(emb, nan=0.0, posinf=0.0, neginf=0.0)
    out[seen] = emb[seen]
    return out


def pose_embeddings_v1(
    keypoints: np.ndarray, *, left_handed: bool, aspect: float = 1.0
) -> np.ndarray:
    """Version 1 of the pose vectors, (F, 39) float32 (kept to measure against: similarity_report).

    - Left-handed swings are mirrored to right-handed, so both compare with one library.
    - x and z are multiplied by `aspect` (frame width / height) so all axes share one unit.
    - Each frame is centred on its hip midpoint, then divided by the swing's torso length
      (the median over frames of |mid-shoulder - mid-hip| in 2D): one scale per swing, so the
      vectors keep real changes of posture and no per-frame scaling noise.
    - No per-frame rotation: it would erase the turn that similarity has to see.
    - A missing joint (NaN) becomes 0, i.e. the hip midpoint; a frame without both hips, or a
      swing with no measurable torso, is all zeros. Consumers that care can mask zeros.
    Layout: joint-major, (x, y, z) for each of EMBEDDING_JOINTS in order.
    """
    kp = np.asarray(keypoints, dtype=np.float64)
    if kp.ndim != 3 or kp.shape[1:] != (N_LANDMARKS, 4):
        raise ValueError(f"keypoints must have shape (frames, 33, 4), got {kp.shape}")
    if left_handed:
        kp = mirror_poses(kp)
    scale = np.array([aspect, 1.0, aspect])
    points = kp[..., :3] * scale
    torso = torso_length(points)
    torso = torso[np.isfinite(torso) & (torso > 0)]
    n_frames = kp.shape[0]
    if torso.size == 0:
        return np.zeros((n_frames, POSE_EMBEDDING_V1_DIM), dtype=np.float32)
    centre = 0.5 * (points[:, 23] + points[:, 24])  # (F, 3)
    normalised = (points[:, list(EMBEDDING_JOINTS)] - centre[:, None, :]) / np.median(torso)
    normalised = np.nan_to_num(normalised, nan=0.0, posinf=0.0, neginf=0.0)
    return normalised.reshape(n_frames, POSE_EMBEDDING_V1_DIM).astype(np.float32)


def swing_embedding(pose_emb: np.ndarray, events: dict[str, int | None]) -> np.ndarray:
    """One vector per swing, (SWING_EMBEDDING_DIM,) float32: the 8 event poses concatenated.

    Poses in SWING_EMBEDDING_EVENTS order; Top and Impact are weighted 1.5. An event that is
    missing (None, absent or outside the clip) contributes zeros. (Any pose vector width works:
    the report compares version 1 with it.)
    """
    pose_emb = np.asarray(pose_emb, dtype=np.float32).reshape(len(pose_emb), -1)
    out = np.zeros((len(SWING_EMBEDDING_EVENTS), pose_emb.shape[1]), dtype=np.float32)
    for i, name in enumerate(SWING_EMBEDDING_EVENTS):
        frame = events.get(name)
        if frame is not None and 0 <= frame < len(pose_emb):
            out[i] = pose_emb[frame] * SWING_EMBEDDING_WEIGHTS.get(name, 1.0)
    return out.reshape(-1)
