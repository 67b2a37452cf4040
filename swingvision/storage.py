"""Blob stores for videos: a local folder (default) or S3 (boto3), behind one interface.

A blob is named by a key that carries the player id (`raw/<player_id>/<video_id>/<file>`), and a
video row keeps a `blob_ref`: `local://<key>` (relative to the store's folder, so the folder can
move) or `s3://<bucket>/<prefix><key>`. Writes stream from a file object; nothing holds a whole
video in memory.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import urlsplit

CHUNK = 1024 * 1024


class StorageError(Exception):
    """The blob store failed or cannot be reached."""


class BlobNotFound(StorageError):
    """No blob under that reference."""


def safe_filename(name: str, *, default: str = "video") -> str:
    """A filename safe as the last part of a key: no path separators, no control characters."""
    name = unicodedata.normalize("NFKC", name).replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = re.sub(r"[^\w.-]+", "_", stem, flags=re.UNICODE).strip("._")[:80] or default
    ext = re.sub(r"[^A-Za-z0-9]+", "", ext)[:8].lower()
    return f"{stem}.{ext}" if ext else stem


def video_key(player_id: str, video_id: str, filename: str, *, kind: str = "raw") -> str:
    return f"{kind}/{player_id}/{video_id}/{safe_filename(filename)}"


class BlobStore(Protocol):
    kind: str

    def put(self, key: str, source: BinaryIO, *, content_type: str) -> str: ...
    def open(self, ref: str) -> BinaryIO: ...
    def size(self, ref: str) -> int: ...
    def exists(self, ref: str) -> bool: ...
    def delete(self, ref: str) -> None: ...
    def presigned_url(self, ref: str, *, expires_s: int = 300) -> str | None: ...
    def check(self) -> dict: ...
    def local_copy(self, ref: str) -> contextmanager: ...


class LocalStore:
    kind = "local"

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def _path(self, ref: str) -> Path:
        if not ref.startswith("local://"):
            raise BlobNotFound(f"not a local blob: {ref}")
        path = (self.root / ref[len("local://") :]).resolve()
        if not path.is_relative_to(self.root):
            raise BlobNotFound(f"outside the store: {ref}")
        return path

    def put(self, key: str, source: BinaryIO, *, content_type: str = "") -> str:
        ref = f"local://{key}"
        path = self._path(ref)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
            try:
                with os.fdopen(fd, "wb") as out:
                    shutil.copyfileobj(source, out, CHUNK)
                os.replace(tmp, path)  # all or nothing: no half-written blob under the key
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as e:
            raise StorageError(f"cannot write to the video store: {e}") from e
        return ref

    def open(self, ref: str) -> BinaryIO:
        try:
            return self._path(ref).open("rb")
        except FileNotFoundError:
            raise BlobNotFound(ref) from None
        except OSError as e:
            raise StorageError(f"cannot read from the video store: {e}") from e

    def size(self, ref: str) -> int:
        try:
            return self._path(ref).stat().st_size
        except FileNotFoundError:
            raise BlobNotFound(ref) from None

    def exists(self, ref: str) -> bool:
        return self._path(ref).is_file()

    def delete(self, ref: str) -> None:
        path = self._path(ref)
        path.unlink(missing_ok=True)
        # Drop empty folders up to the root so a purged player leaves nothing behind.
        for parent in path.parents:
            if parent == self.root or not parent.is_relative_to(self.root):
                break
            try:
                parent.rmdir()
            except OSError:
                break

    def presigned_url(self, ref: str, *, expires_s: int = 300) -> str | None:
        return None  # served by the playback view

    @contextmanager
    def local_copy(self, ref: str) -> Iterator[Path]:
        path = self._path(ref)
        if not path.is_file():
            raise BlobNotFound(ref)
        yield path

    def check(self) -> dict:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            probe = self.root / ".healthcheck"
            probe.write_bytes(b"ok")
            probe.unlink()
        except OSError as e:
            return {"ok": False, "backend": "local", "error": str(e)}
        return {"ok": True, "backend": "local"}

    def keys(self, prefix: str = "") -> Iterator[str]:
        base = self.root / prefix
        if base.is_dir():
            for p in sorted(base.rglob("*")):
                if p.is_file() and not p.name.startswith(".part-"):
                    yield f"local://{p.relative_to(self.root).as_posix()}"


class S3Store:
    kind = "s3"

    def __init__(
        self, bucket: str, prefix: str = "", *, endpoint_url: str | None = None, region: str = ""
    ) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region or None,
            config=Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5),
        )

    def _key(self, ref: str) -> str:
        parts = urlsplit(ref)
        if parts.scheme != "s3" or parts.netloc != self.bucket:
            raise BlobNotFound(f"not a blob of s3://{self.bucket}: {ref}")
        return parts.path.lstrip("/")

    def _errors(self, e: Exception, ref: str) -> StorageError:
        code = getattr(e, "response", {}).get("Error", {}).get("Code", "")
        if code in ("404", "NoSuchKey", "NotFound"):
            return BlobNotFound(ref)
        return StorageError(f"the S3 video store failed: {e}")

    def put(self, key: str, source: BinaryIO, *, content_type: str = "") -> str:
        full = self.prefix + key
        extra = {"ContentType": content_type} if content_type else {}
        try:
            # upload_fileobj streams in parts (multipart above 8 MB): never the whole file in RAM.
            self.client.upload_fileobj(source, self.bucket, full, ExtraArgs=extra)
        except Exception as e:
            raise self._errors(e, full) from e
        return f"s3://{self.bucket}/{full}"

    def open(self, ref: str) -> BinaryIO:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(ref))["Body"]
        except StorageError:
            raise
        except Exception as e:
            raise self._errors(e, ref) from e

    def size(self, ref: str) -> int:
        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._key(ref))["ContentLength"]
        except StorageError:
            raise
        except Exception as e:
            raise self._errors(e, ref) from e

    def exists(self, ref: str) -> bool:
        try:
            self.size(ref)
        except BlobNotFound:
            return False
        return True

    def delete(self, ref: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(ref))
        except StorageError:
            raise
        except Exception as e:
            raise self._errors(e, ref) from e

    def presigned_url(self, ref: str, *, expires_s: int = 300) -> str | None:
        return self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": self._key(ref)}, ExpiresIn=expires_s
        )

    @contextmanager
    def local_copy(self, ref: str) -> Iterator[Path]:
        suffix = Path(self._key(ref)).suffix
        with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
            try:
                self.client.download_fileobj(self.bucket, self._key(ref), tmp)
            except Exception as e:
                raise self._errors(e, ref) from e
            tmp.flush()
            yield Path(tmp.name)

    def check(self) -> dict:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except Exception as e:  # noqa: BLE001 - a health check reports, never raises
            return {"ok": False, "backend": "s3", "error": str(e)}
        return {"ok": True, "backend": "s3", "bucket": self.bucket}

    def keys(self, prefix: str = "") -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
            for obj in page.get("Contents", []):
                yield f"s3://{self.bucket}/{obj['Key']}"


def open_store(
    url: str, *, endpoint_url: str | None = None, region: str = ""
) -> LocalStore | S3Store:
    """`file:///abs/folder` or `s3://bucket/prefix`."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        return LocalStore(Path(parts.path))
    if parts.scheme == "s3":
        if not parts.netloc:
            raise ValueError(f"SWINGVISION_STORAGE={url!r}: no bucket")
        return S3Store(parts.netloc, parts.path, endpoint_url=endpoint_url, region=region)
    raise ValueError(f"SWINGVISION_STORAGE={url!r}: use file:///folder or s3://bucket/prefix")


_lock = threading.Lock()
_store: LocalStore | S3Store | None = None


def get_store() -> LocalStore | S3Store:
    global _store
    if _store is None:
        with _lock:
            if _store is None:
                from django.conf import settings

                _store = open_store(
                    settings.SWINGVISION_STORAGE,
                    endpoint_url=settings.SWINGVISION_S3_ENDPOINT_URL,
                    region=settings.SWINGVISION_S3_REGION,
                )
    return _store


def reset_store() -> None:
    global _store
    with _lock:
        _store = None
