"""Ingest: poses written per second through the managers, beside raw sqlite3 executemany of the
same rows into the same schema, in the same run; at 10k, 100k and 1M poses (quick: 10k, 100k).

The data: generated swings (analysis.engine.synth), analysed once by the engine for their per-frame
embeddings and phases; each video is one of them moved by its own small offset, so no two videos
write the same bytes. Every round writes into two fresh SQLite files migrated by the app's own
migrations, one per writer, so both have the same table, indexes and similarity change-feed
triggers (migration 0004: each pose row also writes `similarity_changes`).

- value: `managers(db).poses.write_video_poses(video, keypoints, fps, embeddings=..., phases=...,
  view=..., left_handed=...)` once per video, as the worker writes a swing: the rows built from
  the arrays, the codec, executemany in one transaction per batch, then the delete of frames past
  the end that makes a re-run leave exactly one row per frame.
- floor: the same rows built as plain tuples from the same arrays (handed the confidences the
  manager computes), one executemany of a plain INSERT per video inside BEGIN/COMMIT, on a
  sqlite3 connection with the gateway's pragmas (WAL, synchronous=NORMAL): the least a program
  can do to store these rows one video at a time.
The two write alternately, a chunk of videos each, so both see the same machine load.
Target: >= 0.5x the floor and >= 20,000 poses/s.
"""

from __future__ import annotations

import os
import sqlite3  # the floor only: the app itself writes through the gateway
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from bench.core import Figure, bench_dir

TARGET_RATIO = 0.5
TARGET_RATE = 20_000.0
N_SWINGS = 8  # distinct generated swings the videos are made from
CHUNK = 20  # videos per writer turn
PLAYERS = 500
FLOOR_INSERT = (
    "INSERT INTO poses (id, video_id, user_id, frame_number, timestamp_ms, keypoints, "
    "confidence, embedding, phase, view, left_handed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True, slots=True)
class Swing:
    keypoints: np.ndarray  # (F, 33, 4) float32
    embeddings: np.ndarray  # (F, POSE_EMBEDDING_DIM) float32
    phases: list[str | None]
    fps: float
    view: str
    left_handed: bool


@dataclass(frozen=True, slots=True)
class Job:
    """One video's poses, as the worker has them after the engine ran."""

    video: object  # swingvision.db.records.Video
    keypoints: np.ndarray
    embeddings: np.ndarray
    confidence: np.ndarray
    phases: list[str | None]
    fps: float
    view: str
    left_handed: bool


def base_swings(n: int = N_SWINGS, seed: int = 5) -> list[Swing]:
    from analysis.engine import analyze
    from analysis.engine.similarity import frame_phases
    from analysis.engine.synth import SwingParams, generate_swing

    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        p = SwingParams(
            shoulder_turn_deg=float(rng.uniform(75, 115)),
            backswing_s=float(rng.uniform(0.65, 1.0)),
            view="down-the-line" if i % 4 == 3 else "face-on",
            left_handed=i % 5 == 4,
            seed=int(rng.integers(1 << 30)),
        )
        s = generate_swing(p)
        a = analyze(s.keypoints, p.fps, left_handed=p.left_handed, view=p.view)
        out.append(
            Swing(
                keypoints=s.keypoints.astype(np.float32),
                embeddings=np.asarray(a.pose_embeddings, dtype=np.float32),
                phases=frame_phases(a.events, s.n_frames),
                fps=p.fps,
                view=p.view,
                left_handed=p.left_handed,
            )
        )
    return out


def jobs(n_poses: int, swings: list[Swing], *, seed: int) -> Iterator[list[Job]]:
    """Chunks of videos adding up to exactly n_poses rows, made as they are needed (1M poses of
    arrays would not fit comfortably in memory at once)."""
    from analysis.engine.pose import pose_confidence
    from swingvision.db.records import Video

    rng = np.random.default_rng(seed)
    now = datetime.now(UTC)
    written, v = 0, 0
    chunk: list[Job] = []
    while written < n_poses:
        s = swings[v % len(swings)]
        n = min(len(s.keypoints), n_poses - written)
        kp = s.keypoints[:n].copy()
        kp[:, :, :2] += rng.normal(0, 0.004, size=2).astype(np.float32)
        emb = s.embeddings[:n] + rng.normal(0, 0.01, size=(1, s.embeddings.shape[1])).astype(
            np.float32
        )
        video = Video(
            id=f"BENCHINGEST{v:08d}",
            user_id=f"BENCHINGESTPLAYER{v % PLAYERS:04d}",
            filename="swing.mp4",
            uploaded_at=now,
            updated_at=now,
            duration_s=n / s.fps,
            status="processing",
            metadata={},
            blob_ref=None,
        )
        chunk.append(
            Job(
                video=video,
                keypoints=kp,
                embeddings=emb,
                confidence=pose_confidence(kp),
                phases=s.phases[:n],
                fps=s.fps,
                view=s.view,
                left_handed=s.left_handed,
            )
        )
        written += n
        v += 1
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _fresh_db(path: str):
    """A new SQLite file with the app's schema (its migrations, triggers included)."""
    from swingvision.db.gateway import Database, parse_db_url
    from swingvision.db.migrate import migrate

    for stale in (path, path + "-wal", path + "-shm"):
        if os.path.exists(stale):
            os.remove(stale)
    db = Database(parse_db_url(f"sqlite:///{path}"))
    migrate(db)
    return db


def _remove(path: str) -> None:
    for p in (path, path + "-wal", path + "-shm"):
        if os.path.exists(p):
            os.remove(p)


def write_app(poses, chunk: list[Job]) -> None:
    for j in chunk:
        poses.write_video_poses(
            j.video,
            j.keypoints,
            j.fps,
            embeddings=j.embeddings,
            phases=j.phases,
            view=j.view,
            left_handed=j.left_handed,
        )


def write_floor(conn: sqlite3.Connection, chunk: list[Job]) -> None:
    for j in chunk:
        v = j.video
        kp, emb, conf = j.keypoints, j.embeddings, j.confidence
        rows = [
            (
                f"{v.id}:{f}",
                v.id,
                v.user_id,
                f,
                int(round(f * 1000.0 / j.fps)),
                kp[f].tobytes(),
                float(conf[f]),
                emb[f].tobytes(),
                j.phases[f],
                j.view,
                j.left_handed,
            )
            for f in range(len(kp))
        ]
        conn.execute("BEGIN")
        conn.executemany(FLOOR_INSERT, rows)
        conn.execute("COMMIT")


def _floor_connection(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def _check_same(app_path: str, floor_path: str, n_poses: int) -> None:
    """Both files hold the same rows and the same change feed: the floor did the same work."""
    a, b = sqlite3.connect(app_path), sqlite3.connect(floor_path)
    try:
        for sql in (
            "SELECT count(*) FROM poses",
            "SELECT count(*) FROM similarity_changes",
            "SELECT id, video_id, user_id, frame_number, timestamp_ms, keypoints, confidence, "
            "embedding, phase, view, left_handed FROM poses ORDER BY rowid DESC LIMIT 50",
        ):
            got_a, got_b = a.execute(sql).fetchall(), b.execute(sql).fetchall()
            if got_a != got_b:
                raise AssertionError(f"ingest: the app and the floor wrote different rows ({sql})")
        n = a.execute("SELECT count(*) FROM poses").fetchone()[0]
        if n != n_poses:
            raise AssertionError(f"ingest: {n} rows written, {n_poses} expected")
    finally:
        a.close()
        b.close()


def measure_round(n_poses: int, swings: list[Swing], *, seed: int) -> tuple[float, float, int]:
    """Seconds for the app and for the floor to write n_poses rows, and the number of videos."""
    from swingvision.db.managers import managers

    root = os.path.join(bench_dir(), "ingest")
    os.makedirs(root, exist_ok=True)
    app_path = os.path.join(root, f"app-{n_poses}.db")
    floor_path = os.path.join(root, f"floor-{n_poses}.db")
    app_db = _fresh_db(app_path)
    _fresh_db(floor_path).close()
    conn = _floor_connection(floor_path)
    poses = managers(app_db).poses
    app_s = floor_s = 0.0
    videos = 0
    try:
        for k, chunk in enumerate(jobs(n_poses, swings, seed=seed)):
            videos += len(chunk)
            # Alternate who goes first, so neither always finds the page cache warm.
            for writer in ("app", "floor") if k % 2 == 0 else ("floor", "app"):
                t0 = time.perf_counter()
                if writer == "app":
                    write_app(poses, chunk)
                    app_s += time.perf_counter() - t0
                else:
                    write_floor(conn, chunk)
                    floor_s += time.perf_counter() - t0
        app_db.close()
        conn.close()
        _check_same(app_path, floor_path, n_poses)
    finally:
        app_db.close()
        conn.close()
        _remove(app_path)
        _remove(floor_path)
    return app_s, floor_s, videos


def _label(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k"


def run(quick: bool) -> list[Figure]:
    swings = base_swings()
    frames = int(np.mean([len(s.keypoints) for s in swings]))
    # Small sizes finish in a fraction of a second, where one hiccup of the shared machine
    # matters: the best of several fresh rounds. 1M poses is long enough to average it out.
    plan = [(10_000, 3), (100_000, 1)] if quick else [(10_000, 5), (100_000, 2), (1_000_000, 1)]
    figures = []
    for n_poses, rounds in plan:
        app_best = floor_best = float("inf")
        for r in range(rounds):
            app_s, floor_s, videos = measure_round(n_poses, swings, seed=r)
            app_best, floor_best = min(app_best, app_s), min(floor_best, floor_s)
        rate, floor_rate = n_poses / app_best, n_poses / floor_best
        figures.append(
            Figure(
                name=f"ingest, {_label(n_poses)} poses (managers)",
                value=rate,
                unit="poses/s",
                floor=floor_rate,
                floor_label="sqlite3 executemany, same table+triggers",
                target=f">= {TARGET_RATIO:g}x floor and >= {TARGET_RATE:,.0f}/s",
                passed=rate >= TARGET_RATIO * floor_rate and rate >= TARGET_RATE,
                better="higher",
                note=(
                    f"{videos} videos of ~{frames} frames, one write_video_poses each; "
                    f"best of {rounds} fresh round{'s' if rounds > 1 else ''}"
                ),
                series="ingest",
                scale=n_poses,
            )
        )
    return figures
