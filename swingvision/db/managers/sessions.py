"""Session rows for the custom session engine."""

from __future__ import annotations

from ..codec import utc_now
from ..errors import Conflict
from ..gateway import Database
from ..records import SessionRecord


class Sessions:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, key: str) -> SessionRecord | None:
        rec = self.db.fetch_first(SessionRecord, "sessions_get", {"session_key": key})
        if rec is None or rec.expires_at <= utc_now():
            return None
        return rec

    def insert(self, rec: SessionRecord) -> bool:
        """False if the key exists already."""
        try:
            self.db.execute("sessions_insert", _params(rec))
        except Conflict:
            return False
        return True

    def update(self, rec: SessionRecord) -> bool:
        return self.db.execute("sessions_update", _params(rec)) == 1

    def delete(self, key: str) -> None:
        self.db.execute("sessions_delete", {"session_key": key})

    def delete_for_user(self, user_id: str) -> None:
        # CrateDB: a DELETE by a column other than the key finds rows through the search index,
        # which shows writes only after a refresh; a session made a moment ago must go too.
        self.db.refresh("sessions")
        self.db.execute("sessions_delete_for_user", {"user_id": user_id})

    def delete_expired(self) -> None:
        self.db.refresh("sessions")
        self.db.execute("sessions_delete_expired", {"now": utc_now()})


def _params(rec: SessionRecord) -> dict:
    return {
        "session_key": rec.session_key,
        "user_id": rec.user_id,
        "data": rec.data,
        "expires_at": rec.expires_at,
    }
