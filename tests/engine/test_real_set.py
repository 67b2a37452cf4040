"""The engine on real labelled swings (GolfDB poses, ../shared/data/golfdb-dev): GolfDB's PCE
held above a floor, no real swing refused, slow motion analysed and flagged, and one
leave-one-golfer-out fold of the event model's training (the full cross-validation is
`manage.py engine_report --real DIR`)."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.engine import train_events
from analysis.engine.realset import (
    engine_detector,
    format_real_report,
    load_set,
    run,
    summarise,
)
from tests.conftest import SHARED_DATA

DEV_SET = SHARED_DATA / "golfdb-dev"
HEADLINE = "real-time face-on + down-the-line"


@pytest.fixture(scope="module")
def swings():
    return load_set(DEV_SET)


@pytest.fixture(scope="module")
def shipped(swings):
    report = summarise(run(swings, lambda swing: engine_detector))
    print("\n" + format_real_report(report, "Engine on golfdb-dev, shipped weights (not CV)"))
    return report


def test_no_real_swing_is_refused(shipped):
    """Waggles, pauses, frames without a pose, jitter and slow motion: all analysed."""
    assert shipped["refused"] == []


def test_shipped_model_pce_floor(shipped):
    """The shipped weights were fitted on this set, so this is a check of the runtime path
    (features, decoding, ordering), not a fair score: engine 2.0.0 gives 0.836 on the 19
    real-time face-on and down-the-line swings (top 0.95, mid-downswing and impact 1.0) and
    0.754 on all 57; the floors sit a little under. The fair, cross-validated score (0.711 on
    the 19) is `engine_report --real`'s; test_one_leave_one_golfer_out_fold checks a fold."""
    head = shipped["groups"][HEADLINE]
    assert head["n"] == 19
    assert head["pce"] >= 0.80, head
    for name in ("top", "mid_downswing", "impact"):
        assert head["per_event"][name] >= 0.85, (name, head)
    assert shipped["groups"]["all swings"]["pce"] >= 0.72


def test_slow_motion_swings_are_flagged(shipped):
    """Slow-motion clips (no capture rate given) are analysed and most are flagged as too
    slow for real time, so the page asks for the capture rate; real-time ones rarely are."""
    flags = shipped["too_slow_flags"]
    assert flags["slow motion"]["flagged_too_slow"] >= 0.75 * flags["slow motion"]["n"]
    assert flags["real time"]["flagged_too_slow"] <= 0.1 * flags["real time"]["n"]


def test_confidence_means_something(shipped):
    """Events the engine is sure of are right more often than those it is not."""
    rows = [r for r in shipped["calibration"] if r["n"] >= 20]
    assert rows[-1]["correct"] >= 0.8
    assert rows[0]["correct"] < rows[-1]["correct"] - 0.3


def test_one_leave_one_golfer_out_fold(swings):
    """A model fitted without one golfer's swings (and with a small generated set) still finds
    that golfer's downswing events within GolfDB's tolerance (no tempo augmentation here, to
    keep the test short)."""
    golfer = "PAULA CREAMER"  # 6 swings: 2 down the line, 2 other, 3 slow motion
    train = train_events.real_examples([s for s in swings if s.player != golfer], (1.0,))
    model = train_events.fit(train, train_events.synthetic_examples(8))
    held = [s for s in swings if s.player == golfer]
    outcomes = run(held, lambda swing: lambda s: engine_detector(s, event_model=model))
    hits = [
        abs(o.frames[name] - o.swing.events[name]) <= o.swing.tolerance
        for o in outcomes
        for name in ("top", "mid_downswing", "impact")
    ]
    assert np.mean(hits) >= 0.7, hits
