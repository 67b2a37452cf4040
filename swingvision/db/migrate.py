"""Numbered, idempotent schema migrations per dialect, recorded in `schema_migrations`."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .errors import ValidationError
from .gateway import TABLES, Database
from .queries import SQL_DIR
from .records import Migration

MIGRATIONS_DIR = SQL_DIR / "migrations"
_FILE_RE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True, slots=True)
class MigrationFile:
    version: str
    name: str
    path: Path
    statements: tuple[str, ...]
    checksum: str


_TRIGGER_RE = re.compile(r"^CREATE\s+TRIGGER\b", re.IGNORECASE)
_END_RE = re.compile(r"\bEND$", re.IGNORECASE)


def split_statements(sql: str) -> list[str]:
    """Split a migration file into statements (our DDL has no `;` inside literals).

    A SQLite `CREATE TRIGGER ... BEGIN ...; ...; END` stays one statement: its body's `;`s end
    the statements inside the trigger, not the trigger itself."""
    body = "\n".join(line for line in sql.splitlines() if not line.strip().startswith("--"))
    out: list[str] = []
    pending: list[str] = []
    for part in body.split(";"):
        pending.append(part)
        statement = ";".join(pending).strip()
        if _TRIGGER_RE.match(statement) and not _END_RE.search(statement):
            continue
        if statement:
            out.append(statement)
        pending = []
    rest = ";".join(pending).strip()
    if rest:
        out.append(rest)
    return out


def migration_files(dialect: str) -> list[MigrationFile]:
    out = []
    for path in sorted((MIGRATIONS_DIR / dialect).glob("*.sql")):
        m = _FILE_RE.match(path.name)
        if not m:
            raise ValueError(f"{path}: migration files are named NNNN_name.sql")
        text = path.read_text()
        out.append(
            MigrationFile(
                version=m.group(1),
                name=m.group(2),
                path=path,
                statements=tuple(split_statements(text)),
                checksum=hashlib.sha256(text.encode()).hexdigest()[:16],
            )
        )
    versions = [f.version for f in out]
    if len(set(versions)) != len(versions):
        raise ValueError(f"duplicate migration numbers for {dialect}")
    return out


def applied(db: Database, *, create: bool = False) -> dict[str, Migration]:
    db.run_sql(db.query("schema_migrations_create").sql, create=create)
    if db.dialect == "crate":
        db.refresh("schema_migrations")
    return {m.version: m for m in db.fetch_all(Migration, "schema_migrations_list")}


def applied_read_only(db: Database) -> dict[str, Migration]:
    """What `applied` says, touching nothing: no database file, no migrations table is created
    (an SQLite file that does not exist, or a schema without the table, has none applied)."""
    if db.dialect == "sqlite" and not os.path.exists(db.config.path):
        return {}
    if not live_columns(db, "schema_migrations"):
        return {}
    return {m.version: m for m in db.fetch_all(Migration, "schema_migrations_list")}


def pending(db: Database, *, read_only: bool = False) -> list[MigrationFile]:
    done = applied_read_only(db) if read_only else applied(db, create=True)
    return [f for f in migration_files(db.dialect) if f.version not in done]


def migrate(db: Database, *, dry_run: bool = False) -> list[MigrationFile]:
    """Apply what is missing, in order; returns the migrations applied (or, dry, to apply: a dry
    run creates nothing, not even the database file)."""
    todo = pending(db, read_only=dry_run)
    if dry_run:
        return todo
    for f in todo:
        for statement in f.statements:
            db.run_sql(statement)
        db.execute(
            "schema_migrations_insert",
            {
                "version": f.version,
                "name": f.name,
                "applied_at": datetime.now(UTC),
                "checksum": f.checksum,
            },
        )
    if todo and db.dialect == "crate":
        db.refresh("schema_migrations")
    return todo


_REPLICAS_RE = re.compile(r"^\d{1,2}(-(\d{1,2}|all))?$")


def set_replicas(db: Database, replicas: str) -> list[str]:
    """CrateDB: give every table of the schema `replicas` copies (`1`, `2`, or a range such as
    CrateDB's default `0-1`: none on one node, one once there is a second); returns the tables
    changed. Run by every `migrate_db`, so a changed setting reaches tables made earlier. Shard
    counts are chosen per table in the migrations and fixed at creation."""
    if db.dialect != "crate":
        return []
    if not _REPLICAS_RE.match(replicas):
        raise ValidationError(
            "SWINGVISION_CRATE_REPLICAS",
            f"a number of copies or a range like 0-1, not {replicas!r}",
        )
    rows = db.run_sql(
        "SELECT table_name, number_of_replicas FROM information_schema.tables"
        " WHERE table_schema = CURRENT_SCHEMA"
    )
    changed = []
    for table, current in rows:
        if table in TABLES and str(current) != replicas:
            db.run_sql(f"ALTER TABLE {table} SET (number_of_replicas = '{replicas}')")
            changed.append(table)
    return changed


def live_columns(db: Database, table: str) -> list[str]:
    return [r["name"] for r in db.rows("schema_columns", {"table_name": table})]
