"""CrateDB backups and replication: repositories, snapshots, restore, publications, subscriptions.

Identifiers (repository, snapshot, schema, table, publication, subscription names) cannot be
bound, so every statement is built here from names checked against an allowlist pattern and
quoted; values (paths, buckets, keys, connection strings) are always bound parameters.
`representative_statements()` gives the tests one of each to parse with CrateDB's grammar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from swingvision.db.codec import from_epoch_ms
from swingvision.db.gateway import TABLES, Database
from swingvision.db.queries import SQL_DIR, Query, make_query, parse_file

from .manifest import BackupError, Manifest, TableSum, app_version

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
# Elasticsearch's snapshot rules: lowercase, no spaces, commas, '#', and not starting with '_'.
_SNAPSHOT_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
_HOST_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})(?::\d{1,5})?$")
REPLICATION_MODES = ("sniff", "pg_tunnel")
# CREATE REPOSITORY parameters we set, per type (docs/sql/statements/create-repository.rst).
REPOSITORY_OPTIONS = {
    "fs": ("location",),
    "s3": (
        "bucket",
        "base_path",
        "endpoint",
        "protocol",
        "access_key",
        "secret_key",
        "use_path_style_access",
    ),
}
SECRET_OPTIONS = ("access_key", "secret_key")
# How long a statement that waits for completion (CREATE SNAPSHOT, RESTORE, DROP SNAPSHOT,
# ANALYZE) may take. The URL's timeout (10 s by default) is for the app's statements: a restore
# of even a small schema took longer than that on the live test cluster.
LONG_STATEMENT_S = 6 * 3600.0


def ident(name: str, what: str = "name") -> str:
    """A quoted identifier from a checked name (lowercase letters, digits, underscores)."""
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ValueError(f"{what} {name!r}: use lowercase letters, digits and _ (max 63)")
    return f'"{name}"'


def snapshot_ident(repository: str, snapshot: str) -> str:
    if not isinstance(snapshot, str) or not _SNAPSHOT_RE.match(snapshot):
        raise ValueError(f"snapshot {snapshot!r}: use lowercase letters, digits, - and _")
    return f'{ident(repository, "repository")}."{snapshot}"'


def table_ident(schema: str, table: str) -> str:
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}")
    return f"{ident(schema, 'schema')}.{ident(table, 'table')}"


@dataclass(frozen=True, slots=True)
class Statement:
    """SQL with bound values, and the text to show an operator (secrets masked)."""

    sql: str
    args: tuple = ()
    shown: str = ""
    waits: bool = False  # waits for a long operation (snapshot, restore): LONG_STATEMENT_S

    def display(self) -> str:
        return (self.shown or self.sql) + ";"


# -- statement builders ----------------------------------------------------------------------
def create_repository(repository: str, kind: str, options: dict[str, Any]) -> Statement:
    if kind not in REPOSITORY_OPTIONS:
        raise ValueError(f"repository type {kind!r}: use fs or s3")
    unknown = set(options) - set(REPOSITORY_OPTIONS[kind])
    if unknown:
        raise ValueError(f"unknown {kind} repository option(s): {', '.join(sorted(unknown))}")
    keys = [k for k in REPOSITORY_OPTIONS[kind] if options.get(k) not in (None, "")]
    head = f"CREATE REPOSITORY {ident(repository, 'repository')} TYPE {kind} WITH "
    # Option names come from REPOSITORY_OPTIONS; every value is bound.
    bound = [f"{k} = ?" for k in keys] + ["compress = true"]
    masked = [f"{k} = {_literal('****' if k in SECRET_OPTIONS else options[k])}" for k in keys]
    masked.append("compress = true")
    return Statement(
        f"{head}({', '.join(bound)})",
        tuple(options[k] for k in keys),
        f"{head}({', '.join(masked)})",
    )


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "'" + str(value).replace("'", "''") + "'"


def create_snapshot(repository: str, snapshot: str) -> Statement:
    # ALL: every table, partition and the cluster metadata; only new segments are written.
    return Statement(
        f"CREATE SNAPSHOT {snapshot_ident(repository, snapshot)} ALL "
        "WITH (wait_for_completion = true)",
        waits=True,
    )


def drop_snapshot(repository: str, snapshot: str) -> Statement:
    return Statement(f"DROP SNAPSHOT {snapshot_ident(repository, snapshot)}", waits=True)


def restore_snapshot(repository: str, snapshot: str, schema: str, tables: list[str]) -> Statement:
    if not tables:
        raise ValueError("nothing to restore")
    names = ", ".join(table_ident(schema, t) for t in tables)
    return Statement(
        f"RESTORE SNAPSHOT {snapshot_ident(repository, snapshot)} TABLE {names} "
        "WITH (wait_for_completion = true)",
        waits=True,
    )


def drop_table(schema: str, table: str) -> Statement:
    return Statement(f"DROP TABLE IF EXISTS {table_ident(schema, table)}")


def refresh_table(schema: str, table: str) -> Statement:
    return Statement(f"REFRESH TABLE {table_ident(schema, table)}")


def count_rows(schema: str, table: str) -> Statement:
    return Statement(f"SELECT count(*) FROM {table_ident(schema, table)}")  # noqa: S608


def analyze() -> Statement:
    return Statement("ANALYZE", waits=True)


def create_publication(publication: str, schema: str, tables: list[str]) -> Statement:
    names = ", ".join(table_ident(schema, t) for t in tables)
    return Statement(f"CREATE PUBLICATION {ident(publication, 'publication')} FOR TABLE {names}")


def connection_url(hosts: str, user: str, password: str, mode: str) -> tuple[str, str]:
    """The subscriber's CONNECTION string, and the same with the password masked."""
    host_list = [h.strip() for h in hosts.split(",") if h.strip()]
    if not host_list or not all(_HOST_RE.match(h) for h in host_list):
        raise ValueError(f"primary host(s) {hosts!r}: use host:port[,host:port]")
    if mode not in REPLICATION_MODES:
        raise ValueError(f"mode {mode!r}: use {' or '.join(REPLICATION_MODES)}")
    if not user:
        raise ValueError("a replication user is required (SWINGVISION_REPLICATION_USER)")
    default_port = "4300" if mode == "sniff" else "5432"
    hosts_part = ",".join(h if ":" in h else f"{h}:{default_port}" for h in host_list)
    base = f"crate://{hosts_part}?user={quote(user, safe='')}"
    tail = f"&mode={mode}"
    if not password:
        return base + tail, base + tail
    return (
        f"{base}&password={quote(password, safe='')}{tail}",
        f"{base}&password=****{tail}",
    )


def create_subscription(subscription: str, publication: str, url: str, shown_url: str) -> Statement:
    sql = (
        f"CREATE SUBSCRIPTION {ident(subscription, 'subscription')} CONNECTION ? "
        f"PUBLICATION {ident(publication, 'publication')}"
    )
    return Statement(sql, (url,), sql.replace("?", _literal(shown_url), 1))


def drop_subscription(subscription: str) -> Statement:
    return Statement(f"DROP SUBSCRIPTION {ident(subscription, 'subscription')}")


def representative_statements() -> list[tuple[str, str]]:
    """One of every statement this module builds, for representative names (tests parse them)."""
    repo, snap, schema, tables = "swingvision", "20261125t104500z", "swingvision", list(TABLES)
    url, shown = connection_url("primary-1:4300,primary-2", "replicator", "s3cret'pw", "sniff")
    fs = create_repository(repo, "fs", {"location": "/var/backups/crate"})
    s3 = create_repository(
        repo,
        "s3",
        {
            "bucket": "b",
            "base_path": "p/cratedb",
            "endpoint": "minio:9000",
            "protocol": "http",
            "access_key": "k",
            "secret_key": "s",
            "use_path_style_access": True,
        },
    )
    built = [
        ("create repository fs", fs),
        ("create repository s3", s3),
        ("create snapshot", create_snapshot(repo, snap)),
        ("drop snapshot", drop_snapshot(repo, snap)),
        ("restore snapshot", restore_snapshot(repo, snap, schema, tables)),
        ("drop table", drop_table(schema, "poses")),
        ("refresh table", refresh_table(schema, "poses")),
        ("count rows", count_rows(schema, "poses")),
        ("analyze", analyze()),
        ("create publication", create_publication("swingvision", schema, tables)),
        ("create subscription", create_subscription("swingvision_sub", "swingvision", url, shown)),
        ("drop subscription", drop_subscription("swingvision_sub")),
    ]
    out = [(label, s.sql) for label, s in built]
    out += [(f"{label} (as shown)", s.shown) for label, s in built if s.shown]
    return out


# -- named queries ---------------------------------------------------------------------------
@cache
def ops_queries() -> dict[str, Query]:
    path = SQL_DIR / "ops" / "crate.sql"
    return {
        name: make_query(name, sql, about, str(path))
        for name, (sql, about) in parse_file(Path(path)).items()
    }


def query_rows(db: Database, query: str, /, **params: Any) -> list[tuple]:
    q = ops_queries()[query]
    return db.run_sql(q.sql, [params[p] for p in q.params])


def run(db: Database, statement: Statement) -> list[tuple]:
    return db.run_sql(
        statement.sql, statement.args, timeout=LONG_STATEMENT_S if statement.waits else None
    )


# -- repository and snapshots ----------------------------------------------------------------
def schema_of(db: Database) -> str:
    schema = db.config.schema or "doc"
    ident(schema, "schema")
    return schema


def repository_config() -> tuple[str, dict[str, Any]]:
    """(type, options) from settings: fs for a path, s3 for s3://bucket/base_path."""
    from django.conf import settings

    loc = settings.SWINGVISION_CRATE_REPOSITORY_LOCATION
    if not loc:
        backup = urlsplit(settings.SWINGVISION_BACKUP_LOCATION)
        if backup.scheme != "s3":
            raise BackupError(
                "set SWINGVISION_CRATE_REPOSITORY_LOCATION: a folder listed in every CrateDB "
                "node's path.repo (a shared mount), or s3://bucket/base_path"
            )
        prefix = backup.path.strip("/")
        loc = f"s3://{backup.netloc}/{prefix + '/' if prefix else ''}cratedb"
    parts = urlsplit(loc)
    if parts.scheme in ("", "file"):
        return "fs", {"location": parts.path}
    if parts.scheme != "s3" or not parts.netloc:
        raise BackupError(
            f"SWINGVISION_CRATE_REPOSITORY_LOCATION={loc!r}: use /path or s3://bucket/path"
        )
    options: dict[str, Any] = {"bucket": parts.netloc, "base_path": parts.path.strip("/")}
    endpoint = (
        settings.SWINGVISION_CRATE_REPOSITORY_ENDPOINT or settings.SWINGVISION_S3_ENDPOINT_URL
    )
    if endpoint:
        ep = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
        # A custom endpoint is an S3-compatible store (MinIO): path-style addressing.
        options.update(endpoint=ep.netloc, protocol=ep.scheme, use_path_style_access=True)
    options["access_key"] = settings.SWINGVISION_CRATE_REPOSITORY_ACCESS_KEY
    options["secret_key"] = settings.SWINGVISION_CRATE_REPOSITORY_SECRET_KEY
    return "s3", options


def repository_name() -> str:
    from django.conf import settings

    name = settings.SWINGVISION_CRATE_REPOSITORY
    ident(name, "SWINGVISION_CRATE_REPOSITORY")
    return name


def ensure_repository(db: Database) -> tuple[str, Statement | None]:
    """The repository's name, and the CREATE REPOSITORY run if it was missing."""
    repo = repository_name()
    if query_rows(db, "repository_get", name=repo):
        return repo, None
    kind, options = repository_config()
    statement = create_repository(repo, kind, options)
    run(db, statement)
    return repo, statement


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    name: str
    started: datetime
    finished: datetime | None
    state: str
    tables: list[str]  # schema.table


def snapshot_name(name: str) -> str:
    """Snapshot names must be lowercase: 20261125T104500Z becomes 20261125t104500z."""
    return name.lower()


def _snapshot(row: tuple) -> Snapshot:
    name, started, finished, state, tables = row[:5]
    return Snapshot(
        name=name,
        started=from_epoch_ms(started),
        finished=from_epoch_ms(finished) if finished is not None else None,
        state=state,
        tables=list(tables or []),
    )


def snapshots(db: Database, repository: str, *, limit: int = 10000) -> list[Snapshot]:
    """The repository's snapshots, oldest first."""
    rows = query_rows(db, "snapshots_in_repository", repository=repository, limit=limit)
    return sorted((_snapshot(r) for r in rows), key=lambda s: (s.started, s.name))


def table_rows(db: Database, schema: str, tables: list[str]) -> dict[str, TableSum]:
    out = {}
    for t in tables:
        run(db, refresh_table(schema, t))
        out[t] = TableSum(rows=int(run(db, count_rows(schema, t))[0][0]))
    return out


def existing_tables(db: Database, schema: str) -> list[str]:
    rows = query_rows(db, "tables_in_schema", schema=schema, tables=list(TABLES))
    return [r[0] for r in rows]


def create(db: Database, name: str, created_at: datetime) -> Manifest:
    """CREATE SNAPSHOT of everything, waiting for it; the manifest records our tables' rows."""
    repo, _ = ensure_repository(db)
    schema = schema_of(db)
    snap = snapshot_name(name)
    tables = [t for t in TABLES if t in set(existing_tables(db, schema))]
    counts = table_rows(db, schema, tables)
    run(db, create_snapshot(repo, snap))
    rows = query_rows(db, "snapshot_get", repository=repo, name=snap)
    if not rows or rows[0][3] != "SUCCESS":
        state = rows[0][3] if rows else "missing"
        failures = rows[0][5] if rows else []
        raise BackupError(f"snapshot {repo}.{snap} ended {state}: {failures}")
    return Manifest(
        name=name,
        created_at=created_at,
        engine="crate",
        app_version=app_version(),
        tables=counts,
        repository=repo,
        snapshot=snap,
    )


def drop(db: Database, repository: str, snapshot: str) -> None:
    run(db, drop_snapshot(repository, snapshot))


def restore(db: Database, snapshot: Snapshot, *, force: bool) -> dict:
    """RESTORE our tables from a snapshot. CrateDB cannot restore over an existing table:
    without force any existing table refuses; with force they are dropped first (after the
    snapshot was checked to be complete and to hold every table)."""
    repo = repository_name()
    schema = schema_of(db)
    if snapshot.state != "SUCCESS":
        raise BackupError(f"snapshot {snapshot.name} is {snapshot.state}; pick a SUCCESS one")
    ours = [t for t in TABLES if f"{schema}.{t}" in snapshot.tables]
    if not ours:
        raise BackupError(f"snapshot {snapshot.name} holds no table of schema {schema!r}")
    existing = existing_tables(db, schema)
    if existing and not force:
        raise BackupError(
            f"tables exist in schema {schema!r} ({', '.join(existing)}) and CrateDB cannot "
            "restore over a table: pass --force to drop them first"
        )
    for t in existing:
        run(db, drop_table(schema, t))
    run(db, restore_snapshot(repo, snapshot.name, schema, ours))
    counts = table_rows(db, schema, ours)
    run(db, analyze())
    return {"dropped": existing, "tables": counts}


# -- logical replication ---------------------------------------------------------------------
def publication_state(db: Database, publication: str) -> list[tuple]:
    return query_rows(db, "publication_tables", name=publication)


def subscription_state(db: Database, subscription: str) -> tuple[list[tuple], list[tuple]]:
    return (
        query_rows(db, "subscription_get", name=subscription),
        query_rows(db, "subscription_tables", name=subscription),
    )
