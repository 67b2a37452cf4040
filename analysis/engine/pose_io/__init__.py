"""Import and export of pose files (MediaPipe CSV/JSON, COCO-17 and OpenPose JSON) as 33-joint poses.

Every importer ends in the canonical array of `analysis.engine.pose`: (frames, 33, 4) float32
holding x, y (normalized to the frame, y down), z (relative depth) and confidence, NaN for a missing
joint. Pure Python and numpy; every problem with a file is a `PoseFileError` naming the line or
field. One module per format (csv_files, mediapipe_json, openpose, coco), what they share in base
and json_common, writing in export; this module detects the format and dispatches.
"""

from __future__ import annotations

import json
from typing import Any

from analysis.engine.pose_io.base import (
    COCO17_NAMES,
    MAX_FRAMES,
    MAX_PIXELS,
    OPENPOSE_BODY25_NAMES,
    OPENPOSE_COCO18_NAMES,
    PoseFile,
    PoseFileError,
    _get,
    _is_int,
    _json_kind,
    _num,
    _reject_constant,
)
from analysis.engine.pose_io.coco import _load_coco_annotations, _load_coco_results
from analysis.engine.pose_io.csv_files import _load_csv
from analysis.engine.pose_io.export import export_pose_csv, export_pose_json
from analysis.engine.pose_io.json_common import (
    _JSON_FPS,
    _JSON_LANDMARKS,
    _JSON_WORLD,
    _ROOT,
    _json_frame_kind,
    _json_size,
)
from analysis.engine.pose_io.mediapipe_json import _load_mediapipe_json
from analysis.engine.pose_io.openpose import _load_openpose

# ---------------------------------------------------------------------------------------------
# Entry point


def load_pose_file(
    data: bytes, filename: str = "", *, width: int | None = None, height: int | None = None
) -> PoseFile:
    """Read a pose file of any supported format, detected from its content.

    Formats: MediaPipe CSV (golftracker `class,x1..v33`, 0-based `x0..v32`, named `nose_x`...,
    long `frame,landmark,x,y,z,visibility`, which is our export), MediaPipe JSON (Solutions and
    Tasks layouts, and our export), COCO-17 keypoints JSON, OpenPose JSON (BODY_25, COCO-18).
    Pixel coordinates are normalized with the file's frame size or `width`/`height`; 2D formats
    get z = 0. Raises PoseFileError, and nothing else, for any file it cannot read.
    """
    for name, value in (("width", width), ("height", height)):
        if value is not None and (not _is_int(value) or not 0 < value <= MAX_PIXELS):
            raise PoseFileError(f"{name} must be a positive number of pixels, not {value!r}")
    text = _decode_text(data)
    head = text.lstrip()
    if head[:1] in ("{", "["):
        return _load_json(text, width, height)
    if filename.lower().endswith(".json"):
        raise PoseFileError("not valid JSON: the file does not start with '{' or '['")
    return _load_csv(text, width, height)


def _decode_text(data: bytes) -> str:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise PoseFileError(f"expected the file's bytes, not {type(data).__name__}")
    data = bytes(data)
    if not data.strip():
        raise PoseFileError("the file is empty")
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise PoseFileError(
            f"not a pose file: not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None
    if "\x00" in text:
        raise PoseFileError("not a pose file: binary data (NUL characters)")
    if not text.strip():
        raise PoseFileError("the file is empty")
    return text


def _load_json(text: str, width: int | None, height: int | None) -> PoseFile:
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except PoseFileError:
        raise
    except json.JSONDecodeError as exc:
        raise PoseFileError(
            f"not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise PoseFileError("not a pose file: JSON nested too deeply") from None
    except ValueError as exc:  # e.g. an integer with too many digits
        raise PoseFileError(f"not valid JSON: {exc}") from None
    try:
        return _load_json_doc(doc, width, height)
    except PoseFileError as exc:
        # A file that is a single frame has no path of its own: "people[0]...", not "<file>...".
        message = str(exc)
        if not message.startswith(_ROOT):
            raise
        message = message.removeprefix(f"{_ROOT}.").replace(_ROOT, "the file", 1)
        raise PoseFileError(message) from None


def _load_json_doc(doc: Any, width: int | None, height: int | None) -> PoseFile:
    fps = None
    prefix = ""
    if isinstance(doc, dict):
        width, height = _json_size(doc, "", width, height)
        key, raw_fps = _get(doc, _JSON_FPS)
        if key is not None and raw_fps is not None:
            fps = _num(raw_fps, key)
            if fps <= 0:
                raise PoseFileError(f"{key}: must be positive, not {raw_fps!r}")
        if "annotations" in doc:
            return _load_coco_annotations(doc, width, height)
        if "frames" in doc:
            frames = doc["frames"]
            if not isinstance(frames, list):
                raise PoseFileError(f"frames: expected a list, found a {_json_kind(frames)}")
            prefix = "frames"
        elif "people" in doc or _get(doc, _JSON_LANDMARKS)[0] or "keypoints" in doc:
            frames = [doc]
            prefix = _ROOT
        elif _get(doc, _JSON_WORLD)[0]:
            raise PoseFileError(
                "has world landmarks only; image landmarks ('landmarks') are needed"
            )
        else:
            raise PoseFileError(
                "not a pose file: the JSON object has none of 'frames', 'landmarks', "
                "'people', 'annotations', 'keypoints'"
            )
    elif isinstance(doc, list):
        frames = doc
    else:
        raise PoseFileError(f"not a pose file: the JSON is a {_json_kind(doc)}, not frames")

    if not frames:
        raise PoseFileError(f"{prefix or 'the list'}: no frames")
    if len(frames) > MAX_FRAMES * 10:
        raise PoseFileError(f"{prefix or 'the list'}: {len(frames):,} entries, too many")

    def path(i: int) -> str:
        return _ROOT if prefix == _ROOT else f"{prefix}[{i}]"

    kind = _json_frame_kind(frames, path)
    if kind == "landmark":  # the whole list is one pose
        return _load_mediapipe_json([frames], lambda i: _ROOT, fps, width, height)
    if len(frames) > MAX_FRAMES and kind != "coco":
        raise PoseFileError(f"{len(frames):,} frames, over the limit of {MAX_FRAMES:,}")
    if kind == "openpose":
        return _load_openpose(frames, path, fps, width, height)
    if kind == "coco":
        return _load_coco_results(frames, path, fps, width, height)
    return _load_mediapipe_json(frames, path, fps, width, height)


__all__ = [
    "COCO17_NAMES",
    "MAX_FRAMES",
    "OPENPOSE_BODY25_NAMES",
    "OPENPOSE_COCO18_NAMES",
    "PoseFile",
    "PoseFileError",
    "export_pose_csv",
    "export_pose_json",
    "load_pose_file",
]
