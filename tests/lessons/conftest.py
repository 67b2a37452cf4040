"""A team for the lesson tests: a coach and their player with an analysed swing, another coach
with a player of their own, an admin; recordings made once per session."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import TEST_PASSWORD
from tests.dashboard.helpers import account, add_swing

from .media import make_recording


@dataclass
class Team:
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

    def client(self, user) -> Client:
        if user is None:
            return Client()
        if user.id not in self.clients:
            from swingvision.accounts.throttle import login_throttle

            login_throttle.reset()
            c = Client()
            r = c.post("/login/", {"username": user.username, "password": TEST_PASSWORD})
            assert r.status_code == 302, r.content[:300]
            self.clients[user.id] = c
        return self.clients[user.id]


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


@pytest.fixture
def upload_tmp(settings, tmp_path) -> Path:
    """Django's temporary upload files go here, so a test can see that none is left behind."""
    d = tmp_path / "upload-tmp"
    d.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(d)
    return d
