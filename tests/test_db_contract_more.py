"""The rest of the managers' contract (issue #3, acceptance 3): every public manager method the
other contract files (tests/test_db_contract.py, tests/videos/test_contract.py,
tests/coaching/test_coaching_contract.py, tests/security/test_audit_contract.py) did not run, run
here against every configured backend (SQLite always, CrateDB when SWINGVISION_CRATEDB_URL is set)
with the same expectations: values, ordering, paging, and scope where the method takes an actor.

The last test is the guard: it lists every public method of every manager class reachable from
`managers(db)` and fails if no backend-parametrized contract test calls it.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import pkgutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from analysis.engine.pose import POSE_EMBEDDING_DIM, SWING_EMBEDDING_DIM
from swingvision.db import NotFound
from swingvision.db.codec import utc_now
from swingvision.db.gateway import Database, parse_db_url
from swingvision.db.managers import SYSTEM, Managers, NotAllowed, ValidationError, managers
from swingvision.db.managers.similarity import Filters, ScopeError
from swingvision.db.managers.summaries import Summaries
from swingvision.db.records import SessionRecord
from swingvision.storage import BlobNotFound

from .backends import managers_fixture
from .conftest import TEST_PASSWORD, unique
from .dashboard.helpers import account

NEW_PASSWORD = "violet-Anchor-4711"
T0 = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)


m = managers_fixture()


def _user(m, role, *, coach=None, name="", settings=None):
    return account(m, role, coach=coach, name=name, settings=settings)


@pytest.fixture(scope="module")
def team(m):
    coach = _user(m, "coach", name="Casey Coach")
    other_coach = _user(m, "coach", name="Olly Other")
    return {
        "coach": coach,
        "other_coach": other_coach,
        "admin": _user(m, "admin", name="Ada Admin"),
        "player": _user(m, "player", coach=coach, name="Pat Player"),
        "stranger": _user(m, "player", coach=other_coach, name="Sam Stranger"),
    }


def _swing(m, player, at, *, score=None, status="analyzed", engine="1.0.0", **meta):
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
        _analyse(m, video, score, at=at + timedelta(minutes=5), engine=engine)
    return video


def _analyse(m, video, score, *, at, engine="1.0.0", **kw):
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


def _session(m, user_id, *, expires_in=timedelta(hours=1)):
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


def _stored_session(m, key):
    """The session row as stored, expired or not (Sessions.get hides expired rows)."""
    return m.db.fetch_first(SessionRecord, "sessions_get", {"session_key": key})


def _audit_for(m, target_type, target_id, limit=20):
    return m.audit.page(SYSTEM, target_type=target_type, target_id=target_id, limit=limit).entries


# -- users --------------------------------------------------------------------------------------
def test_users_find_by_role_all_and_count(m, team):
    coach, admin, player = team["coach"], team["admin"], team["player"]
    before = m.users.count()
    zed = _user(m, "coach", name="Zed Zimmer")
    abe = _user(m, "coach", name="Abe Adams")
    assert m.users.count() == before + 2
    assert m.users.find(abe.id) == abe
    assert m.users.find("no-such-user") is None
    # Coaches by name (a coach may list coaches: the sign-up and reassignment pickers).
    coaches = m.users.by_role(coach, "coach")
    assert {u.role for u in coaches} == {"coach"}
    assert [(u.full_name, u.username) for u in coaches] == sorted(
        (u.full_name, u.username) for u in coaches
    )
    ids = [u.id for u in coaches]
    assert ids.index(abe.id) < ids.index(coach.id) < ids.index(zed.id)
    assert [u.id for u in m.users.by_role(player, "coach")] == ids
    # Paging walks the same order.
    assert m.users.by_role(coach, "coach", limit=2, offset=1) == coaches[1:3]
    # Anything but coaches is for admins only.
    players = m.users.by_role(admin, "player")
    assert player in players and {u.role for u in players} == {"player"}
    admins = m.users.by_role(SYSTEM, "admin")
    assert admin in admins and {u.role for u in admins} == {"admin"}
    for actor in (coach, player):
        with pytest.raises(NotFound):
            m.users.by_role(actor, "player")
    with pytest.raises(ValidationError) as e:
        m.users.by_role(admin, "owner")
    assert e.value.field == "role"
    # Everyone, by role then name, admins only.
    everyone = m.users.all(admin, limit=100_000)
    assert len(everyone) == m.users.count()
    assert [(u.role, u.full_name, u.username) for u in everyone] == sorted(
        (u.role, u.full_name, u.username) for u in everyone
    )
    assert m.users.all(SYSTEM, limit=3, offset=2) == everyone[2:5]
    with pytest.raises(NotFound):
        m.users.all(coach)


def test_set_password_checks_the_rules_replaces_the_hash_and_ends_sessions(m, team):
    p = _user(m, "player", coach=team["coach"])
    mine = _session(m, p.id)
    theirs = _session(m, team["player"].id)
    for bad, kw in (("short1", {}), (f"my{p.username}pass", {"username": p.username})):
        with pytest.raises(ValidationError) as e:
            m.users.set_password(p.id, bad, **kw)
        assert e.value.field == "password"
    # A refused password changes nothing.
    assert m.users.authenticate(p.username, TEST_PASSWORD) == p
    assert m.sessions.get(mine.session_key) is not None
    m.users.set_password(p.id, NEW_PASSWORD, username=p.username)
    got = m.users.get(p.id)
    assert got.password_hash != p.password_hash and NEW_PASSWORD not in got.password_hash
    assert got.updated_at >= p.updated_at
    assert m.users.authenticate(p.username, NEW_PASSWORD).id == p.id
    assert m.users.authenticate(p.username, TEST_PASSWORD) is None
    assert _stored_session(m, mine.session_key) is None  # every session of that user ended
    assert m.sessions.get(theirs.session_key) is not None  # nobody else's


# -- sessions -----------------------------------------------------------------------------------
def test_sessions_update_delete_and_delete_expired(m, team):
    uid = team["player"].id
    live = _session(m, uid)
    expired = _session(m, uid, expires_in=timedelta(seconds=-5))
    later = utc_now() + timedelta(days=2)
    moved = dataclasses.replace(live, data='{"k": 2}', expires_at=later)
    assert m.sessions.update(moved) is True
    got = m.sessions.get(live.session_key)
    assert got.data == '{"k": 2}' and got.expires_at == later and got.user_id == uid
    ghost = dataclasses.replace(live, session_key=unique("ghost"))
    assert m.sessions.update(ghost) is False
    assert _stored_session(m, ghost.session_key) is None  # an update never inserts
    # Expired rows are hidden at once and purged by delete_expired; live rows stay.
    assert m.sessions.get(expired.session_key) is None
    assert _stored_session(m, expired.session_key) is not None
    m.sessions.delete_expired()
    assert _stored_session(m, expired.session_key) is None
    assert m.sessions.get(live.session_key) == got
    m.sessions.delete(live.session_key)
    assert _stored_session(m, live.session_key) is None
    m.sessions.delete(live.session_key)  # deleting a missing session is not an error


# -- videos, analyses, progress -----------------------------------------------------------------
def test_videos_find_any_and_all(m, team):
    player, stranger = team["player"], team["stranger"]
    base = datetime(2020, 1, 1, tzinfo=UTC)  # older than every other video of the module
    made = [
        _swing(m, who, base + timedelta(hours=i), status="failed")
        for i, who in enumerate((player, stranger, player))
    ]
    assert m.videos.find_any(made[1].id) == made[1]  # by id alone, whoever the player
    assert m.videos.find_any("no-such-video") is None
    everything = m.videos.all(limit=100_000)
    assert [v.id for v in everything[:3]] == [v.id for v in made]  # oldest first
    keys = [(v.uploaded_at, v.id) for v in everything]
    assert keys == sorted(keys)
    assert m.videos.all(limit=2, offset=1) == everything[1:3]


def test_latest_analysis_for_the_worker_needs_no_actor(m, team):
    player = team["player"]
    video = _swing(m, player, T0)
    assert m.analyses.latest_for_video_system(video) is None
    old = _analyse(m, video, 50.0, at=T0 + timedelta(hours=1), engine="1.0.0")
    new = _analyse(m, video, 75.0, at=T0 + timedelta(hours=2), engine="2.0.0")
    got = m.analyses.latest_for_video_system(video)
    assert got == new and got.id != old.id and got.overall_score == 75.0
    assert got == m.analyses.latest_for_video(team["coach"], player.id, video.id)


def test_progress_on_or_before_is_the_newest_row_up_to_a_moment(m, team):
    coach = team["coach"]
    p = _user(m, "player", coach=coach)
    d1, d3 = datetime(2026, 6, 1, 9, tzinfo=UTC), datetime(2026, 6, 3, 9, tzinfo=UTC)
    _swing(m, p, d1, score=60.0)
    _swing(m, p, d3, score=80.0)
    _swing(m, p, d3 + timedelta(hours=1), score=90.0)
    assert m.progress.recompute_player(p.id) == 2
    day1 = datetime(2026, 6, 1, tzinfo=UTC)
    day3 = datetime(2026, 6, 3, tzinfo=UTC)
    at3 = m.progress.on_or_before(coach, p.id, day3 + timedelta(hours=12))
    assert at3.progress_date == day3 and at3.id == f"{p.id}:2026-06-03"
    assert at3.metrics["face_on"]["overall_score"] == {"mean": 85.0, "best": 90.0, "n": 2}
    assert m.progress.on_or_before(p, p.id, day3).progress_date == day3  # inclusive
    assert m.progress.on_or_before(coach, p.id, day3 - timedelta(seconds=1)).progress_date == day1
    assert m.progress.on_or_before(coach, p.id, day1).progress_date == day1
    assert m.progress.on_or_before(coach, p.id, day1 - timedelta(seconds=1)) is None
    for actor in (team["other_coach"], team["player"]):
        with pytest.raises(NotFound):
            m.progress.on_or_before(actor, p.id, day3)


# -- roster and summaries -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def roster(m):
    coach = _user(m, "coach", name="Rita Roster")
    alice = _user(m, "player", coach=coach, name="alice Able")
    bob = _user(m, "player", coach=coach, name="Bob Baker")
    carl = _user(m, "player", coach=coach, name="Carl Cole")
    _swing(m, alice, T0, score=50.0)
    alice_last = _swing(m, alice, T0 + timedelta(days=1), score=70.0)
    _swing(m, bob, T0 + timedelta(days=2), score=80.0)
    return {"coach": coach, "alice": alice, "bob": bob, "carl": carl, "alice_last": alice_last}


def test_roster_page_sorts_filters_and_pages(m, team, roster):
    coach = roster["coach"]
    alice, bob, carl = roster["alice"], roster["bob"], roster["carl"]

    def ids(**kw):
        return [r.player.id for r in m.roster.page(coach, coach.id, **kw).rows]

    assert ids() == [alice.id, bob.id, carl.id]  # by name, case-insensitive
    assert ids(descending=True) == [carl.id, bob.id, alice.id]
    assert ids(sort="score", descending=True) == [bob.id, alice.id, carl.id]
    assert ids(sort="score") == [alice.id, bob.id, carl.id]  # no score: last either way
    assert ids(sort="trend", descending=True) == [alice.id, bob.id, carl.id]
    assert ids(sort="last_swing", descending=True) == [bob.id, alice.id, carl.id]
    assert ids(sort="swings") == [carl.id, bob.id, alice.id]
    assert ids(q=" BAKER ") == [bob.id]
    assert ids(q=carl.username.upper()) == [carl.id]
    page = m.roster.page(coach, coach.id)
    first = page.rows[0]
    assert (first.n_swings, first.latest_score, first.trend) == (2, 70.0, 20.0)
    assert first.last_swing_at == T0 + timedelta(days=1)
    assert first.poster_video.id == roster["alice_last"].id
    assert page.rows[2].n_swings == 0 and page.rows[2].poster_video is None
    second = m.roster.page(coach, coach.id, per_page=2, page=2)
    assert [r.player.id for r in second.rows] == [carl.id]
    assert (second.total, second.page, second.pages, second.per_page) == (3, 2, 2, 2)
    assert m.roster.page(coach, coach.id, per_page=2, page=9).page == 2  # clamped
    assert m.roster.page(coach, coach.id, per_page=2, page=0).page == 1
    assert m.roster.page(team["admin"], coach.id).total == 3
    with pytest.raises(ValueError):
        m.roster.page(coach, coach.id, sort="password_hash")
    for actor in (team["other_coach"], alice):
        with pytest.raises(NotFound):
            m.roster.page(actor, coach.id)


def test_summaries_are_per_coach_and_rebuilt_from_the_swings(m, team, roster):
    coach, alice, bob, carl = roster["coach"], roster["alice"], roster["bob"], roster["carl"]
    m.roster.rows(coach, coach.id)  # fills in carl's row (he has no swing that wrote one)
    summaries = Summaries(m.db).for_coach(coach.id)
    assert set(summaries) == {alice.id, bob.id, carl.id}
    a = summaries[alice.id]
    assert (a.n_swings, a.recent_scores, a.poster_video_id) == (
        2,
        [70.0, 50.0],
        roster["alice_last"].id,
    )
    assert a.last_swing_at == T0 + timedelta(days=1)
    assert summaries[carl.id].n_swings == 0 and summaries[carl.id].last_swing_at is None
    assert Summaries(m.db).for_coach(team["other_coach"].id).keys().isdisjoint(summaries)
    # A bulk load that bypassed the managers: the rows are rebuilt from videos and analyses.
    for pid in (alice.id, bob.id):
        m.db.execute("summary_delete", {"user_id": pid})
    m.db.refresh("player_summary")
    assert set(Summaries(m.db).for_coach(coach.id)) == {carl.id}
    assert Summaries(m.db).rebuild([alice.id, bob.id]) == 2
    rebuilt = Summaries(m.db).for_coach(coach.id)
    assert rebuilt[alice.id].recent_scores == [70.0, 50.0]
    assert rebuilt[bob.id].n_swings == 1 and rebuilt[bob.id].recent_scores == [80.0]
    # refresh follows a change the managers did not see (idempotent otherwise).
    one = Summaries(m.db).refresh(bob.id)
    assert (one.n_swings, one.recent_scores) == (1, [80.0])
    assert Summaries(m.db).for_coach(coach.id)[bob.id].recent_scores == [80.0]
    assert Summaries(m.db).for_coach(team["other_coach"].id).keys().isdisjoint(rebuilt)


# -- the player's swing list and chart points ---------------------------------------------------
def test_swings_page_and_points_between(m, team):
    coach = team["coach"]
    p = _user(m, "player", coach=coach)
    v0 = _swing(m, p, T0, score=60.0)
    newest = _analyse(m, v0, 65.0, at=T0 + timedelta(days=1), engine="2.0.0")
    v1 = _swing(m, p, T0 + timedelta(days=1), status="failed")
    v2 = _swing(m, p, T0 + timedelta(days=2), score=70.0)
    v3 = _swing(m, p, T0 + timedelta(days=3), status="uploaded")

    def ids(page):
        return [r.video.id for r in page.rows]

    page = m.swings.page(coach, p.id)
    assert ids(page) == [v3.id, v2.id, v1.id, v0.id]  # newest first
    assert (page.total, page.page, page.pages) == (4, 1, 1) and page.any_pending
    rows = {r.video.id: r for r in page.rows}
    assert rows[v0.id].score.analysis_id == newest.id and rows[v0.id].score.overall_score == 65.0
    assert rows[v2.id].score.overall_score == 70.0
    assert rows[v1.id].score is None and rows[v3.id].score is None and rows[v3.id].pending
    assert ids(m.swings.page(coach, p.id, status="analyzed")) == [v2.id, v0.id]
    failed = m.swings.page(p, p.id, status="failed")
    assert ids(failed) == [v1.id] and failed.total == 1 and not failed.any_pending
    window = m.swings.page(coach, p.id, start=T0 + timedelta(days=1), end=T0 + timedelta(days=3))
    assert ids(window) == [v2.id, v1.id] and window.total == 2  # [start, end)
    last = m.swings.page(coach, p.id, per_page=3, page=2)
    assert ids(last) == [v0.id] and (last.total, last.pages) == (4, 2)
    assert m.swings.page(coach, p.id, per_page=3, page=7).page == 2
    with pytest.raises(ValueError):
        m.swings.page(coach, p.id, status="deleted")
    for actor in (team["other_coach"], team["player"]):
        with pytest.raises(NotFound):
            m.swings.page(actor, p.id)
    # The chart points: analysed swings oldest first, each with its newest analysis.
    points = m.swings.points_between(coach, p.id, T0, T0 + timedelta(days=10))
    assert [(pt.video_id, pt.overall_score) for pt in points] == [(v0.id, 65.0), (v2.id, 70.0)]
    assert points[0].uploaded_at == T0 and points[0].analyzed_at == newest.analyzed_at
    assert points[0].metrics == {"tempo_ratio": 65.0 / 20}
    later = m.swings.points_between(p, p.id, T0 + timedelta(days=1), T0 + timedelta(days=10))
    assert [pt.video_id for pt in later] == [v2.id]
    assert m.swings.points_between(coach, p.id, T0 - timedelta(days=9), T0) == []
    with pytest.raises(NotFound):
        m.swings.points_between(team["other_coach"], p.id, T0, T0 + timedelta(days=10))


# -- tokens ---------------------------------------------------------------------------------------
def test_a_token_is_read_by_its_owner_only(m, team):
    coach = team["coach"]
    token, _ = m.tokens.create(coach, name="capture app")
    assert m.tokens.get(coach, token.id) == token
    with pytest.raises(NotFound):
        m.tokens.get(team["other_coach"], token.id)
    with pytest.raises(NotFound):
        m.tokens.get(coach, "no-such-token")


def test_end_all_revokes_every_active_token_of_a_user_and_no_one_else(m, team):
    coach, other = team["coach"], team["other_coach"]
    kept, kept_raw = m.tokens.create(other, name="other coach's app")
    raws = [m.tokens.create(coach, name=f"app {i}")[1] for i in range(2)]
    active = [t for t in m.tokens.for_user(coach) if t.revoked_at is None]
    assert len(active) >= 2 and all(m.tokens.authenticate(r) for r in raws)
    assert m.tokens.end_all(coach.id) == len(active)
    assert all(t.revoked_at is not None for t in m.tokens.for_user(coach))
    assert not any(m.tokens.authenticate(r) for r in raws)
    assert m.tokens.end_all(coach.id) == 0  # nothing left to end
    assert m.tokens.authenticate(kept_raw) is not None and kept.revoked_at is None


def test_login_owner_names_the_account_of_a_username_or_email_in_any_case(m, team):
    coach = team["coach"]
    for login in (coach.username, coach.email, coach.username.upper(), f"  {coach.email} "):
        assert m.users.login_owner(login) == coach.id
    assert m.users.login_owner("nobody-by-that-name") is None


# -- similarity ---------------------------------------------------------------------------------
PHASES = ["address", "address", "top", "top", "impact", "impact"]


def _vectors(seed, n, dim):
    return np.random.default_rng(seed).random((n, dim)).astype(np.float32)


@pytest.fixture(scope="module")
def world(m):
    """Two players of one coach, one of another coach whose vectors copy the first player's
    (so only the scope keeps them out), and a swing whose newest analysis has no vector."""
    coach, other_coach = _user(m, "coach"), _user(m, "coach")
    righty = _user(m, "player", coach=coach, name="Ray Right")
    lefty = _user(m, "player", coach=coach, name="Lee Left")
    other = _user(m, "player", coach=other_coach, name="Otto Other")
    kp = np.random.default_rng(0).random((len(PHASES), 33, 4)).astype(np.float32)
    poses = {
        "righty": _vectors(1, 6, POSE_EMBEDDING_DIM),
        "lefty": _vectors(2, 6, POSE_EMBEDDING_DIM),
    }
    poses["other"] = poses["righty"]
    swing = {
        "righty": _vectors(3, 1, SWING_EMBEDDING_DIM)[0],
        "lefty": _vectors(4, 1, SWING_EMBEDDING_DIM)[0],
    }
    swing["other"] = swing["righty"]
    videos, analyses = {}, {}
    for name, player, view, left in (
        ("righty", righty, "face-on", False),
        ("lefty", lefty, "down-the-line", True),
        ("other", other, "face-on", False),
    ):
        video = _swing(m, player, T0, view=view)
        m.poses.write_video_poses(
            video, kp, 30.0, embeddings=poses[name], phases=PHASES, view=view, left_handed=left
        )
        details = {"view": view, "left_handed": left}
        if name == "righty":  # an older engine's analysis with another vector: never a result
            _analyse(
                m,
                video,
                40.0,
                at=T0 + timedelta(hours=1),
                engine="0.9.0",
                details=details,
                swing_embedding=_vectors(5, 1, SWING_EMBEDDING_DIM)[0],
            )
        analyses[name] = _analyse(
            m,
            video,
            60.0,
            at=T0 + timedelta(hours=2),
            details=details,
            swing_embedding=swing[name],
        )
        videos[name] = video
    bare = _swing(m, righty, T0 + timedelta(days=1), score=50.0)  # newest analysis: no vector
    return {
        "coach": coach,
        "other_coach": other_coach,
        "admin": _user(m, "admin"),
        "righty": righty,
        "lefty": lefty,
        "other": other,
        "videos": videos,
        "analyses": analyses,
        "poses": poses,
        "swing": swing,
        "bare": bare,
    }


def test_similarity_scope_and_players(m, world):
    coach, righty, lefty = world["coach"], world["righty"], world["lefty"]
    mine = m.similarity.scope(coach)
    assert mine.name == "mine" and mine.user_ids == {righty.id, lefty.id}
    assert m.similarity.scope(coach, "all").user_ids == mine.user_ids
    assert m.similarity.scope(righty).user_ids == {righty.id}
    one = m.similarity.scope(coach, "player", righty.id)
    assert one.user_ids == {righty.id} and one.player == righty
    everyone = m.similarity.scope(world["admin"], "all")
    assert everyone.user_ids is None and everyone.allows(world["other"].id)
    assert not mine.allows(world["other"].id)
    with pytest.raises(NotFound):
        m.similarity.scope(world["other_coach"], "player", righty.id)
    with pytest.raises(NotFound):
        m.similarity.scope(lefty, "player", righty.id)
    for name, pid in (("player", ""), ("everyone", "")):
        with pytest.raises(ScopeError):
            m.similarity.scope(coach, name, pid)
    # The players a one-player search picks from: by name.
    assert m.similarity.players(coach, mine) == [lefty, righty]
    assert m.similarity.players(righty, m.similarity.scope(righty)) == [righty]
    assert m.similarity.players(coach, mine, limit=1) == [lefty]
    all_players = m.similarity.players(world["admin"], everyone)
    assert {righty.id, lefty.id, world["other"].id} <= {u.id for u in all_players}
    assert {u.role for u in all_players} == {"player"}


def test_similarity_query_pose_and_hit(m, world):
    coach, righty = world["coach"], world["righty"]
    video = world["videos"]["righty"]
    pose = m.similarity.query_pose(coach, righty.id, video.id, 2)
    assert pose.frame_number == 2 and pose.phase == "top" and pose.view == "face-on"
    assert pose.left_handed is False
    np.testing.assert_allclose(pose.embedding, world["poses"]["righty"][2], rtol=1e-6)
    with pytest.raises(NotFound):
        m.similarity.query_pose(world["other_coach"], righty.id, video.id, 2)
    with pytest.raises(NotFound):
        m.similarity.query_pose(coach, righty.id, video.id, 99)
    scope = m.similarity.scope(coach)
    hit = m.similarity.hit(
        coach,
        scope,
        user_id=righty.id,
        video_id=video.id,
        frame_number=2,
        phase="top",
        distance=0.25,
    )
    assert hit.video == m.videos.get(SYSTEM, righty.id, video.id) and hit.player == righty
    assert (hit.frame_number, hit.phase, hit.distance) == (2, "top", 0.25)
    assert hit.pose.id == pose.id
    swing_hit = m.similarity.hit(
        coach, scope, user_id=righty.id, video_id=video.id, frame_number=None, phase=None,
        distance=1.0,
    )  # fmt: skip
    assert swing_hit.pose is None and swing_hit.video.id == video.id
    other = world["other"]
    gone = [
        # out of the scope, though the row exists
        (coach, scope, other.id, world["videos"]["other"].id, 2),
        # in a scope the actor may not use (a result never rests on the index alone)
        (world["other_coach"], m.similarity.scope(world["admin"]), righty.id, video.id, 2),
        (coach, scope, righty.id, "no-such-video", None),
        (coach, scope, righty.id, video.id, 99),
    ]
    for actor, sc, uid, vid, frame in gone:
        assert (
            m.similarity.hit(
                actor, sc, user_id=uid, video_id=vid, frame_number=frame, phase=None, distance=0.0
            )
            is None
        ), (uid, vid, frame)


def _check_candidates(m, got, exhaustive, expected, must_have):
    """SQLite scans every allowed row (the exact set); CrateDB's KNN_MATCH returns the nearest k
    per shard that pass the filters, so fewer may come back, but never one outside them."""
    assert exhaustive is (m.db.dialect == "sqlite")
    assert got <= expected
    assert must_have in got
    if exhaustive:
        assert got == expected


def test_similarity_knn_poses_keeps_to_the_scope_and_filters(m, world):
    coach, righty, lefty = world["coach"], world["righty"], world["lefty"]
    rv, lv = world["videos"]["righty"].id, world["videos"]["lefty"].id
    query = world["poses"]["righty"][2]
    scope = m.similarity.scope(coach)
    everything = {(v, f) for v in (rv, lv) for f in range(len(PHASES))}

    def run(flt, sc=scope):
        cands, exhaustive = m.similarity.knn_poses(query, sc, flt, 100)
        return cands, {(c.video_id, c.frame_number) for c in cands}, exhaustive

    cands, got, exhaustive = run(Filters())
    _check_candidates(m, got, exhaustive, everything, (rv, 2))
    best = next(c for c in cands if (c.video_id, c.frame_number) == (rv, 2))
    assert best.user_id == righty.id and best.phase == "top"
    np.testing.assert_allclose(best.embedding, query, rtol=1e-6)
    assert world["other"].id not in {c.user_id for c in cands}  # its vectors equal righty's
    _, got, exhaustive = run(Filters(phase="top"))
    _check_candidates(m, got, exhaustive, {(rv, 2), (rv, 3), (lv, 2), (lv, 3)}, (rv, 2))
    _, got, exhaustive = run(Filters(view="down-the-line"))
    _check_candidates(m, got, exhaustive, {x for x in everything if x[0] == lv}, (lv, 0))
    _, got, exhaustive = run(Filters(left_handed=False, exclude_video=rv))
    assert got == set()
    _, got, exhaustive = run(Filters(left_handed=True))
    assert {v for v, _ in got} == {lv}
    one = m.similarity.scope(coach, "player", lefty.id)
    _, got, exhaustive = run(Filters(), one)
    _check_candidates(m, got, exhaustive, {x for x in everything if x[0] == lv}, (lv, 2))
    # An admin's scope reaches the other coach's player too.
    _, got, exhaustive = run(Filters(), m.similarity.scope(world["admin"]))
    assert (world["videos"]["other"].id, 2) in got and (rv, 2) in got


def test_similarity_knn_swings_compares_the_newest_analyses(m, world):
    coach = world["coach"]
    rv, lv = world["videos"]["righty"].id, world["videos"]["lefty"].id
    newest = {"righty": world["analyses"]["righty"].id, "lefty": world["analyses"]["lefty"].id}
    query = world["swing"]["righty"]
    scope = m.similarity.scope(coach)

    def run(flt):
        cands, exhaustive = m.similarity.knn_swings(query, scope, flt, 100)
        return cands, {c.id for c in cands}, exhaustive

    cands, got, exhaustive = run(Filters())
    # The older engine's analysis of righty's swing is never a candidate, nor anything of other.
    _check_candidates(m, got, exhaustive, set(newest.values()), newest["righty"])
    best = next(c for c in cands if c.id == newest["righty"])
    assert (best.video_id, best.user_id, best.view, best.left_handed) == (
        rv,
        world["righty"].id,
        "face-on",
        False,
    )
    assert best.analyzed_at == world["analyses"]["righty"].analyzed_at
    np.testing.assert_allclose(best.embedding, query, rtol=1e-6)
    _, got, exhaustive = run(Filters(view="down-the-line"))
    _check_candidates(m, got, exhaustive, {newest["lefty"]}, newest["lefty"])
    _, got, _ = run(Filters(left_handed=False, exclude_video=rv))
    assert got == set()
    _, got, exhaustive = run(Filters(left_handed=True, exclude_video=rv))
    _check_candidates(m, got, exhaustive, {newest["lefty"]}, newest["lefty"])
    # The newest analysis per video, by id.
    assert m.similarity.newest_analysis_ids({rv, lv, "no-such-video"}) == {
        rv: newest["righty"],
        lv: newest["lefty"],
    }
    assert m.similarity.newest_analysis_ids(set()) == {}
    got = m.similarity.newest_analysis(world["righty"].id, rv)
    assert got.id == newest["righty"] and got.engine_version == "1.0.0"
    np.testing.assert_allclose(got.swing_embedding, query, rtol=1e-6)
    assert m.similarity.newest_analysis(world["lefty"].id, rv) is None  # someone else's video


def test_similarity_vector_loads(m, world):
    righty = world["righty"]
    rv = world["videos"]["righty"].id
    lv = world["videos"]["lefty"].id
    rows = m.similarity.pose_vectors(video=(rv, righty.id))
    assert rows.videos == [(rv, righty.id)] and len(rows) == len(PHASES)
    assert list(rows.frame) == list(range(len(PHASES))) and rows.phase == PHASES
    assert rows.view == ["face-on"] * len(PHASES) and rows.left_handed == [False] * len(PHASES)
    np.testing.assert_allclose(rows.vectors, world["poses"]["righty"], rtol=1e-6)
    assert len(m.similarity.pose_vectors(video=(rv, world["lefty"].id))) == 0
    # A page of every video's vectors, ordered by video, resumable after a video.
    page = m.similarity.pose_vectors(after_video="")
    mine = sorted((rv, lv))
    videos = [v for v, _ in page.videos]
    assert videos == sorted(videos) and set(mine) <= set(videos)
    assert page.cursor == videos[-1]
    code = videos.index(rv)
    np.testing.assert_allclose(page.vectors[page.video_code == code], world["poses"]["righty"])
    after = m.similarity.pose_vectors(after_video=mine[0])
    assert mine[0] not in [v for v, _ in after.videos] and mine[1] in [v for v, _ in after.videos]
    assert len(m.similarity.pose_vectors(after_video=page.cursor)) == 0
    assert m.similarity.pose_vectors(after_video=page.cursor).cursor == ""
    # Swing vectors: the newest analysis of each video, none where it has no vector.
    one = m.similarity.swing_vectors(video=(rv, righty.id))
    assert one.videos == [(rv, righty.id)] and list(one.frame) == [-1]
    assert one.view == ["face-on"] and one.left_handed == [False] and one.phase == [None]
    np.testing.assert_allclose(one.vectors[0], world["swing"]["righty"], rtol=1e-6)
    assert len(m.similarity.swing_vectors(video=(world["bare"].id, righty.id))) == 0
    swings = m.similarity.swing_vectors(after_video="")
    keys = swings.videos
    assert (rv, righty.id) in keys and (lv, world["lefty"].id) in keys
    assert (world["bare"].id, righty.id) not in keys and len(keys) == len(set(keys))
    np.testing.assert_allclose(
        swings.vectors[keys.index((rv, righty.id))], world["swing"]["righty"]
    )
    assert swings.left_handed[keys.index((lv, world["lefty"].id))] is True


def test_similarity_change_feed(m, world):
    generation, head = m.similarity.feed_head()
    if m.db.dialect == "crate":
        # No in-memory index runs on CrateDB: the feed always says "nothing has changed".
        assert (generation, head) == (0, 0)
        assert m.similarity.feed_since("pose", 0) == []
        return
    righty = world["righty"]
    video = _swing(m, righty, T0 + timedelta(days=5))
    assert m.similarity.feed_since("pose", head) == []
    m.poses.write_video_poses(video, np.full((3, 33, 4), 0.5, np.float32), 30.0)
    gen2, head2 = m.similarity.feed_head()
    assert gen2 == generation and head2 > head
    [entry] = m.similarity.feed_since("pose", head)
    assert (entry.video_id, entry.user_id, entry.seq) == (video.id, righty.id, head2)
    assert m.similarity.feed_since("swing", head) == []
    _analyse(m, video, 55.0, at=T0 + timedelta(days=5, hours=1))
    swing_changes = m.similarity.feed_since("swing", head2)
    assert [(e.video_id, e.user_id) for e in swing_changes] == [(video.id, righty.id)]
    assert m.similarity.feed_since("pose", head2) == []
    assert len(m.similarity.feed_since("pose", 0, limit=1)) == 1


# -- admin data: users --------------------------------------------------------------------------
def test_admin_reads_creates_and_updates_users_with_an_audit_trail(m, team):
    admin, coach, other_coach = team["admin"], team["coach"], team["other_coach"]
    assert m.admin.user(admin, coach.id) == coach
    with pytest.raises(NotFound):
        m.admin.user(coach, coach.id)
    username = unique("newbie")
    user, generated = m.admin.create_user(
        admin,
        username=f" {username} ",
        email=f"{username}@example.com",
        role="player",
        coach_id=coach.id,
        full_name="  Nina New ",
    )
    assert generated and (user.username, user.full_name, user.coach_id) == (
        username,
        "Nina New",
        coach.id,
    )
    assert m.users.get(user.id) == user
    assert m.users.authenticate(username, generated).id == user.id
    [entry] = _audit_for(m, "user", user.id)
    assert entry.action == "user.create" and entry.actor_id == admin.id
    assert entry.after["username"] == username and "password_hash" not in entry.after
    named, none = m.admin.create_user(
        admin, username=unique("coachy"), email=f"{unique('c')}@example.com", role="coach",
        password=NEW_PASSWORD,
    )  # fmt: skip
    assert none is None and m.users.authenticate(named.username, NEW_PASSWORD).id == named.id
    with pytest.raises(NotFound):
        m.admin.create_user(coach, username=unique("x"), email="x@example.com", role="player")
    with pytest.raises(ValidationError) as e:
        m.admin.create_user(
            admin, username=unique("x"), email="x@example.com", role="player", full_name="a\x00b"
        )
    assert e.value.field == "full_name"
    # An edit writes only what changed into the log.
    moved = m.admin.update_user(
        admin, user.id, {"coach_id": other_coach.id, "full_name": "Nina New"}
    )
    assert moved.coach_id == other_coach.id and m.users.get(user.id).coach_id == other_coach.id
    latest = _audit_for(m, "user", user.id)[0]
    assert latest.action == "user.update"
    assert (latest.before, latest.after) == ({"coach_id": coach.id}, {"coach_id": other_coach.id})
    # Deactivating ends the user's sessions at once.
    session = _session(m, user.id)
    m.admin.update_user(admin, user.id, {"active": False})
    assert m.users.get(user.id).active is False
    assert _stored_session(m, session.session_key) is None
    for changes, field in (
        ({"password_hash": "x"}, "password_hash"),
        ({"active": "no"}, "active"),
        ({"username": "  "}, "username"),
    ):
        with pytest.raises(ValidationError) as e:
            m.admin.update_user(admin, user.id, changes)
        assert e.value.field == field
    with pytest.raises(ValidationError) as e:  # an admin cannot demote themselves
        m.admin.update_user(admin, admin.id, {"role": "coach"})
    assert e.value.field == "role"
    with pytest.raises(ValidationError) as e:  # a coach with players stays a coach
        m.admin.update_user(admin, coach.id, {"role": "player", "coach_id": other_coach.id})
    assert e.value.field == "role" and m.users.get(coach.id).role == "coach"
    with pytest.raises(NotFound):
        m.admin.update_user(coach, user.id, {"full_name": "Nope"})


def test_admin_password_reset_generates_or_sets_one_and_ends_sessions(m, team):
    admin = team["admin"]
    p = _user(m, "player", coach=team["coach"])
    session = _session(m, p.id)
    generated = m.admin.reset_password(admin, p.id)
    assert generated and m.users.authenticate(p.username, generated).id == p.id
    assert m.users.authenticate(p.username, TEST_PASSWORD) is None
    assert _stored_session(m, session.session_key) is None
    entry = _audit_for(m, "user", p.id)[0]
    assert entry.action == "user.password_reset" and entry.actor_id == admin.id
    assert generated not in repr(entry.after) and entry.after["generated"] is True
    assert m.admin.reset_password(admin, p.id, NEW_PASSWORD) is None
    assert m.users.authenticate(p.username, NEW_PASSWORD).id == p.id
    with pytest.raises(NotFound):
        m.admin.reset_password(team["coach"], p.id, NEW_PASSWORD)
    with pytest.raises(NotFound):
        m.admin.reset_password(admin, "no-such-user")


def test_player_settings_are_changed_by_their_coach_or_an_admin(m, team):
    coach = team["coach"]
    p = _user(m, "player", coach=coach, settings={"handedness": "right", "note": "keep"})
    new = m.admin.update_player_settings(
        coach,
        p.id,
        handedness="left",
        view="down-the-line",
        targets={"tempo_ratio": ("2.5", 3.5), "head_sway": None},
    )
    want = {
        "handedness": "left",
        "view": "down-the-line",
        "note": "keep",
        "targets": {"tempo_ratio": [2.5, 3.5]},
    }
    assert new.settings == want and m.users.get(p.id).settings == want
    [entry] = _audit_for(m, "user", p.id)
    assert entry.action == "player.settings" and entry.actor_id == coach.id
    assert entry.before == {"handedness": "right", "view": None, "targets": None}
    assert entry.after == {
        "handedness": "left",
        "view": "down-the-line",
        "targets": {"tempo_ratio": [2.5, 3.5]},
    }
    # The same settings again: nothing written, nothing logged.
    same = m.admin.update_player_settings(
        team["admin"],
        p.id,
        handedness="left",
        view="down-the-line",
        targets={"tempo_ratio": (2.5, 3.5)},
    )
    assert same.settings == want and len(_audit_for(m, "user", p.id)) == 1
    with pytest.raises(NotAllowed):
        m.admin.update_player_settings(p, p.id, handedness="left", view="face-on", targets={})
    with pytest.raises(NotFound):
        m.admin.update_player_settings(
            team["other_coach"], p.id, handedness="left", view="face-on", targets={}
        )
    for kw, field in (
        ({"handedness": "both"}, "handedness"),
        ({"view": "overhead"}, "view"),
        ({"targets": {"tempo_ratio": (3.5, 2.5)}}, "tempo_ratio_lo"),
        ({"targets": {"tempo_ratio": ("x", 2.5)}}, "tempo_ratio_lo"),
        ({"targets": {"tempo_ratio": (1, float("inf"))}}, "tempo_ratio_hi"),
        ({"targets": {"swagger": (1, 2)}}, "target_swagger"),
    ):
        args = {"handedness": "left", "view": "face-on", "targets": {}, **kw}
        with pytest.raises(ValidationError) as e:
            m.admin.update_player_settings(coach, p.id, **args)
        assert e.value.field == field
    assert m.users.get(p.id).settings == want


def test_profile_and_password_change_are_ones_own(m):
    u = _user(m, "player", name="Old Name")
    old_email = u.email
    email = f"{unique('moved')}@example.com"
    new = m.admin.update_profile(u, full_name="  New Name ", email=f" {email} ")
    assert (new.full_name, new.email) == ("New Name", email)
    assert m.users.get(u.id) == new
    assert m.users.by_login(email).id == u.id and m.users.by_login(old_email) is None
    [entry] = _audit_for(m, "user", u.id)
    assert entry.action == "user.profile" and entry.actor_id == u.id
    assert entry.before == {"full_name": "Old Name", "email": old_email}
    assert entry.after == {"full_name": "New Name", "email": email}
    for kw, field in (
        ({"full_name": "x", "email": "not-an-email"}, "email"),
        ({"full_name": "tab\there", "email": email}, "full_name"),
    ):
        with pytest.raises(ValidationError) as e:
            m.admin.update_profile(u, **kw)
        assert e.value.field == field
    session = _session(m, u.id)
    for current, pw, field in (
        ("wrong-password-99", NEW_PASSWORD, "current_password"),
        (TEST_PASSWORD, TEST_PASSWORD, "new_password"),
        (TEST_PASSWORD, "1234567890", "new_password"),
    ):
        with pytest.raises(ValidationError) as e:
            m.admin.change_password(u, current=current, new=pw)
        assert e.value.field == field
    assert m.users.authenticate(u.username, TEST_PASSWORD).id == u.id
    assert _stored_session(m, session.session_key) is not None
    m.admin.change_password(u, current=TEST_PASSWORD, new=NEW_PASSWORD)
    assert m.users.authenticate(u.username, NEW_PASSWORD).id == u.id
    assert m.users.authenticate(u.username, TEST_PASSWORD) is None
    assert _stored_session(m, session.session_key) is None
    entry = _audit_for(m, "user", u.id)[0]
    assert entry.action == "user.password_change" and NEW_PASSWORD not in repr(entry.after)


# -- admin data: videos, analyses, progress -----------------------------------------------------
class RecordingStore:
    """A blob store that records deletes; refs in `missing` are already gone."""

    def __init__(self, missing=()):
        self.deleted: list[str] = []
        self.missing = set(missing)

    def delete(self, ref: str) -> None:
        if ref in self.missing:
            raise BlobNotFound(ref)
        self.deleted.append(ref)


def test_admin_video_edit_and_delete(m, team):
    admin, coach = team["admin"], team["coach"]
    p = _user(m, "player", coach=coach)
    video = _swing(m, p, T0, score=70.0, club="driver", view="face-on")
    kept = _swing(m, p, T0 + timedelta(days=1), score=60.0)
    assert m.admin.video(admin, p.id, video.id) == video
    with pytest.raises(NotFound):
        m.admin.video(coach, p.id, video.id)
    changed = m.admin.update_video(
        admin,
        p.id,
        video.id,
        {"filename": " range.mp4 ", "club": "7i", "view": "down-the-line", "status": "failed"},
    )
    assert (changed.filename, changed.status) == ("range.mp4", "failed")
    assert changed.metadata == {"club": "7i", "view": "down-the-line"}
    assert m.videos.get(SYSTEM, p.id, video.id) == changed
    entry = _audit_for(m, "video", video.id)[0]
    assert entry.action == "video.update" and entry.actor_id == admin.id
    assert entry.before["status"] == "analyzed" and entry.after["status"] == "failed"
    assert entry.after["metadata"] == {"club": "7i", "view": "down-the-line"}
    assert "updated_at" not in entry.after
    cleared = m.admin.update_video(admin, p.id, video.id, {"club": "", "view": ""})
    assert cleared.metadata == {}
    assert m.admin.update_video(admin, p.id, video.id, {"club": "", "view": ""}) == cleared
    # The values it already has: no write and no audit entry.
    same = {"status": "failed", "filename": "range.mp4"}
    assert m.admin.update_video(admin, p.id, video.id, same) == cleared
    assert len(_audit_for(m, "video", video.id)) == 2
    for changes, field in (
        ({"filename": "../x.mp4"}, "filename"),
        ({"status": "gone"}, "status"),
        ({"view": "overhead"}, "view"),
        ({"blob_ref": "file:///etc/passwd"}, "blob_ref"),
    ):
        with pytest.raises(ValidationError) as e:
            m.admin.update_video(admin, p.id, video.id, changes)
        assert e.value.field == field
    with pytest.raises(NotFound):
        m.admin.update_video(coach, p.id, video.id, {"status": "uploaded"})
    # Only the allowed status changes: never to "processing" (the worker's), nor out of
    # "expired"; the refusal names the field and changes nothing.
    with pytest.raises(ValidationError) as e:
        m.admin.update_video(admin, p.id, video.id, {"status": "processing"})
    assert e.value.field == "status" and "only to uploaded" in e.value.message
    with pytest.raises(ValidationError):
        m.admin.update_video(admin, p.id, video.id, {"status": "expired"})
    assert m.videos.get(SYSTEM, p.id, video.id).status == "failed"
    # Delete: refused while the worker has it; then blobs, rows and derived rows go.
    m.videos.update(m.videos.get(SYSTEM, p.id, video.id), status="processing")
    with pytest.raises(ValidationError) as e:
        m.admin.delete_video(admin, p.id, video.id, RecordingStore())
    assert e.value.field == "status" and m.videos.find_any(video.id) is not None
    full = m.videos.update(
        m.videos.get(SYSTEM, p.id, video.id),
        status="failed",
        blob_ref="local://raw/v.mp4",
        metadata={"pose_ref": "local://poses/p.csv", "thumbs": {"poster_ref": "local://t/p.jpg"}},
    )
    m.poses.write_video_poses(full, np.full((4, 33, 4), 0.5, np.float32), 30.0)
    m.progress.recompute_player(p.id)
    store = RecordingStore(missing={"local://poses/p.csv"})  # already gone: not an error
    m.admin.delete_video(admin, p.id, video.id, store)
    assert store.deleted == ["local://raw/v.mp4", "local://t/p.jpg"]
    assert m.videos.find_any(video.id) is None and m.poses.count(full) == 0
    assert m.analyses.latest_for_video_system(full) is None
    assert [
        pt.progress_date.date()
        for pt in m.progress.between(admin, p.id, T0, T0 + timedelta(days=9))
    ] == [(T0 + timedelta(days=1)).date()]
    assert m.videos.find_any(kept.id) is not None
    entry = _audit_for(m, "video", video.id)[0]
    assert entry.action == "video.delete" and entry.before["filename"] == "range.mp4"
    with pytest.raises(NotFound):
        m.admin.delete_video(admin, p.id, video.id, RecordingStore())


def test_admin_analyses_listing_and_one_analysis(m, team):
    admin, coach = team["admin"], team["coach"]
    p = _user(m, "player", coach=coach)
    v0 = _swing(m, p, T0, score=50.0)
    a1 = _analyse(m, v0, 55.0, at=T0 + timedelta(days=1), engine="2.0.0",
                  swing_embedding=np.arange(SWING_EMBEDDING_DIM, dtype=np.float32))  # fmt: skip
    v1 = _swing(m, p, T0 + timedelta(days=2), score=60.0)
    page = m.admin.analyses_page(admin, player_id=p.id)
    assert page.total == 3 and (page.page, page.pages) == (1, 1)
    assert [r.record.video_id for r in page.rows] == [v1.id, v0.id, v0.id]  # newest first
    assert [r.record.overall_score for r in page.rows] == [60.0, 55.0, 50.0]
    assert all(r.player == p for r in page.rows)
    assert all(r.record.swing_embedding is None for r in page.rows)  # listings skip vectors
    second = m.admin.analyses_page(admin, player_id=p.id, per_page=2, page=2)
    assert [r.record.overall_score for r in second.rows] == [50.0] and second.pages == 2
    assert m.admin.analyses_page(admin).total >= 3
    with pytest.raises(NotFound):
        m.admin.analyses_page(coach, player_id=p.id)
    got = m.admin.analysis(coach, p.id, a1.id)
    assert dataclasses.replace(got, swing_embedding=None) == dataclasses.replace(
        a1, swing_embedding=None
    )
    np.testing.assert_array_equal(got.swing_embedding, a1.swing_embedding)
    assert m.admin.analysis(p, p.id, a1.id).id == a1.id  # the player sees their own
    with pytest.raises(NotFound):
        m.admin.analysis(team["other_coach"], p.id, a1.id)
    with pytest.raises(NotFound):
        m.admin.analysis(coach, p.id, "no-such-analysis")


ENGINE_FEEDBACK = [
    {"aspect": "tempo_ratio", "finding": "4:1", "recommendation": "quicker", "priority": 1,
     "metric_value": 4.0},
    {"aspect": "head_sway", "finding": "0.2", "recommendation": "still", "priority": 2,
     "metric_value": 0.2},
]  # fmt: skip


def test_feedback_edits_and_reviews_by_the_coach(m, team):
    coach = team["coach"]
    p = _user(m, "player", coach=coach)
    video = _swing(m, p, T0)
    a = _analyse(m, video, 64.0, at=T0 + timedelta(hours=1), feedback=ENGINE_FEEDBACK)
    items = [
        {"aspect": "balance", "finding": "", "recommendation": "hold the finish", "priority": "3"},
        {"index": 1, "aspect": "head_sway", "finding": "0.2", "recommendation": "Keep still",
         "priority": 1},
    ]  # fmt: skip
    new = m.admin.update_feedback(coach, p.id, a.id, items)
    assert [f["aspect"] for f in new.feedback] == ["head_sway", "balance"]  # by priority
    assert new.feedback[0]["metric_value"] == 0.2  # the engine's extra keys stay
    assert new.feedback[1] == {
        "aspect": "balance",
        "finding": "",
        "recommendation": "hold the finish",
        "priority": 3,
    }
    stored = m.analyses.latest_for_video_system(video)
    assert stored.feedback == new.feedback and stored.metrics == a.metrics
    assert stored.details["feedback_original"] == ENGINE_FEEDBACK
    assert stored.details["feedback_edited_by"] == coach.id
    entry = _audit_for(m, "analysis", a.id)[0]
    assert entry.action == "analysis.feedback" and entry.before == {"feedback": ENGINE_FEEDBACK}
    # A second edit keeps the engine's original, not the first edit.
    again = m.admin.update_feedback(team["admin"], p.id, a.id, items[:1])
    assert again.details["feedback_original"] == ENGINE_FEEDBACK and len(again.feedback) == 1
    assert m.admin.update_feedback(coach, p.id, a.id, items[:1]) == again  # unchanged: no write
    for bad, field in (
        ([{**items[0], "priority": 5}], "priority_0"),
        ([{**items[0], "recommendation": " "}], "recommendation_0"),
        ([{**items[0], "aspect": "x" * 81}], "aspect_0"),
        ([items[0]] * 21, "feedback"),
    ):
        with pytest.raises(ValidationError) as e:
            m.admin.update_feedback(coach, p.id, a.id, bad)
        assert e.value.field == field
    with pytest.raises(NotAllowed):
        m.admin.update_feedback(p, p.id, a.id, items)
    with pytest.raises(NotFound):
        m.admin.update_feedback(team["other_coach"], p.id, a.id, items)
    # Reviewed, and back.
    reviewed = m.admin.mark_reviewed(coach, p.id, a.id)
    assert reviewed.details["reviewed_by"] == coach.id and reviewed.details["reviewed_at"]
    assert m.analyses.latest_for_video_system(video).details["reviewed_by"] == coach.id
    assert _audit_for(m, "analysis", a.id)[0].action == "analysis.review"
    back = m.admin.mark_reviewed(coach, p.id, a.id, reviewed=False)
    assert "reviewed_by" not in back.details and "reviewed_at" not in back.details
    assert back.details["feedback_original"] == ENGINE_FEEDBACK
    entry = _audit_for(m, "analysis", a.id)[0]
    assert entry.action == "analysis.unreview" and entry.before["reviewed_by"] == coach.id
    n = len(_audit_for(m, "analysis", a.id))
    assert m.admin.mark_reviewed(coach, p.id, a.id, reviewed=False) == back  # nothing to undo
    assert len(_audit_for(m, "analysis", a.id)) == n
    with pytest.raises(NotAllowed):
        m.admin.mark_reviewed(p, p.id, a.id)
    with pytest.raises(NotFound):
        m.admin.mark_reviewed(team["other_coach"], p.id, a.id)


def test_admin_recomputes_a_players_progress(m, team):
    admin = team["admin"]
    p = _user(m, "player", coach=team["coach"])
    _swing(m, p, T0, score=60.0)
    _swing(m, p, T0 + timedelta(days=2), score=70.0)
    m.db.execute("progress_delete_for_player", {"user_id": p.id})  # a load that skipped them
    m.db.refresh("progress")
    assert m.progress.between(admin, p.id, T0 - timedelta(days=1), T0 + timedelta(days=9)) == []
    assert m.admin.recompute_progress(admin, p.id) == 2
    rows = m.progress.between(admin, p.id, T0 - timedelta(days=1), T0 + timedelta(days=9))
    assert [r.progress_date.date() for r in rows] == [T0.date(), (T0 + timedelta(days=2)).date()]
    assert rows[1].metrics["face_on"]["overall_score"]["mean"] == 70.0
    entry = _audit_for(m, "progress", p.id)[0]
    assert entry.action == "progress.recompute" and entry.actor_id == admin.id
    assert (entry.before, entry.after) == ({"rows": 0}, {"rows": 2})
    with pytest.raises(NotFound):
        m.admin.recompute_progress(team["coach"], p.id)
    with pytest.raises(NotFound):
        m.admin.recompute_progress(admin, team["coach"].id)  # not a player


# -- the guard ----------------------------------------------------------------------------------
# How coverage is measured: a static scan of the contract files' source, not a recorder.
#
# A recorder (patching every manager method while the contract files run) only knows the calls of
# the tests in the current pytest session: run this file alone, or one contract file, or with -k,
# and it would fail (or have to skip, and then guard nothing); and it needs a conftest hook around
# the whole session. The scan gives the same answer however the suite is selected or ordered:
# - contract files are found, not listed: every tests/**/*.py whose fixtures are parametrized with
#   `params=BACKENDS` (tests/backends.py), so a new contract file counts as soon as it exists;
# - in them, every call `<x>.<attr>.<method>(...)` where <attr> names a manager (a field of
#   `Managers`, or a manager held by one, e.g. `m.admin.users`), and every call
#   `<ManagerClass>(...).<method>(...)` (Summaries, which the managers build per call), credits
#   that class's method. Calls a contract test makes only indirectly (through the pipeline or a
#   helper module) do not count: the contract test must call the method itself.
# The methods required are every public method (no leading underscore) of every manager class
# reachable from `managers(db)`: the Managers fields, the managers they hold, and the classes of
# swingvision/db/managers built over the gateway alone (what the managers build inside methods).

# "<attr>.<method>" -> why it needs no backend test. Only pure Python helpers that run no SQL may
# be listed here (none today: every public manager method reads or writes the database).
PURE_PYTHON: dict[str, str] = {}


def _manager_classes(tmp_path) -> dict[str, type]:
    """attr name -> manager class, for every manager class reachable from managers(db)."""
    from swingvision.db import managers as package

    db = Database(parse_db_url(f"sqlite:///{tmp_path / 'guard.db'}"))  # never connected
    found: dict[str, type] = {}

    def walk(attr: str, obj: object) -> None:
        cls = type(obj)
        if not cls.__module__.startswith(f"{package.__name__}."):
            return
        assert found.setdefault(attr, cls) is cls, f"{attr} names two manager classes"
        for name, value in vars(obj).items():
            walk(name, value)

    ms = managers(db)
    for f in dataclasses.fields(Managers):
        walk(f.name, getattr(ms, f.name))
    reachable = set(found.values())
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for name, cls in vars(module).items():
            if (
                inspect.isclass(cls)
                and cls.__module__ == module.__name__
                and inspect.isfunction(init := vars(cls).get("__init__"))
                and list(inspect.signature(init).parameters) == ["self", "db"]
                and cls not in reachable
            ):
                found[name.lower()] = cls
                reachable.add(cls)
    return found


def _public_methods(cls: type) -> list[str]:
    return sorted(
        name
        for name, value in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_")
    )


def _runs_on_backends(node: ast.AST) -> bool:
    """A fixture over every backend: `params=BACKENDS`, or `m = managers_fixture()`."""
    if isinstance(node, ast.keyword):
        return (
            node.arg == "params"
            and isinstance(node.value, ast.Name)
            and node.value.id == "BACKENDS"
        )
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "managers_fixture"
    )


def _contract_files() -> list[Path]:
    out = []
    for path in sorted(Path(__file__).resolve().parent.rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        if any(_runs_on_backends(node) for node in ast.walk(tree)):
            out.append(path)
    return out


def _credited_calls(path: Path, by_attr: dict[str, type]) -> set[tuple[type, str]]:
    by_name = {cls.__name__: cls for cls in by_attr.values()}
    calls = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        receiver = node.func.value
        cls = None
        if isinstance(receiver, ast.Attribute):
            cls = by_attr.get(receiver.attr)
        elif isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Name):
            cls = by_name.get(receiver.func.id)
        if cls is not None:
            calls.add((cls, node.func.attr))
    return calls


def test_every_manager_method_runs_in_a_backend_contract_test(tmp_path):
    by_attr = _manager_classes(tmp_path)
    canonical = {}
    for attr, cls in by_attr.items():
        canonical.setdefault(cls, attr)  # the Managers field name comes first
    required = {
        f"{attr}.{name}": (cls, name)
        for cls, attr in canonical.items()
        for name in _public_methods(cls)
    }
    # The introspection must see what the review named, or it proves nothing.
    for known in ("summaries.for_coach", "admin.change_password", "swings.points_between"):
        assert known in required, known
    assert len(canonical) >= 16 and len(required) >= 100
    files = _contract_files()
    names = {p.relative_to(Path(__file__).resolve().parent).as_posix() for p in files}
    assert {
        "test_db_contract.py",
        "test_db_contract_more.py",
        "videos/test_contract.py",
        "coaching/test_coaching_contract.py",
        "security/test_audit_contract.py",
    } <= names
    called = set().union(*(_credited_calls(p, by_attr) for p in files))
    stale = sorted(k for k in PURE_PYTHON if k not in required)
    assert not stale, f"PURE_PYTHON lists methods that do not exist: {stale}"
    missing = sorted(
        key for key, target in required.items() if target not in called and key not in PURE_PYTHON
    )
    assert not missing, (
        "manager methods no backend-parametrized contract test calls "
        f"(add one, e.g. to tests/test_db_contract_more.py): {missing}"
    )
