"""Pose similarity search in the embedded backend at 1,000,000 stored poses (quick: 100,000).

The data: poses of generated swings (analysis.engine.synth, 48 swings of varied turn, tempo, view and
hand, analysed by the engine), spread over videos and 1000 players, each video its base swing
plus a per-video offset and per-frame noise in embedding space, so the matrix has the clustered
shape of real libraries. They are written through the gateway (`poses_upsert`, executemany) into a
scratch SQLite file under bench_dir(), kept for the next run.

Measured in one run, on the same query vectors, interleaved:
- floor: bare numpy on an in-memory float32 array, one matrix-vector product and argpartition
  (`argpartition(|x|² - 2 X·q, k)`), nothing else;
- index: swingvision.similarity.index, the path a search takes (the change-feed check against
  the database, the product, exact float64 re-ranking of the candidates). Target: <= 1.5x floor;
  recall@10 against an exact float64 brute force (it is exact: 1.0 expected).
Also reported: with a coach's scope (30 players), with a phase filter, best-per-swing results,
load time, memory, and (full mode) growth over 10k / 100k / 1M.
"""

from __future__ import annotations

import json
import os
import statistics
import time

import numpy as np

from bench.core import Figure, bench_dir

K = 10
N_QUERIES = 60
PLAYERS = 1000
COACH_PLAYERS = 30
BATCH = 20_000


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def base_library(n_swings: int = 48, seed: int = 0) -> dict:
    """Poses, embeddings and phases of generated, analysed swings."""
    from analysis.engine import analyze
    from analysis.engine.similarity import frame_phases
    from analysis.engine.synth import SwingParams, generate_swing

    rng = np.random.default_rng(seed)
    out = {"swings": []}
    for i in range(n_swings):
        p = SwingParams(
            shoulder_turn_deg=float(rng.uniform(70, 120)),
            hip_turn_deg=float(rng.uniform(35, 60)),
            backswing_s=float(rng.uniform(0.65, 1.0)),
            view="down-the-line" if i % 4 == 3 else "face-on",
            left_handed=i % 6 == 5,
            seed=int(rng.integers(1 << 30)),
            width=640,
            height=480,
        )
        swing = generate_swing(p)
        a = analyze(
            swing.keypoints, p.fps, left_handed=p.left_handed, view=p.view, aspect=640 / 480
        )
        out["swings"].append(
            {
                "keypoints": swing.keypoints,
                "embeddings": a.pose_embeddings,
                "phases": frame_phases(a.events, swing.n_frames),
                "view": p.view,
                "left_handed": p.left_handed,
            }
        )
    return out


def _db(path: str):
    from swingvision.db.gateway import Database, parse_db_url
    from swingvision.db.migrate import migrate

    db = Database(parse_db_url(f"sqlite:///{path}"))
    migrate(db)
    return db


def ensure_data(n_rows: int, library: dict | None = None) -> tuple[str, dict]:
    """A scratch SQLite file with n_rows poses (generated once, reused while its marker says it
    is complete). Returns its path and the library it was made from (None if reused)."""
    from swingvision.db.codec import Keypoints, Vector

    root = os.path.join(bench_dir(), f"similarity-{n_rows}")
    path = os.path.join(root, "bench.db")
    marker = os.path.join(root, "complete.json")
    if os.path.exists(marker) and os.path.exists(path):
        return path, library
    os.makedirs(root, exist_ok=True)
    for stale in (path, path + "-wal", path + "-shm", marker):
        if os.path.exists(stale):
            os.remove(stale)
    library = library or base_library()
    db = _db(path)
    rng = np.random.default_rng(n_rows)
    swings = library["swings"]
    written, video = 0, 0
    batch: list[dict] = []
    t0 = time.perf_counter()
    while written < n_rows:
        s = swings[video % len(swings)]
        n = min(len(s["embeddings"]), n_rows - written)
        offset = rng.normal(0, 0.05, size=39).astype(np.float32)
        emb = s["embeddings"][:n] + offset + rng.normal(0, 0.01, size=(n, 39)).astype(np.float32)
        video_id = f"bench-{video:07d}"
        user_id = f"bench-player-{video % PLAYERS:04d}"
        for f in range(n):
            batch.append(
                {
                    "id": f"{video_id}:{f}",
                    "video_id": video_id,
                    "user_id": user_id,
                    "frame_number": f,
                    "timestamp_ms": int(f * 1000 / 30),
                    "keypoints": Keypoints(s["keypoints"][f]),
                    "confidence": 1.0,
                    "embedding": Vector(emb[f]),
                    "phase": s["phases"][f],
                    "view": s["view"],
                    "left_handed": s["left_handed"],
                }
            )
        written += n
        video += 1
        if len(batch) >= BATCH:
            db.execute_many("poses_upsert", batch)
            batch = []
    if batch:
        db.execute_many("poses_upsert", batch)
    db.close()
    with open(marker, "w") as fh:
        json.dump({"rows": n_rows, "videos": video, "seconds": time.perf_counter() - t0}, fh)
    return path, library


def measure(n_rows: int, library: dict | None) -> tuple[list[Figure], dict | None]:
    from analysis.engine.similarity import exact_distances
    from swingvision.similarity.index import SyncedIndex

    path, library = ensure_data(n_rows, library)
    db = _db(path)
    label = f"{n_rows // 1000}k" if n_rows < 1_000_000 else f"{n_rows // 1_000_000}M"
    rss0 = _rss_mb()
    index = SyncedIndex(db, "pose", 39)
    t0 = time.perf_counter()
    index.sync()
    load_s = time.perf_counter() - t0
    rss_index = _rss_mb() - rss0
    inner = index.index
    n = inner._n
    assert len(inner) == n_rows, (len(inner), n_rows)

    # The floor's own copy: a plain contiguous array and its squared norms.
    X = np.ascontiguousarray(inner._vec[:n])
    sq = np.einsum("ij,ij->i", X, X)
    rng = np.random.default_rng(7)
    queries = X[rng.integers(0, n, N_QUERIES)] + rng.normal(0, 0.02, (N_QUERIES, 39)).astype(
        np.float32
    )

    def floor(q):
        return np.argpartition(sq - 2.0 * (X @ q), K)[:K]

    def search(q, **kw):
        return index.search(q, K, per_video=False, **kw)

    for q in queries[:3]:  # warm both (page cache, BLAS threads)
        floor(q)
        search(q)
    t_floor, t_index = [], []
    for q in queries:
        a = time.perf_counter()
        floor(q)
        b = time.perf_counter()
        search(q)
        c = time.perf_counter()
        t_floor.append(b - a)
        t_index.append(c - b)
    floor_ms = statistics.median(t_floor) * 1000
    index_ms = statistics.median(t_index) * 1000

    # Recall@10 against an exact float64 brute force over every row.
    rows_video = inner._video[:n]
    recall = []
    for q in queries[:20]:
        exact = np.argsort(exact_distances(X, q), kind="stable")[:K]
        want = {(int(rows_video[i]), int(inner._frame[i])) for i in exact}
        got = {
            (inner._video_code[h.video_id], h.frame) for h in index.search(q, K, per_video=False)
        }
        recall.append(len(want & got) / K)

    coach = frozenset(f"bench-player-{i:04d}" for i in range(COACH_PLAYERS))

    def timed(**kw) -> float:
        ts = []
        for q in queries[:30]:
            a = time.perf_counter()
            index.search(q, K, **kw)
            ts.append(time.perf_counter() - a)
        return statistics.median(ts) * 1000

    scoped_ms = timed(users=coach, per_video=True)
    phase_ms = timed(phase="top", view="face-on", per_video=True)
    per_video_ms = timed(per_video=True)
    db.close()

    target = 1.5
    # The target holds from 100k poses up; at 10k a search is a tenth of a millisecond and the
    # fixed cost of the change-feed check (one SQLite read) dominates: reported, not judged.
    judged = n_rows >= 100_000
    figures = [
        Figure(
            name=f"similarity top-10, {label} poses",
            value=index_ms,
            unit="ms",
            floor=floor_ms,
            floor_label="numpy matmul+argpartition",
            target=f"<= {target}x floor" if judged else "report (fixed cost dominates at 10k)",
            passed=index_ms <= target * floor_ms if judged else None,
            note="exact; includes the change-feed check",
        ),
        Figure(
            name=f"similarity recall@10, {label}",
            value=float(np.mean(recall)),
            unit="",
            target="exact (1.0)",
            passed=float(np.mean(recall)) >= 0.999,
            better="higher",
        ),
        Figure(name=f"similarity load, {label}", value=load_s, unit="s", note="full index load"),
        Figure(
            name=f"similarity memory, {label}",
            value=inner.nbytes / 1e6,
            unit="MB",
            note=f"index arrays; RSS grew {rss_index:.0f} MB during the load",
        ),
        Figure(
            name=f"similarity coach scope ({COACH_PLAYERS} players), {label}",
            value=scoped_ms,
            unit="ms",
            note="best frame per swing",
        ),
        Figure(
            name=f"similarity phase+view filter, {label}",
            value=phase_ms,
            unit="ms",
            note="best frame per swing",
        ),
        Figure(name=f"similarity best per swing, {label}", value=per_video_ms, unit="ms"),
    ]
    return figures, library


def run(quick: bool) -> list[Figure]:
    sizes = [100_000] if quick else [10_000, 100_000, 1_000_000]
    figures: list[Figure] = []
    library = None
    for n_rows in sizes:
        got, library = measure(n_rows, library)
        figures += got
    return figures
