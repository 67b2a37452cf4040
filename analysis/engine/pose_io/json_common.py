"""What the JSON pose formats share: key names, frame sizes, per-frame metadata, kinds of frame."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from analysis.engine.pose_io.base import (
    MAX_FRAMES,
    MAX_PIXELS,
    PoseFileError,
    _get,
    _is_int,
    _json_kind,
    _num,
)

_JSON_FPS = ("fps", "frame_rate", "framerate", "frameRate")
_JSON_FRAME = ("frame", "frame_index", "frame_number", "frameIndex", "frame_id")
_JSON_TIME_MS = ("timestamp_ms", "timestampMs", "time_ms")
_JSON_TIME_S = ("time",)
_JSON_LANDMARKS = ("landmarks", "pose_landmarks", "poseLandmarks")
_JSON_WORLD = ("worldLandmarks", "world_landmarks", "pose_world_landmarks", "poseWorldLandmarks")
_JSON_CONFIDENCE = ("visibility", "score", "confidence")
_ROOT = "<file>"  # the path of a file that is one frame


def _json_size(
    obj: dict, path: str, width: int | None, height: int | None
) -> tuple[int | None, int | None]:
    """The file's frame size if it states one, else the caller's."""
    size = []
    for keys in (("width", "image_width", "imageWidth"), ("height", "image_height", "imageHeight")):
        key, value = _get(obj, keys)
        if value is not None and (not _is_int(value) or not 0 < value <= MAX_PIXELS):
            raise PoseFileError(f"{path}{key}: must be a positive number of pixels")
        size.append(value if key is not None else None)
    file_w, file_h = size
    if file_w is not None and file_h is not None:
        return file_w, file_h
    return width, height


def _json_frame_kind(frames: list, path: Callable[[int], str]) -> str:
    for i, frame in enumerate(frames):
        if frame is None:
            continue
        if isinstance(frame, list):
            return "mediapipe"
        if not isinstance(frame, dict):
            raise PoseFileError(f"{path(i)}: expected a frame object, found a {_json_kind(frame)}")
        if "people" in frame:
            return "openpose"
        if _get(frame, _JSON_LANDMARKS)[0]:
            return "mediapipe"
        if "x" in frame and "y" in frame:
            return "landmark"
        if "keypoints" in frame:
            kps = frame["keypoints"]
            if isinstance(kps, list) and any(isinstance(k, (dict, list)) for k in kps):
                return "mediapipe"
            return "coco"
        if _get(frame, _JSON_WORLD)[0]:
            raise PoseFileError(
                f"{path(i)}: has world landmarks only; image landmarks ('landmarks') are needed"
            )
        raise PoseFileError(
            f"{path(i)}: not a pose frame: expected 'landmarks', 'people' or 'keypoints'"
        )
    raise PoseFileError("no frame in the file holds any data")


def _frame_meta(
    frames: list, path: Callable[[int], str]
) -> tuple[np.ndarray, np.ndarray | None, list[str | None] | None]:
    """Frame numbers (from a 'frame' field or the position), times in seconds, labels."""
    n = len(frames)
    numbers = np.arange(n, dtype=np.int64)
    times = np.full(n, np.nan)
    labels: list[str | None] = [None] * n
    numbered = None
    any_time = any_label = False
    for i, frame in enumerate(frames):
        if not isinstance(frame, dict):
            if numbered:
                raise PoseFileError(f"{path(i)}: no 'frame' number (other frames have one)")
            numbered = False
            continue
        key, value = _get(frame, _JSON_FRAME)
        if numbered is None:
            numbered = key is not None
        elif numbered != (key is not None):
            raise PoseFileError(
                f"{path(i)}: {'no' if numbered else 'a'} 'frame' number, unlike the frames before"
            )
        if key is not None:
            numbers[i] = _json_int(value, f"{path(i)}.{key}")
        key, value = _get(frame, _JSON_TIME_MS)
        scale = 1e-3
        if key is None:
            key, value = _get(frame, _JSON_TIME_S)
            scale = 1.0
        if key is not None and value is not None:
            times[i] = _num(value, f"{path(i)}.{key}") * scale
            any_time = True
        key, value = _get(frame, ("label", "class"))
        if key is not None and value is not None:
            if not isinstance(value, str):
                raise PoseFileError(f"{path(i)}.{key}: expected a string")
            labels[i] = value or None
            any_label = True
    return numbers, times if any_time else None, labels if any_label else None


def _json_int(value: Any, path: str) -> int:
    number = _num(value, path)
    if number != round(number):
        raise PoseFileError(f"{path}: {value!r} is not a whole number")
    if number < 0:
        raise PoseFileError(f"{path}: frame number {value!r} is negative")
    if number >= MAX_FRAMES:
        raise PoseFileError(f"{path}: frame number {value!r} is beyond {MAX_FRAMES:,} frames")
    return int(number)
