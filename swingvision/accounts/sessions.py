"""A Django session engine over the gateway, so ending a session deletes it on the server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.contrib.sessions.backends.base import CreateError, SessionBase, UpdateError

from swingvision.db.managers import managers
from swingvision.db.records import SessionRecord

USER_KEY = "_auth_user_id"
AUTH_AT_KEY = "_auth_at"  # epoch seconds of the login: the absolute limit counts from here
SEEN_KEY = "_seen_at"  # epoch seconds of the last recorded request: the idle limit
SESSION_TOUCH_S = 300


class SessionStore(SessionBase):
    def _store(self):
        return managers().sessions

    def load(self) -> dict:
        rec = self._store().get(self.session_key) if self.session_key else None
        if rec is None:
            self._session_key = None
            return {}
        return self.decode(rec.data)

    def exists(self, session_key: str) -> bool:
        return self._store().get(session_key) is not None

    def create(self) -> None:
        for _ in range(10):
            self._session_key = self._get_new_session_key()
            try:
                self.save(must_create=True)
            except CreateError:
                continue
            self.modified = True
            return
        raise RuntimeError("could not create a unique session key")

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            return self.create()
        data = self._get_session(no_load=must_create)
        rec = SessionRecord(
            session_key=self._get_or_create_session_key(),
            user_id=data.get(USER_KEY),
            data=self.encode(data),
            expires_at=datetime.now(UTC) + timedelta(seconds=self.get_expiry_age()),
        )
        store = self._store()
        if must_create:
            if not store.insert(rec):
                raise CreateError
        elif not store.update(rec):
            # The row is gone (logged out elsewhere, or expired and purged): don't resurrect it.
            raise UpdateError

    def delete(self, session_key: str | None = None) -> None:
        key = session_key or self.session_key
        if key:
            self._store().delete(key)

    @classmethod
    def clear_expired(cls) -> None:
        managers().sessions.delete_expired()
