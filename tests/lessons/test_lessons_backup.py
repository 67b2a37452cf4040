"""A lesson survives a backup and a restore: its row (in the manifest's counts and checksums) and
both of its files, put back when the store lost them."""

from __future__ import annotations

from datetime import UTC, datetime

from swingvision.db.managers import SYSTEM, managers
from swingvision.lessons.service import make_rendition
from swingvision.ops.location import BackupLocation
from swingvision.ops.service import Context, create_backup, find, list_backups, restore_backup
from swingvision.storage import get_store
from tests.ops.conftest import file_db

from .test_lessons_pages import upload

T = datetime(2031, 3, 4, 5, 6, 7, tzinfo=UTC)


def test_a_lesson_survives_backup_and_restore(tmp_path, gateway, team, recordings):
    r = upload(team.client(team.coach), team, recordings["voice"].read_bytes(), title="Backup")
    assert r.status_code == 201
    # This lesson's rendition, whatever other tests left in the shared queue before it (the
    # worker takes the oldest first).
    uploaded = team.m.lessons.get(SYSTEM, team.player.id, r.json()["lesson"]["id"])
    assert team.m.lessons.transition(uploaded, "uploaded", "processing")
    lesson = make_rendition(team.m, team.m.lessons.get_system(team.player.id, uploaded.id))
    refs = [lesson.blob_ref, lesson.metadata["rendition_ref"]]
    store = get_store()
    contents = {ref: store.open(ref).read() for ref in refs}

    location = BackupLocation(f"file://{tmp_path / 'backups'}")
    manifest = create_backup(Context(db=gateway, location=location, store=store), now=T)
    assert manifest.tables["lessons"].rows >= 1 and manifest.tables["lessons"].checksum
    listed = {b.key for b in manifest.blobs}
    assert {ref[len("local://") :] for ref in refs} <= listed

    for ref in refs:  # the store loses the lesson's files
        store.delete(ref)
    target = file_db(tmp_path / "restored.db")
    result = restore_backup(
        find(list_backups(Context(db=gateway, location=location, store=store)), manifest.name),
        Context(db=target, location=location, store=store),
    )
    assert result["blobs_restored"] >= 2
    restored = managers(target).lessons.get(SYSTEM, team.player.id, lesson.id)
    assert restored == lesson
    for ref in refs:
        assert store.open(ref).read() == contents[ref]
