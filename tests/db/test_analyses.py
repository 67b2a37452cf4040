"""The analyses manager on every configured backend: upsert by engine version, date ranges."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import numpy as np

from analysis.engine.pose import SWING_EMBEDDING_DIM
from swingvision.db.managers import SYSTEM
from tests.backends import managers_fixture
from tests.db.helpers import T0, analyse, record_swing

m = managers_fixture()


def test_analyses_upsert_by_engine_version_and_date_range(m, team):
    coach, player = team["coach"], team["player"]
    v = m.videos.create(SYSTEM, player.id, filename="analysed.mp4")
    when = datetime(2026, 3, 4, 10, 30, tzinfo=UTC)
    feedback = [
        {"aspect": "tempo_ratio", "finding": "4.1:1", "recommendation": "quicker", "priority": 1},
        {"aspect": "head_sway", "finding": "0.2", "recommendation": "still", "priority": 2},
    ]
    a = m.analyses.save(
        v,
        engine_version="1.0.0",
        overall_score=71.5,
        metrics={"tempo_ratio": 4.1, "shoulder_turn_deg": 92.0, "x_factor_deg": None},
        events={"address": 3, "top": 30, "impact": 39, "finish": None},
        feedback=feedback,
        details={"metrics": {"tempo_ratio": {"score": 20.0, "unit": ":1"}}},
        swing_embedding=np.arange(SWING_EMBEDDING_DIM, dtype=np.float32),
        analyzed_at=when,
    )
    got = m.analyses.latest_for_video(coach, player.id, v.id)
    assert dataclasses.replace(got, swing_embedding=None) == dataclasses.replace(
        a, swing_embedding=None
    )
    np.testing.assert_array_equal(
        got.swing_embedding, np.arange(SWING_EMBEDDING_DIM, dtype=np.float32)
    )
    assert got.feedback == feedback and got.events["finish"] is None
    # Same engine version: replaced, not added.
    m.analyses.save(
        v,
        engine_version="1.0.0",
        overall_score=80.0,
        metrics={"tempo_ratio": 3.0},
        events={},
        feedback=[],
        details={},
        swing_embedding=None,
        analyzed_at=when,
    )
    in_range = m.analyses.for_player_between(
        coach, player.id, when - timedelta(days=1), when + timedelta(days=1)
    )
    assert [x.overall_score for x in in_range if x.video_id == v.id] == [80.0]
    assert not m.analyses.for_player_between(
        coach, player.id, when + timedelta(days=1), when + timedelta(days=2)
    )


def test_latest_analysis_for_the_worker_needs_no_actor(m, team):
    player = team["player"]
    video = record_swing(m, player, T0)
    assert m.analyses.latest_for_video_system(video) is None
    old = analyse(m, video, 50.0, at=T0 + timedelta(hours=1), engine="1.0.0")
    new = analyse(m, video, 75.0, at=T0 + timedelta(hours=2), engine="2.0.0")
    got = m.analyses.latest_for_video_system(video)
    assert got == new and got.id != old.id and got.overall_score == 75.0
    assert got == m.analyses.latest_for_video(team["coach"], player.id, video.id)
