"""What a backup says about itself (manifest.json), backup names and the times operators type."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from .location import NAME_RE

MANIFEST = "manifest.json"
SQLITE_FILE = "db.sqlite3.zst"
FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TableSum:
    """A table's row count and content checksum (None where the engine gives none)."""

    rows: int
    checksum: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BlobEntry:
    key: str  # the key in the video store, also under blobs/ in the backup location
    size: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Manifest:
    name: str
    created_at: datetime  # the moment the database copy reflects
    engine: str  # "sqlite" | "crate"
    app_version: str
    tables: dict[str, TableSum]
    blobs: list[BlobEntry] = field(default_factory=list)
    # SQLite: the compressed file in the backup folder
    file: str | None = None
    sha256: str | None = None
    size: int | None = None  # bytes of the compressed file
    raw_size: int | None = None  # bytes of the database file
    # CrateDB: where the snapshot is
    repository: str | None = None
    snapshot: str | None = None
    blobs_copied: int = 0
    blob_bytes_copied: int = 0
    duration_s: float = 0.0
    format: int = FORMAT

    def to_json(self) -> bytes:
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat()
        return json.dumps(data, indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes, *, where: str) -> Manifest:
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise BackupError(f"{where}: manifest format {data.get('format')!r} is unknown")
            data["created_at"] = datetime.fromisoformat(data["created_at"])
            data["tables"] = {k: TableSum(**v) for k, v in data["tables"].items()}
            data["blobs"] = [BlobEntry(**b) for b in data.get("blobs", [])]
            return cls(**data)
        except BackupError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError) as e:
            raise BackupError(f"{where}: the manifest is unreadable ({e})") from e

    @property
    def total_rows(self) -> int:
        return sum(t.rows for t in self.tables.values())


# -- names and times -------------------------------------------------------------------------
def backup_name(moment: datetime) -> str:
    """`20261125T104500Z`: the UTC second a backup was taken (sorts by time)."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def name_time(name: str) -> datetime:
    if not NAME_RE.match(name.upper()):
        raise BackupError(f"{name!r} is not a backup name (like 20261125T104500Z)")
    return datetime.strptime(name.upper(), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.IGNORECASE)
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(text: str) -> timedelta:
    """`90s`, `30m`, `1h`, `2d`, `1w`."""
    m = _DURATION_RE.match(text)
    if not m:
        raise ValueError(f"{text!r}: use a number and a unit, like 30m, 1h or 2d")
    return timedelta(seconds=float(m.group(1)) * _UNIT_S[m.group(2).lower()])


def parse_time(text: str, *, now: datetime | None = None) -> datetime:
    """An operator's point in time: ISO 8601 (`2026-11-25T10:45`, `2026-11-25 10:45:00+01:00`;
    without an offset it is UTC), a backup name, `now`, or `<duration> ago` (`2h ago`)."""
    now = now or datetime.now(UTC)
    t = text.strip()
    if t.lower() == "now":
        return now
    if t.lower().endswith(" ago"):
        return now - parse_duration(t[: -len(" ago")])
    if NAME_RE.match(t.upper()):
        return name_time(t)
    try:
        moment = datetime.fromisoformat(t.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{text!r}: use ISO 8601 (2026-11-25T10:45:00Z), a backup name, 'now' or '2h ago'"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@cache
def app_version() -> str:
    """The installed package's version, or pyproject's in a source checkout."""
    import importlib.metadata
    import tomllib

    try:
        return importlib.metadata.version("swingvision-coach")
    except importlib.metadata.PackageNotFoundError:
        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
        return tomllib.loads(pyproject.read_text())["project"]["version"]


def human_size(n: int | None) -> str:
    if n is None:
        return "-"
    size = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TB"
