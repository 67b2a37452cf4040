"""Memory of a pose-file upload's check (issue #19, 2): the three attack files of the report and
a valid pose file near the parse budget, each through the upload's pose check
(validation.read_pose_upload, then check_pose's parse when the screen lets it through), measured
with tracemalloc (Python allocations above the baseline before the call).

    python -m bench.pose_memory

The acceptance: every figure stays under 4x POSE_MAX_BYTES (256 MB).
"""

from __future__ import annotations

import os
import sys
import tempfile
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from bench.core import Figure

MB = 1024 * 1024


def write_attacks(d: Path) -> dict[str, Path]:
    """The report's files: one column x 30 million rows (60 MB CSV), a million columns (14 MB
    CSV header), 63 MB of JSON values."""
    files = {}
    p = d / "one-column.csv"
    with open(p, "wb") as fh:
        fh.write(b"x\n")
        row = b"0\n" * (1 << 20)
        for _ in range(30):
            fh.write(row)
    files["1 column x 30M rows (CSV)"] = p
    p = d / "wide.csv"
    p.write_bytes(b",".join(b"landmark%d" % i for i in range(1_000_000)) + b"\n0\n")
    files["1M columns (CSV)"] = p
    p = d / "values.json"
    with open(p, "wb") as fh:
        fh.write(b"[")
        chunk = b"0.1," * (1 << 18)
        for _ in range(63):
            fh.write(chunk)
        fh.write(b"0.1]")
    files["63 MB of JSON numbers"] = p
    return files


def write_valid(d: Path, frames: int) -> Path:
    import numpy as np

    from analysis.engine.pose import N_LANDMARKS
    from analysis.engine.pose_io import export_pose_csv

    kp = np.random.default_rng(1).uniform(0.2, 0.8, (frames, N_LANDMARKS, 4)).astype(np.float32)
    p = d / f"valid-{frames}.csv"
    p.write_text(export_pose_csv(kp, 240.0))
    return p


def measure(path: Path, check: Callable[[Path], object]) -> tuple[float, str]:
    """Peak MB allocated above the baseline while `check` runs, and its outcome."""
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    try:
        check(path)
        outcome = "accepted"
    except Exception as e:  # noqa: BLE001 - the outcome is reported, whatever it is
        outcome = f"refused: {e}"[:120]
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak / MB, outcome


def upload_check(path: Path, frames: int = 5000) -> object:
    """What the upload does with a pose file: the screen and read, then the parse (matched to a
    video of `frames` frames)."""
    from django.core.files.uploadedfile import TemporaryUploadedFile

    from swingvision.videos.validation import check_pose, read_pose_upload

    upload = TemporaryUploadedFile(path.name, "text/csv", path.stat().st_size, None)
    upload.close()  # use the file on disk as Django's temporary file
    upload.file = open(path, "rb")  # noqa: SIM115 - closed below
    try:
        data = read_pose_upload(upload)
        return check_pose(data, path.name, width=640, height=480, frame_count=frames)
    finally:
        upload.file.close()


def run(quick: bool) -> list[Figure]:
    """One figure per file: the peak MB above the baseline, against 4x the pose upload cap.
    (The files are the report's sizes in both modes: the screen reads them in chunks.)"""
    from swingvision.videos.validation import POSE_MAX_BYTES

    limit = 4 * POSE_MAX_BYTES / MB
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        files = write_attacks(d)
        files["valid CSV, 5,000 frames (our export)"] = write_valid(d, 5000)
        for name, path in files.items():
            peak, outcome = measure(path, upload_check)
            size = path.stat().st_size / MB
            figures.append(
                Figure(
                    name=f"pose file check: {name}",
                    value=round(peak, 1),
                    unit="MB",
                    target=f"< {limit:.0f} MB (4x the {POSE_MAX_BYTES // MB} MB cap)",
                    passed=peak < limit,
                    note=f"{size:.1f} MB file, {outcome}"[:160],
                )
            )
    return figures


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swingvision.settings")
    import django

    django.setup()
    figures = run(quick=True)
    for f in figures:
        print(f"{f.name:60s} peak {f.value:7.1f} MB  {f.target}  {f.note}")
    return 0 if all(f.passed for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
