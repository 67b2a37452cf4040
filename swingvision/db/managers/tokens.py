"""Personal API tokens: created and revoked by their owner, stored as SHA-256 hashes.

A token is `svt_` + 43 random url-safe characters (256 bits), shown once at creation. Requests find
it by hash in `api_token_hashes`, whose primary key is the hash: a real-time key read on CrateDB
too, so a token works the moment it is created and stops the moment it is revoked.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from ..codec import utc_now
from ..errors import NotFound, ValidationError
from ..gateway import Database
from ..ids import new_id
from ..records import ApiToken, ApiTokenHash, User

TOKEN_PREFIX = "svt_"
MAX_ACTIVE_TOKENS = 20
MAX_NAME_LENGTH = 80
# last_used_at is a write per request otherwise; a minute's precision is enough to spot a stale token.
TOUCH_EVERY = timedelta(minutes=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiTokens:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, actor: User, *, name: str) -> tuple[ApiToken, str]:
        """A new token for the actor; returns the record and the token (never stored)."""
        name = " ".join(name.split())
        if not name:
            raise ValidationError("name", "give the token a name (e.g. the app that will use it)")
        if len(name) > MAX_NAME_LENGTH:
            raise ValidationError("name", f"at most {MAX_NAME_LENGTH} characters")
        active = int(self.db.fetch_value("api_tokens_count_active", {"user_id": actor.id}) or 0)
        if active >= MAX_ACTIVE_TOKENS:
            raise ValidationError(
                "name", f"you have {active} active tokens; revoke one before creating another"
            )
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken(
            id=new_id(),
            user_id=actor.id,
            name=name,
            token_hash=hash_token(raw),
            created_at=utc_now(),
            last_used_at=None,
            revoked_at=None,
        )
        # The token row first: a lookup row whose token is missing authenticates nobody, so a
        # crash between the two writes (CrateDB has no transaction) leaves nothing usable.
        with self.db.transaction():
            self.db.execute(
                "api_tokens_insert",
                {
                    "id": token.id,
                    "user_id": token.user_id,
                    "name": token.name,
                    "token_hash": token.token_hash,
                    "created_at": token.created_at,
                    "last_used_at": None,
                    "revoked_at": None,
                },
            )
            self.db.execute(
                "api_token_hashes_insert",
                {"token_hash": token.token_hash, "token_id": token.id, "user_id": token.user_id},
            )
        self.db.refresh("api_tokens")
        return token, raw

    def for_user(self, actor: User, *, limit: int = 100) -> list[ApiToken]:
        """The actor's own tokens, newest first (revoked ones included, marked)."""
        return self.db.fetch_all(
            ApiToken, "api_tokens_for_user", {"user_id": actor.id, "limit": int(limit)}
        )

    def get(self, actor: User, token_id: str) -> ApiToken:
        """One of the actor's tokens; another user's token is NotFound, like a missing one."""
        return self.db.fetch_one(ApiToken, "api_tokens_get", {"id": token_id, "user_id": actor.id})

    def revoke(self, actor: User, token_id: str) -> ApiToken:
        token = self.get(actor, token_id)
        if token.revoked_at is None:
            self._revoke(token, utc_now())
            self.db.refresh("api_tokens")
            token = self.get(actor, token_id)
        return token

    def end_all(self, user_id: str) -> int:
        """Revoke every active token of a user, as their sessions end: on a password change or
        reset and on deactivation (a reactivated account gets none back). Returns how many."""
        tokens = self.db.fetch_all(ApiToken, "api_tokens_active_for_user", {"user_id": user_id})
        now = utc_now()
        for token in tokens:
            self._revoke(token, now)
        if tokens:
            self.db.refresh("api_tokens")
        return len(tokens)

    def _revoke(self, token: ApiToken, now) -> None:
        # Stamp the token first: even if deleting the lookup row fails, the token is refused.
        self.db.execute(
            "api_tokens_revoke", {"id": token.id, "user_id": token.user_id, "revoked_at": now}
        )
        self.db.execute("api_token_hashes_delete", {"token_hash": token.token_hash})

    def authenticate(self, raw: str) -> tuple[User, ApiToken] | None:
        """The active user and token for a presented token, or None (unknown, revoked, inactive)."""
        if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
            return None
        digest = hash_token(raw)
        link = self.db.fetch_first(ApiTokenHash, "api_token_hashes_get", {"token_hash": digest})
        if link is None:
            return None
        try:
            token = self.db.fetch_one(
                ApiToken, "api_tokens_get", {"id": link.token_id, "user_id": link.user_id}
            )
        except NotFound:
            return None
        if token.revoked_at is not None or not hmac.compare_digest(token.token_hash, digest):
            return None
        user = self.db.fetch_first(User, "users_get", {"id": token.user_id})
        if user is None or not user.active:
            return None
        now = utc_now()
        if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
            self.db.execute(
                "api_tokens_touch", {"id": token.id, "user_id": token.user_id, "last_used_at": now}
            )
        return user, token


__all__ = ["MAX_ACTIVE_TOKENS", "TOKEN_PREFIX", "ApiTokens", "hash_token"]
