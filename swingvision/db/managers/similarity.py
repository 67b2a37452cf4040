"""Similarity search data: who may be searched, vector candidates, and the rows results show.

Two kinds of callers:
- the search service (swingvision/similarity/service.py): `scope` turns an actor and a requested
  scope into the player ids it may search, `knn_poses` / `knn_swings` run the dialect's candidate
  query (KNN_MATCH in CrateDB, an exact scan in SQLite), `hits` loads what a result shows, each
  row checked against the actor again;
- the in-memory index (swingvision/similarity/index.py), a system reader with no actor: the change
  feed and the vector loads. Nothing it loads leaves the process unfiltered: searches restrict it
  to the ids `scope` allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from analysis.engine.pose import POSE_EMBEDDING_DIM, SWING_EMBEDDING_DIM

from ..codec import Vector, from_epoch_ms
from ..errors import NotFound
from ..gateway import Database
from ..records import Pose, SwingAnalysis, User, Video
from .poses import pose_id
from .scope import Actor, is_admin, visible_player

SCOPES = ("mine", "player", "all")
# The largest per-shard k the CrateDB search raises to before it settles for fewer results.
MAX_KNN_K = 4096
PAGE_ROWS = 50_000


class ScopeError(ValueError):
    """A scope the request asked for that does not exist (the view answers 400)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchScope:
    """The players a search may return. `user_ids` None means everyone (admins only)."""

    name: str  # "mine" | "player" | "all"
    user_ids: frozenset[str] | None
    player: User | None = None  # the one player of a "player" scope

    def allows(self, user_id: str) -> bool:
        return self.user_ids is None or user_id in self.user_ids


@dataclass(frozen=True, slots=True, kw_only=True)
class Filters:
    """What a search keeps besides the scope. None = no condition on that attribute."""

    phase: str | None = None
    view: str | None = None
    left_handed: bool | None = None
    exclude_video: str | None = None  # the query's own swing


@dataclass(frozen=True, slots=True, kw_only=True)
class PoseCandidate:
    video_id: str
    user_id: str
    frame_number: int
    phase: str | None
    embedding: np.ndarray


@dataclass(frozen=True, slots=True, kw_only=True)
class SwingCandidate:
    id: str
    video_id: str
    user_id: str
    analyzed_at: datetime
    view: str | None
    left_handed: bool | None
    embedding: np.ndarray


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedEntry:
    seq: int
    video_id: str
    user_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class VectorRows:
    """Rows of one kind as arrays (the in-memory index's load unit). Codes index `videos`."""

    videos: list[tuple[str, str]]  # (video_id, user_id) per video code
    video_code: np.ndarray  # (n,) int32
    frame: np.ndarray  # (n,) int32; -1 for swings
    phase: list[str | None]
    view: list[str | None]
    left_handed: list[bool | None]
    vectors: np.ndarray  # (n, dim) float32
    cursor: str = ""  # the last video id the page read (where the next page starts)

    def __len__(self) -> int:
        return len(self.video_code)


@dataclass(frozen=True, slots=True, kw_only=True)
class Hit:
    """One search result with what the page shows of it."""

    video: Video
    player: User
    frame_number: int | None  # None for a swing result
    phase: str | None
    distance: float
    pose: Pose | None  # the matched pose (the frame drawn as a thumbnail)


def _vector(value: Any, dim: int) -> np.ndarray:
    if isinstance(value, bytes | memoryview):
        arr = np.frombuffer(bytes(value), dtype=np.float32)
    else:
        arr = np.asarray(value, dtype=np.float32)
    if arr.shape != (dim,):
        raise ValueError(f"a stored vector has {arr.size} numbers, expected {dim}")
    return arr


def _datetime(value: Any) -> datetime:
    return value if isinstance(value, datetime) else from_epoch_ms(value)


def _bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _details(value: Any) -> dict:
    if isinstance(value, str | bytes):
        import json

        return json.loads(value)
    return value or {}


def _filter_params(flt: Filters) -> dict[str, Any]:
    return {
        "any_phase": flt.phase is None,
        "phase": flt.phase or "",
        "any_view": flt.view is None,
        "view": flt.view or "",
        "any_hand": flt.left_handed is None,
        "left_handed": bool(flt.left_handed),
        "exclude_video": flt.exclude_video or "",
    }


def _scope_params(scope: SearchScope) -> dict[str, Any]:
    # Never an empty array: CrateDB cannot type an empty array parameter.
    ids = sorted(scope.user_ids) if scope.user_ids is not None else []
    return {"any_user": scope.user_ids is None, "user_ids": ids or [""]}


class Similarity:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- scope ---------------------------------------------------------------------------------
    def scope(self, actor: Actor, name: str = "mine", player_id: str = "") -> SearchScope:
        """The players a search by this actor may return.

        mine: a coach's players, a player themselves, everyone for an admin; all: everything the
        actor may see (the same sets today: a coach sees only their players); player: one player
        the actor may see (NotFound otherwise)."""
        if name not in SCOPES:
            raise ScopeError(f"scope must be one of: {', '.join(SCOPES)}")
        if name == "player":
            if not player_id:
                raise ScopeError("player: choose a player for a one-player search")
            player = visible_player(self.db, actor, player_id)
            return SearchScope(name=name, user_ids=frozenset({player.id}), player=player)
        if is_admin(actor):
            return SearchScope(name=name, user_ids=None)
        if actor.role == "coach":
            players = self.db.fetch_all(User, "users_players_of_coach", {"coach_id": actor.id})
            return SearchScope(name=name, user_ids=frozenset(p.id for p in players))
        if actor.role == "player":
            return SearchScope(name=name, user_ids=frozenset({actor.id}))
        return SearchScope(name=name, user_ids=frozenset())

    def players(self, actor: Actor, scope: SearchScope, *, limit: int = 1000) -> list[User]:
        """The players a one-player search may pick from (the scope's players, by name)."""
        if scope.user_ids is None:
            users = self.db.fetch_all(
                User, "users_by_role", {"role": "player", "limit": limit, "offset": 0}
            )
            return users
        found = [self.db.fetch_first(User, "users_get", {"id": uid}) for uid in scope.user_ids]
        players = [u for u in found if u is not None and u.role == "player"]
        return sorted(players, key=lambda u: (u.display_name.lower(), u.id))[:limit]

    # -- the query -----------------------------------------------------------------------------
    def query_pose(self, actor: Actor, player_id: str, video_id: str, frame: int) -> Pose:
        """The pose a position search starts from (NotFound if out of scope or not stored)."""
        visible_player(self.db, actor, player_id)
        return self.db.fetch_one(
            Pose, "poses_get", {"id": pose_id(video_id, frame), "user_id": player_id}
        )

    # -- candidates (both dialects) --------------------------------------------------------------
    def knn_poses(
        self, query: np.ndarray, scope: SearchScope, flt: Filters, k: int
    ) -> tuple[list[PoseCandidate], bool]:
        """Candidate poses near `query` within the scope and filters, and whether the answer is
        exhaustive (SQLite scans every allowed row; CrateDB returns the k nearest per shard that
        survive the filters, so more may exist)."""
        params = {
            "query": Vector(np.asarray(query, dtype=np.float32)),
            "k": int(k),
            "limit": int(k),
            **_scope_params(scope),
            **_filter_params(flt),
        }
        rows = self.db.raw_rows("similarity_knn_poses", params)
        out = [
            PoseCandidate(
                video_id=r[1],
                user_id=r[2],
                frame_number=int(r[3]),
                phase=r[4],
                embedding=_vector(r[7], POSE_EMBEDDING_DIM),
            )
            for r in rows
            if scope.allows(r[2])
        ]
        return out, self.db.dialect == "sqlite"

    def knn_swings(
        self, query: np.ndarray, scope: SearchScope, flt: Filters, k: int
    ) -> tuple[list[SwingCandidate], bool]:
        """Candidate analyses near `query` (the newest per video only), filtered by view and
        handedness here, and whether the answer is exhaustive (see knn_poses)."""
        params = {
            "query": Vector(np.asarray(query, dtype=np.float32)),
            "k": int(k),
            "limit": int(k),
            **_scope_params(scope),
            **_filter_params(flt),
        }
        rows = self.db.raw_rows("similarity_knn_swings", params)
        cands = []
        for r in rows:
            details = _details(r[4])
            c = SwingCandidate(
                id=r[0],
                video_id=r[1],
                user_id=r[2],
                analyzed_at=_datetime(r[3]),
                view=details.get("view"),
                left_handed=_bool(details.get("left_handed")),
                embedding=_vector(r[5], SWING_EMBEDDING_DIM),
            )
            if not scope.allows(c.user_id):
                continue
            if flt.view is not None and c.view != flt.view:
                continue
            if flt.left_handed is not None and c.left_handed is not flt.left_handed:
                continue
            cands.append(c)
        newest = self.newest_analysis_ids({c.video_id for c in cands})
        return [c for c in cands if newest.get(c.video_id) == c.id], self.db.dialect == "sqlite"

    def newest_analysis_ids(self, video_ids: set[str]) -> dict[str, str]:
        """video id -> id of its newest analysis."""
        if not video_ids:
            return {}
        rows = self.db.raw_rows(
            "similarity_latest_analyses",
            {"video_ids": sorted(video_ids), "limit": 64 * len(video_ids)},
        )
        newest: dict[str, str] = {}
        for analysis_id, video_id, _user, _at in rows:  # newest first
            newest.setdefault(video_id, analysis_id)
        return newest

    def newest_analysis(self, user_id: str, video_id: str) -> SwingAnalysis | None:
        """A result swing's newest analysis (its Top frame is where the result opens). The
        caller has checked the user against the search scope."""
        return self.db.fetch_first(
            SwingAnalysis, "analyses_latest_for_video", {"user_id": user_id, "video_id": video_id}
        )

    # -- what results show ---------------------------------------------------------------------
    def hit(
        self,
        actor: Actor,
        scope: SearchScope,
        *,
        user_id: str,
        video_id: str,
        frame_number: int | None,
        phase: str | None,
        distance: float,
    ) -> Hit | None:
        """A result with its swing, player and pose, or None if the row is gone or out of scope
        (checked again here: a result never rests on the index alone)."""
        if not scope.allows(user_id):
            return None
        try:
            player = visible_player(self.db, actor, user_id)
        except NotFound:
            return None
        video = self.db.fetch_first(Video, "videos_get", {"id": video_id, "user_id": user_id})
        if video is None:
            return None
        pose = None
        if frame_number is not None:
            pose = self.db.fetch_first(
                Pose, "poses_get", {"id": pose_id(video_id, frame_number), "user_id": user_id}
            )
            if pose is None:
                return None
        return Hit(
            video=video,
            player=player,
            frame_number=frame_number,
            phase=phase,
            distance=distance,
            pose=pose,
        )

    # -- the in-memory index's reads (system; SQLite) --------------------------------------------
    def feed_head(self) -> tuple[int, int]:
        """(generation, seq): the schema generation and the newest change's seq."""
        row = self.db.raw_rows("similarity_feed_head")[0]
        return int(row[0]), int(row[1])

    def feed_since(self, kind: str, after: int, *, limit: int = 1_000_000) -> list[FeedEntry]:
        rows = self.db.raw_rows(
            "similarity_feed_since", {"kind": kind, "after": after, "limit": limit}
        )
        return [FeedEntry(seq=int(s), video_id=v, user_id=u) for s, v, u in rows]

    def pose_vectors(
        self, *, video: tuple[str, str] | None = None, after_video: str = ""
    ) -> VectorRows:
        """One video's pose vectors, or a page of every video's after `after_video` (ordered by
        video; the caller drops the page's last, possibly partial video and resumes there)."""
        if video is not None:
            rows = self.db.raw_rows(
                "similarity_pose_vectors_for_video", {"video_id": video[0], "user_id": video[1]}
            )
        else:
            rows = self.db.raw_rows(
                "similarity_pose_vectors_page", {"after_video": after_video, "limit": PAGE_ROWS}
            )
        return self._pose_rows(rows)

    def _pose_rows(self, rows: list[tuple]) -> VectorRows:
        codes: dict[tuple[str, str], int] = {}
        video_code = np.empty(len(rows), dtype=np.int32)
        for i, r in enumerate(rows):
            video_code[i] = codes.setdefault((r[0], r[1]), len(codes))
        if self.db.dialect == "sqlite":
            blob = b"".join(r[6] for r in rows)
            vectors = np.frombuffer(blob, dtype=np.float32).reshape(len(rows), POSE_EMBEDDING_DIM)
        else:
            vectors = np.asarray([r[6] for r in rows], dtype=np.float32).reshape(
                len(rows), POSE_EMBEDDING_DIM
            )
        return VectorRows(
            cursor=rows[-1][0] if rows else "",
            videos=list(codes),
            video_code=video_code,
            frame=np.fromiter((r[2] for r in rows), dtype=np.int32, count=len(rows)),
            phase=[r[3] for r in rows],
            view=[r[4] for r in rows],
            left_handed=[_bool(r[5]) for r in rows],
            vectors=vectors,
        )

    def swing_vectors(
        self, *, video: tuple[str, str] | None = None, after_video: str = ""
    ) -> VectorRows:
        """The newest analysis' swing vector of one video, or of a page of videos (see
        pose_vectors). A video whose newest analysis has no vector has none."""
        if video is not None:
            rows = self.db.raw_rows(
                "similarity_swing_vectors_for_video", {"video_id": video[0], "user_id": video[1]}
            )
        else:
            rows = self.db.raw_rows(
                "similarity_swing_vectors_page", {"after_video": after_video, "limit": PAGE_ROWS}
            )
        seen: set[tuple[str, str]] = set()
        keep = []
        for r in rows:  # newest analysis first within a video
            key = (r[1], r[2])
            if key in seen:
                continue
            seen.add(key)
            if r[5] is not None:
                keep.append(r)
        details = [_details(r[4]) for r in keep]
        return VectorRows(
            cursor=rows[-1][1] if rows else "",
            videos=[(r[1], r[2]) for r in keep],
            video_code=np.arange(len(keep), dtype=np.int32),
            frame=np.full(len(keep), -1, dtype=np.int32),
            phase=[None] * len(keep),
            view=[d.get("view") for d in details],
            left_handed=[_bool(d.get("left_handed")) for d in details],
            vectors=np.asarray(
                [_vector(r[5], SWING_EMBEDDING_DIM) for r in keep], dtype=np.float32
            ).reshape(len(keep), SWING_EMBEDDING_DIM),
        )


__all__ = [
    "MAX_KNN_K",
    "SCOPES",
    "FeedEntry",
    "Filters",
    "Hit",
    "PoseCandidate",
    "ScopeError",
    "SearchScope",
    "Similarity",
    "SwingCandidate",
    "VectorRows",
]
