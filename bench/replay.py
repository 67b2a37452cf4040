"""The replay's pose data endpoint for a 900-frame swing, beside the bare floor in the same run.

- value: GET /players/<p>/swings/<v>/poses.json through Django's test Client, i.e. the whole stack
  a browser request takes (session lookup, authentication, scope checks, the video and analysis
  reads, the poses read, encoding, JSON, the CSP middleware), uncompressed;
- floor: the same rows (frame_number, keypoints of the poses table) read with sqlite3 directly and
  serialized with json into a comparable structure (the same scaled integers, null where a joint is
  missing), nothing else.
Target: value <= 2x floor. Measured interleaved; each figure is the median of its runs. Also
reported: the 304 revalidation, the view alone (RequestFactory, no middleware), the payload size
plain and gzipped.

The data lives in a scratch SQLite file under bench_dir() (kept for the next run); the app is
pointed at it for the duration of the run.
"""

from __future__ import annotations

import json
import os
import statistics
import time

import numpy as np

from bench.core import Figure, bench_dir

N_FRAMES = 900
CAPTURE_FPS = 300.0  # a high-speed clip: a whole swing in 900 frames
PLAYER_ID = "bench-replay-player"
COACH_ID = "bench-replay-coach"
VIDEO_ID = "bench-replay-900"
PASSWORD = "bench-replay-password-1"


def _use_database(path: str):
    """Point the app's gateway at the scratch file; returns a function that points it back."""
    from django.conf import settings

    from swingvision.db import get_db, reset_db
    from swingvision.db.migrate import migrate

    previous = settings.SWINGVISION_DB
    settings.SWINGVISION_DB = f"sqlite:///{path}"
    reset_db()
    migrate(get_db())

    def restore() -> None:
        settings.SWINGVISION_DB = previous
        reset_db()

    return restore


def _ensure_swing():
    """The coach, the player and the 900-frame analysed swing (made once, through the pipeline)."""
    from analysis.engine.synth import SwingParams, generate_swing
    from analysis.pipeline import LoadedPoses, analyze_and_store
    from swingvision.db.managers import SYSTEM, managers

    m = managers()
    coach = m.users.find(COACH_ID) or m.users.create(
        user_id=COACH_ID,
        username="bench.replay.coach",
        email="bench.replay.coach@example.com",
        password=PASSWORD,
        role="coach",
    )
    player = m.users.find(PLAYER_ID) or m.users.create(
        user_id=PLAYER_ID,
        username="bench.replay.player",
        email="bench.replay.player@example.com",
        password=PASSWORD,
        role="player",
        coach_id=coach.id,
    )
    video = m.videos.find_any(VIDEO_ID)
    if video is not None and video.status == "analyzed" and m.poses.count(video) == N_FRAMES:
        return coach, player, video
    if video is not None:
        m.videos.delete(SYSTEM, video)
    params = SwingParams(fps=CAPTURE_FPS, address_s=0.9, width=1280, height=720, seed=900)
    swing = generate_swing(params)
    assert swing.n_frames >= N_FRAMES, swing.n_frames
    keypoints = swing.keypoints[:N_FRAMES]
    video = m.videos.create(
        SYSTEM,
        player.id,
        video_id=VIDEO_ID,
        filename="swing-900.mp4",
        status="processing",
        metadata={
            "fps": 30.0,
            "capture_fps": CAPTURE_FPS,
            "frame_count": N_FRAMES,
            "width": 1280,
            "height": 720,
        },
        duration_s=N_FRAMES / 30.0,
    )
    poses = LoadedPoses(
        keypoints=keypoints, fps=CAPTURE_FPS, source="synthetic", width=1280, height=720
    )
    analyze_and_store(m, video, poses, player=player)
    m.videos.transition(m.videos.get_system(player.id, video.id), "processing", "analyzed")
    return coach, player, m.videos.get_system(player.id, video.id)


def _floor(path: str) -> bytes:
    """The bare way: sqlite3, the two columns, numpy to scaled ints, json.dumps."""
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT frame_number, keypoints FROM poses WHERE user_id = ? AND video_id = ? "
            "ORDER BY frame_number",
            (PLAYER_ID, VIDEO_ID),
        ).fetchall()
    finally:
        conn.close()
    frames = [r[0] for r in rows]
    kp = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), 33, 4)
    missing = np.isnan(kp[:, :, 0])
    out = np.empty((len(rows), 33, 3), dtype=np.int64)
    out[:, :, :2] = np.rint(np.nan_to_num(kp[:, :, :2]) * 10000)
    out[:, :, 2] = np.rint(np.nan_to_num(kp[:, :, 3]) * 100)
    values = out.astype(object)
    values[missing] = None
    return json.dumps(
        {"frames": frames, "kp": values.reshape(-1).tolist()}, separators=(",", ":")
    ).encode()


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def run(quick: bool) -> list[Figure]:
    from django.test import Client, RequestFactory

    from analysis.views import swing_poses
    from swingvision.accounts.throttle import login_throttle

    path = os.path.join(bench_dir(), "replay.db")
    restore = _use_database(path)
    try:
        coach, player, video = _ensure_swing()
        url = f"/players/{player.id}/swings/{video.id}/poses.json"
        client = Client()
        login_throttle.reset()
        r = client.post("/login/", {"username": coach.username, "password": PASSWORD})
        assert r.status_code == 302, r.status_code
        first = client.get(url)
        assert first.status_code == 200, first.status_code
        body = first.content
        data = json.loads(body)
        assert len(data["frames"]) == N_FRAMES and len(data["kp"]) == N_FRAMES * 33 * 3
        floor_body = _floor(path)
        assert json.loads(floor_body)["kp"] == data["kp"]  # the same numbers, the bare way
        etag = first["ETag"]
        factory = RequestFactory()

        def view_only():
            request = factory.get(url)
            request.user = coach
            request.htmx = False
            return swing_poses(request, player_id=player.id, video_id=video.id)

        rounds = 12 if quick else 60
        endpoint, floor, revalidate, bare_view = [], [], [], []
        for _ in range(rounds):  # interleaved, so both see the same machine load
            t0 = time.perf_counter()
            r = client.get(url)
            endpoint.append(time.perf_counter() - t0)
            assert r.status_code == 200
            t0 = time.perf_counter()
            _floor(path)
            floor.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            r = client.get(url, HTTP_IF_NONE_MATCH=etag)
            revalidate.append(time.perf_counter() - t0)
            assert r.status_code == 304
            t0 = time.perf_counter()
            view_only()
            bare_view.append(time.perf_counter() - t0)
        zipped = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        value, floor_ms = _median_ms(endpoint), _median_ms(floor)
        return [
            Figure(
                name=f"replay poses.json, {N_FRAMES} frames (test Client, full stack)",
                value=value,
                unit="ms",
                floor=floor_ms,
                floor_label="sqlite3 + json.dumps",
                target="<= 2x floor",
                passed=value <= 2 * floor_ms,
                note=f"median of {rounds}",
            ),
            Figure(
                name="replay poses.json, view alone (RequestFactory)",
                value=_median_ms(bare_view),
                unit="ms",
                floor=floor_ms,
                floor_label="sqlite3 + json.dumps",
                note="no middleware: the view's own cost",
            ),
            Figure(
                name="replay poses.json revalidation (If-None-Match -> 304)",
                value=_median_ms(revalidate),
                unit="ms",
            ),
            Figure(
                name=f"replay poses.json size, {N_FRAMES} frames",
                value=len(body) / 1024,
                unit="KiB",
                note=f"gzip: {len(zipped.content) / 1024:.0f} KiB",
            ),
        ]
    finally:
        restore()
