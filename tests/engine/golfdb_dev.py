"""The GolfDB development set (shared/data/golfdb-dev): 57 real swings' MediaPipe poses with
GolfDB's 8 labelled events, its view and whether the clip is slow motion (see its SOURCE.txt)."""

from __future__ import annotations

import csv
import functools
import gzip
from dataclasses import dataclass

import numpy as np

from analysis.engine import EVENT_NAMES
from tests.conftest import SHARED_DATA

DEV = SHARED_DATA / "golfdb-dev"
DEV_FPS = 30.0  # the source videos are about 30 fps


@dataclass(frozen=True, slots=True)
class DevSwing:
    id: str
    view: str  # face-on | down-the-line | other
    club: str
    slow: bool
    labels: dict[str, int]
    keypoints: np.ndarray  # (clip frames, 33, 4), NaN where no pose was found


def _poses(clip_id: str, n: int) -> np.ndarray:
    kp = np.full((n, 33, 4), np.nan, np.float32)
    with gzip.open(DEV / "poses" / f"{clip_id}_poses.csv.gz", "rt") as fh:
        rows = csv.reader(fh)
        next(rows)
        for rec in rows:
            frame = int(float(rec[0]))
            if 0 <= frame < n:
                kp[frame] = np.asarray(rec[1:], dtype=np.float32).reshape(33, 4)
    return kp


@functools.cache
def dev_swings(view: str) -> tuple[DevSwing, ...]:
    """The set's swings filmed from `view`, in the index's order (read once per session)."""
    with open(DEV / "index.csv", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["view"] == view]
    return tuple(
        DevSwing(
            id=r["id"],
            view=r["view"],
            club=r["club"],
            slow=r["slow"] == "1",
            labels={e: int(r[e]) for e in EVENT_NAMES},
            keypoints=_poses(r["id"], int(r["clip_frames"])),
        )
        for r in rows
    )
