"""The managers this issue added, against every configured backend (CrateDB when
SWINGVISION_CRATEDB_URL is set): API tokens, status-guarded updates, the purge's paging."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from swingvision.db import NotFound
from swingvision.db.codec import utc_now
from swingvision.db.managers import SYSTEM, ValidationError
from tests.factories import account

from ..backends import managers_fixture

m = managers_fixture()


def _user(m, role, coach=None):
    return account(m, role, coach=coach)


def test_tokens_create_authenticate_revoke(m):
    coach = _user(m, "coach")
    other = _user(m, "coach")
    token, raw = m.tokens.create(coach, name="  capture   app ")
    assert token.name == "capture app" and raw.startswith("svt_") and len(raw) > 40
    user, found = m.tokens.authenticate(raw)
    assert user.id == coach.id and found.id == token.id
    assert m.tokens.authenticate(raw + "x") is None
    assert m.tokens.authenticate("not-a-token") is None
    assert [t.id for t in m.tokens.for_user(coach)] == [token.id]
    assert m.tokens.for_user(other) == []
    with pytest.raises(NotFound):
        m.tokens.revoke(other, token.id)  # someone else's token
    revoked = m.tokens.revoke(coach, token.id)
    assert revoked.revoked_at is not None and not revoked.active
    assert m.tokens.authenticate(raw) is None  # at once, no refresh needed
    assert m.tokens.revoke(coach, token.id).revoked_at == revoked.revoked_at  # idempotent
    with pytest.raises(ValidationError, match="name"):
        m.tokens.create(coach, name="   ")
    # An inactive user's token stops working.
    _, raw2 = m.tokens.create(coach, name="second")
    m.users.update(coach, active=False)
    assert m.tokens.authenticate(raw2) is None


def test_update_if_status_and_raw_due_paging(m):
    coach = _user(m, "coach")
    player = _user(m, "player", coach)
    now = utc_now()
    videos = [
        m.videos.create(
            SYSTEM,
            player.id,
            filename=f"v{i}.mp4",
            blob_ref=f"local://raw/{player.id}/v{i}/v.mp4",
            uploaded_at=now - timedelta(days=40 - i),
        )
        for i in range(5)
    ]
    m.db.refresh("videos")
    # Paging by (uploaded_at, id) walks every due video once, oldest first.
    seen, after = [], None
    while page := m.videos.raw_due(now - timedelta(days=30), after=after, limit=2):
        seen += [v.id for v in page if v.user_id == player.id]
        after = page[-1]
    assert seen == [v.id for v in videos]
    first = videos[0]
    assert m.videos.update_if_status(first, "processing", status="expired") is None
    done = m.videos.update_if_status(first, "uploaded", status="expired", blob_ref=None)
    assert done is not None and done.status == "expired"
    got = m.videos.get(SYSTEM, player.id, first.id)
    assert got.status == "expired" and got.blob_ref is None
    m.db.refresh("videos")
    left = m.videos.raw_due(now - timedelta(days=30), limit=100)
    assert first.id not in [v.id for v in left]


def test_concurrent_claims_of_one_video_have_one_winner(m):
    """Workers racing for the same uploaded video: exactly one transition succeeds, on CrateDB
    too, where a status condition in the UPDATE alone is checked against the last refresh only
    (two racers both saw `uploaded` and both "won" before the _seq_no/_primary_term claim)."""
    coach = _user(m, "coach")
    player = _user(m, "player", coach)
    racers = 4
    for round_ in range(8):
        video = m.videos.create(SYSTEM, player.id, filename=f"race{round_}.mp4")
        barrier = threading.Barrier(racers)
        wins: list[bool] = []
        errors: list[BaseException] = []

        def claim(video=video, barrier=barrier, wins=wins, errors=errors):
            try:
                barrier.wait(timeout=30)
                wins.append(m.videos.transition(video, "uploaded", "processing"))
            except Exception as e:  # noqa: BLE001 - reported below, not lost in the thread
                errors.append(e)
            finally:
                m.db.close()  # this thread's connection

        threads = [threading.Thread(target=claim) for _ in range(racers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not errors, errors
        assert sorted(wins) == [False] * (racers - 1) + [True], f"round {round_}: {wins}"
        assert m.videos.get(SYSTEM, player.id, video.id).status == "processing"
    # update_if_status takes the same guard: a stale expectation changes nothing.
    assert m.videos.update_if_status(video, "uploaded", status="expired") is None
    assert m.videos.update_if_status(video, "processing", status="analyzed") is not None
