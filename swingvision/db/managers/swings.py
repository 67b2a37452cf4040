"""A player's swings as the dashboard lists them: filtered and paged with each swing's score, and
the per-swing points of the progress charts. A few queries per page, never one per row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..gateway import Database
from ..records import VIDEO_STATUSES, Video
from ..swing_facts import slow_motion
from .analyses import newest_per_video
from .scope import Actor, visible_player

# Open ends of a date filter: both backends store these instants.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 1, 1, tzinfo=UTC)
_ONE_MS = timedelta(milliseconds=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class SwingScore:
    """The small part of an analysis a swing list shows."""

    video_id: str
    analysis_id: str
    analyzed_at: datetime
    overall_score: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class SwingPoint:
    """One analysed swing on the progress charts: its recording time, score and metric values
    (the charts take those that count: swing_facts.counted_metrics)."""

    video_id: str
    uploaded_at: datetime
    analyzed_at: datetime
    overall_score: float | None
    metrics: dict
    # The analysis's details, at least details["metrics"][name]["status"] (SQLite selects only
    # those, sql/queries/sqlite/swings.sql).
    details: dict
    metadata: dict  # the video's: its camera view and club (progress filters on them)


@dataclass(frozen=True, slots=True, kw_only=True)
class SwingRow:
    video: Video
    score: SwingScore | None  # the newest analysis of the swing, if any

    @property
    def pending(self) -> bool:
        """Still on its way to an analysis: the list refreshes itself while a row is pending."""
        return self.video.status in ("uploaded", "processing")

    @property
    def slow_motion(self) -> float | None:
        """How many times slower than filmed the file plays (a slow-motion clip with its capture
        rate given at upload), or None for a file that plays in real time."""
        return slow_motion(self.video)

    @property
    def filmed_s(self) -> float | None:
        """The swing's length as it happened: the file's length over its slow-motion factor."""
        if self.video.duration_s is None:
            return None
        return self.video.duration_s / (self.slow_motion or 1.0)


@dataclass(frozen=True, slots=True, kw_only=True)
class SwingPage:
    rows: list[SwingRow]
    total: int
    page: int
    pages: int
    per_page: int

    @property
    def any_pending(self) -> bool:
        return any(r.pending for r in self.rows)


class Swings:
    def __init__(self, db: Database) -> None:
        self.db = db

    def page(
        self,
        actor: Actor,
        player_id: str,
        *,
        status: str = "",
        start: datetime | None = None,
        end: datetime | None = None,
        page: int = 1,
        per_page: int = 20,
    ) -> SwingPage:
        """Newest first; `status` ("" for any) and [start, end) filter; the page is clamped."""
        visible_player(self.db, actor, player_id)
        if status and status not in VIDEO_STATUSES:
            raise ValueError(f"status must be one of {', '.join(VIDEO_STATUSES)}")
        params = {"user_id": player_id, "start": start or EARLIEST, "end": end or LATEST}
        if status:
            params["status"] = status
            count_query = "swings_count_for_player_with_status"
            page_query = "swings_page_for_player_with_status"
        else:
            count_query, page_query = "swings_count_for_player", "swings_page_for_player"
        total = int(self.db.fetch_value(count_query, params))
        pages = max(1, -(-total // per_page))
        page = min(max(1, page), pages)
        videos = self.db.fetch_all(
            Video,
            page_query,
            {**params, "limit": per_page, "offset": (page - 1) * per_page},
        )
        scores: dict[str, SwingScore] = {}
        if videos:
            # The page is a contiguous stretch of time: one query fetches its scores.
            scores = newest_per_video(
                self.db.fetch_all(
                    SwingScore,
                    "swing_scores_for_player_between",
                    {
                        "user_id": player_id,
                        "start": min(v.uploaded_at for v in videos),
                        "end": max(v.uploaded_at for v in videos) + _ONE_MS,
                    },
                )
            )
        return SwingPage(
            rows=[SwingRow(video=v, score=scores.get(v.id)) for v in videos],
            total=total,
            page=page,
            pages=pages,
            per_page=per_page,
        )

    def points_between(
        self, actor: Actor, player_id: str, start: datetime, end: datetime
    ) -> list[SwingPoint]:
        """Analysed swings recorded in [start, end), oldest first, each with its newest analysis."""
        visible_player(self.db, actor, player_id)
        rows = self.db.fetch_all(
            SwingPoint,
            "swing_points_for_player_between",
            {"user_id": player_id, "start": start, "end": end},
        )
        newest = newest_per_video(rows)
        return sorted(newest.values(), key=lambda p: (p.uploaded_at, p.video_id))


__all__ = ["SwingPage", "SwingPoint", "SwingRow", "SwingScore", "Swings"]
