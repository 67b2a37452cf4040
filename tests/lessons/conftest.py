"""A team for the lesson tests: a coach and their player with an analysed swing, another coach
with a player of their own, an admin; recordings made once per session."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.clients import TeamClients
from tests.dashboard.helpers import account, add_swing
from tests.videos import conftest as video_fixtures

from .media import make_recording


@dataclass
class Team(TeamClients):
    m: object
    coach: object
    other_coach: object
    admin: object
    player: object
    other_player: object
    video: object
    video2: object
    other_video: object
    clients: dict = field(default_factory=dict)


@pytest.fixture(scope="module")
def team(gateway):
    from swingvision.db.managers import managers

    m = managers(gateway)
    coach = account(m, "coach", name="Casey Lessons")
    other_coach = account(m, "coach", name="Olive Outside")
    player = account(m, "player", coach=coach, name="Pat Pupil")
    other_player = account(m, "player", coach=other_coach, name="Otto Other")
    return Team(
        m=m,
        coach=coach,
        other_coach=other_coach,
        admin=account(m, "admin"),
        player=player,
        other_player=other_player,
        video=add_swing(m, player, seed=41, days_ago=2)[0],
        video2=add_swing(m, player, seed=42, days_ago=1)[0],
        other_video=add_swing(m, other_player, seed=43, days_ago=1)[0],
    )


@pytest.fixture(scope="session")
def recordings(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("recordings")
    return {
        "voice": make_recording(d / "voice.webm", seconds=2.0),
        "silent": make_recording(d / "silent.webm", seconds=1.5, audio=False),
        "long": make_recording(d / "long.webm", seconds=4.0, fps=5, width=64, height=48),
    }


upload_tmp = video_fixtures.upload_tmp  # Django's upload temp folder, to see it left empty


moto_endpoint = video_fixtures.moto_endpoint  # moto's S3 server on loopback, once per session


s3_store = video_fixtures.s3_store  # the app's store on a fresh bucket of that server
