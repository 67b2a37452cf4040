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


def test_the_units_icon_is_drawn_not_a_glyph_fonts_may_lack(team):
    """ "units ⓘ" showed an empty box in headless Chromium: the icon is an inline SVG."""
    html = team.client(team.coach).get(f"/players/{team.player.id}/").content.decode()
    help_ = re.search(r'<span class="units-help[^>]*>(.*?)</span>', html, re.S).group(1)
    assert "ⓘ" not in help_ and "<svg" in help_ and 'aria-hidden="true"' in help_


def _faulty_player(team):
    """A player of the team's coach with one swing that turned too little (feedback) and one
    that did not: the plan reads 2 swings and finds the turn in 1."""
    player = account(team.m, "player", coach=team.coach, name="Fay Fault")
    add_swing(team.m, player, days_ago=2, seed=51, shoulder_turn_deg=92)
    video, analysis, _ = add_swing(team.m, player, days_ago=1, seed=52, shoulder_turn_deg=60)
    assert analysis.feedback
    return player, video, analysis


def test_priority_reads_the_same_on_the_swing_page_and_in_the_feedback_editor(team):
    """The swing page said MEDIUM / LOW, the editor 2 / 3 (low): both say High, Medium, Low."""
    player, video, analysis = _faulty_player(team)
    c = team.client(team.coach)
    page = c.get(f"/players/{player.id}/swings/{video.id}/").content.decode()
    shown = re.findall(r'<span class="prio">([^<]*)</span>', page)
    assert shown and set(shown) <= {"High priority", "Medium priority", "Low priority"}, shown
    editor = c.get(f"/players/{player.id}/analyses/{analysis.id}/feedback/").content.decode()
    options = re.findall(r'<option value="([123])"[^>]*>([^<]*)</option>', editor)
    assert options and set(options) == {("1", "High"), ("2", "Medium"), ("3", "Low")}, options
    assert "(low)" not in editor and "(high)" not in editor


def test_the_practice_plan_says_how_many_of_how_many_swings(team):
    """ "in 1 of the latest swing" read as a typo: the plan says of how many swings it read."""
    player, _, _ = _faulty_player(team)
    html = team.client(team.coach).get(f"/players/{player.id}/").content.decode()
    counts = re.findall(r"<h3>[^<]*<span class=\"muted small\">· ([^<]*)</span></h3>", html)
    assert counts, "no practice plan"
    for text in counts:
        assert re.fullmatch(
            r"in the latest swing|in each of the latest \d+ swings|in \d+ of the latest \d+ swings",
            text,
        ), text
    assert "in 1 of the latest 2 swings" in counts, counts


def test_a_players_compare_page_offers_only_their_own_swings(team):
    """A player can only pick their own swings: the page does not mention another player."""
    video, _, _ = team.swings[-1]
    url = f"/players/{team.player.id}/swings/{video.id}/compare/"
    mine = team.client(team.player).get(url).content.decode()
    assert "Pick another of your swings." in mine and "another player" not in mine
    coach = team.client(team.coach).get(url).content.decode()
    assert f"Pick a second swing of {team.player.display_name} or of another player." in coach


def test_a_metric_recorded_without_scoring_shows_no_score(team):
    """Swing plane is recorded, not scored (weight 0): the swing page showed it with a score of
    0 that neither counted nor brought feedback (outside tester). It shows its value and says it
    is not in the score; every scored metric keeps its score."""
    from analysis.engine import METRICS

    recorded = {n for n, spec in METRICS.items() if spec.weight == 0}
    assert "swing_plane_deg" in recorded
    video, analysis, _ = add_swing(team.m, team.player, seed=57, view="down-the-line")
    lines = [line for line in display.metric_lines(analysis) if line.available]
    assert "swing_plane_deg" in {line.name for line in lines}
    for line in lines:
        if line.name in recorded:
            assert line.score is None and line.note == display.RECORDED_NOTE, line
        elif line.status == "scored":
            assert line.score is not None and line.note == "", line
    html = team.client(team.coach).get(f"/players/{team.player.id}/swings/{video.id}/").text
    row = re.search(r'<th scope="row"[^>]*>Swing plane</th>.*?</tr>', html, re.S)
    assert row and display.RECORDED_NOTE in row.group(0) and "score-badge" not in row.group(0)
