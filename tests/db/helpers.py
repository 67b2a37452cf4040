"""Records the manager contract tests (tests/db/) make through the managers themselves."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from swingvision.db.codec import utc_now
from swingvision.db.managers import SYSTEM
from swingvision.db.records import SessionRecord
from tests.factories import unique

NEW_PASSWORD = "violet-Anchor-4711"
T0 = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)


def record_swing(m, player, at, *, score=None, status="analyzed", engine="1.0.0", **meta):
    """A video recorded at `at`, with an analysis five minutes later when `score` is given."""
    video = m.videos.create(
        SYSTEM,
        player.id,
        filename=f"{unique('swing')}.mp4",
        uploaded_at=at,
        status=status,
        metadata=meta,
    )
    if score is not None:
        analyse(m, video, score, at=at + timedelta(minutes=5), engine=engine)
    return video


def analyse(m, video, score, *, at, engine="1.0.0", **kw):
    fields = {
        "metrics": {"tempo_ratio": score / 20},
        "events": {},
        "feedback": [],
        "details": {},
        "swing_embedding": None,
    }
    fields.update(kw)
    return m.analyses.save(
        video, engine_version=engine, overall_score=score, analyzed_at=at, **fields
    )


def open_session(m, user_id, *, expires_in=timedelta(hours=1)):
    rec = SessionRecord(
        session_key=unique("sess"),
        user_id=user_id,
        data='{"k": 1}',
        expires_at=utc_now() + expires_in,
    )
    assert m.sessions.insert(rec) is True
    # The rows a "delete by user" or the expiry purge meets were written a while ago; on CrateDB
    # the periodic refresh has made them visible to searches by then (a DELETE by a non-key column
    # is one). The explicit refresh stands in for that time (a no-op on SQLite).
    m.db.refresh("sessions")
    return rec


def stored_session(m, key):
    """The session row as stored, expired or not (Sessions.get hides expired rows)."""
    return m.db.fetch_first(SessionRecord, "sessions_get", {"session_key": key})


def audit_for(m, target_type, target_id, limit=20):
    return m.audit.page(SYSTEM, target_type=target_type, target_id=target_id, limit=limit).entries


def race(m, claim: Callable[[], bool], racers: int = 4) -> list[bool]:
    """`racers` threads call `claim` at the same moment (each on its own connection); their
    results, sorted. An exception in a thread fails the caller's test, not silently the thread."""
    barrier = threading.Barrier(racers)
    wins: list[bool] = []
    errors: list[BaseException] = []

    def run():
        try:
            barrier.wait(timeout=30)
            wins.append(claim())
        except Exception as e:  # noqa: BLE001 - reported below, not lost in the thread
            errors.append(e)
        finally:
            m.db.close()  # this thread's connection

    threads = [threading.Thread(target=run) for _ in range(racers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return sorted(wins)
