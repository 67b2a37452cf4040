"""A world of generated swings for the similarity tests, pushed through the real pipeline.

Coach A has three players: `righty` (right-handed, face-on) with five swings whose shoulder turn
steps 15° from 65° to 125°; `lefty`, the left-handed twin of righty's 95° swing (the same body
and motion mirrored, with its own noise); and `dtl`, a 95° swing filmed down the line. Coach B's
player `other` has a 95° swing too: the best match of righty's 95° swing in the whole database,
which coach A must never see. Noise is the generator's realistic 0.003 of the frame; 15° steps
keep the turn's signal above it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest

from swingvision.db.gateway import Database, parse_db_url
from swingvision.db.managers import SYSTEM, managers
from swingvision.db.migrate import migrate
from tests.factories import account

TURNS = (65.0, 80.0, 95.0, 110.0, 125.0)


@dataclass
class SimilarityWorld:
    coach: object
    other_coach: object
    admin: object
    righty: object
    lefty: object
    dtl: object
    other: object
    swings: dict = field(default_factory=dict)  # name -> (video, analysis, synthetic swing)

    def video(self, name: str):
        return self.swings[name][0]

    def top(self, name: str) -> int:
        return int(self.swings[name][1].events["top"])

    def names_of(self, video_ids) -> list[str]:
        by_id = {v.id: name for name, (v, _, _) in self.swings.items()}
        return [by_id.get(v, v) for v in video_ids]


def scratch_db(path):
    """A migrated SQLite file of its own at `path`: (its gateway, its managers, a player of a
    coach)."""
    db = Database(parse_db_url(f"sqlite:///{path}"))
    migrate(db)
    m = managers(db)
    return db, m, account(m, "player", coach=account(m, "coach"))


def random_poses(m, player, rng, name: str, *, frames: int, dim: int):
    """A video of `frames` random poses, all at the top, with random pose vectors of `dim`:
    (the video, its vectors)."""
    video = m.videos.create(SYSTEM, player.id, filename=name)
    kp = rng.uniform(0.3, 0.7, size=(frames, 33, 4)).astype(np.float32)
    emb = rng.normal(size=(frames, dim)).astype(np.float32)
    m.poses.write_video_poses(video, kp, 30.0, embeddings=emb, phases=["top"] * frames)
    return video, emb


def add_swing(m, world: SimilarityWorld, name: str, player, **params):
    from analysis.engine.synth import SwingParams, generate_swing
    from analysis.pipeline import LoadedPoses, analyze_and_store
    from swingvision.db.managers import SYSTEM

    p = SwingParams(width=640, height=480, **params)
    swing = generate_swing(p)
    video = m.videos.create(
        SYSTEM,
        player.id,
        filename=f"{name}.mp4",
        status="processing",
        metadata={"fps": p.fps, "width": p.width, "height": p.height, "view": p.view},
    )
    poses = LoadedPoses(
        keypoints=swing.keypoints, fps=p.fps, source="synthetic", width=p.width, height=p.height
    )
    analysis = analyze_and_store(m, video, poses, player=player)
    m.videos.transition(video, "processing", "analyzed")
    world.swings[name] = (m.videos.get_system(player.id, video.id), analysis, swing)
    return world.swings[name]


@pytest.fixture(scope="session")
def sim_world(gateway) -> SimilarityWorld:
    from swingvision.db.managers import managers

    m = managers(gateway)
    coach = account(m, "coach", name="Casey Similar")
    other_coach = account(m, "coach", name="Olive Elsewhere")
    world = SimilarityWorld(
        coach=coach,
        other_coach=other_coach,
        admin=account(m, "admin", name="Ada Similar"),
        righty=account(
            m, "player", coach=coach, name="Rita Right", settings={"handedness": "right"}
        ),
        lefty=account(m, "player", coach=coach, name="Lou Left", settings={"handedness": "left"}),
        dtl=account(m, "player", coach=coach, name="Dee Line", settings={"view": "down-the-line"}),
        other=account(m, "player", coach=other_coach, name="Otto Other"),
    )
    for i, turn in enumerate(TURNS):
        add_swing(m, world, f"right{int(turn)}", world.righty, shoulder_turn_deg=turn, seed=i)
    add_swing(m, world, "left95", world.lefty, shoulder_turn_deg=95.0, seed=99, left_handed=True)
    add_swing(m, world, "dtl95", world.dtl, shoulder_turn_deg=95.0, seed=7, view="down-the-line")
    add_swing(m, world, "other95", world.other, shoulder_turn_deg=95.0, seed=50)
    add_swing(m, world, "other80", world.other, shoulder_turn_deg=80.0, seed=51)
    return world
