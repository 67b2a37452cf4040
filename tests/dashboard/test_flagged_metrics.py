"""A value the swing page flags and leaves unscored stays on its swing, and out of everything that
averages or charts a player's swings: the key metrics tiles and their "was" values, the progress
charts' points and daily means (outside tester: "Shoulder turn 34°, was −100°", a face-on shoulder
turn of −9° to check averaged with 77°)."""

from __future__ import annotations

import pytest

from analysis import display
from swingvision.db.managers.progress import day_metrics
from swingvision.players.views import key_metrics
from tests.clients import logged_in
from tests.dashboard.helpers import account, add_swing
from tests.dashboard.test_progress_pages import data_of

TURN = "shoulder_turn_deg"


@pytest.fixture(scope="module")
def flagged(gateway):
    """A player with a good swing and a flagged one today (face-on, the engine finds a shoulder
    turn of about 20°, below what a full swing turns: "check"), and a flagged one 40 days ago
    alone on its day."""
    from swingvision.db.managers import managers

    m = managers(gateway)
    coach = account(m, "coach")
    player = account(m, "player", coach=coach, settings={"handedness": "right"})
    old = add_swing(m, player, days_ago=40, seed=31, shoulder_turn_deg=20.0)
    good = add_swing(m, player, days_ago=0, seed=32, shoulder_turn_deg=77.0)
    bad = add_swing(m, player, days_ago=0, seed=33, shoulder_turn_deg=20.0)
    return {"m": m, "coach": coach, "player": player, "old": old, "good": good, "bad": bad}


def test_the_engine_flags_the_crafted_swings(flagged):
    """The premise: real engine statuses, not edited ones."""
    for key, status in (("old", "check"), ("bad", "check"), ("good", "scored")):
        analysis = flagged[key][1]
        assert analysis.details["metrics"][TURN]["status"] == status, key
        assert isinstance(analysis.metrics[TURN], float)


def test_key_metrics_leave_flagged_values_out_of_now_and_was(flagged):
    c = logged_in(flagged["coach"])
    player, good = flagged["player"], flagged["good"][1]
    html = c.get(f"/players/{player.id}/").content.decode()
    start = html.index('id="key-metrics"')
    tiles = html[start : html.index("</section>", start)]
    turn = tiles[tiles.index("<dt>Shoulder turn</dt>") :]
    turn = turn[: turn.index("</div>")]
    # Today's tile is the good swing's turn alone, not its mean with the flagged one.
    assert f'<dd class="now">{display.format_short(TURN, good.metrics[TURN])}</dd>' in turn
    # 40 days ago the only turn measured was flagged: nothing to compare with.
    assert "was –" in turn and 'class="delta"' not in turn
    assert "Values the swing page leaves unscored are left out." in tiles
    # The overall score still counts every swing (the engine scores without the flagged metric).
    km = key_metrics(flagged["coach"], player)
    rows = {r["name"]: r for r in km["rows"]}
    assert rows[TURN]["n"] == 1
    assert rows[TURN]["then"] == "–"
    assert rows["overall_score"]["n"] == 2


def test_the_stored_daily_means_leave_flagged_values_out(flagged):
    m, player = flagged["m"], flagged["player"]
    today, good = flagged["good"][0].uploaded_at.date(), flagged["good"][1]
    row = day_metrics(
        m.progress.on_or_before(flagged["coach"], player.id, flagged["good"][0].uploaded_at),
        "face-on",
    )
    assert row[TURN] == {
        "mean": pytest.approx(good.metrics[TURN]),
        "best": pytest.approx(good.metrics[TURN]),
        "n": 1,
    }
    # Rebuilt from the analyses (the admin's Recompute), the rows say the same.
    m.progress.recompute_player(player.id)
    again = m.progress.on_or_before(flagged["coach"], player.id, flagged["good"][0].uploaded_at)
    assert again.progress_date.date() == today
    assert day_metrics(again, "face-on")[TURN]["n"] == 1


def test_progress_points_and_daily_means_leave_flagged_values_out(flagged):
    c = logged_in(flagged["coach"])
    player = flagged["player"]
    json_data = c.get(f"/players/{player.id}/progress.json").json()
    page_data = data_of(c.get(f"/players/{player.id}/progress/"))
    assert json_data == page_data
    ids = page_data["swings"]["id"]
    assert ids == [flagged[k][0].id for k in ("old", "good", "bad")]  # oldest first
    metrics = {m["name"]: m for m in page_data["metrics"]}
    good = flagged["good"][1].metrics[TURN]
    turn = metrics[TURN]
    # Each swing has its point, the flagged ones none (None), and every day's mean is of the
    # values that count: the old day has none, today's is the good swing's alone.
    expected = [round(good, 4) if i == flagged["good"][0].id else None for i in ids]
    assert turn["values"] == expected
    assert turn["n_swings"] == 1
    assert turn["daily"]["mean"] == [pytest.approx(good, abs=1e-4)]
    assert turn["daily"]["n"] == [1]
    assert turn["latest"] == display.format_short(TURN, good)
    # The overall score has a point for every swing.
    assert None not in metrics["overall_score"]["values"]
    html = c.get(f"/players/{player.id}/progress/").content.decode()
    assert "is neither a point nor in a mean" in html


def test_the_swing_page_still_shows_the_flagged_value_with_its_note(flagged):
    c = logged_in(flagged["coach"])
    video, analysis, _ = flagged["bad"]
    html = c.get(f"/players/{flagged['player'].id}/swings/{video.id}/").content.decode()
    row = html[html.index(">Shoulder turn</th>", html.index('id="metrics-heading"')) :]
    cell = row[: row.index("</td>")]
    assert 'data-status="check"' in cell
    assert display.format_short(TURN, analysis.metrics[TURN]) in cell
    assert display.STATUS_NOTES["check"] in cell


def test_recompute_progress_rebuilds_rows_stored_before_the_fix(flagged):
    """Rows written before flagged values were left out keep them until rebuilt: the command
    rebuilds them (every player, or the ones named) and refuses an unknown player by name."""
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from swingvision.db.managers import SYSTEM

    m, player = flagged["m"], flagged["player"]
    today = m.progress.on_or_before(SYSTEM, player.id, flagged["good"][0].uploaded_at)
    assert day_metrics(today, "face-on")[TURN]["n"] == 1
    (key,) = today.metrics  # the face-on swings' view key
    stale = {key: {**today.metrics[key], TURN: {"mean": 48.5, "best": 77.0, "n": 2}}}
    m.progress.db.execute(
        "progress_upsert",
        {"id": today.id, "user_id": player.id, "progress_date": today.progress_date,
         "metrics": stale},
    )  # fmt: skip
    m.progress.db.refresh("progress")
    call_command("recompute_progress", "--player", player.id)
    rebuilt = m.progress.on_or_before(SYSTEM, player.id, flagged["good"][0].uploaded_at)
    assert rebuilt.metrics == today.metrics
    call_command("recompute_progress")  # every player
    with pytest.raises(CommandError, match="--player: no player"):
        call_command("recompute_progress", "--player", flagged["coach"].id)
