"""A pose file's shape, read from a stream in fixed chunks before any of it is parsed.

The parsers hold the whole file as text and then as Python rows or JSON objects (measured: about
13.5 times the file's size for our CSV export, 6.3 times for our JSON export, far more for files
of tiny values). So a file is screened first, in constant memory: a header that cannot be a pose
file's (too long, too many columns, JSON that does not start with an object or array), more rows
than MAX_FRAMES allows, or more cells / JSON values than the parse may cost (`max_memory`) is
refused before the body is read into memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from analysis.engine.pose import N_LANDMARKS
from analysis.engine.pose_io.base import MAX_FRAMES, PoseFileError

CHUNK = 1 << 20
MAX_HEADER_BYTES = 64 * 1024
# The widest layout we read: 33 landmarks x 5 values plus a few index columns (with slack).
MAX_CSV_COLUMNS = 512
# A long layout (one row per joint) has at most this many columns; wider is one row per frame.
LONG_CSV_COLUMNS = 10
# What the parser holds per CSV cell and per JSON token, from bench/pose_memory.py with a margin
# (strings in a row list, a float per value, a dict per object).
CSV_CELL_BYTES = 100
JSON_OBJECT_BYTES = 240
JSON_ARRAY_BYTES = 80
JSON_VALUE_BYTES = 40


@dataclass(frozen=True, slots=True)
class PoseShape:
    kind: str  # "csv" or "json"
    rows: int  # CSV data rows (0 for JSON)
    cost: int  # estimated bytes the parser would hold


def screen_pose_file(fh: BinaryIO, *, max_memory: int) -> PoseShape:
    """Read `fh` chunk by chunk and refuse (PoseFileError) what cannot be a pose file or would
    cost the parser more than `max_memory` bytes. Leaves `fh` at its end."""
    head = fh.read(MAX_HEADER_BYTES)
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    text_head = head.replace(b"\x00", b"") if utf16 else head
    start = text_head.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n")
    if not start:
        raise PoseFileError("the file is empty")
    if start[:1] in (b"{", b"["):
        return _screen_json(fh, head, max_memory)
    return _screen_csv(fh, head, text_head, max_memory)


def _screen_csv(fh: BinaryIO, head: bytes, text_head: bytes, max_memory: int) -> PoseShape:
    lines = [ln for ln in text_head.splitlines() if ln.strip() and not ln.lstrip().startswith(b"#")]
    if not lines or (len(lines) == 1 and b"\n" not in text_head):
        raise PoseFileError(
            f"the first line is longer than {MAX_HEADER_BYTES // 1024} KB: not a pose file's header"
        )
    header = lines[0]
    delimiter = max((b",", b";", b"\t"), key=header.count)
    columns = header.count(delimiter) + 1
    if columns > MAX_CSV_COLUMNS:
        raise PoseFileError(
            f"the header has {columns:,} columns; a pose file has at most {MAX_CSV_COLUMNS}"
        )
    per_frame = N_LANDMARKS if columns <= LONG_CSV_COLUMNS else 1
    max_rows = MAX_FRAMES * per_frame
    newlines, cells = head.count(b"\n"), head.count(delimiter) + head.count(b"\n")
    last = head[-1:]
    while chunk := fh.read(CHUNK):
        newlines += chunk.count(b"\n")
        cells += chunk.count(delimiter) + chunk.count(b"\n")
        last = chunk[-1:]
        if newlines > max_rows + 1:
            raise PoseFileError(
                f"the file has more than {max_rows:,} rows: more than {MAX_FRAMES:,} frames"
            )
        if cells * CSV_CELL_BYTES > max_memory:
            raise _too_big("cells", cells, max_memory // CSV_CELL_BYTES)
    rows = newlines + (0 if last == b"\n" else 1) - 1
    if rows > max_rows:
        raise PoseFileError(
            f"the file has more than {max_rows:,} rows: more than {MAX_FRAMES:,} frames"
        )
    if cells * CSV_CELL_BYTES > max_memory:
        raise _too_big("cells", cells, max_memory // CSV_CELL_BYTES)
    return PoseShape("csv", rows, cells * CSV_CELL_BYTES)


def _screen_json(fh: BinaryIO, head: bytes, max_memory: int) -> PoseShape:
    cost = 0
    chunk = head
    while chunk:
        cost += (
            chunk.count(b"{") * JSON_OBJECT_BYTES
            + chunk.count(b"[") * JSON_ARRAY_BYTES
            + (chunk.count(b",") + chunk.count(b":")) * JSON_VALUE_BYTES
        )
        if cost > max_memory:
            raise PoseFileError(
                f"the JSON holds more values than a pose file of {MAX_FRAMES:,} frames needs or "
                f"than we parse (about {max_memory // 2**20} MB of parsed values)"
            )
        chunk = fh.read(CHUNK)
    return PoseShape("json", 0, cost)


def _too_big(what: str, found: int, limit: int) -> PoseFileError:
    return PoseFileError(
        f"the file has {found:,} {what}; we parse at most {limit:,}: trim it to the clip"
    )
