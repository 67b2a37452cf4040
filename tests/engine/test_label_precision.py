"""How precise GolfDB's labels are (realset.label_precision, printed by `engine_report --real`):
the real-time clip and the slow-motion replay of one swing, labelled each on its own, are two
labellings of the same moments. Where they disagree, no detector can agree with both."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.engine.pose import EVENT_NAMES
from analysis.engine.realset import (
    RealSwing,
    format_label_precision,
    label_precision,
    load_set,
    replay_pairs,
)
from tests.conftest import SHARED_DATA


def _clip(sid: str, player: str, slow: bool, frames, view: str = "face-on") -> RealSwing:
    events = dict(zip(EVENT_NAMES, frames, strict=True))
    return RealSwing(
        id=sid,
        player=player,
        view=view,
        slow=slow,
        keypoints=np.zeros((1, 33, 4), dtype=np.float32),
        events=events,
        tempo_ratio=(events["top"] - events["address"]) / (events["impact"] - events["top"]),
    )


def test_a_replay_is_mapped_and_each_event_checked_in_the_real_time_frames():
    fast = (30, 40, 45, 52, 56, 59, 62, 75)  # tolerance max(round(29 / 30), 1) = 1 frame
    slow = [4 * f + 100 for f in fast]
    slow[0] += 3  # address 0.75 real-time frames later: within the tolerance
    slow[7] -= 12  # finish three frames earlier: outside it
    slow[1] += 5  # toe-up 1.25 frames later: outside it
    swings = [
        _clip("1", "A", False, fast),
        _clip("2", "A", True, slow),
        _clip("3", "B", True, slow),  # another golfer's replay: never a pair
        _clip("4", "A", False, (30, 40, 45, 60, 64, 67, 70, 85)),  # does not fit: left out
    ]
    assert [(f.id, s.id) for f, s, _, _ in replay_pairs(swings)] == [("1", "2")]
    r = label_precision(swings)
    assert r["pairs"] == 1
    assert r["agree"] == {
        "address": 1,
        "toe_up": 0,
        "mid_backswing": 1,
        "top": 1,
        "mid_downswing": 1,
        "impact": 1,
        "mid_follow_through": 1,
        "finish": 0,
    }
    assert r["agreement"] == pytest.approx(6 / 8)
    # Tempo of the two labellings: 22/7 against (4*22 - 3)/(4*7).
    assert r["tempo_median_abs"] == pytest.approx(abs(22 / 7 - 85 / 28))
    # Whole-frame labels alone put a sub-frame-exact detector's tempo off by about a tenth here.
    assert 0.02 < r["tempo_quantisation"] < 0.3
    text = format_label_precision(r)
    assert "address 1/1" in text and "toe_up 0/1" in text and "finish 0/1" in text


def test_golfdb_labels_are_less_precise_than_the_address_finish_and_tempo_goals():
    """Issue #16 asks address and finish >= 0.50 and tempo within 0.3; GolfDB's own two
    labellings of one swing agree on address and finish in about a quarter of the swings and
    differ in tempo by about 0.3 (0.5 face-on / down the line), while top and the downswing
    events agree almost always (engine_report --real prints these)."""
    r = label_precision(load_set(SHARED_DATA / "golfdb-dev"))
    assert r["pairs"] >= 20
    share = {e: k / r["pairs"] for e, k in r["agree"].items()}
    assert share["address"] < 0.5 and share["finish"] < 0.5, share
    for event in ("top", "mid_downswing", "impact"):
        assert share[event] >= 0.9, (event, share)
    assert r["agreement"] < 0.8
    assert r["tempo_median_abs"] >= 0.3
    assert r["tempo_median_abs_face_on_down_the_line"] >= 0.3
    assert 0.1 < r["tempo_quantisation"] < 0.3
