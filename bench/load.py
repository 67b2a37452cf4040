"""Bounded load test: the app under gunicorn with production settings on 127.0.0.1, a seeded
database of 10,000 players and 200,000 swings (quick: 500 and 5,000), 20 concurrent coaches
sending a fixed number of requests over keep-alive connections; p50/p95/max and errors per page.
The users are Locust's (bench/locustfile.py, run headless in a process of its own): this module
seeds the data, starts the server, writes the users' plan and turns Locust's stats into figures.

Seeding writes rows in bulk through the gateway's execute_many and the named queries (minutes of
UI work in seconds); the seeded database is kept under var/bench and reused while its size and
schema match. The pages measured are PAGES below (roster, player page, replay data, progress
page and its chart data); a page whose URL name is not routed is skipped and reported as such,
so a renamed URL shows up in the report rather than silently.

    python -m bench --only load [--quick]
    python -m bench.load --players 10000 --swings 200000 --requests 2000   # one run, by hand
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from bench.core import Figure, bench_dir

REPO = Path(__file__).resolve().parent.parent
LOCUSTFILE = Path(__file__).resolve().with_name("locustfile.py")
P95_TARGET_MS = 150.0
CONCURRENCY = 20
PLAYERS_PER_COACH = 50  # at full size; players are dealt round-robin to the coaches
PASSWORD = "load-test-password-2026"
BATCH = 5000
POSE_VIDEOS = 40  # swings that get poses (the replay data pages read them)
POSE_FRAMES = 120
SOLO_REQUESTS = 30
# Users start this many a second: their logins (PBKDF2 at full work factor) spread out instead of
# queueing 20 deep. The timed part starts when every user is logged in and warmed up.
SPAWN_RATE = 4

# The users: each of the 20 virtual coaches waits a think time between requests, as people do
# (Locust's wait_time = between(0.5, 1.5)); a coach reads a page for at least half a second. A
# second pass with no think time measures saturation: 20 requests always in flight on 2 cores,
# reported (not a target) to show the capacity.
THINK_S = (0.5, 1.5)
FULL = {"players": 10_000, "swings": 200_000, "requests": 400, "saturation_requests": 400}
QUICK = {"players": 500, "swings": 5_000, "requests": 40, "saturation_requests": 40}


# -- the pages ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Page:
    """One page of the run: its URL name (routed or not yet) and how to build a path for a
    coach's request from the seeded data (`pick` gives random seeded ids)."""

    kind: str
    url_name: str
    build: Callable[[Pick], str]


@dataclass
class Pick:
    rng: random.Random
    coach_id: str
    players: list[str]  # this coach's players
    swings: dict[str, list[str]]  # player id -> analysed video ids with poses
    reverse: Callable[..., str] = field(repr=False, default=None)

    def player(self) -> str:
        return self.rng.choice(self.players)

    def swing(self) -> tuple[str, str]:
        with_swings = [p for p in self.players if self.swings.get(p)]
        p = self.rng.choice(with_swings)
        return p, self.rng.choice(self.swings[p])


def _roster(pick: Pick) -> str:
    sort = pick.rng.choice(["name", "last_swing", "score", "trend", "swings"])
    return pick.reverse("roster") + "?" + urlencode({"sort": sort})


PAGES = [
    Page("roster", "roster", _roster),
    Page("player", "player", lambda p: p.reverse("player", args=[p.player()])),
    # The replay's data (the poses the skeleton overlay draws) and the progress page with the
    # chart data it loads.
    Page("replay data", "swing_poses", lambda p: p.reverse("swing_poses", args=list(p.swing()))),
    Page("progress", "progress", lambda p: p.reverse("progress", args=[p.player()])),
    Page("progress data", "progress_json", lambda p: p.reverse("progress_json", args=[p.player()])),
]


# -- seeding -----------------------------------------------------------------------------------
def _ids(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i:07d}" for i in range(n)]


def seed(db, *, players: int, swings: int, seed_value: int = 1) -> dict:
    """Coaches with PLAYERS_PER_COACH players each, `swings` videos spread over the players and
    the last 90 days (90% analysed, with an analysis), one progress row per player and day, and
    poses for POSE_VIDEOS swings. Returns what the load run needs to build URLs."""
    import numpy as np
    from django.contrib.auth.hashers import make_password

    from analysis.engine import METRICS
    from swingvision.db.managers.analyses import analysis_id, analysis_params
    from swingvision.db.managers.progress import progress_id, summarize_day
    from swingvision.db.managers.users import login_keys
    from swingvision.db.records import SwingAnalysis, Video

    rng = np.random.default_rng(seed_value)
    now = datetime.now(UTC).replace(microsecond=0)
    password_hash = make_password(PASSWORD)
    n_coaches = max(CONCURRENCY, -(-players // PLAYERS_PER_COACH))
    coach_ids = _ids("LOADCOACH", n_coaches)
    player_ids = _ids("LOADPLAYER", players)
    users = [
        _user(cid, f"coach{i:05d}", "coach", None, f"Coach {i:05d}", password_hash, now)
        for i, cid in enumerate(coach_ids)
    ]
    users.append(_user("LOADADMIN", "loadadmin", "admin", None, "Load Admin", password_hash, now))
    users += [
        _user(
            pid,
            f"player{i:06d}",
            "player",
            coach_ids[i % n_coaches],
            f"Player {i:06d}",
            None,
            now,
            settings={"handedness": "left" if i % 9 == 0 else "right", "view": "face-on"},
        )
        for i, pid in enumerate(player_ids)
    ]
    _bulk(db, "users_insert", users)
    logins = [
        {"login": key, "user_id": u["id"]}
        for u in users
        for key in login_keys(u["username"], u["email"])
    ]
    _bulk(db, "user_logins_claim", logins)

    metric_names = list(METRICS)
    owners = rng.integers(0, players, size=swings)
    ages_s = rng.uniform(0, 90 * 86400, size=swings)
    scores = np.clip(rng.normal(68, 12, size=swings), 5, 99)
    analysed: dict[str, list[str]] = {}
    per_day: dict[tuple[str, str], list[SwingAnalysis]] = {}
    videos, analyses = [], []
    for i in range(swings):
        pid = player_ids[owners[i]]
        vid = f"LOADVIDEO{i:08d}"
        at = now - timedelta(seconds=float(ages_s[i]))
        status = "analyzed" if i % 10 else "failed"
        metadata = {"fps": 60.0, "width": 1080, "height": 1920, "view": "face-on"}
        if status == "failed":
            metadata["error"] = "no person found in the video"
        videos.append(
            {
                "id": vid,
                "user_id": pid,
                "filename": f"swing-{i}.mp4",
                "uploaded_at": at,
                "updated_at": at,
                "duration_s": 2.5,
                "status": status,
                "metadata": metadata,
                "blob_ref": f"local://raw/{pid}/{vid}/swing.mp4",
            }
        )
        if status != "analyzed":
            continue
        values = {
            m: round(float(np.mean(METRICS[m].band)) * float(rng.uniform(0.8, 1.2)), 3)
            for m in metric_names
        }
        details = {"metrics": {m: {"score": float(rng.uniform(40, 100))} for m in metric_names}}
        a = SwingAnalysis(
            id=analysis_id(vid, "load-1"),
            video_id=vid,
            user_id=pid,
            analyzed_at=at + timedelta(seconds=30),
            engine_version="load-1",
            overall_score=round(float(scores[i]), 1),
            metrics=values,
            events={"address": 10, "top": 60, "impact": 80, "finish": 120},
            feedback=[
                {
                    "aspect": metric_names[0],
                    "finding": "Tempo is a little quick.",
                    "recommendation": "Pause at the top.",
                    "priority": 1,
                }
            ],
            details=details,
            swing_embedding=None,
        )
        analyses.append(analysis_params(a))
        analysed.setdefault(pid, []).append(vid)
        per_day.setdefault((pid, a.analyzed_at.date().isoformat()), []).append(a)
    _bulk(db, "videos_insert", videos)
    _bulk(db, "analyses_upsert", analyses)
    progress = []
    for (pid, day), day_analyses in per_day.items():
        start = datetime.fromisoformat(day).replace(tzinfo=UTC)
        progress.append(
            {
                "id": progress_id(pid, start.date()),
                "user_id": pid,
                "progress_date": start,
                "metrics": summarize_day(day_analyses),
            }
        )
    _bulk(db, "progress_upsert", progress)
    # Poses for a few swings of each coach the run logs in as (the replay data reads them).
    players_of = {
        cid: [p for i, p in enumerate(player_ids) if i % n_coaches == n]
        for n, cid in enumerate(coach_ids[:CONCURRENCY])
    }
    per_coach = max(1, POSE_VIDEOS // CONCURRENCY)
    with_poses = [
        (p, analysed[p][0])
        for cid in coach_ids[:CONCURRENCY]
        for p in [p for p in players_of[cid] if analysed.get(p)][:per_coach]
    ]
    # Through the manager's own bulk write: the poses table's columns are its business.
    from swingvision.db.managers.poses import Poses

    poses = Poses(db)
    by_id = {v["id"]: v for v in videos}
    n_poses = 0
    for _pid, vid in with_poses:
        kp = rng.uniform(0.2, 0.8, size=(POSE_FRAMES, 33, 4)).astype(np.float32)
        n_poses += poses.write_video_poses(Video(**by_id[vid]), kp, 60.0)
    for table in ("users", "user_logins", "videos", "swing_analysis", "progress", "poses"):
        db.refresh(table)
    posed: dict[str, list[str]] = {}
    for pid, vid in with_poses:
        posed.setdefault(pid, []).append(vid)
    return {
        "coaches": coach_ids[:CONCURRENCY],
        "players_of": players_of,
        "swings": posed,
        "counts": {
            "players": players,
            "swings": swings,
            "analyses": len(analyses),
            "progress": len(progress),
            "poses": n_poses,
        },
    }


def _user(uid, username, role, coach_id, name, password_hash, now, settings=None) -> dict:
    return {
        "id": uid,
        "username": username,
        "email": f"{username}@load.example.com",
        "full_name": name,
        "role": role,
        "coach_id": coach_id,
        "password_hash": password_hash,
        "active": True,
        "created_at": now,
        "updated_at": now,
        "settings": settings or {},
    }


def _bulk(db, query: str, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.execute_many(query, rows[start : start + BATCH])


def seeded_database(players: int, swings: int, *, fresh: bool = False) -> tuple[str, dict]:
    """The path of a seeded SQLite database (reused when it matches) and the run's ids."""
    from swingvision.db.gateway import Database, parse_db_url
    from swingvision.db.migrate import migrate, migration_files

    # A seed is reused while the schema and the seeding code (this file) are unchanged.
    schema = hashlib.sha256(
        "".join(f.checksum for f in migration_files("sqlite")).encode()
        + Path(__file__).read_bytes()
    ).hexdigest()[:8]
    folder = Path(bench_dir()) / "load"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"load-{players}-{swings}-{schema}.db"
    meta_path = path.with_suffix(".json")
    if path.exists() and meta_path.exists() and not fresh:
        return str(path), json.loads(meta_path.read_text())
    for stale in folder.glob(f"load-{players}-{swings}-*"):
        stale.unlink()
    db = Database(parse_db_url(f"sqlite:///{path}"))
    migrate(db)
    t0 = time.perf_counter()
    meta = seed(db, players=players, swings=swings)
    meta["seed_seconds"] = round(time.perf_counter() - t0, 1)
    db.run_sql("ANALYZE")
    db.close()
    meta_path.write_text(json.dumps(meta))
    return str(path), meta


# -- the server --------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn (gthread workers, keep-alive) with the production settings, on loopback only."""

    def __init__(self, db_path: str, *, workers: int = 3, threads: int = 4) -> None:
        self.port = _free_port()
        self.tmp = Path(tempfile.mkdtemp(prefix="swingvision-load-"))
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("SWINGVISION_")},
            "DJANGO_SETTINGS_MODULE": "swingvision.settings",
            "SWINGVISION_ENV": "production",
            "SWINGVISION_SECRET_KEY": secrets.token_urlsafe(64),
            "SWINGVISION_ALLOWED_HOSTS": "127.0.0.1",
            "SWINGVISION_DB": f"sqlite:///{db_path}",
            "SWINGVISION_STORAGE": f"file://{self.tmp / 'videos'}",
            "SWINGVISION_VAR_DIR": str(self.tmp),
            "SWINGVISION_STATIC_ROOT": str(self.tmp / "static"),
            "SWINGVISION_LOG_LEVEL": "WARNING",
        }
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self.workers, self.threads = workers, threads
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        try:
            return self._start()
        except BaseException:
            self.__exit__()
            raise

    def _start(self) -> Server:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=REPO,
            env=self.env,
            check=True,
            timeout=300,
        )
        self.proc = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "swingvision.wsgi:application",
                "--bind", f"127.0.0.1:{self.port}",
                "--workers", str(self.workers),
                "--worker-class", "gthread",
                "--threads", str(self.threads),
                "--keep-alive", "10",
                "--log-level", "warning",
            ],
            cwd=REPO,
            env=self.env,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")  # plain HTTP, as a load balancer asks
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not become healthy within 60 s")

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        shutil.rmtree(self.tmp, ignore_errors=True)


# -- the users (Locust) ------------------------------------------------------------------------
def _reverser():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swingvision.settings")
    django.setup()
    from django.urls import NoReverseMatch, reverse

    def routed(name: str) -> bool:
        try:
            reverse(name, args=["x"] * _arg_count(name))
        except NoReverseMatch:
            return False
        return True

    return reverse, routed


def _arg_count(name: str) -> int:
    from django.urls import get_resolver

    for possibility, _pattern, _defaults, _converters in get_resolver().reverse_dict.getlist(name):
        return len(possibility[0][1])
    return 0


def _username(coach_id: str) -> str:
    return f"coach{int(coach_id.removeprefix('LOADCOACH')):05d}"


def run_locust(port: int, users: list[dict], *, think_s: tuple[float, float] | None) -> dict:
    """Run bench/locustfile.py headless in its own process (Locust patches the standard library
    for gevent; this process goes on to run other benchmarks) with one Locust user per entry of
    `users` (coach, warm-up and timed requests), against the server on 127.0.0.1 only. Bounded
    by the plan (the last user to finish ends the run) and by --run-time. Returns the results the
    locustfile wrote from Locust's stats."""
    per_user = max(len(u["requests"]) for u in users)
    run_time_s = 120 + per_user * ((think_s[1] if think_s else 0) + 10)
    with tempfile.TemporaryDirectory(prefix="swingvision-locust-") as tmp:
        plan, results = Path(tmp) / "plan.json", Path(tmp) / "results.json"
        plan.write_text(
            json.dumps(
                {
                    "password": PASSWORD,
                    "think_s": list(think_s) if think_s else None,
                    "users": users,
                    "results": str(results),
                }
            )
        )
        proc = subprocess.run(
            [
                sys.executable, "-m", "locust",
                "--locustfile", str(LOCUSTFILE),
                "--headless",
                "--users", str(len(users)),
                "--spawn-rate", str(SPAWN_RATE),
                "--host", f"http://127.0.0.1:{port}",
                "--run-time", f"{run_time_s:.0f}s",
                "--stop-timeout", "5",
                "--only-summary",
                "--exit-code-on-error", "0",  # failed requests are figures, not a crash
                "--loglevel", "WARNING",
            ],
            cwd=REPO,
            env={**os.environ, "SWINGVISION_LOAD_PLAN": str(plan)},
            capture_output=True,
            text=True,
            timeout=run_time_s + 60,
        )  # fmt: skip
        if proc.returncode != 0 or not results.exists():
            raise RuntimeError(
                f"locust exited with {proc.returncode}: {proc.stderr.strip()[-2000:]}"
            )
        out = json.loads(results.read_text())
    if out["failures"]:
        raise RuntimeError("virtual coaches failed: " + "; ".join(out["failures"][:3]))
    if not out["finished"]:
        raise RuntimeError(f"the users did not finish their requests within {run_time_s:.0f} s")
    return out


def _pick(meta: dict, coach: str, reverse, seed_value: int) -> Pick:
    return Pick(
        rng=random.Random(seed_value),
        coach_id=coach,
        players=meta["players_of"][coach],
        swings=meta["swings"],
        reverse=reverse,
    )


def run_load(
    meta: dict,
    port: int,
    *,
    requests_per_page: int,
    think_s: tuple[float, float] | None = THINK_S,
    seed_value: int = 7,
    solo: bool = True,
) -> dict:
    """CONCURRENCY users, one per coach, each logged in and warmed up (one request per page)
    before the timed part; each page asked requests_per_page times in all, spread over the
    coaches and shuffled per coach, on random players and swings of that coach."""
    reverse, routed = _reverser()
    pages = [p for p in PAGES if routed(p.url_name)]
    skipped = [p.kind for p in PAGES if p not in pages]
    coaches = meta["coaches"][:CONCURRENCY]
    plan: list[list[Page]] = [[] for _ in coaches]
    for page in pages:
        for i in range(requests_per_page):
            plan[i % len(coaches)].append(page)
    users = []
    for n, coach in enumerate(coaches):
        pick = _pick(meta, coach, reverse, seed_value + n)
        warmup = [(page.kind, page.build(pick)) for page in pages]
        mine = plan[n][:]
        pick.rng.shuffle(mine)
        requests = [(page.kind, page.build(pick)) for page in mine]
        users.append({"username": _username(coach), "warmup": warmup, "requests": requests})
    out = run_locust(port, users, think_s=think_s)
    return {
        "results": {p.kind: out["pages"].get(p.kind, {"requests": 0}) for p in pages},
        "skipped": skipped,
        "wall_s": out["wall_s"],
        "solo": _solo_pass(meta, port, pages, reverse, seed_value) if solo else {},
    }


def _solo_pass(meta: dict, port: int, pages: list[Page], reverse, seed_value: int) -> dict:
    """The floor: each page asked SOLO_REQUESTS times by one user alone (no queueing, no think
    time), so the concurrent figures can be read as the page's own cost plus waiting for a turn."""
    coach = meta["coaches"][0]
    pick = _pick(meta, coach, reverse, seed_value)
    requests = [(page.kind, page.build(pick)) for page in pages for _ in range(SOLO_REQUESTS)]
    user = {"username": _username(coach), "warmup": [], "requests": requests}
    out = run_locust(port, [user], think_s=None)
    return {kind: stats["p50_ms"] for kind, stats in out["pages"].items()}


def summarize(run: dict) -> list[dict]:
    rows = []
    for kind, r in run["results"].items():
        measured = r["requests"] > 0
        rows.append(
            {
                "page": kind,
                "solo_p50_ms": run["solo"].get(kind),
                "requests": r["requests"],
                "p50_ms": r["p50_ms"] if measured else None,
                "p95_ms": r["p95_ms"] if measured else None,
                "max_ms": r["max_ms"] if measured else None,
                "errors": r.get("failures", 0),
                "statuses": r.get("statuses", {}),
            }
        )
    return rows


def measure(
    *,
    players: int,
    swings: int,
    requests: int,
    saturation_requests: int = 0,
    fresh: bool = False,
) -> dict:
    t0 = time.perf_counter()
    db_path, meta = seeded_database(players, swings, fresh=fresh)
    prepared_s = time.perf_counter() - t0
    with Server(db_path) as server:
        run = run_load(meta, server.port, requests_per_page=requests)
        saturation = (
            run_load(
                meta, server.port, requests_per_page=saturation_requests, think_s=None, solo=False
            )
            if saturation_requests
            else None
        )
    return {
        "think_s": list(THINK_S),
        "saturation": (
            {"wall_s": round(saturation["wall_s"], 1), "pages": summarize(saturation)}
            if saturation
            else None
        ),
        "players": players,
        "swings": swings,
        "counts": meta["counts"],
        "seed_seconds": meta.get("seed_seconds"),
        "prepare_seconds": round(prepared_s, 1),
        "concurrency": CONCURRENCY,
        "wall_s": round(run["wall_s"], 1),
        "pages": summarize(run),
        "skipped": run["skipped"],
    }


def report_solo(report: dict, page: str) -> float | None:
    return next((p["solo_p50_ms"] for p in report["pages"] if p["page"] == page), None)


def run(quick: bool) -> list[Figure]:
    size = QUICK if quick else FULL
    report = measure(**size)
    figures = []
    n_req = sum(p["requests"] for p in report["pages"])
    note_base = (
        f"{report['players']} players, {report['swings']} swings, {CONCURRENCY} users thinking "
        f"{THINK_S[0]:g}-{THINK_S[1]:g} s, gunicorn 3x4 gthread"
    )
    for p in report["pages"]:
        figures.append(
            Figure(
                name=f"load: {p['page']} p95",
                value=p["p95_ms"],
                unit="ms",
                floor=p["solo_p50_ms"],
                floor_label="p50 with one client alone",
                target=f"p95 < {P95_TARGET_MS:g} ms, no errors",
                passed=p["p95_ms"] < P95_TARGET_MS and p["errors"] == 0,
                note=(
                    f"p50 {p['p50_ms']} ms, max {p['max_ms']} ms, {p['requests']} requests, "
                    f"{p['errors']} errors; {note_base}"
                ),
            )
        )
    sat = report.get("saturation")
    if sat:
        for p in sat["pages"]:
            figures.append(
                Figure(
                    name=f"load: {p['page']} p95, saturated",
                    value=p["p95_ms"],
                    unit="ms",
                    floor=report_solo(report, p["page"]),
                    floor_label="p50 with one client alone",
                    target="report (20 requests always in flight on 2 cores)",
                    note=f"p50 {p['p50_ms']} ms, {p['requests']} requests, {p['errors']} errors",
                    passed=None if p["errors"] == 0 else False,
                )
            )
        n_sat = sum(p["requests"] for p in sat["pages"])
        figures.append(
            Figure(
                name="load: throughput, saturated",
                value=n_sat / sat["wall_s"],
                unit="req/s",
                better="higher",
                note=f"{n_sat} requests in {sat['wall_s']} s with no think time",
            )
        )
    figures.append(
        Figure(
            name="load: requests served",
            value=n_req,
            unit="requests",
            better="higher",
            note=f"in {report['wall_s']} s; skipped pages: {report['skipped'] or 'none'}",
        )
    )
    if report.get("seed_seconds") is not None:
        figures.append(
            Figure(
                name="load: seeding",
                value=report["seed_seconds"],
                unit="s",
                note=f"rows: {report['counts']} (bulk execute_many; reused when unchanged)",
            )
        )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--players", type=int, default=FULL["players"])
    parser.add_argument("--swings", type=int, default=FULL["swings"])
    parser.add_argument("--requests", type=int, default=FULL["requests"], help="per page")
    parser.add_argument(
        "--saturation-requests",
        type=int,
        default=FULL["saturation_requests"],
        help="per page, in the pass with no think time (0: skip it)",
    )
    parser.add_argument("--fresh", action="store_true", help="seed again even if a match exists")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swingvision.settings")
    import django

    django.setup()
    report = measure(
        players=args.players,
        swings=args.swings,
        requests=args.requests,
        saturation_requests=args.saturation_requests,
        fresh=args.fresh,
    )
    print(json.dumps(report, indent=2))
    return 0 if all(p["errors"] == 0 for p in report["pages"]) else 1


if __name__ == "__main__":
    sys.exit(main())
