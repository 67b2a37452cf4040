"""SQLite backups: online round trip under writes, point-in-time choice, refusal of a corrupt
backup, restore over a live database, incremental blobs, pruning and the commands."""

from __future__ import annotations

import hashlib
import io
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from swingvision.db import get_db, reset_db
from swingvision.db.codec import utc_now
from swingvision.db.managers import SYSTEM, managers
from swingvision.db.migrate import migrate
from swingvision.ops.checksums import table_checksums
from swingvision.ops.location import BackupLocation
from swingvision.ops.manifest import BackupError, parse_duration, parse_time
from swingvision.ops.service import (
    Context,
    create_backup,
    find,
    list_backups,
    pick_before,
    prune,
    restore_backup,
)
from swingvision.storage import get_store, video_key

from .conftest import file_db

T0 = datetime(2030, 1, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def location(tmp_path) -> BackupLocation:
    return BackupLocation(f"file://{tmp_path / 'backups'}")


def ctx_for(db, location) -> Context:
    return Context(db=db, location=location, store=get_store())


def file_sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_round_trip_while_a_writer_inserts_poses(
    tmp_path, gateway, mgr, make_user, seeded, location, login_client
):
    # A player whose swing is being written frame by frame, each frame its own commit, through
    # the manager the worker uses.
    writer_player = make_user("player", coach=seeded.coach)
    video = mgr.videos.create(SYSTEM, writer_player.id, filename="live.mp4", status="processing")
    rng = np.random.default_rng(7)
    committed: list[int] = []
    stop = threading.Event()

    def write_poses() -> None:
        deadline = time.monotonic() + 60
        for frame in range(50_000):
            if stop.is_set() or time.monotonic() > deadline:
                return
            mgr.poses.write_video_poses(
                video,
                rng.random((1, 33, 4), dtype=np.float32),
                30.0,
                frame_numbers=np.array([frame]),
            )
            committed.append(frame)

    writer = threading.Thread(target=write_poses, daemon=True)
    writer.start()
    try:
        for _ in range(500):
            if len(committed) >= 50:
                break
            time.sleep(0.01)
        before = len(committed)
        assert before >= 50, "the writer did not start"
        manifest = create_backup(ctx_for(gateway, location))
        after = len(committed)
        time.sleep(0.05)
    finally:
        stop.set()
        writer.join(timeout=30)
    assert len(committed) > after, "writes went on while and after the backup ran"

    restored_path = tmp_path / "restored.db"
    restored = file_db(restored_path)
    info = find(list_backups(ctx_for(gateway, location)), manifest.name)
    result = restore_backup(info, ctx_for(restored, location))
    assert result["state_before"] == "missing"

    # The copy holds a prefix of the writer's commits: frames 0..K-1, K within the backup window.
    frames = [
        r[0]
        for r in restored.run_sql(
            "SELECT frame_number FROM poses WHERE video_id = ? ORDER BY frame_number", [video.id]
        )
    ]
    k = len(frames)
    assert frames == list(range(k))
    assert before <= k <= after + 1

    # The live database minus the frames written after that moment is the backup's state:
    # every table's rows and content checksum match, and match the manifest.
    gateway.execute(
        "poses_delete_after_frame",
        {"user_id": video.user_id, "video_id": video.id, "frame": k - 1},
    )
    live_sums = table_checksums(gateway)
    restored_sums = table_checksums(restored)
    assert restored_sums == live_sums
    assert restored_sums == manifest.tables
    assert manifest.tables["poses"].rows >= 4 * 50 + k
    assert manifest.tables["swing_analysis"].rows >= 4

    # The app serves the restored file: a change made to the live data after the backup is
    # absent from the pages, which show the restored rows.
    player = seeded.players[0]
    original = player.display_name
    mgr.users.update(player, full_name="Renamed After Backup")
    with override_settings(SWINGVISION_DB=f"sqlite:///{restored_path}"):
        reset_db()
        try:
            client = login_client(seeded.coach)
            for url in (f"/players/{player.id}/", "/roster/"):
                page = client.get(url)
                assert page.status_code == 200, url
                html = page.content.decode()
                assert original in html and "Renamed After Backup" not in html, url
        finally:
            reset_db()


def test_restore_before_picks_the_newest_backup_at_or_before(tmp_path, gateway, make_user):
    loc = tmp_path / "pitr"
    with override_settings(SWINGVISION_BACKUP_LOCATION=f"file://{loc}"):
        markers = []
        for hour in (10, 11, 12):
            markers.append(make_user("coach", name=f"marker {hour}"))
            create_backup(Context.default(), now=T0.replace(hour=hour))
        # An unfinished backup (no manifest) is never picked.
        (loc / "20300101T113000Z").mkdir()
        (loc / "20300101T113000Z" / "db.sqlite3.zst").write_bytes(b"partial")

        backups = list_backups()
        assert [b.name for b in backups] == [
            "20300101T100000Z",
            "20300101T110000Z",
            "20300101T113000Z",
            "20300101T120000Z",
        ]
        assert [b.state for b in backups] == ["complete", "complete", "incomplete", "complete"]

        def pick(moment: datetime) -> str:
            return pick_before(backups, moment).name

        assert pick(T0.replace(hour=12)) == "20300101T120000Z"  # "at" counts
        assert pick(T0.replace(hour=11, minute=59, second=59)) == "20300101T110000Z"
        assert pick(T0.replace(hour=11, minute=45)) == "20300101T110000Z"  # skips the partial
        assert pick(T0) == "20300101T100000Z"
        assert pick(T0 + timedelta(days=3)) == "20300101T120000Z"
        with pytest.raises(BackupError, match="no complete backup at or before .*oldest is 2030"):
            pick_before(backups, T0 - timedelta(seconds=1))

        target = tmp_path / "pitr.db"
        out = io.StringIO()
        call_command(
            "restore",
            "--before",
            "2030-01-01T11:30:00Z",
            "--target",
            f"sqlite:///{target}",
            "--no-blobs",
            stdout=out,
        )
        assert "backup 20300101T110000Z" in out.getvalue()
        ids = {r[0] for r in file_db(target).run_sql("SELECT id FROM users")}
        assert markers[0].id in ids and markers[1].id in ids
        assert markers[2].id not in ids


def test_a_corrupted_backup_is_refused_and_the_database_left_untouched(
    tmp_path, gateway, seeded, location
):
    manifest = create_backup(ctx_for(gateway, location), now=T0)
    # The "current database": a restored copy with data.
    current = tmp_path / "current.db"
    restore_backup(
        find(list_backups(ctx_for(gateway, location)), manifest.name),
        ctx_for(file_db(current), location),
    )
    sums_before = table_checksums(file_db(current))
    sha_before = file_sha(current)

    packed = tmp_path / "backups" / manifest.name / "db.sqlite3.zst"
    data = bytearray(packed.read_bytes())
    data[len(data) // 2] ^= 0xFF
    packed.write_bytes(bytes(data))

    with override_settings(SWINGVISION_BACKUP_LOCATION=location.url):
        with pytest.raises(CommandError) as refused:
            call_command("restore", manifest.name, "--force", "--target", f"sqlite:///{current}")
        message = str(refused.value)
        assert f"backup {manifest.name}: db.sqlite3.zst is corrupt" in message
        assert "nothing was restored" in message
        with pytest.raises(CommandError, match="is corrupt"):
            call_command("backup", "--verify", manifest.name)

    assert file_sha(current) == sha_before
    assert table_checksums(file_db(current)) == sums_before


def test_an_unreadable_manifest_is_listed_and_refused(tmp_path, gateway, location):
    manifest = create_backup(ctx_for(gateway, location), now=T0)
    (tmp_path / "backups" / manifest.name / "manifest.json").write_text("{not json")
    info = find(list_backups(ctx_for(gateway, location)), manifest.name)
    assert info.state == "unreadable" and "manifest is unreadable" in info.problem
    with pytest.raises(BackupError, match="unreadable"):
        restore_backup(info, ctx_for(file_db(tmp_path / "x.db"), location))
    assert not (tmp_path / "x.db").exists()


def test_force_restore_over_the_live_database_keeps_connections_working(tmp_path):
    live_path = tmp_path / "live.db"
    with override_settings(
        SWINGVISION_DB=f"sqlite:///{live_path}",
        SWINGVISION_BACKUP_LOCATION=f"file://{tmp_path / 'b'}",
    ):
        reset_db()
        try:
            db = get_db()
            migrate(db)
            users = managers(db).users

            def add(name: str):
                return users.create(
                    username=name,
                    email=f"{name}@example.com",
                    password="correct-horse-battery",
                    role="coach",
                    full_name=name,
                )

            kept = add("kept_coach")
            first = create_backup(now=T0)
            later = add("later_coach")
            # Another thread's open connection, like a web worker's.
            other = ThreadPoolExecutor(max_workers=1)

            def count_in_other_thread() -> int:
                return other.submit(lambda: db.fetch_value("users_count")).result()

            assert count_in_other_thread() == 2

            with pytest.raises(CommandError, match="holds data.*--force"):
                call_command("restore", first.name)
            assert users.count() == 2

            out = io.StringIO()
            call_command("restore", first.name, "--force", stdout=out)
            assert "safety backup of the replaced data" in out.getvalue()
            assert count_in_other_thread() == 1
            live = managers(get_db()).users
            assert live.find(kept.id) is not None and live.find(later.id) is None
            other.shutdown()

            # The safety backup holds the replaced state.
            safety = [b for b in list_backups() if b.name != first.name]
            assert len(safety) == 1 and safety[0].rows["users"] == 2
        finally:
            reset_db()


def test_blobs_are_copied_once_and_put_back_when_missing(tmp_path, gateway, seeded, location):
    ctx = ctx_for(gateway, location)
    store = get_store()
    first = create_backup(ctx, now=T0)
    keys = {b.key for b in first.blobs}
    seeded_keys = {ref[len("local://") :] for ref in seeded.blob_refs}
    assert seeded_keys <= keys
    assert first.blobs_copied == len(first.blobs)

    second = create_backup(ctx, now=T0 + timedelta(minutes=1))
    assert second.blobs_copied == 0 and second.blob_bytes_copied == 0

    store.put(video_key(seeded.players[0].id, "NEWVIDEO", "new.mp4"), io.BytesIO(b"n" * 999))
    third = create_backup(ctx, now=T0 + timedelta(minutes=2))
    assert third.blobs_copied == 1 and third.blob_bytes_copied == 999

    lost = seeded.blob_refs[0]
    original = store.open(lost).read()
    store.delete(lost)
    result = restore_backup(
        find(list_backups(ctx), third.name), ctx_for(file_db(tmp_path / "r.db"), location)
    )
    assert result["blobs_restored"] == 1
    assert store.open(lost).read() == original


def test_prune_keeps_the_newest_and_collects_unneeded_blobs(tmp_path, gateway, seeded, location):
    ctx = ctx_for(gateway, location)
    store = get_store()
    temp_ref = store.put("raw/temp/only-in-old-backups.mp4", io.BytesIO(b"t" * 10))
    for minute in range(3):
        create_backup(ctx, now=T0 + timedelta(minutes=minute))
    store.delete(temp_ref)  # purged from the live store: only the first three backups list it
    for minute in range(3, 5):
        create_backup(ctx, now=T0 + timedelta(minutes=minute))
    stale = tmp_path / "backups" / "20300101T100030Z"  # an interrupted backup, older than newest
    stale.mkdir()
    blob_copy = tmp_path / "backups" / "blobs" / "raw/temp/only-in-old-backups.mp4"
    assert blob_copy.exists()

    result = prune(2, ctx)
    names = [b.name for b in list_backups(ctx)]
    assert names == ["20300101T100300Z", "20300101T100400Z"]
    assert sorted(result.deleted) == [
        "20300101T100000Z",
        "20300101T100030Z",
        "20300101T100100Z",
        "20300101T100200Z",
    ]
    assert result.blobs_deleted == 1 and not blob_copy.exists()
    for ref in seeded.blob_refs:  # still live and listed by the kept backups
        assert (tmp_path / "backups" / "blobs" / ref[len("local://") :]).exists()
    with pytest.raises(BackupError, match="at least 1"):
        prune(0, ctx)


def test_backup_command_schedule_form_list_and_prune(tmp_path, gateway):
    loc = tmp_path / "sched"
    with override_settings(SWINGVISION_BACKUP_LOCATION=f"file://{loc}"):
        create_backup(now=utc_now() - timedelta(hours=2))
        out = io.StringIO()
        call_command("backup", "--if-older-than", "1h", stdout=out)
        assert "backup 20" in out.getvalue()
        out = io.StringIO()
        call_command("backup", "--if-older-than", "1h", "--prune", "--keep", "1", stdout=out)
        text = out.getvalue()
        assert "(< 1h): nothing to do" in text
        assert "pruned (keeping 1)" in text
        assert len(list_backups()) == 1

        out = io.StringIO()
        call_command("backup", "--list", stdout=out)
        lines = out.getvalue().splitlines()
        header = next(i for i, line in enumerate(lines) if line.startswith("name"))
        row = lines[header + 1]
        assert " complete " in row and re.search(r" \d+(\.\d+)? (B|KB|MB|GB) ", row), row
        assert "users=" in row and "poses=" in row

        with pytest.raises(CommandError, match="use a number and a unit"):
            call_command("backup", "--if-older-than", "soon")


def test_a_backup_is_picked_by_the_second_in_its_name():
    from swingvision.ops.service import BackupInfo

    def info(name: str, created: datetime, state: str = "complete") -> BackupInfo:
        return BackupInfo(
            name=name,
            created_at=created,
            engine="sqlite",
            state=state,
            size=1,
            rows={},
            manifest=None,
        )

    backups = [
        info("20300101T100000Z", T0.replace(microsecond=731000)),
        info("20300101T110000Z", T0.replace(hour=11, microsecond=5000), state="unreadable"),
    ]
    assert pick_before(backups, parse_time("20300101T100000Z")).name == "20300101T100000Z"
    assert pick_before(backups, parse_time("2030-01-01 11:00")).name == "20300101T100000Z"


def test_operator_times_and_durations():
    now = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
    assert parse_duration("90s") == timedelta(seconds=90)
    assert parse_duration("1h") == timedelta(hours=1)
    assert parse_duration("2d") == timedelta(days=2)
    assert parse_time("now", now=now) == now
    assert parse_time("2h ago", now=now) == now - timedelta(hours=2)
    assert parse_time("2030-05-01T10:00:00Z") == datetime(2030, 5, 1, 10, tzinfo=UTC)
    assert parse_time("2030-05-01 10:00") == datetime(2030, 5, 1, 10, tzinfo=UTC)
    assert parse_time("2030-05-01T12:00:00+02:00") == datetime(2030, 5, 1, 10, tzinfo=UTC)
    assert parse_time("20300501T100000Z") == datetime(2030, 5, 1, 10, tzinfo=UTC)
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_time("yesterday-ish")
