"""COCO-17 keypoints JSON: results lists and annotation files, mapped onto the 33 joints."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from analysis.engine.pose import N_LANDMARKS
from analysis.engine.pose_io.base import (
    COCO17_NAMES,
    COCO_OCCLUDED_CONFIDENCE,
    MAX_FRAMES,
    PoseFile,
    PoseFileError,
    _finish,
    _get,
    _json_kind,
    _num,
)
from analysis.engine.pose_io.json_common import _JSON_FRAME, _json_int, _json_size
from analysis.engine.pose_io.openpose import _map_2d, _number_list


def _load_coco_results(
    detections: list,
    path: Callable[[int], str],
    fps: float | None,
    width: int | None,
    height: int | None,
) -> PoseFile:
    """A COCO results list: one entry per detected person, keyed by 'frame' or 'image_id'."""
    numbers = []
    for i, det in enumerate(detections):
        if not isinstance(det, dict):
            raise PoseFileError(f"{path(i)}: expected a detection object")
        key, value = _get(det, (*_JSON_FRAME, "image_id"))
        if key is None:
            raise PoseFileError(f"{path(i)}: no 'image_id' or 'frame'")
        numbers.append(_json_int(value, f"{path(i)}.{key}"))
    return _coco_frames(detections, numbers, path, None, fps, width, height, ground_truth=False)


def _load_coco_annotations(doc: dict, width: int | None, height: int | None) -> PoseFile:
    """A COCO annotation file: 'images' give the frames (in list order) and the frame size."""
    annotations = doc["annotations"]
    if not isinstance(annotations, list):
        raise PoseFileError(f"annotations: expected a list, found a {_json_kind(annotations)}")
    images = doc.get("images")
    position: dict[Any, int] = {}
    n_frames = None
    if images is not None:
        if not isinstance(images, list):
            raise PoseFileError(f"images: expected a list, found a {_json_kind(images)}")
        if len(images) > MAX_FRAMES:
            raise PoseFileError(f"images: {len(images):,} images, over {MAX_FRAMES:,} frames")
        size = None
        for i, image in enumerate(images):
            if not isinstance(image, dict) or "id" not in image:
                raise PoseFileError(f"images[{i}]: no 'id'")
            image_id = image["id"]
            if not isinstance(image_id, (int, str)) or isinstance(image_id, bool):
                raise PoseFileError(f"images[{i}].id: expected a number or a string")
            if image_id in position:
                raise PoseFileError(f"images[{i}].id: {image_id!r} appears twice")
            position[image_id] = i
            w, h = _json_size(image, f"images[{i}].", None, None)
            if w is not None:
                if size is not None and size != (w, h):
                    raise PoseFileError(
                        f"images[{i}]: size {w}x{h} differs from the earlier {size[0]}x{size[1]}"
                    )
                size = (w, h)
        if size is not None:
            width, height = size
        n_frames = len(images)
    numbers = []
    for i, ann in enumerate(annotations):
        if not isinstance(ann, dict):
            raise PoseFileError(f"annotations[{i}]: expected an annotation object")
        if "image_id" not in ann:
            raise PoseFileError(f"annotations[{i}]: no 'image_id'")
        image_id = ann["image_id"]
        if images is not None:
            if not isinstance(image_id, (int, str)) or image_id not in position:
                raise PoseFileError(f"annotations[{i}].image_id: {image_id!r} is not in 'images'")
            numbers.append(position[image_id])
        else:
            numbers.append(_json_int(image_id, f"annotations[{i}].image_id"))
    return _coco_frames(
        annotations,
        numbers,
        lambda i: f"annotations[{i}]",
        n_frames,
        None,
        width,
        height,
        ground_truth=True,
    )


def _coco_frames(
    detections: list,
    numbers: list[int],
    path: Callable[[int], str],
    n_frames: int | None,
    fps: float | None,
    width: int | None,
    height: int | None,
    *,
    ground_truth: bool,
) -> PoseFile:
    """Detections (or annotations) of people -> the best one per frame.

    The third value of a keypoint is a visibility flag when every one is 0, 1 or 2: in
    annotations 0 = not labelled (missing), 1 = labelled but hidden, 2 = visible; in results
    (where tools write 1 or 2 for "found") any non-zero flag is a found joint. Otherwise it is
    the keypoint's score. A detection's 'score' multiplies flag confidences and ranks people.
    """
    triples = np.zeros((len(detections), len(COCO17_NAMES), 3))
    scores = np.full(len(detections), np.nan)
    for i, det in enumerate(detections):
        if not isinstance(det, dict) or "keypoints" not in det:
            raise PoseFileError(f"{path(i)}: no 'keypoints'")
        values = _number_list(det["keypoints"], f"{path(i)}.keypoints")
        if values.size != 3 * len(COCO17_NAMES):
            raise PoseFileError(
                f"{path(i)}.keypoints: expected 51 values (17 COCO keypoints as x, y, v), "
                f"found {values.size}"
            )
        triples[i] = values.reshape(-1, 3)
        if det.get("score") is not None:
            scores[i] = min(max(_num(det["score"], f"{path(i)}.score"), 0.0), 1.0)
    third = triples[..., 2]
    if np.isin(third, (0.0, 1.0, 2.0)).all():
        hidden = COCO_OCCLUDED_CONFIDENCE if ground_truth else 1.0
        conf = np.select([third == 2, third == 1], [1.0, hidden], np.nan)
        conf = conf * np.where(np.isnan(scores), 1.0, scores)[:, None]
        missing = third == 0
    else:
        conf = np.clip(third, 0.0, 1.0)
        missing = (triples[..., 0] == 0) & (triples[..., 1] == 0) & (third <= 0)
    rank = np.where(np.isnan(scores), np.nan_to_num(conf, nan=0.0).mean(axis=1), scores)

    frames = sorted(set(numbers) | (set(range(n_frames)) if n_frames else set()))
    slot = {f: k for k, f in enumerate(frames)}
    poses = np.full((len(frames), N_LANDMARKS, 4), np.nan)
    best = np.full(len(frames), -1.0)
    first_det = {}
    for i, f in enumerate(numbers):
        k = slot[f]
        first_det.setdefault(k, i)
        if rank[i] > best[k]:
            best[k] = rank[i]
            merged = np.column_stack([triples[i, :, :2], conf[i]])
            poses[k] = _map_2d(merged, COCO17_NAMES, missing[i])

    def where(k: int) -> str:
        return path(first_det[k]) if k in first_det else f"images[{frames[k]}]"

    return _finish(
        frames=np.array(frames, dtype=np.int64),
        poses=poses,
        where=where,
        source_format="coco17-json",
        fps=fps,
        width=width,
        height=height,
    )
