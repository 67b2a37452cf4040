"""The IVF partition of the similarity index (large searches) and its snapshot (process start):
recall against the exact scan, filters, rows written or deleted after the build, restore."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.engine.pose import POSE_EMBEDDING_DIM
from analysis.engine.similarity import PHASES, VIEWS
from swingvision.db.managers.similarity import VectorRows
from swingvision.similarity import index as ix
from swingvision.similarity.index import Partition, SyncedIndex, VectorIndex
from tests.similarity.conftest import random_poses, scratch_db

DIM = POSE_EMBEDDING_DIM


def clustered_rows(rng, n_videos: int, frames: int, users: int = 40) -> VectorRows:
    """Videos of a few base swings: a base path, a per-video offset and per-frame noise (the
    shape of a real library)."""
    bases = np.cumsum(rng.normal(0, 0.15, size=(12, frames, DIM)), axis=1)
    vectors = np.concatenate(
        [
            bases[v % 12] + rng.normal(0, 0.05, DIM) + rng.normal(0, 0.01, (frames, DIM))
            for v in range(n_videos)
        ]
    ).astype(np.float32)
    n = n_videos * frames
    return VectorRows(
        videos=[(f"v{i:04d}", f"u{i % users:02d}") for i in range(n_videos)],
        video_code=np.repeat(np.arange(n_videos, dtype=np.int32), frames),
        frame=np.tile(np.arange(frames, dtype=np.int32), n_videos),
        phase=[PHASES[int(p)] for p in rng.integers(0, len(PHASES), n)],
        view=[VIEWS[v % 2] for v in np.repeat(np.arange(n_videos), frames)],
        left_handed=[False] * n,
        vectors=vectors,
    )


def keys(hits):
    return {(h.video_id, h.frame) for h in hits}


@pytest.fixture(scope="module")
def partitioned():
    rng = np.random.default_rng(5)
    rows = clustered_rows(rng, 400, 50)
    index = VectorIndex(DIM)
    index.replace(rows)
    vectors, layout = index.build_source()
    assert index.install_ann(Partition.build(vectors), len(vectors), layout)
    queries = rows.vectors[rng.integers(0, len(rows), 40)] + rng.normal(0, 0.02, (40, DIM))
    return index, rows, queries.astype(np.float32)


@pytest.mark.parametrize(
    "filters",
    [
        {"per_video": False},
        {"per_video": True},
        {"per_video": True, "view": "face-on"},
        {"per_video": False, "users": frozenset(f"u{i:02d}" for i in range(25))},
        {"per_video": True, "phase": "top"},  # narrow: exact scan
    ],
    ids=["top10", "per-swing", "view", "big-scope", "phase"],
)
def test_partition_recall_against_the_exact_scan(partitioned, filters):
    index, _rows, queries = partitioned
    assert index.ann_rows == len(index)
    recall = []
    for q in queries:
        got = index.search(q, 10, **filters)
        want = index.search(q, 10, exact=True, **filters)
        assert len(got) == len(want) == 10
        recall.append(len(keys(got) & keys(want)) / 10)
        # Distances are exact whatever the path: the same row has the same distance.
        exact = {(h.video_id, h.frame): h.distance for h in want}
        for h in got:
            if (h.video_id, h.frame) in exact:
                assert h.distance == pytest.approx(exact[(h.video_id, h.frame)], abs=1e-9)
    assert np.mean(recall) >= 0.95, np.mean(recall)


def test_rows_written_or_deleted_after_the_build():
    rng = np.random.default_rng(9)
    rows = clustered_rows(rng, 200, 40)
    index = VectorIndex(DIM)
    index.replace(rows)
    vectors, layout = index.build_source()
    assert index.install_ann(Partition.build(vectors), len(vectors), layout)
    q = rows.vectors[123] + 0.01
    new = clustered_rows(rng, 1, 50)
    new = VectorRows(
        videos=[("fresh", "u99")],
        video_code=new.video_code,
        frame=new.frame,
        phase=new.phase,
        view=new.view,
        left_handed=new.left_handed,
        vectors=np.repeat(q[None], 50, axis=0),
    )
    covered = index.ann_rows
    index.replace(new)
    assert index.ann_rows == covered  # the new rows are the tail
    assert index.search(q, 1, per_video=False)[0].video_id == "fresh"
    best = index.search(q, 1, per_video=False, exclude_video="fresh")[0].video_id
    index.replace(
        VectorRows(
            videos=[],
            video_code=np.zeros(0, np.int32),
            frame=np.zeros(0, np.int32),
            phase=[],
            view=[],
            left_handed=[],
            vectors=np.zeros((0, DIM), np.float32),
        ),
        only=[(best, rows.videos[int(best[1:])][1])],
    )
    after = index.search(q, 10, per_video=True, exclude_video="fresh")
    assert best not in {h.video_id for h in after} and len(after) == 10


def test_snapshot_restores_and_follows_the_feed(tmp_path, monkeypatch):
    monkeypatch.setattr(ix, "ANN_MIN_ROWS", 200)
    db, m, player = scratch_db(tmp_path / "snap.db")
    rng = np.random.default_rng(3)

    def add(name: str):
        return random_poses(m, player, rng, name, frames=60, dim=DIM)

    videos = [add(f"{i}.mp4") for i in range(5)]
    first = SyncedIndex(db, "pose", DIM, background=False)
    first.sync()
    assert first.index.ann_rows == 300 and not first.restored
    assert (tmp_path / "snap.db.similarity" / "pose.json").exists()
    q = videos[2][1][7]
    second = SyncedIndex(db, "pose", DIM)
    hits = second.search(q, 3)
    assert second.restored and second.index.ann_rows == 300
    assert (hits[0].video_id, hits[0].frame) == (videos[2][0].id, 7)
    assert [h.video_id for h in hits] == [h.video_id for h in first.search(q, 3)]
    # Written after the snapshot, by another connection: found through the feed (the tail).
    late, late_emb = add("late.mp4")
    third = SyncedIndex(db, "pose", DIM)
    found = third.search(late_emb[11], 1)[0]
    assert third.restored and (found.video_id, found.frame) == (late.id, 11)
