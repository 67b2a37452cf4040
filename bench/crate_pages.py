"""A short CrateDB bench beside SQLite: ingest (a swing's poses written), replay read (poses.json),
the roster and a player page, through the whole stack (Django test client, logged in as the
coach). Runs when SWINGVISION_CRATEDB_URL is set; otherwise it reports nothing.
`python -m bench --only crate_pages` (or `python -m bench.crate_pages`).

The same small data set is written through the managers into a fresh SQLite file and a fresh
CrateDB schema (dropped at the end): one coach, 10 players (quick: 4), 3 analysed swings each
of one generated 2-second swing at 120 fps (240 frames). Each figure is the median of its runs.
"""

from __future__ import annotations

import os
import secrets
import statistics
import tempfile
import time

from bench.core import Figure

PLAYERS = 10
SWINGS = 3
RUNS = 10
PASSWORD = "bench-password-7781"


def _timed(fn, runs: int = RUNS) -> float:
    fn()  # warm
    ts = []
    for _ in range(runs):
        a = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - a)
    return statistics.median(ts) * 1000


def _measure(url: str, players: int) -> dict[str, float]:
    from django.test import Client, override_settings

    from analysis.engine.synth import SwingParams, generate_swing
    from analysis.pipeline import LoadedPoses, analyze_and_store
    from swingvision.accounts.throttle import login_throttle
    from swingvision.db import get_db, reset_db
    from swingvision.db.gateway import TABLES
    from swingvision.db.managers import SYSTEM, managers
    from swingvision.db.migrate import migrate

    swing = generate_swing(SwingParams(fps=120.0, seed=5))
    poses = LoadedPoses(keypoints=swing.keypoints, fps=swing.fps, source="synthetic")
    out: dict[str, float] = {}
    with override_settings(SWINGVISION_DB=url):
        reset_db()
        db = get_db()
        try:
            migrate(db)
            m = managers(db)
            tag = secrets.token_hex(3)
            coach = m.users.create(
                username=f"bcoach{tag}", email=f"bcoach{tag}@example.com", password=PASSWORD,
                role="coach", full_name="Bench Coach",
            )  # fmt: skip
            first = None
            ingest = []
            for i in range(players):
                p = m.users.create(
                    username=f"bplayer{tag}{i}", email=f"bplayer{tag}{i}@example.com",
                    password=PASSWORD, role="player", coach_id=coach.id,
                    full_name=f"Bench Player {i}",
                )  # fmt: skip
                for _ in range(SWINGS):
                    v = m.videos.create(SYSTEM, p.id, filename="b.mp4", status="processing")
                    a = time.perf_counter()
                    m.poses.write_video_poses(v, swing.keypoints, swing.fps)
                    ingest.append(time.perf_counter() - a)
                    analyze_and_store(m, v, poses, player=p)
                    m.videos.transition(v, "processing", "analyzed")
                    first = first or (p, v)
            out["ingest"] = statistics.median(ingest) * 1000
            login_throttle.reset()
            c = Client()
            assert (
                c.post("/login/", {"username": coach.username, "password": PASSWORD}).status_code
                == 302
            )
            player, video = first

            def get(path: str):
                def fn():
                    r = c.get(path)
                    assert r.status_code == 200, (path, r.status_code)

                return fn

            out["replay"] = _timed(get(f"/players/{player.id}/swings/{video.id}/poses.json"))
            out["roster"] = _timed(get("/roster/"))
            out["player"] = _timed(get(f"/players/{player.id}/"))
        finally:
            if db.dialect == "crate":
                for table in TABLES:
                    db.run_sql(f"DROP TABLE IF EXISTS {table}")
            reset_db()
    return out


def run(quick: bool) -> list[Figure]:
    url = os.environ.get("SWINGVISION_CRATEDB_URL", "")
    if not url:
        return []
    players = 4 if quick else PLAYERS
    with tempfile.TemporaryDirectory(prefix="crate-pages-") as tmp:
        lite = _measure(f"sqlite:///{tmp}/bench.db", players)
    sep = "&" if "?" in url else "?"
    crate = _measure(f"{url}{sep}schema=svpages_{secrets.token_hex(3)}", players)
    names = {
        "ingest": "poses write, 240-frame swing",
        "replay": "replay read (poses.json)",
        "roster": f"roster ({players} players)",
        "player": f"player page ({SWINGS} swings)",
    }
    return [
        Figure(
            name=f"crate {label}",
            value=crate[key],
            unit="ms",
            floor=lite[key],
            floor_label="the same on SQLite",
            note="CrateDB beside the embedded SQLite",
        )
        for key, label in names.items()
    ]


if __name__ == "__main__":
    from bench.__main__ import _setup_django

    _setup_django()
    for f in run(quick=os.environ.get("BENCH_QUICK") == "1"):
        print(f"{f.name:<45} crate {f.value:9.1f} ms   sqlite {f.floor:9.1f} ms")
