"""MediaPipe CSV files: wide (one row per frame: golftracker, 0-based, named columns) and long
(one row per landmark, our export)."""

from __future__ import annotations

import csv
import io
import math
import re

import numpy as np

from analysis.engine.pose import LANDMARK_INDEX, LANDMARK_NAMES, N_LANDMARKS
from analysis.engine.pose_io.base import (
    _MAX_NUMBER_CHARS,
    MAX_FRAMES,
    PoseFile,
    PoseFileError,
    _complete_joints,
    _finish,
)

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
