"""Behaviour under faults: the database goes away mid-session (SQLite file renamed; CrateDB on a
closed or hung port) and comes back; the video store fails. Pages answer 503 with a clear message,
/healthz says why, nothing is half-written, and the same session works again once the fault ends,
without a restart."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client

from swingvision.db import get_db, reset_db
from swingvision.storage import StorageError

DB_MESSAGE = b"The database is not reachable right now"
STORE_MESSAGE = "The video store is not reachable right now"


@contextmanager
def sqlite_file_away(gateway):
    """Rename the live SQLite file (the gateway notices by inode) and put it back after."""
    path = gateway.config.path
    os.rename(path, path + ".away")
    try:
        yield
    finally:
        os.rename(path + ".away", path)


def test_sqlite_outage_mid_session_then_recovery(world):
    coach, admin = world.client("coach"), world.client("admin")
    assert coach.get("/roster/").status_code == 200
    assert admin.get("/admin/users/").status_code == 200
    player_url = f"/players/{world.player.id}/settings/"
    with sqlite_file_away(get_db()):
        for client, url in ((coach, "/roster/"), (coach, player_url), (admin, "/admin/users/")):
            r = client.get(url)
            assert r.status_code == 503, (url, r.status_code)
            assert DB_MESSAGE in r.content and r["Retry-After"]
        # A write fails the same way and leaves nothing behind.
        r = admin.post(f"/admin/users/{world.player.id}/", {"full_name": "During Outage"})
        assert r.status_code == 503
        r = coach.get(
            f"/api/v1/players/{world.player.id}/videos", headers={"Accept": "application/json"}
        )
        assert r.status_code == 503 and r.json()["error"].startswith("The database")
        # The login page itself needs no database; logging in does.
        r = Client().post("/login/", {"username": "someone", "password": "whatever-it-is"})
        assert r.status_code == 503 and DB_MESSAGE in r.content
        health = Client().get("/healthz")
        assert health.status_code == 503
        body = health.json()
        assert body["ok"] is False and body["checks"]["database"]["ok"] is False
        assert "does not exist" in body["checks"]["database"]["error"]
        assert body["checks"]["storage"]["ok"] is True
    # Back: the same sessions work again, no restart, nothing written during the outage.
    assert coach.get("/roster/").status_code == 200
    r = admin.get(f"/admin/users/{world.player.id}/")
    assert r.status_code == 200 and b"During Outage" not in r.content
    assert Client().get("/healthz").status_code == 200


def test_outage_while_saving_the_session_is_a_503(world):
    """The session row is written after the view ran (a login): an outage there is a 503 too."""
    from swingvision.accounts.throttle import login_throttle

    login_throttle.reset()
    c = Client(raise_request_exception=False)
    c.get("/login/")
    user = world.users["other_coach"]
    gateway = get_db()
    original = gateway.execute

    def failing_session_writes(name, params=None):
        if name.startswith("sessions_"):
            from swingvision.db import DatabaseUnavailable

            raise DatabaseUnavailable("injected: the database went away")
        return original(name, params)

    gateway.execute = failing_session_writes
    try:
        r = c.post("/login/", {"username": user.username, "password": "correct-horse-battery"})
    finally:
        del gateway.execute
    assert r.status_code == 503 and DB_MESSAGE in r.content


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the with block ends


@contextmanager
def database_url(settings, url: str):
    """Point the app at another database, then give back the very gateway it had."""
    import swingvision.db as db_module

    old_url, old_gateway = settings.SWINGVISION_DB, db_module.get_db()
    settings.SWINGVISION_DB = url
    db_module._db = None
    try:
        yield
    finally:
        reset_db()
        settings.SWINGVISION_DB = old_url
        db_module._db = old_gateway


def test_crate_on_a_closed_port_answers_503_quickly(settings, world):
    coach = world.client("coach")
    with database_url(settings, f"crate://127.0.0.1:{_closed_port()}"):
        t0 = time.monotonic()
        r = Client().get("/healthz")
        took = time.monotonic() - t0
        assert r.status_code == 503 and took < 2.0, took
        error = r.json()["checks"]["database"]["error"]
        assert "CrateDB at http://127.0.0.1" in error
        t0 = time.monotonic()
        r = coach.get("/roster/")
        assert r.status_code == 503 and DB_MESSAGE in r.content
        assert time.monotonic() - t0 < 2.0
    assert coach.get("/roster/").status_code == 200  # the session was in the other database


class HungServer:
    """A TCP server on loopback that accepts connections and never answers (a hung node)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
                self.conns.append(conn)
            except TimeoutError:
                continue
            except OSError:
                return

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=2)
        for c in self.conns:
            c.close()
        self.sock.close()


def test_a_hung_crate_costs_one_timeout_then_fails_fast(settings):
    server = HungServer()
    try:
        url = f"crate://127.0.0.1:{server.port}?timeout=1&connect_timeout=1"
        with database_url(settings, url):
            t0 = time.monotonic()
            r = Client().get("/healthz")
            first = time.monotonic() - t0
            assert r.status_code == 503 and first < 3.0, first
            t0 = time.monotonic()
            r = Client().get("/healthz")
            assert r.status_code == 503 and time.monotonic() - t0 < 0.5
            assert "unreachable moments ago" in r.json()["checks"]["database"]["error"]
    finally:
        server.close()


class ShardlessCrate:
    """A CrateDB node on loopback whose tables have a shard without a primary (its node died
    with no replica): every statement answers what CrateDB 6.4.3 answered in that state."""

    ANSWER = {
        "error": {
            "message": "UnavailableShardsException[[swingvision.videos] shard 4 is not available]",
            "code": 5002,
        }
    }

    def __init__(self) -> None:
        answer = json.dumps(self.ANSWER).encode()
        node = json.dumps(
            {"ok": True, "status": 200, "name": "n1", "version": {"number": "6.4.3"}}
        ).encode()

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self._send(200, node)

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._send(500, answer)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_shard_without_a_primary_is_a_503_not_a_500(settings, world):
    """CrateDB answers a statement on a table with an unassigned primary with an error, not a
    dropped connection; pages say "not reachable right now" (503), the API says it in JSON, and
    the gateway does not hold the cluster as down (the next statement tries again)."""
    server = ShardlessCrate()
    coach = world.client("coach")
    try:
        with database_url(settings, f"crate://127.0.0.1:{server.port}?timeout=2"):
            r = coach.get("/roster/")
            assert r.status_code == 503 and DB_MESSAGE in r.content, r.status_code
            r = coach.get(
                f"/api/v1/players/{world.player.id}/videos",
                headers={"Accept": "application/json"},
            )
            assert r.status_code == 503 and r.json()["error"].startswith("The database")
            health = Client().get("/healthz")
            assert health.status_code == 503
            error = health.json()["checks"]["database"]["error"]
            assert "shard 4 is not available" in error and "moments ago" not in error
    finally:
        server.close()
    assert coach.get("/roster/").status_code == 200


class FailingStore:
    """A blob store whose backend is down: every operation raises StorageError."""

    kind = "local"

    def _fail(self, *args, **kwargs):
        raise StorageError("injected: the video store is down")

    put = put_file = open = size = delete = presigned_url = local_copy = _fail
    exists = _fail

    def check(self) -> dict:
        return {"ok": False, "backend": "local", "error": "injected: the video store is down"}


@pytest.fixture
def store_down(monkeypatch):
    import swingvision.storage as storage

    monkeypatch.setattr(storage, "_store", FailingStore())
    yield
    storage.reset_store()


def _db_rows(gateway) -> dict[str, int]:
    tables = ("users", "videos", "poses", "swing_analysis", "progress")
    return {t: gateway.run_sql(f"SELECT count(*) FROM {t}")[0][0] for t in tables}


def test_storage_outage_fails_playback_upload_and_delete_cleanly(world, store_down, gateway):
    from tests.videos.media import video_bytes

    player = world.player
    before = _db_rows(gateway)
    coach = world.client("coach")
    r = coach.get(f"/players/{player.id}/swings/{world.video.id}/video")
    assert r.status_code == 503 and STORE_MESSAGE in r.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("swing.mp4", video_bytes(), content_type="video/mp4")
    r = coach.post(f"/players/{player.id}/upload/", {"file": upload, "view": "face-on"})
    assert r.status_code == 503, r.status_code
    assert "nothing was saved" in r.content.decode()
    admin = world.client("admin")
    r = admin.post(f"/admin/videos/{player.id}/{world.video.id}/delete/")
    assert r.status_code == 503 and "nothing was deleted" in r.content.decode()
    assert _db_rows(gateway) == before  # no half-written or half-deleted rows
    health = Client().get("/healthz")
    assert health.status_code == 503
    assert health.json()["checks"]["storage"]["ok"] is False
