"""The embedded backend's similarity index: every stored vector in one float32 matrix per process,
searched exactly, and kept current across processes by a change feed in the database.

Why a matrix and not an ANN index: a top-10 search over a million 39-d poses is one matrix-vector
product and one argpartition, tens of milliseconds, and exact. The bench (bench/similarity.py)
holds it to 1.5x a bare numpy brute force at 1,000,000 poses.

Layout. Rows are grouped per video (the unit that is written and replaced): per row the vector,
its squared norm (|x|² - 2x·q + |q|² needs only a product per query), a video code, a user code,
the frame, and small codes for phase, view and handedness. Arrays grow by doubling; replacing a
video marks its old rows dead and appends the new ones; dead rows are compacted away once they
are a quarter of the matrix.

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
the top k (a lookup table over user codes, or, for small scopes, only the rows of those users).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from analysis.engine.pose import POSE_EMBEDDING_DIM, SWING_EMBEDDING_DIM
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
        self.__init__(self.dim, len(self._sq))

    def replace(self, loaded: VectorRows, *, only: Iterable[tuple[str, str]] = ()) -> None:
        """Put the loaded rows in place of what the index holds for their videos, and remove the
        videos in `only` that the load did not return (they have no rows any more)."""
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
        """Drop dead rows (a copy of the live ones, in video order)."""
        keep = np.flatnonzero(self._alive[: self._n])
        cap = max(16, len(keep) * 5 // 4)
        old = {name: getattr(self, name) for name in self._COLUMNS}
        self._alloc(cap)
        for name, arr in old.items():
            getattr(self, name)[: len(keep)] = arr[keep]
        self._n = len(keep)
        self._dead = 0
        where = np.full(len(old["_alive"]), -1, dtype=np.int64)
        where[keep] = np.arange(len(keep))
        self._video_rows = {code: where[rows] for code, rows in self._video_rows.items()}

    # -- search --------------------------------------------------------------------------------
    def _candidate_rows(self, users: frozenset[str] | None) -> np.ndarray | None:
        """Row indices of a small scope, or None to scan everything with a mask."""
        if users is None:
            return None
        codes = [self._user_code[u] for u in users if u in self._user_code]
        videos = [v for c in codes for v in self._user_videos.get(c, ())]
        total = sum(len(self._video_rows[v]) for v in videos)
        if total > SMALL_SCOPE * max(len(self), 1):
            return None
        if not videos:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate([self._video_rows[v] for v in videos])

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
    ) -> list[IndexHit]:
        """The k nearest rows to `query` among the allowed users' rows that pass the filters,
        nearest first, by exact Euclidean distance; `per_video` keeps the best row of each video.
        `users` None = every user (admins)."""
        q = np.asarray(query, dtype=np.float32).reshape(self.dim)
        n = self._n
        if k <= 0 or n == 0:
            return []
        rows = self._candidate_rows(users)
        if rows is not None and len(rows) == 0:
            return []

        def take(arr: np.ndarray) -> np.ndarray:
            return arr[:n] if rows is None else arr[rows]

        mask = None

        def narrow(condition: np.ndarray) -> None:
            nonlocal mask
            mask = condition if mask is None else (mask & condition)

        if self._dead:
            narrow(take(self._alive))
        if users is not None and rows is None:
            lut = np.zeros(len(self._user_ids) + 1, dtype=bool)
            lut[[self._user_code[u] for u in users if u in self._user_code]] = True
            narrow(lut[self._user[:n]])
        if phase is not None:
            narrow(take(self._phase) == _code(PHASE_CODE, phase))
        if view is not None:
            narrow(take(self._view) == _code(VIEW_CODE, view))
        if left_handed is not None:
            narrow(take(self._hand) == _hand_code(left_handed))
        if exclude_video is not None and exclude_video in self._video_code:
            narrow(take(self._video) != self._video_code[exclude_video])

        vec = take(self._vec)
        d2 = take(self._sq) - 2.0 * (vec @ q)
        if mask is not None:
            d2[~mask] = np.inf
            allowed = int(np.count_nonzero(mask))
        else:
            allowed = len(d2)
        if allowed == 0:
            return []
        want = min(allowed, k * (PER_VIDEO_FACTOR if per_video else RERANK_FACTOR) + RERANK_EXTRA)
        video_of = take(self._video)
        while True:
            everything = want >= len(d2)
            cand = np.arange(len(d2)) if everything else np.argpartition(d2, want - 1)[:want]
            cand = cand[np.isfinite(d2[cand])]
            dist = exact_distances(vec[cand], q)
            # Ties (the same swing stored twice) break by video id and frame, as in the database
            # engine, so both give the same answer.
            frames = take(self._frame)[cand]
            ids = [self._video_ids[int(c)] for c in video_of[cand]]
            order = np.array(
                sorted(range(len(cand)), key=lambda j: (dist[j], ids[j], frames[j])), dtype=np.int64
            )
            cand, dist = cand[order], dist[order]
            if per_video:
                _, first = np.unique(video_of[cand], return_index=True)
                first.sort()
                cand, dist = cand[first], dist[first]
            # Enough distinct results, or every allowed row looked at: done. Otherwise a video
            # filled many of the candidates with neighbouring frames: look further.
            if len(cand) >= k or want >= allowed:
                break
            want = min(allowed, want * 8)
        cand, dist = cand[:k], dist[:k]
        index = cand if rows is None else rows[cand]
        out = []
        for i, d in zip(index, dist, strict=True):
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


class SyncedIndex:
    """A VectorIndex of one kind ("pose" or "swing") kept current with the database's change feed.
    Thread-safe: syncs and searches of a process take one lock."""

    def __init__(self, db: Database, kind: str, dim: int) -> None:
        if kind not in ("pose", "swing"):
            raise ValueError(f"unknown kind {kind!r}")
        self.db = db
        self.kind = kind
        self.index = VectorIndex(dim)
        self.generation: int | None = None
        self.seq = 0
        self.load_seconds = 0.0  # the last full load
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
        if generation != self.generation or head < self.seq:
            self._full_load(generation, head)
            return
        if head == self.seq:
            return
        changes = self._manager.feed_since(self.kind, self.seq)
        load = self._load()
        for entry in changes:
            key = (entry.video_id, entry.user_id)
            self.index.replace(load(video=key), only=[key])
        self.seq = head

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


def index_for(db: Database, kind: str) -> SyncedIndex:
    """This process's index of `kind` over the SQLite file `db` opens (one per file and inode, so
    a test or bench that recreates the file starts a fresh index)."""
    import os

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
