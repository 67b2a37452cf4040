"""The shape every benchmark returns, and small timing helpers."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Figure:
    """One row of the table. `better` says which direction is good for value and floor."""

    name: str
    value: float
    unit: str
    floor: float | None = None  # the same work done the bare way, measured in the same run
    floor_label: str = ""
    target: str = ""  # human-readable target, e.g. "<= 2x floor" or ">= 20000/s"
    passed: bool | None = None  # None: reported only
    better: str = "lower"  # "lower" (times) or "higher" (throughputs)
    note: str = ""
    # Figures of one series measured at several sizes (ingest at 10k/100k/1M poses, the roster at
    # 10/100/1,000 players): the table shows each one's growth against the smallest size. A
    # figure without them joins a series when its name carries a size such as "10k" or "1M".
    series: str = ""
    scale: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.floor in (None, 0):
            return None
        return self.value / self.floor

    def as_dict(self) -> dict:
        return {**asdict(self), "ratio": self.ratio}


def best_of(fn: Callable[[], object], *, repeat: int = 5, number: int = 1) -> float:
    """The fastest of `repeat` runs of `number` calls, in seconds per call (noise only adds)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return min(times)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def median(values: list[float]) -> float:
    return statistics.median(values)


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB (Linux)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_dir() -> str:
    """A scratch folder for generated data (kept between runs under var/bench)."""
    path = os.environ.get("SWINGVISION_BENCH_DIR") or os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "var", "bench"
    )
    os.makedirs(path, exist_ok=True)
    return path


def coach_and_player(m, coach: str, player: str, domain: str) -> tuple:
    """A coach and a player of theirs, made through the managers `m` without a password (nobody
    logs in: the benchmarks act through managers or an API token)."""
    c = m.users.create(username=coach, email=f"c@{domain}", password=None, role="coach")
    p = m.users.create(
        username=player, email=f"p@{domain}", password=None, role="player", coach_id=c.id
    )
    return c, p


class scratch_app:
    """Point the app at a scratch SQLite file and blob folder under bench_dir()/<name> (migrated),
    and back at the configured ones afterwards. `fresh=True` starts from an empty database."""

    def __init__(self, name: str, *, fresh: bool = True) -> None:
        self.root = os.path.join(bench_dir(), name)
        self.fresh = fresh

    def __enter__(self):
        import shutil

        from django.conf import settings

        from swingvision.db import get_db, reset_db
        from swingvision.db.managers import managers
        from swingvision.db.migrate import migrate
        from swingvision.storage import reset_store

        if self.fresh and os.path.isdir(self.root):
            shutil.rmtree(self.root)
        os.makedirs(self.root, exist_ok=True)
        self._saved = (settings.SWINGVISION_DB, settings.SWINGVISION_STORAGE)
        settings.SWINGVISION_DB = f"sqlite:///{os.path.join(self.root, 'bench.db')}"
        settings.SWINGVISION_STORAGE = f"file://{os.path.join(self.root, 'videos')}"
        reset_db()
        reset_store()
        migrate(get_db())
        return managers()

    def __exit__(self, *exc) -> None:
        from django.conf import settings

        from swingvision.db import reset_db
        from swingvision.storage import reset_store

        settings.SWINGVISION_DB, settings.SWINGVISION_STORAGE = self._saved
        reset_db()
        reset_store()
