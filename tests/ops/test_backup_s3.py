"""Backups to an S3 location (moto's server on 127.0.0.1): round trip, listing, incremental blobs,
pruning, and the commands reading the location from settings."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from django.core.management import call_command
from django.test import override_settings

from swingvision.ops.checksums import table_checksums
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

from .conftest import file_db

BUCKET = "sv-backups"
T0 = datetime(2031, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    mp = pytest.MonkeyPatch()
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        mp.setenv(name, value)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    boto3.client("s3", endpoint_url=url, region_name="us-east-1").create_bucket(Bucket=BUCKET)
    yield url
    server.stop()
    mp.undo()


def test_round_trip_through_s3(tmp_path, gateway, seeded, s3_endpoint):
    location = BackupLocation(f"s3://{BUCKET}/prod/backups", endpoint_url=s3_endpoint)
    ctx = Context(db=gateway, location=location, store=get_store())
    manifest = create_backup(ctx, now=T0)
    expected = table_checksums(gateway)  # nothing writes during this test
    assert manifest.tables == expected

    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    keys = {
        o["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix="prod/")
        for o in page.get("Contents", [])
    }
    assert f"prod/backups/{manifest.name}/db.sqlite3.zst" in keys
    assert f"prod/backups/{manifest.name}/manifest.json" in keys
    for ref in seeded.blob_refs:
        assert "prod/backups/blobs/" + ref[len("local://") :] in keys

    second = create_backup(ctx, now=T0 + timedelta(hours=1))
    assert second.blobs_copied == 0  # incremental: the blobs are there already

    backups = list_backups(ctx)
    assert [b.name for b in backups] == [manifest.name, second.name]
    assert backups[0].size == manifest.size and backups[0].rows["poses"] == expected["poses"].rows

    # Restore into a new file after losing a blob from the live store.
    store = get_store()
    original = store.open(seeded.blob_refs[1]).read()
    store.delete(seeded.blob_refs[1])
    restored = file_db(tmp_path / "from-s3.db")
    result = restore_backup(find(backups, manifest.name), Context(restored, location, store))
    assert result["blobs_restored"] == 1
    assert store.open(seeded.blob_refs[1]).read() == original
    assert table_checksums(restored) == expected

    # A corrupt object in S3 is refused.
    key = f"prod/backups/{second.name}/db.sqlite3.zst"
    body = bytearray(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())
    body[100] ^= 0x01
    s3.put_object(Bucket=BUCKET, Key=key, Body=bytes(body))
    with pytest.raises(BackupError, match="is corrupt"):
        restore_backup(
            find(backups, second.name), Context(file_db(tmp_path / "no.db"), location, store)
        )
    assert not (tmp_path / "no.db").exists()

    assert prune(1, ctx).deleted == [manifest.name]
    assert [b.name for b in list_backups(ctx)] == [second.name]


def test_commands_with_an_s3_location_from_settings(tmp_path, gateway, seeded, s3_endpoint):
    with override_settings(
        SWINGVISION_BACKUP_LOCATION=f"s3://{BUCKET}/cmd", SWINGVISION_S3_ENDPOINT_URL=s3_endpoint
    ):
        out = io.StringIO()
        call_command("backup", stdout=out)
        assert "(sqlite): db.sqlite3.zst" in out.getvalue()
        name = list_backups()[-1].name
        out = io.StringIO()
        call_command("backup", "--verify", name, stdout=out)
        assert (
            "table checksums match" in out.getvalue()
            and f"backup {name} verifies" in out.getvalue()
        )
        target = tmp_path / "cmd.db"
        out = io.StringIO()
        call_command("restore", name, "--target", f"sqlite:///{target}", stdout=out)
        assert f"restored {name}" in out.getvalue()
        assert (
            table_checksums(file_db(target))["users"].rows == table_checksums(gateway)["users"].rows
        )
