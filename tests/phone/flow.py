"""Uploading a clip as a coach would and running the worker on it (shared with the browser tests)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from analysis import worker
from swingvision.db.managers import SYSTEM, Managers
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


def upload_clip(client, mgr, player_id: str, kind: str) -> Video:
    """One of the phone clips (tests/phone/phone_media.phone_clips) with its pose file, uploaded
    and processed."""
    clip = phone_media.phone_clips()[kind]
    pose = phone_media.pose_csv(clip.swing)
    sent = upload(client, player_id, clip.path, content_type=clip.content_type, pose=pose)
    return process(mgr, player_id, sent["id"])


def process(mgr, player_id: str, video_id: str) -> Video:
    """The worker's job for this video: claim it, then process it as `run_once` does. (Only this
    video: the session's database holds other tests' queued uploads.)"""
    video = mgr.videos.get(SYSTEM, player_id, video_id)
    assert mgr.videos.transition(video, "uploaded", "processing")
    return worker.process_video(mgr.videos.get_system(player_id, video_id), m=mgr)


@contextmanager
def private_app(root: Path) -> Iterator[Managers]:
    """The app on a database and video store of its own under `root` (migrated), and back on
    the session's afterwards. Phone clips add hundreds of 240 fps poses and swings that look
    like other suites' synthetic ones: kept apart, they change no other test's search or backup.
    Depend on the session's `gateway` fixture first, so that it exists before the switch."""
    from django.conf import settings

    from swingvision.db import get_db, reset_db
    from swingvision.db.managers import managers
    from swingvision.db.migrate import migrate
    from swingvision.storage import reset_store

    saved = settings.SWINGVISION_DB, settings.SWINGVISION_STORAGE
    settings.SWINGVISION_DB = f"sqlite:///{root / 'phone.db'}"
    settings.SWINGVISION_STORAGE = f"file://{root / 'videos'}"
    reset_db()
    reset_store()
    try:
        migrate(get_db())
        yield managers(get_db())
    finally:
        settings.SWINGVISION_DB, settings.SWINGVISION_STORAGE = saved
        reset_db()
        reset_store()


@dataclass(frozen=True)
class PhoneTeam:
    coach: User
    player: User
    swings: dict[str, Video]  # by clip kind, and "baked-8x" (slow motion in a 30 fps file)


def make_phone_team(m: Managers, kinds: tuple[str, ...], *, baked: bool = False) -> PhoneTeam:
    """A coach and a player whose swings are these phone clips (and a baked-in slow-motion
    clip), each uploaded through the upload page and processed by the worker."""
    from django.test import Client

    from analysis.engine.synth import render_video
    from swingvision.accounts.throttle import login_throttle
    from tests.conftest import TEST_PASSWORD
    from tests.dashboard.helpers import account

    coach = account(m, "coach", name="Pat Phone")
    player = account(m, "player", coach=coach, name="Alex Portrait")
    login_throttle.reset()
    client = Client()
    login = {"username": coach.username, "password": TEST_PASSWORD}
    assert client.post("/login/", login).status_code == 302
    swings = {kind: upload_clip(client, m, player.id, kind) for kind in kinds}
    if baked:
        swing = phone_media.baked_slow_motion()
        path = Path(tempfile.mkdtemp(prefix="sv-baked-")) / "slowmo-8x.mp4"
        render_video(swing, path, frame_rate_override=30.0)
        pose = phone_media.pose_csv(swing, with_fps=False)
        sent = upload(
            client, player.id, path, content_type="video/mp4", pose=pose, capture_fps="240"
        )
        swings["baked-8x"] = process(m, player.id, sent["id"])
        path.unlink()
    for kind, video in swings.items():
        assert video.status == "analyzed", (kind, video.metadata)
    return PhoneTeam(coach=coach, player=player, swings=swings)


@contextmanager
def phone_team_app(
    root: Path, kinds: tuple[str, ...], *, baked: bool = False
) -> Iterator[PhoneTeam]:
    """`make_phone_team` inside `private_app`: what the browser modules' fixtures yield."""
    with private_app(root) as m:
        yield make_phone_team(m, kinds, baked=baked)


def all_clips_team(gateway, live_url, tmp_path_factory) -> Iterator[PhoneTeam]:
    """A browser module's `team` fixture (`team = pytest.fixture(scope="module")(...)`): every
    phone clip and the baked-in slow motion, on the module's own database."""
    root = tmp_path_factory.mktemp("phone-app")
    with phone_team_app(root, phone_media.CLIP_KINDS, baked=True) as team:
        yield team
