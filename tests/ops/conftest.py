"""A small, realistic data set written through the managers, and helpers the ops tests share."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass

import numpy as np
import pytest

from analysis.engine.pose import pose_embeddings
from analysis.engine.synth import SwingParams, generate_swing
from swingvision.db.gateway import Database, parse_db_url
from swingvision.db.ids import new_id
from swingvision.db.managers import SYSTEM
from swingvision.storage import get_store, video_key


@dataclass
class Seeded:
    coach: object
    players: list
    videos: list
    blob_refs: list


def seed_dataset(mgr, make_user, *, players: int = 2, swings: int = 2, seed: int = 0) -> Seeded:
    """Coach, players, analysed swings with their poses, analyses and video blobs."""
    store = get_store()
    rng = np.random.default_rng(seed)
    coach = make_user("coach")
    made, videos, refs = [], [], []
    for p in range(players):
        player = make_user("player", coach=coach, settings={"handedness": "right"})
        made.append(player)
        for s in range(swings):
            swing = generate_swing(SwingParams(seed=seed * 100 + p * 10 + s, fps=30.0))
            video_id = new_id()
            blob = rng.integers(0, 256, size=20_000 + 1000 * s, dtype=np.uint8).tobytes()
            ref = store.put(
                video_key(player.id, video_id, "swing.mp4"), io.BytesIO(blob), content_type=""
            )
            video = mgr.videos.create(
                SYSTEM,
                player.id,
                filename="swing.mp4",
                status="analyzed",
                blob_ref=ref,
                duration_s=swing.n_frames / swing.fps,
                metadata={"fps": swing.fps, "club": "7-iron", "view": "face-on"},
                video_id=video_id,
            )
            emb = pose_embeddings(swing.keypoints, left_handed=False)
            mgr.poses.write_video_poses(video, swing.keypoints, swing.fps, embeddings=emb)
            mgr.analyses.save(
                video,
                engine_version="ops-test-1",
                overall_score=float(60 + 7 * p + 3 * s),
                metrics={k: float(v) for k, v in swing.metrics.items()},
                events={k: int(v) for k, v in swing.events.items()},
                feedback=[
                    {
                        "aspect": "tempo",
                        "finding": "backswing 3.1x downswing",
                        "recommendation": "keep it",
                        "priority": 1,
                    }
                ],
                details={},
                swing_embedding=None,
            )
            videos.append(video)
            refs.append(ref)
    return Seeded(coach=coach, players=made, videos=videos, blob_refs=refs)


def file_db(path) -> Database:
    return Database(parse_db_url(f"sqlite:///{os.fspath(path)}"))


@pytest.fixture
def seeded(mgr, make_user) -> Seeded:
    return seed_dataset(mgr, make_user)
