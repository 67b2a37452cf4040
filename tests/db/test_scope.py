"""Scope on every configured backend: a coach reads their players, a player themselves, no one else."""

from __future__ import annotations

import pytest

from swingvision.db import NotFound
from tests.backends import managers_fixture
from tests.factories import account

m = managers_fixture()


def test_scope_keeps_other_coaches_and_players_out(m, team):
    coach, other_coach, player = team["coach"], team["other_coach"], team["player"]
    v = m.videos.create(coach, player.id, filename="scope.mp4")
    assert m.videos.get(player, player.id, v.id) == v
    assert m.videos.get(coach, player.id, v.id) == v
    with pytest.raises(NotFound):
        m.videos.get(other_coach, player.id, v.id)
    stranger = account(m, "player", coach=other_coach)
    with pytest.raises(NotFound):
        m.videos.for_player(stranger, player.id)
    with pytest.raises(NotFound):
        m.users.players_of(other_coach, coach.id)
