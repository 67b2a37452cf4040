"""The player summaries on every configured backend: kept by every write, per coach, rebuilt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from swingvision.db.managers import SYSTEM
from swingvision.db.managers.summaries import Summaries
from tests.backends import managers_fixture
from tests.db.helpers import T0
from tests.factories import account

m = managers_fixture()


def test_player_summary_follows_every_write(m, team):
    coach = team["coach"]
    p = account(m, "player", coach=coach)
    t0 = datetime(2026, 2, 1, 8, 0, tzinfo=UTC)

    def analyse(video, score, version="1.0.0"):
        m.analyses.save(
            video,
            engine_version=version,
            overall_score=score,
            metrics={},
            events={},
            feedback=[],
            details={},
            swing_embedding=None,
        )

    def summary():
        return next(r for r in m.roster.rows(coach, coach.id) if r.player.id == p.id)

    assert summary().n_swings == 0 and summary().latest_score is None
    videos = [
        m.videos.create(SYSTEM, p.id, filename=f"s{i}.mp4", uploaded_at=t0 + timedelta(days=i))
        for i in range(3)
    ]
    for v, score in zip(videos, (50.0, 60.0, 70.0), strict=True):
        analyse(v, score)
        m.videos.transition(v, "uploaded", "analyzed")
    row = summary()
    assert row.n_swings == 3 and row.last_swing_at == t0 + timedelta(days=2)
    assert row.latest_score == 70.0 and row.trend == 70.0 - 55.0
    assert row.poster_video.id == videos[2].id
    # Re-analysing the oldest swing changes its score but not which swing is the latest.
    analyse(videos[0], 40.0, version="2.0.0")
    assert summary().latest_score == 70.0 and summary().trend == 70.0 - 50.0
    m.videos.delete(SYSTEM, m.videos.get(SYSTEM, p.id, videos[2].id))
    row = summary()
    assert row.n_swings == 2 and row.latest_score == 60.0 and row.poster_video.id == videos[1].id


def test_summaries_are_per_coach_and_rebuilt_from_the_swings(m, team, roster):
    coach, alice, bob, carl = roster["coach"], roster["alice"], roster["bob"], roster["carl"]
    m.roster.rows(coach, coach.id)  # fills in carl's row (he has no swing that wrote one)
    summaries = Summaries(m.db).for_coach(coach.id)
    assert set(summaries) == {alice.id, bob.id, carl.id}
    a = summaries[alice.id]
    assert (a.n_swings, a.recent_scores, a.poster_video_id) == (
        2,
        [70.0, 50.0],
        roster["alice_last"].id,
    )
    assert a.last_swing_at == T0 + timedelta(days=1)
    assert summaries[carl.id].n_swings == 0 and summaries[carl.id].last_swing_at is None
    assert Summaries(m.db).for_coach(team["other_coach"].id).keys().isdisjoint(summaries)
    # A bulk load that bypassed the managers: the rows are rebuilt from videos and analyses.
    for pid in (alice.id, bob.id):
        m.db.execute("summary_delete", {"user_id": pid})
    m.db.refresh("player_summary")
    assert set(Summaries(m.db).for_coach(coach.id)) == {carl.id}
    assert Summaries(m.db).rebuild([alice.id, bob.id]) == 2
    rebuilt = Summaries(m.db).for_coach(coach.id)
    assert rebuilt[alice.id].recent_scores == [70.0, 50.0]
    assert rebuilt[bob.id].n_swings == 1 and rebuilt[bob.id].recent_scores == [80.0]
    # refresh follows a change the managers did not see (idempotent otherwise).
    one = Summaries(m.db).refresh(bob.id)
    assert (one.n_swings, one.recent_scores) == (1, [80.0])
    assert Summaries(m.db).for_coach(coach.id)[bob.id].recent_scores == [80.0]
    assert Summaries(m.db).for_coach(team["other_coach"].id).keys().isdisjoint(rebuilt)
