"""Import and export of pose files (MediaPipe CSV/JSON, COCO-17 and OpenPose JSON) as 33-joint poses.

Every importer ends in the canonical array of `analysis.engine.pose`: (frames, 33, 4) float32 holding x, y
(normalized to the frame, y down), z (relative depth) and confidence, NaN for a missing joint. Pure
Python and numpy; every problem with a file is a `PoseFileError` naming the line or field.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.engine.pose import LANDMARK_INDEX, LANDMARK_NAMES, N_LANDMARKS, empty_poses

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
# OpenPose COCO-18 (the 17 COCO joints plus a neck, in OpenPose's order).
OPENPOSE_COCO18_NAMES: tuple[str | None, ...] = (
    "nose",
    None,  # neck
    "right_shoulder",
    "right_elbow",
    "right_wrist",
    "left_shoulder",
    "left_elbow",
    "left_wrist",
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


# ---------------------------------------------------------------------------------------------
# CSV

_FRAME_COLUMNS = ("frame", "frame_number", "frame_index", "frame_idx", "frame_no", "frame_num")
_TIME_MS_COLUMNS = ("time_ms", "timestamp_ms", "time_msec")
_TIME_S_COLUMNS = ("time", "time_s", "timestamp_s", "seconds")
_LABEL_COLUMNS = ("class", "label", "class_name", "pose_class")
_LANDMARK_COLUMNS = (
    "landmark",
    "landmark_name",
    "landmark_id",
    "landmark_index",
    "joint",
    "keypoint",
    "name",
)
_CHANNELS = {
    "x": 0,
    "y": 1,
    "z": 2,
    "v": 3,
    "vis": 3,
    "visibility": 3,
    "c": 3,
    "conf": 3,
    "confidence": 3,
    "score": 3,
    "presence": -1,  # MediaPipe Tasks' presence: not our confidence
}
_CHANNEL_NAMES = ("x", "y", "z", "visibility")
_INDEXED_COLUMN = re.compile(
    r"^(x|y|z|v|vis|visibility|c|conf|confidence|score|presence)_?([0-9]+)$"
)
_NAMED_COLUMN = re.compile(r"^(.+)_(x|y|z|v|vis|visibility|confidence|score|presence)$")
_NUMBER = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")


def _norm_name(raw: str) -> str:
    """Column and landmark names compared case- and separator-blind: 'leftShoulder.X' -> ..."""
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", raw.strip())
    return re.sub(r"[\s.\-]+", "_", name).lower()


def _load_csv(text: str, width: int | None, height: int | None) -> PoseFile:
    rows, lines = _read_csv_rows(text)
    header = [cell.strip() for cell in rows[0]]
    if sum(bool(_NUMBER.match(cell)) for cell in header) * 2 > len(header):
        raise PoseFileError(
            f"not a pose file: no header row (line {lines[0]} holds values, not column names)"
        )
    if len(header) > 1 and header[-1] == "":
        header.pop()  # a trailing delimiter
    ncols = len(header)
    data, data_lines = rows[1:], lines[1:]
    if not data:
        raise PoseFileError("the file has a header row but no data rows")
    for k, row in enumerate(data):
        if len(row) == ncols + 1 and row[-1].strip() == "":
            row.pop()
        if len(row) != ncols:
            raise PoseFileError(
                f"line {data_lines[k]}: expected {ncols} values (the header has {ncols} "
                f"columns), found {len(row)}{_count_hint(header, len(row))}"
            )
    keys = [_norm_name(cell) for cell in header]
    seen: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key in seen:
            raise PoseFileError(
                f"header: column {header[i]!r} appears twice (columns {seen[key] + 1} and {i + 1})"
            )
        seen[key] = i
    table = _CsvTable(header, keys, data, data_lines)
    if "x" in seen and any(name in seen for name in _LANDMARK_COLUMNS):
        return _load_csv_long(table, width, height)
    return _load_csv_wide(table, width, height)


def _count_hint(header: list[str], found: int) -> str:
    named = sum(_norm_name(cell) in LANDMARK_INDEX for cell in header)
    if named and found % named == 0 and found != named:
        return (
            f"; the header names {named} landmarks but each row has {found // named} values per "
            "landmark, so the columns cannot be told apart"
        )
    return ""


def _read_csv_rows(text: str) -> tuple[list[list[str]], list[int]]:
    first = next(
        (ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")), ""
    )
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if row[0].lstrip().startswith("#"):
                continue
            rows.append(row)
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise PoseFileError(f"line {reader.line_num}: {exc}") from None
    if not rows:
        raise PoseFileError("the file is empty")
    return rows, lines


class _CsvTable:
    """The data rows of a CSV file, read column by column with line-aware messages."""

    def __init__(
        self, header: list[str], keys: list[str], rows: list[list[str]], lines: list[int]
    ) -> None:
        self.header, self.keys, self.rows, self.lines = header, keys, rows, lines
        self.index = {key: i for i, key in enumerate(keys)}

    def find(self, names: tuple[str, ...]) -> int | None:
        return next((self.index[n] for n in names if n in self.index), None)

    def cell(self, r: int, c: int) -> str:
        return f"line {self.lines[r]}, column {self.header[c]!r}"

    def strings(self, c: int) -> list[str]:
        return [row[c].strip() for row in self.rows]

    def numbers(self, c: int) -> np.ndarray:
        """Column c as float64, NaN for empty cells; anything else non-numeric is an error."""
        cells = self.strings(c)
        too_long = next((r for r, s in enumerate(cells) if len(s) > _MAX_NUMBER_CHARS), None)
        if too_long is not None:
            raise PoseFileError(f"{self.cell(too_long, c)}: value too long to be a number")
        arr = np.array(cells, dtype=str)
        empty = arr == ""
        try:
            values = np.where(empty, "0", arr).astype(np.float64)
        except ValueError:
            values = None
        if values is None or not np.isfinite(values).all():
            for r, s in enumerate(cells):
                if s and not (_NUMBER.match(s) and math.isfinite(float(s))):
                    raise PoseFileError(f"{self.cell(r, c)}: {_describe_bad_number(s)}")
            # Every cell passed the strict check: numpy only stumbled on a spelling it does not
            # know, so parse cell by cell.
            values = np.array([float(s) if s else 0.0 for s in cells])
        values[empty] = np.nan
        return values

    def integers(self, c: int, what: str) -> np.ndarray:
        values = self.numbers(c)
        bad = np.isnan(values) | (values != np.round(values))
        if bad.any():
            r = int(np.flatnonzero(bad)[0])
            shown = self.rows[r][c].strip()
            problem = "is empty" if not shown else f"{shown!r} is not a whole number"
            raise PoseFileError(f"{self.cell(r, c)}: the {what} {problem}")
        negative = np.flatnonzero(values < 0)
        if negative.size:
            r = int(negative[0])
            raise PoseFileError(f"{self.cell(r, c)}: {what} {values[r]:.0f} is negative")
        return np.clip(values, -1, 2**62).astype(np.int64)

    def times_s(self) -> np.ndarray | None:
        c = self.find(_TIME_MS_COLUMNS)
        if c is not None:
            return self.numbers(c) / 1000.0
        c = self.find(_TIME_S_COLUMNS)
        return None if c is None else self.numbers(c)

    def labels(self) -> list[str | None] | None:
        c = self.find(_LABEL_COLUMNS)
        return None if c is None else [s or None for s in self.strings(c)]


def _describe_bad_number(s: str) -> str:
    low = s.lower().lstrip("+-")
    if low in ("nan", "inf", "infinity"):
        return f"{s!r} is not allowed (leave the cell empty for a missing joint)"
    if _NUMBER.match(s):
        return f"{s!r} is out of range"
    return f"{s!r} is not a number"


def _load_csv_wide(table: _CsvTable, width: int | None, height: int | None) -> PoseFile:
    """One row per frame: x1..v33, x0..v32 or nose_x..right_foot_index_visibility columns."""
    columns = np.full((N_LANDMARKS, 4), -1, dtype=np.int64)
    indexed: dict[tuple[int, int], int] = {}
    named = False
    for c, key in enumerate(table.keys):
        match = _INDEXED_COLUMN.match(key)
        if match:
            channel = _CHANNELS[match.group(1)]
            if channel >= 0:
                indexed[(int(match.group(2)), channel)] = c
            continue
        match = _NAMED_COLUMN.match(key)
        if match and match.group(1) in LANDMARK_INDEX:
            channel = _CHANNELS[match.group(2)]
            if channel >= 0:
                columns[LANDMARK_INDEX[match.group(1)], channel] = c
                named = True
    if indexed and named:
        raise PoseFileError(
            "header: mixes numbered (x1) and named (nose_x) landmark columns; use one kind"
        )
    if indexed:
        numbers = sorted({k for k, ch in indexed if ch == 0})
        base = numbers[0] if numbers else 0
        expected = list(range(base, base + N_LANDMARKS))
        if base not in (0, 1) or numbers != expected:
            shown = f"x{numbers[0]}..x{numbers[-1]}" if numbers else "none"
            raise PoseFileError(
                f"header: numbered landmark columns ({shown}) are not the 33 MediaPipe "
                "landmarks (x0..x32 or x1..x33)"
            )
        for (k, ch), c in indexed.items():
            if not base <= k < base + N_LANDMARKS:
                raise PoseFileError(
                    f"header: column {table.header[c]!r} is beyond the 33 MediaPipe landmarks "
                    f"(numbered from {base})"
                )
            columns[k - base, ch] = c
        source_format = "mediapipe-csv"
    elif named:
        source_format = "mediapipe-csv-named"
    else:
        raise PoseFileError(
            "not a pose file: the header names no landmark columns (expected x1..v33, x0..v32, "
            "nose_x.. or frame,landmark,x,y,z,visibility); it has: "
            + ", ".join(table.header[:8])
            + (", ..." if len(table.header) > 8 else "")
        )

    mentioned = (columns >= 0).any(axis=1)
    for j in np.flatnonzero(mentioned & ~(columns[:, :2] >= 0).all(axis=1)):
        lack = "x" if columns[j, 0] < 0 else "y"
        raise PoseFileError(
            f"header: landmark {LANDMARK_NAMES[j]!r} has no {lack!r} column "
            f"({LANDMARK_NAMES[j]}_{lack})"
        )
    if len(table.rows) > MAX_FRAMES:
        raise PoseFileError(f"the file has {len(table.rows):,} rows, over {MAX_FRAMES:,} frames")

    n = len(table.rows)
    poses = np.full((n, N_LANDMARKS, 4), np.nan)
    for j, ch in zip(*np.nonzero(columns >= 0), strict=True):
        poses[:, j, ch] = table.numbers(int(columns[j, ch]))

    def where(r: int, j: int, channel: str) -> str:
        c = columns[j, _CHANNEL_NAMES.index(channel)]
        return table.cell(r, int(c)) if c >= 0 else f"line {table.lines[r]}"

    poses = _complete_joints(poses, columns[:, 2] >= 0, columns[:, 3] >= 0, where)

    frame_col = table.find(_FRAME_COLUMNS)
    frames = (
        np.arange(n, dtype=np.int64) if frame_col is None else table.integers(frame_col, "frame")
    )
    return _finish(
        frames=frames,
        poses=poses,
        where=lambda r: f"line {table.lines[r]}",
        source_format=source_format,
        fps=None,
        width=width,
        height=height,
        times_s=table.times_s(),
        labels=table.labels(),
    )


def _load_csv_long(table: _CsvTable, width: int | None, height: int | None) -> PoseFile:
    """One row per joint: frame, landmark (name or 0-based index), x, y[, z][, visibility]."""
    frame_col = table.find(_FRAME_COLUMNS)
    if frame_col is None:
        raise PoseFileError("header: a landmark-per-row file needs a 'frame' column")
    lm_col = table.find(_LANDMARK_COLUMNS)
    assert lm_col is not None
    if "y" not in table.index:
        raise PoseFileError("header: has an 'x' column but no 'y' column")
    if len(table.rows) > MAX_FRAMES * N_LANDMARKS:
        raise PoseFileError(f"the file has {len(table.rows):,} rows, too many to be poses")
    value_cols = [
        table.index["x"],
        table.index["y"],
        table.find(("z",)),
        table.find(("visibility", "v", "vis", "confidence", "conf", "score")),
    ]
    n = len(table.rows)
    values = np.full((n, 4), np.nan)
    for ch, c in enumerate(value_cols):
        if c is not None:
            values[:, ch] = table.numbers(c)
    row_frames = table.integers(frame_col, "frame")
    too_late = np.flatnonzero(row_frames >= MAX_FRAMES)
    if too_late.size:
        r = int(too_late[0])
        raise PoseFileError(
            f"{table.cell(r, frame_col)}: frame number {row_frames[r]} is beyond the limit of "
            f"{MAX_FRAMES:,} frames"
        )

    names = table.strings(lm_col)
    landmark_of: dict[str, int] = {}
    for r, raw in enumerate(names):
        if raw in landmark_of:
            continue
        if raw == "":
            landmark_of[raw] = -1
        elif raw.isascii() and raw.isdigit() and int(raw) < N_LANDMARKS:
            landmark_of[raw] = int(raw)
        elif _norm_name(raw) in LANDMARK_INDEX:
            landmark_of[raw] = LANDMARK_INDEX[_norm_name(raw)]
        else:
            raise PoseFileError(
                f"{table.cell(r, lm_col)}: {raw!r} is not a MediaPipe landmark name or index 0..32"
            )
    landmarks = np.array([landmark_of[s] for s in names], dtype=np.int64)
    # A row without a landmark marks a frame with no joints (our export writes one for an empty
    # last frame, so that the frame count survives).
    marker = landmarks < 0
    stray = marker & ~np.isnan(values).all(axis=1)
    if stray.any():
        r = int(np.flatnonzero(stray)[0])
        raise PoseFileError(f"{table.cell(r, lm_col)}: values without a landmark name")

    frames, first_row, inverse = np.unique(row_frames, return_index=True, return_inverse=True)
    joint_rows = np.flatnonzero(~marker)
    key = inverse[joint_rows] * N_LANDMARKS + landmarks[joint_rows]
    order = np.argsort(key, kind="stable")
    dup = np.flatnonzero(np.diff(key[order]) == 0)
    if dup.size:
        r1, r2 = int(joint_rows[order[dup[0]]]), int(joint_rows[order[dup[0] + 1]])
        raise PoseFileError(
            f"line {table.lines[r2]}: frame {row_frames[r2]}, landmark "
            f"{LANDMARK_NAMES[landmarks[r2]]!r} appears twice (also on line {table.lines[r1]})"
        )
    poses = np.full((len(frames), N_LANDMARKS, 4), np.nan)
    poses[inverse[joint_rows], landmarks[joint_rows]] = values[joint_rows]
    row_of = np.full((len(frames), N_LANDMARKS), -1, dtype=np.int64)
    row_of[inverse[joint_rows], landmarks[joint_rows]] = joint_rows

    def where(f: int, j: int, channel: str) -> str:
        r = int(row_of[f, j])
        c = value_cols[_CHANNEL_NAMES.index(channel)]
        return table.cell(r, c) if c is not None else f"line {table.lines[r]}"

    poses = _complete_joints(poses, value_cols[2] is not None, value_cols[3] is not None, where)

    times = table.times_s()
    frame_times = None
    if times is not None:
        # The first row with a time stands for its frame.
        known = np.flatnonzero(~np.isnan(times))
        timed, first_timed = np.unique(inverse[known], return_index=True)
        frame_times = np.full(len(frames), np.nan)
        frame_times[timed] = times[known[first_timed]]
    labels = table.labels()
    frame_labels = None
    if labels is not None:
        frame_labels = [None] * len(frames)
        for r in range(n - 1, -1, -1):
            if labels[r] is not None:
                frame_labels[inverse[r]] = labels[r]
    return _finish(
        frames=frames.astype(np.int64),
        poses=poses,
        where=lambda f: f"line {table.lines[first_row[f]]}",
        source_format="pose-csv-long",
        fps=None,
        width=width,
        height=height,
        times_s=frame_times,
        labels=frame_labels,
    )


# ---------------------------------------------------------------------------------------------
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


_JSON_FPS = ("fps", "frame_rate", "framerate", "frameRate")
_JSON_FRAME = ("frame", "frame_index", "frame_number", "frameIndex", "frame_id")
_JSON_TIME_MS = ("timestamp_ms", "timestampMs", "time_ms")
_JSON_TIME_S = ("time",)
_JSON_LANDMARKS = ("landmarks", "pose_landmarks", "poseLandmarks")
_JSON_WORLD = ("worldLandmarks", "world_landmarks", "pose_world_landmarks", "poseWorldLandmarks")
_JSON_CONFIDENCE = ("visibility", "score", "confidence")
_ROOT = "<file>"  # the path of a file that is one frame


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


# --- MediaPipe JSON


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


# --- OpenPose JSON


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


# --- COCO JSON


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
