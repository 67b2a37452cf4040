"""The coach's roster: players with their last swing, latest score and its trend (of the player's
usual camera view only, see summaries.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..gateway import Database
from ..records import User, Video
from .scope import Actor, check_coach_scope
from .summaries import Summaries

# Sort keys a request may ask for -> the row attribute (never SQL).
SORT_KEYS = {
    "name": "sort_name",
    "last_swing": "last_swing_at",
    "score": "latest_score",
    "trend": "trend",
    "swings": "n_swings",
}
TREND_WINDOW = 5  # the latest score against the mean of up to this many before it


@dataclass(frozen=True, slots=True, kw_only=True)
class RosterRow:
    player: User
    n_swings: int
    last_swing_at: datetime | None
    latest_score: float | None
    trend: float | None  # latest score minus the mean of the previous ones
    poster_video: Video | None = None  # the newest analysed swing, whose poster the row shows
    score_view: str | None = None  # the camera view the score and trend are of (camera.py)

    @property
    def sort_name(self) -> str:
        return self.player.display_name.lower()


@dataclass(frozen=True, slots=True, kw_only=True)
class RosterPage:
    rows: list[RosterRow]
    total: int
    page: int
    pages: int
    per_page: int


class Roster:
    def __init__(self, db: Database) -> None:
        self.db = db

    def rows(self, actor: Actor, coach_id: str) -> list[RosterRow]:
        """Every player of the coach with their summary: three indexed reads, whatever the
        players' history (summaries are maintained on write, see summaries.py)."""
        check_coach_scope(actor, coach_id)
        players = self.db.fetch_all(User, "users_players_of_coach", {"coach_id": coach_id})
        summaries = Summaries(self.db)
        by_player = summaries.for_coach(coach_id)
        for p in players:
            if p.id not in by_player:  # written before summaries existed: fill it in once
                by_player[p.id] = summaries.refresh(p.id)
        posters = {
            v.user_id: v
            for v in self.db.fetch_all(
                Video, "summary_poster_videos_for_coach", {"coach_id": coach_id}
            )
        }
        out = []
        for p in players:
            summary = by_player[p.id]
            recent = summary.recent_scores
            trend = None
            if len(recent) > 1:
                before = recent[1 : 1 + TREND_WINDOW]
                trend = recent[0] - sum(before) / len(before)
            out.append(
                RosterRow(
                    player=p,
                    n_swings=summary.n_swings,
                    last_swing_at=summary.last_swing_at,
                    latest_score=recent[0] if recent else None,
                    trend=trend,
                    poster_video=posters.get(p.id),
                    score_view=summary.score_view,
                )
            )
        return out

    def page(
        self,
        actor: Actor,
        coach_id: str,
        *,
        q: str = "",
        sort: str = "name",
        descending: bool = False,
        page: int = 1,
        per_page: int = 25,
    ) -> RosterPage:
        if sort not in SORT_KEYS:
            raise ValueError(f"sort must be one of {', '.join(SORT_KEYS)}")
        rows = self.rows(actor, coach_id)
        needle = q.strip().lower()
        if needle:
            rows = [
                r
                for r in rows
                if needle in r.player.display_name.lower() or needle in r.player.username.lower()
            ]
        attr = SORT_KEYS[sort]
        present = [r for r in rows if getattr(r, attr) is not None]
        missing = [r for r in rows if getattr(r, attr) is None]
        present.sort(key=lambda r: (getattr(r, attr), r.sort_name), reverse=descending)
        rows = present + sorted(missing, key=lambda r: r.sort_name)  # blanks last either way
        total = len(rows)
        pages = max(1, -(-total // per_page))
        page = min(max(1, page), pages)
        start = (page - 1) * per_page
        return RosterPage(
            rows=rows[start : start + per_page],
            total=total,
            page=page,
            pages=pages,
            per_page=per_page,
        )
