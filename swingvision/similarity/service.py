"""Similarity search: "find positions like this frame" and "find swings like this one".

A search starts from a stored pose (position search, 62-d, pose embedding v2) or a swing's newest
analysis (swing search, 496-d: the 8 event poses), restricted to a scope of players the actor may see and to
filters (same phase, same camera view, same handedness), and answers the nearest matches by exact
Euclidean distance in torso lengths, the best frame of each swing.

Two engines, one answer:
- MemoryEngine (SQLite, the embedded default): this process's in-memory index (index.py).
- DatabaseEngine (CrateDB): KNN_MATCH candidates from the database, raised k while the filters
  leave too few, re-ranked exactly here. On SQLite the same engine scans the allowed rows exactly
  (the SQLite counterpart of the KNN query), which the tests use to hold both to one answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.engine.similarity import exact_distances
from swingvision.db.errors import NotFound, ValidationError
from swingvision.db.gateway import Database
from swingvision.db.managers.analyses import Analyses
from swingvision.db.managers.scope import Actor, visible_player
from swingvision.db.managers.similarity import (
    MAX_KNN_K,
    Filters,
    Hit,
    PoseCandidate,
    SearchScope,
    Similarity,
    SwingCandidate,
)
from swingvision.db.managers.videos import Videos
from swingvision.db.records import Pose, SwingAnalysis, User, Video

from .index import index_for

KINDS = ("positions", "swings")
MAX_RESULTS = 50


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchQuery:
    """What a search starts from."""

    kind: str  # "positions" | "swings"
    player: User
    video: Video
    vector: np.ndarray
    frame: int | None  # the query frame (positions) or the swing's Top frame (swings)
    phase: str | None
    view: str | None
    left_handed: bool | None
    pose: Pose | None  # drawn beside the results


@dataclass(frozen=True, slots=True, kw_only=True)
class Match:
    """A match before it is loaded for display: ids, frame, phase and distance."""

    video_id: str
    user_id: str
    frame: int | None
    phase: str | None
    distance: float


def _view_of(pose_view: str | None, video: Video, player: User) -> str | None:
    return pose_view or video.metadata.get("view") or player.settings.get("view") or None


def position_query(
    db: Database, actor: Actor, player_id: str, video_id: str, frame: int
) -> SearchQuery:
    """The pose at `frame` of a swing the actor may see (NotFound if not)."""
    player = visible_player(db, actor, player_id)
    video = Videos(db).get(actor, player_id, video_id)
    try:
        pose = Similarity(db).query_pose(actor, player_id, video_id, frame)
    except NotFound:
        raise ValidationError(
            "frame", f"no pose was stored for frame {frame} of this swing"
        ) from None
    if pose.embedding is None or not np.any(pose.embedding):
        raise ValidationError("frame", f"frame {frame} has no analysed pose to compare")
    return SearchQuery(
        kind="positions",
        player=player,
        video=video,
        vector=np.asarray(pose.embedding, dtype=np.float32),
        frame=frame,
        phase=pose.phase,
        view=_view_of(pose.view, video, player),
        left_handed=pose.left_handed if pose.left_handed is not None else player.left_handed,
        pose=pose,
    )


def swing_query(db: Database, actor: Actor, player_id: str, video_id: str) -> SearchQuery:
    """A swing's newest analysis, drawn at its Top (NotFound if the actor may not see it)."""
    player = visible_player(db, actor, player_id)
    video = Videos(db).get(actor, player_id, video_id)
    analysis = Analyses(db).latest_for_video(actor, player_id, video_id)
    if analysis is None or analysis.swing_embedding is None or not np.any(analysis.swing_embedding):
        raise ValidationError("kind", "this swing has no analysis to compare yet")
    top = _top_frame(analysis)
    pose = None
    if top is not None:
        try:
            pose = Similarity(db).query_pose(actor, player_id, video_id, top)
        except NotFound:
            pose = None
    details = analysis.details or {}
    hand = details.get("left_handed")
    return SearchQuery(
        kind="swings",
        player=player,
        video=video,
        vector=np.asarray(analysis.swing_embedding, dtype=np.float32),
        frame=top,
        phase="top" if top is not None else None,
        view=_view_of(details.get("view"), video, player),
        left_handed=bool(hand) if hand is not None else player.left_handed,
        pose=pose,
    )


def _top_frame(analysis: SwingAnalysis | None) -> int | None:
    if analysis is None:
        return None
    top = (analysis.events or {}).get("top")
    return int(top) if isinstance(top, int | float) else None


def filters_for(
    query: SearchQuery, *, same_phase: bool, same_view: bool, same_hand: bool
) -> Filters:
    """The filters a query's checkboxes ask for (the query's own swing is always left out)."""
    if same_phase and query.kind == "positions" and query.phase is None:
        raise ValidationError(
            "phase", "this frame has no phase (the swing's events were not found)"
        )
    if same_view and query.view is None:
        raise ValidationError("view", "this swing's camera view is not known")
    return Filters(
        phase=query.phase if same_phase and query.kind == "positions" else None,
        view=query.view if same_view else None,
        left_handed=query.left_handed if same_hand else None,
        exclude_video=query.video.id,
    )


class MemoryEngine:
    """Searches this process's in-memory index (SQLite)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def search(
        self, kind: str, vector: np.ndarray, scope: SearchScope, flt: Filters, k: int
    ) -> list[Match]:
        index = index_for(self.db, "pose" if kind == "positions" else "swing")
        hits = index.search(
            vector,
            k,
            users=scope.user_ids,
            phase=flt.phase,
            view=flt.view,
            left_handed=flt.left_handed,
            exclude_video=flt.exclude_video,
        )
        return [
            Match(
                video_id=h.video_id,
                user_id=h.user_id,
                frame=h.frame if h.frame >= 0 else None,
                phase=h.phase,
                distance=h.distance,
            )
            for h in hits
        ]


class DatabaseEngine:
    """Candidates from the database's vector search, ranked exactly here (CrateDB; on SQLite an
    exact scan of the allowed rows)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.m = Similarity(db)

    def search(
        self, kind: str, vector: np.ndarray, scope: SearchScope, flt: Filters, k: int
    ) -> list[Match]:
        knn = self.m.knn_poses if kind == "positions" else self.m.knn_swings
        return escalating_knn(knn, vector, scope, flt, k, _rank)


def escalating_knn(knn, vector: np.ndarray, scope: SearchScope, flt: Filters, k: int, rank):
    """`rank(candidates, vector, k)` of the database's candidates, asked with a per-shard k that
    starts well above k and is raised x4 while the ranking holds fewer than k (CrateDB's k is per
    shard, and the scope and filters apply after it), until the search was exhaustive or the
    per-shard k reached MAX_KNN_K."""
    per_shard = min(max(10 * k, 100), MAX_KNN_K)
    while True:
        cands, exhaustive = knn(vector, scope, flt, per_shard)
        ranked = rank(cands, vector, k)
        if len(ranked) >= k or exhaustive or per_shard >= MAX_KNN_K:
            return ranked
        per_shard = min(per_shard * 4, MAX_KNN_K)


def _rank(
    cands: list[PoseCandidate] | list[SwingCandidate], vector: np.ndarray, k: int
) -> list[Match]:
    """The k nearest candidates by exact distance, the best one per swing."""
    if not cands:
        return []
    dist = exact_distances(np.stack([c.embedding for c in cands]), vector)
    out: list[Match] = []
    seen: set[str] = set()
    frame_of = [c.frame_number if isinstance(c, PoseCandidate) else -1 for c in cands]
    ranked = sorted(range(len(cands)), key=lambda j: (dist[j], cands[j].video_id, frame_of[j]))
    for i in ranked:
        c = cands[int(i)]
        if c.video_id in seen:
            continue
        seen.add(c.video_id)
        is_pose = isinstance(c, PoseCandidate)
        out.append(
            Match(
                video_id=c.video_id,
                user_id=c.user_id,
                frame=c.frame_number if is_pose else None,
                phase=c.phase if is_pose else None,
                distance=float(dist[int(i)]),
            )
        )
        if len(out) == k:
            break
    return out


def engine_for(db: Database) -> MemoryEngine | DatabaseEngine:
    return MemoryEngine(db) if db.dialect == "sqlite" else DatabaseEngine(db)


def search(
    db: Database,
    actor: Actor,
    query: SearchQuery,
    scope: SearchScope,
    flt: Filters,
    *,
    k: int = 10,
    engine: MemoryEngine | DatabaseEngine | None = None,
) -> list[Hit]:
    """The nearest matches the actor may see, loaded for display, nearest first."""
    if not 1 <= k <= MAX_RESULTS:
        raise ValidationError("n", f"must be between 1 and {MAX_RESULTS}")
    engine = engine or engine_for(db)
    matches = engine.search(query.kind, query.vector, scope, flt, k)
    m = Similarity(db)
    hits = []
    for match in matches:
        frame, phase = match.frame, match.phase
        if query.kind == "swings" and scope.allows(match.user_id):
            # A swing is drawn, and opens, at its Top.
            frame = _top_frame(m.newest_analysis(match.user_id, match.video_id))
            phase = "top" if frame is not None else None
        hit = m.hit(
            actor,
            scope,
            user_id=match.user_id,
            video_id=match.video_id,
            frame_number=frame,
            phase=phase,
            distance=match.distance,
        )
        if hit is not None:
            hits.append(hit)
    return hits
