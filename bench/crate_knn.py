"""CrateDB's KNN_MATCH against exact search at 100,000 poses (quick: 20,000), beside the embedded
index. Runs when SWINGVISION_CRATEDB_URL points at a CrateDB cluster; otherwise it reports
nothing. `python -m bench --only crate_knn` (or `python -m bench.crate_knn`).

The poses are bench.similarity's (generated, analysed swings spread over 1000 players; the same
SQLite file that benchmark keeps), copied into a scratch CrateDB schema through the gateway
(`poses_upsert`, bulk requests; keypoints left out, the search does not read them) and dropped at
the end. On the same query vectors:
- exact: float64 brute force over every stored vector (numpy), the oracle for recall@10;
- KNN_MATCH with a fixed per-shard k (10, 100, 1000), ordered by _score, LIMIT 10: recall@10 and
  latency, over all players and with a one-player scope (`user_id = ?`, which routes to that
  player's shard but filters the shard's k nearest afterwards);
- the product's path (swingvision.similarity.service.DatabaseEngine: per-shard k = max(10 x n,
  100), raised x4 while the filters leave fewer than n, exact re-ranking), both scopes;
- the embedded index (swingvision.similarity.index, SQLite) on the same poses and queries.
"""

from __future__ import annotations

import os
import secrets
import statistics
import time

import numpy as np

from analysis.engine.similarity import exact_distances
from bench.core import Figure

K = 10
N_QUERIES = 30
PER_SHARD_K = (10, 100, 1000)
COPY_BATCH = 2000
KNN_ALL_SQL = "SELECT id FROM poses WHERE knn_match(embedding, ?, ?) ORDER BY _score DESC LIMIT ?"
KNN_ONE_PLAYER_SQL = (
    "SELECT id FROM poses WHERE knn_match(embedding, ?, ?) AND user_id = ? "
    "ORDER BY _score DESC LIMIT ?"
)


def _crate_db(url: str):
    from swingvision.db.gateway import Database, parse_db_url
    from swingvision.db.migrate import migrate

    sep = "&" if "?" in url else "?"
    db = Database(parse_db_url(f"{url}{sep}schema=svbench_{secrets.token_hex(3)}&timeout=120"))
    migrate(db)
    return db


def _copy(sqlite_db, crate_db) -> tuple[int, float]:
    """Every pose row of the SQLite file into CrateDB; returns (rows, seconds)."""
    from swingvision.db.codec import Vector

    t0 = time.perf_counter()
    rows, after = 0, ""
    while True:
        page = sqlite_db.run_sql(
            "SELECT id, video_id, user_id, frame_number, timestamp_ms, confidence, embedding, "
            "phase, view, left_handed FROM poses WHERE id > ? ORDER BY id LIMIT ?",
            [after, COPY_BATCH],
        )
        if not page:
            break
        batch = [
            {
                "id": r[0],
                "video_id": r[1],
                "user_id": r[2],
                "frame_number": r[3],
                "timestamp_ms": r[4],
                "keypoints": None,
                "confidence": r[5],
                "embedding": Vector(np.frombuffer(r[6], dtype=np.float32)),
                "phase": r[7],
                "view": r[8],
                "left_handed": bool(r[9]) if r[9] is not None else None,
            }
            for r in page
        ]
        crate_db.execute_many("poses_upsert", batch)
        rows += len(page)
        after = page[-1][0]
    crate_db.refresh("poses")
    return rows, time.perf_counter() - t0


def _knn(db, q: np.ndarray, k: int, user_id: str | None) -> tuple[list[str], float]:
    sql = KNN_ONE_PLAYER_SQL if user_id else KNN_ALL_SQL
    args = [q.tolist(), k] + ([user_id] if user_id else []) + [K]
    a = time.perf_counter()
    rows = db.run_sql(sql, args)
    return [r[0] for r in rows], time.perf_counter() - a


def _nearest_poses(cands: list, q: np.ndarray, k: int) -> list[str]:
    """The k exact nearest candidates as "video:frame" ids (every frame counts)."""
    if not cands:
        return []
    d = exact_distances(np.stack([c.embedding for c in cands]), q)
    return [
        f"{cands[i].video_id}:{cands[i].frame_number}" for i in np.argsort(d, kind="stable")[:k]
    ]


def run(quick: bool) -> list[Figure]:
    url = os.environ.get("SWINGVISION_CRATEDB_URL", "")
    if not url:
        return []
    from analysis.engine.similarity import exact_distances
    from bench.similarity import _db, ensure_data
    from swingvision.db.gateway import TABLES
    from swingvision.db.managers.similarity import Filters, SearchScope, Similarity
    from swingvision.similarity.index import SyncedIndex
    from swingvision.similarity.service import escalating_knn

    n_rows = 20_000 if quick else 100_000
    label = f"{n_rows // 1000}k"
    path, _ = ensure_data(n_rows)
    lite = _db(path)
    crate = _crate_db(url)
    try:
        copied, copy_s = _copy(lite, crate)
        shards = crate.run_sql(
            "SELECT number_of_shards FROM information_schema.tables "
            "WHERE table_schema = CURRENT_SCHEMA AND table_name = 'poses'"
        )[0][0]
        version = crate.run_sql("SELECT version['number'] FROM sys.nodes LIMIT 1")[0][0]

        ids, users, vecs = [], [], []
        for r in lite.run_sql("SELECT id, user_id, embedding FROM poses ORDER BY id"):
            ids.append(r[0])
            users.append(r[1])
            vecs.append(np.frombuffer(r[2], dtype=np.float32))
        X = np.stack(vecs)
        users_arr = np.asarray(users)
        rng = np.random.default_rng(11)
        picks = rng.integers(0, len(ids), N_QUERIES)
        queries = X[picks] + rng.normal(0, 0.02, (N_QUERIES, X.shape[1])).astype(np.float32)
        scope_users = [users[i] for i in picks]  # each query scoped to the player it came from

        def exact(q, user_id=None):
            d = exact_distances(X, q)
            if user_id is not None:
                d = np.where(users_arr == user_id, d, np.inf)
            return {ids[i] for i in np.argsort(d, kind="stable")[:K] if np.isfinite(d[i])}

        figures: list[Figure] = []
        for scoped in (False, True):
            where = "one player" if scoped else "all players"
            truth = [
                exact(q, u if scoped else None) for q, u in zip(queries, scope_users, strict=True)
            ]
            for k in PER_SHARD_K:
                _knn(crate, queries[0], k, scope_users[0] if scoped else None)  # warm
                recall, times = [], []
                for q, u, want in zip(queries, scope_users, truth, strict=True):
                    got, t = _knn(crate, q, k, u if scoped else None)
                    recall.append(len(want & set(got)) / len(want))
                    times.append(t)
                figures += [
                    Figure(
                        name=f"crate knn recall@10, {where}, k={k}/shard, {label}",
                        value=float(np.mean(recall)),
                        unit="",
                        better="higher",
                        note=f"{shards} shards, CrateDB {version}",
                    ),
                    Figure(
                        name=f"crate knn latency, {where}, k={k}/shard, {label}",
                        value=statistics.median(times) * 1000,
                        unit="ms",
                        note=f"p95 {np.percentile(times, 95) * 1000:.1f} ms",
                    ),
                ]
            # The product's path (DatabaseEngine's rule): candidates with escalating k,
            # re-ranked exactly.
            sim = Similarity(crate)
            flt = Filters(exclude_video="")
            recall, times = [], []
            for q, u, want in zip(queries, scope_users, truth, strict=True):
                scope = SearchScope(name="bench", user_ids=frozenset({u}) if scoped else None)
                a = time.perf_counter()
                # Recall is judged on poses, so the product's escalation ranks the candidates
                # without its one-frame-per-swing step.
                got = escalating_knn(sim.knn_poses, q, scope, flt, K, _nearest_poses)
                times.append(time.perf_counter() - a)
                recall.append(len(want & set(got)) / len(want))
            figures += [
                Figure(
                    name=f"crate product search recall@10, {where}, {label}",
                    value=float(np.mean(recall)),
                    unit="",
                    better="higher",
                    note="per-shard k from max(10n, 100), x4 while short, exact re-rank",
                ),
                Figure(
                    name=f"crate product search latency, {where}, {label}",
                    value=statistics.median(times) * 1000,
                    unit="ms",
                    note=f"p95 {np.percentile(times, 95) * 1000:.1f} ms",
                ),
            ]

        # The embedded index on the same poses and queries.
        index = SyncedIndex(lite, "pose", X.shape[1])
        index.sync()
        for scoped in (False, True):
            times = []
            for q, u in zip(queries, scope_users, strict=True):
                a = time.perf_counter()
                index.search(q, K, per_video=False, users=frozenset({u}) if scoped else None)
                times.append(time.perf_counter() - a)
            where = "one player" if scoped else "all players"
            figures.append(
                Figure(
                    name=f"embedded index latency, {where}, {label}",
                    value=statistics.median(times) * 1000,
                    unit="ms",
                    note="exact (recall 1.0)",
                )
            )
        figures.append(
            Figure(
                name=f"crate copy of {label} poses",
                value=copied / copy_s,
                unit="rows/s",
                better="higher",
                note=f"bulk poses_upsert, {COPY_BATCH} a request, keypoints left out",
            )
        )
        return figures
    finally:
        for table in TABLES:
            crate.run_sql(f"DROP TABLE IF EXISTS {table}")
        crate.close()
        lite.close()


if __name__ == "__main__":
    from bench.__main__ import _setup_django

    _setup_django()
    for f in run(quick=os.environ.get("BENCH_QUICK") == "1"):
        print(f"{f.name:<62} {f.value:10.3f} {f.unit:<7} {f.note}")
