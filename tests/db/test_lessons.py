"""The lessons manager against every configured backend: scope (coach only their players, player
only themselves, admin all), validation, unwatched-first order and the watched mark."""

from __future__ import annotations

import pytest

from swingvision.db import NotFound
from swingvision.db.managers import SYSTEM, NotAllowed, ValidationError
from swingvision.db.records import Lesson
from tests.backends import managers_fixture
from tests.db.helpers import race
from tests.factories import cast

m = managers_fixture()


@pytest.fixture(scope="module")
def team(m):
    team = cast(m)
    player, other_player = team["player"], team["other_player"]
    video = m.videos.create(SYSTEM, player.id, filename="a.mp4", status="analyzed")
    video2 = m.videos.create(SYSTEM, player.id, filename="b.mp4", status="analyzed")
    other_video = m.videos.create(SYSTEM, other_player.id, filename="c.mp4", status="analyzed")
    return {
        **team,
        "video": video,
        "video2": video2,
        "other_video": other_video,
    }


def record(m, actor, player, video_ids, *, title="Top of the swing", **kw) -> Lesson:
    return m.lessons.create(
        actor,
        player.id,
        video_ids=video_ids,
        title=title,
        duration_s=kw.pop("duration_s", 5.2),
        blob_ref=kw.pop("blob_ref", "local://lessons/x/y/lesson.webm"),
        content_type="video/webm",
        size_bytes=kw.pop("size_bytes", 12345),
        metadata=kw.pop("metadata", {"codec": "vp8", "audio_codec": "opus"}),
    )


def test_a_coach_records_and_everyone_in_scope_reads_it(m, team):
    coach, player, video = team["coach"], team["player"], team["video"]
    lesson = record(m, coach, player, [video.id, team["video2"].id])
    assert lesson.user_id == player.id and lesson.coach_id == coach.id
    assert lesson.status == "uploaded" and lesson.watched_at is None and lesson.new
    for actor in (coach, player, team["admin"], SYSTEM):
        got = m.lessons.get(actor, player.id, lesson.id)
        assert got == lesson
        assert got.video_ids == [video.id, team["video2"].id]
        assert got.metadata == {"codec": "vp8", "audio_codec": "opus"}
        assert got.size_bytes == 12345 and got.duration_s == pytest.approx(5.2)
    assert lesson.id in {x.id for x in m.lessons.for_swing(player, player.id, video.id)}
    assert lesson.id in {x.id for x in m.lessons.for_swing(coach, player.id, team["video2"].id)}
    assert m.lessons.count_for_player(admin := team["admin"], player.id) >= 1
    entry = m.audit.page(admin, target_type="lesson", target_id=lesson.id, limit=5).entries[0]
    assert entry.action == "lesson.create" and entry.actor_id == coach.id


def test_outsiders_see_nothing(m, team):
    lesson = record(m, team["coach"], team["player"], [team["video"].id])
    pid = team["player"].id
    for outsider in (team["other_coach"], team["other_player"]):
        with pytest.raises(NotFound):
            m.lessons.get(outsider, pid, lesson.id)
        with pytest.raises(NotFound):
            m.lessons.for_player(outsider, pid)
        with pytest.raises(NotFound):
            m.lessons.for_swing(outsider, pid, team["video"].id)
        with pytest.raises(NotFound):
            m.lessons.count_new(outsider, pid)
        with pytest.raises(NotFound):
            m.lessons.delete(outsider, lesson)
    # The id of another player's lesson under one's own player id is no lesson either.
    with pytest.raises(NotFound):
        m.lessons.get(team["other_coach"], team["other_player"].id, lesson.id)


def test_only_the_coach_or_an_admin_records_and_deletes(m, team):
    player, video = team["player"], team["video"]
    with pytest.raises(NotAllowed):
        record(m, player, player, [video.id])
    with pytest.raises(NotFound):
        record(m, team["other_coach"], player, [video.id])
    lesson = record(m, team["admin"], player, [video.id])
    with pytest.raises(NotAllowed):
        m.lessons.delete(player, lesson)
    m.lessons.delete(team["coach"], lesson)
    with pytest.raises(NotFound):
        m.lessons.get(SYSTEM, player.id, lesson.id)


@pytest.mark.parametrize(
    "video_ids, title",
    [
        ([], "x"),
        ("not a list", "x"),
        ([""], "x"),
        ([None], "x"),
        (["no-such-swing"], "x"),
        (["a", "b", "c", "d", "e"], "x"),
        (None, "x"),
        ("VIDEO", "x" * 121),
        ("VIDEO", "bad\x00title"),
        ("VIDEO", 12),
    ],
)
def test_bad_input_is_refused_and_stores_nothing(m, team, video_ids, title):
    player = team["player"]
    if video_ids == "VIDEO":
        video_ids = [team["video"].id]
    before = m.lessons.count_for_player(SYSTEM, player.id)
    with pytest.raises(ValidationError):
        record(m, team["coach"], player, video_ids, title=title)
    assert m.lessons.count_for_player(SYSTEM, player.id) == before


def test_another_players_swing_is_not_a_swing_of_the_lesson(m, team):
    with pytest.raises(ValidationError, match="not a swing of this player"):
        record(m, team["coach"], team["player"], [team["video"].id, team["other_video"].id])


def test_unwatched_first_and_only_the_players_own_play_counts(m, team):
    coach, player, video = team["coach"], team["player"], team["video2"]
    first = record(m, coach, player, [video.id], title="first")
    second = record(m, coach, player, [video.id], title="second")
    new_before = m.lessons.count_new(player, player.id)
    assert m.lessons.mark_watched(coach, first).watched_at is None  # the coach checking it
    assert m.lessons.mark_watched(team["admin"], first).watched_at is None
    watched = m.lessons.mark_watched(player, first)
    assert watched.watched_at is not None
    again = m.lessons.mark_watched(player, watched)
    assert again.watched_at == watched.watched_at  # the first play's time stays
    assert m.lessons.count_new(coach, player.id) == new_before - 1
    order = [x.id for x in m.lessons.for_swing(player, player.id, video.id)]
    assert order.index(second.id) < order.index(first.id)  # new first
    listed = m.lessons.for_player(player, player.id)
    flags = [x.new for x in listed]
    assert flags == sorted(flags, reverse=True)


def test_the_worker_claims_a_lesson_once_and_records_the_rendition(m, team):
    lesson = record(m, team["coach"], team["player"], [team["video"].id])
    assert lesson.id in {x.id for x in m.lessons.with_status("uploaded", limit=200)}
    assert m.lessons.transition(lesson, "uploaded", "processing")
    assert not m.lessons.transition(lesson, "uploaded", "processing")
    current = m.lessons.get_system(lesson.user_id, lesson.id)
    done = m.lessons.update(
        current,
        status="ready",
        metadata={**current.metadata, "rendition_ref": "local://lesson-renditions/x.mp4"},
    )
    assert m.lessons.get(SYSTEM, lesson.user_id, lesson.id) == done
    with pytest.raises(ValueError):
        m.lessons.update(done, status="nonsense")
    with pytest.raises(ValueError):
        m.lessons.update(done, coach_id="someone")


def test_racing_workers_claim_a_lesson_once(m, team):
    """Four workers race for one uploaded lesson: exactly one wins, on CrateDB too (a status
    condition alone is checked against the last refresh there; the claim writes at a version)."""
    for round_ in range(4):
        lesson = record(m, team["coach"], team["player"], [team["video"].id])
        wins = race(m, lambda lesson=lesson: m.lessons.transition(lesson, "uploaded", "processing"))
        assert wins == [False, False, False, True], f"round {round_}: {wins}"
        assert m.lessons.get_system(lesson.user_id, lesson.id).status == "processing"


def test_check_create_checks_what_create_checks_and_writes_nothing(m, team):
    """The upload runs check_create before it stores a blob: scope, editor, swings, title."""
    coach, player, video = team["coach"], team["player"], team["video"]
    before = m.lessons.count_for_player(coach, player.id)
    got, swings, title = m.lessons.check_create(
        coach, player.id, video_ids=[video.id], title="  Hold the top "
    )
    assert (got.id, swings, title) == (player.id, [video.id], "Hold the top")
    assert m.lessons.check_create(team["admin"], player.id, video_ids=[video.id], title="")[2]
    with pytest.raises(NotAllowed):
        m.lessons.check_create(player, player.id, video_ids=[video.id], title="x")
    with pytest.raises(NotFound):
        m.lessons.check_create(team["other_coach"], player.id, video_ids=[video.id], title="x")
    with pytest.raises(ValidationError) as e:
        m.lessons.check_create(coach, player.id, video_ids=[team["other_video"].id], title="x")
    assert e.value.field == "video_ids"
    assert m.lessons.count_for_player(coach, player.id) == before
