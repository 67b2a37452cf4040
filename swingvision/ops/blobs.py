"""Video blobs in backups: mirrored by key under blobs/, copied only when missing (incremental).

A blob's key (`raw/<player>/<video>/<file>`) names one upload for good, so a blob already in the
backup location with the same size is not copied again. Each manifest lists the blobs its
database rows may point to; pruning deletes blobs that no kept manifest lists and that the live
store no longer has (a blob still live will be listed by the next backup).
"""

from __future__ import annotations

from dataclasses import dataclass

from swingvision.storage import LocalStore, S3Store

from .location import BLOBS, BackupLocation, store_ref, store_sizes
from .manifest import BlobEntry, Manifest


@dataclass(frozen=True, slots=True)
class BlobCopy:
    entries: list[BlobEntry]
    copied: int
    bytes_copied: int


def copy_blobs(store: LocalStore | S3Store, location: BackupLocation) -> BlobCopy:
    """Copy the live store's blobs that the backup location lacks (or has at another size)."""
    live = store_sizes(store)
    have = location.sizes(BLOBS)
    copied = bytes_copied = 0
    for key, size in sorted(live.items()):
        if have.get(BLOBS + key) == size:
            continue
        src = store.open(store_ref(store, key))
        try:
            location.put_stream(BLOBS + key, src)
        finally:
            src.close()
        copied += 1
        bytes_copied += size
    entries = [BlobEntry(key=k, size=s) for k, s in sorted(live.items())]
    return BlobCopy(entries=entries, copied=copied, bytes_copied=bytes_copied)


def missing_blobs(location: BackupLocation, manifest: Manifest) -> list[str]:
    """Blobs the manifest lists that the backup location does not hold at their size."""
    have = location.sizes(BLOBS)
    return [b.key for b in manifest.blobs if have.get(BLOBS + b.key) != b.size]


def restore_blobs(location: BackupLocation, manifest: Manifest, store: LocalStore | S3Store) -> int:
    """Put back the manifest's blobs that the live store lacks; returns how many."""
    live = store_sizes(store)
    restored = 0
    for blob in manifest.blobs:
        if live.get(blob.key) == blob.size:
            continue
        src = location.open(BLOBS + blob.key)
        try:
            store.put(blob.key, src, content_type="")
        finally:
            src.close()
        restored += 1
    return restored


def collect_garbage(
    location: BackupLocation, kept: list[Manifest], store: LocalStore | S3Store
) -> int:
    """Delete blobs/ entries no kept manifest lists and the live store no longer has."""
    wanted = {b.key for m in kept for b in m.blobs} | set(store_sizes(store))
    deleted = 0
    for key in location.sizes(BLOBS):
        if key[len(BLOBS) :] not in wanted:
            location.delete(key)
            deleted += 1
    return deleted
