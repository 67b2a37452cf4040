"""CrateDB backup and replication statements without a server: identifiers are checked, values
bound, secrets masked, settings mapped to repository options; the replication command prints."""

from __future__ import annotations

import io

import pytest
from cratedb_sqlparse import sqlparse
from django.core.management import CommandError, call_command
from django.test import override_settings

from swingvision.db.gateway import TABLES
from swingvision.ops import crate
from swingvision.ops.manifest import BackupError


@pytest.mark.parametrize(
    "bad",
    ['x"; DROP TABLE users; --', "Upper", "with space", "", "a.b", "1starts_with_digit", "x" * 64],
)
def test_identifiers_outside_the_allowlist_are_refused(bad):
    with pytest.raises(ValueError):
        crate.ident(bad)
    with pytest.raises(ValueError):
        crate.create_publication(bad, "doc", ["users"])
    with pytest.raises(ValueError):
        crate.restore_snapshot("repo", "20300101t100000z", bad, ["users"])


@pytest.mark.parametrize("bad", ['s"x', "UPPER", "_leading", "a b", "a,b", "a#b", ""])
def test_snapshot_names_follow_the_repository_rules(bad):
    with pytest.raises(ValueError):
        crate.create_snapshot("repo", bad)
    assert crate.snapshot_name("20300101T100000Z") == "20300101t100000z"
    sql = crate.create_snapshot("repo", "20300101t100000z").sql
    assert sql == (
        'CREATE SNAPSHOT "repo"."20300101t100000z" ALL WITH (wait_for_completion = true)'
    )


def test_only_our_tables_can_be_named():
    with pytest.raises(ValueError, match="unknown table"):
        crate.drop_table("doc", "sys_nodes")
    statement = crate.restore_snapshot("repo", "20300101t100000z", "prod", ["users", "poses"])
    assert statement.sql.endswith(
        'TABLE "prod"."users", "prod"."poses" WITH (wait_for_completion = true)'
    )


def test_repository_values_are_bound_and_secrets_masked():
    statement = crate.create_repository(
        "backups",
        "s3",
        {"bucket": "b'x", "base_path": "p", "access_key": "AKIA1", "secret_key": "topsecret"},
    )
    assert statement.sql == (
        'CREATE REPOSITORY "backups" TYPE s3 WITH (bucket = ?, base_path = ?, access_key = ?, '
        "secret_key = ?, compress = true)"
    )
    assert statement.args == ("b'x", "p", "AKIA1", "topsecret")
    assert "topsecret" not in statement.display() and "AKIA1" not in statement.display()
    assert "bucket = 'b''x'" in statement.display()
    sqlparse(statement.shown, raise_exception=True)
    with pytest.raises(ValueError, match="unknown fs repository option"):
        crate.create_repository("backups", "fs", {"location": "/x", "bucket": "b"})


def test_repository_config_from_settings():
    with override_settings(SWINGVISION_CRATE_REPOSITORY_LOCATION="/mnt/snapshots"):
        assert crate.repository_config() == ("fs", {"location": "/mnt/snapshots"})
    with override_settings(
        SWINGVISION_CRATE_REPOSITORY_LOCATION="",
        SWINGVISION_BACKUP_LOCATION="s3://backups/prod",
        SWINGVISION_S3_ENDPOINT_URL="http://minio:9000",
        SWINGVISION_CRATE_REPOSITORY_ACCESS_KEY="k",
        SWINGVISION_CRATE_REPOSITORY_SECRET_KEY="s",
    ):
        kind, options = crate.repository_config()
        assert kind == "s3"
        assert options == {
            "bucket": "backups",
            "base_path": "prod/cratedb",
            "endpoint": "minio:9000",
            "protocol": "http",
            "use_path_style_access": True,
            "access_key": "k",
            "secret_key": "s",
        }
    with (
        override_settings(
            SWINGVISION_CRATE_REPOSITORY_LOCATION="",
            SWINGVISION_BACKUP_LOCATION="file:///var/backups",
        ),
        pytest.raises(BackupError, match="SWINGVISION_CRATE_REPOSITORY_LOCATION"),
    ):
        crate.repository_config()


def test_subscription_connection_is_bound_and_masked():
    url, shown = crate.connection_url("eu-1:4300,eu-2", "repl", "p@ss&word", "sniff")
    assert url == "crate://eu-1:4300,eu-2:4300?user=repl&password=p%40ss%26word&mode=sniff"
    assert shown == "crate://eu-1:4300,eu-2:4300?user=repl&password=****&mode=sniff"
    statement = crate.create_subscription("swingvision_replica", "swingvision", url, shown)
    assert statement.args == (url,)
    assert "p%40ss" not in statement.display()
    url, _ = crate.connection_url("eu-1", "repl", "", "pg_tunnel")
    assert url == "crate://eu-1:5432?user=repl&mode=pg_tunnel"
    for hosts in ("", "bad host", "h:4300/x", "h'; DROP"):
        with pytest.raises(ValueError):
            crate.connection_url(hosts, "repl", "pw", "sniff")
    with pytest.raises(ValueError, match="user"):
        crate.connection_url("h", "", "pw", "sniff")


def test_replication_command_prints_both_roles(gateway):
    out = io.StringIO()
    call_command("replication", "--role", "publisher", stdout=out)
    text = out.getvalue()
    assert 'CREATE PUBLICATION "swingvision" FOR TABLE ' in text
    for table in TABLES:
        assert f'"doc"."{table}"' in text

    with override_settings(
        SWINGVISION_REPLICATION_PRIMARY="primary.example:4300",
        SWINGVISION_REPLICATION_USER="replicator",
        SWINGVISION_REPLICATION_PASSWORD="hunter22",
    ):
        out = io.StringIO()
        call_command("replication", "--role", "subscriber", stdout=out)
    text = out.getvalue()
    assert (
        'CREATE SUBSCRIPTION "swingvision_replica" CONNECTION '
        "'crate://primary.example:4300?user=replicator&password=****&mode=sniff' "
        'PUBLICATION "swingvision";'
    ) in text
    assert "hunter22" not in text
    assert 'DROP SUBSCRIPTION "swingvision_replica";' in text

    with pytest.raises(CommandError, match="logical replication is CrateDB's"):
        call_command("replication", "--role", "publisher", "--apply")
    with pytest.raises(CommandError, match="--primary-host"):
        call_command("replication", "--role", "subscriber")
