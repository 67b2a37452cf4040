"""The managers' contract, run against every configured backend with the same expectations."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from analysis.engine.pose import POSE_EMBEDDING_DIM, SWING_EMBEDDING_DIM
from swingvision.db import Conflict, NotFound
from swingvision.db.managers import SYSTEM, ValidationError
from swingvision.db.migrate import live_columns
from swingvision.db.records import (
    ApiToken,
    ApiTokenHash,
    AuditEntry,
    Drill,
    Lesson,
    Note,
    PlayerSummary,
    Pose,
    ProgressPoint,
    SessionRecord,
    SwingAnalysis,
    User,
    Video,
)

from .backends import managers_fixture
from .factories import TEST_PASSWORD, account, unique

TABLE_RECORDS = {
    "users": User,
    "videos": Video,
    "poses": Pose,
    "swing_analysis": SwingAnalysis,
    "progress": ProgressPoint,
    "sessions": SessionRecord,
    "player_summary": PlayerSummary,
    "api_tokens": ApiToken,
    "api_token_hashes": ApiTokenHash,
    "audit_log": AuditEntry,
    "notes": Note,
    "drills": Drill,
    "lessons": Lesson,
}


m = managers_fixture()


@pytest.fixture(scope="module")
def team(m):
    coach = account(m, "coach", name="Casey Coach")
    other_coach = account(m, "coach")
    player = account(
        m,
        "player",
        coach=coach,
        name="Pat Player",
        settings={"handedness": "left", "targets": {"tempo_ratio": [2.8, 3.2]}, "n": 3},
    )
    return coach, other_coach, player


def test_live_schema_matches_the_records(m):
    for table, record in TABLE_RECORDS.items():
        fields = {f.name for f in dataclasses.fields(record)}
        assert set(live_columns(m.db, table)) == fields, table


def test_users_round_trip(m, team):
    coach, _, player = team
    got = m.users.get(player.id)
    assert got == player
    assert got.settings == {"handedness": "left", "targets": {"tempo_ratio": [2.8, 3.2]}, "n": 3}
    assert got.created_at.tzinfo is not None and got.created_at.utcoffset() == timedelta(0)
    assert got.password_hash and TEST_PASSWORD not in got.password_hash
    assert m.users.by_login(player.username) == player
    assert m.users.by_login(player.email) == player
    assert [p.id for p in m.users.players_of(coach, coach.id)] == [player.id]
    assert m.users.authenticate(player.username, TEST_PASSWORD) == player
    assert m.users.authenticate(player.username, "wrong-password-123") is None


def test_usernames_and_emails_are_unique(m, team):
    _, _, player = team
    with pytest.raises(ValidationError) as e:
        m.users.create(
            username=player.username.upper(),
            email="new@example.com",
            password=TEST_PASSWORD,
            role="player",
        )
    assert e.value.field == "username"
    with pytest.raises(ValidationError) as e:
        m.users.create(
            username=unique("fresh"), email=player.email, password=TEST_PASSWORD, role="player"
        )
    assert e.value.field == "email"
    # The failed attempt released what it claimed: the fresh username is still free.
    assert m.users.by_login("new@example.com") is None


def test_user_update_moves_the_login_claims(m, team):
    coach, _, _ = team
    p = account(m, "player", coach=coach)
    old_name = p.username
    p2 = m.users.update(p, username=unique("moved"), settings={"handedness": "right"})
    assert m.users.get(p.id).username == p2.username
    assert m.users.get(p.id).settings == {"handedness": "right"}
    # The old name is free again, the new one is taken.
    m.users.create(
        username=old_name, email=f"{unique('x')}@example.com", password=TEST_PASSWORD, role="player"
    )
    with pytest.raises(ValidationError):
        m.users.create(
            username=p2.username,
            email=f"{unique('y')}@example.com",
            password=TEST_PASSWORD,
            role="player",
        )


def test_scope_keeps_other_coaches_and_players_out(m, team):
    coach, other_coach, player = team
    v = m.videos.create(coach, player.id, filename="scope.mp4")
    assert m.videos.get(player, player.id, v.id) == v
    assert m.videos.get(coach, player.id, v.id) == v
    with pytest.raises(NotFound):
        m.videos.get(other_coach, player.id, v.id)
    stranger = account(m, "player", coach=other_coach)
    with pytest.raises(NotFound):
        m.videos.for_player(stranger, player.id)
    with pytest.raises(NotFound):
        m.users.players_of(other_coach, coach.id)


def test_videos_newest_first_with_paging_and_conditional_status(m, team):
    coach, _, player = team
    p = account(m, "player", coach=coach)
    t0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    made = [
        m.videos.create(
            SYSTEM,
            p.id,
            filename=f"s{i}.mp4",
            uploaded_at=t0 + timedelta(days=i),
            metadata={"fps": 29.97, "club": "7i", "tags": ["range", "lesson"]},
            duration_s=2.5,
            blob_ref=f"file:///videos/s{i}.mp4",
        )
        for i in range(5)
    ]
    page1 = m.videos.for_player(coach, p.id, limit=2, offset=0)
    page2 = m.videos.for_player(coach, p.id, limit=2, offset=2)
    assert [v.id for v in page1 + page2] == [v.id for v in made[::-1][:4]]
    assert m.videos.count_for_player(coach, p.id) == 5
    got = m.videos.get(coach, p.id, made[0].id)
    assert got.uploaded_at == t0 and got.uploaded_at.tzinfo is not None
    assert got.metadata == {"fps": 29.97, "club": "7i", "tags": ["range", "lesson"]}
    # Status moves only from the expected state, once.
    assert m.videos.transition(got, "uploaded", "processing") is True
    assert m.videos.transition(got, "uploaded", "processing") is False
    assert m.videos.get(coach, p.id, got.id).status == "processing"
    updated = m.videos.update(got, status="failed", metadata={**got.metadata, "error": "no swing"})
    assert m.videos.get(coach, p.id, got.id) == updated
    assert got.id in {v.id for v in m.videos.with_status("failed", limit=1000)}
    old = m.videos.uploaded_before(t0 + timedelta(hours=1), limit=1000)
    assert made[0].id in {v.id for v in old} and made[1].id not in {v.id for v in old}


def test_poses_bulk_write_round_trip_and_rerun(m, team):
    coach, _, player = team
    v = m.videos.create(SYSTEM, player.id, filename="poses.mp4")
    rng = np.random.default_rng(1)
    kp = rng.random((40, 33, 4)).astype(np.float32)
    kp[5, 3:7] = np.nan  # missing joints stay missing
    kp[9] = np.nan  # a frame with nobody in it is not stored
    emb = rng.random((40, POSE_EMBEDDING_DIM)).astype(np.float32)
    assert m.poses.write_video_poses(v, kp, 30.0, embeddings=emb) == 39
    seq = m.poses.sequence(coach, player.id, v.id)
    assert list(seq.frame_numbers) == [i for i in range(40) if i != 9]
    np.testing.assert_allclose(seq.keypoints, np.delete(kp, 9, axis=0), rtol=1e-6)
    pose = m.poses.get(coach, player.id, v.id, 5)
    assert np.isnan(pose.keypoints[3:7]).all() and not np.isnan(pose.keypoints[7]).any()
    np.testing.assert_allclose(pose.embedding, emb[5], rtol=1e-6)
    assert pose.timestamp_ms == 167
    assert len(m.poses.for_video(coach, player.id, v.id)) == 39
    # A re-run with fewer frames leaves exactly one row per frame.
    m.poses.write_video_poses(v, kp[:30], 30.0)
    assert m.poses.count(v) == 29
    assert m.poses.get(coach, player.id, v.id, 0).embedding is None


def test_analyses_upsert_by_engine_version_and_date_range(m, team):
    coach, _, player = team
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


def test_progress_rows_are_per_swing_day(m, team):
    coach, _, _ = team
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


def test_sessions_round_trip_and_expiry(m):
    now = datetime.now(UTC)
    rec = SessionRecord(
        session_key=unique("s"), user_id="u1", data="payload", expires_at=now + timedelta(hours=1)
    )
    assert m.sessions.insert(rec) is True
    assert m.sessions.insert(rec) is False
    got = m.sessions.get(rec.session_key)
    assert got.data == "payload" and got.user_id == "u1"
    m.sessions.delete_for_user("u1")
    assert m.sessions.get(rec.session_key) is None
    stale = dataclasses.replace(rec, session_key=unique("s"), expires_at=now - timedelta(seconds=1))
    m.sessions.insert(stale)
    assert m.sessions.get(stale.session_key) is None


def test_conflict_on_duplicate_primary_key(m, team):
    _, _, player = team
    v = m.videos.create(SYSTEM, player.id, filename="dup.mp4")
    with pytest.raises(Conflict):
        m.videos.create(SYSTEM, player.id, filename="dup.mp4", video_id=v.id)


def test_not_found_for_missing_records(m, team):
    coach, _, player = team
    with pytest.raises(NotFound):
        m.videos.get(coach, player.id, "nope")
    with pytest.raises(NotFound):
        m.users.get("nope")
    assert m.analyses.latest_for_video(coach, player.id, "nope") is None


def test_player_summary_follows_every_write(m, team):
    coach, _, _ = team
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
