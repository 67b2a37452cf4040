"""What a coach reads around the numbers (issue #21): the units explained once per page in a
tooltip, a tempo change without a stray ":1", the upload form starting at the player's usual
camera view, and the key metrics refreshing themselves when a swing the list waited for is done."""

from __future__ import annotations

import re

from analysis import display
from swingvision.db.managers import SYSTEM

from .helpers import account, add_swing

HX = {"HX-Request": "true"}


def test_units_are_explained_once_per_page(team):
    c = team.client(team.coach)
    video, _, _ = team.swings[-1]
    other, _, _ = team.swings[0]
    for url in (
        f"/players/{team.player.id}/",
        f"/players/{team.player.id}/swings/{video.id}/",
        f"/players/{team.player.id}/progress/",
        f"/players/{team.player.id}/swings/{video.id}/compare/?with={team.player.id}%3A{other.id}",
    ):
        html = c.get(url).content.decode()
        helps = re.findall(r'class="units-help[^"]*"[^>]*title="([^"]+)"', html)
        assert len(helps) == 1, (url, helps)
        assert "torso lengths" in helps[0] and "stance widths" in helps[0], helps


def test_a_tempo_change_reads_as_a_number():
    assert display.format_delta("tempo_ratio", -1.0) == "−1.0"
    assert display.format_delta("tempo_ratio", 0.26) == "+0.3"
    assert display.format_delta("shoulder_turn_deg", 4.2) == "+4°"


def test_the_upload_form_starts_at_the_players_usual_view(team):
    m = team.m
    player = account(m, "player", coach=team.coach, settings={"view": "down-the-line"})
    html = team.client(team.coach).get(f"/players/{player.id}/upload/").content.decode()
    select = re.search(r'<select name="view" data-default="view">(.*?)</select>', html, re.S)
    assert re.search(r'<option value="down-the-line" selected>down the line \(usual\)', select[1])
    plain = account(m, "player", coach=team.coach)
    html = team.client(team.coach).get(f"/players/{plain.id}/upload/").content.decode()
    select = re.search(r'<select name="view" data-default="view">(.*?)</select>', html, re.S)
    assert " selected" not in select[1]


def test_key_metrics_refresh_when_a_waited_for_swing_is_done(team):
    m = team.m
    player = account(m, "player", coach=team.coach, name="Wendy Waits")
    add_swing(m, player, days_ago=3, seed=91)
    waiting, _, _ = add_swing(m, player, days_ago=0, seed=92, status="processing")
    c = team.client(team.coach)
    page = c.get(f"/players/{player.id}/").content.decode()
    # The list polls and names the swing it waits for; the key metrics listen for its end.
    assert f'hx-vals=\'{{"waiting": "{waiting.id} "}}\'' in page
    assert 'hx-trigger="swing-finished from:body"' in page
    r = c.get(f"/players/{player.id}/", {"waiting": waiting.id}, headers=HX)
    assert r.status_code == 200 and "HX-Trigger" not in r
    m.videos.transition(waiting, "processing", "failed")  # done, one way or the other
    r = c.get(f"/players/{player.id}/", {"waiting": waiting.id}, headers=HX)
    assert r["HX-Trigger"] == "swing-finished"
    assert "data-polling" not in r.content.decode()
    part = c.get(f"/players/{player.id}/", {"part": "key-metrics"}, headers=HX)
    html = part.content.decode()
    assert html.lstrip().startswith("<section") and 'id="key-metrics"' in html
    assert "Tempo" in html and "<table" not in html
    assert m.videos.get(SYSTEM, player.id, waiting.id).status == "failed"
