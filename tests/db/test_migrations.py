"""manage.py migrate_db on a new SQLite file: creates the schema, a second run applies nothing,
--list shows applied/pending, --dry-run prints the SQL and changes nothing."""

from __future__ import annotations

import io
import sqlite3

import pytest
from django.core.management import call_command

from swingvision.db import reset_db
from swingvision.db.migrate import migration_files


@pytest.fixture
def fresh_db(tmp_path, settings):
    path = tmp_path / "fresh.db"
    settings.SWINGVISION_DB = f"sqlite:///{path}"
    reset_db()
    yield path
    reset_db()


def run(*args) -> str:
    out = io.StringIO()
    call_command("migrate_db", *args, stdout=out)
    return out.getvalue()


def tables(path) -> set[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'index')")
        return {r[0] for r in rows}


def test_dry_run_prints_sql_and_changes_nothing(fresh_db):
    out = run("--dry-run")
    assert "CREATE TABLE IF NOT EXISTS users" in out and "(not applied)" in out
    # Nothing at all: not even the database file (nor its migrations table).
    assert not fresh_db.exists()
    assert all(f"-- {f.version}_{f.name} (not applied)" in out for f in migration_files("sqlite"))


def test_dry_run_on_a_migrated_database_reads_only(fresh_db):
    run()
    assert "nothing to apply" in run("--dry-run")
    last = migration_files("sqlite")[-1]
    with sqlite3.connect(fresh_db) as conn:
        conn.execute("DELETE FROM schema_migrations WHERE version = ?", (last.version,))
        n = conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0]
    out = run("--dry-run")
    assert f"-- {last.version}_{last.name} (not applied)" in out
    with sqlite3.connect(fresh_db) as conn:
        assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == n


def test_migrate_creates_the_schema_then_applies_nothing(fresh_db):
    files = migration_files("sqlite")
    out = run()
    assert all(f"applied {f.version}_{f.name}" in out for f in files)
    created = tables(fresh_db)
    expected_tables = {"users", "user_logins", "videos", "poses", "swing_analysis", "progress"}
    expected_indexes = {"videos_user_uploaded", "videos_status_uploaded", "poses_video_frame"}
    assert expected_tables | {"sessions", "schema_migrations"} <= created
    assert expected_indexes | {"swing_analysis_user_analyzed", "progress_user_date"} <= created
    with sqlite3.connect(fresh_db) as conn:
        before = conn.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    assert "nothing to apply" in run()
    with sqlite3.connect(fresh_db) as conn:
        assert conn.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == before
        assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(files)
    listed = run("--list").splitlines()[1:]
    assert [line.split()[:2] for line in listed] == [[f.version, f.name] for f in files]
    assert all(" applied " in line for line in listed)


def test_list_shows_pending_on_a_new_database(fresh_db):
    listed = run("--list").splitlines()[1:]
    assert len(listed) == len(migration_files("sqlite"))
    assert all(line.rstrip().endswith("pending") for line in listed)


def test_both_dialects_have_the_same_migrations():
    names = {d: [(f.version, f.name) for f in migration_files(d)] for d in ("sqlite", "crate")}
    assert names["sqlite"] == names["crate"]


def test_trigger_bodies_stay_whole():
    from swingvision.db.migrate import split_statements

    sql = """CREATE TABLE a (x INT);
-- a comment; with a semicolon
CREATE TRIGGER t AFTER DELETE ON a BEGIN
  INSERT INTO b VALUES (CASE WHEN OLD.x > 0 THEN 1 ELSE 0 END);
  DELETE FROM c;
END;
CREATE INDEX i ON a (x)"""
    parts = split_statements(sql)
    assert len(parts) == 3
    assert parts[1].startswith("CREATE TRIGGER") and parts[1].endswith("END")
