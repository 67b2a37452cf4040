"""A small world for the security tests: two coaches, a player of each, an admin, and the first
player's swing with a video file, poses, an analysis, a progress row and an API token.

The six roles the access matrix checks: anonymous, player, other_player, coach, other_coach, admin.
"`other_player`" belongs to `other_coach`; neither may see anything of `player`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
import pytest
from django.test import Client

from tests.factories import TEST_PASSWORD, account, unique

ROLES = ("anonymous", "player", "other_player", "coach", "other_coach", "admin")


@dataclass
class World:
    users: dict  # role -> User (no "anonymous")
    video: object
    analysis: object
    token_id: str
    frame: int
    ids: dict = field(default_factory=dict)  # other records by URL kwarg name (drill_id, ...)
    clients: dict = field(default_factory=dict)  # role -> logged-in Client (built lazily)

    @property
    def player(self):
        return self.users["player"]

    def client(self, role: str) -> Client:
        """A logged-in client per role (one session each, reused across the module)."""
        if role == "anonymous":
            return Client(raise_request_exception=False)
        if role not in self.clients:
            from swingvision.accounts.throttle import login_throttle

            login_throttle.reset()
            c = Client(raise_request_exception=False)
            r = c.post(
                "/login/", {"username": self.users[role].username, "password": TEST_PASSWORD}
            )
            assert r.status_code == 302, r.content[:300]
            self.clients[role] = c
        return self.clients[role]


def build_world(m) -> World:
    from swingvision.db.managers import SYSTEM
    from swingvision.storage import get_store, video_key

    coach = account(m, "coach", name="Casey Matrix")
    other_coach = account(m, "coach", name="Olive Other")
    player = account(m, "player", coach=coach, name="Pat Matrix")
    other_player = account(m, "player", coach=other_coach, name="Quinn Other")
    admin = account(m, "admin", name="Ada Admin")

    video = m.videos.create(SYSTEM, player.id, filename="swing.mp4", status="uploaded")
    ref = get_store().put(
        video_key(player.id, video.id, "swing.mp4"), io.BytesIO(b"\x00" * 2048), content_type=""
    )
    poster = get_store().put(
        f"thumbs/{player.id}/{video.id}/poster.webp", io.BytesIO(b"RIFF0000WEBP"), content_type=""
    )
    video = m.videos.update(
        video,
        blob_ref=ref,
        status="analyzed",
        duration_s=1.5,
        metadata={
            "fps": 30.0,
            "width": 640,
            "height": 480,
            "view": "face-on",
            "thumbs": {"poster_ref": poster, "version": "1"},
        },
    )
    rng = np.random.default_rng(7)
    keypoints = rng.uniform(0.2, 0.8, size=(12, 33, 4)).astype(np.float32)
    m.poses.write_video_poses(video, keypoints, 30.0)
    analysis = m.analyses.save(
        video,
        engine_version="test-1",
        overall_score=71.5,
        metrics={"tempo_ratio": 2.9, "shoulder_turn_deg": 91.0},
        events={"address": 0, "top": 5, "impact": 8},
        feedback=[
            {
                "aspect": "tempo_ratio",
                "finding": "Tempo 2.9:1 is close to 3:1.",
                "recommendation": "Keep the rhythm.",
                "priority": 2,
            }
        ],
        details={"metrics": {"tempo_ratio": {"score": 90.0}}},
        swing_embedding=None,
    )
    m.progress.recompute_player(player.id)
    # One library per test session: each module's world adds a drill of a name of its own.
    drill = m.drills.create(coach, name=unique("Pause at the top "), aspect="tempo_ratio")
    note = m.notes.create(coach, player.id, video.id, text="Good tempo on this one.")
    _, annotation = m.coaching.add_annotation(
        coach, player.id, video.id, {"kind": "text", "points": [{"x": 0.5, "y": 0.5}], "text": "ok"}
    )
    lesson_blob = get_store().put(
        f"lessons/{player.id}/matrix/recording.webm",
        io.BytesIO(b"\x1a\x45\xdf\xa3" + b"\x00" * 2044),
        content_type="video/webm",
    )
    lesson = m.lessons.create(
        coach,
        player.id,
        video_ids=[video.id],
        title="Hold the top",
        duration_s=2.0,
        blob_ref=lesson_blob,
        content_type="video/webm",
        size_bytes=2048,
    )
    _, raw = m.tokens.create(player, name="matrix")
    token = next(t for t in m.tokens.for_user(player) if t.name == "matrix")
    del raw
    users = {
        "player": player,
        "other_player": other_player,
        "coach": coach,
        "other_coach": other_coach,
        "admin": admin,
    }
    return World(
        users=users,
        video=video,
        analysis=analysis,
        token_id=token.id,
        frame=3,
        ids={
            "drill_id": drill.id,
            "note_id": note.id,
            "annotation_id": annotation["id"],
            "lesson_id": lesson.id,
        },
    )


@pytest.fixture(scope="module")
def world(gateway):
    from swingvision.db.managers import managers

    return build_world(managers(gateway))
