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
    (features, decoding, ordering), not a fair score: engine 2.3.0 gives 0.816 on the 19
    real-time face-on and down-the-line swings (top 0.89, mid-downswing and impact 1.0) and
    0.763 on all 57; the floors sit a little under. The fair, cross-validated score is
    test_cross_validated_pce_floor's."""
    head = shipped["groups"][HEADLINE]
    assert head["n"] == 19
    assert head["pce"] >= 0.80, head
    for name in ("top", "mid_downswing", "impact"):
        assert head["per_event"][name] >= 0.85, (name, head)
    assert shipped["groups"]["all swings"]["pce"] >= 0.74


def test_cross_validated_pce_floor():
    """`engine_report --real`'s numbers: every swing scored by the event model refitted
    without its golfer (leave-one-golfer-out, 24 folds). Engine 2.3.0: PCE 0.789 on the 19
    real-time face-on and down-the-line swings (top 0.84, mid-downswing 1.0, impact 1.0,
    address 0.42, finish 0.53), 0.664 on all 57, 0.546 on the 27 slow-motion ones; engine
    2.2.0 gave 0.711, 0.618 and 0.523. The floors sit a little under, so a change that loses
    accuracy on real swings fails here."""
    report, _ = train_events.real_report(DEV_SET)
    text = format_real_report(report, "Engine on golfdb-dev, leave-one-golfer-out")
    print("\n" + text)
    # Beside the engine's score, the labels' own precision (test_label_precision.py).
    assert "label precision: 25 swings labelled twice" in text
    head = report["groups"][HEADLINE]
    assert report["refused"] == []
    assert head["pce"] >= 0.77, head
    assert head["per_event"]["top"] >= 0.78, head
    for name in ("mid_downswing", "impact"):
        assert head["per_event"][name] >= 0.94, (name, head)
    assert report["groups"]["all swings"]["pce"] >= 0.64
    assert report["groups"]["slow motion (all views)"]["pce"] >= 0.52


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
