"""Swing analyses: one row per video and engine version (id = <video_id>:<engine_version>)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol, TypeVar

import numpy as np

from ..codec import Vector, row_version, to_record, utc_now
from ..errors import Changed
from ..gateway import Database
from ..records import SwingAnalysis, Video
from .scope import Actor, visible_player
from .summaries import Summaries


def analysis_id(video_id: str, engine_version: str) -> str:
    return f"{video_id}:{engine_version}"


class _Analysed(Protocol):
    @property
    def video_id(self) -> str: ...

    @property
    def analyzed_at(self) -> datetime: ...


A = TypeVar("A", bound=_Analysed)


def newest_per_video(rows: Iterable[A]) -> dict[str, A]:
    """Per video, the row of its newest analysis (a swing re-analysed by several engine versions
    has several); of rows analysed at the same moment, the later one in `rows`."""
    out: dict[str, A] = {}
    for row in rows:
        if row.video_id not in out or row.analyzed_at >= out[row.video_id].analyzed_at:
            out[row.video_id] = row
    return out


def analysis_params(a: SwingAnalysis) -> dict[str, Any]:
    """The bound parameters of analyses_upsert for a record (also used by bulk loaders)."""
    return {
        "id": a.id,
        "video_id": a.video_id,
        "user_id": a.user_id,
        "analyzed_at": a.analyzed_at,
        "engine_version": a.engine_version,
        "overall_score": a.overall_score,
        "metrics": a.metrics,
        "events": a.events,
        "feedback": a.feedback,
        "details": a.details,
        "swing_embedding": Vector(a.swing_embedding),
    }


@dataclass(frozen=True, slots=True)
class RowVersion:
    """The version of an analysis row as read for a guarded write (`params` None: there was no
    such row). On CrateDB its _seq_no and _primary_term; on SQLite the stored analyzed_at,
    details and feedback the UPDATE compares (sql/queries/{sqlite,crate}/guarded.sql)."""

    params: dict[str, Any] | None


# What a write of an analysis may change: a record read before equals the stored row in these
# while nobody has written it since.
_CONTENT = ("analyzed_at", "overall_score", "metrics", "events", "feedback", "details")


def same_content(a: SwingAnalysis, b: SwingAnalysis) -> bool:
    return all(getattr(a, k) == getattr(b, k) for k in _CONTENT)


class Analyses:
    def __init__(self, db: Database) -> None:
        self.db = db

    def save(
        self,
        video: Video,
        *,
        engine_version: str,
        overall_score: float | None,
        metrics: dict[str, Any],
        events: dict[str, Any],
        feedback: list[dict[str, Any]],
        details: dict[str, Any],
        swing_embedding: np.ndarray | None,
        analyzed_at: datetime | None = None,
        at: RowVersion | None = None,
    ) -> SwingAnalysis:
        """Write the analysis (a re-run of the same engine version replaces its row). `at`: only
        while the row is still as `read_for_write` found it, else Changed (nothing written)."""
        record = SwingAnalysis(
            id=analysis_id(video.id, engine_version),
            video_id=video.id,
            user_id=video.user_id,
            analyzed_at=analyzed_at or utc_now(),
            engine_version=engine_version,
            overall_score=overall_score,
            metrics=metrics,
            events=events,
            feedback=feedback,
            details=details,
            swing_embedding=swing_embedding,
        )
        self._write(record, at)
        return record

    def _write(self, a: SwingAnalysis, at: RowVersion | None = None) -> None:
        if at is None:
            self.db.execute("analyses_upsert", analysis_params(a))
        elif at.params is None:
            if not self.db.execute("analyses_insert_if_absent", analysis_params(a)):
                raise Changed("the analysis was written by someone else since it was read")
        elif not self.db.execute(
            "analyses_update_if_unchanged", {**analysis_params(a), **at.params}
        ):
            raise Changed("the analysis was changed by someone else since it was read")
        self.db.refresh("swing_analysis")
        Summaries(self.db).refresh(a.user_id)

    def read_for_write(self, user_id: str, id: str) -> tuple[SwingAnalysis | None, RowVersion]:
        """One analysis by primary key (real-time on CrateDB) with its version, the base of a
        guarded write (`save(at=...)`, `update`): (None, RowVersion(None)) when there is none."""
        rows = self.db.rows("analyses_version", {"id": id, "user_id": user_id})
        if not rows:
            return None, RowVersion(None)
        row = rows[0]
        version = row_version(row)
        version.update({k: row[k] for k in ("v_at", "v_details", "v_feedback") if k in row})
        return to_record(SwingAnalysis, row, self.db.dialect), RowVersion(version)

    def update(self, analysis: SwingAnalysis, **changes: Any) -> SwingAnalysis:
        """Change fields of `analysis` as the caller read it: Changed (nothing written) when the
        stored row is no longer that, so a drawing, a feedback edit or a review never undoes a
        write made in between (a correction, another tab's save)."""
        allowed = {"overall_score", "metrics", "events", "feedback", "details", "swing_embedding"}
        unknown = set(changes) - allowed
        if unknown:
            raise ValueError(f"cannot change {', '.join(sorted(unknown))}")
        current, at = self.read_for_write(analysis.user_id, analysis.id)
        if current is None or not same_content(current, analysis):
            raise Changed("the analysis was changed by someone else since it was read")
        new = replace(analysis, **changes)
        self._write(new, at)
        return new

    def latest_for_video(self, actor: Actor, player_id: str, video_id: str) -> SwingAnalysis | None:
        visible_player(self.db, actor, player_id)
        return self.db.fetch_first(
            SwingAnalysis, "analyses_latest_for_video", {"user_id": player_id, "video_id": video_id}
        )

    def latest_for_video_system(self, video: Video) -> SwingAnalysis | None:
        """For the worker and commands: no scope check."""
        return self.db.fetch_first(
            SwingAnalysis,
            "analyses_latest_for_video",
            {"user_id": video.user_id, "video_id": video.id},
        )

    def for_player_between(
        self, actor: Actor, player_id: str, start: datetime, end: datetime
    ) -> list[SwingAnalysis]:
        """Oldest first; a video re-analysed by several engine versions appears once, newest."""
        visible_player(self.db, actor, player_id)
        rows = self.db.fetch_all(
            SwingAnalysis,
            "analyses_for_player_between",
            {"user_id": player_id, "start": start, "end": end},
        )
        latest = newest_per_video(rows)
        return sorted(latest.values(), key=lambda a: (a.analyzed_at, a.id))

    def swings_between(
        self, actor: Actor, player_id: str, start: datetime, end: datetime
    ) -> list[tuple[Video, SwingAnalysis]]:
        """The player's swings recorded in [start, end) that have an analysis, oldest first, each
        with its newest analysis: what progress charts and daily rows are made of."""
        visible_player(self.db, actor, player_id)
        params = {"user_id": player_id, "start": start, "end": end}
        videos = {v.id: v for v in self.db.fetch_all(Video, "videos_for_player_between", params)}
        latest = newest_per_video(
            self.db.fetch_all(SwingAnalysis, "analyses_for_player_swings_between", params)
        )
        pairs = [(videos[vid], a) for vid, a in latest.items() if vid in videos]
        return sorted(pairs, key=lambda p: (p[0].uploaded_at, p[0].id))
