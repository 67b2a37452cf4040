"""A module-wide team for the coach tools' page tests: a coach, their player with analysed swings
(one with a rendered video file), another coach with a player of their own, and an admin."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.clients import TeamClients
from tests.dashboard.helpers import account, add_swing


@dataclass
class Team(TeamClients):
    m: object
    coach: object
    other_coach: object
    admin: object
    player: object
    other_player: object
    swing: tuple  # (video, analysis, synthetic swing) with a stored video file
    plain: tuple  # a swing without a video file (skeleton-only replay)
    other_swing: tuple
    clients: dict = field(default_factory=dict)


def swing_with_video(m, player, *, seed: int = 31):
    """A swing whose rendered video is stored, analysed through the pipeline."""
    from analysis.engine.synth import render_video
    from swingvision.storage import get_store, video_key

    # A short turn and a slow backswing: the analysis has feedback (and the plan drills).
    video, analysis, swing = add_swing(
        m, player, seed=seed, days_ago=1, shoulder_turn_deg=72.0, backswing_s=1.05
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "swing.mp4"
        render_video(swing, path)
        with path.open("rb") as fh:
            ref = get_store().put(
                video_key(player.id, video.id, "swing.mp4"), fh, content_type="video/mp4"
            )
    video = m.videos.update(video, blob_ref=ref)
    return video, analysis, swing


@pytest.fixture(scope="module")
def team(gateway):
    from swingvision.coaching.library import seed_drills
    from swingvision.db.managers import managers

    m = managers(gateway)
    seed_drills(m)
    coach = account(m, "coach", name="Casey Tools")
    other_coach = account(m, "coach", name="Olive Outside")
    admin = account(m, "admin")
    player = account(m, "player", coach=coach, name="Pat Practice")
    other_player = account(m, "player", coach=other_coach, name="Otto Other")
    return Team(
        m=m,
        coach=coach,
        other_coach=other_coach,
        admin=admin,
        player=player,
        other_player=other_player,
        swing=swing_with_video(m, player),
        plain=add_swing(m, player, seed=32, days_ago=3, shoulder_turn_deg=76.0),
        other_swing=add_swing(m, other_player, seed=33, days_ago=2),
    )
