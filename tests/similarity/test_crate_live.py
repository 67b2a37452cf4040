"""Similarity search on a live CrateDB (SWINGVISION_CRATEDB_URL): KNN_MATCH candidates with the
scope filter, re-ranked exactly, must give the exact answer; every similarity query runs."""

from __future__ import annotations

import numpy as np
import pytest

from tests.backends import CRATE_URL, drop_backend, open_backend
from tests.factories import account

pytestmark = [
    pytest.mark.crate,
    pytest.mark.skipif(not CRATE_URL, reason="SWINGVISION_CRATEDB_URL is not set"),
]


@pytest.fixture(scope="module")
def crate(tmp_path_factory):
    from swingvision.db.managers import managers

    db = open_backend("crate", tmp_path_factory.mktemp("crate-sim"))
    yield managers(db)
    drop_backend(db)


@pytest.fixture(scope="module")
def world(crate):
    from analysis.engine.synth import SwingParams, generate_swing
    from analysis.pipeline import LoadedPoses, analyze_and_store
    from swingvision.db.managers import SYSTEM

    m = crate
    coach, other_coach = account(m, "coach"), account(m, "coach")
    righty = account(m, "player", coach=coach, settings={"handedness": "right"})
    lefty = account(m, "player", coach=coach, settings={"handedness": "left"})
    other = account(m, "player", coach=other_coach)
    swings = {}
    plan = [
        ("right80", righty, {"shoulder_turn_deg": 80.0, "seed": 1}),
        ("right95", righty, {"shoulder_turn_deg": 95.0, "seed": 2}),
        ("right110", righty, {"shoulder_turn_deg": 110.0, "seed": 3}),
        ("left95", lefty, {"shoulder_turn_deg": 95.0, "seed": 4, "left_handed": True}),
        ("other95", other, {"shoulder_turn_deg": 95.0, "seed": 5}),
    ]
    for name, player, params in plan:
        p = SwingParams(width=640, height=480, **params)
        swing = generate_swing(p)
        video = m.videos.create(
            SYSTEM, player.id, filename=f"{name}.mp4", status="processing",
            metadata={"fps": p.fps, "width": 640, "height": 480, "view": p.view},
        )  # fmt: skip
        analysis = analyze_and_store(
            m, video, LoadedPoses(keypoints=swing.keypoints, fps=p.fps, source="synthetic",
                                  width=640, height=480), player=player,
        )  # fmt: skip
        swings[name] = (video, analysis)
    for table in ("poses", "swing_analysis", "users", "videos"):
        m.db.refresh(table)
    return {"m": m, "coach": coach, "other_coach": other_coach, "righty": righty,
            "lefty": lefty, "other": other, "swings": swings}  # fmt: skip


def exact_answer(m, query, user_ids, exclude, k, phase=None):
    """Brute force over every stored pose of the allowed users (the oracle)."""
    from analysis.engine.similarity import exact_distances
    from swingvision.db.managers import SYSTEM

    best = {}
    for uid in user_ids:
        for video in m.videos.for_player(SYSTEM, uid, limit=100):
            if video.id == exclude:
                continue
            poses = [p for p in m.poses.for_video(SYSTEM, uid, video.id) if p.embedding is not None]
            poses = [p for p in poses if phase is None or p.phase == phase]
            if not poses:
                continue
            d = exact_distances(np.stack([p.embedding for p in poses]), query)
            i = int(np.argmin(d))
            best[video.id] = (float(d[i]), poses[i].frame_number)
    return sorted(((d, v, f) for v, (d, f) in best.items()))[:k]


@pytest.mark.parametrize("same_phase", [False, True])
def test_knn_with_scope_matches_the_exact_answer(world, same_phase):
    from swingvision.similarity import service

    m = world["m"]
    video, analysis = world["swings"]["right95"]
    q = service.position_query(
        m.db, world["coach"], video.user_id, video.id, analysis.events["top"]
    )
    scope = m.similarity.scope(world["coach"])
    flt = service.filters_for(q, same_phase=same_phase, same_view=True, same_hand=False)
    hits = service.search(
        m.db, world["coach"], q, scope, flt, k=5, engine=service.DatabaseEngine(m.db)
    )
    want = exact_answer(
        m, q.vector, [world["righty"].id, world["lefty"].id], video.id, 5,
        phase="top" if same_phase else None,
    )  # fmt: skip
    assert [(h.video.id, h.frame_number) for h in hits] == [(v, f) for _, v, f in want]
    np.testing.assert_allclose([h.distance for h in hits], [d for d, _, _ in want], rtol=1e-6)
    assert world["other"].id not in {h.player.id for h in hits}
    assert hits[0].video.id == world["swings"]["left95"][0].id


def test_scope_keeps_each_coach_to_their_players(world):
    from swingvision.similarity import service

    m = world["m"]
    cases = [
        (world["other_coach"], "other95", {world["other"].id}),
        (world["righty"], "right95", {world["righty"].id}),
    ]
    for actor, name, allowed in cases:
        video, analysis = world["swings"][name]
        q = service.position_query(m.db, actor, video.user_id, video.id, analysis.events["top"])
        scope = m.similarity.scope(actor, "all")
        flt = service.filters_for(q, same_phase=False, same_view=False, same_hand=False)
        engine = service.DatabaseEngine(m.db)
        hits = service.search(m.db, actor, q, scope, flt, k=20, engine=engine)
        assert {h.player.id for h in hits} <= allowed


def test_swing_knn_and_every_similarity_query_runs(world):
    from swingvision.similarity import service

    m = world["m"]
    video, _ = world["swings"]["right95"]
    q = service.swing_query(m.db, world["coach"], video.user_id, video.id)
    scope = m.similarity.scope(world["coach"])
    flt = service.filters_for(q, same_phase=False, same_view=True, same_hand=False)
    hits = service.search(m.db, world["coach"], q, scope, flt, engine=service.DatabaseEngine(m.db))
    # The oracle: every other swing of the coach's players, ranked by exact distance. (This
    # world's seeds put right80 nearest, not the mirrored left95 of the SQLite world.)
    from analysis.engine.similarity import exact_distances

    allowed = {world["righty"].id, world["lefty"].id}
    others = [(v, a) for v, a in world["swings"].values() if v.user_id in allowed and v != video]
    d = exact_distances(np.stack([a.swing_embedding for _, a in others]), q.vector)
    expected = [others[i][0].id for i in np.argsort(d)]
    assert [h.video.id for h in hits] == expected
    assert [h.distance for h in hits] == pytest.approx(sorted(d.tolist()), rel=1e-5)
    # The queries the in-memory index reads exist and run here too (CrateDB has no feed).
    assert m.similarity.feed_head() == (0, 0)
    assert m.similarity.feed_since("pose", 0) == []
    assert len(m.similarity.pose_vectors(after_video="")) > 0
    assert len(m.similarity.swing_vectors(after_video="")) == 5
