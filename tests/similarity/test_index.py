"""The embedded backend's in-memory index: exact answers, filters, and staying current across
connections and processes through the change feed."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from analysis.engine.pose import POSE_EMBEDDING_DIM
from analysis.engine.similarity import PHASES, VIEWS, exact_distances, frame_phases
from swingvision.db.managers import SYSTEM, managers
from swingvision.db.managers.similarity import VectorRows
from swingvision.similarity.index import SyncedIndex, VectorIndex, index_for
from tests.factories import account
from tests.similarity.conftest import random_poses, scratch_db

ROOT = Path(__file__).resolve().parents[2]


def random_rows(rng, n_videos: int, frames: int, dim: int = 39, users: int = 5) -> VectorRows:
    n = n_videos * frames
    return VectorRows(
        videos=[(f"v{i}", f"u{i % users}") for i in range(n_videos)],
        video_code=np.repeat(np.arange(n_videos, dtype=np.int32), frames),
        frame=np.tile(np.arange(frames, dtype=np.int32), n_videos),
        phase=[PHASES[int(p)] for p in rng.integers(0, len(PHASES), n)],
        view=[VIEWS[int(v)] for v in rng.integers(0, 2, n)],
        left_handed=[bool(h) for h in rng.integers(0, 2, n)],
        vectors=rng.normal(size=(n, dim)).astype(np.float32),
    )


def brute(rows: VectorRows, q, k, *, users=None, phase=None, view=None, hand=None, per_video):
    keep = np.ones(len(rows), dtype=bool)
    vid_user = [u for _, u in rows.videos]
    if users is not None:
        keep &= np.array([vid_user[c] in users for c in rows.video_code])
    if phase is not None:
        keep &= np.array([p == phase for p in rows.phase])
    if view is not None:
        keep &= np.array([v == view for v in rows.view])
    if hand is not None:
        keep &= np.array([h is hand for h in rows.left_handed])
    idx = np.flatnonzero(keep)
    d = exact_distances(rows.vectors[idx], q)
    out, seen = [], set()
    for i in np.argsort(d, kind="stable"):
        video = rows.videos[rows.video_code[idx[i]]][0]
        if per_video and video in seen:
            continue
        seen.add(video)
        out.append((video, int(rows.frame[idx[i]]), round(float(d[i]), 9)))
    return out[:k]


def as_tuples(hits):
    return [(h.video_id, h.frame, round(h.distance, 9)) for h in hits]


@pytest.mark.parametrize("per_video", [True, False])
def test_index_answers_exactly_what_a_brute_force_answers(per_video):
    rng = np.random.default_rng(11)
    rows = random_rows(rng, 300, 40)
    index = VectorIndex(39)
    index.replace(rows)
    assert len(index) == 12_000 and index.videos() == 300
    for trial in range(20):
        q = rng.normal(size=39).astype(np.float32)
        flt = [
            {},
            {"users": frozenset({"u1"})},  # a small scope: searched on its own rows
            {"users": frozenset({"u0", "u1", "u2", "u3"})},  # a large one: masked
            {"phase": "top"},
            {"view": "face-on", "left_handed": True},
        ][trial % 5]
        got = index.search(q, 10, per_video=per_video, **flt)
        want = brute(
            rows,
            q,
            10,
            users=flt.get("users"),
            phase=flt.get("phase"),
            view=flt.get("view"),
            hand=flt.get("left_handed"),
            per_video=per_video,
        )
        assert as_tuples(got) == want


def test_replacing_and_removing_videos_and_compaction():
    rng = np.random.default_rng(5)
    rows = random_rows(rng, 20, 10)
    index = VectorIndex(39, capacity=16)
    index.replace(rows)
    q = rows.vectors[0]
    assert index.search(q, 1)[0].video_id == "v0"
    # v0 rewritten far away: it is no longer the nearest, and nothing of the old rows is left.
    moved = VectorRows(
        videos=[("v0", "u0")],
        video_code=np.zeros(10, dtype=np.int32),
        frame=np.arange(10, dtype=np.int32),
        phase=["top"] * 10,
        view=["face-on"] * 10,
        left_handed=[False] * 10,
        vectors=rows.vectors[:10] + 100,
    )
    index.replace(moved, only=[("v0", "u0")])
    assert index.search(q, 1)[0].video_id != "v0"
    assert len(index) == 200
    # A video in `only` that the load did not return is gone; enough dead rows compact.
    empty = VectorRows(
        videos=[], video_code=np.zeros(0, dtype=np.int32), frame=np.zeros(0, dtype=np.int32),
        phase=[], view=[], left_handed=[], vectors=np.zeros((0, 39), dtype=np.float32),
    )  # fmt: skip
    for i in range(1, 8):
        index.replace(empty, only=[(f"v{i}", f"u{i % 5}")])
    assert len(index) == 130 and index.videos() == 13
    assert index._dead * 4 < index._n  # compacted on the way, whenever a quarter was dead
    before = as_tuples(index.search(q, 20, per_video=False))
    index.compact()
    assert index._n == 130 and index._dead == 0
    assert as_tuples(index.search(q, 20, per_video=False)) == before
    hits = index.search(q, 50, per_video=False)
    assert {h.video_id for h in hits}.isdisjoint({f"v{i}" for i in range(1, 8)})


def test_frame_phases_follow_the_events():
    events = {"address": 2, "toe_up": 4, "mid_backswing": 5, "top": 7, "mid_downswing": 9,
              "impact": 10, "mid_follow_through": 11, "finish": 13}  # fmt: skip
    got = frame_phases(events, 15)
    assert got[:3] == ["setup", "setup", "address"]
    assert got[3] == "takeaway" and got[6] == "late_backswing" and got[7] == "top"
    assert got[8] == "transition" and got[12] == "late_follow_through" and got[14] == "after_finish"
    # A missing event: its stretch joins the phase before it.
    got = frame_phases({**events, "mid_backswing": None}, 15)
    assert got[5] == "early_backswing" and got[6] == "early_backswing"
    assert frame_phases({}, 3) == [None, None, None]


# -- staying current across connections and processes ------------------------------------------
WRITER = textwrap.dedent(
    """
    import sys
    import numpy as np
    from swingvision.db.gateway import Database, parse_db_url
    from swingvision.db.managers import SYSTEM, managers

    url, action, player_id, video_id = sys.argv[1:5]
    m = managers(Database(parse_db_url(url)))
    video = m.videos.get_system(player_id, video_id)
    if action == "delete":
        m.videos.delete(SYSTEM, video)
    else:
        data = np.load(sys.argv[5])
        phase = [str(p) if p else None for p in data["phases"]]
        m.poses.write_video_poses(
            video, data["keypoints"], 30.0, embeddings=data["embeddings"], phases=phase,
            view="face-on", left_handed=False,
        )
    """
)


def write_from_another_process(url: str, action: str, video, data: Path | None = None) -> None:
    args = [sys.executable, "-c", WRITER, url, action, video.user_id, video.id]
    if data is not None:
        args.append(str(data))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run(args, check=True, env=env, cwd=ROOT, timeout=60)


def test_a_pose_written_by_another_process_is_found_by_the_next_search(
    gateway, sim_world, tmp_path
):
    w = sim_world
    m = managers(gateway)
    index = index_for(gateway, "pose")
    src = w.swings["right95"]
    q = src[0]
    query = m.similarity.query_pose(w.coach, q.user_id, q.id, w.top("right95")).embedding
    index.search(query, 5)  # loaded and current before the other process writes
    loaded_seq = index.seq

    player = account(m, "player", coach=w.coach, name="Copy Cat")
    video = m.videos.create(SYSTEM, player.id, filename="copy.mp4", metadata={"view": "face-on"})
    # The copy holds righty's 95° swing exactly: its top is at distance 0 from the query.
    stored = m.poses.for_video(SYSTEM, q.user_id, q.id)
    data = tmp_path / "copy.npz"
    np.savez(
        data,
        keypoints=np.stack([p.keypoints for p in stored]),
        embeddings=np.stack([p.embedding for p in stored]),
        phases=np.array([p.phase or "" for p in stored]),
    )
    url = f"sqlite:///{gateway.config.path}"
    write_from_another_process(url, "write", video, data)

    coach_scope = frozenset({w.righty.id, w.lefty.id, w.dtl.id, player.id})
    hits = index.search(query, 3, users=coach_scope, exclude_video=q.id)
    assert index.seq > loaded_seq
    assert (hits[0].video_id, hits[0].frame, hits[0].distance) == (video.id, w.top("right95"), 0.0)
    assert hits[0].phase == "top"
    # Re-written with other phases by the other process: the filter sees the new ones at once.
    np.savez(
        data,
        keypoints=np.stack([p.keypoints for p in stored]),
        embeddings=np.stack([p.embedding for p in stored]),
        phases=np.array(["finish"] * len(stored)),
    )
    write_from_another_process(url, "write", video, data)
    top_hits = index.search(query, 10, users=coach_scope, phase="top", exclude_video=q.id)
    assert video.id not in {h.video_id for h in top_hits}
    assert index.search(query, 1, users=coach_scope, phase="finish")[0].video_id == video.id
    # Deleted by the other process: gone from the next search.
    write_from_another_process(url, "delete", video)
    hits = index.search(query, 10, users=coach_scope, exclude_video=q.id)
    assert video.id not in {h.video_id for h in hits}


def test_a_restore_reloads_the_whole_index(tmp_path, sim_world):
    """SQLite's backup API rewrites the file under open connections and bumps its schema cookie:
    the index notices and reloads, so a video the restore took away is gone."""
    db, m, player = scratch_db(tmp_path / "restore.db")
    rng = np.random.default_rng(2)

    def add(name: str):
        return random_poses(m, player, rng, name, frames=6, dim=POSE_EMBEDDING_DIM)

    first, emb = add("first.mp4")
    index = SyncedIndex(db, "pose", POSE_EMBEDDING_DIM)
    index.sync()
    db.sqlite_backup_to(tmp_path / "snapshot.db")
    second, emb2 = add("second.mp4")
    assert index.search(emb2[0], 1)[0].video_id == second.id
    generation = index.generation
    db.sqlite_restore_from(tmp_path / "snapshot.db")
    hits = index.search(emb2[0], 5)
    assert index.generation != generation
    assert {h.video_id for h in hits} == {first.id}
    db.close()
