"""A player's videos and their lifecycle: uploaded -> processing -> analyzed | failed -> expired."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from ..codec import row_version, utc_now
from ..gateway import Database
from ..ids import new_id
from ..records import VIDEO_STATUSES, Video
from .scope import SYSTEM, Actor, visible_player
from .summaries import Summaries

_CHANGEABLE = {"filename", "duration_s", "status", "metadata", "blob_ref"}


def _check_changes(video: Video, changes: dict[str, Any]) -> None:
    """Only the changeable fields, and a known status (a programming error otherwise)."""
    unknown = set(changes) - _CHANGEABLE
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))}")
    if changes.get("status", video.status) not in VIDEO_STATUSES:
        raise ValueError(f"unknown status {changes['status']!r}")


class Videos:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(
        self,
        actor: Actor,
        player_id: str,
        *,
        filename: str,
        status: str = "uploaded",
        metadata: dict[str, Any] | None = None,
        blob_ref: str | None = None,
        duration_s: float | None = None,
        uploaded_at: datetime | None = None,
        video_id: str | None = None,
    ) -> Video:
        visible_player(self.db, actor, player_id)
        if status not in VIDEO_STATUSES:
            raise ValueError(f"unknown status {status!r}")
        now = utc_now()
        video = Video(
            id=video_id or new_id(),
            user_id=player_id,
            filename=filename,
            uploaded_at=uploaded_at or now,
            updated_at=now,
            duration_s=duration_s,
            status=status,
            metadata=metadata or {},
            blob_ref=blob_ref,
        )
        self.db.execute("videos_insert", _video_params(video))
        self.db.refresh("videos")
        Summaries(self.db).refresh(player_id)
        return video

    def get(self, actor: Actor, player_id: str, video_id: str) -> Video:
        visible_player(self.db, actor, player_id)
        return self.db.fetch_one(Video, "videos_get", {"id": video_id, "user_id": player_id})

    def get_system(self, player_id: str, video_id: str) -> Video:
        """For the worker and commands: no scope check."""
        return self.db.fetch_one(Video, "videos_get", {"id": video_id, "user_id": player_id})

    def find_any(self, video_id: str) -> Video | None:
        """A video by id alone (operator commands take only the id)."""
        return self.db.fetch_first(Video, "videos_by_id", {"id": video_id})

    def all(self, *, limit: int = 1000, offset: int = 0) -> list[Video]:
        return self.db.fetch_all(Video, "videos_all", {"limit": limit, "offset": offset})

    def for_player(
        self, actor: Actor, player_id: str, *, limit: int = 50, offset: int = 0
    ) -> list[Video]:
        visible_player(self.db, actor, player_id)
        return self.db.fetch_all(
            Video,
            "videos_for_player",
            {"user_id": player_id, "limit": int(limit), "offset": int(offset)},
        )

    def count_for_player(self, actor: Actor, player_id: str) -> int:
        visible_player(self.db, actor, player_id)
        return int(self.db.fetch_value("videos_count_for_player", {"user_id": player_id}))

    def with_status(self, status: str, *, limit: int = 100) -> list[Video]:
        """The worker's and the purge's view: every player, system actor only."""
        return self.db.fetch_all(Video, "videos_with_status", {"status": status, "limit": limit})

    def uploaded_before(self, before: datetime, *, limit: int = 1000) -> list[Video]:
        return self.db.fetch_all(
            Video, "videos_uploaded_before", {"before": before, "limit": limit}
        )

    def transition(self, video: Video, expected: str, new: str) -> bool:
        """Move the status only if it is still `expected`; False if someone else moved it."""
        if new not in VIDEO_STATUSES:
            raise ValueError(f"unknown status {new!r}")
        version = self._version(video, expected)
        if version is None:
            return False
        changed = self.db.execute(
            "videos_set_status",
            {
                "id": video.id,
                "user_id": video.user_id,
                "status": new,
                "expected": expected,
                "updated_at": utc_now(),
                **version,
            },
        )
        if changed:
            self.db.refresh("videos")
            Summaries(self.db).refresh(video.user_id)
        return changed == 1

    def update(self, video: Video, **changes: Any) -> Video:
        _check_changes(video, changes)
        new = replace(video, **changes, updated_at=utc_now())
        self.db.execute("videos_update", _video_params(new))
        self.db.refresh("videos")
        if new.status != video.status:
            Summaries(self.db).refresh(video.user_id)
        return new

    def raw_due(
        self, before: datetime, *, after: Video | None = None, limit: int = 500
    ) -> list[Video]:
        """Videos uploaded before `before` that still have a raw blob, oldest first, a page at a
        time after `after` (keyset paging: rows the purge skips do not hide the ones behind)."""
        return self.db.fetch_all(
            Video,
            "videos_raw_due",
            {
                "before": before,
                "after_at": after.uploaded_at if after else datetime.fromtimestamp(0, UTC),
                "after_id": after.id if after else "",
                "limit": int(limit),
            },
        )

    def update_if_status(self, video: Video, expected: str, **changes: Any) -> Video | None:
        """`update`, but only while the status is still `expected` (None if it moved on): the
        upload API re-queues a video and the purge expires one without racing the worker."""
        _check_changes(video, changes)
        version = self._version(video, expected)
        if version is None:
            return None
        new = replace(video, **changes, updated_at=utc_now())
        changed = self.db.execute(
            "videos_update_if_status", {**_video_params(new), "expected": expected, **version}
        )
        if not changed:
            return None
        self.db.refresh("videos")
        if new.status != expected:
            Summaries(self.db).refresh(video.user_id)
        return new

    def _version(self, video: Video, expected: str) -> dict[str, int] | None:
        """The row's current version if its status is `expected` (None otherwise), read by
        primary key. CrateDB's status-guarded writes are conditional on this version (_seq_no,
        _primary_term), which it checks atomically; SQLite's check the status in the UPDATE."""
        rows = self.db.rows("videos_version", {"id": video.id, "user_id": video.user_id})
        if not rows or rows[0]["status"] != expected:
            return None
        return row_version(rows[0])

    def delete(self, actor: Actor, video: Video) -> None:
        """The video row with its poses and analyses (the blob is the storage layer's)."""
        visible_player(self.db, actor, video.user_id)
        params = {"user_id": video.user_id, "video_id": video.id}
        self.db.execute("poses_delete_for_video", params)
        self.db.execute("analyses_delete_for_video", params)
        self.db.execute("notes_delete_for_video", params)  # coaches' notes on it (issue #10)
        self.db.execute("videos_delete", {"id": video.id, "user_id": video.user_id})
        # A deleted row stays in searches until the next refresh (CrateDB): the swing's poses
        # (counts, similarity), analyses and notes must go from the next page too.
        for table in ("poses", "swing_analysis", "notes", "videos"):
            self.db.refresh(table)
        Summaries(self.db).refresh(video.user_id)


def _video_params(v: Video) -> dict[str, Any]:
    return {
        "id": v.id,
        "user_id": v.user_id,
        "filename": v.filename,
        "uploaded_at": v.uploaded_at,
        "updated_at": v.updated_at,
        "duration_s": v.duration_s,
        "status": v.status,
        "metadata": v.metadata,
        "blob_ref": v.blob_ref,
    }


__all__ = ["SYSTEM", "Videos"]
