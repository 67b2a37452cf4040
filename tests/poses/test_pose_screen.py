"""Issue 19, finding 2: a pose file is screened from its temporary file in fixed chunks before
it is read into memory; the report's three attack files are refused that way, and the memory of
the whole check (screen, read, parse) stays under 4x the pose upload cap (bench/pose_memory.py
prints the same figures)."""

from __future__ import annotations

import io

import pytest

from analysis.engine.pose_io import PoseFileError
from analysis.engine.pose_io.screen import MAX_CSV_COLUMNS, screen_pose_file
from bench.pose_memory import measure, upload_check, write_attacks, write_valid
from swingvision.videos.validation import POSE_MAX_BYTES, POSE_PARSE_MEMORY

MB = 1024 * 1024
LIMIT_MB = 4 * POSE_MAX_BYTES / MB


def screen(data: bytes):
    return screen_pose_file(io.BytesIO(data), max_memory=POSE_PARSE_MEMORY)


def test_the_reports_attack_files_are_refused_in_constant_memory(tmp_path):
    for name, path in write_attacks(tmp_path).items():
        peak, outcome = measure(path, upload_check)
        assert outcome.startswith("refused"), (name, outcome)
        # Refused by the screen: a few chunks, never the file (60 MB) in memory.
        assert peak < 8, (name, peak)


def test_a_valid_file_near_the_budget_parses_under_4x_the_cap(tmp_path):
    path = write_valid(tmp_path, 5000)
    peak, outcome = measure(path, lambda p: upload_check(p, 5000))
    assert outcome == "accepted", outcome
    assert peak < LIMIT_MB, peak


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"x" * 70_000 + b"\n1\n", "first line is longer than 64 KB"),
        (b",".join([b"c"] * (MAX_CSV_COLUMNS + 1)) + b"\n", f"{MAX_CSV_COLUMNS + 1} columns"),
        (b"[" + b"{}," * 700_000 + b"{}]", "JSON holds more values"),
        (b"   \n\n", "empty"),
    ],
    ids=["long-header", "columns", "json-objects", "empty"],
)
def test_what_the_screen_refuses(data, message):
    with pytest.raises(PoseFileError, match=message):
        screen(data)


def test_a_long_file_has_a_row_per_joint_and_frame():
    data = b"frame,landmark,x,y\n" + b"0,0,0.1,0.2\n" * 3_300_001
    with pytest.raises(PoseFileError, match="more than 3,300,000 rows: more than 100,000 frames"):
        screen_pose_file(io.BytesIO(data), max_memory=10**12)


def test_a_wide_file_has_one_row_per_frame():
    header = b",".join(b"x%d,y%d,z%d,v%d" % (i, i, i, i) for i in range(33)) + b"\n"
    row = b",".join([b"0.5"] * 132) + b"\n"
    assert screen(header + row * 10).rows == 10
    with pytest.raises(PoseFileError, match="more than 100,000 frames"):
        screen_pose_file(io.BytesIO(header + row * 100_001), max_memory=10**12)
