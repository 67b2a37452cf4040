"""The load test's users, run by Locust headless in a process of its own: Locust patches the
standard library for gevent when it is imported, so the bench process never imports this file.

bench/load.py writes a plan (JSON; its path in SWINGVISION_LOAD_PLAN): the password, the think
time (or none: the saturation pass) and, per user, the coach to log in as, the warm-up requests
and the timed requests (paths on the seeded data, built from the app's URL names). Each user logs
in, warms up, waits for the others, then sends its requests with the think time between them and
stops; the last one to finish ends the run, so the run is bounded by the plan (and by --run-time).
Statistics are reset when every user is ready: the figures count the timed requests only. At the
end the per-page figures, read from Locust's stats, go to the results file the plan names.

    SWINGVISION_LOAD_PLAN=plan.json python -m locust -f bench/locustfile.py --headless \
        -u 20 -r 20 --host http://127.0.0.1:PORT --run-time 10m
"""

from __future__ import annotations

import itertools
import json
import os
import re
import time
from collections import deque
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path

import gevent
import locust.stats
from gevent.event import Event
from locust import FastHttpUser, between, constant, events, task
from locust.exception import StopUser
from locust.stats import StatsError

PLAN = json.loads(Path(os.environ["SWINGVISION_LOAD_PLAN"]).read_text())
READY_TIMEOUT_S = 300  # every user logged in and warmed up within this, or the run fails
# Locust's client asks for gzip unless a request says otherwise (the replay data is then gzipped
# by the app and unzipped here); the figures have always been taken on plain bodies.
PLAIN = {"Accept-Encoding": "identity"}
_locust_bucket = locust.stats.bucket_response_time


def _bucket(response_time: float) -> float:
    """Locust keeps response times in buckets, whole milliseconds below 100 ms; the pages here
    answer in a few ms, so keep tenths of a millisecond there (Locust's documented way to
    customise its bucketing), and Locust's own buckets above."""
    return round(response_time, 1) if response_time < 100 else _locust_bucket(response_time)


locust.stats.bucket_response_time = _bucket

_numbers = itertools.count()  # which plan entry the next user takes
_ready = Event()  # set when every user is ready (or the run is abandoned)
_state: dict = {"ready": 0, "done": 0, "released": None, "finished": None, "failures": []}


class Coach(FastHttpUser):
    """One coach of the plan: its own keep-alive connection and cookies, behind a TLS-terminating
    proxy as far as the app can tell (X-Forwarded-Proto: https, so secure cookies work)."""

    wait_time = between(*PLAN["think_s"]) if PLAN["think_s"] else constant(0)
    # A request that takes longer fails (status 0). Locust's default; logins (PBKDF2 at full
    # work factor, 20 at once) need that much on a busy 2-core machine.
    network_timeout = 60.0
    connection_timeout = 60.0
    default_headers = {"X-Forwarded-Proto": "https"}

    def on_start(self) -> None:
        # The app sees https (X-Forwarded-Proto) and sets Secure cookies; send them back over the
        # loopback's plain HTTP, as the TLS proxy in front of it would.
        self.client.cookiejar.set_policy(DefaultCookiePolicy(secure_protocols=("https", "http")))
        spec = PLAN["users"][next(_numbers)]
        try:
            self._login(spec["username"])
            for kind, path in spec["warmup"]:
                self.client.get(path, name=f"warm-up: {kind}", headers=PLAIN)
        except Exception as e:  # noqa: BLE001 - reported by the bench, and the run ends
            self._abandon(f"{spec['username']}: {e}")
        self.todo = deque(spec["requests"])
        _state["ready"] += 1
        if _state["ready"] == len(PLAN["users"]):
            self.environment.stats.reset_all()
            _state["released"] = time.perf_counter()
            _ready.set()
        if not _ready.wait(timeout=READY_TIMEOUT_S):
            self._abandon(f"not every user was ready within {READY_TIMEOUT_S} s")
        if _state["failures"]:
            raise StopUser
        if not self.todo:
            self._finish()

    def _login(self, username: str) -> None:
        origin = f"https://{self.host.split('://', 1)[1]}"
        page = self.client.get("/login/", name="login", headers=PLAIN)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text or "")
        if page.status_code != 200 or not token:
            raise RuntimeError(f"login page: {page.status_code or page.error}")
        r = self.client.post(
            "/login/",
            data={
                "csrfmiddlewaretoken": token.group(1),
                "username": username,
                "password": PLAN["password"],
            },
            headers={**PLAIN, "Referer": origin + "/login/", "Origin": origin},
            allow_redirects=False,
            name="login",
        )
        if r.status_code != 302:
            raise RuntimeError(f"login as {username}: {r.status_code or r.error}")

    def _abandon(self, reason: str) -> None:
        _state["failures"].append(reason)
        _ready.set()
        gevent.spawn(self.environment.runner.quit)
        raise StopUser

    @task
    def next_page(self) -> None:
        kind, path = self.todo.popleft()
        with self.client.get(path, name=kind, headers=PLAIN, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")
        if not self.todo:
            self._finish()

    def _finish(self) -> None:
        """This user's plan is done; the last one to finish ends the run."""
        _state["done"] += 1
        if _state["done"] == len(PLAN["users"]):
            _state["finished"] = time.perf_counter()
            gevent.spawn(self.environment.runner.quit)
        raise StopUser


@events.quitting.add_listener
def write_results(environment, **_kwargs) -> None:
    """Per page: requests, failures, p50/p95/max (ms) and the failures' statuses, from Locust's
    stats; whether every user finished its plan, and the time from release to the last answer."""
    pages = {
        entry.name: {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50_ms": entry.get_response_time_percentile(0.5),
            "p95_ms": entry.get_response_time_percentile(0.95),
            "max_ms": round(entry.max_response_time, 1),
            "statuses": {},
        }
        for entry in environment.stats.entries.values()
        if entry.num_requests  # logins and warm-ups were reset away
    }
    for error in environment.stats.errors.values():
        status = re.search(r"HTTP (\d+)", StatsError.parse_error(error.error))
        code = status.group(1) if status else "0"
        counts = pages[error.name]["statuses"]
        counts[code] = counts.get(code, 0) + error.occurrences
    for page in pages.values():
        page["statuses"]["200"] = page["requests"] - page["failures"]
    released, finished = _state["released"], _state["finished"]
    Path(PLAN["results"]).write_text(
        json.dumps(
            {
                "finished": finished is not None,
                "failures": _state["failures"],
                "wall_s": finished - released if finished and released else None,
                "pages": pages,
            }
        )
    )
