"""A node of a three-node CrateDB cluster dies while the app writes (marker `crate_cluster`).

Needs SWINGVISION_CRATE_CLUSTER_URL (crate://host1:4200,host2:4200,host3:4200, all nodes) and
SWINGVISION_CRATE_KILL_NODE (a shell command that kills one node, e.g. `kill -9 <pid>`). The
tables get one replica; a writer creates swings and notes through the managers while the node
is killed. Every write the app acknowledged must be there afterwards; writes may fail only as
DatabaseUnavailable (a page answers 503) and only for a short while, then succeed again by
themselves.
"""

from __future__ import annotations

import io
import os
import secrets
import subprocess
import time

import pytest
from django.core.management import call_command
from django.test import override_settings

from swingvision.db import DatabaseUnavailable, QueryError, reset_db
from swingvision.db.gateway import TABLES, Database, parse_db_url
from swingvision.db.managers import SYSTEM, managers
from swingvision.db.migrate import migrate
from swingvision.db.records import Video
from tests.backends import CRATE_URL
from tests.factories import account

CLUSTER_URL = os.environ.get("SWINGVISION_CRATE_CLUSTER_URL", "")
KILL_NODE = os.environ.get("SWINGVISION_CRATE_KILL_NODE", "")

pytestmark = pytest.mark.crate_cluster

WRITE_S = 40.0  # the writer's whole run
KILL_AT_S = 10.0


def _wait_green(db: Database, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = db.run_sql(
            "SELECT health FROM sys.health WHERE table_schema = CURRENT_SCHEMA LIMIT 1000"
        )
        if rows and all(r[0] == "GREEN" for r in rows):
            return
        time.sleep(1)
    raise AssertionError(f"tables not GREEN after {timeout} s: {rows}")


@pytest.mark.skipif(
    not (CLUSTER_URL and KILL_NODE),
    reason="SWINGVISION_CRATE_CLUSTER_URL and SWINGVISION_CRATE_KILL_NODE are not set",
)
def test_killing_a_node_loses_no_acknowledged_write():
    sep = "&" if "?" in CLUSTER_URL else "?"
    url = f"{CLUSTER_URL}{sep}schema=svcluster_{secrets.token_hex(3)}&timeout=5"
    db = Database(parse_db_url(url))
    migrate(db)
    try:
        for table in TABLES:
            db.run_sql(f"ALTER TABLE {table} SET (number_of_replicas = 1)")
        _wait_green(db)
        m = managers(db)
        coach = account(m, "coach")
        player = account(m, "player", coach=coach)
        acked_videos, acked_notes, outages = [], [], []
        killed = False
        t0 = time.monotonic()
        down_since = None
        while time.monotonic() - t0 < WRITE_S:
            if not killed and time.monotonic() - t0 >= KILL_AT_S:
                subprocess.run(KILL_NODE, shell=True, check=True)
                killed = True
            try:
                v = m.videos.create(SYSTEM, player.id, filename=f"k{len(acked_videos)}.mp4")
                acked_videos.append(v.id)
                n = m.notes.create(coach, player.id, v.id, text="still here", frame=None)
                acked_notes.append(n.id)
                if down_since is not None:
                    outages.append(time.monotonic() - down_since)
                    down_since = None
            except DatabaseUnavailable:
                down_since = down_since or time.monotonic()
                time.sleep(0.2)
            except QueryError as e:
                # A shard without a primary answers an error, not a connection failure.
                assert "primary" in str(e).lower() or "shard" in str(e).lower(), e
                down_since = down_since or time.monotonic()
                time.sleep(0.2)
        assert killed and acked_videos
        assert down_since is None, "the writes never recovered after the node died"
        assert all(o < 30 for o in outages), outages
        for vid in acked_videos:
            assert m.videos.get_system(player.id, vid).id == vid
        for nid in acked_notes:
            assert m.notes.get(coach, player.id, nid).id == nid
        print(f"acknowledged {len(acked_videos)} swings, {len(acked_notes)} notes; "
              f"outages (s): {[round(o, 1) for o in outages]}")  # fmt: skip
    finally:
        for table in TABLES:
            db.run_sql(f"DROP TABLE IF EXISTS {table}")
        db.close()


STANDBY_URL = os.environ.get("SWINGVISION_CRATE_STANDBY_URL", "")
PUBLISHER_TRANSPORT = os.environ.get("SWINGVISION_CRATE_PUBLISHER_TRANSPORT", "")
# What the standby answers while a new subscription creates and fills its tables.
INITIAL_COPY = ("RelationUnknown", "RECOVERING", "no such shard")


@pytest.mark.skipif(
    not (CRATE_URL and STANDBY_URL and PUBLISHER_TRANSPORT),
    reason="SWINGVISION_CRATEDB_URL (primary), SWINGVISION_CRATE_STANDBY_URL and "
    "SWINGVISION_CRATE_PUBLISHER_TRANSPORT (the primary's host:4300) are not set",
)
def test_replication_command_makes_the_standby_receive_new_swings():
    """`manage.py replication` on two clusters: publisher, then subscriber; a swing written on
    the primary shows on the standby, whose tables refuse writes."""
    tag = secrets.token_hex(3)
    schema, publication, subscription = f"svrepl_{tag}", f"svpub_{tag}", f"svsub_{tag}"
    primary_url = f"{CRATE_URL}{'&' if '?' in CRATE_URL else '?'}schema={schema}"
    standby_url = f"{STANDBY_URL}{'&' if '?' in STANDBY_URL else '?'}schema={schema}"
    primary, standby = Database(parse_db_url(primary_url)), Database(parse_db_url(standby_url))
    migrate(primary)
    names = ["--publication", publication, "--subscription", subscription]
    try:
        with override_settings(SWINGVISION_DB=primary_url):
            reset_db()
            out = _command("replication", "--role", "publisher", "--apply", *names)
            assert f"created publication {publication}" in out, out
        with override_settings(SWINGVISION_DB=standby_url):
            reset_db()
            out = _command(
                "replication", "--role", "subscriber", "--apply", *names,
                "--primary-host", PUBLISHER_TRANSPORT, "--user", "crate",
            )  # fmt: skip
            assert f"created subscription {subscription}" in out, out
        reset_db()
        m = managers(primary)
        coach = account(m, "coach")
        player = account(m, "player", coach=coach)
        video = m.videos.create(SYSTEM, player.id, filename="replicated.mp4")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if standby.fetch_first(Video, "videos_get", {"id": video.id, "user_id": player.id}):
                    break
            except QueryError as e:  # the subscription's first copy is still being made
                assert any(s in str(e) for s in INITIAL_COPY), e
            time.sleep(0.5)
        got = standby.fetch_first(Video, "videos_get", {"id": video.id, "user_id": player.id})
        assert got is not None and got.filename == "replicated.mp4"
        with pytest.raises(QueryError, match="doesn't allow INSERT"):
            standby.execute("user_logins_claim", {"login": f"x{tag}", "user_id": player.id})
    finally:
        reset_db()
        standby.run_sql(f'DROP SUBSCRIPTION IF EXISTS "{subscription}"')
        for table in TABLES:
            standby.run_sql(f"DROP TABLE IF EXISTS {table}")
        primary.run_sql(f'DROP PUBLICATION IF EXISTS "{publication}"')
        for table in TABLES:
            primary.run_sql(f"DROP TABLE IF EXISTS {table}")
        primary.close()
        standby.close()


def _command(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()
