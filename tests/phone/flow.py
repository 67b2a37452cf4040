"""Uploading a clip as a coach would and running the worker on it (shared with the browser tests)."""

from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from analysis import worker
from swingvision.db.managers import SYSTEM
from swingvision.db.records import User, Video

from . import phone_media


def upload(
    client,
    player_id: str,
    path: Path,
    *,
    content_type: str,
    pose: bytes | None = None,
    **fields,
) -> dict:
    """POST the clip (and its pose file) to the upload page as its JSON client does."""
    data = {"file": SimpleUploadedFile(path.name, path.read_bytes(), content_type), **fields}
    if pose is not None:
        data["pose_file"] = SimpleUploadedFile("poses.csv", pose, "text/csv")
    r = client.post(f"/players/{player_id}/upload/", data, HTTP_ACCEPT="application/json")
    assert r.status_code == 201, r.content[:500]
    return r.json()["videos"][0]


def process(mgr, player_id: str, video_id: str) -> Video:
    """The worker's job for this video: claim it, then process it as `run_once` does. (Only this
    video: the session's database holds other tests' queued uploads.)"""
    video = mgr.videos.get(SYSTEM, player_id, video_id)
    assert mgr.videos.transition(video, "uploaded", "processing")
    return worker.process_video(mgr.videos.get_system(player_id, video_id), m=mgr)


@dataclass(frozen=True)
class PhoneTeam:
    coach: User
    player: User
    swings: dict[str, Video]  # by clip kind, plus "baked-8x" (slow motion in a 30 fps file)


@functools.cache
def phone_team() -> PhoneTeam:
    """A coach and a player whose swings are the four phone clips and a baked-in slow-motion
    clip, each uploaded through the upload page and processed by the worker: made once per test
    process for the browser tests (the session's database and store)."""
    from django.test import Client

    from analysis.synth import render_video
    from swingvision.accounts.throttle import login_throttle
    from swingvision.db.managers import managers
    from tests.conftest import TEST_PASSWORD, unique

    m = managers()

    def user(role: str, name: str, coach: User | None = None) -> User:
        username = unique(role)
        return m.users.create(
            username=username,
            email=f"{username}@example.com",
            password=TEST_PASSWORD,
            role=role,
            coach_id=coach.id if coach else None,
            full_name=name,
        )

    coach = user("coach", "Pat Phone")
    player = user("player", "Alex Portrait", coach)
    login_throttle.reset()
    client = Client()
    assert (
        client.post("/login/", {"username": coach.username, "password": TEST_PASSWORD}).status_code
        == 302
    )
    swings = {}
    for kind, clip in phone_media.phone_clips().items():
        sent = upload(
            client,
            player.id,
            clip.path,
            content_type=clip.content_type,
            pose=phone_media.pose_csv(clip.swing),
        )
        swings[kind] = process(m, player.id, sent["id"])
    baked = phone_media.baked_slow_motion()
    path = Path(tempfile.mkdtemp(prefix="sv-baked-")) / "slowmo-8x.mp4"
    render_video(baked, path, frame_rate_override=30.0)
    sent = upload(
        client,
        player.id,
        path,
        content_type="video/mp4",
        pose=phone_media.pose_csv(baked, with_fps=False),
        capture_fps="240",
    )
    swings["baked-8x"] = process(m, player.id, sent["id"])
    for kind, video in swings.items():
        assert video.status == "analyzed", (kind, video.metadata)
    return PhoneTeam(coach=coach, player=player, swings=swings)
