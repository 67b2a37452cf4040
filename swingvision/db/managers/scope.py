"""Who may see what, enforced where the data is read: every domain manager call takes an actor.

An admin sees everyone, a coach their own players, a player themselves. `SYSTEM` is the worker's
and the operator commands' actor. A record out of scope is NotFound (the same answer as a record
that does not exist, so ids cannot be probed).
"""

from __future__ import annotations

from ..errors import NotAllowed, NotFound
from ..gateway import Database
from ..records import User


class _System:
    """The actor of the worker and the management commands: sees everything."""

    id = "system"
    role = "system"
    username = "system"

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = _System()
Actor = User | _System


def is_admin(actor: Actor) -> bool:
    return actor is SYSTEM or actor.role == "admin"


def visible_player(db: Database, actor: Actor, player_id: str) -> User:
    """The player record if the actor may see that player's data, else NotFound."""
    if actor is not SYSTEM and actor.role == "player" and actor.id != player_id:
        raise NotFound("player not found")
    player = db.fetch_first(User, "users_get", {"id": player_id})
    if player is None or player.role != "player":
        raise NotFound("player not found")
    if actor is SYSTEM or actor.role == "admin":
        return player
    if actor.role == "coach" and player.coach_id == actor.id:
        return player
    if actor.role == "player" and actor.id == player.id:
        return player
    raise NotFound("player not found")


def check_coach_scope(actor: Actor, coach_id: str) -> None:
    """A coach may list only their own roster; admins any coach's."""
    if is_admin(actor):
        return
    if actor.role == "coach" and actor.id == coach_id:
        return
    raise NotFound("coach not found")


def can_edit_player(actor: Actor, player: User) -> bool:
    """Who may change a player's coaching data (settings, feedback): their coach, or an admin."""
    if is_admin(actor):
        return True
    return actor.role == "coach" and player.coach_id == actor.id


def require_editor(actor: Actor, player: User) -> None:
    """Only the player's coach or an admin may change the player's data (NotAllowed: 403)."""
    if not can_edit_player(actor, player):
        raise NotAllowed("only the player's coach or an admin may change this")
