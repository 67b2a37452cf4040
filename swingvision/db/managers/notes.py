"""Notes from a coach to a player on a swing (table `notes`, migration 0005)."""

from __future__ import annotations

from typing import Any

from ..codec import utc_now
from ..gateway import Database
from ..ids import new_id
from ..records import Note, SwingAnalysis, Video
from ..swing_facts import frame_count
from .admin import clean_text
from .audit import Audit, target_of
from .coaching import clean_frame
from .scope import SYSTEM, Actor, require_editor, visible_player

MAX_NOTE_TEXT = 2000
NOTES_PER_SWING = 500
UNREAD_LIST = 20


def _logged(note: Note) -> dict:
    """What the audit log keeps of a note."""
    return {"video_id": note.video_id, "frame": note.frame, "text": note.text}


class Notes:
    """Notes from a coach to a player on a swing; the player's first look marks them read."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.audit = Audit(db)

    def create(
        self, actor: Actor, player_id: str, video_id: str, *, text: Any, frame: Any = None
    ) -> Note:
        player = visible_player(self.db, actor, player_id)
        video = self.db.fetch_one(Video, "videos_get", {"id": video_id, "user_id": player.id})
        require_editor(actor, player)
        analysis = self.db.fetch_first(
            SwingAnalysis, "analyses_latest_for_video", {"user_id": player.id, "video_id": video.id}
        )
        note = Note(
            id=new_id(),
            user_id=player.id,
            video_id=video.id,
            author_id=actor.id,
            frame=clean_frame("frame", frame, frame_count(video, analysis)),
            text=clean_text("text", text, max_length=MAX_NOTE_TEXT, required=True, multiline=True),
            created_at=utc_now(),
            read_at=None,
        )
        self.db.execute(
            "notes_insert",
            {
                "id": note.id,
                "user_id": note.user_id,
                "video_id": note.video_id,
                "author_id": note.author_id,
                "frame": note.frame,
                "text": note.text,
                "created_at": note.created_at,
            },
        )
        self.db.refresh("notes")
        self.audit.record(
            actor,
            "note.create",
            **target_of(note),
            after=_logged(note),
        )
        return note

    def get(self, actor: Actor, player_id: str, note_id: str) -> Note:
        visible_player(self.db, actor, player_id)
        return self.db.fetch_one(Note, "notes_get", {"id": note_id, "user_id": player_id})

    def for_video(self, actor: Actor, player_id: str, video_id: str) -> list[Note]:
        """Oldest first: a conversation reads down."""
        visible_player(self.db, actor, player_id)
        return self.db.fetch_all(
            Note,
            "notes_for_video",
            {"user_id": player_id, "video_id": video_id, "limit": NOTES_PER_SWING},
        )

    def unread(self, actor: Actor, player_id: str, *, limit: int = UNREAD_LIST) -> list[Note]:
        """The player's notes not read yet, newest first (their "new feedback" list)."""
        visible_player(self.db, actor, player_id)
        return self.db.fetch_all(
            Note, "notes_unread_for_player", {"user_id": player_id, "limit": int(limit)}
        )

    def mark_read(self, actor: Actor, player_id: str, video_id: str) -> int:
        """The player opened the swing: its unread notes are read now. Only the player's own
        look counts (a coach or admin looking changes nothing). Returns how many changed."""
        if actor is SYSTEM or actor.role != "player" or actor.id != player_id:
            return 0
        visible_player(self.db, actor, player_id)
        changed = self.db.execute(
            "notes_mark_read_for_video",
            {"user_id": player_id, "video_id": video_id, "read_at": utc_now()},
        )
        if changed:
            self.db.refresh("notes")
        return max(changed, 0)

    def delete(self, actor: Actor, player_id: str, note_id: str) -> Note:
        player = visible_player(self.db, actor, player_id)
        note = self.db.fetch_one(Note, "notes_get", {"id": note_id, "user_id": player.id})
        require_editor(actor, player)
        self.db.execute("notes_delete", {"id": note.id, "user_id": player.id})
        self.db.refresh("notes")
        self.audit.record(
            actor,
            "note.delete",
            **target_of(note),
            before=_logged(note),
        )
        return note


__all__ = ["MAX_NOTE_TEXT", "Notes"]
