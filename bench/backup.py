"""Backup and restore of the SQLite backend: time and size for the demo data set and for a large
pose table, beside a plain file copy of the same database measured in the same run.

Quick mode: a small demo (1 player per coach, 2 swings) and 50,000 poses. Full mode: the default
demo (`seed_demo`) and 1,000,000 poses. The restore time is the SQLite RTO the README quotes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bench.core import Figure

FRAMES_PER_VIDEO = 150


def _timed(fn) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _fill_poses(db, n_poses: int, seed: int = 0) -> None:
    """n_poses rows of random keypoints and embeddings in videos of 150 frames, written through
    the poses manager (bulk executemany per video); the rows need not be real swings."""
    from analysis.engine.pose import POSE_EMBEDDING_DIM
    from swingvision.db.managers import managers
    from swingvision.db.records import Video

    poses = managers(db).poses
    rng = np.random.default_rng(seed)
    kp = rng.random((FRAMES_PER_VIDEO, 33, 4), dtype=np.float32)
    emb = rng.random((FRAMES_PER_VIDEO, POSE_EMBEDDING_DIM), dtype=np.float32)
    now = datetime.now(UTC)
    for v in range(-(-n_poses // FRAMES_PER_VIDEO)):
        n = min(FRAMES_PER_VIDEO, n_poses - v * FRAMES_PER_VIDEO)
        video = Video(
            id=f"BENCHVIDEO{v:08d}",
            user_id=f"BENCHUSER{v // 40:06d}",
            filename="bench.mp4",
            uploaded_at=now,
            updated_at=now,
            duration_s=None,
            status="analyzed",
            metadata={},
            blob_ref=None,
        )
        # Rotate the rows so consecutive videos do not repeat the same bytes.
        shift = (v * 7) % FRAMES_PER_VIDEO
        poses.write_video_poses(
            video,
            np.roll(kp, shift, axis=0)[:n] + np.float32(v * 1e-3),
            30.0,
            embeddings=np.roll(emb, shift, axis=0)[:n],
        )


def _measure(
    label: str, db, store, workdir: Path, *, rto_target_s: float, blobs: bool = True
) -> list[Figure]:
    """Back up, restore into a new file, and copy the file plainly; all on the same database."""
    from swingvision.db.gateway import Database, parse_db_url
    from swingvision.ops.blobs import copy_blobs
    from swingvision.ops.location import BackupLocation
    from swingvision.ops.service import Context, create_backup, find, list_backups, restore_backup

    slug = label.replace(",", "").replace(" ", "-")
    db.run_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = os.path.getsize(db.config.path)
    copy_s, _ = _timed(lambda: shutil.copyfile(db.config.path, workdir / f"{slug}-copy.db"))
    location = BackupLocation(f"file://{workdir / f'{slug}-backups'}")
    ctx = Context(db=db, location=location, store=store)
    backup_s, manifest = _timed(lambda: create_backup(ctx, blobs=False))
    blobs_s, first = _timed(lambda: copy_blobs(store, location))
    again_s, _ = _timed(lambda: copy_blobs(store, location))
    target = Database(parse_db_url(f"sqlite:///{workdir / f'{slug}-restored.db'}"))
    info = find(list_backups(ctx), manifest.name)
    restore_s, _ = _timed(
        lambda: restore_backup(info, Context(target, location, store), blobs=False)
    )
    target.close()
    rows = manifest.tables["poses"].rows
    note = f"{rows:,} poses, {manifest.total_rows:,} rows; zstd + sha256 + per-table checksums"
    mb = 1024 * 1024
    figures = [
        Figure(
            name=f"backup {label}: time",
            value=backup_s,
            unit="s",
            floor=copy_s,
            floor_label="plain file copy",
            note=note,
        ),
        Figure(
            name=f"backup {label}: size",
            value=manifest.size / mb,
            unit="MB",
            floor=raw / mb,
            floor_label="database file",
            target="<= 1x floor",
            passed=manifest.size <= raw,
        ),
        Figure(
            name=f"restore {label}: time (SQLite RTO)",
            value=restore_s,
            unit="s",
            floor=copy_s,
            floor_label="plain file copy",
            target=f"<= {rto_target_s:g} s",
            passed=restore_s <= rto_target_s,
            note="fetch, sha256, unzstd, integrity_check, checksums, install",
        ),
    ]
    if not blobs:
        return figures
    return [
        *figures,
        Figure(
            name=f"blobs {label}: first copy / incremental",
            value=again_s,
            unit="s",
            floor=blobs_s,
            floor_label="first copy",
            note=f"{len(first.entries)} blobs, {first.bytes_copied / mb:.1f} MB; the second "
            "run copies nothing",
        ),
    ]


def run(quick: bool) -> list[Figure]:
    from django.conf import settings

    from analysis.demo import seed_demo
    from swingvision.db.gateway import Database, parse_db_url
    from swingvision.db.managers import managers
    from swingvision.db.migrate import migrate
    from swingvision.storage import LocalStore

    n_poses = 50_000 if quick else 1_000_000
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="bench-backup-", dir=_scratch()) as tmp:
        work = Path(tmp)
        store = LocalStore(work / "videos")
        # seed_demo writes blobs through get_store(): point it at the scratch folder meanwhile.
        from swingvision import storage

        saved = settings.SWINGVISION_STORAGE
        settings.SWINGVISION_STORAGE = f"file://{work / 'videos'}"
        storage.reset_store()
        try:
            demo = Database(parse_db_url(f"sqlite:///{work / 'demo.db'}"))
            migrate(demo)
            seed_demo(
                managers(demo),
                players_per_coach=1 if quick else 6,
                swings_per_player=2 if quick else 8,
                days=42,
                render=True,
                echo=lambda _msg: None,
            )
            figures += _measure("demo data", demo, store, work, rto_target_s=60)
            demo.close()
        finally:
            settings.SWINGVISION_STORAGE = saved
            storage.reset_store()

        big = Database(parse_db_url(f"sqlite:///{work / 'poses.db'}"))
        migrate(big)
        _fill_poses(big, n_poses)
        figures += _measure(
            f"{n_poses:,} poses", big, LocalStore(work / "none"), work, rto_target_s=60, blobs=False
        )
        big.close()
    return figures


def _scratch() -> str:
    from bench.core import bench_dir

    return bench_dir()
