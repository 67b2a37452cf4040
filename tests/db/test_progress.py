"""The progress manager on every configured backend: per-day, per-view rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from swingvision.db import NotFound
from swingvision.db.managers import SYSTEM
from swingvision.db.swing_facts import counted_metrics
from tests.backends import managers_fixture
from tests.db.helpers import record_swing
from tests.factories import account

m = managers_fixture()


def test_progress_rows_are_per_swing_day(m, team):
    coach = team["coach"]
    p = account(m, "player", coach=coach)
    day = datetime(2026, 5, 6, 9, 0, tzinfo=UTC)
    videos = []
    for i, (tempo, score) in enumerate([(3.0, 100.0), (4.0, 20.0)]):
        v = m.videos.create(
            SYSTEM, p.id, filename=f"p{i}.mp4", uploaded_at=day + timedelta(hours=i)
        )
        videos.append(v)
        m.analyses.save(
            v,
            engine_version="1.0.0",
            overall_score=60.0 + 10 * i,
            metrics={"tempo_ratio": tempo},
            events={},
            feedback=[],
            details={"metrics": {"tempo_ratio": {"score": score}}},
            swing_embedding=None,
        )
    point = m.progress.recompute_day(p.id, day.date())
    assert point.id == f"{p.id}:2026-05-06"
    rows = m.progress.between(coach, p.id, day - timedelta(days=1), day + timedelta(days=1))
    assert rows == [point]
    # Per camera view (#20): these analyses name none, so they count as face-on.
    assert set(rows[0].metrics) == {"face_on"}
    assert rows[0].metrics["face_on"]["tempo_ratio"] == {"mean": 3.5, "best": 3.0, "n": 2}
    assert rows[0].metrics["face_on"]["overall_score"]["n"] == 2
    assert rows[0].progress_date == datetime(2026, 5, 6, tzinfo=UTC)
    # A re-analysis today (a new engine version) keeps the swing on the day it was recorded.
    m.analyses.save(
        videos[1],
        engine_version="9.9.9",
        overall_score=90.0,
        metrics={"tempo_ratio": 3.1},
        events={},
        feedback=[],
        details={},
        swing_embedding=None,
    )
    assert m.progress.recompute_player(p.id) == 1
    again = m.progress.between(coach, p.id, day - timedelta(days=1), day + timedelta(days=1))
    assert again[0].metrics["face_on"]["tempo_ratio"]["mean"] == 3.05
    # A down-the-line swing the same day is summed up apart, never averaged with face-on ones.
    dtl = m.videos.create(SYSTEM, p.id, filename="dtl.mp4", uploaded_at=day + timedelta(hours=3))
    m.analyses.save(
        dtl,
        engine_version="9.9.9",
        overall_score=40.0,
        metrics={"tempo_ratio": 2.0},
        events={},
        feedback=[],
        details={"view": "down-the-line"},
        swing_embedding=None,
    )
    split = m.progress.recompute_day(p.id, day.date()).metrics
    assert split["face_on"]["tempo_ratio"]["mean"] == 3.05
    assert split["down_the_line"]["tempo_ratio"] == {"mean": 2.0, "best": 2.0, "n": 1}
    assert split["down_the_line"]["overall_score"]["mean"] == 40.0
    pairs = m.analyses.swings_between(coach, p.id, day, day + timedelta(days=1))
    assert [(v.id, a.engine_version) for v, a in pairs] == [
        (videos[0].id, "1.0.0"),
        (videos[1].id, "9.9.9"),
        (dtl.id, "9.9.9"),
    ]


def test_progress_on_or_before_is_the_newest_row_up_to_a_moment(m, team):
    coach = team["coach"]
    p = account(m, "player", coach=coach)
    d1, d3 = datetime(2026, 6, 1, 9, tzinfo=UTC), datetime(2026, 6, 3, 9, tzinfo=UTC)
    record_swing(m, p, d1, score=60.0)
    record_swing(m, p, d3, score=80.0)
    record_swing(m, p, d3 + timedelta(hours=1), score=90.0)
    assert m.progress.recompute_player(p.id) == 2
    day1 = datetime(2026, 6, 1, tzinfo=UTC)
    day3 = datetime(2026, 6, 3, tzinfo=UTC)
    at3 = m.progress.on_or_before(coach, p.id, day3 + timedelta(hours=12))
    assert at3.progress_date == day3 and at3.id == f"{p.id}:2026-06-03"
    assert at3.metrics["face_on"]["overall_score"] == {"mean": 85.0, "best": 90.0, "n": 2}
    assert m.progress.on_or_before(p, p.id, day3).progress_date == day3  # inclusive
    assert m.progress.on_or_before(coach, p.id, day3 - timedelta(seconds=1)).progress_date == day1
    assert m.progress.on_or_before(coach, p.id, day1).progress_date == day1
    assert m.progress.on_or_before(coach, p.id, day1 - timedelta(seconds=1)) is None
    for actor in (team["other_coach"], team["player"]):
        with pytest.raises(NotFound):
            m.progress.on_or_before(actor, p.id, day3)


def test_progress_counts_only_the_values_whose_status_counts(m, team):
    """A value the engine kept but flagged ("check", "low-confidence", ...) is left out of the
    day's means and of the chart points; a scored or recorded one counts, and so does a value from
    an older engine that stored no statuses."""
    coach = team["coach"]
    p = account(m, "player", coach=coach)
    day = datetime(2026, 7, 8, 9, tzinfo=UTC)
    swings = [
        # (shoulder turn, its status; tempo, its status): None = no details at all
        (77.0, "scored", 3.0, "scored"),
        (-9.0, "check", 24.0, "check"),
        (80.0, "low-confidence", 2.0, "unknown-rate"),
        (85.0, None, 3.2, None),
        (90.0, "recorded", 2.8, "not-measurable"),
    ]
    for i, (turn, turn_status, tempo, tempo_status) in enumerate(swings):
        v = m.videos.create(
            SYSTEM, p.id, filename=f"f{i}.mp4", uploaded_at=day + timedelta(minutes=i)
        )
        statuses = {"shoulder_turn_deg": turn_status, "tempo_ratio": tempo_status}
        m.analyses.save(
            v,
            engine_version="2.3.0",
            overall_score=70.0,
            metrics={"shoulder_turn_deg": turn, "tempo_ratio": tempo},
            events={},
            feedback=[],
            details={}
            if turn_status is None
            else {"metrics": {k: {"status": s, "score": 50.0} for k, s in statuses.items()}},
            swing_embedding=None,
        )
    row = m.progress.recompute_day(p.id, day.date()).metrics["face_on"]
    assert row["shoulder_turn_deg"] == {"mean": 84.0, "best": 77.0, "n": 3}
    assert row["tempo_ratio"] == {"mean": 3.1, "best": 3.0, "n": 2}
    assert row["overall_score"]["n"] == 5
    assert m.progress.recompute_player(p.id) == 1
    stored = m.progress.between(coach, p.id, day - timedelta(days=1), day + timedelta(days=1))
    assert stored[0].metrics["face_on"] == row
    # The chart points carry the statuses, and counted_metrics keeps the same values.
    points = m.swings.points_between(coach, p.id, day, day + timedelta(days=1))
    assert [counted_metrics(pt) for pt in points] == [
        {"shoulder_turn_deg": 77.0, "tempo_ratio": 3.0},
        {},
        {},
        {"shoulder_turn_deg": 85.0, "tempo_ratio": 3.2},
        {"shoulder_turn_deg": 90.0},
    ]
    assert points[1].metrics == {"shoulder_turn_deg": -9.0, "tempo_ratio": 24.0}  # kept
