"""The audit log: every admin and coach data edit, with who, what, when, and the values before and
after. Entries are written by the managers that make the change (see admin.py) and read by admins."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from swingvision.numbers import parse_int

from ..codec import to_epoch_ms, utc_now
from ..errors import NotFound, ValidationError
from ..gateway import Database
from ..ids import monotonic_id
from ..records import AuditEntry, Drill, Lesson, Note, SwingAnalysis, User, Video
from .scope import Actor, is_admin

TARGET_TYPES = ("user", "video", "analysis", "progress", "note", "drill", "lesson")
# Fields never copied into the log (secrets, and arrays too large to be worth keeping).
_NOT_LOGGED = {"password_hash", "swing_embedding", "keypoints", "embedding"}
_FAR_FUTURE_MS = 253402300799999  # 9999-12-31: "no cursor", later than any entry


_TARGET_TYPE = {
    User: "user",
    Video: "video",
    SwingAnalysis: "analysis",
    Note: "note",
    Drill: "drill",
    Lesson: "lesson",
}


def target_of(record: User | Video | SwingAnalysis | Note | Drill | Lesson) -> dict[str, Any]:
    """What an audit entry is about (`audit.record(actor, action, **target_of(record), ...)`): the
    record's type and id, and the player it concerns: a user only when a player, a drill nobody,
    any other record its user (the player it belongs to)."""
    if isinstance(record, User):
        player_id = record.id if record.role == "player" else None
    else:
        player_id = getattr(record, "user_id", None)
    return {
        "target_type": _TARGET_TYPE[type(record)],
        "target_id": record.id,
        "player_id": player_id,
    }


def snapshot(record: Any) -> dict[str, Any]:
    """A record as plain JSON-friendly values for the log (no secrets, no vectors)."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(record):
        if f.name in _NOT_LOGGED:
            continue
        out[f.name] = _plain(getattr(record, f.name))
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the keys whose values differ, on each side: what a reader of the log wants to see.
    A dict on both sides (a video's metadata) keeps only its own changed keys, so one edited
    field does not log the whole JSON twice."""
    b: dict[str, Any] = {}
    a: dict[str, Any] = {}
    for k in {**before, **after}:
        old, new = before.get(k), after.get(k)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict):
            b[k], a[k] = changed(old, new)
        else:
            b[k], a[k] = old, new
    return b, a


def flatten(value: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """{"metadata": {"club": "7i"}} -> {"metadata.club": "7i"}: each leaf under its path."""
    out: dict[str, Any] = {}
    for k, v in value.items():
        path = f"{prefix}{k}"
        if isinstance(v, dict) and v:
            out.update(flatten(v, f"{path}."))
        else:
            out[path] = v
    return out


def field_changes(before: dict | None, after: dict | None) -> list[tuple[str, Any, Any]]:
    """(field path, before, after) for each field that differs, in the order the entry has them;
    older entries that logged whole records on both sides show only what changed too."""
    b = flatten(before or {})
    a = flatten(after or {})
    return [(k, b.get(k), a.get(k)) for k in {**b, **a} if b.get(k) != a.get(k)]


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditPage:
    entries: list[AuditEntry]
    next_cursor: str  # "" on the last page


def _cursor(entry: AuditEntry) -> str:
    return f"{to_epoch_ms(entry.at)}.{entry.id}"


def parse_cursor(cursor: str) -> tuple[int, str]:
    """`<epoch ms>.<id>` from a previous page, or ("no cursor") the newest entries."""
    if not cursor:
        return _FAR_FUTURE_MS, "~"
    ms, _, entry_id = cursor.partition(".")
    message = "not a cursor from a previous page"
    if not entry_id or len(entry_id) > 64:
        raise ValidationError("before", message)
    return parse_int("before", ms, lo=0, hi=_FAR_FUTURE_MS, message=message), entry_id


class Audit:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record(
        self,
        actor: Actor,
        action: str,
        *,
        target_type: str,
        target_id: str,
        player_id: str | None = None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> AuditEntry:
        if target_type not in TARGET_TYPES:
            raise ValueError(f"unknown audit target type {target_type!r}")
        entry = AuditEntry(
            id=monotonic_id(),
            actor_id=actor.id,
            action=action,
            target_type=target_type,
            target_id=target_id,
            player_id=player_id,
            before=_plain(before or {}),
            after=_plain(after or {}),
            at=utc_now(),
        )
        self.db.execute(
            "audit_insert",
            {
                "id": entry.id,
                "actor_id": entry.actor_id,
                "action": entry.action,
                "target_type": entry.target_type,
                "target_id": entry.target_id,
                "player_id": entry.player_id,
                "before": entry.before,
                "after": entry.after,
                "at": entry.at,
            },
        )
        self.db.refresh("audit_log")
        return entry

    def page(
        self,
        actor: Actor,
        *,
        actor_id: str = "",
        target_type: str = "",
        target_id: str = "",
        player_id: str = "",
        cursor: str = "",
        limit: int = 50,
    ) -> AuditPage:
        """Newest first; pass `next_cursor` back for the next (older) page. Admins only."""
        if not is_admin(actor):
            raise NotFound("not allowed")
        before_ms, before_id = parse_cursor(cursor)
        params = {
            "before_at": before_ms,
            "before_id": before_id,
            "target_type": target_type,
            "target_id": target_id,
            "limit": int(limit) + 1,
        }
        if target_type and target_id and not actor_id and not player_id:
            entries = self.db.fetch_all(AuditEntry, "audit_for_target", params)
        else:
            params.update(actor_id=actor_id, player_id=player_id)
            entries = self.db.fetch_all(AuditEntry, "audit_page", params)
        more = len(entries) > limit
        entries = entries[:limit]
        return AuditPage(entries=entries, next_cursor=_cursor(entries[-1]) if more else "")

    def get(self, actor: Actor, entry_id: str) -> AuditEntry:
        if not is_admin(actor):
            raise NotFound("not allowed")
        return self.db.fetch_one(AuditEntry, "audit_get", {"id": entry_id})


__all__ = ["Audit", "AuditPage", "changed", "parse_cursor", "snapshot"]
