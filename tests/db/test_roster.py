"""The roster manager on every configured backend: sorting, filters, paging."""

from __future__ import annotations

from datetime import timedelta

import pytest

from swingvision.db import NotFound
from tests.backends import managers_fixture
from tests.db.helpers import T0

m = managers_fixture()


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
