"""The videos manager on every configured backend: paging, status moves, claims, conflicts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from swingvision.db import Conflict, NotFound
from swingvision.db.codec import utc_now
from swingvision.db.managers import SYSTEM
from tests.backends import managers_fixture
from tests.db.helpers import race, record_swing
from tests.factories import account

m = managers_fixture()


def test_videos_newest_first_with_paging_and_conditional_status(m, team):
    coach = team["coach"]
    p = account(m, "player", coach=coach)
    t0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    made = [
        m.videos.create(
            SYSTEM,
            p.id,
            filename=f"s{i}.mp4",
            uploaded_at=t0 + timedelta(days=i),
            metadata={"fps": 29.97, "club": "7i", "tags": ["range", "lesson"]},
            duration_s=2.5,
            blob_ref=f"file:///videos/s{i}.mp4",
        )
        for i in range(5)
    ]
    page1 = m.videos.for_player(coach, p.id, limit=2, offset=0)
    page2 = m.videos.for_player(coach, p.id, limit=2, offset=2)
    assert [v.id for v in page1 + page2] == [v.id for v in made[::-1][:4]]
    assert m.videos.count_for_player(coach, p.id) == 5
    got = m.videos.get(coach, p.id, made[0].id)
    assert got.uploaded_at == t0 and got.uploaded_at.tzinfo is not None
    assert got.metadata == {"fps": 29.97, "club": "7i", "tags": ["range", "lesson"]}
    # Status moves only from the expected state, once.
    assert m.videos.transition(got, "uploaded", "processing") is True
    assert m.videos.transition(got, "uploaded", "processing") is False
    assert m.videos.get(coach, p.id, got.id).status == "processing"
    updated = m.videos.update(got, status="failed", metadata={**got.metadata, "error": "no swing"})
    assert m.videos.get(coach, p.id, got.id) == updated
    assert got.id in {v.id for v in m.videos.with_status("failed", limit=1000)}
    old = m.videos.uploaded_before(t0 + timedelta(hours=1), limit=1000)
    assert made[0].id in {v.id for v in old} and made[1].id not in {v.id for v in old}


def test_conflict_on_duplicate_primary_key(m, team):
    player = team["player"]
    v = m.videos.create(SYSTEM, player.id, filename="dup.mp4")
    with pytest.raises(Conflict):
        m.videos.create(SYSTEM, player.id, filename="dup.mp4", video_id=v.id)


def test_not_found_for_missing_records(m, team):
    coach, player = team["coach"], team["player"]
    with pytest.raises(NotFound):
        m.videos.get(coach, player.id, "nope")
    with pytest.raises(NotFound):
        m.users.get("nope")
    assert m.analyses.latest_for_video(coach, player.id, "nope") is None


def test_videos_find_any_and_all(m, team):
    player, stranger = team["player"], team["stranger"]
    base = datetime(2020, 1, 1, tzinfo=UTC)  # older than every other video of the module
    made = [
        record_swing(m, who, base + timedelta(hours=i), status="failed")
        for i, who in enumerate((player, stranger, player))
    ]
    assert m.videos.find_any(made[1].id) == made[1]  # by id alone, whoever the player
    assert m.videos.find_any("no-such-video") is None
    everything = m.videos.all(limit=100_000)
    assert [v.id for v in everything[:3]] == [v.id for v in made]  # oldest first
    keys = [(v.uploaded_at, v.id) for v in everything]
    assert keys == sorted(keys)
    assert m.videos.all(limit=2, offset=1) == everything[1:3]


def test_update_if_status_and_raw_due_paging(m):
    coach = account(m, "coach")
    player = account(m, "player", coach=coach)
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
    coach = account(m, "coach")
    player = account(m, "player", coach=coach)
    for round_ in range(8):
        video = m.videos.create(SYSTEM, player.id, filename=f"race{round_}.mp4")
        wins = race(m, lambda video=video: m.videos.transition(video, "uploaded", "processing"))
        assert wins == [False, False, False, True], f"round {round_}: {wins}"
        assert m.videos.get(SYSTEM, player.id, video.id).status == "processing"
    # update_if_status takes the same guard: a stale expectation changes nothing.
    assert m.videos.update_if_status(video, "uploaded", status="expired") is None
    assert m.videos.update_if_status(video, "processing", status="analyzed") is not None
