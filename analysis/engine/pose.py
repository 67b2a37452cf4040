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
POSE_EMBEDDING_DIM = 3 * len(EMBEDDING_JOINTS)  # 39: x, y, z of each embedding joint

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
SWING_EMBEDDING_DIM = len(SWING_EMBEDDING_EVENTS) * POSE_EMBEDDING_DIM  # 312


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


def pose_embeddings(keypoints: np.ndarray, *, left_handed: bool, aspect: float = 1.0) -> np.ndarray:
    """Normalised pose vectors, (F, POSE_EMBEDDING_DIM) float32, for pose similarity search.

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
        return np.zeros((n_frames, POSE_EMBEDDING_DIM), dtype=np.float32)
    centre = 0.5 * (points[:, 23] + points[:, 24])  # (F, 3)
    normalised = (points[:, list(EMBEDDING_JOINTS)] - centre[:, None, :]) / np.median(torso)
    normalised = np.nan_to_num(normalised, nan=0.0, posinf=0.0, neginf=0.0)
    return normalised.reshape(n_frames, POSE_EMBEDDING_DIM).astype(np.float32)


def swing_embedding(pose_emb: np.ndarray, events: dict[str, int | None]) -> np.ndarray:
    """One vector per swing, (SWING_EMBEDDING_DIM,) float32: the 8 event poses concatenated.

    Poses in SWING_EMBEDDING_EVENTS order; Top and Impact are weighted 1.5. An event that is
    missing (None, absent or outside the clip) contributes zeros.
    """
    pose_emb = np.asarray(pose_emb, dtype=np.float32)
    out = np.zeros((len(SWING_EMBEDDING_EVENTS), POSE_EMBEDDING_DIM), dtype=np.float32)
    for i, name in enumerate(SWING_EMBEDDING_EVENTS):
        frame = events.get(name)
        if frame is not None and 0 <= frame < len(pose_emb):
            out[i] = pose_emb[frame] * SWING_EMBEDDING_WEIGHTS.get(name, 1.0)
    return out.reshape(-1)
