"""SQLite backups: an online copy (the app keeps writing), zstd, SHA-256, a manifest; restore
verifies all of it before the live database is touched."""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import zstandard

from swingvision.db.errors import DatabaseUnavailable, QueryError
from swingvision.db.gateway import Database, parse_db_url

from .checksums import has_data, table_checksums
from .location import BackupLocation
from .manifest import SQLITE_FILE, BackupError, Manifest, TableSum, app_version

# zstd level 1: float32 keypoints barely compress at any level (about 0.7 of the file), and
# zstd is ~10x faster than gzip at the same ratio on them (bench/backup.py).
COMPRESS_LEVEL = 1
CHUNK = 1024 * 1024


def compress(src: Path, dest: Path, *, level: int = COMPRESS_LEVEL) -> None:
    with open(src, "rb") as fin, open(dest, "wb") as fout:
        zstandard.ZstdCompressor(level=level).copy_stream(fin, fout, read_size=CHUNK)


def decompress(src: Path, dest: Path) -> None:
    with open(src, "rb") as fin, open(dest, "wb") as fout:
        zstandard.ZstdDecompressor().copy_stream(fin, fout, read_size=CHUNK)


@dataclass(frozen=True, slots=True)
class SqliteCopy:
    """A verified local copy of a backup's database, ready to install."""

    path: Path
    tables: dict[str, TableSum]


def _open_file_db(path: Path) -> Database:
    return Database(parse_db_url(f"sqlite:///{path}"))


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def integrity_errors(db: Database, *, quick: bool = False) -> list[str]:
    rows = db.run_sql("PRAGMA quick_check" if quick else "PRAGMA integrity_check")
    found = [str(r[0]) for r in rows]
    return [] if found == ["ok"] else found


def snapshot(db: Database, workdir: Path, *, level: int = COMPRESS_LEVEL) -> dict:
    """Copy the live database (online), checksum the copy, compress it. Returns the facts the
    manifest records; the compressed file is `workdir/db.sqlite3.zst`."""
    raw = workdir / "db.sqlite3"
    db.sqlite_backup_to(raw)
    copy = _open_file_db(raw)
    try:
        errors = integrity_errors(copy, quick=True)
        if errors:
            raise BackupError(f"the database copy failed its check: {'; '.join(errors[:5])}")
        tables = table_checksums(copy)
    finally:
        copy.close()
    packed = workdir / SQLITE_FILE
    compress(raw, packed, level=level)
    packed.chmod(0o600)  # password hashes and sessions are in it
    result = {
        "tables": tables,
        "raw_size": raw.stat().st_size,
        "size": packed.stat().st_size,
        "sha256": _sha256(packed),
        "path": packed,
    }
    raw.unlink()
    return result


def create(
    db: Database, location: BackupLocation, name: str, created_at: datetime, workdir: Path
) -> Manifest:
    """Write `<name>/db.sqlite3.zst` into the location; the caller adds blobs and the manifest."""
    facts = snapshot(db, workdir)
    location.adopt_file(f"{name}/{SQLITE_FILE}", facts["path"])
    return Manifest(
        name=name,
        created_at=created_at,
        engine="sqlite",
        app_version=app_version(),
        tables=facts["tables"],
        file=SQLITE_FILE,
        sha256=facts["sha256"],
        size=facts["size"],
        raw_size=facts["raw_size"],
    )


def fetch_verified(location: BackupLocation, manifest: Manifest, workdir: Path) -> SqliteCopy:
    """Download, check the SHA-256, decompress, run integrity_check and compare every table's
    rows and checksum with the manifest. Raises BackupError naming what does not match."""
    where = f"backup {manifest.name}"
    if manifest.engine != "sqlite" or not manifest.file:
        raise BackupError(f"{where} is a {manifest.engine} backup, not a SQLite one")
    packed = workdir / manifest.file
    location.download(f"{manifest.name}/{manifest.file}", packed)
    size = packed.stat().st_size
    digest = _sha256(packed)
    if size != manifest.size or digest != manifest.sha256:
        raise BackupError(
            f"{where}: {manifest.file} is corrupt (sha256 {digest[:16]}…, {size} bytes; the "
            f"manifest says {str(manifest.sha256)[:16]}…, {manifest.size} bytes)"
        )
    raw = workdir / "restore.db"
    try:
        decompress(packed, raw)
    except (OSError, EOFError, zstandard.ZstdError) as e:
        raise BackupError(f"{where}: {manifest.file} does not decompress ({e})") from e
    packed.unlink()
    copy = _open_file_db(raw)
    try:
        try:
            errors = integrity_errors(copy)
        except (DatabaseUnavailable, QueryError) as e:
            raise BackupError(f"{where}: the database file does not open ({e})") from e
        if errors:
            raise BackupError(f"{where}: integrity_check failed: {'; '.join(errors[:5])}")
        tables = table_checksums(copy)
    finally:
        copy.close()
    if tables != manifest.tables:
        diff = sorted(
            t for t in set(tables) | set(manifest.tables) if tables.get(t) != manifest.tables.get(t)
        )
        raise BackupError(f"{where}: content differs from the manifest in {', '.join(diff)}")
    return SqliteCopy(path=raw, tables=tables)


def verify(location: BackupLocation, manifest: Manifest) -> dict[str, TableSum]:
    """Everything a restore checks, without restoring."""
    with tempfile.TemporaryDirectory(prefix="swingvision-verify-") as tmp:
        return fetch_verified(location, manifest, Path(tmp)).tables


def target_state(target: Database) -> str:
    """ "missing", "empty" (no rows beyond the migration ledger), "data" or "unreadable"."""
    if not os.path.exists(target.config.path) or os.path.getsize(target.config.path) == 0:
        return "missing"
    try:
        return "data" if has_data(target) else "empty"
    except (DatabaseUnavailable, QueryError):
        return "unreadable"
    finally:
        target.close()


def restore(
    location: BackupLocation,
    manifest: Manifest,
    target: Database,
    *,
    force: bool,
    before_install: Callable[[str], object] | None = None,
) -> dict:
    """Restore into the target's file. Refuses (BackupError) before touching anything if the
    target has data and force is off, or if the backup does not verify. `before_install(state)`
    runs after verification, just before the target changes (the safety backup)."""
    path = Path(target.config.path)
    state = target_state(target)
    if state == "data" and not force:
        raise BackupError(
            f"{path} holds data; restore into an empty database, or pass --force to replace it"
        )
    if state == "unreadable" and not force:
        raise BackupError(f"{path} cannot be read as a database; pass --force to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    moved_aside = None
    # Stage beside the target: the final rename must not cross file systems.
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".restore-") as tmp:
        copy = fetch_verified(location, manifest, Path(tmp))
        if before_install is not None:
            before_install(state)
        if state == "data" or state == "empty":
            target.sqlite_restore_from(copy.path)
        else:
            if state == "unreadable":
                moved_aside = path.with_name(f"{path.name}.unreadable-{int(time.time())}")
                os.replace(path, moved_aside)
            for suffix in ("-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            os.replace(copy.path, path)
    return {
        "state_before": state,
        "seconds": time.perf_counter() - t0,
        "tables": copy.tables,
        "moved_aside": str(moved_aside) if moved_aside else None,
    }
