"""Managers: the only way pages, the worker and commands read and write domain data."""

from __future__ import annotations

from dataclasses import dataclass

from .. import get_db
from ..errors import NotAllowed, ValidationError
from ..gateway import Database
from .admin import AdminData
from .analyses import Analyses, analysis_id
from .audit import Audit
from .coaching import Coaching
from .drills import Drills
from .lessons import Lessons
from .notes import Notes
from .poses import Poses, pose_id
from .progress import Progress, progress_id, summarize_day
from .roster import Roster, RosterPage, RosterRow
from .scope import SYSTEM, Actor, is_admin, visible_player
from .sessions import Sessions
from .similarity import Similarity
from .swings import Swings
from .tokens import ApiTokens
from .users import Users, validate_password
from .videos import Videos


@dataclass(frozen=True)
class Managers:
    db: Database
    users: Users
    videos: Videos
    poses: Poses
    analyses: Analyses
    progress: Progress
    sessions: Sessions
    roster: Roster
    tokens: ApiTokens
    audit: Audit
    admin: AdminData
    swings: Swings
    similarity: Similarity
    coaching: Coaching
    notes: Notes
    drills: Drills
    lessons: Lessons


def managers(db: Database | None = None) -> Managers:
    """The managers over a gateway (the configured one by default)."""
    if db is None:
        db = get_db()
    return Managers(
        db=db,
        users=Users(db),
        videos=Videos(db),
        poses=Poses(db),
        analyses=Analyses(db),
        progress=Progress(db),
        sessions=Sessions(db),
        roster=Roster(db),
        tokens=ApiTokens(db),
        audit=Audit(db),
        admin=AdminData(db),
        swings=Swings(db),
        similarity=Similarity(db),
        coaching=Coaching(db),
        notes=Notes(db),
        drills=Drills(db),
        lessons=Lessons(db),
    )


__all__ = [
    "SYSTEM",
    "Actor",
    "Managers",
    "NotAllowed",
    "RosterPage",
    "RosterRow",
    "ValidationError",
    "analysis_id",
    "is_admin",
    "managers",
    "pose_id",
    "progress_id",
    "summarize_day",
    "validate_password",
    "visible_player",
]
