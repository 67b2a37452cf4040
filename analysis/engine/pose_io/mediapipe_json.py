"""MediaPipe JSON (the Solutions and Tasks layouts, and our export)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from analysis.engine.pose import LANDMARK_INDEX, N_LANDMARKS
from analysis.engine.pose_io.base import (
    _CONF_TOLERANCE,
    DEFAULT_CONFIDENCE,
    PoseFile,
    PoseFileError,
    _finish,
    _get,
    _json_kind,
    _num,
)
from analysis.engine.pose_io.csv_files import _norm_name
from analysis.engine.pose_io.json_common import _JSON_CONFIDENCE, _JSON_LANDMARKS, _frame_meta


def _load_mediapipe_json(
    frames: list,
    path: Callable[[int], str],
    fps: float | None,
    width: int | None,
    height: int | None,
) -> PoseFile:
    numbers, times, labels = _frame_meta(frames, path)
    poses = np.full((len(frames), N_LANDMARKS, 4), np.nan)
    for i, frame in enumerate(frames):
        pose = _mediapipe_frame(frame, path(i))
        if pose is not None:
            poses[i] = pose
    return _finish(
        frames=numbers,
        poses=poses,
        where=path,
        source_format="mediapipe-json",
        fps=fps,
        width=width,
        height=height,
        times_s=times,
        labels=labels,
    )


def _mediapipe_frame(frame: Any, path: str) -> np.ndarray | None:
    """One frame's pose (33, 4), or None when the frame has no person."""
    if frame is None:
        return None
    if isinstance(frame, list):
        landmarks, lpath = frame, path
    elif isinstance(frame, dict):
        key, landmarks = _get(frame, (*_JSON_LANDMARKS, "keypoints"))
        if key is None:
            if "x" in frame:  # a single landmark standing for a frame
                raise PoseFileError(f"{path}: a landmark where a frame was expected")
            raise PoseFileError(f"{path}: no 'landmarks' field")
        lpath = f"{path}.{key}"
    else:
        raise PoseFileError(f"{path}: expected a frame object, found a {_json_kind(frame)}")
    if landmarks is None:
        return None
    if isinstance(landmarks, dict) and "landmark" in landmarks:  # protobuf MessageToDict
        landmarks, lpath = landmarks["landmark"], f"{lpath}.landmark"
    if not isinstance(landmarks, list):
        raise PoseFileError(f"{lpath}: expected a list, found a {_json_kind(landmarks)}")
    if not landmarks:
        return None
    first = next((lm for lm in landmarks if lm is not None), None)
    is_pose_list = isinstance(first, list) or (isinstance(first, dict) and "landmark" in first)
    if is_pose_list:
        # The Tasks API lists one landmark list per person: keep the most visible person.
        best, best_score = None, -1.0
        for k, person in enumerate(landmarks):
            ppath = f"{lpath}[{k}]"
            if isinstance(person, dict) and "landmark" in person:
                person, ppath = person["landmark"], f"{ppath}.landmark"
            if not isinstance(person, list):
                raise PoseFileError(f"{ppath}: expected a list of landmarks")
            if not person:
                continue
            pose = _mediapipe_landmarks(person, ppath)
            score = float(np.nan_to_num(pose[:, 3], nan=0.0).mean())
            if score > best_score:
                best, best_score = pose, score
        return best
    return _mediapipe_landmarks(landmarks, lpath)


def _mediapipe_landmarks(landmarks: list, path: str) -> np.ndarray:
    pose = np.full((N_LANDMARKS, 4), np.nan)
    by_name = any(isinstance(lm, dict) and "name" in lm for lm in landmarks)
    if not by_name and len(landmarks) != N_LANDMARKS:
        raise PoseFileError(f"{path}: expected {N_LANDMARKS} landmarks, found {len(landmarks)}")
    for i, lm in enumerate(landmarks):
        lpath = f"{path}[{i}]"
        if lm is None:
            continue
        if isinstance(lm, list):
            if not 2 <= len(lm) <= 4:
                raise PoseFileError(f"{lpath}: expected [x, y, z, visibility], found {len(lm)}")
            values = [_num(v, f"{lpath}[{k}]") for k, v in enumerate(lm)]
            x, y = values[0], values[1]
            z = values[2] if len(values) > 2 else 0.0
            conf = values[3] if len(values) > 3 else DEFAULT_CONFIDENCE
            j = i
        elif isinstance(lm, dict):
            if by_name:
                name = lm.get("name")
                if not isinstance(name, str) or _norm_name(name) not in LANDMARK_INDEX:
                    raise PoseFileError(f"{lpath}.name: {name!r} is not a MediaPipe landmark")
                j = LANDMARK_INDEX[_norm_name(name)]
                if not np.isnan(pose[j, 0]):
                    raise PoseFileError(f"{lpath}.name: landmark {name!r} appears twice")
            else:
                j = i
            if lm.get("x") is None and lm.get("y") is None:
                continue  # a landmark entry without coordinates: missing
            x, y = _num(lm.get("x"), f"{lpath}.x"), _num(lm.get("y"), f"{lpath}.y")
            z = _num(lm["z"], f"{lpath}.z") if lm.get("z") is not None else 0.0
            key, raw = _get(lm, _JSON_CONFIDENCE)
            conf = DEFAULT_CONFIDENCE if raw is None else _num(raw, f"{lpath}.{key}")
        else:
            raise PoseFileError(f"{lpath}: expected a landmark object, found a {_json_kind(lm)}")
        if not -_CONF_TOLERANCE <= conf <= 1 + _CONF_TOLERANCE:
            raise PoseFileError(f"{lpath}: visibility {conf:g} is outside 0..1")
        pose[j] = (x, y, z, min(max(conf, 0.0), 1.0))
    return pose
