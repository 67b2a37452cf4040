"""Backups for either engine, as the commands use them: create, list, pick, prune, verify,
restore. SQLite backups live whole in the backup location; a CrateDB backup is a snapshot in the
cluster's repository plus a manifest (rows, blobs) in the backup location."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from swingvision.db import get_db, reset_db
from swingvision.db.codec import utc_now
from swingvision.db.gateway import Database
from swingvision.storage import LocalStore, S3Store, StorageError, get_store

from . import crate, sqlite
from .blobs import BlobCopy, collect_garbage, copy_blobs, missing_blobs, restore_blobs
from .location import NAME_RE, BackupLocation
from .manifest import MANIFEST, BackupError, Manifest, backup_name, name_time


@dataclass(frozen=True, slots=True, kw_only=True)
class BackupInfo:
    name: str
    created_at: datetime
    engine: str
    state: str  # "complete", "incomplete", "unreadable"; CrateDB: the snapshot's state
    size: int | None  # bytes in the backup location (CrateDB snapshots do not report one)
    rows: dict[str, int | None]  # per table, from the manifest (None: unknown)
    manifest: Manifest | None
    problem: str = ""

    @property
    def complete(self) -> bool:
        return self.state in ("complete", "SUCCESS")


@dataclass(frozen=True, slots=True)
class Context:
    db: Database
    location: BackupLocation
    store: LocalStore | S3Store

    @classmethod
    def default(
        cls,
        db: Database | None = None,
        location: BackupLocation | None = None,
        store: LocalStore | S3Store | None = None,
    ) -> Context:
        return cls(db or get_db(), location or BackupLocation.from_settings(), store or get_store())


def _read_manifest(location: BackupLocation, name: str) -> Manifest:
    try:
        raw = location.read_bytes(f"{name}/{MANIFEST}")
    except StorageError as e:
        raise BackupError(f"backup {name}: no readable manifest ({e})") from e
    manifest = Manifest.from_json(raw, where=f"backup {name}")
    if manifest.name != name:
        raise BackupError(f"backup {name}: its manifest names {manifest.name}")
    return manifest


# -- create ----------------------------------------------------------------------------------
def create_backup(
    ctx: Context | None = None, *, now: datetime | None = None, blobs: bool = True
) -> Manifest:
    """Back up the database (online) and the blobs not yet in the location; the manifest is
    written last, so a backup that died half-way is never taken for a finished one."""
    ctx = ctx or Context.default()
    t0 = time.perf_counter()
    created = now or utc_now()
    name = backup_name(created)
    if name in ctx.location.backup_names():
        raise BackupError(f"a backup named {name} already exists; wait a second and retry")
    if ctx.db.dialect == "sqlite":
        staging = ctx.location.staging_dir() or Path(ctx.db.config.path).parent
        with tempfile.TemporaryDirectory(dir=staging, prefix=f".backup-{name}-") as tmp:
            manifest = sqlite.create(ctx.db, ctx.location, name, created, Path(tmp))
    else:
        manifest = crate.create(ctx.db, name, created)
    # After the database: every row's blob was written before its row, so it is here.
    copied = copy_blobs(ctx.store, ctx.location) if blobs else BlobCopy([], 0, 0)
    manifest = replace(
        manifest,
        blobs=copied.entries,
        blobs_copied=copied.copied,
        blob_bytes_copied=copied.bytes_copied,
        duration_s=round(time.perf_counter() - t0, 3),
    )
    ctx.location.put_bytes(f"{name}/{MANIFEST}", manifest.to_json())
    return manifest


# -- list and pick ---------------------------------------------------------------------------
def list_backups(ctx: Context | None = None) -> list[BackupInfo]:
    """Backups of the configured engine, oldest first (unfinished ones included, marked)."""
    ctx = ctx or Context.default()
    if ctx.db.dialect == "sqlite":
        return [_sqlite_info(ctx.location, n) for n in ctx.location.backup_names()]
    repo = crate.repository_name()
    if not crate.query_rows(ctx.db, "repository_get", name=repo):
        return []
    schema = crate.schema_of(ctx.db)
    folders = set(ctx.location.backup_names())
    out = []
    for snap in crate.snapshots(ctx.db, repo):
        name = snap.name.upper()
        if not NAME_RE.match(name):
            continue  # a snapshot someone else took in the same repository
        manifest, problem = None, ""
        if name in folders:
            try:
                manifest = _read_manifest(ctx.location, name)
            except BackupError as e:
                problem = str(e)
        else:
            problem = "no manifest in the backup location (blobs not restorable)"
        out.append(
            BackupInfo(
                name=name,
                created_at=snap.started,
                engine="crate",
                state=snap.state,
                size=None,
                rows=_snapshot_rows(snap, schema, manifest),
                manifest=manifest,
                problem=problem,
            )
        )
    return out


def _snapshot_rows(
    snap: crate.Snapshot, schema: str, manifest: Manifest | None
) -> dict[str, int | None]:
    if manifest is not None:
        return {t: s.rows for t, s in manifest.tables.items()}
    return {t.split(".", 1)[1]: None for t in snap.tables if t.startswith(f"{schema}.")}


def _sqlite_info(location: BackupLocation, name: str) -> BackupInfo:
    sizes = location.sizes(f"{name}/")
    if f"{name}/{MANIFEST}" in sizes:
        try:
            m = _read_manifest(location, name)
        except BackupError as e:
            state, problem = "unreadable", str(e)
        else:
            return BackupInfo(
                name=name,
                created_at=m.created_at,
                engine=m.engine,
                state="complete",
                size=m.size,
                rows={t: s.rows for t, s in m.tables.items()},
                manifest=m,
            )
    else:
        state, problem = "incomplete", "no manifest: unfinished or interrupted"
    return BackupInfo(
        name=name,
        created_at=name_time(name),
        engine="sqlite",
        state=state,
        size=sum(sizes.values()),
        rows={},
        manifest=None,
        problem=problem,
    )


def find(backups: list[BackupInfo], name: str) -> BackupInfo:
    for b in backups:
        if b.name == name.upper():
            return b
    known = ", ".join(b.name for b in backups[-5:]) or "none"
    raise BackupError(f"no backup named {name!r} (newest: {known}); see `backup --list`")


def pick_before(backups: list[BackupInfo], before: datetime) -> BackupInfo:
    """The newest complete backup taken at or before `before` (point-in-time recovery at the
    granularity of the backup schedule)."""
    # By the second in the name: `--before 20261125T104500Z` (or 10:45:00) includes that backup,
    # whose copy was taken a few milliseconds into the second.
    eligible = [b for b in backups if b.complete and name_time(b.name) <= before]
    if not eligible:
        complete = [b for b in backups if b.complete]
        oldest = f"the oldest is {complete[0].name}" if complete else "there are none"
        raise BackupError(f"no complete backup at or before {before:%Y-%m-%d %H:%M:%S}Z; {oldest}")
    return max(eligible, key=lambda b: (b.created_at, b.name))


def newest_age(backups: list[BackupInfo], now: datetime | None = None) -> float | None:
    """Seconds since the newest complete backup, or None if there is none."""
    complete = [b for b in backups if b.complete]
    if not complete:
        return None
    return ((now or utc_now()) - max(b.created_at for b in complete)).total_seconds()


# -- prune -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PruneResult:
    deleted: list[str]
    blobs_deleted: int
    blobs_note: str


def prune(keep: int, ctx: Context | None = None) -> PruneResult:
    """Keep the newest `keep` complete backups; delete older ones, unfinished folders older than
    the newest complete backup, and blobs that nothing kept needs."""
    if keep < 1:
        raise BackupError("--keep must be at least 1")
    ctx = ctx or Context.default()
    backups = list_backups(ctx)
    complete = [b for b in backups if b.complete]
    kept, old = complete[-keep:], complete[:-keep]
    newest = complete[-1].name if complete else ""
    stale = [b for b in backups if not b.complete and newest and b.name < newest]
    repo = crate.repository_name() if ctx.db.dialect == "crate" else ""
    folders = set(ctx.location.backup_names())
    for b in old + stale:
        if b.engine == "crate":
            crate.drop(ctx.db, repo, crate.snapshot_name(b.name))
        if b.name in folders:
            ctx.location.delete_backup(b.name)
    if any(b.manifest is None for b in kept):
        note = "blobs kept: a kept backup has no readable manifest, so its blobs are unknown"
        return PruneResult([b.name for b in old + stale], 0, note)
    deleted = collect_garbage(ctx.location, [b.manifest for b in kept], ctx.store)
    return PruneResult([b.name for b in old + stale], deleted, "")


# -- verify and restore ----------------------------------------------------------------------
def verify_backup(info: BackupInfo, ctx: Context | None = None) -> list[str]:
    """What a restore would check, without restoring; returns the checks that passed."""
    ctx = ctx or Context.default()
    if info.manifest is None:
        raise BackupError(f"backup {info.name}: {info.problem or 'no manifest'}")
    done = []
    if info.engine == "sqlite":
        tables = sqlite.verify(ctx.location, info.manifest)
        done.append(f"sha256, integrity_check and {len(tables)} table checksums match")
    else:
        done.append(f"snapshot {crate.snapshot_name(info.name)} is {info.state}")
    missing = missing_blobs(ctx.location, info.manifest)
    if missing:
        raise BackupError(
            f"backup {info.name}: {len(missing)} blob(s) missing from the location, e.g. "
            f"{missing[0]}"
        )
    done.append(f"{len(info.manifest.blobs)} blobs present")
    return done


def restore_backup(
    info: BackupInfo,
    ctx: Context | None = None,
    *,
    force: bool = False,
    blobs: bool = True,
    safety_backup: bool = True,
) -> dict:
    """Restore a backup into ctx.db. Everything that can be checked is checked before the
    database is touched; with force over data, a safety backup of the current state is taken
    first (when ctx.db is the configured database)."""
    ctx = ctx or Context.default()
    if not info.complete:
        raise BackupError(f"backup {info.name} is {info.state}: {info.problem}")
    if info.engine != ctx.db.dialect:
        raise BackupError(
            f"backup {info.name} is a {info.engine} backup; the database is {ctx.db.dialect}"
        )
    live = ctx.db.config == get_db().config
    result: dict = {"name": info.name, "safety_backup": None}
    if ctx.db.dialect == "sqlite":
        if info.manifest is None:
            raise BackupError(f"backup {info.name}: no manifest")

        def safety(state: str) -> None:
            if force and safety_backup and live and state == "data":
                result["safety_backup"] = create_backup(ctx).name

        result.update(
            sqlite.restore(ctx.location, info.manifest, ctx.db, force=force, before_install=safety)
        )
    else:
        repo = crate.repository_name()
        snap = next(
            (s for s in crate.snapshots(ctx.db, repo) if s.name == crate.snapshot_name(info.name)),
            None,
        )
        if snap is None:
            raise BackupError(f"snapshot {crate.snapshot_name(info.name)} is gone from {repo}")
        has_data = bool(crate.existing_tables(ctx.db, crate.schema_of(ctx.db)))
        if force and safety_backup and live and has_data:
            result["safety_backup"] = create_backup(ctx).name
        result.update(crate.restore(ctx.db, snap, force=force))
    result["blobs_restored"] = (
        restore_blobs(ctx.location, info.manifest, ctx.store) if blobs and info.manifest else 0
    )
    if live:
        reset_db()
    return result
