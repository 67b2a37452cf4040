"""The similarity manager on every configured backend: scope, filters, nearest poses and swings."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from analysis.engine.pose import POSE_EMBEDDING_DIM, SWING_EMBEDDING_DIM
from swingvision.db import NotFound
from swingvision.db.managers import SYSTEM
from swingvision.db.managers.similarity import Filters, ScopeError
from tests.backends import managers_fixture
from tests.db.helpers import T0, analyse, record_swing
from tests.factories import account

m = managers_fixture()


PHASES = ["address", "address", "top", "top", "impact", "impact"]


def _vectors(seed, n, dim):
    return np.random.default_rng(seed).random((n, dim)).astype(np.float32)


@pytest.fixture(scope="module")
def world(m):
    """Two players of one coach, one of another coach whose vectors copy the first player's
    (so only the scope keeps them out), and a swing whose newest analysis has no vector."""
    coach, other_coach = account(m, "coach"), account(m, "coach")
    righty = account(m, "player", coach=coach, name="Ray Right")
    lefty = account(m, "player", coach=coach, name="Lee Left")
    other = account(m, "player", coach=other_coach, name="Otto Other")
    kp = np.random.default_rng(0).random((len(PHASES), 33, 4)).astype(np.float32)
    poses = {
        "righty": _vectors(1, 6, POSE_EMBEDDING_DIM),
        "lefty": _vectors(2, 6, POSE_EMBEDDING_DIM),
    }
    poses["other"] = poses["righty"]
    swing = {
        "righty": _vectors(3, 1, SWING_EMBEDDING_DIM)[0],
        "lefty": _vectors(4, 1, SWING_EMBEDDING_DIM)[0],
    }
    swing["other"] = swing["righty"]
    videos, analyses = {}, {}
    for name, player, view, left in (
        ("righty", righty, "face-on", False),
        ("lefty", lefty, "down-the-line", True),
        ("other", other, "face-on", False),
    ):
        video = record_swing(m, player, T0, view=view)
        m.poses.write_video_poses(
            video, kp, 30.0, embeddings=poses[name], phases=PHASES, view=view, left_handed=left
        )
        details = {"view": view, "left_handed": left}
        if name == "righty":  # an older engine's analysis with another vector: never a result
            analyse(
                m,
                video,
                40.0,
                at=T0 + timedelta(hours=1),
                engine="0.9.0",
                details=details,
                swing_embedding=_vectors(5, 1, SWING_EMBEDDING_DIM)[0],
            )
        analyses[name] = analyse(
            m,
            video,
            60.0,
            at=T0 + timedelta(hours=2),
            details=details,
            swing_embedding=swing[name],
        )
        videos[name] = video
    bare = record_swing(m, righty, T0 + timedelta(days=1), score=50.0)  # newest analysis: no vector
    return {
        "coach": coach,
        "other_coach": other_coach,
        "admin": account(m, "admin"),
        "righty": righty,
        "lefty": lefty,
        "other": other,
        "videos": videos,
        "analyses": analyses,
        "poses": poses,
        "swing": swing,
        "bare": bare,
    }


def test_similarity_scope_and_players(m, world):
    coach, righty, lefty = world["coach"], world["righty"], world["lefty"]
    mine = m.similarity.scope(coach)
    assert mine.name == "mine" and mine.user_ids == {righty.id, lefty.id}
    assert m.similarity.scope(coach, "all").user_ids == mine.user_ids
    assert m.similarity.scope(righty).user_ids == {righty.id}
    one = m.similarity.scope(coach, "player", righty.id)
    assert one.user_ids == {righty.id} and one.player == righty
    everyone = m.similarity.scope(world["admin"], "all")
    assert everyone.user_ids is None and everyone.allows(world["other"].id)
    assert not mine.allows(world["other"].id)
    with pytest.raises(NotFound):
        m.similarity.scope(world["other_coach"], "player", righty.id)
    with pytest.raises(NotFound):
        m.similarity.scope(lefty, "player", righty.id)
    for name, pid in (("player", ""), ("everyone", "")):
        with pytest.raises(ScopeError):
            m.similarity.scope(coach, name, pid)
    # The players a one-player search picks from: by name.
    assert m.similarity.players(coach, mine) == [lefty, righty]
    assert m.similarity.players(righty, m.similarity.scope(righty)) == [righty]
    assert m.similarity.players(coach, mine, limit=1) == [lefty]
    all_players = m.similarity.players(world["admin"], everyone)
    assert {righty.id, lefty.id, world["other"].id} <= {u.id for u in all_players}
    assert {u.role for u in all_players} == {"player"}


def test_similarity_query_pose_and_hit(m, world):
    coach, righty = world["coach"], world["righty"]
    video = world["videos"]["righty"]
    pose = m.similarity.query_pose(coach, righty.id, video.id, 2)
    assert pose.frame_number == 2 and pose.phase == "top" and pose.view == "face-on"
    assert pose.left_handed is False
    np.testing.assert_allclose(pose.embedding, world["poses"]["righty"][2], rtol=1e-6)
    with pytest.raises(NotFound):
        m.similarity.query_pose(world["other_coach"], righty.id, video.id, 2)
    with pytest.raises(NotFound):
        m.similarity.query_pose(coach, righty.id, video.id, 99)
    scope = m.similarity.scope(coach)
    hit = m.similarity.hit(
        coach,
        scope,
        user_id=righty.id,
        video_id=video.id,
        frame_number=2,
        phase="top",
        distance=0.25,
    )
    assert hit.video == m.videos.get(SYSTEM, righty.id, video.id) and hit.player == righty
    assert (hit.frame_number, hit.phase, hit.distance) == (2, "top", 0.25)
    assert hit.pose.id == pose.id
    swing_hit = m.similarity.hit(
        coach, scope, user_id=righty.id, video_id=video.id, frame_number=None, phase=None,
        distance=1.0,
    )  # fmt: skip
    assert swing_hit.pose is None and swing_hit.video.id == video.id
    other = world["other"]
    gone = [
        # out of the scope, though the row exists
        (coach, scope, other.id, world["videos"]["other"].id, 2),
        # in a scope the actor may not use (a result never rests on the index alone)
        (world["other_coach"], m.similarity.scope(world["admin"]), righty.id, video.id, 2),
        (coach, scope, righty.id, "no-such-video", None),
        (coach, scope, righty.id, video.id, 99),
    ]
    for actor, sc, uid, vid, frame in gone:
        assert (
            m.similarity.hit(
                actor, sc, user_id=uid, video_id=vid, frame_number=frame, phase=None, distance=0.0
            )
            is None
        ), (uid, vid, frame)


def _check_candidates(m, got, exhaustive, expected, must_have):
    """SQLite scans every allowed row (the exact set); CrateDB's KNN_MATCH returns the nearest k
    per shard that pass the filters, so fewer may come back, but never one outside them."""
    assert exhaustive is (m.db.dialect == "sqlite")
    assert got <= expected
    assert must_have in got
    if exhaustive:
        assert got == expected


def test_similarity_knn_poses_keeps_to_the_scope_and_filters(m, world):
    coach, righty, lefty = world["coach"], world["righty"], world["lefty"]
    rv, lv = world["videos"]["righty"].id, world["videos"]["lefty"].id
    query = world["poses"]["righty"][2]
    scope = m.similarity.scope(coach)
    everything = {(v, f) for v in (rv, lv) for f in range(len(PHASES))}

    def run(flt, sc=scope):
        cands, exhaustive = m.similarity.knn_poses(query, sc, flt, 100)
        return cands, {(c.video_id, c.frame_number) for c in cands}, exhaustive

    cands, got, exhaustive = run(Filters())
    _check_candidates(m, got, exhaustive, everything, (rv, 2))
    best = next(c for c in cands if (c.video_id, c.frame_number) == (rv, 2))
    assert best.user_id == righty.id and best.phase == "top"
    np.testing.assert_allclose(best.embedding, query, rtol=1e-6)
    assert world["other"].id not in {c.user_id for c in cands}  # its vectors equal righty's
    _, got, exhaustive = run(Filters(phase="top"))
    _check_candidates(m, got, exhaustive, {(rv, 2), (rv, 3), (lv, 2), (lv, 3)}, (rv, 2))
    _, got, exhaustive = run(Filters(view="down-the-line"))
    _check_candidates(m, got, exhaustive, {x for x in everything if x[0] == lv}, (lv, 0))
    _, got, exhaustive = run(Filters(left_handed=False, exclude_video=rv))
    assert got == set()
    _, got, exhaustive = run(Filters(left_handed=True))
    assert {v for v, _ in got} == {lv}
    one = m.similarity.scope(coach, "player", lefty.id)
    _, got, exhaustive = run(Filters(), one)
    _check_candidates(m, got, exhaustive, {x for x in everything if x[0] == lv}, (lv, 2))
    # An admin's scope reaches the other coach's player too.
    _, got, exhaustive = run(Filters(), m.similarity.scope(world["admin"]))
    assert (world["videos"]["other"].id, 2) in got and (rv, 2) in got


def test_similarity_knn_swings_compares_the_newest_analyses(m, world):
    coach = world["coach"]
    rv, lv = world["videos"]["righty"].id, world["videos"]["lefty"].id
    newest = {"righty": world["analyses"]["righty"].id, "lefty": world["analyses"]["lefty"].id}
    query = world["swing"]["righty"]
    scope = m.similarity.scope(coach)

    def run(flt):
        cands, exhaustive = m.similarity.knn_swings(query, scope, flt, 100)
        return cands, {c.id for c in cands}, exhaustive

    cands, got, exhaustive = run(Filters())
    # The older engine's analysis of righty's swing is never a candidate, nor anything of other.
    _check_candidates(m, got, exhaustive, set(newest.values()), newest["righty"])
    best = next(c for c in cands if c.id == newest["righty"])
    assert (best.video_id, best.user_id, best.view, best.left_handed) == (
        rv,
        world["righty"].id,
        "face-on",
        False,
    )
    assert best.analyzed_at == world["analyses"]["righty"].analyzed_at
    np.testing.assert_allclose(best.embedding, query, rtol=1e-6)
    _, got, exhaustive = run(Filters(view="down-the-line"))
    _check_candidates(m, got, exhaustive, {newest["lefty"]}, newest["lefty"])
    _, got, _ = run(Filters(left_handed=False, exclude_video=rv))
    assert got == set()
    _, got, exhaustive = run(Filters(left_handed=True, exclude_video=rv))
    _check_candidates(m, got, exhaustive, {newest["lefty"]}, newest["lefty"])
    # The newest analysis per video, by id.
    assert m.similarity.newest_analysis_ids({rv, lv, "no-such-video"}) == {
        rv: newest["righty"],
        lv: newest["lefty"],
    }
    assert m.similarity.newest_analysis_ids(set()) == {}
    got = m.similarity.newest_analysis(world["righty"].id, rv)
    assert got.id == newest["righty"] and got.engine_version == "1.0.0"
    np.testing.assert_allclose(got.swing_embedding, query, rtol=1e-6)
    assert m.similarity.newest_analysis(world["lefty"].id, rv) is None  # someone else's video


def test_similarity_vector_loads(m, world):
    righty = world["righty"]
    rv = world["videos"]["righty"].id
    lv = world["videos"]["lefty"].id
    rows = m.similarity.pose_vectors(video=(rv, righty.id))
    assert rows.videos == [(rv, righty.id)] and len(rows) == len(PHASES)
    assert list(rows.frame) == list(range(len(PHASES))) and rows.phase == PHASES
    assert rows.view == ["face-on"] * len(PHASES) and rows.left_handed == [False] * len(PHASES)
    np.testing.assert_allclose(rows.vectors, world["poses"]["righty"], rtol=1e-6)
    assert len(m.similarity.pose_vectors(video=(rv, world["lefty"].id))) == 0
    # A page of every video's vectors, ordered by video, resumable after a video.
    page = m.similarity.pose_vectors(after_video="")
    mine = sorted((rv, lv))
    videos = [v for v, _ in page.videos]
    assert videos == sorted(videos) and set(mine) <= set(videos)
    assert page.cursor == videos[-1]
    code = videos.index(rv)
    np.testing.assert_allclose(page.vectors[page.video_code == code], world["poses"]["righty"])
    after = m.similarity.pose_vectors(after_video=mine[0])
    assert mine[0] not in [v for v, _ in after.videos] and mine[1] in [v for v, _ in after.videos]
    assert len(m.similarity.pose_vectors(after_video=page.cursor)) == 0
    assert m.similarity.pose_vectors(after_video=page.cursor).cursor == ""
    # Swing vectors: the newest analysis of each video, none where it has no vector.
    one = m.similarity.swing_vectors(video=(rv, righty.id))
    assert one.videos == [(rv, righty.id)] and list(one.frame) == [-1]
    assert one.view == ["face-on"] and one.left_handed == [False] and one.phase == [None]
    np.testing.assert_allclose(one.vectors[0], world["swing"]["righty"], rtol=1e-6)
    assert len(m.similarity.swing_vectors(video=(world["bare"].id, righty.id))) == 0
    swings = m.similarity.swing_vectors(after_video="")
    keys = swings.videos
    assert (rv, righty.id) in keys and (lv, world["lefty"].id) in keys
    assert (world["bare"].id, righty.id) not in keys and len(keys) == len(set(keys))
    np.testing.assert_allclose(
        swings.vectors[keys.index((rv, righty.id))], world["swing"]["righty"]
    )
    assert swings.left_handed[keys.index((lv, world["lefty"].id))] is True


def test_similarity_change_feed(m, world):
    generation, head = m.similarity.feed_head()
    if m.db.dialect == "crate":
        # No in-memory index runs on CrateDB: the feed always says "nothing has changed".
        assert (generation, head) == (0, 0)
        assert m.similarity.feed_since("pose", 0) == []
        return
    righty = world["righty"]
    video = record_swing(m, righty, T0 + timedelta(days=5))
    assert m.similarity.feed_since("pose", head) == []
    m.poses.write_video_poses(video, np.full((3, 33, 4), 0.5, np.float32), 30.0)
    gen2, head2 = m.similarity.feed_head()
    assert gen2 == generation and head2 > head
    [entry] = m.similarity.feed_since("pose", head)
    assert (entry.video_id, entry.user_id, entry.seq) == (video.id, righty.id, head2)
    assert m.similarity.feed_since("swing", head) == []
    analyse(m, video, 55.0, at=T0 + timedelta(days=5, hours=1))
    swing_changes = m.similarity.feed_since("swing", head2)
    assert [(e.video_id, e.user_id) for e in swing_changes] == [(video.id, righty.id)]
    assert m.similarity.feed_since("pose", head2) == []
    assert len(m.similarity.feed_since("pose", 0, limit=1)) == 1
