"""The swings manager on every configured backend: the player's swing list and chart points."""

from __future__ import annotations

from datetime import timedelta

import pytest

from swingvision.db import NotFound
from tests.backends import managers_fixture
from tests.db.helpers import T0, analyse, record_swing
from tests.factories import account

m = managers_fixture()


def test_swings_page_and_points_between(m, team):
    coach = team["coach"]
    p = account(m, "player", coach=coach)
    v0 = record_swing(m, p, T0, score=60.0)
    newest = analyse(m, v0, 65.0, at=T0 + timedelta(days=1), engine="2.0.0")
    v1 = record_swing(m, p, T0 + timedelta(days=1), status="failed")
    v2 = record_swing(m, p, T0 + timedelta(days=2), score=70.0)
    v3 = record_swing(m, p, T0 + timedelta(days=3), status="uploaded")

    def ids(page):
        return [r.video.id for r in page.rows]

    page = m.swings.page(coach, p.id)
    assert ids(page) == [v3.id, v2.id, v1.id, v0.id]  # newest first
    assert (page.total, page.page, page.pages) == (4, 1, 1) and page.any_pending
    rows = {r.video.id: r for r in page.rows}
    assert rows[v0.id].score.analysis_id == newest.id and rows[v0.id].score.overall_score == 65.0
    assert rows[v2.id].score.overall_score == 70.0
    assert rows[v1.id].score is None and rows[v3.id].score is None and rows[v3.id].pending
    assert ids(m.swings.page(coach, p.id, status="analyzed")) == [v2.id, v0.id]
    failed = m.swings.page(p, p.id, status="failed")
    assert ids(failed) == [v1.id] and failed.total == 1 and not failed.any_pending
    window = m.swings.page(coach, p.id, start=T0 + timedelta(days=1), end=T0 + timedelta(days=3))
    assert ids(window) == [v2.id, v1.id] and window.total == 2  # [start, end)
    last = m.swings.page(coach, p.id, per_page=3, page=2)
    assert ids(last) == [v0.id] and (last.total, last.pages) == (4, 2)
    assert m.swings.page(coach, p.id, per_page=3, page=7).page == 2
    with pytest.raises(ValueError):
        m.swings.page(coach, p.id, status="deleted")
    for actor in (team["other_coach"], team["player"]):
        with pytest.raises(NotFound):
            m.swings.page(actor, p.id)
    # The chart points: analysed swings oldest first, each with its newest analysis.
    points = m.swings.points_between(coach, p.id, T0, T0 + timedelta(days=10))
    assert [(pt.video_id, pt.overall_score) for pt in points] == [(v0.id, 65.0), (v2.id, 70.0)]
    assert points[0].uploaded_at == T0 and points[0].analyzed_at == newest.analyzed_at
    assert points[0].metrics == {"tempo_ratio": 65.0 / 20}
    later = m.swings.points_between(p, p.id, T0 + timedelta(days=1), T0 + timedelta(days=10))
    assert [pt.video_id for pt in later] == [v2.id]
    assert m.swings.points_between(coach, p.id, T0 - timedelta(days=9), T0) == []
    with pytest.raises(NotFound):
        m.swings.points_between(team["other_coach"], p.id, T0, T0 + timedelta(days=10))
