"""Accounts over the `users` table; usernames and emails are claimed in `user_logins` first."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from django.contrib.auth.hashers import check_password, make_password

from ..codec import row_version, utc_now
from ..errors import Changed, Conflict, NotFound, ValidationError
from ..gateway import Database
from ..ids import new_id
from ..records import ROLES, User
from .scope import Actor, check_coach_scope, is_admin

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@+-]{3,40}$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024


def validate_password(password: str, *, username: str = "") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError("password", f"use at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:  # hashing megabytes would be a cheap DoS
        raise ValidationError("password", f"use at most {MAX_PASSWORD_LENGTH} characters")
    if password.isdigit():
        raise ValidationError("password", "must not be only digits")
    if username and username.lower() in password.lower():
        raise ValidationError("password", "must not contain the username")
    if len(set(password)) < 4:
        raise ValidationError("password", "use more than three different characters")
    if _is_common_password(password):
        raise ValidationError("password", "is one of the most common passwords: choose another")


def _is_common_password(password: str) -> bool:
    """Django's list of 20,000 common passwords (loaded once, case-insensitive)."""
    from django.contrib.auth.password_validation import CommonPasswordValidator

    global _COMMON
    if _COMMON is None:
        _COMMON = CommonPasswordValidator().passwords
    return password.lower().strip() in _COMMON


_COMMON: set[str] | None = None


def login_keys(username: str, email: str) -> dict[str, str]:
    """The user_logins keys a user holds -> the field that claims each. Usernames and emails
    share one space (a login string names at most one account, whichever it is typed as); a
    user whose username is their email holds it once."""
    keys = {f"login:{email.lower()}": "email"}
    keys[f"login:{username.lower()}"] = "username"
    return keys


class Users:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- reads -------------------------------------------------------------------------------
    def get(self, user_id: str) -> User:
        return self.db.fetch_one(User, "users_get", {"id": user_id})

    def find(self, user_id: str) -> User | None:
        return self.db.fetch_first(User, "users_get", {"id": user_id})

    def login_owner(self, login: str) -> str | None:
        """The id of the account a login string names (username or email, any case), or None."""
        return self.db.fetch_value("user_logins_owner", {"login": f"login:{login.strip().lower()}"})

    def by_login(self, login: str) -> User | None:
        """The user whose username or email is exactly `login`. Read through the login claims
        and the user's row by primary key: on CrateDB those reads are real-time, where a search
        on username or email would see a password or role changed a moment ago only after the
        next refresh."""
        login = login.strip()
        for key in login_keys(login, login):
            owner = self.db.fetch_value("user_logins_owner", {"login": key})
            user = self.find(owner) if owner else None
            if user is not None and login in (user.username, user.email):
                return user
        return None

    def players_of(self, actor: Actor, coach_id: str) -> list[User]:
        check_coach_scope(actor, coach_id)
        return self.db.fetch_all(User, "users_players_of_coach", {"coach_id": coach_id})

    def by_role(self, actor: Actor, role: str, *, limit: int = 1000, offset: int = 0) -> list[User]:
        if role not in ROLES:
            raise ValidationError("role", f"must be one of {', '.join(ROLES)}")
        if not is_admin(actor) and role != "coach":
            raise NotFound("not allowed")
        return self.db.fetch_all(
            User, "users_by_role", {"role": role, "limit": limit, "offset": offset}
        )

    def all(self, actor: Actor, *, limit: int = 1000, offset: int = 0) -> list[User]:
        if not is_admin(actor):
            raise NotFound("not allowed")
        return self.db.fetch_all(User, "users_all", {"limit": limit, "offset": offset})

    def count(self) -> int:
        return int(self.db.fetch_value("users_count"))

    def authenticate(self, login: str, password: str) -> User | None:
        user = self.by_login(login)
        if user is None or not user.active or not user.password_hash:
            # Hash anyway so a missing account takes as long as a wrong password.
            make_password(password)
            return None
        return user if check_password(password, user.password_hash) else None

    # -- writes ------------------------------------------------------------------------------
    def _validate(self, *, username: str, email: str, role: str, coach_id: str | None) -> None:
        if not USERNAME_RE.match(username):
            raise ValidationError(
                "username", "3-40 letters, digits or . _ @ + - (no spaces or other characters)"
            )
        if len(email) > 254 or not EMAIL_RE.match(email):
            raise ValidationError("email", "enter a valid email address")
        if role not in ROLES:
            raise ValidationError("role", f"must be one of {', '.join(ROLES)}")
        if coach_id is not None:
            if role != "player":
                raise ValidationError("coach_id", "only players have a coach")
            coach = self.find(coach_id)
            if coach is None or coach.role != "coach":
                raise ValidationError("coach_id", "no such coach")

    @contextmanager
    def _claimed(self, user_id: str, keys: dict[str, str]) -> Iterator[None]:
        """Hold the login claims (key -> the field it came from) while the user's row is
        written; give them back if it fails."""
        self._claim(user_id, keys)
        try:
            yield
        except BaseException:
            self._release(user_id, list(keys))
            raise

    def _claim(self, user_id: str, keys: dict[str, str]) -> None:
        claimed: list[str] = []
        try:
            for key, field in keys.items():
                try:
                    self.db.execute("user_logins_claim", {"login": key, "user_id": user_id})
                except Conflict:
                    owner = self.db.fetch_value("user_logins_owner", {"login": key})
                    if owner == user_id:
                        continue
                    raise ValidationError(
                        field, f"this {field} is already taken (as a username or an email)"
                    ) from None
                claimed.append(key)
        except BaseException:
            self._release(user_id, claimed)
            raise

    def _release(self, user_id: str, keys: list[str]) -> None:
        """Give up claims this user holds, each only while it is still theirs (read by primary
        key, deleted at that version: see sql/queries/crate/guarded.sql)."""
        for key in keys:
            rows = self.db.rows("user_logins_version", {"login": key})
            if not rows or rows[0]["user_id"] != user_id:
                continue
            self.db.execute(
                "user_logins_release",
                {
                    "login": key,
                    "user_id": user_id,
                    **row_version(rows[0]),
                },
            )

    def create(
        self,
        *,
        username: str,
        email: str,
        password: str | None,
        role: str,
        coach_id: str | None = None,
        full_name: str = "",
        settings: dict[str, Any] | None = None,
        user_id: str | None = None,
        check_password_rules: bool = True,
    ) -> User:
        username, email, full_name = username.strip(), email.strip(), full_name.strip()
        self._validate(username=username, email=email, role=role, coach_id=coach_id)
        if len(full_name) > 120:
            raise ValidationError("full_name", "at most 120 characters")
        if password is not None and check_password_rules:
            validate_password(password, username=username)
        now = utc_now()
        user = User(
            id=user_id or new_id(),
            username=username,
            email=email,
            full_name=full_name,
            role=role,
            coach_id=coach_id,
            password_hash=make_password(password) if password is not None else None,
            active=True,
            created_at=now,
            updated_at=now,
            settings=settings or {},
        )
        keys = login_keys(username, email)
        with self._claimed(user.id, keys):
            self.db.execute("users_insert", _user_params(user))
        self.db.refresh("users")
        return user

    def set_settings(self, user: User, settings: dict[str, Any]) -> User:
        """Write `settings` over the ones `user` was read with, and nothing else of the row:
        Changed (nothing written) when they were saved differently since, even at the same
        moment (read by primary key and written at that version: crate/guarded.sql)."""
        rows = self.db.rows("users_settings_version", {"id": user.id})
        if not rows:
            raise NotFound("user not found")
        row = rows[0]
        stored = row["settings"]
        stored = json.loads(stored) if isinstance(stored, str) else (stored or {})
        if stored != user.settings:
            raise Changed("the settings were changed by someone else since they were read")
        now = utc_now()
        params = {
            "id": user.id,
            "settings": settings,
            "updated_at": now,
            **row_version(row),
        }
        if "v_settings" in row:
            params["v_settings"] = row["v_settings"]
        if not self.db.execute("users_set_settings_if_unchanged", params):
            raise Changed("the settings were changed by someone else since they were read")
        self.db.refresh("users")
        return replace(user, settings=settings, updated_at=now)

    def update(self, user: User, **changes: Any) -> User:
        allowed = {"username", "email", "full_name", "role", "coach_id", "active", "settings"}
        unknown = set(changes) - allowed
        if unknown:
            raise ValidationError(sorted(unknown)[0], "cannot be changed")
        new = replace(user, **changes, updated_at=utc_now())
        new = replace(new, username=new.username.strip(), email=new.email.strip())
        self._validate(username=new.username, email=new.email, role=new.role, coach_id=new.coach_id)
        old_keys = set(login_keys(user.username, user.email))
        new_keys = login_keys(new.username, new.email)
        added = {k: field for k, field in new_keys.items() if k not in old_keys}
        with self._claimed(user.id, added):
            self.db.execute("users_update", _user_params(new))
        self._release(user.id, [k for k in old_keys if k not in new_keys])
        self.db.refresh("users")
        return new

    def set_password(self, user_id: str, password: str, *, username: str = "") -> None:
        validate_password(password, username=username)
        self.db.execute(
            "users_set_password",
            {
                "id": user_id,
                "password_hash": make_password(password),
                "updated_at": utc_now(),
            },
        )
        self.db.refresh("sessions")  # see Sessions.delete_for_user
        self.db.execute("sessions_delete_for_user", {"user_id": user_id})


def _user_params(u: User) -> dict[str, Any]:
    return {
        "id": u.id,
        "username": u.username,
        "email": u.email,
        "full_name": u.full_name,
        "role": u.role,
        "coach_id": u.coach_id,
        "password_hash": u.password_hash,
        "active": u.active,
        "created_at": u.created_at,
        "updated_at": u.updated_at,
        "settings": u.settings,
    }
