"""Backup and restore against a live CrateDB (runs when SWINGVISION_CRATEDB_URL is set).

The cluster needs a snapshot repository location: SWINGVISION_CRATE_REPOSITORY_LOCATION, a
folder listed in the nodes' path.repo (or s3://bucket/path), unless the repository named by
SWINGVISION_CRATE_REPOSITORY already exists there.
"""

from __future__ import annotations

import os
import secrets

import numpy as np
import pytest
from django.test import override_settings

from swingvision.db import reset_db
from swingvision.db.managers import SYSTEM, managers
from swingvision.ops import crate
from swingvision.ops.location import BackupLocation
from swingvision.ops.manifest import BackupError
from swingvision.ops.service import (
    Context,
    create_backup,
    find,
    list_backups,
    prune,
    restore_backup,
)
from swingvision.storage import get_store
from tests.backends import CRATE_URL, drop_backend, open_backend

pytestmark = [
    pytest.mark.crate,
    pytest.mark.skipif(not CRATE_URL, reason="SWINGVISION_CRATEDB_URL is not set"),
]


def test_snapshot_backup_and_restore(tmp_path):
    base_location = os.environ.get("SWINGVISION_CRATE_REPOSITORY_LOCATION", "")
    db = open_backend("crate", tmp_path)
    repository = f"svtest_{secrets.token_hex(3)}"
    # A folder of this run's own: two repositories on one folder see (and prune) each other's
    # snapshots, and CrateDB disables a repository whose folder another one changed.
    repo_location = f"{base_location.rstrip('/')}/{repository}" if base_location else ""
    try:
        with override_settings(
            SWINGVISION_CRATE_REPOSITORY=repository,
            SWINGVISION_CRATE_REPOSITORY_LOCATION=repo_location,
        ):
            if not repo_location:
                pytest.fail(
                    "set SWINGVISION_CRATE_REPOSITORY_LOCATION to a folder in the nodes' path.repo"
                )
            m = managers(db)
            coach = m.users.create(
                username="crate_coach",
                email="cc@example.com",
                password="correct-horse-battery",
                role="coach",
                full_name="Crate Coach",
            )
            player = m.users.create(
                username="crate_player",
                email="cp@example.com",
                password="correct-horse-battery",
                role="player",
                coach_id=coach.id,
                full_name="Crate Player",
            )
            video = m.videos.create(SYSTEM, player.id, filename="s.mp4", status="analyzed")
            kp = np.random.default_rng(1).random((40, 33, 4), dtype=np.float32)
            m.poses.write_video_poses(video, kp, 30.0)

            ctx = Context(db, BackupLocation(f"file://{tmp_path / 'loc'}"), get_store())
            manifest = create_backup(ctx)
            assert manifest.engine == "crate" and manifest.snapshot == manifest.name.lower()
            assert manifest.tables["poses"].rows == 40 and manifest.tables["users"].rows == 2
            info = find(list_backups(ctx), manifest.name)
            assert info.state == "SUCCESS" and info.rows["poses"] == 40

            # Lose data, then restore: refused while the tables exist, done with force.
            m.videos.delete(SYSTEM, video)
            with pytest.raises(BackupError, match="cannot restore over a table"):
                restore_backup(info, ctx)
            result = restore_backup(info, ctx, force=True, safety_backup=False)
            assert "poses" in result["dropped"]
            assert result["tables"]["poses"].rows == 40
            assert managers(db).poses.count(video) == 40

            assert prune(1, ctx).deleted == []
            crate.drop(db, repository, manifest.snapshot)
            db.run_sql(f'DROP REPOSITORY "{repository}"')
    finally:
        reset_db()
        drop_backend(db)
