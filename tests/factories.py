"""The one way tests make records that every test package needs: accounts through the manager."""

from __future__ import annotations

import secrets

TEST_PASSWORD = "correct-horse-battery"


def unique(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(4)}"


def account(m, role: str, *, coach=None, name: str = "", settings: dict | None = None, **kw):
    """A user made through the manager: account(m, "coach"), account(m, "player", coach=c).
    The username is unique; email, password and full name follow it unless given."""
    username = kw.pop("username", unique(role))
    name = kw.pop("full_name", name)
    return m.users.create(
        username=username,
        email=kw.pop("email", f"{username}@example.com"),
        password=kw.pop("password", TEST_PASSWORD),
        role=role,
        coach_id=kw.pop("coach_id", coach.id if coach is not None else None),
        full_name=name or username.title(),
        settings=settings,
        **kw,
    )


def cast(m) -> dict:
    """The usual cast of a scope test: a coach and their player, another coach and their player,
    and an admin, by those names (coach, player, other_coach, other_player, admin)."""
    coach = account(m, "coach", name="Casey Coach")
    other_coach = account(m, "coach")
    return {
        "coach": coach,
        "other_coach": other_coach,
        "admin": account(m, "admin"),
        "player": account(m, "player", coach=coach, name="Pat Player"),
        "other_player": account(m, "player", coach=other_coach),
    }
