"""Backup and restore against a live CrateDB (runs when SWINGVISION_CRATEDB_URL is set).

The cluster needs a snapshot repository location: SWINGVISION_CRATE_REPOSITORY_LOCATION, a
folder listed in the nodes' path.repo (or s3://bucket/path), unless the repository named by
SWINGVISION_CRATE_REPOSITORY already exists there.
"""

from __future__ import annotations

import io
import os
import re
import secrets
from datetime import timedelta

import numpy as np
import pytest
from django.core.management import call_command
from django.test import override_settings

from swingvision.db import reset_db
from swingvision.db.codec import utc_now
from swingvision.db.gateway import Database, parse_db_url
from swingvision.db.managers import SYSTEM, managers
from swingvision.db.migrate import migrate
from swingvision.ops import crate
from swingvision.ops.checksums import table_checksums
from swingvision.ops.location import BackupLocation
from swingvision.ops.manifest import BackupError
from swingvision.ops.service import (
    Context,
    create_backup,
    find,
    list_backups,
    restore_backup,
)
from swingvision.storage import get_store
from tests.backends import CRATE_URL, backend_url, drop_backend
from tests.dashboard.helpers import account, add_swing

pytestmark = [
    pytest.mark.crate,
    pytest.mark.skipif(not CRATE_URL, reason="SWINGVISION_CRATEDB_URL is not set"),
]


def test_snapshot_backup_and_restore(tmp_path):
    base_location = os.environ.get("SWINGVISION_CRATE_REPOSITORY_LOCATION", "")
    if not base_location:
        pytest.fail("set SWINGVISION_CRATE_REPOSITORY_LOCATION to a folder in the nodes' path.repo")
    url = backend_url("crate", tmp_path)
    db = Database(parse_db_url(url))
    migrate(db)
    repository = f"svtest_{secrets.token_hex(3)}"
    # A folder of this run's own: two repositories on one folder see (and prune) each other's
    # snapshots, and CrateDB disables a repository whose folder another one changed.
    repo_location = f"{base_location.rstrip('/')}/{repository}"
    try:
        with override_settings(
            SWINGVISION_DB=url,
            SWINGVISION_BACKUP_LOCATION=f"file://{tmp_path / 'loc'}",
            SWINGVISION_CRATE_REPOSITORY=repository,
            SWINGVISION_CRATE_REPOSITORY_LOCATION=repo_location,
        ):
            reset_db()
            m = managers(db)
            coach = account(m, "coach", name="Crate Coach")
            player = account(m, "player", coach=coach, name="Crate Player")
            video, analysis = add_swing(m, player, seed=21)[:2]
            add_swing(m, player, seed=22, days_ago=1)
            m.notes.create(coach, player.id, video.id, text="Keep the lead arm long", frame=10)
            m.tokens.create(coach, name="range camera")
            plain = m.videos.create(SYSTEM, player.id, filename="s.mp4", status="analyzed")
            kp = np.random.default_rng(1).random((40, 33, 4), dtype=np.float32)
            m.poses.write_video_poses(plain, kp, 30.0)
            before = table_checksums(db)
            assert before["poses"].rows > 40 and before["users"].rows == 2
            assert all(before[t].rows for t in ("notes", "audit_log", "api_tokens", "progress"))

            ctx = Context(db, BackupLocation(f"file://{tmp_path / 'loc'}"), get_store())
            t0 = utc_now()
            made = [create_backup(ctx, now=t0 + timedelta(seconds=i)) for i in range(3)]
            manifest = made[-1]
            assert manifest.engine == "crate" and manifest.snapshot == manifest.name.lower()
            assert {t: s.rows for t, s in manifest.tables.items()} == {
                t: s.rows for t, s in before.items()
            }
            listed = _command("backup", "--list")
            for b in made:
                assert re.search(rf"^{b.name} .* SUCCESS ", listed, re.MULTILINE), listed
            info = find(list_backups(ctx), manifest.name)
            assert info.state == "SUCCESS" and info.rows["poses"] == before["poses"].rows

            # Lose data, then restore: refused while the tables exist, done with force.
            m.videos.delete(SYSTEM, video)
            m.users.update(coach, full_name="Changed After The Backup")
            assert table_checksums(db)["poses"] != before["poses"]
            with pytest.raises(BackupError, match="cannot restore over a table"):
                restore_backup(info, ctx)
            result = restore_backup(info, ctx, force=True, safety_backup=False)
            assert "poses" in result["dropped"]
            after = table_checksums(db)
            assert after == before  # every table: the same rows and the same checksum
            back = managers(db).analyses.latest_for_video(SYSTEM, player.id, video.id)
            assert (back.id, back.metrics, back.events) == (
                analysis.id,
                analysis.metrics,
                analysis.events,
            )

            # --prune keeps the newest: the two older snapshots go from the repository.
            pruned = _command("backup", "--prune", "--keep", "1")
            assert f"{made[0].name}, {made[1].name}" in pruned, pruned
            left = [s.name for s in crate.snapshots(db, repository)]
            assert left == [manifest.snapshot]
            assert [b.name for b in list_backups(ctx)] == [manifest.name]
            crate.drop(db, repository, manifest.snapshot)
            db.run_sql(f'DROP REPOSITORY "{repository}"')
    finally:
        reset_db()
        drop_backend(db)


def _command(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()
