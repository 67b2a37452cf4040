"""The benchmark harness (bench/__main__.py) on tiny fake suites, and the load benchmark's Locust
users against a tiny fake app: no timing is asserted."""

from __future__ import annotations

import importlib
import json
import sys
import threading
import types
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import load
from bench.__main__ import add_growth, compare, format_table, main
from bench.core import Figure
from bench.suites import SUITES


def _suite(monkeypatch, name: str, run) -> str:
    """A fake benchmark module importable as bench.<name>."""
    module = types.ModuleType(f"bench.{name}")
    module.run = run
    monkeypatch.setitem(sys.modules, f"bench.{name}", module)
    return name


def _good(quick: bool) -> list[Figure]:
    return [
        Figure(
            name="fake lookup",
            value=2.0,
            unit="ms",
            floor=1.0,
            floor_label="bare dict",
            target="<= 3x floor",
            passed=True,
            note="quick" if quick else "full",
        ),
        Figure(name="fake size", value=12.5, unit="KiB"),
    ]


def _missed(quick: bool) -> list[Figure]:
    return [Figure(name="fake slow page", value=90.0, unit="ms", target="< 50 ms", passed=False)]


def _broken(quick: bool) -> list[Figure]:
    raise RuntimeError("the fake benchmark broke")


def test_table_and_json(monkeypatch, tmp_path, capsys):
    good = _suite(monkeypatch, "fake_good", _good)
    out = tmp_path / "table.json"
    code = main(["--quick", "--json", str(out)], suites=[good])
    assert code == 0
    printed = capsys.readouterr().out
    header = printed.splitlines()[0].split()
    assert header == ["figure", "value", "floor", "ratio", "target", "result", "growth"]
    assert "fake lookup" in printed and "1 ms (bare dict)" in printed and "2.00x" in printed
    assert "- fake lookup: quick" in printed  # notes are printed under the table
    data = json.loads(out.read_text())
    assert data["quick"] is True and data["errors"] == []
    assert set(data["suite_seconds"]) == {good}
    first = data["figures"][0]
    assert (first["name"], first["suite"], first["ratio"], first["passed"]) == (
        "fake lookup",
        good,
        2.0,
        True,
    )


def test_a_raising_benchmark_fails_the_run_and_the_others_still_report(
    monkeypatch, tmp_path, capsys
):
    broken = _suite(monkeypatch, "fake_broken", _broken)
    good = _suite(monkeypatch, "fake_good", _good)
    out = tmp_path / "table.json"
    assert main(["--quick", "--json", str(out)], suites=[broken, good]) == 1
    data = json.loads(out.read_text())
    assert data["errors"] == [broken]
    assert "the fake benchmark broke" in data["error_details"][broken]
    assert [r["name"] for r in data["figures"]] == ["fake lookup", "fake size"]


def test_a_missed_target_is_reported_not_fatal_unless_strict(monkeypatch, tmp_path, capsys):
    missed = _suite(monkeypatch, "fake_missed", _missed)
    out = str(tmp_path / "t.json")
    assert main(["--quick", "--json", out], suites=[missed]) == 0
    assert "MISS" in capsys.readouterr().out
    assert main(["--quick", "--strict", "--json", out], suites=[missed]) == 1


def test_only_runs_the_named_suites_and_rejects_unknown_names(monkeypatch, tmp_path, capsys):
    good = _suite(monkeypatch, "fake_good", _good)
    broken = _suite(monkeypatch, "fake_broken", _broken)
    out = tmp_path / "t.json"
    assert main(["--only", good, "--json", str(out)], suites=[broken, good]) == 0
    assert json.loads(out.read_text())["quick"] is False
    with pytest.raises(SystemExit) as exit_info:
        main(["--only", "nope", "--json", str(out)], suites=[good])
    assert exit_info.value.code == 2


def test_compare_prints_the_change_per_figure(monkeypatch, tmp_path, capsys):
    good = _suite(monkeypatch, "fake_good", _good)
    previous = tmp_path / "previous.json"
    previous.write_text(
        json.dumps(
            {
                "started_at": "2026-01-01T00:00:00+00:00",
                "figures": [
                    # The ratio went from 1.0x to 2.0x: worse, judged on the ratio.
                    {"name": "fake lookup", "value": 1.0, "floor": 1.0, "ratio": 1.0},
                    {"name": "fake gone", "value": 3.0, "unit": "ms"},
                ],
            }
        )
    )
    out = tmp_path / "now.json"
    assert main(["--json", str(out), "--compare", str(previous)], suites=[good]) == 0
    printed = capsys.readouterr().out
    section = printed[printed.index("change vs") :]
    lookup = next(line for line in section.splitlines() if line.startswith("fake lookup"))
    assert "+100.0%" in lookup and "1.00x -> 2.00x" in lookup and "WORSE" in lookup
    size = next(line for line in section.splitlines() if line.startswith("fake size"))
    assert "new" in size
    assert "not measured this time: fake gone" in section
    assert "1 worse, 0 better" in section


def test_compare_rejects_a_file_that_is_not_a_table(monkeypatch, tmp_path):
    good = _suite(monkeypatch, "fake_good", _good)
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    with pytest.raises(SystemExit) as exit_info:
        main(["--compare", str(bad), "--json", str(tmp_path / "t.json")], suites=[good])
    assert exit_info.value.code == 2


def test_growth_over_sizes_explicit_and_from_names():
    rows = [
        dict(Figure(name="ingest, 10k", value=100.0, unit="/s", floor=200.0).as_dict())
        | {"series": "ingest", "scale": 10_000},
        dict(Figure(name="ingest, 1M", value=80.0, unit="/s", floor=190.0).as_dict())
        | {"series": "ingest", "scale": 1_000_000},
        # No series given: the size in the name ("10k", "1M") makes the series.
        Figure(name="search top-10, 10k poses", value=1.0, unit="ms").as_dict(),
        Figure(name="search top-10, 1M poses", value=50.0, unit="ms").as_dict(),
        Figure(name="upload 20 MB", value=5.0, unit="MB/s").as_dict(),
        Figure(name="upload 100 MB", value=6.0, unit="MB/s").as_dict(),
    ]
    add_growth(rows)
    by_name = {r["name"]: r for r in rows}
    assert by_name["ingest, 10k"]["growth"] is None
    assert by_name["ingest, 1M"]["growth"] == pytest.approx(0.8)
    assert by_name["ingest, 1M"]["floor_growth"] == pytest.approx(0.95)
    assert by_name["ingest, 1M"]["growth_base"] == "10k"
    assert by_name["search top-10, 1M poses"]["growth"] == pytest.approx(50.0)
    assert by_name["upload 100 MB"]["growth"] is None  # "MB" is a unit, not a size
    table = format_table(rows)
    assert "x0.8 vs 10k (floor x0.95)" in table and "x50 vs 10k" in table


def test_compare_marks_only_changes_beyond_the_threshold():
    rows = [dict(Figure(name="a", value=1.05, unit="ms").as_dict())]
    previous = {"figures": [{"name": "a", "value": 1.0}]}
    text = compare(previous, rows)
    assert "+5.0%" in text and "0 worse, 0 better" in text
    assert "1 worse, 0 better" in compare(previous, rows, threshold_pct=1)


@pytest.mark.parametrize("name", SUITES)
def test_every_suite_has_a_run_function(name):
    module = importlib.import_module(f"bench.{name}")
    assert callable(getattr(module, "run", None)), f"bench.{name} has no run(quick)"
    assert "quick" in module.run.__code__.co_varnames[: module.run.__code__.co_argcount]


# -- the load benchmark's users (Locust, in a process of its own) --------------------------------
class _FakeApp(BaseHTTPRequestHandler):
    """Just enough of the app behind a TLS proxy: a login form with a CSRF token in a Secure
    cookie, a session cookie (Secure) after the POST, pages that want the session."""

    protocol_version = "HTTP/1.1"  # keep-alive, as gunicorn
    password = load.PASSWORD  # the seeded coaches'
    seen: list[str] = []

    def _send(self, status: int, body: bytes = b"", cookie: str = "", location: str = "") -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        if cookie:
            self.send_header("Set-Cookie", f"{cookie}; Secure; HttpOnly; Path=/; SameSite=Lax")
        if location:
            self.send_header("Location", location)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.seen.append(f"GET {self.path}")
        if self.headers.get("Accept-Encoding") != "identity":  # plain bodies, as always measured
            return self._send(406)
        if self.path == "/login/":
            form = b'<input name="csrfmiddlewaretoken" value="form-token">'
            return self._send(200, form, cookie="__Host-csrftoken=cookie-token")
        if "__Host-sessionid=s-" not in (self.headers.get("Cookie") or ""):
            return self._send(302, location="/login/")
        self._send(500 if self.path.startswith("/broken") else 200, b"page")

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.seen.append(f"POST {self.path}")
        ok = (
            "__Host-csrftoken=cookie-token" in (self.headers.get("Cookie") or "")
            and "csrfmiddlewaretoken=form-token" in body
            and f"password={self.password}" in body
            and self.headers.get("X-Forwarded-Proto") == "https"
            and self.headers.get("Origin", "").startswith("https://127.0.0.1:")
        )
        if not ok:
            return self._send(403)
        user = body.split("username=", 1)[1].split("&", 1)[0]
        self._send(302, cookie=f"__Host-sessionid=s-{user}", location="/roster/")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def fake_app():
    _FakeApp.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeApp)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_locust_users_log_in_warm_up_and_stop_after_their_requests(fake_app):
    users = [
        {
            "username": f"coach{n:05d}",
            "warmup": [["ok", "/ok?warm"]],
            "requests": [["ok", f"/ok?n={i}"] for i in range(3 + n)] + [["broken", "/broken"]],
        }
        for n in range(2)
    ]
    out = load.run_locust(fake_app, users, think_s=None)
    assert out["finished"] and out["failures"] == [] and out["wall_s"] >= 0
    # Only the timed requests count: logins and warm-ups happened before the stats were reset.
    assert set(out["pages"]) == {"ok", "broken"}
    ok, broken = out["pages"]["ok"], out["pages"]["broken"]
    assert (ok["requests"], ok["failures"], ok["statuses"]) == (7, 0, {"200": 7})
    assert (broken["requests"], broken["failures"], broken["statuses"]) == (
        2,
        2,
        {"500": 2, "200": 0},
    )
    assert 0 < ok["p50_ms"] <= ok["p95_ms"] <= ok["max_ms"]
    # Each user logged in (the Secure cookies went back over plain HTTP) and warmed up once.
    assert _FakeApp.seen.count("POST /login/") == 2
    assert _FakeApp.seen.count("GET /ok?warm") == 2
    assert len([s for s in _FakeApp.seen if s.startswith("GET /ok?n=")]) == 7
    # Locust (and its gevent patching of the standard library) stayed in its own process.
    assert "locust" not in sys.modules and "gevent" not in sys.modules


def test_a_failed_login_ends_the_locust_run_with_an_error(fake_app, monkeypatch):
    monkeypatch.setattr(load, "PASSWORD", "wrong")
    users = [{"username": "coach00000", "warmup": [], "requests": [["ok", "/ok"]]}]
    with pytest.raises(
        RuntimeError, match="virtual coaches failed: coach00000: login as coach00000: 403"
    ):
        load.run_locust(fake_app, users, think_s=(0.5, 1.5))


def test_only_writes_a_partial_file_and_leaves_the_baseline(monkeypatch, tmp_path, capsys):
    good = _suite(monkeypatch, "fake_good", _good)
    missed = _suite(monkeypatch, "fake_missed", _missed)
    monkeypatch.setenv("SWINGVISION_BENCH_DIR", str(tmp_path))
    assert main(["--quick"], suites=[good, missed]) == 0
    baseline = tmp_path / "results-quick.json"
    full = json.loads(baseline.read_text())
    assert full["only"] == [] and {r["suite"] for r in full["figures"]} == {good, missed}
    before = baseline.read_bytes()
    assert main(["--quick", "--only", good, "--compare", str(baseline)], suites=[good, missed]) == 0
    assert baseline.read_bytes() == before  # the baseline --compare needs is untouched
    partial = json.loads((tmp_path / f"results-quick-only-{good}.json").read_text())
    assert partial["only"] == [good] and {r["suite"] for r in partial["figures"]} == {good}
    assert f"results-quick-only-{good}.json" in capsys.readouterr().out
