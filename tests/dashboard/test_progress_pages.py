"""The progress page and its JSON: ranges, per-swing points, daily means, bands, validation."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from analysis import display
from progress.plotly_css import CSS_PATH, current_css
from swingvision.db.codec import utc_now
from tests.dashboard.helpers import account, add_swing


def data_of(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="progress-data" type="application/json">') + len(
        '<script id="progress-data" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_progress_page_embeds_the_chart_data_for_the_range(team):
    c = team.client(team.coach)
    url = f"/players/{team.player.id}/progress/"
    d90 = data_of(c.get(url))  # default: 90 days
    assert d90["range"] == "90"
    in_range = [v.id for v, _, _ in team.swings if (utc_now() - v.uploaded_at).days < 90]
    assert d90["swings"]["id"] == in_range  # oldest first
    d30 = data_of(c.get(url, {"range": "30"}))
    assert d30["swings"]["id"] == in_range[-3:]
    d365 = data_of(c.get(url, {"range": "365"}))
    assert d365["swings"]["id"] == [v.id for v, _, _ in team.swings]
    metrics = {m["name"]: m for m in d365["metrics"]}
    assert d365["metrics"][0]["name"] == "overall_score"
    assert metrics["overall_score"]["values"] == [
        pytest.approx(a.overall_score) for _, a, _ in team.swings
    ]
    turn = metrics["shoulder_turn_deg"]
    assert turn["label"] == "Shoulder turn" and turn["unit"] == "deg"
    assert turn["band"] == [80.0, 100.0]  # the player's own target
    assert turn["values"] == [
        pytest.approx(a.metrics["shoulder_turn_deg"], abs=1e-4) for _, a, _ in team.swings
    ]
    # One swing a day here, so each daily mean is that swing's value.
    assert turn["daily"]["mean"] == pytest.approx(turn["values"], abs=1e-4)
    assert turn["daily"]["n"] == [1] * len(team.swings)
    assert d365["swing_url"].replace(d365["url_placeholder"], "x") == (
        f"/players/{team.player.id}/swings/x/"
    )
    assert d365["trend"] is not None and len(d365["trend"]["v"]) == 2
    assert metrics["tempo_ratio"]["band"] == list(display.default_band("tempo_ratio"))


def test_custom_range_and_the_json_endpoint(team):
    c = team.client(team.coach)
    today = utc_now().date()
    start, end = today - timedelta(days=45), today - timedelta(days=15)
    params = {"range": "custom", "start": start.isoformat(), "end": end.isoformat()}
    r = c.get(f"/players/{team.player.id}/progress.json", params)
    assert r.status_code == 200 and "private" in r["Cache-Control"]
    data = r.json()
    expected = [v.id for v, _, _ in team.swings if start <= v.uploaded_at.date() <= end]
    assert data["swings"]["id"] == expected and len(expected) == 2
    assert (data["start"], data["end"]) == (start.isoformat(), end.isoformat())
    page = data_of(c.get(f"/players/{team.player.id}/progress/", params))
    assert page == data


def test_range_change_answers_the_body_partial_for_htmx(team):
    r = team.client(team.coach).get(
        f"/players/{team.player.id}/progress/", {"range": "30"}, HTTP_HX_REQUEST="true"
    )
    html = r.content.decode()
    assert html.lstrip().startswith('<div id="progress-body"') and "<html" not in html
    assert 'aria-current="page" class="active">Last 30 days' in html
    assert '<script id="progress-data" type="application/json">' in html


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"range": "7"}, "range"),
        ({"range": "custom"}, "start"),
        ({"range": "custom", "start": "2024-02-30"}, "start"),
        ({"range": "custom", "start": "2024-03-01", "end": "2024-02-01"}, "end"),
        ({"range": "custom", "start": "2001-01-01", "end": "2024-01-01"}, "start"),
        ({"range": "custom", "start": "2024-01-01", "end": "soon"}, "end"),
    ],
)
def test_bad_ranges_are_400_naming_the_field(team, params, field):
    c = team.client(team.coach)
    for url in (f"/players/{team.player.id}/progress/", f"/players/{team.player.id}/progress.json"):
        r = c.get(url, params)
        assert r.status_code == 400, (url, params)
        assert field.encode() in r.content
    r = c.get(f"/players/{team.player.id}/progress.json", params, HTTP_ACCEPT="application/json")
    assert r.status_code == 400 and r.json()["error"].startswith(field)


def test_a_player_with_one_swing_gets_a_chart_of_one_point(team):
    r = team.client(team.coach).get(f"/players/{team.teammate.id}/progress/", {"range": "30"})
    assert r.status_code == 200
    data = data_of(r)
    assert len(data["swings"]["id"]) == 1  # the teammate's one swing, 5 days ago


def test_the_plotly_stylesheet_matches_the_served_bundle():
    """plotly.css is generated from the vendored plotly.js; regenerate after an upgrade."""
    assert CSS_PATH.read_text(encoding="utf-8") == current_css()


def test_the_club_menu_shows_the_club_filtered_on_even_when_the_range_has_none(team):
    """A club chosen for another range stays selected (the page says no swing of it is in this
    one) instead of the menu reading "every club" while the page filters on the club."""
    html = (
        team.client(team.coach)
        .get(f"/players/{team.player.id}/progress/?club=7%20iron")
        .content.decode()
    )
    assert '<option value="7 iron" selected>7 iron</option>' in html
    assert "with the 7 iron" in html


def test_no_trend_from_swings_minutes_apart(team):
    """Two swings ten minutes apart once read "trend +63711.6 per 30 days": the score's trend waits
    for 3 swings over a week on distinct days."""
    m = team.m
    player = account(m, "player", coach=team.coach, name="Quinn Quick")
    add_swing(m, player, days_ago=0.01, seed=21, shoulder_turn_deg=70)
    add_swing(m, player, days_ago=0.0, seed=22, shoulder_turn_deg=100)
    c = team.client(team.coach)
    r = c.get(f"/players/{player.id}/progress/", {"range": "30"})
    assert r.status_code == 200
    data = data_of(r)
    scores = data["swings"]["score"]
    assert len(scores) == 2 and scores[0] != scores[1]  # a slope there would be huge
    assert data["trend"] is None and "per 30 days" not in r.content.decode()
    # A third swing the same day is still no trend; one a fortnight earlier makes one.
    add_swing(m, player, days_ago=0.02, seed=23)
    assert data_of(c.get(f"/players/{player.id}/progress/", {"range": "30"}))["trend"] is None
    add_swing(m, player, days_ago=14, seed=24)
    trend = data_of(c.get(f"/players/{player.id}/progress/", {"range": "30"}))["trend"]
    assert trend is not None and abs(trend["per_30_days"]) <= 200


def test_clubs_compare_without_case_and_show_the_suggestion_spelling(team):
    """The upload page suggests "Driver", the demo data says "driver": one club, shown "Driver",
    in the progress menu, its filter and the swing lists (the stored metadata is left as it is)."""
    from swingvision.videos.validation import clean_fields, club_key, club_label

    assert club_label(" driver ") == club_label("DRIVER") == "Driver"
    assert club_label("7  iron") == "7 iron"  # not a suggestion: as typed, spaces collapsed
    assert club_key("Driver") == club_key("driver ") == "driver"
    assert clean_fields({"club": "driver"}).club == "Driver"

    m = team.m
    player = account(m, "player", coach=team.coach, name="Casey Case")
    spelt = {"Driver": 0, "driver": 1, "DRIVER": 2, "7-iron": 3, "7-Iron": 4}
    videos = {
        club: add_swing(m, player, days_ago=10 - i, seed=30 + i, club=club)[0]
        for club, i in spelt.items()
    }
    c = team.client(team.coach)
    url = f"/players/{player.id}/progress/"
    html = c.get(url, {"range": "30"}).content.decode()
    options = re.findall(r'<option value="([^"]*)"', html[html.index('id="club-select"') :])
    assert options == ["", "7-iron", "Driver"], options  # "" is every club
    for asked in ("driver", "Driver", "DRIVER"):
        r = c.get(url, {"range": "30", "club": asked})
        data = data_of(r)
        assert data["club"] == "Driver" and data["clubs"] == ["7-iron", "Driver"]
        want = {videos[k].id for k in ("Driver", "driver", "DRIVER")}
        assert set(data["swings"]["id"]) == want
        assert '<option value="Driver" selected>Driver</option>' in r.content.decode()
    # The player page's swing list names each club in one spelling.
    page = c.get(f"/players/{player.id}/").content.decode()
    shown = re.findall(r"swing-club\">([^<]*)</span>", page)
    assert len(shown) == len(spelt) and set(shown) == {"Driver", "7-iron"}, shown
