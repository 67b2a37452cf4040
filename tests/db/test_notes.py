"""The notes manager on every configured backend: a note reaches its player only, written by the
coach."""

from __future__ import annotations

import pytest

from swingvision.db import NotFound
from swingvision.db.managers import NotAllowed, ValidationError
from tests.backends import managers_fixture
from tests.dashboard.helpers import add_swing

m = managers_fixture()


def test_a_note_reaches_only_its_player_and_is_read_once(m, swing_team):
    coach, player, video = swing_team["coach"], swing_team["player"], swing_team["video"]
    other = swing_team["other_player"]
    note = m.notes.create(
        coach, player.id, video.id, text="  Hold the finish.\nCount 3.  ", frame=7
    )
    assert note.text == "Hold the finish.\nCount 3." and note.frame == 7 and note.unread
    assert note.user_id == player.id and note.author_id == coach.id
    assert note in m.notes.unread(player, player.id)
    assert note in m.notes.for_video(coach, player.id, video.id)
    assert m.notes.unread(other, other.id) == []
    with pytest.raises(NotFound):
        m.notes.unread(other, player.id)
    with pytest.raises(NotFound):
        m.notes.for_video(swing_team["other_coach"], player.id, video.id)
    # Only the player's own look marks it read.
    assert m.notes.mark_read(coach, player.id, video.id) == 0
    assert m.notes.mark_read(other, player.id, video.id) == 0
    assert m.notes.get(coach, player.id, note.id).unread
    assert m.notes.mark_read(player, player.id, video.id) >= 1
    read = m.notes.get(coach, player.id, note.id)
    assert read.read_at is not None and read.read_at >= note.created_at
    assert note.id not in [n.id for n in m.notes.unread(player, player.id)]
    assert m.notes.mark_read(player, player.id, video.id) == 0  # the first reading's time stays
    assert m.notes.get(coach, player.id, note.id).read_at == read.read_at


def test_notes_are_written_and_deleted_by_the_coach_only(m, swing_team):
    coach, player, video = swing_team["coach"], swing_team["player"], swing_team["video"]
    with pytest.raises(NotAllowed):
        m.notes.create(player, player.id, video.id, text="self praise")
    with pytest.raises(NotFound):
        m.notes.create(swing_team["other_coach"], player.id, video.id, text="poaching")
    for text, frame, field in (
        ("", None, "text"),
        ("x" * 2001, None, "text"),
        ("ok", 10**6, "frame"),
    ):
        with pytest.raises(ValidationError) as e:
            m.notes.create(coach, player.id, video.id, text=text, frame=frame)
        assert e.value.field == field
    note = m.notes.create(swing_team["admin"], player.id, video.id, text="From the academy")
    with pytest.raises(NotAllowed):
        m.notes.delete(player, player.id, note.id)
    m.notes.delete(coach, player.id, note.id)
    assert note.id not in [n.id for n in m.notes.for_video(coach, player.id, video.id)]
    with pytest.raises(NotFound):
        m.notes.get(coach, player.id, note.id)


def test_deleting_a_swing_deletes_its_notes(m, swing_team):
    coach, player = swing_team["coach"], swing_team["player"]
    video, _, _ = add_swing(m, player, seed=9)
    note = m.notes.create(coach, player.id, video.id, text="gone with the swing")
    m.videos.delete(coach, video)
    with pytest.raises(NotFound):
        m.notes.get(coach, player.id, note.id)
