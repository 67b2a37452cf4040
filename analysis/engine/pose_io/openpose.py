"""OpenPose JSON (BODY_25 and COCO-18 people), mapped onto the 33 MediaPipe joints."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from analysis.engine.pose import LANDMARK_INDEX, N_LANDMARKS
from analysis.engine.pose_io.base import (
    OPENPOSE_BODY25_NAMES,
    OPENPOSE_COCO18_NAMES,
    PoseFile,
    PoseFileError,
    _finish,
    _get,
    _json_kind,
    _num,
)
from analysis.engine.pose_io.json_common import _frame_meta


def _load_openpose(
    frames: list,
    path: Callable[[int], str],
    fps: float | None,
    width: int | None,
    height: int | None,
) -> PoseFile:
    numbers, times, _ = _frame_meta(frames, path)
    poses = np.full((len(frames), N_LANDMARKS, 4), np.nan)
    layouts: set[str] = set()
    for i, frame in enumerate(frames):
        if frame is None:
            continue
        fpath = path(i)
        if not isinstance(frame, dict) or "people" not in frame:
            raise PoseFileError(f"{fpath}: no 'people' field")
        people = frame["people"]
        if people is None:
            continue
        if not isinstance(people, list):
            raise PoseFileError(f"{fpath}.people: expected a list, found a {_json_kind(people)}")
        best, best_score = None, -1.0
        for k, person in enumerate(people):
            ppath = f"{fpath}.people[{k}]"
            if not isinstance(person, dict):
                raise PoseFileError(f"{ppath}: expected a person object")
            key, flat = _get(person, ("pose_keypoints_2d", "pose_keypoints"))
            if key is None:
                raise PoseFileError(f"{ppath}: no 'pose_keypoints_2d' field")
            kpath = f"{ppath}.{key}"
            values = _number_list(flat, kpath)
            if values.size == 0:
                continue
            if values.size == 3 * len(OPENPOSE_BODY25_NAMES):
                names, layout = OPENPOSE_BODY25_NAMES, "openpose-body25-json"
            elif values.size == 3 * len(OPENPOSE_COCO18_NAMES):
                names, layout = OPENPOSE_COCO18_NAMES, "openpose-coco18-json"
            else:
                raise PoseFileError(
                    f"{kpath}: expected 75 (BODY_25) or 54 (COCO-18) values, found {values.size}"
                )
            layouts.add(layout)
            triples = values.reshape(-1, 3)
            score = float(triples[:, 2].mean())
            if score > best_score:
                # OpenPose writes (0, 0, 0) for a joint it did not find.
                missing = (triples == 0).all(axis=1)
                best, best_score = _map_2d(triples, names, missing), score
        if best is not None:
            poses[i] = best
    if len(layouts) > 1:
        raise PoseFileError("the file mixes BODY_25 and COCO-18 keypoints")
    return _finish(
        frames=numbers,
        poses=poses,
        where=path,
        source_format=layouts.pop() if layouts else "openpose-body25-json",
        fps=fps,
        width=width,
        height=height,
        times_s=times,
    )


def _number_list(flat: Any, path: str) -> np.ndarray:
    if not isinstance(flat, list):
        raise PoseFileError(f"{path}: expected a list of numbers, found a {_json_kind(flat)}")
    for k, v in enumerate(flat):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise PoseFileError(f"{path}[{k}] is not a number (a {_json_kind(v)})")
    try:
        values = np.array(flat, dtype=np.float64)
    except OverflowError:
        values = np.array([_num(v, path) for v in flat])
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise PoseFileError(f"{path}[{int(bad[0])}] is out of range")
    return values


def _map_2d(triples: np.ndarray, names: tuple[str | None, ...], missing: np.ndarray) -> np.ndarray:
    """(k, 3) x, y, confidence in a tool's joint order -> (33, 4) with z = 0, missing = NaN."""
    known = np.array([name is not None for name in names])
    targets = [LANDMARK_INDEX[name] for name in names if name is not None]
    pose = np.full((N_LANDMARKS, 4), np.nan)
    mapped = np.column_stack(
        [triples[known, :2], np.zeros(len(targets)), np.clip(triples[known, 2], 0.0, 1.0)]
    )
    mapped[missing[known]] = np.nan
    pose[targets] = mapped
    return pose
