"""Numbers a coach can trust (issue #20), on real poses: the GolfDB test clip and the
down-the-line and face-on swings of the GolfDB development set.

- Rotation (shoulder turn, hip rotation, X-factor) is not measurable down the line: on tour
  swings with GolfDB's labelled events the 2D-plus-depth estimate reads anywhere from 5 to 129
  degrees of shoulder turn (tour players turn about 90), so it is never a number there, never
  scored and never feedback.
- No scored metric on any dev-set swing lies outside its plausible range: what lies outside is
  kept for the coach as "check the markers or the camera view", unscored.
- A clip too slow for real time has unknown durations (only ratios scored) until its capture rate
  is confirmed.
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis.engine import METRICS, analyze
from analysis.engine.core import CHECK_REASON, UNKNOWN_RATE_REASON
from analysis.engine.extract import mediapipe_available
from analysis.engine.metrics import DOWN_THE_LINE, FACE_ON, implausible
from analysis.engine.timing import (
    DURATION_METRICS,
    REAL_TIME_MAX_DOWNSWING_S,
    capture_rate,
    too_slow_for_real_time,
)
from tests.engine.golfdb_dev import DEV_FPS, dev_swings
from tests.poses.test_pose_extract import extract_golfdb_poses

ROTATION = ("shoulder_turn_deg", "hip_turn_deg", "x_factor_deg")


def _analyses(view: str, labelled: bool):
    out = []
    for s in dev_swings(view):
        override = dict(s.events) if labelled else None
        out.append((s, analyze(s.keypoints, DEV_FPS, view=view, events_override=override)))
    return out


@pytest.fixture(scope="module", params=["engine events", "labelled events"])
def dtl(request):
    return _analyses(DOWN_THE_LINE, request.param == "labelled events")


@pytest.fixture(scope="module", params=["engine events", "labelled events"])
def face_on(request):
    return _analyses(FACE_ON, request.param == "labelled events")


def _check_scored_plausible(analyses):
    n_scored = 0
    for swing, r in analyses:
        for name, m in r.metrics.items():
            if m.status in ("scored", "recorded", "low-confidence"):
                n_scored += 1
                assert not implausible(METRICS[name], m.value), (swing.id, name, m.value)
            if m.status == "check":
                assert m.score is None and m.reason == CHECK_REASON, (swing.id, name)
        aspects = {f.aspect for f in r.feedback}
        assert all(r.metrics[a].status == "scored" for a in aspects), (swing.id, aspects)
    return n_scored


def test_the_dev_set_has_both_views():
    assert len(dev_swings(DOWN_THE_LINE)) == 24 and len(dev_swings(FACE_ON)) == 14


def test_rotation_down_the_line_is_not_measurable(dtl):
    for swing, r in dtl:
        for name in ROTATION:
            m = r.metrics[name]
            assert m.value is None and m.score is None, (swing.id, name)
            assert m.status == "not-measurable" and "not measurable from this view" in m.reason
        assert not {f.aspect for f in r.feedback} & set(ROTATION), swing.id


def test_why_rotation_is_not_measurable_down_the_line():
    """The evidence: the same estimate the face-on view uses, run down the line on tour swings
    with GolfDB's labelled events, spreads over more than 90 degrees of shoulder turn (tour
    players turn about 90). Kept as a test so a future method has to beat it on real data."""
    from analysis.engine.events import LEAD_SHOULDER, TRAIL_SHOULDER, detect_events, prepare
    from analysis.engine.metrics import segment_turn

    turns = []
    for s in dev_swings(DOWN_THE_LINE):
        motion = prepare(s.keypoints, DEV_FPS, 1.0)
        ev = detect_events(motion, dict(s.events), view=DOWN_THE_LINE)
        turn = segment_turn(
            motion, LEAD_SHOULDER, TRAIL_SHOULDER, ev.frames["address"], DOWN_THE_LINE
        )
        turns.append(float(turn[ev.frames["top"]]))
    turns = np.asarray(turns)
    assert np.all(np.isfinite(turns))
    assert turns.max() - turns.min() > 90.0
    assert np.mean(np.abs(turns - 90.0)) > 30.0  # mean error against a tour turn of ~90


def test_no_scored_metric_outside_its_plausible_range_down_the_line(dtl):
    assert _check_scored_plausible(dtl) > 100


def test_no_scored_metric_outside_its_plausible_range_face_on(face_on):
    assert _check_scored_plausible(face_on) > 50


def test_implausible_values_are_flagged_not_scored():
    """Engine events on the dev set put some markers where no human swing could be (a downswing
    of 0.04 s, a hip turn of -300 degrees): those show as "check", unscored."""
    flagged = [
        (s.id, name)
        for view in (DOWN_THE_LINE, FACE_ON)
        for s, r in _analyses(view, labelled=False)
        for name, m in r.metrics.items()
        if m.status == "check"
    ]
    assert len(flagged) >= 5, flagged


def test_slow_motion_dev_clips_are_too_slow_for_real_time():
    """Read at 30 fps, every slow-motion clip with labelled events is too slow for real time and
    every real-time one is not; the former's durations are unknown, their tempo still scored."""
    for view in (DOWN_THE_LINE, FACE_ON):
        for s, r in _analyses(view, labelled=True):
            assert (r.timing["state"] == "too slow for real time") == s.slow, (s.id, r.timing)
            if s.slow:
                for name in DURATION_METRICS:
                    assert r.metrics[name].value is None, (s.id, name)
                    assert r.metrics[name].reason == UNKNOWN_RATE_REASON
                assert r.metrics["tempo_ratio"].value is not None


def test_a_confirmed_rate_gives_durations_back():
    s = next(s for s in dev_swings(DOWN_THE_LINE) if s.slow)
    slow = analyze(s.keypoints, DEV_FPS, view=DOWN_THE_LINE, events_override=dict(s.events))
    fps = capture_rate("4x", DEV_FPS)
    fast = analyze(
        s.keypoints, fps, view=DOWN_THE_LINE, events_override=dict(s.events), rate_confirmed=True
    )
    assert slow.metrics["downswing_s"].value is None and fast.timing["state"] == "confirmed"
    frames = s.events["impact"] - s.events["top"]
    assert fast.metrics["downswing_s"].value == pytest.approx(frames / fps, abs=1.5 / fps)
    assert fast.metrics["downswing_s"].value <= REAL_TIME_MAX_DOWNSWING_S


def test_the_real_clip_down_the_line():
    """The GolfDB test clip (slow motion, about 3x): no turn numbers, durations unknown until
    its rate is confirmed, nothing implausible scored."""
    assert mediapipe_available(), "the 'pose' extra must be installed: pip install .[pose]"
    poses = extract_golfdb_poses()
    r = analyze(poses.keypoints, poses.fps, view=DOWN_THE_LINE, aspect=poses.width / poses.height)
    assert r.timing["state"] == "too slow for real time"
    for name in ROTATION:
        assert r.metrics[name].status == "not-measurable"
    for name in DURATION_METRICS:
        assert r.metrics[name].status == "unknown-rate"
    assert _check_scored_plausible([(None, r)]) >= 3
    assert r.overall_score is not None


def test_timing_helpers():
    assert too_slow_for_real_time(0.8, 1.5) and too_slow_for_real_time(0.3, 3.0)
    assert not too_slow_for_real_time(0.3, 1.2) and not too_slow_for_real_time(None, None)
    assert capture_rate("real", 30) == 30 and capture_rate("8x", 30) == 240
    assert capture_rate("120", 30) == 120
    for bad in ("5x", "100", "", "slow"):
        with pytest.raises(ValueError):
            capture_rate(bad, 30)


def test_where_the_club_matters_its_band_is_used():
    from analysis.engine.metrics import club_family

    for text, family in (("Driver", "driver"), ("3-wood", "wood"), ("Hybrid", "wood"),
                         ("7-iron", "iron"), ("7i", "iron"), ("PW", "wedge"),
                         ("Sand wedge", "wedge"), ("Putter", "putter"), ("", None),
                         ("mystery", None), ("3W", "wood")):  # fmt: skip
        assert club_family(text) == family, text
    turn = METRICS["shoulder_turn_deg"]
    assert turn.band_for("7-iron") == (78.0, 98.0) and turn.band_for("Driver") == turn.band
    assert METRICS["tempo_ratio"].band_for("7-iron") == METRICS["tempo_ratio"].band
    # A real face-on iron swing: analysed as an iron, its turns are scored against the iron band.
    s = next(s for s in dev_swings(FACE_ON) if s.id == "27")
    iron = analyze(s.keypoints, DEV_FPS, view=FACE_ON, club=s.club)
    plain = analyze(s.keypoints, DEV_FPS, view=FACE_ON)
    assert s.club == "iron" and iron.metrics["shoulder_turn_deg"].band == (78.0, 98.0)
    assert plain.metrics["shoulder_turn_deg"].band == (85.0, 105.0)
    assert iron.metrics["shoulder_turn_deg"].value == plain.metrics["shoulder_turn_deg"].value
    assert iron.metrics["shoulder_turn_deg"].score > plain.metrics["shoulder_turn_deg"].score


def _results(statuses: dict[str, str]) -> dict:
    from analysis.engine.core import MetricResult

    return {
        name: MetricResult(
            name=name,
            value=1.0,
            unit=spec.unit,
            available=True,
            reason=None,
            score=50.0,
            band=spec.band,
            confidence=0.9,
            status=statuses.get(name, "not-measurable"),
        )
        for name, spec in METRICS.items()
    }


def test_an_overall_score_needs_most_of_the_scorable_weight():
    """One sure metric among uncertain ones is no overall score (the QA case: 100 overall beside
    metrics scoring 27 and 0 that were too uncertain to count)."""
    from analysis.engine.core import MIN_SCORED_SHARE, _scored_share

    weighted = [n for n, s in METRICS.items() if s.weight > 0]
    one_sure = {n: "low-confidence" for n in weighted} | {weighted[0]: "scored"}
    assert _scored_share(_results(one_sure)) < MIN_SCORED_SHARE
    all_sure = dict.fromkeys(weighted, "scored")
    assert _scored_share(_results(all_sure)) == 1.0
    # Metrics another view cannot measure, or durations waiting for the rate, do not count.
    some = dict.fromkeys(weighted[:2], "scored") | {weighted[2]: "unknown-rate"}
    assert _scored_share(_results(some)) == 1.0
    assert _scored_share(_results({})) == 0.0


def test_an_analysis_without_enough_sure_metrics_has_no_overall_score(dtl):
    """On the real down-the-line swings, an overall score comes only with most of the scorable
    weight scored."""
    from analysis.engine.core import MIN_SCORED_SHARE, _scored_share

    for swing, result in dtl:
        share = _scored_share(result.metrics)
        assert (result.overall_score is not None) == (share >= MIN_SCORED_SHARE), swing.id
