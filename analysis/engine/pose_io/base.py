"""What every pose file format shares: limits, joint-name tables, the result type, the
assembly of frames into the canonical array, and number parsing."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.engine.pose import N_LANDMARKS, empty_poses

MAX_FRAMES = 100_000
MAX_PIXELS = 100_000
# Raw coordinates beyond this are nonsense in pixels and in normalized units alike.
MAX_ABS_COORDINATE = 1e6
# A value this far out of 0..1 is not normalized (MediaPipe's off-frame joints stay well within it).
PIXEL_THRESHOLD = 1.5
# Confidence given to a joint whose file carries none (2D tools that only list found joints).
DEFAULT_CONFIDENCE = 1.0
# COCO visibility flag 1 ("labelled but not visible") as a confidence.
COCO_OCCLUDED_CONFIDENCE = 0.5

_CONF_TOLERANCE = 1e-3
_MAX_NUMBER_CHARS = 64

# The 17 COCO keypoints, in COCO order.
COCO17_NAMES: tuple[str, ...] = (
    "nose",
    "left_eye",
    "right_eye",
    "left_ear",
    "right_ear",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
)
# OpenPose BODY_25; None = no MediaPipe counterpart (neck, mid hip, small toes).
OPENPOSE_BODY25_NAMES: tuple[str | None, ...] = (
    "nose",
    None,  # neck
    "right_shoulder",
    "right_elbow",
    "right_wrist",
    "left_shoulder",
    "left_elbow",
    "left_wrist",
    None,  # mid hip
    "right_hip",
    "right_knee",
    "right_ankle",
    "left_hip",
    "left_knee",
    "left_ankle",
    "right_eye",
    "left_eye",
    "right_ear",
    "left_ear",
    "left_foot_index",  # big toe
    None,  # small toe
    "left_heel",
    "right_foot_index",  # big toe
    None,  # small toe
    "right_heel",
)
# OpenPose COCO-18 (the 17 COCO joints plus a neck, in OpenPose's order): BODY-25 without its mid
# hip and feet.
OPENPOSE_COCO18_NAMES: tuple[str | None, ...] = (
    OPENPOSE_BODY25_NAMES[:8] + OPENPOSE_BODY25_NAMES[9:19]
)


class PoseFileError(ValueError):
    """A pose file that cannot be read; the message names the line or field at fault."""


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class PoseFile:
    """Poses read from a file.

    `keypoints` covers frames 0..max(frame_numbers): row i is frame i of the video, and frames the
    file does not mention are NaN rows. `frame_numbers` lists (sorted) the frames the file does
    mention, found person or not. `width`/`height` are the frame size in pixels that the file
    carried or that the caller passed (None if neither). `labels` holds a per-frame class (e.g.
    RhTop) when the file has a class column, None for frames without one.
    """

    keypoints: np.ndarray
    fps: float | None
    width: int | None
    height: int | None
    source_format: str
    frame_numbers: np.ndarray
    labels: list[str | None] | None = None


# ---------------------------------------------------------------------------------------------
# Shared assembly: frame numbers, pixels, limits


def _finish(
    *,
    frames: np.ndarray,
    poses: np.ndarray,
    where: Callable[[int], str],
    source_format: str,
    fps: float | None,
    width: int | None,
    height: int | None,
    times_s: np.ndarray | None = None,
    labels: list[str | None] | None = None,
) -> PoseFile:
    """Check frame numbers and coordinates, normalize pixels, place rows by frame number.

    `frames` (n,) int64 and `poses` (n, 33, 4) float64 hold one entry per frame the file mentions;
    `where(i)` names entry i for messages.
    """
    n = len(frames)
    if n == 0:
        raise PoseFileError("the file holds no frames")
    negative = np.flatnonzero(frames < 0)
    if negative.size:
        i = int(negative[0])
        raise PoseFileError(f"{where(i)}: frame number {frames[i]} is negative")
    too_late = np.flatnonzero(frames >= MAX_FRAMES)
    if too_late.size:
        i = int(too_late[0])
        raise PoseFileError(
            f"{where(i)}: frame number {frames[i]} is beyond the limit of {MAX_FRAMES:,} frames"
        )
    order = np.argsort(frames, kind="stable")
    repeats = np.flatnonzero(np.diff(frames[order]) == 0)
    if repeats.size:
        first, second = int(order[repeats[0]]), int(order[repeats[0] + 1])
        raise PoseFileError(
            f"{where(second)}: frame {frames[second]} appears twice (also at {where(first)})"
        )

    present = ~np.isnan(poses[..., 0])
    big = np.abs(np.where(present[..., None], poses[..., :3], 0.0)) > MAX_ABS_COORDINATE
    if big.any():
        i = int(np.flatnonzero(big.any(axis=(1, 2)))[0])
        raise PoseFileError(f"{where(i)}: a coordinate is out of range (beyond ±1e6)")

    xy = poses[..., :2][present]
    if xy.size and np.mean(np.abs(xy) > PIXEL_THRESHOLD) > 0.5:
        if width is None or height is None:
            raise PoseFileError(
                f"the coordinates are in pixels (up to {np.abs(xy).max():.0f}), so the video's "
                "frame size is needed to normalize them: give its width and height"
            )
        poses = poses.copy()
        poses[..., 0] /= width
        poses[..., 1] /= height
        z = poses[..., 2][present]
        if z.size and np.median(np.abs(z)) > PIXEL_THRESHOLD:
            # z in pixels too (TF.js BlazePose): MediaPipe's z has the scale of x. A normalized
            # z next to pixel x, y (a script that scaled x and y only) is kept as it is.
            poses[..., 2] /= width

    if fps is None and times_s is not None:
        fps = _fps_from_times(frames, times_s)

    n_out = int(frames.max()) + 1
    keypoints = empty_poses(n_out)
    keypoints[frames] = poses.astype(np.float32)
    frame_labels = None
    if labels is not None:
        frame_labels = [None] * n_out
        for frame, label in zip(frames.tolist(), labels, strict=True):
            frame_labels[frame] = label
    return PoseFile(
        keypoints=keypoints,
        fps=fps,
        width=width,
        height=height,
        source_format=source_format,
        frame_numbers=np.sort(frames).astype(np.int64),
        labels=frame_labels,
    )


def _fps_from_times(frames: np.ndarray, times_s: np.ndarray) -> float | None:
    known = ~np.isnan(times_s)
    if known.sum() < 2:
        return None
    order = np.argsort(frames[known], kind="stable")
    f, t = frames[known][order], times_s[known][order]
    if np.any(np.diff(t) <= 0):
        k = int(np.flatnonzero(np.diff(t) <= 0)[0])
        raise PoseFileError(
            f"the times do not increase with the frame number (frames {f[k]} and "
            f"{f[k + 1]} have times {t[k]:g} s and {t[k + 1]:g} s)"
        )
    return round(float((f[-1] - f[0]) / (t[-1] - t[0])), 6)


def _complete_joints(
    poses: np.ndarray,
    has_z: bool | np.ndarray,
    has_conf: bool | np.ndarray,
    where: Callable[[int, int, str], str],
) -> np.ndarray:
    """Apply the joint rules to raw (n, 33, 4) values, NaN where the file had nothing.

    `has_z`/`has_conf` say (for the file or per landmark) whether the file has that channel. A
    joint is present when it has x and y; having one of them only is an error, as is a present
    joint without the z or confidence its file promises. Channels the file lacks get z = 0 and
    the default confidence. Missing joints become NaN in all four channels.
    """
    has_x, has_y = ~np.isnan(poses[..., 0]), ~np.isnan(poses[..., 1])
    half = has_x != has_y
    if half.any():
        r, j = (int(v[0]) for v in np.nonzero(half))
        have, lack = ("x", "y") if has_x[r, j] else ("y", "x")
        raise PoseFileError(f"{where(r, j, have)}: landmark has {have!r} but no {lack!r}")
    present = has_x & has_y
    for channel, has, name, default in (
        (2, has_z, "z", 0.0),
        (3, has_conf, "visibility", DEFAULT_CONFIDENCE),
    ):
        has = np.broadcast_to(has, (N_LANDMARKS,))
        lacking = present & has & np.isnan(poses[..., channel])
        if lacking.any():
            r, j = (int(v[0]) for v in np.nonzero(lacking))
            raise PoseFileError(f"{where(r, j, name)}: empty, but the landmark has x and y")
        poses[..., channel] = np.where(has, poses[..., channel], default)
    conf = poses[..., 3]
    outside = present & ((conf < -_CONF_TOLERANCE) | (conf > 1 + _CONF_TOLERANCE))
    if outside.any():
        r, j = (int(v[0]) for v in np.nonzero(outside))
        raise PoseFileError(
            f"{where(r, j, 'visibility')}: visibility {conf[r, j]:g} is outside 0..1"
        )
    poses[..., 3] = np.clip(conf, 0.0, 1.0)
    poses[~present] = np.nan
    return poses


# JSON


def _reject_constant(name: str) -> float:
    raise PoseFileError(f"not valid JSON: {name} is not a JSON number")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _num(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        kind = "missing" if value is None else f"a {_json_kind(value)}"
        raise PoseFileError(f"{path} is not a number ({kind})")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise PoseFileError(f"{path} is out of range")
    return number


def _json_kind(value: Any) -> str:
    kinds = {dict: "object", list: "list", str: "string", bool: "boolean", type(None): "null"}
    return kinds.get(type(value), type(value).__name__)


def _get(obj: dict, keys: tuple[str, ...]) -> tuple[str | None, Any]:
    for key in keys:
        if key in obj:
            return key, obj[key]
    return None, None
