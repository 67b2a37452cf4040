"""Progress rows: one per player and day (id = <user_id>:<yyyy-mm-dd>), derived from analyses.

A row's metrics are kept per camera view ({"face_on": {...}, "down_the_line": {...}}, see
camera.py): the two views measure different things and are never averaged together."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ..camera import VIEWS, view_key
from ..codec import utc_now
from ..gateway import Database
from ..records import ProgressPoint, SwingAnalysis
from ..swing_facts import counted_metrics
from .analyses import Analyses
from .scope import SYSTEM, Actor, visible_player


def progress_id(user_id: str, day: date) -> str:
    return f"{user_id}:{day.isoformat()}"


def day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def summarize_day(analyses: list[SwingAnalysis]) -> dict[str, dict[str, Any]]:
    """Per camera view present (view_key), per metric: the mean, the best swing's value (the one
    closest to its target band, by sub-score) and the number of swings that had it; plus the
    overall score. Each analysis counts in the view it was analysed from."""
    by_view: dict[str, list[SwingAnalysis]] = defaultdict(list)
    for a in analyses:
        view = (a.details or {}).get("view")
        by_view[view if view in VIEWS else VIEWS[0]].append(a)
    return {view_key(v): _summarize(group) for v, group in by_view.items()}


def day_metrics(point: ProgressPoint | None, view: str) -> dict[str, dict[str, Any]]:
    """One view's metrics of a daily row ({} when the row has none of that view)."""
    if point is None:
        return {}
    found = point.metrics.get(view_key(view))
    return found if isinstance(found, dict) else {}


def _summarize(analyses: list[SwingAnalysis]) -> dict[str, dict[str, Any]]:
    values: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for a in analyses:
        scores = {k: (v or {}).get("score") for k, v in a.details.get("metrics", {}).items()}
        # Only the values that count: one the swing page flags and leaves unscored (a shoulder
        # turn of -9 degrees to check) would drag the day's mean and the key metrics with it.
        for name, value in counted_metrics(a).items():
            score = scores.get(name)
            values[name].append((value, float(score) if score is not None else 0.0))
        if a.overall_score is not None:
            values["overall_score"].append((a.overall_score, a.overall_score))
    out = {}
    for name, pairs in values.items():
        vals = [v for v, _ in pairs]
        best = max(pairs, key=lambda p: p[1])[0]
        out[name] = {"mean": sum(vals) / len(vals), "best": best, "n": len(vals)}
    return out


class Progress:
    def __init__(self, db: Database) -> None:
        self.db = db

    def between(
        self, actor: Actor, player_id: str, start: datetime, end: datetime
    ) -> list[ProgressPoint]:
        visible_player(self.db, actor, player_id)
        return self.db.fetch_all(
            ProgressPoint,
            "progress_for_player_between",
            {"user_id": player_id, "start": start, "end": end},
        )

    def on_or_before(self, actor: Actor, player_id: str, at: datetime) -> ProgressPoint | None:
        """The newest daily row at or before `at` (the player page's "now" and "30 days ago")."""
        visible_player(self.db, actor, player_id)
        return self.db.fetch_first(
            ProgressPoint, "progress_latest_on_or_before", {"user_id": player_id, "at": at}
        )

    def recompute_day(self, player_id: str, day: date) -> ProgressPoint | None:
        """The row for the day the swings were recorded (a re-analysis keeps their day)."""
        start = day_start(day)
        pairs = Analyses(self.db).swings_between(
            SYSTEM, player_id, start, start + timedelta(days=1)
        )
        analyses = [a for _, a in pairs]
        if not analyses:
            self.db.execute(
                "progress_delete_day", {"id": progress_id(player_id, day), "user_id": player_id}
            )
            return None
        point = ProgressPoint(
            id=progress_id(player_id, day),
            user_id=player_id,
            progress_date=start,
            metrics=summarize_day(analyses),
        )
        self.db.execute(
            "progress_upsert",
            {
                "id": point.id,
                "user_id": point.user_id,
                "progress_date": point.progress_date,
                "metrics": point.metrics,
            },
        )
        self.db.refresh("progress")
        return point

    def recompute_player(self, player_id: str) -> int:
        """Rebuild every progress row of a player from their swings' analyses; returns the row count."""
        far_past = datetime(1970, 1, 1, tzinfo=UTC)
        far_future = utc_now() + timedelta(days=3650)
        pairs = Analyses(self.db).swings_between(SYSTEM, player_id, far_past, far_future)
        self.db.execute("progress_delete_for_player", {"user_id": player_id})
        days = sorted({v.uploaded_at.astimezone(UTC).date() for v, _ in pairs})
        for d in days:
            self.recompute_day(player_id, d)
        return len(days)
