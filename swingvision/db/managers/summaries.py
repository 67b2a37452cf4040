"""Per-player summaries for the roster: swing count, last swing, recent scores, poster swing.

The recent scores are of one camera view, the player's usual one (camera.py): a face-on score and a
down-the-line score measure different things and never make one trend.

The roster of a coach with hundreds of players must not scan every swing of every player on each
request (that cost grows with history). Instead every manager write that can change what the
roster shows (a video created, deleted or moving status; an analysis written) recomputes that one
player's row: a handful of indexed reads for one player, on the write path, where it is cheap.
"""

from __future__ import annotations

import json

from ..camera import swing_view, usual_view
from ..codec import as_datetime, utc_now
from ..gateway import Database
from ..records import PlayerSummary, User

RECENT_SCORES = 6


class Summaries:
    def __init__(self, db: Database) -> None:
        self.db = db

    def refresh(self, player_id: str) -> PlayerSummary:
        """Recompute one player's row from their videos and analyses (idempotent)."""
        stats = self.db.rows("summary_swing_stats", {"user_id": player_id})[0]
        player = self.db.fetch_first(User, "users_get", {"id": player_id})
        settings = player.settings if player is not None else {}
        seen: set[str] = set()
        scored: list[tuple[str, float]] = []  # (view, score), newest swing first
        for r in self.db.rows("summary_recent_scores", {"user_id": player_id}):
            if r["video_id"] in seen:
                continue  # an older analysis of a re-analysed swing
            seen.add(r["video_id"])
            meta = r["metadata"]
            if isinstance(meta, str | bytes):
                meta = json.loads(meta)
            scored.append((swing_view(meta, settings), float(r["overall_score"])))
        view = usual_view(settings, [v for v, _ in scored])
        recent = [score for v, score in scored if v == view][:RECENT_SCORES]
        n = int(stats["n_swings"] or 0)
        summary = PlayerSummary(
            user_id=player_id,
            n_swings=n,
            last_swing_at=as_datetime(stats["last_swing_at"]) if n else None,
            recent_scores=recent,
            poster_video_id=self.db.fetch_value("summary_poster_video", {"user_id": player_id}),
            updated_at=utc_now(),
            score_view=view if scored else None,
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
                "score_view": summary.score_view,
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
