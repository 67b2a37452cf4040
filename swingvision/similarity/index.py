"""The embedded backend's similarity index: every stored vector in one float32 matrix per process,
a clustered copy of it for the large searches, kept current across processes by a change feed in
the database and persisted beside the database file.

Two ways to search, one answer format:
- exact: one matrix-vector product and an argpartition over the allowed rows. What small indexes
  (under ANN_MIN_ROWS), small scopes (a player, a coach's few players: only their rows) and
  narrow filters (a phase: about a seventeenth of the rows) use; recall 1.0.
- partitioned (IVF): the rows are clustered by k-means (about sqrt(n) clusters) and kept in a
  copy of the matrix ordered by cluster, so a search scores the centroids, then scans only the
  rows of the ANN_PROBES nearest clusters (more under filters, in proportion to the share of
  rows they allow), contiguous slices; the candidates are filtered and re-ranked exactly. Rows
  written since the partition was built (the tail) are scanned exactly beside it, rows deleted
  since are dropped by the filter. Too few survivors: probe twice as many clusters, up to all.
  The bench (bench/similarity.py) holds recall@10 against exact search >= 0.95 at 1,000,000
  poses. Why not an HNSW graph: building one over a million poses takes minutes of CPU (the
  partition: seconds), and the partition's scan is plain numpy, with filters for free.
The partition is built in a background thread (searches stay exact meanwhile) when the index
first reaches ANN_MIN_ROWS, and again when its tail passes a fifth of the rows or a compaction
moved the rows. Each build is saved as a snapshot beside the SQLite file (`<db>.similarity/`):
both matrices as .npy files that the next process memory-maps, the row attributes, the clusters
and the feed position it holds. A new process restores the snapshot (a fraction of a second at
1M poses) and applies the change feed from that position, as below; a snapshot of another schema
generation, dimension or embedding version is ignored.

Layout. Rows are grouped per video (the unit that is written and replaced), each video's rows
contiguous, and compaction (after a full load, or once dead rows are a quarter of the matrix)
groups the videos by player: per row the vector, its squared norm (|x|² - 2x·q + |q|² needs only
a product per query), a video code, a user code, the frame, and small codes for phase, view and
handedness. Arrays grow by doubling; replacing a video marks its old rows dead and appends the
new ones.

Staying current across processes. The app runs as several processes (gunicorn workers, a worker
process that writes poses), each with its own index. SQLite triggers (migration 0004) keep a
change feed, `similarity_changes`: one row per (kind, video) whose `seq` moves to a new, larger
value (AUTOINCREMENT, never reused) whenever a pose or analysis of that video is inserted,
updated or deleted, by any connection of any process, inside the writer's own transaction.
Before every search the index reads the feed's head, one indexed read of max(seq) plus the
schema cookie (microseconds):
- head seq == loaded seq: nothing changed, search at once;
- head seq > loaded seq: load the feed rows after the loaded seq and reload only those videos
  (a video with no rows left is removed), then remember the new seq;
- the schema generation changed (a migration, or a restore through SQLite's backup API, which
  bumps the schema cookie of the file it overwrites) or the seq went backwards: reload all.
A video written while it is being loaded is loaded again on the next search, because its write
moved its feed row past the seq the index remembers. So a pose committed by another process is
found by the next search in this one, and never a full table read per query.

Scope. A search gets the set of user ids the actor may see and filters rows by it BEFORE taking
the top k (a lookup table over user codes, or, for small scopes, only the rows of those users:
a few contiguous runs, one product each).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from analysis.engine.pose import POSE_EMBEDDING_DIM, POSE_EMBEDDING_VERSION, SWING_EMBEDDING_DIM
from analysis.engine.similarity import PHASES, VIEWS, exact_distances
from swingvision.db.gateway import Database
from swingvision.db.managers.similarity import PAGE_ROWS, Similarity, VectorRows

log = logging.getLogger("swingvision.similarity")

PHASE_CODE = {p: i for i, p in enumerate(PHASES)}
VIEW_CODE = {v: i for i, v in enumerate(VIEWS)}
UNKNOWN = -1  # a row whose attribute is not stored never matches a filter on it
# Candidates re-ranked in float64 per result asked for: the |x|² - 2x·q form loses a few ulps,
# which may swap two neighbours at the boundary; the exact pass settles them.
RERANK_FACTOR = 4
RERANK_EXTRA = 16
# Best-per-swing candidates per result asked for: neighbouring frames of one swing are near each
# other, so a swing fills several candidates; a second argpartition pass costs a whole scan.
PER_VIDEO_FACTOR = 64
# A scope whose rows are under this fraction of the index is searched on its rows alone.
SMALL_SCOPE = 0.2
# The partition: built from this many rows up (below, an exact scan is a millisecond).
ANN_MIN_ROWS = 50_000
# Filters that allow under this share of the rows search exactly (the probed clusters would hold
# mostly rows the filter drops).
ANN_MIN_SHARE = 0.15
# Clusters probed for an unfiltered search (divided by the filters' share when filtered).
ANN_PROBES = 24
# Candidates re-ranked exactly per result wanted (best-per-swing searches need more: a swing's
# neighbouring frames fill several).
ANN_FACTOR = 4
ANN_PER_VIDEO_FACTOR = 64
# k-means: clusters per sqrt(rows), iterations, rows sampled to fit the centroids.
ANN_CLUSTERS_PER_SQRT = 1.0
ANN_ITERATIONS = 8
ANN_SAMPLE = 100_000
# Rebuild the partition when rows written since its build pass this share of the index.
ANN_TAIL_SHARE = 0.2
SNAPSHOT_FORMAT = 1


def _code(mapping: dict[str, int], value: str | None) -> int:
    return mapping.get(value, UNKNOWN) if value is not None else UNKNOWN


def _hand_code(value: bool | None) -> int:
    return UNKNOWN if value is None else int(bool(value))


@dataclass(frozen=True, slots=True)
class IndexHit:
    video_id: str
    user_id: str
    frame: int  # -1 for swing rows
    phase: str | None
    distance: float


class VectorIndex:
    """Vectors of one dimension, grouped per video, searched exactly with filters."""

    def __init__(self, dim: int, capacity: int = 1024) -> None:
        self.dim = dim
        self._n = 0
        self._dead = 0
        self._alloc(max(capacity, 16))
        self._video_ids: list[str] = []
        self._video_users: list[int] = []
        self._video_code: dict[str, int] = {}
        self._video_rows: dict[int, np.ndarray] = {}
        self._user_ids: list[str] = []
        self._user_code: dict[str, int] = {}
        self._user_videos: dict[int, set[int]] = {}
        # The partition of rows [0, _ann_rows), or None (see the module docstring).
        self._ann: Partition | None = None
        self._ann_rows = 0
        self._layout = 0  # moves when rows move (compaction): a partition built before is void
        self._counts: dict[str, np.ndarray] = {}  # rows per phase / view / hand code, cached

    # -- storage -------------------------------------------------------------------------------
    def _alloc(self, cap: int) -> None:
        self._vec = np.zeros((cap, self.dim), dtype=np.float32)
        self._sq = np.zeros(cap, dtype=np.float32)
        self._video = np.zeros(cap, dtype=np.int32)
        self._user = np.zeros(cap, dtype=np.int32)
        self._frame = np.zeros(cap, dtype=np.int32)
        self._phase = np.full(cap, UNKNOWN, dtype=np.int8)
        self._view = np.full(cap, UNKNOWN, dtype=np.int8)
        self._hand = np.full(cap, UNKNOWN, dtype=np.int8)
        self._alive = np.zeros(cap, dtype=bool)

    _COLUMNS = ("_vec", "_sq", "_video", "_user", "_frame", "_phase", "_view", "_hand", "_alive")

    def _grow(self, need: int) -> None:
        cap = len(self._sq)
        if need <= cap:
            return
        new_cap = max(need, 2 * cap)
        for name in self._COLUMNS:
            old = getattr(self, name)
            grown = np.zeros((new_cap, *old.shape[1:]), dtype=old.dtype)
            grown[: self._n] = old[: self._n]
            setattr(self, name, grown)

    def __len__(self) -> int:
        """Live rows."""
        return self._n - self._dead

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays (allocated capacity, not only live rows)."""
        return sum(getattr(self, name).nbytes for name in self._COLUMNS)

    def videos(self) -> int:
        return len(self._video_rows)

    def _code_of_user(self, user_id: str) -> int:
        code = self._user_code.get(user_id)
        if code is None:
            code = self._user_code[user_id] = len(self._user_ids)
            self._user_ids.append(user_id)
        return code

    def _remove_video(self, code: int) -> None:
        rows = self._video_rows.pop(code, None)
        if rows is None:
            return
        self._alive[rows] = False
        self._dead += len(rows)
        self._user_videos[self._video_users[code]].discard(code)

    def clear(self) -> None:
        layout = self._layout
        self.__init__(self.dim, min(len(self._sq), 1024))
        self._layout = layout + 1

    def replace(self, loaded: VectorRows, *, only: Iterable[tuple[str, str]] = ()) -> None:
        """Put the loaded rows in place of what the index holds for their videos, and remove the
        videos in `only` that the load did not return (they have no rows any more)."""
        self._counts = {}
        returned = set(loaded.videos)
        for video_id, _user in only:
            code = self._video_code.get(video_id)
            if code is not None and (video_id, _user) not in returned:
                self._remove_video(code)
        if not len(loaded):
            self._maybe_compact()
            return
        order = np.argsort(loaded.video_code, kind="stable")
        codes = loaded.video_code[order]
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        ends = np.r_[starts[1:], len(codes)]
        self._grow(self._n + len(loaded))
        phase = np.array([_code(PHASE_CODE, p) for p in loaded.phase], dtype=np.int8)
        view = np.array([_code(VIEW_CODE, v) for v in loaded.view], dtype=np.int8)
        hand = np.array([_hand_code(h) for h in loaded.left_handed], dtype=np.int8)
        for s, e in zip(starts, ends, strict=True):
            video_id, user_id = loaded.videos[int(codes[s])]
            code = self._video_code.get(video_id)
            if code is None:
                code = self._video_code[video_id] = len(self._video_ids)
                self._video_ids.append(video_id)
                self._video_users.append(self._code_of_user(user_id))
            else:
                self._remove_video(code)
                self._video_users[code] = self._code_of_user(user_id)
            user = self._video_users[code]
            take = order[s:e]
            lo, hi = self._n, self._n + len(take)
            vec = loaded.vectors[take]
            self._vec[lo:hi] = vec
            self._sq[lo:hi] = np.einsum("ij,ij->i", vec, vec)
            self._video[lo:hi] = code
            self._user[lo:hi] = user
            self._frame[lo:hi] = loaded.frame[take]
            self._phase[lo:hi] = phase[take]
            self._view[lo:hi] = view[take]
            self._hand[lo:hi] = hand[take]
            self._alive[lo:hi] = True
            self._video_rows[code] = np.arange(lo, hi)
            self._user_videos.setdefault(user, set()).add(code)
            self._n = hi
        self._maybe_compact()

    def _maybe_compact(self) -> None:
        if self._dead and self._dead * 4 >= self._n:
            self.compact()

    def compact(self) -> None:
        """Drop dead rows: a copy of the live ones, grouped by player (each player's videos in
        the order they came), so a scope's rows are a few contiguous runs."""
        keep = np.flatnonzero(self._alive[: self._n])
        keep = keep[np.argsort(self._user[keep], kind="stable")]
        cap = max(16, len(keep) * 5 // 4)
        old = {name: getattr(self, name) for name in self._COLUMNS}
        self._alloc(cap)
        for name, arr in old.items():
            getattr(self, name)[: len(keep)] = arr[keep]
        self._n = len(keep)
        self._dead = 0
        self._ann, self._ann_rows = None, 0
        self._layout += 1
        where = np.full(len(old["_alive"]), -1, dtype=np.int64)
        where[keep] = np.arange(len(keep))
        self._video_rows = {code: where[rows] for code, rows in self._video_rows.items()}

    # -- search --------------------------------------------------------------------------------
    def _candidate_rows(self, users: frozenset[str] | None) -> tuple[np.ndarray | None, int]:
        """(row indices of a small scope or None to scan everything with a mask, the scope's
        row count)."""
        if users is None:
            return None, len(self)
        codes = [self._user_code[u] for u in users if u in self._user_code]
        videos = [v for c in codes for v in self._user_videos.get(c, ())]
        total = sum(len(self._video_rows[v]) for v in videos)
        if total > SMALL_SCOPE * max(len(self), 1):
            return None, total
        if not videos:
            return np.zeros(0, dtype=np.int64), 0
        return np.sort(np.concatenate([self._video_rows[v] for v in videos])), total

    def _count(self, name: str, code: int) -> int:
        """Rows (dead ones included) whose `name` attribute has this code."""
        counts = self._counts.get(name)
        if counts is None:
            values = getattr(self, name)[: self._n].astype(np.int16) + 1  # UNKNOWN -> 0
            counts = self._counts[name] = np.bincount(values, minlength=len(PHASES) + 1)
        return int(counts[code + 1]) if 0 <= code + 1 < len(counts) else 0

    def search(
        self,
        query: np.ndarray,
        k: int,
        *,
        users: frozenset[str] | None = None,
        phase: str | None = None,
        view: str | None = None,
        left_handed: bool | None = None,
        exclude_video: str | None = None,
        per_video: bool = True,
        exact: bool = False,
    ) -> list[IndexHit]:
        """The k nearest rows to `query` among the allowed users' rows that pass the filters,
        nearest first, by exact Euclidean distance (of the candidates: see the module docstring
        for when they come from the partition); `per_video` keeps the best row of each video.
        `users` None = every user (admins). `exact` forces the exact scan."""
        q = np.asarray(query, dtype=np.float32).reshape(self.dim)
        n = self._n
        if k <= 0 or n == 0:
            return []
        rows, scope_rows = self._candidate_rows(users)
        if rows is not None and len(rows) == 0:
            return []
        flt = _Filter(
            lut=None if users is None else self._user_lut(users),
            phase=None if phase is None else _code(PHASE_CODE, phase),
            view=None if view is None else _code(VIEW_CODE, view),
            hand=None if left_handed is None else _hand_code(left_handed),
            video=self._video_code.get(exclude_video, -2) if exclude_video is not None else None,
        )
        if rows is None and self._ann is not None and not exact:
            live = max(len(self), 1)
            share = scope_rows / live
            for name, code in (("_phase", flt.phase), ("_view", flt.view), ("_hand", flt.hand)):
                if code is not None:
                    share *= self._count(name, code) / live
            if share >= ANN_MIN_SHARE:
                found = self._ann_search(q, k, flt, share, per_video)
                if found is not None:
                    return self._hits(found)
        return self._hits(self._exact_search(q, k, rows, flt, per_video))

    def _user_lut(self, users: frozenset[str]) -> np.ndarray:
        lut = np.zeros(len(self._user_ids) + 1, dtype=bool)
        lut[[self._user_code[u] for u in users if u in self._user_code]] = True
        return lut

    def _passes(self, idx: np.ndarray, flt: _Filter) -> np.ndarray:
        """Which of the rows `idx` are alive and pass the filter."""
        ok = self._alive[idx]
        if flt.lut is not None:
            ok &= flt.lut[self._user[idx]]
        if flt.phase is not None:
            ok &= self._phase[idx] == flt.phase
        if flt.view is not None:
            ok &= self._view[idx] == flt.view
        if flt.hand is not None:
            ok &= self._hand[idx] == flt.hand
        if flt.video is not None:
            ok &= self._video[idx] != flt.video
        return ok

    def _rank(
        self, cand: np.ndarray, q: np.ndarray, per_video: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """Candidate rows ordered by exact distance (ties by video id and frame, as in the
        database engine, so both give the same answer), the best per video if asked."""
        dist = exact_distances(self._vec[cand], q)
        order = np.argsort(dist, kind="stable")
        if len(order) > 1 and np.any(dist[order[1:]] == dist[order[:-1]]):
            frames = self._frame[cand]
            ids = [self._video_ids[int(c)] for c in self._video[cand]]
            order = np.array(
                sorted(range(len(cand)), key=lambda j: (dist[j], ids[j], frames[j])),
                dtype=np.int64,
            )
        cand, dist = cand[order], dist[order]
        if per_video:
            _, first = np.unique(self._video[cand], return_index=True)
            first.sort()
            cand, dist = cand[first], dist[first]
        return cand, dist

    def _ann_search(
        self, q: np.ndarray, k: int, flt: _Filter, share: float, per_video: bool
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """Rows of the nearest clusters plus the tail's allowed rows, re-ranked exactly; None
        when every cluster leaves fewer than k (the caller scans exactly)."""
        part = self._ann
        tail = np.arange(self._ann_rows, self._n, dtype=np.int64)
        tail = tail[self._passes(tail, flt)]
        want = k * (ANN_PER_VIDEO_FACTOR if per_video else ANN_FACTOR) + RERANK_EXTRA
        probes = min(int(np.ceil(ANN_PROBES * (2 if per_video else 1) / share)), part.clusters)
        unfiltered = self._dead == 0 and all(
            value is None for value in (flt.lut, flt.phase, flt.view, flt.hand, flt.video)
        )
        while True:
            rows, d2 = part.scan(q, probes)
            if not unfiltered:
                keep = self._passes(rows, flt)
                rows, d2 = rows[keep], d2[keep]
            if len(rows) > want:
                top = np.argpartition(d2, want - 1)[:want]
                rows = rows[top]
            cand, dist = self._rank(np.concatenate([rows, tail]), q, per_video)
            if len(cand) >= k or probes >= part.clusters:
                return (cand[:k], dist[:k]) if len(cand) else None
            probes = min(probes * 2, part.clusters)

    def _exact_search(
        self, q: np.ndarray, k: int, rows: np.ndarray | None, flt: _Filter, per_video: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        n = self._n

        def take(arr: np.ndarray) -> np.ndarray:
            return arr[:n] if rows is None else arr[rows]

        mask = None

        def narrow(condition: np.ndarray) -> None:
            nonlocal mask
            mask = condition if mask is None else (mask & condition)

        if self._dead:
            narrow(take(self._alive))
        if flt.lut is not None and rows is None:
            narrow(flt.lut[self._user[:n]])
        if flt.phase is not None:
            narrow(take(self._phase) == flt.phase)
        if flt.view is not None:
            narrow(take(self._view) == flt.view)
        if flt.hand is not None:
            narrow(take(self._hand) == flt.hand)
        if flt.video is not None:
            narrow(take(self._video) != flt.video)

        if rows is None:
            d2 = self._sq[:n] - 2.0 * (self._vec[:n] @ q)
        else:  # sorted rows: one product per contiguous run (a player's rows), no gather
            cuts = np.flatnonzero(np.diff(rows) != 1) + 1
            starts = np.r_[0, cuts]
            ends = np.r_[cuts, len(rows)]
            d2 = np.concatenate(
                [
                    self._sq[rows[a] : rows[b - 1] + 1]
                    - 2.0 * (self._vec[rows[a] : rows[b - 1] + 1] @ q)
                    for a, b in zip(starts, ends, strict=True)
                ]
            )
        if mask is not None:
            d2[~mask] = np.inf
            allowed = int(np.count_nonzero(mask))
        else:
            allowed = len(d2)
        empty = np.zeros(0, dtype=np.int64), np.zeros(0)
        if allowed == 0:
            return empty
        want = min(allowed, k * (PER_VIDEO_FACTOR if per_video else RERANK_FACTOR) + RERANK_EXTRA)
        while True:
            everything = want >= len(d2)
            cand = np.arange(len(d2)) if everything else np.argpartition(d2, want - 1)[:want]
            cand = cand[np.isfinite(d2[cand])]
            index = cand if rows is None else rows[cand]
            index, dist = self._rank(index, q, per_video)
            # Enough distinct results, or every allowed row looked at: done. Otherwise a video
            # filled many of the candidates with neighbouring frames: look further.
            if len(index) >= k or want >= allowed:
                return index[:k], dist[:k]
            want = min(allowed, want * 8)

    def _hits(self, found: tuple[np.ndarray, np.ndarray]) -> list[IndexHit]:
        out = []
        for i, d in zip(*found, strict=True):
            code = int(self._video[i])
            phase_code = int(self._phase[i])
            out.append(
                IndexHit(
                    video_id=self._video_ids[code],
                    user_id=self._user_ids[int(self._user[i])],
                    frame=int(self._frame[i]),
                    phase=PHASES[phase_code] if phase_code >= 0 else None,
                    distance=float(d),
                )
            )
        return out

    # -- the partition and the snapshot --------------------------------------------------------
    def ann_due(self) -> bool:
        """Whether a partition (re)build is due: big enough, and none yet or its tail too long."""
        if len(self) < ANN_MIN_ROWS:
            return False
        return self._ann is None or (self._n - self._ann_rows) > ANN_TAIL_SHARE * self._n

    def build_source(self) -> tuple[np.ndarray, int]:
        """What a build reads: the matrix rows so far (never written in place) and the layout."""
        return self._vec[: self._n], self._layout

    def install_ann(self, part: Partition, rows: int, layout: int) -> bool:
        """Use a partition built over rows [0, rows) if the rows have not moved since."""
        if layout != self._layout or rows > self._n:
            return False
        self._ann, self._ann_rows = part, rows
        return True

    @property
    def ann_rows(self) -> int:
        return self._ann_rows if self._ann is not None else 0

    def save(self, folder: str, prefix: str, meta: dict) -> None:
        """Write the snapshot files `<prefix>.npy` (matrix), `.npz` (the rest) and, with a
        partition, `<prefix>-ivf.npy` (the clustered matrix) and `<prefix>-ivf.npz`."""
        n = self._n
        videos = sorted(self._video_rows)
        starts = np.array([self._video_rows[v][0] for v in videos], dtype=np.int64)
        ends = np.array([self._video_rows[v][-1] + 1 for v in videos], dtype=np.int64)
        np.save(os.path.join(folder, prefix + ".npy"), self._vec[:n])
        np.savez(
            os.path.join(folder, prefix + ".npz"),
            **{name[1:]: getattr(self, name)[:n] for name in self._COLUMNS if name != "_vec"},
            video_codes=np.array(videos, dtype=np.int64),
            video_starts=starts,
            video_ends=ends,
            video_users=np.array(self._video_users, dtype=np.int64),
            video_ids=np.array(self._video_ids, dtype=object),
            user_ids=np.array(self._user_ids, dtype=object),
            meta=np.array(json.dumps({**meta, "n": n, "dead": self._dead})),
        )
        if self._ann is not None:
            self._ann.save(os.path.join(folder, prefix + "-ivf"))

    @classmethod
    def restore(cls, folder: str, prefix: str, dim: int, ann_rows: int) -> VectorIndex:
        """An index from a snapshot: the matrices memory-mapped (the main one copied on the
        first append)."""
        index = cls(dim, capacity=16)
        vec = np.load(os.path.join(folder, prefix + ".npy"), mmap_mode="r")
        with np.load(os.path.join(folder, prefix + ".npz"), allow_pickle=True) as z:
            meta = json.loads(str(z["meta"]))
            for name in cls._COLUMNS:
                if name != "_vec":
                    setattr(index, name, np.array(z[name[1:]]))
            codes, starts, ends = z["video_codes"], z["video_starts"], z["video_ends"]
            index._video_users = [int(u) for u in z["video_users"]]
            index._video_ids = [str(v) for v in z["video_ids"]]
            index._user_ids = [str(u) for u in z["user_ids"]]
        if vec.shape != (meta["n"], dim):
            raise ValueError(f"snapshot matrix has shape {vec.shape}")
        index._vec = vec
        index._n, index._dead = int(meta["n"]), int(meta["dead"])
        index._video_code = {v: i for i, v in enumerate(index._video_ids)}
        index._user_code = {u: i for i, u in enumerate(index._user_ids)}
        index._video_rows = {
            int(c): np.arange(s, e) for c, s, e in zip(codes, starts, ends, strict=True)
        }
        for code in index._video_rows:
            index._user_videos.setdefault(index._video_users[code], set()).add(code)
        if ann_rows:
            part = Partition.load(os.path.join(folder, prefix + "-ivf"))
            if part.rows != ann_rows or part.vectors.shape[1] != dim:
                raise ValueError("snapshot partition does not match its rows")
            index._ann, index._ann_rows = part, ann_rows
        return index


@dataclass(frozen=True, slots=True)
class _Filter:
    """A search's filters as codes (None: no condition)."""

    lut: np.ndarray | None  # user code -> allowed
    phase: int | None
    view: int | None
    hand: int | None
    video: int | None  # the excluded video's code


class Partition:
    """Rows clustered by k-means, in a copy of their vectors ordered by cluster (IVF)."""

    def __init__(
        self,
        centroids: np.ndarray,
        order: np.ndarray,
        offsets: np.ndarray,
        vectors: np.ndarray,
        sq: np.ndarray | None = None,
    ) -> None:
        self.centroids = centroids  # (C, dim) float32
        self.centroid_sq = np.einsum("ij,ij->i", centroids, centroids)
        self.order = order  # (rows,) int64: the row of each clustered position
        self.offsets = offsets  # (C + 1,) int64: cluster c holds positions offsets[c]:offsets[c+1]
        self.vectors = vectors  # (rows, dim) float32, vectors[i] = matrix[order[i]]
        self.sq = np.einsum("ij,ij->i", vectors, vectors) if sq is None else sq

    @property
    def clusters(self) -> int:
        return len(self.centroids)

    @property
    def rows(self) -> int:
        return len(self.order)

    def scan(self, q: np.ndarray, probes: int) -> tuple[np.ndarray, np.ndarray]:
        """(rows, |x|² - 2x·q) of every row in the `probes` clusters nearest to q: one product
        per cluster on its contiguous slice (no gather)."""
        dc = self.centroid_sq - 2.0 * (self.centroids @ q)
        probes = min(probes, self.clusters)
        if probes >= self.clusters:
            return self.order, self.sq - 2.0 * (self.vectors @ q)
        near = np.argpartition(dc, probes - 1)[:probes]
        bounds = [(int(self.offsets[c]), int(self.offsets[c + 1])) for c in near]
        d2 = np.concatenate([self.sq[a:b] - 2.0 * (self.vectors[a:b] @ q) for a, b in bounds])
        rows = np.concatenate([self.order[a:b] for a, b in bounds])
        return rows, d2

    @classmethod
    def build(cls, vectors: np.ndarray, seed: int = 0) -> Partition:
        """k-means on a sample (ANN_ITERATIONS Lloyd steps), every row to its nearest centroid."""
        n = len(vectors)
        rng = np.random.default_rng(seed)
        k = int(np.clip(ANN_CLUSTERS_PER_SQRT * np.sqrt(n), 1, 4096))
        sample = vectors[np.sort(rng.choice(n, min(n, max(ANN_SAMPLE, k)), replace=False))]
        sample = np.asarray(sample, dtype=np.float32)
        centroids = sample[rng.choice(len(sample), k, replace=False)].copy()
        for _ in range(ANN_ITERATIONS):
            labels = _nearest(sample, centroids)
            sums = np.zeros_like(centroids)
            np.add.at(sums, labels, sample)
            counts = np.bincount(labels, minlength=k)
            filled = counts > 0
            centroids[filled] = sums[filled] / counts[filled, None]
            # An empty cluster takes a random sample row (so no centroid is wasted).
            empty = np.flatnonzero(~filled)
            if len(empty):
                centroids[empty] = sample[rng.choice(len(sample), len(empty), replace=False)]
        labels = _nearest(vectors, centroids)
        order = np.argsort(labels, kind="stable").astype(np.int64)
        offsets = np.zeros(k + 1, dtype=np.int64)
        offsets[1:] = np.cumsum(np.bincount(labels, minlength=k))
        return cls(centroids, order, offsets, np.ascontiguousarray(vectors[order], np.float32))

    def save(self, path: str) -> None:
        np.save(path + ".npy", self.vectors)
        np.savez(
            path + ".npz",
            centroids=self.centroids,
            order=self.order,
            offsets=self.offsets,
            sq=self.sq,
        )

    @classmethod
    def load(cls, path: str) -> Partition:
        vectors = np.load(path + ".npy", mmap_mode="r")
        with np.load(path + ".npz") as z:
            sq = np.array(z["sq"]) if "sq" in z.files else None
            part = cls(
                np.array(z["centroids"]), np.array(z["order"]), np.array(z["offsets"]), vectors, sq
            )
        if len(part.order) != len(vectors) or part.offsets[-1] != len(vectors):
            raise ValueError("partition files do not match")
        return part


def _nearest(vectors: np.ndarray, centroids: np.ndarray, chunk: int = 65_536) -> np.ndarray:
    """Index of the nearest centroid of each row (chunked matrix products)."""
    csq = np.einsum("ij,ij->i", centroids, centroids)
    out = np.empty(len(vectors), dtype=np.int64)
    for lo in range(0, len(vectors), chunk):
        block = np.asarray(vectors[lo : lo + chunk], dtype=np.float32)
        out[lo : lo + len(block)] = np.argmin(csq - 2.0 * (block @ centroids.T), axis=1)
    return out


class SyncedIndex:
    """A VectorIndex of one kind ("pose" or "swing") kept current with the database's change feed.
    Thread-safe: syncs and searches of a process take one lock."""

    def __init__(
        self, db: Database, kind: str, dim: int, *, snapshots: bool = True, background: bool = True
    ) -> None:
        if kind not in ("pose", "swing"):
            raise ValueError(f"unknown kind {kind!r}")
        self.db = db
        self.kind = kind
        self.dim = dim
        self.index = VectorIndex(dim)
        self.generation: int | None = None
        self.seq = 0
        self.load_seconds = 0.0  # the last full load
        self.restored = False  # whether it came from a snapshot
        self.folder = snapshot_folder(db) if snapshots else None
        self.background = background  # partition builds in a thread (False: in the sync)
        self._building = False
        self._lock = threading.Lock()
        self._manager = Similarity(db)

    def _load(self) -> Callable[..., VectorRows]:
        m = self._manager
        return m.pose_vectors if self.kind == "pose" else m.swing_vectors

    def sync(self) -> None:
        """Bring the index up to the database's feed (see the module docstring)."""
        with self._lock:
            self._sync()

    def _sync(self) -> None:
        generation, head = self._manager.feed_head()
        stale = generation != self.generation or head < self.seq
        if stale and not self._restore(generation, head):
            self._full_load(generation, head)
        if head != self.seq:
            changes = self._manager.feed_since(self.kind, self.seq)
            load = self._load()
            for entry in changes:
                key = (entry.video_id, entry.user_id)
                self.index.replace(load(video=key), only=[key])
            self.seq = head
        self._maybe_build()

    # -- the partition and the snapshot ------------------------------------------------------------
    def _maybe_build(self) -> None:
        """Start a partition build when one is due (the caller holds the lock)."""
        if self._building or not self.index.ann_due():
            return
        vectors, layout = self.index.build_source()
        self._building = True
        if self.background:
            threading.Thread(
                target=self._build, args=(vectors, layout), name="similarity-ivf", daemon=True
            ).start()
        else:
            self._build(vectors, layout, locked=True)

    def build_now(self) -> None:
        """Sync, then build the partition here if one is due (bench, commands)."""
        with self._lock:
            background, self.background = self.background, False
            try:
                self._sync()
            finally:
                self.background = background

    def _build(self, vectors: np.ndarray, layout: int, *, locked: bool = False) -> None:
        try:
            t0 = time.perf_counter()
            part = Partition.build(vectors)
            built = time.perf_counter() - t0
            if locked:
                self._install(part, len(vectors), layout, built)
            else:
                with self._lock:
                    self._install(part, len(vectors), layout, built)
        except Exception:  # a failed build leaves exact search in place
            log.exception("similarity partition (%s): build failed", self.kind)
        finally:
            self._building = False

    def _install(self, part: Partition, rows: int, layout: int, seconds: float) -> None:
        if not self.index.install_ann(part, rows, layout):
            return  # the rows moved meanwhile: the next sync builds again
        log.info("similarity partition (%s): %d rows in %.1f s", self.kind, rows, seconds)
        try:
            self._save()
        except OSError:
            log.exception("similarity snapshot (%s): not saved", self.kind)

    def _manifest(self) -> str:
        return os.path.join(self.folder or "", f"{self.kind}.json")

    def _save(self) -> None:
        if self.folder is None:
            return
        os.makedirs(self.folder, exist_ok=True)
        prefix = f"{self.kind}-{os.getpid()}-{time.time_ns()}"
        meta = {
            "format": SNAPSHOT_FORMAT,
            "prefix": prefix,
            "generation": self.generation,
            "seq": self.seq,
            "dim": self.dim,
            "embedding_version": POSE_EMBEDDING_VERSION,
            "ann_rows": self.index.ann_rows,
        }
        self.index.save(self.folder, prefix, meta)
        tmp = f"{self._manifest()}.tmp-{os.getpid()}"
        with open(tmp, "w") as fh:
            json.dump(meta, fh)
        os.replace(tmp, self._manifest())
        for name in os.listdir(self.folder):  # older snapshots of this kind
            if name.startswith(f"{self.kind}-") and not name.startswith(prefix):
                with contextlib.suppress(OSError):
                    os.remove(os.path.join(self.folder, name))

    def _restore(self, generation: int, head: int) -> bool:
        """Load the saved snapshot if it belongs to this database state (then the feed after
        its seq is applied by the caller)."""
        if self.folder is None:
            return False
        try:
            with open(self._manifest()) as fh:
                meta = json.load(fh)
        except (OSError, ValueError):
            return False
        expected = {
            "format": SNAPSHOT_FORMAT,
            "generation": generation,
            "dim": self.dim,
            "embedding_version": POSE_EMBEDDING_VERSION,
        }
        if any(meta.get(k) != v for k, v in expected.items()) or int(meta["seq"]) > head:
            return False
        t0 = time.perf_counter()
        try:
            index = VectorIndex.restore(self.folder, meta["prefix"], self.dim, meta["ann_rows"])
        except (OSError, ValueError, KeyError):
            log.exception(
                "similarity snapshot (%s): not usable, loading from the database", self.kind
            )
            return False
        self.index = index
        self.generation, self.seq = generation, int(meta["seq"])
        self.load_seconds = time.perf_counter() - t0
        self.restored = True
        log.info(
            "similarity index (%s): %d rows restored in %.2f s",
            self.kind,
            len(index),
            self.load_seconds,
        )
        return True

    def _full_load(self, generation: int, head: int) -> None:
        t0 = time.perf_counter()
        self.index.clear()
        load = self._load()
        after = ""
        while True:
            page = load(after_video=after)
            if not page.cursor:
                break
            after = page.cursor
            if self.kind == "pose" and len(page) >= PAGE_ROWS:
                # The page may end inside a video: keep the complete ones, resume at the cut.
                last = int(page.video_code[-1])
                if last == 0:  # one video longer than a page: load it alone
                    self.index.replace(load(video=page.videos[0]))
                    continue
                page = _without_video(page, last)
                after = page.videos[-1][0]
            self.index.replace(page)
        self.index.compact()  # give back the doubling's slack: a quarter of headroom is kept
        self.generation, self.seq = generation, head
        self.load_seconds = time.perf_counter() - t0
        self.restored = False
        log.info(
            "similarity index (%s): %d rows of %d videos loaded in %.2f s",
            self.kind,
            len(self.index),
            self.index.videos(),
            self.load_seconds,
        )

    def search(self, query: np.ndarray, k: int, **kw) -> list[IndexHit]:
        with self._lock:
            self._sync()
            return self.index.search(query, k, **kw)


def _without_video(rows: VectorRows, code: int) -> VectorRows:
    """The rows of every video but one (codes are in order of first appearance, so dropping the
    last code leaves codes 0..code-1 as they were)."""
    idx = np.flatnonzero(rows.video_code != code)
    return VectorRows(
        videos=rows.videos[:code],
        video_code=rows.video_code[idx],
        frame=rows.frame[idx],
        phase=[rows.phase[i] for i in idx],
        view=[rows.view[i] for i in idx],
        left_handed=[rows.left_handed[i] for i in idx],
        vectors=rows.vectors[idx],
    )


_registry: dict[tuple[str, int, str], SyncedIndex] = {}
_registry_lock = threading.Lock()


def snapshot_folder(db: Database) -> str | None:
    """Where a database file's index snapshots live: `<file>.similarity/` (None in memory)."""
    path = db.config.path
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return f"{path}.similarity"


def index_for(db: Database, kind: str) -> SyncedIndex:
    """This process's index of `kind` over the SQLite file `db` opens (one per file and inode, so
    a test or bench that recreates the file starts a fresh index)."""
    if db.dialect != "sqlite":
        raise ValueError("the in-memory similarity index serves the SQLite backend only")
    try:
        inode = os.stat(db.config.path).st_ino
    except FileNotFoundError:
        inode = 0
    key = (db.config.path, inode, kind)
    with _registry_lock:
        found = _registry.get(key)
        if found is None:
            dim = POSE_EMBEDDING_DIM if kind == "pose" else SWING_EMBEDDING_DIM
            found = _registry[key] = SyncedIndex(db, kind, dim)
        return found
