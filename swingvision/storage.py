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
RAW_PREFIX = "raw/"  # raw videos: purged after SWINGVISION_RAW_VIDEO_DAYS; poses/ stay
LIFECYCLE_RULE_ID = "swingvision-raw-video-retention"
# Browser renditions of the raw videos (videos/renditions.py) expire with them.
RENDITIONS_PREFIX = "renditions/"
RENDITION_LIFECYCLE_RULE_ID = "swingvision-rendition-retention"
# S3 multipart: parts of 8 MB, at most 4 in flight, read from the file part by part, so an upload
# holds about 32 MB in memory whatever the video's size.
S3_PART_BYTES = 8 * 1024 * 1024
S3_CONCURRENCY = 4


class StorageError(Exception):
    """The blob store failed or cannot be reached."""


class BlobNotFound(StorageError):
    """No blob under that reference."""


def safe_filename(name: str, *, default: str = "video", extension: str | None = None) -> str:
    """A filename safe as the last part of a key: no path separators, no control characters.
    `extension` replaces the name's own (a stored video's comes from its probed container, never
    from the name the client sent)."""
    name = unicodedata.normalize("NFKC", name).replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    if extension is not None:
        ext = extension
    stem = re.sub(r"[^\w.-]+", "_", stem, flags=re.UNICODE).strip("._")[:80] or default
    ext = re.sub(r"[^A-Za-z0-9]+", "", ext)[:8].lower()
    return f"{stem}.{ext}" if ext else stem


def video_key(
    player_id: str, video_id: str, filename: str, *, kind: str = "raw", extension: str | None = None
) -> str:
    return f"{kind}/{player_id}/{video_id}/{safe_filename(filename, extension=extension)}"


class BlobStore(Protocol):
    kind: str

    def put(self, key: str, source: BinaryIO, *, content_type: str) -> str: ...
    def put_file(self, key: str, path: Path, *, content_type: str) -> str: ...
    def keys(self, prefix: str = "") -> Iterator[str]: ...
    def open(self, ref: str) -> BinaryIO: ...
    def size(self, ref: str) -> int: ...
    def exists(self, ref: str) -> bool: ...
    def delete(self, ref: str) -> None: ...
    def presigned_url(
        self,
        ref: str,
        *,
        expires_s: int = 300,
        content_type: str | None = None,
        disposition: str | None = None,
    ) -> str | None: ...
    def owns(self, ref: str | None) -> bool: ...
    def check(self) -> dict: ...
    def local_copy(self, ref: str) -> contextmanager: ...


class LocalStore:
    kind = "local"

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def owns(self, ref: str | None) -> bool:
        """Whether a blob_ref names a blob of this store (and not of another one)."""
        return bool(ref) and ref.startswith("local://")

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

    def put_file(self, key: str, path: Path, *, content_type: str = "") -> str:
        """Put a file on disk into the store, all or nothing: a hard link when the file is on the
        store's filesystem (an upload's temporary file under SWINGVISION_UPLOAD_TMP in var/:
        no second write), else a streamed copy."""
        ref = f"local://{key}"
        target = self._path(ref)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.parent / f".part-link-{os.getpid()}-{threading.get_ident()}"
            tmp.unlink(missing_ok=True)  # left by a process that died between link and rename
            os.link(path, tmp)
        except OSError:
            with open(path, "rb") as source:
                return self.put(key, source, content_type=content_type)
        try:
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
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

    def presigned_url(
        self,
        ref: str,
        *,
        expires_s: int = 300,
        content_type: str | None = None,
        disposition: str | None = None,
    ) -> str | None:
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

    def lifecycle_rules(self) -> list[dict]:
        return []  # a folder has no lifecycle: `manage.py purge_videos` is the only line

    def keys(self, prefix: str = "") -> Iterator[str]:
        base = self.root / prefix
        if base.is_dir():
            for p in sorted(base.rglob("*")):
                if p.is_file() and not p.name.startswith(".part-"):
                    yield f"local://{p.relative_to(self.root).as_posix()}"


class S3Store:
    kind = "s3"

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        region: str = "",
        public_url: str | None = None,
    ) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        # SigV4 presigned URLs: every region takes them (SigV2 is refused by newer ones).
        config = Config(
            retries={"max_attempts": 3, "mode": "standard"},
            connect_timeout=5,
            signature_version="s3v4",
        )
        self.client = boto3.client(
            "s3", endpoint_url=endpoint_url, region_name=region or None, config=config
        )
        # Browsers follow presigned URLs, so those name the endpoint as browsers reach it (an
        # S3-compatible store behind the app's proxy, say), which SigV4 signs with the host:
        # a client of its own signs them (signing is local: it never connects).
        self.presigner = self.client
        if public_url and public_url.rstrip("/") != (endpoint_url or "").rstrip("/"):
            self.presigner = boto3.client(
                "s3", endpoint_url=public_url, region_name=region or None, config=config
            )
        from boto3.s3.transfer import TransferConfig

        self.transfer = TransferConfig(
            multipart_threshold=S3_PART_BYTES,
            multipart_chunksize=S3_PART_BYTES,
            max_concurrency=S3_CONCURRENCY,
            max_io_queue=S3_CONCURRENCY,
        )

    def owns(self, ref: str | None) -> bool:
        """Whether a blob_ref names a blob of this bucket under this store's prefix."""
        return bool(ref) and ref.startswith(f"s3://{self.bucket}/{self.prefix}")

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

    @contextmanager
    def _failures(self, ref: str) -> Iterator[None]:
        """S3's exceptions as StorageError (BlobNotFound for a missing key); ours pass as they are."""
        try:
            yield
        except StorageError:
            raise
        except Exception as e:
            raise self._errors(e, ref) from e

    def _upload(self, upload, source, key: str, content_type: str) -> str:
        full = self.prefix + key
        extra = {"ContentType": content_type} if content_type else {}
        with self._failures(full):
            upload(source, self.bucket, full, ExtraArgs=extra, Config=self.transfer)
        return f"s3://{self.bucket}/{full}"

    def put(self, key: str, source: BinaryIO, *, content_type: str = "") -> str:
        # upload_fileobj streams in parts (multipart above 8 MB): never the whole file in RAM.
        return self._upload(self.client.upload_fileobj, source, key, content_type)

    def put_file(self, key: str, path: Path, *, content_type: str = "") -> str:
        """Upload a file on disk. Each part is read from the file when it is sent, so memory stays
        at a few parts; a failed multipart upload is aborted, leaving no object under the key."""
        return self._upload(self.client.upload_file, str(path), key, content_type)

    def open(self, ref: str) -> BinaryIO:
        with self._failures(ref):
            return self.client.get_object(Bucket=self.bucket, Key=self._key(ref))["Body"]

    def size(self, ref: str) -> int:
        with self._failures(ref):
            return self.client.head_object(Bucket=self.bucket, Key=self._key(ref))["ContentLength"]

    def exists(self, ref: str) -> bool:
        try:
            self.size(ref)
        except BlobNotFound:
            return False
        return True

    def delete(self, ref: str) -> None:
        with self._failures(ref):
            self.client.delete_object(Bucket=self.bucket, Key=self._key(ref))

    def presigned_url(
        self,
        ref: str,
        *,
        expires_s: int = 300,
        content_type: str | None = None,
        disposition: str | None = None,
    ) -> str | None:
        params = {"Bucket": self.bucket, "Key": self._key(ref)}
        # S3 answers with these headers instead of the object's stored ones.
        if content_type:
            params["ResponseContentType"] = content_type
        if disposition:
            params["ResponseContentDisposition"] = disposition
        return self.presigner.generate_presigned_url(
            "get_object", Params=params, ExpiresIn=expires_s
        )

    @contextmanager
    def local_copy(self, ref: str) -> Iterator[Path]:
        suffix = Path(self._key(ref)).suffix
        with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
            with self._failures(ref):
                self.client.download_fileobj(self.bucket, self._key(ref), tmp)
            tmp.flush()
            yield Path(tmp.name)

    def check(self) -> dict:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except Exception as e:  # noqa: BLE001 - a health check reports, never raises
            return {"ok": False, "backend": "s3", "error": str(e)}
        return {"ok": True, "backend": "s3", "bucket": self.bucket}

    def lifecycle_rules(self) -> list[dict]:
        """The bucket's lifecycle rules (all of them, ours and anyone else's)."""
        try:
            answer = self.client.get_bucket_lifecycle_configuration(Bucket=self.bucket)
        except Exception as e:
            code = getattr(e, "response", {}).get("Error", {}).get("Code", "")
            if code == "NoSuchLifecycleConfiguration":
                return []
            raise StorageError(f"cannot read the lifecycle rules of {self.bucket}: {e}") from e
        return answer.get("Rules", [])

    def install_lifecycle(self, days: int) -> dict:
        """Expire raw videos and their browser renditions `days` after upload, S3-side: the
        second line behind purge_videos (one rule per prefix: a rule filters on one prefix).

        Our rules (by their IDs) are replaced; other rules of the bucket are kept. Poses under
        poses/ are not touched. Returns the raw videos' rule."""
        if days < 1:
            raise ValueError("days must be at least 1")
        ours = []
        for rule_id, prefix in (
            (LIFECYCLE_RULE_ID, RAW_PREFIX),
            (RENDITION_LIFECYCLE_RULE_ID, RENDITIONS_PREFIX),
        ):
            ours.append(
                {
                    "ID": rule_id,
                    "Filter": {"Prefix": self.prefix + prefix},
                    "Status": "Enabled",
                    "Expiration": {"Days": int(days)},
                    # Parts of uploads that died half-way are invisible but billed: a day.
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                }
            )
        rule = ours[0]
        ids = {r["ID"] for r in ours}
        rules = [r for r in self.lifecycle_rules() if r.get("ID") not in ids]
        try:
            self.client.put_bucket_lifecycle_configuration(
                Bucket=self.bucket, LifecycleConfiguration={"Rules": [*rules, *ours]}
            )
        except Exception as e:
            raise StorageError(f"cannot set the lifecycle rules of {self.bucket}: {e}") from e
        return rule

    def keys(self, prefix: str = "") -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
            for obj in page.get("Contents", []):
                yield f"s3://{self.bucket}/{obj['Key']}"


def open_store(
    url: str, *, endpoint_url: str | None = None, region: str = "", public_url: str | None = None
) -> LocalStore | S3Store:
    """`file:///abs/folder` or `s3://bucket/prefix`."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        return LocalStore(Path(parts.path))
    if parts.scheme == "s3":
        if not parts.netloc:
            raise ValueError(f"SWINGVISION_STORAGE={url!r}: no bucket")
        return S3Store(
            parts.netloc,
            parts.path,
            endpoint_url=endpoint_url,
            region=region,
            public_url=public_url,
        )
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
                    public_url=settings.SWINGVISION_S3_PUBLIC_URL,
                )
    return _store


def reset_store() -> None:
    global _store
    with _lock:
        _store = None
