"""Page render times through Django's test Client, each beside the page's own queries replayed
bare, in the same run: the roster of a coach with 100 players (and 10 and 1,000, for its growth),
the player page of a player with 500 swings and that player's progress page over a year.

The data is generated and written through the managers (users.create, videos.create,
analyses.save, progress.recompute_player), so every table the app derives on write is filled
the way the app fills it: realistic analyses from the engine on generated swings (a pool of 12,
each seeded swing one of them with its score and metrics jittered), 90% of swings analysed and
10% failed, spread over the last 90 days (the 500-swing player: the last 365 days). A scratch
SQLite file under bench_dir(), made fresh each run.

- value: GET through the test Client, logged in as the coach: session, authentication,
  middleware, the view, its manager calls, the template, CSP. The median of interleaved runs.
- floor: the SQL statements that same request ran (recorded at the gateway during a warm-up
  request: session, user, scope checks and the page's data), replayed with sqlite3 on the same
  file and fetched, nothing else. The ratio is what the web layer (view logic, records,
  template, middleware) costs on top of the data the page needs.
Target: < 50 ms of server time per page at the sizes the issue names (roster: 100 players), half
of the 0.1 s in which a click still feels instant, leaving the rest for network and browser. The
roster at 10 and 1,000 players is reported with its growth.
"""

from __future__ import annotations

import sqlite3  # the floor only: the app reads through the gateway
import statistics
import time
from datetime import UTC, datetime, timedelta

import numpy as np

from bench.core import Figure, scratch_app

TARGET_MS = 50.0
PASSWORD = "bench-pages-password-7"
SWINGS_PER_ROSTER_PLAYER = 6
HEAVY_SWINGS = 500
HEAVY_DAYS = 365
ROSTER_DAYS = 90
POOL = 12
CLUBS = ("driver", "7-iron", "5-iron", "9-iron", "pitching wedge")


def analysis_pool(n: int = POOL, seed: int = 3) -> list[dict]:
    """Stored analysis fields (analysis.pipeline.analysis_fields) of n generated, analysed swings."""
    from analysis.engine import analyze
    from analysis.engine.synth import SwingParams, generate_swing
    from analysis.pipeline import analysis_fields

    rng = np.random.default_rng(seed)
    pool = []
    for i in range(n):
        p = SwingParams(
            shoulder_turn_deg=float(rng.uniform(70, 115)),
            hip_turn_deg=float(rng.uniform(35, 60)),
            backswing_s=float(rng.uniform(0.65, 1.05)),
            head_sway=float(rng.uniform(0.02, 0.15)),
            view="down-the-line" if i % 4 == 3 else "face-on",
            seed=int(rng.integers(1 << 30)),
        )
        swing = generate_swing(p)
        result = analyze(swing.keypoints, p.fps, view=p.view, aspect=p.width / p.height)
        fields = analysis_fields(
            result, fps=p.fps, view=p.view, source="synthetic", aspect=p.width / p.height
        )
        fields["_frames"] = swing.n_frames
        pool.append(fields)
    return pool


class Seeder:
    """Players and their swings, written through the managers (one transaction per player)."""

    def __init__(self, m, pool: list[dict], seed: int = 11) -> None:
        self.m = m
        self.pool = pool
        self.rng = np.random.default_rng(seed)
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.counts = {"players": 0, "swings": 0, "analyses": 0, "progress days": 0}

    def coach(self, slug: str, name: str):
        return self.m.users.create(
            user_id=f"BENCHPAGES-{slug}",
            username=f"bench.pages.{slug}",
            email=f"{slug}@pages.bench.example",
            password=PASSWORD,
            role="coach",
            full_name=name,
        )

    def player(self, coach, slug: str, name: str, *, swings: int, days: int):
        from swingvision.db.managers import SYSTEM

        m, rng = self.m, self.rng
        with m.db.transaction():
            player = m.users.create(
                user_id=f"BENCHPAGES-{slug}",
                username=f"bench.pages.{slug}",
                email=f"{slug}@pages.bench.example",
                password=None,
                role="player",
                coach_id=coach.id,
                full_name=name,
                settings={"handedness": "left" if rng.random() < 0.1 else "right"},
            )
            ages = np.sort(rng.uniform(0, days * 86400, size=swings))[::-1]
            for k, age in enumerate(ages):
                fields = dict(self.pool[int(rng.integers(len(self.pool)))])
                frames = fields.pop("_frames")
                at = self.now - timedelta(seconds=float(age))
                analysed = k % 10 != 9
                metadata = {
                    "fps": 30.0,
                    "frame_count": frames,
                    "width": 1080,
                    "height": 1920,
                    "view": fields["details"]["view"],
                    "club": CLUBS[k % len(CLUBS)],
                }
                if not analysed:
                    metadata["error"] = "no person found in the video"
                video = m.videos.create(
                    SYSTEM,
                    player.id,
                    video_id=f"{player.id}-V{k:04d}",
                    filename=f"swing-{k:04d}.mp4",
                    status="analyzed" if analysed else "failed",
                    metadata=metadata,
                    duration_s=frames / 30.0,
                    uploaded_at=at,
                )
                self.counts["swings"] += 1
                if not analysed:
                    continue
                score = fields["overall_score"]
                if isinstance(score, int | float):
                    fields["overall_score"] = float(np.clip(score + rng.normal(0, 8), 5, 99))
                fields["metrics"] = {
                    k2: v * float(rng.uniform(0.9, 1.1)) if isinstance(v, int | float) else v
                    for k2, v in fields["metrics"].items()
                }
                m.analyses.save(video, **fields, analyzed_at=at + timedelta(seconds=40))
                self.counts["analyses"] += 1
            self.counts["progress days"] += m.progress.recompute_player(player.id)
        self.counts["players"] += 1
        return player


class QueryLog:
    """The SQL statements the gateway runs while active (recorded at its one choke point)."""

    def __init__(self, db) -> None:
        self.db = db
        self.statements: list[tuple[str, tuple]] = []
        self.names: list[str] = []  # the named query of each statement

    def __enter__(self) -> QueryLog:
        original = type(self.db)._execute

        def recording(sql, args, what):
            self.statements.append((sql, tuple(args)))
            self.names.append(what)
            return original(self.db, sql, args, what)

        self.db._execute = recording  # this instance only, for the one request
        return self

    def __exit__(self, *exc) -> None:
        del self.db._execute

    def _is_read(self, sql: str) -> bool:
        return sql.lstrip().upper().startswith(("SELECT", "WITH"))

    @property
    def reads(self) -> list[tuple[str, tuple]]:
        return [s for s in self.statements if self._is_read(s[0])]

    @property
    def read_names(self) -> list[str]:
        return [n for n, s in zip(self.names, self.statements, strict=True) if self._is_read(s[0])]


def replay(conn: sqlite3.Connection, statements: list[tuple[str, tuple]]) -> int:
    rows = 0
    for sql, args in statements:
        rows += len(conn.execute(sql, args).fetchall())
    return rows


def slowest_read(conn: sqlite3.Connection, case: PageCase, repeat: int = 3) -> str:
    """The read that costs the page most (best of a few runs each), for the note."""
    best = []
    for (sql, args), name in zip(case.reads, case.read_names, strict=True):
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            conn.execute(sql, args).fetchall()
            times.append(time.perf_counter() - t0)
        best.append((min(times), name))
    if not best:
        return ""
    seconds, name = max(best)
    return f"slowest read {name} {seconds * 1000:.2f} ms"


class PageCase:
    def __init__(self, name: str, client, url: str, *, scale: float | None = None) -> None:
        self.name, self.client, self.url, self.scale = name, client, url, scale
        self.times: list[float] = []
        self.floor_times: list[float] = []
        self.reads: list[tuple[str, tuple]] = []
        self.read_names: list[str] = []
        self.slowest = ""
        self.n_statements = 0
        self.size_kib = 0.0

    def get(self):
        r = self.client.get(self.url)
        if r.status_code != 200:
            raise AssertionError(f"{self.name}: GET {self.url} answered {r.status_code}")
        return r


def _login(username: str):
    from django.test import Client

    from swingvision.accounts.throttle import login_throttle

    client = Client()
    login_throttle.reset()
    r = client.post("/login/", {"username": username, "password": PASSWORD})
    if r.status_code != 302:
        raise AssertionError(f"login as {username}: {r.status_code}")
    return client


def seed_cases(m, roster_sizes: tuple[int, ...]) -> tuple[list[PageCase], Seeder]:
    """The data of every page, and each page's logged-in client and URL."""
    seeder = Seeder(m, analysis_pool())
    cases: list[PageCase] = []
    for n in roster_sizes:
        coach = seeder.coach(f"coach{n}", f"Coach of {n}")
        for i in range(n):
            seeder.player(
                coach,
                f"c{n}p{i:04d}",
                f"Player {i:04d} of {n}",
                swings=SWINGS_PER_ROSTER_PLAYER,
                days=ROSTER_DAYS,
            )
        cases.append(
            PageCase(f"page: roster, {n} players", _login(coach.username), "/roster/", scale=n)
        )
    coach = seeder.coach("heavy-coach", "Coach of a busy player")
    heavy = seeder.player(coach, "heavy", "Busy Player", swings=HEAVY_SWINGS, days=HEAVY_DAYS)
    client = _login(coach.username)
    cases.append(PageCase(f"page: player, {HEAVY_SWINGS} swings", client, f"/players/{heavy.id}/"))
    cases.append(
        PageCase(
            f"page: progress, {HEAVY_DAYS} days ({HEAVY_SWINGS} swings)",
            client,
            f"/players/{heavy.id}/progress/?range={HEAVY_DAYS}",
        )
    )
    return cases, seeder


def measure(cases: list[PageCase], rounds: int) -> None:
    """Record each page's statements, then time page and floor, interleaved."""
    from swingvision.db import get_db

    db = get_db()
    conn = sqlite3.connect(f"file:{db.config.path}?mode=ro", uri=True)
    try:
        for case in cases:
            case.get()  # warm: templates compiled, the file in the page cache
            with QueryLog(db) as log:
                r = case.get()
            case.size_kib = len(r.content) / 1024
            case.n_statements = len(log.statements)
            case.reads, case.read_names = log.reads, log.read_names
            case.slowest = slowest_read(conn, case)
        for _ in range(rounds):  # interleaved: every figure sees the same machine load
            for case in cases:
                a = time.perf_counter()
                case.get()
                b = time.perf_counter()
                replay(conn, case.reads)
                c = time.perf_counter()
                case.times.append(b - a)
                case.floor_times.append(c - b)
    finally:
        conn.close()


def run(quick: bool) -> list[Figure]:
    from django.test import override_settings

    roster_sizes = (10, 100) if quick else (10, 100, 1000)
    rounds = 15 if quick else 40
    # Hashing is not what these pages measure: the cheap hasher makes the seeded logins instant
    # (override_settings also clears Django's cache of hashers).
    md5 = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with override_settings(PASSWORD_HASHERS=md5), scratch_app("pages") as m:
        t0 = time.perf_counter()
        cases, seeder = seed_cases(m, roster_sizes)
        seed_s = time.perf_counter() - t0
        measure(cases, rounds)

    figures = []
    for case in cases:
        value = statistics.median(case.times) * 1000
        floor = statistics.median(case.floor_times) * 1000
        judged = case.scale in (None, 100)
        figures.append(
            Figure(
                name=case.name,
                value=value,
                unit="ms",
                floor=floor,
                floor_label=f"its {len(case.reads)} SQL reads replayed bare",
                target=f"< {TARGET_MS:g} ms" if judged else "report (growth of the roster)",
                passed=value < TARGET_MS if judged else None,
                note=(
                    f"GET {case.url}: {case.n_statements} statements ({case.slowest}), "
                    f"{case.size_kib:.0f} KiB of HTML; median of {rounds}"
                ),
                series="page: roster" if case.scale is not None else "",
                scale=case.scale,
            )
        )
    counts = ", ".join(f"{v} {k}" for k, v in seeder.counts.items())
    figures.append(
        Figure(
            name="page data: seeding through the managers",
            value=seed_s,
            unit="s",
            note=f"{counts} (scratch SQLite, fresh each run)",
        )
    )
    return figures
