"""The manager contract tests' shared records. Each test module holds its own `m`
(`m = managers_fixture()`, tests/backends.py): the managers over a fresh database of each
configured backend, so these module-scoped fixtures are made once per module and backend. A module
that needs other records names its own fixture (test_lessons.py's `team` adds videos)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.dashboard.helpers import add_swing
from tests.db.helpers import T0, record_swing
from tests.factories import account, cast


@pytest.fixture(scope="module")
def team(m):
    """A coach and their player (with settings), another coach and their player, an admin."""
    coach = account(m, "coach", name="Casey Coach")
    other_coach = account(m, "coach", name="Olly Other")
    return {
        "coach": coach,
        "other_coach": other_coach,
        "admin": account(m, "admin", name="Ada Admin"),
        "player": account(
            m,
            "player",
            coach=coach,
            name="Pat Player",
            settings={"handedness": "left", "targets": {"tempo_ratio": [2.8, 3.2]}, "n": 3},
        ),
        "stranger": account(m, "player", coach=other_coach, name="Sam Stranger"),
    }


@pytest.fixture(scope="module")
def swing_team(m):
    """The usual cast (tests.factories.cast) and one swing of the player, analysed by the engine."""
    team = cast(m)
    video, analysis, swing = add_swing(m, team["player"], seed=3)
    return {**team, "video": video, "analysis": analysis, "swing": swing}


@pytest.fixture(scope="module")
def roster(m):
    coach = account(m, "coach", name="Rita Roster")
    alice = account(m, "player", coach=coach, name="alice Able")
    bob = account(m, "player", coach=coach, name="Bob Baker")
    carl = account(m, "player", coach=coach, name="Carl Cole")
    record_swing(m, alice, T0, score=50.0)
    alice_last = record_swing(m, alice, T0 + timedelta(days=1), score=70.0)
    record_swing(m, bob, T0 + timedelta(days=2), score=80.0)
    return {"coach": coach, "alice": alice, "bob": bob, "carl": carl, "alice_last": alice_last}
