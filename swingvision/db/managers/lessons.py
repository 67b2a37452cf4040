"""Video lessons (issue #17): a coach's recording of the replay with their voice, for one player.

Scope as for videos: an admin sees every lesson, a coach their players' lessons, a player their
own. Only the player's coach or an admin records or deletes one (NotAllowed for the player, which
views answer 403); only the player's own first play marks it watched. The blob is the storage
layer's (swingvision/lessons/ writes it before the row and deletes it after).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from ..codec import row_version, utc_now
from ..errors import ValidationError
from ..gateway import Database
from ..ids import new_id
from ..records import LESSON_STATUSES, Lesson, User, Video
from .admin import clean_text
from .audit import Audit, target_of
from .scope import SYSTEM, Actor, NotAllowed, can_edit_player, visible_player

MAX_TITLE = 120
MAX_SWINGS = 4  # a lesson covers the swing it was recorded on, and the one it was compared with
MAX_LIST = 200


class Lessons:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.audit = Audit(db)

    def create(
        self,
        actor: Actor,
        player_id: str,
        *,
        video_ids: list[str],
        title: Any,
        duration_s: float | None,
        blob_ref: str,
        content_type: str,
        size_bytes: int,
        metadata: dict[str, Any] | None = None,
        lesson_id: str | None = None,
    ) -> Lesson:
        """A recorded lesson for a player: by their coach or an admin, on the player's swings."""
        player, swings, clean_title = self.check_create(
            actor, player_id, video_ids=video_ids, title=title
        )
        if duration_s is not None and (not math.isfinite(duration_s) or duration_s < 0):
            raise ValidationError("duration_s", "must be a number of seconds, 0 or more")
        now = utc_now()
        lesson = Lesson(
            id=lesson_id or new_id(),
            user_id=player.id,
            coach_id=actor.id,
            video_ids=swings,
            title=clean_title,
            duration_s=duration_s,
            blob_ref=blob_ref,
            content_type=content_type,
            size_bytes=int(size_bytes),
            status="uploaded",
            metadata=metadata or {},
            created_at=now,
            updated_at=now,
            watched_at=None,
        )
        self.db.execute("lessons_insert", _params(lesson))
        self.db.refresh("lessons")
        self.audit.record(
            actor,
            "lesson.create",
            **target_of(lesson),
            after={"title": lesson.title, "video_ids": swings, "duration_s": duration_s},
        )
        return lesson

    def check_create(
        self, actor: Actor, player_id: str, *, video_ids: Any, title: Any
    ) -> tuple[User, list[str], str]:
        """What `create` checks before it writes (the upload runs it before storing a blob):
        the player in scope, the actor their coach or an admin, the swings the player's, the
        title. Returns the player, the swing ids and the clean title."""
        player = visible_player(self.db, actor, player_id)
        if not can_edit_player(actor, player):
            raise NotAllowed("only the player's coach or an admin records lessons")
        swings = _clean_video_ids(video_ids)
        for video_id in swings:
            if self.db.fetch_first(Video, "videos_get", {"id": video_id, "user_id": player.id}):
                continue
            raise ValidationError("video_ids", f"{video_id} is not a swing of this player")
        clean_title = clean_text("title", title, max_length=MAX_TITLE) or "Lesson"
        return player, swings, clean_title

    def get(self, actor: Actor, player_id: str, lesson_id: str) -> Lesson:
        visible_player(self.db, actor, player_id)
        return self.db.fetch_one(Lesson, "lessons_get", {"id": lesson_id, "user_id": player_id})

    def get_system(self, player_id: str, lesson_id: str) -> Lesson:
        """For the worker: no scope check."""
        return self.db.fetch_one(Lesson, "lessons_get", {"id": lesson_id, "user_id": player_id})

    def for_player(
        self, actor: Actor, player_id: str, *, limit: int = 50, offset: int = 0
    ) -> list[Lesson]:
        """New (not yet watched) lessons first, then the rest; newest first within each."""
        visible_player(self.db, actor, player_id)
        rows = self.db.fetch_all(
            Lesson,
            "lessons_for_player",
            {"user_id": player_id, "limit": min(int(limit), MAX_LIST), "offset": int(offset)},
        )
        return unwatched_first(rows)

    def for_swing(self, actor: Actor, player_id: str, video_id: str) -> list[Lesson]:
        visible_player(self.db, actor, player_id)
        rows = self.db.fetch_all(
            Lesson,
            "lessons_for_swing",
            {"user_id": player_id, "video_id": video_id, "limit": MAX_LIST},
        )
        return unwatched_first(rows)

    def count_for_player(self, actor: Actor, player_id: str) -> int:
        visible_player(self.db, actor, player_id)
        return int(self.db.fetch_value("lessons_count_for_player", {"user_id": player_id}))

    def count_new(self, actor: Actor, player_id: str) -> int:
        visible_player(self.db, actor, player_id)
        return int(self.db.fetch_value("lessons_count_new_for_player", {"user_id": player_id}))

    def mark_watched(self, actor: Actor, lesson: Lesson) -> Lesson:
        """The player played the lesson: watched now, once. A coach or admin playing it changes
        nothing (they check their work; the player has not seen it)."""
        if actor is SYSTEM or actor.role != "player" or actor.id != lesson.user_id:
            return lesson
        visible_player(self.db, actor, lesson.user_id)
        changed = self.db.execute(
            "lessons_mark_watched",
            {"id": lesson.id, "user_id": lesson.user_id, "watched_at": utc_now()},
        )
        if changed:
            self.db.refresh("lessons")
        return self.get_system(lesson.user_id, lesson.id)

    # -- the worker's side ------------------------------------------------------------------
    def with_status(self, status: str, *, limit: int = 20) -> list[Lesson]:
        if status not in LESSON_STATUSES:
            raise ValueError(f"unknown status {status!r}")
        return self.db.fetch_all(
            Lesson, "lessons_with_status", {"status": status, "limit": int(limit)}
        )

    def transition(self, lesson: Lesson, expected: str, new: str) -> bool:
        """Move the status only if it is still `expected`; False if someone else moved it."""
        if new not in LESSON_STATUSES:
            raise ValueError(f"unknown status {new!r}")
        key = {"id": lesson.id, "user_id": lesson.user_id}
        rows = self.db.rows("lessons_version", key)
        if not rows or rows[0]["status"] != expected:
            return False
        changed = self.db.execute(
            "lessons_set_status",
            {
                **key,
                "status": new,
                "expected": expected,
                "updated_at": utc_now(),
                # The version read above: CrateDB writes only while the row is still at it
                # (crate/guarded.sql); SQLite checks :expected in the UPDATE itself.
                **row_version(rows[0]),
            },
        )
        if changed:
            self.db.refresh("lessons")
        return changed == 1

    def update(self, lesson: Lesson, **changes: Any) -> Lesson:
        allowed = {"title", "duration_s", "status", "metadata"}
        unknown = set(changes) - allowed
        if unknown:
            raise ValueError(f"cannot change {', '.join(sorted(unknown))}")
        if changes.get("status", lesson.status) not in LESSON_STATUSES:
            raise ValueError(f"unknown status {changes['status']!r}")
        new = replace(lesson, **changes, updated_at=utc_now())
        self.db.execute("lessons_update", _params(new))
        self.db.refresh("lessons")
        return new

    def delete(self, actor: Actor, lesson: Lesson) -> None:
        """The row (the caller deletes the blobs): the player's coach or an admin."""
        player = visible_player(self.db, actor, lesson.user_id)
        if not can_edit_player(actor, player):
            raise NotAllowed("only the player's coach or an admin deletes lessons")
        self.db.execute("lessons_delete", {"id": lesson.id, "user_id": lesson.user_id})
        self.db.refresh("lessons")
        self.audit.record(
            actor,
            "lesson.delete",
            **target_of(lesson),
            before={"title": lesson.title, "video_ids": lesson.video_ids},
        )


def unwatched_first(rows: list[Lesson]) -> list[Lesson]:
    """New lessons first; the order within each group (newest first) is kept."""
    return sorted(rows, key=lambda lesson: not lesson.new)


def _clean_video_ids(raw: Any) -> list[str]:
    if not isinstance(raw, list | tuple) or not raw:
        raise ValidationError("video_ids", "name the swing the lesson was recorded on")
    out: list[str] = []
    for value in raw:
        if not isinstance(value, str) or not value or len(value) > 64 or not value.isprintable():
            raise ValidationError("video_ids", "must be swing ids")
        if value not in out:
            out.append(value)
    if len(out) > MAX_SWINGS:
        raise ValidationError("video_ids", f"a lesson covers at most {MAX_SWINGS} swings")
    return out


def _params(lesson: Lesson) -> dict[str, Any]:
    return {
        "id": lesson.id,
        "user_id": lesson.user_id,
        "coach_id": lesson.coach_id,
        "video_ids": list(lesson.video_ids),
        "title": lesson.title,
        "duration_s": lesson.duration_s,
        "blob_ref": lesson.blob_ref,
        "content_type": lesson.content_type,
        "size_bytes": lesson.size_bytes,
        "status": lesson.status,
        "metadata": lesson.metadata,
        "created_at": lesson.created_at,
        "updated_at": lesson.updated_at,
    }


__all__ = ["Lessons", "unwatched_first"]
