"""Per-player summaries for the roster: swing count, last swing, recent scores, poster swing.

The roster of a coach with hundreds of players must not scan every swing of every player on each
request (that cost grows with history). Instead every manager write that can change what the
roster shows (a video created, deleted or moving status; an analysis written) recomputes that one
player's row: a handful of indexed reads for one player, on the write path, where it is cheap.
"""

from __future__ import annotations

from ..codec import as_datetime, utc_now
from ..gateway import Database
from ..records import PlayerSummary

RECENT_SCORES = 6


class Summaries:
    def __init__(self, db: Database) -> None:
        self.db = db

    def refresh(self, player_id: str) -> PlayerSummary:
        """Recompute one player's row from their videos and analyses (idempotent)."""
        stats = self.db.rows("summary_swing_stats", {"user_id": player_id})[0]
        seen: set[str] = set()
        recent: list[float] = []
        for r in self.db.rows("summary_recent_scores", {"user_id": player_id}):
            if r["video_id"] in seen:
                continue  # an older analysis of a re-analysed swing
            seen.add(r["video_id"])
            recent.append(float(r["overall_score"]))
            if len(recent) == RECENT_SCORES:
                break
        n = int(stats["n_swings"] or 0)
        summary = PlayerSummary(
            user_id=player_id,
            n_swings=n,
            last_swing_at=as_datetime(stats["last_swing_at"]) if n else None,
            recent_scores=recent,
            poster_video_id=self.db.fetch_value("summary_poster_video", {"user_id": player_id}),
            updated_at=utc_now(),
        )
        self.db.execute(
            "summary_upsert",
            {
                "user_id": summary.user_id,
                "n_swings": summary.n_swings,
                "last_swing_at": summary.last_swing_at,
                "recent_scores": summary.recent_scores,
                "poster_video_id": summary.poster_video_id,
                "updated_at": summary.updated_at,
            },
        )
        self.db.refresh("player_summary")
        return summary

    def for_coach(self, coach_id: str) -> dict[str, PlayerSummary]:
        rows = self.db.fetch_all(PlayerSummary, "summaries_for_coach", {"coach_id": coach_id})
        return {s.user_id: s for s in rows}

    def rebuild(self, player_ids: list[str]) -> int:
        """Recompute the rows of these players (after bulk loads that bypass the managers)."""
        for pid in player_ids:
            self.refresh(pid)
        return len(player_ids)
