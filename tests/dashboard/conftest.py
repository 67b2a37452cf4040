"""A module-wide team for the dashboard tests: two coaches with their players and analysed swings."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.clients import TeamClients

from .helpers import account, add_swing


@dataclass
class Team(TeamClients):
    m: object
    coach: object
    other_coach: object
    admin: object
    player: object  # the coach's player with several swings
    teammate: object  # another player of the same coach
    outsider: object  # the other coach's player
    swings: list  # (video, analysis, synthetic swing) of `player`, oldest first
    teammate_swing: tuple
    outsider_swing: tuple
    clients: dict = field(default_factory=dict)


@pytest.fixture(scope="module")
def team(gateway):
    from swingvision.db.managers import managers

    m = managers(gateway)
    coach = account(m, "coach", name="Casey Dashboard")
    other_coach = account(m, "coach", name="Olive Elsewhere")
    admin = account(m, "admin")
    player = account(
        m,
        "player",
        coach=coach,
        name="Pat Progress",
        settings={"handedness": "right", "targets": {"shoulder_turn_deg": [80, 100]}},
    )
    teammate = account(m, "player", coach=coach, name="Terry Teammate")
    outsider = account(m, "player", coach=other_coach, name="Otto Outsider")
    swings = [
        add_swing(m, player, days_ago=days, seed=i, shoulder_turn_deg=80 + 2 * i)
        for i, days in enumerate((200, 60, 40, 20, 10, 2))
    ]
    return Team(
        m=m,
        coach=coach,
        other_coach=other_coach,
        admin=admin,
        player=player,
        teammate=teammate,
        outsider=outsider,
        swings=swings,
        teammate_swing=add_swing(m, teammate, days_ago=5, seed=11),
        outsider_swing=add_swing(m, outsider, days_ago=3, seed=12),
    )
