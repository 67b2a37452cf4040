"""The GolfDB development set (shared/data/golfdb-dev): 57 real swings' MediaPipe poses with
GolfDB's 8 labelled events, its view and whether the clip is slow motion (see its SOURCE.txt)."""

from __future__ import annotations

import functools

from analysis.engine.realset import FPS, RealSwing, load_set
from tests.conftest import SHARED_DATA

DEV = SHARED_DATA / "golfdb-dev"
DEV_FPS = FPS  # the source videos are about 30 fps


@functools.cache
def _dev_set() -> tuple[RealSwing, ...]:
    return tuple(load_set(DEV))


def dev_swings(view: str) -> tuple[RealSwing, ...]:
    """The set's swings filmed from `view`, in the index's order (read once per session)."""
    return tuple(s for s in _dev_set() if s.view == view)
