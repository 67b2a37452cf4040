"""Where backups go: a local folder or an S3 prefix, over the blob stores of swingvision.storage.

Layout under the location:
    <name>/manifest.json       written last: a folder without it is an unfinished backup
    <name>/db.sqlite3.zst       the SQLite database (CrateDB data lives in its snapshot repository)
    blobs/<store key>          video blobs, shared by every backup and copied once (incremental)
"""

from __future__ import annotations

import errno
import os
import re
import shutil
from pathlib import Path
from typing import BinaryIO

from swingvision.storage import CHUNK, LocalStore, S3Store, StorageError, open_store

# Backup names are UTC timestamps, so sorting by name sorts by time.
NAME_RE = re.compile(r"^\d{8}T\d{6}Z$")
BLOBS = "blobs/"


def store_key(store: LocalStore | S3Store, ref: str) -> str:
    """The key of a ref relative to its store: what `store.put(key, ...)` was given."""
    if isinstance(store, LocalStore):
        if not ref.startswith("local://"):
            raise StorageError(f"not a local blob: {ref}")
        return ref[len("local://") :]
    head = f"s3://{store.bucket}/{store.prefix}"
    if not ref.startswith(head):
        raise StorageError(f"not a blob of {head}: {ref}")
    return ref[len(head) :]


def store_ref(store: LocalStore | S3Store, key: str) -> str:
    if isinstance(store, LocalStore):
        return f"local://{key}"
    return f"s3://{store.bucket}/{store.prefix}{key}"


def store_sizes(store: LocalStore | S3Store, prefix: str = "") -> dict[str, int]:
    """{key: size} of every blob under a prefix, in one listing (no request per blob).

    Hidden names (`.part-` uploads in progress, `.healthcheck` probes) are not blobs."""
    out: dict[str, int] = {}
    if isinstance(store, LocalStore):
        base = store.root / prefix
        if not base.is_dir():
            return out
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for fn in filenames:
                if fn.startswith("."):
                    continue
                path = Path(dirpath) / fn
                out[path.relative_to(store.root).as_posix()] = path.stat().st_size
        return out
    try:
        pages = store.client.get_paginator("list_objects_v2").paginate(
            Bucket=store.bucket, Prefix=store.prefix + prefix
        )
        for page in pages:
            for obj in page.get("Contents", []):
                key = obj["Key"][len(store.prefix) :]
                if not key.rsplit("/", 1)[-1].startswith("."):
                    out[key] = obj["Size"]
    except Exception as e:
        raise StorageError(f"cannot list s3://{store.bucket}/{store.prefix}{prefix}: {e}") from e
    return out


class BackupLocation:
    """Files of backups by key (`<name>/manifest.json`, `blobs/raw/...`) in a folder or S3."""

    def __init__(self, url: str, *, endpoint_url: str | None = None, region: str = "") -> None:
        try:
            self.store = open_store(url, endpoint_url=endpoint_url, region=region)
        except ValueError as e:
            msg = str(e).replace("SWINGVISION_STORAGE", "SWINGVISION_BACKUP_LOCATION")
            raise ValueError(msg) from None
        self.url = url

    @classmethod
    def from_settings(cls) -> BackupLocation:
        from django.conf import settings

        return cls(
            settings.SWINGVISION_BACKUP_LOCATION,
            endpoint_url=settings.SWINGVISION_S3_ENDPOINT_URL,
            region=settings.SWINGVISION_S3_REGION,
        )

    @property
    def is_local(self) -> bool:
        return isinstance(self.store, LocalStore)

    def staging_dir(self) -> Path | None:
        """A scratch folder on the location's own file system (so a finished file is renamed
        into place, not copied), or None for S3."""
        if not isinstance(self.store, LocalStore):
            return None
        path = self.store.root / ".staging"
        path.mkdir(parents=True, exist_ok=True)
        return path

    # -- backups ----------------------------------------------------------------------------
    def backup_names(self) -> list[str]:
        """Names of the backup folders, finished or not, oldest first."""
        if isinstance(self.store, LocalStore):
            root = self.store.root
            names = [p.name for p in root.iterdir() if p.is_dir()] if root.is_dir() else []
        else:
            names = []
            try:
                pages = self.store.client.get_paginator("list_objects_v2").paginate(
                    Bucket=self.store.bucket, Prefix=self.store.prefix, Delimiter="/"
                )
                for page in pages:
                    for cp in page.get("CommonPrefixes", []):
                        names.append(cp["Prefix"][len(self.store.prefix) :].rstrip("/"))
            except Exception as e:
                raise StorageError(f"cannot list the backup location {self.url}: {e}") from e
        return sorted(n for n in names if NAME_RE.match(n))

    def delete_backup(self, name: str) -> None:
        if not NAME_RE.match(name):
            raise ValueError(f"not a backup name: {name!r}")
        for key in self.sizes(f"{name}/"):
            self.delete(key)
        if isinstance(self.store, LocalStore):
            shutil.rmtree(self.store.root / name, ignore_errors=True)

    # -- files ------------------------------------------------------------------------------
    def sizes(self, prefix: str = "") -> dict[str, int]:
        return store_sizes(self.store, prefix)

    def exists(self, key: str) -> bool:
        return self.store.exists(store_ref(self.store, key))

    def size(self, key: str) -> int:
        return self.store.size(store_ref(self.store, key))

    def open(self, key: str) -> BinaryIO:
        return self.store.open(store_ref(self.store, key))

    def read_bytes(self, key: str) -> bytes:
        stream = self.open(key)
        try:
            return stream.read()
        finally:
            stream.close()

    def put_stream(self, key: str, source: BinaryIO) -> None:
        self.store.put(key, source, content_type="application/octet-stream")

    def put_bytes(self, key: str, data: bytes) -> None:
        import io

        self.put_stream(key, io.BytesIO(data))

    def adopt_file(self, key: str, path: Path) -> None:
        """Move a finished file into the location under `key` (renamed when local and staged on
        the same file system, uploaded otherwise); the file is gone afterwards."""
        if isinstance(self.store, LocalStore):
            dest = self.store.root / key
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.replace(path, dest)
                return
            except OSError as e:
                if e.errno != errno.EXDEV:
                    raise
                # Staged on another file system: copy below.
        with open(path, "rb") as fh:
            self.put_stream(key, fh)
        path.unlink()

    def download(self, key: str, dest: Path) -> None:
        stream = self.open(key)
        try:
            with open(dest, "wb") as out:
                shutil.copyfileobj(stream, out, CHUNK)
        finally:
            stream.close()

    def delete(self, key: str) -> None:
        self.store.delete(store_ref(self.store, key))
