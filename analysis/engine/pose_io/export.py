"""Writing poses as files: MediaPipe-style long CSV and JSON, which the importers read back."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from analysis.engine.pose import LANDMARK_NAMES, N_LANDMARKS

# ---------------------------------------------------------------------------------------------
# Export


def _check_keypoints(keypoints: np.ndarray, fps: float | None, frame_offset: int) -> np.ndarray:
    keypoints = np.asarray(keypoints)
    if keypoints.ndim != 3 or keypoints.shape[1:] != (N_LANDMARKS, 4):
        raise ValueError(f"keypoints must have shape (frames, 33, 4), not {keypoints.shape}")
    if fps is not None and not (math.isfinite(fps) and fps > 0):
        raise ValueError(f"fps must be positive, not {fps!r}")
    if frame_offset < 0:
        raise ValueError(f"frame_offset must not be negative, not {frame_offset}")
    return keypoints


def export_pose_csv(keypoints: np.ndarray, fps: float | None, *, frame_offset: int = 0) -> str:
    """Our export: `frame,time_ms,landmark,x,y,z,visibility`, one row per present joint.

    Frame i is written as frame `i + frame_offset`, at time (i + frame_offset) / fps (empty when
    fps is None). Missing joints are left out; when the last frame has no joint at all, a row
    with the frame and time only keeps the frame count. Floats have 6 decimals.
    """
    keypoints = _check_keypoints(keypoints, fps, frame_offset)
    out = ["frame,time_ms,landmark,x,y,z,visibility"]
    present = ~np.isnan(keypoints[..., 0])
    frames, joints = np.nonzero(present)
    values = keypoints[frames, joints].astype(np.float64)
    numbers = frames + frame_offset
    times = [""] * len(numbers) if fps is None else [f"{t:.6f}" for t in numbers * 1000.0 / fps]
    rows = zip(numbers.tolist(), times, joints.tolist(), values.tolist(), strict=True)
    for f, t, j, (x, y, z, c) in rows:
        out.append(f"{f},{t},{LANDMARK_NAMES[j]},{x:.6f},{y:.6f},{z:.6f},{c:.6f}")
    n = len(keypoints)
    if n and not present[-1].any():
        last = n - 1 + frame_offset
        out.append(f"{last},{'' if fps is None else f'{last * 1000.0 / fps:.6f}'},,,,,")
    return "\n".join(out) + "\n"


def export_pose_json(
    keypoints: np.ndarray, fps: float | None, *, frame_offset: int = 0
) -> dict[str, Any]:
    """Our JSON export, in the MediaPipe layout that `load_pose_file` reads.

    {"fps", "frames": [{"frame", "time_ms", "landmarks": [33 × {x, y, z, visibility} or null]}]};
    a frame without any joint has "landmarks": []. Floats are rounded to 6 decimals.
    """
    keypoints = _check_keypoints(keypoints, fps, frame_offset)
    rounded = np.round(keypoints.astype(np.float64), 6)
    present = ~np.isnan(keypoints[..., 0])
    frames = []
    for i, (pose, seen) in enumerate(zip(rounded.tolist(), present.tolist(), strict=True)):
        number = i + frame_offset
        landmarks = [
            {"x": x, "y": y, "z": z, "visibility": c} if ok else None
            for (x, y, z, c), ok in zip(pose, seen, strict=True)
        ]
        frames.append(
            {
                "frame": number,
                "time_ms": None if fps is None else round(number * 1000.0 / fps, 6),
                "landmarks": landmarks if any(seen) else [],
            }
        )
    return {"format": "swingvision-pose", "version": 1, "fps": fps, "frames": frames}
