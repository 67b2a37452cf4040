"""The roster (search, sort, paging, htmx partials) and the player page (filters, scores in a fixed
number of queries, self-refreshing list while swings are processing, key metrics)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from swingvision.db.codec import utc_now
from swingvision.db.managers import SYSTEM

from .helpers import account, add_swing

HTMX = {"HTTP_HX_REQUEST": "true"}


def names_in(html: str) -> list[str]:
    return re.findall(r'class="player-link" href="[^"]+">([^<]+)</a>', html)


def trend_of(m, player) -> float | None:
    """The roster's trend, worked out here from the stored analyses: the newest swing's score
    minus the mean of the (up to 5) before it; None with fewer than two scored swings."""
    videos = sorted(m.videos.for_player(SYSTEM, player.id), key=lambda v: v.uploaded_at)
    scores = [m.analyses.latest_for_video(SYSTEM, player.id, v.id).overall_score for v in videos]
    if len(scores) < 2:
        return None
    before = scores[-6:-1]
    return scores[-1] - sum(before) / len(before)


@pytest.fixture(scope="module")
def big_roster(gateway):
    """A coach with 12 players named in a known order, swings for some of them: A one, B two
    (its score falling), C three (its score rising), oldest first."""
    from swingvision.db.managers import managers

    m = managers(gateway)
    coach = account(m, "coach", name="Rory Roster")
    players = [account(m, "player", coach=coach, name=f"Player {c}") for c in "ABCDEFGHIJKL"]
    turns = [[92], [92, 70], [70, 110, 92]]  # shoulder turns: 92° scores best, 70° and 110° less
    for i, p in enumerate(players[:3]):
        for k, turn in enumerate(turns[i]):
            add_swing(m, p, days_ago=10 - k, seed=100 + 10 * i + k, shoulder_turn_deg=turn)
    return m, coach, players


def test_roster_search_sort_and_paging(big_roster, team):
    m, coach, players = big_roster
    c = team.client(coach)
    html = c.get("/roster/").content.decode()
    assert names_in(html)[:3] == ["Player A", "Player B", "Player C"]
    assert len(names_in(html)) == 12
    # Search by name, case-insensitive.
    assert names_in(c.get("/roster/", {"q": "player k"}).content.decode()) == ["Player K"]
    # Sort by swing count both ways (ties by name).
    html = c.get("/roster/", {"sort": "swings", "order": "desc"}).content.decode()
    assert names_in(html)[:3] == ["Player C", "Player B", "Player A"]
    html = c.get("/roster/", {"sort": "swings", "order": "asc"}).content.decode()
    assert names_in(html)[-3:] == ["Player A", "Player B", "Player C"]
    # Players without a score sort last whichever the order.
    for order in ("asc", "desc"):
        html = c.get("/roster/", {"sort": "score", "order": order}).content.decode()
        assert set(names_in(html)[:3]) == {"Player A", "Player B", "Player C"}
    # Last swing and trend: the actual order both ways, blanks (no swing, no trend) last by name.
    no_swing = [f"Player {c}" for c in "DEFGHIJKL"]
    for key, order, want in [
        ("last_swing", "asc", ["Player A", "Player B", "Player C", *no_swing]),
        ("last_swing", "desc", ["Player C", "Player B", "Player A", *no_swing]),
    ]:
        r = c.get("/roster/", {"sort": key, "order": order})
        assert r.status_code == 200
        assert names_in(r.content.decode()) == want, (key, order)
    trends = {p.full_name: trend_of(m, p) for p in players}
    assert trends["Player A"] is None  # a single swing has no trend
    assert trends["Player B"] < 0 < trends["Player C"], trends
    blanks = ["Player A", *no_swing]  # no trend: last, by name, whichever the order
    for order, want in [
        ("asc", ["Player B", "Player C", *blanks]),
        ("desc", ["Player C", "Player B", *blanks]),
    ]:
        r = c.get("/roster/", {"sort": "trend", "order": order})
        assert r.status_code == 200
        assert names_in(r.content.decode()) == want, ("trend", order, trends)
    for key in ("score", "name"):
        for order in ("asc", "desc"):
            assert c.get("/roster/", {"sort": key, "order": order}).status_code == 200
    # Paging: 5 a page -> 3 pages; the links carry the sort and the page size.
    page2 = c.get("/roster/", {"per": 5, "page": 2, "sort": "name", "order": "desc"})
    html = page2.content.decode()
    assert names_in(html) == ["Player G", "Player F", "Player E", "Player D", "Player C"]
    assert "page 2 of 3" in html
    assert 'href="?sort=name&amp;order=desc&amp;per=5&amp;page=3"' in html
    assert 'href="?sort=name&amp;order=desc&amp;per=5&amp;page=1"' in html


def test_roster_htmx_answers_the_table_and_keeps_the_sort_for_the_search_form(big_roster, team):
    m, coach, players = big_roster
    c = team.client(coach)
    r = c.get("/roster/", {"sort": "score", "order": "desc"}, **HTMX)
    html = r.content.decode()
    assert '<div id="roster-table"' in html and "<html" not in html
    # The form's hidden sort fields come along out of band.
    assert 'id="roster-state" class="contents" hx-swap-oob="true"' in html
    assert 'name="sort" value="score"' in html and 'name="order" value="desc"' in html
    # The sort links are real links too (work without JS).
    assert re.search(r'<a class="sort[^"]*" href="\?sort=swings&amp;order=desc"', html)


@pytest.mark.parametrize(
    ("param", "value"),
    [("sort", "password_hash"), ("order", "sideways"), ("per", "1000"), ("page", "x")],
)
def test_roster_rejects_bad_parameters_naming_them(team, param, value):
    r = team.client(team.coach).get("/roster/", {param: value})
    assert r.status_code == 400
    assert param.encode() in r.content


def test_admin_picks_a_coach_and_a_player_gets_their_own_page(team):
    admin = team.client(team.admin)
    html = admin.get("/roster/", {"coach": team.coach.id}).content.decode()
    assert "Pat Progress" in html and "Otto Outsider" not in html
    html = admin.get("/roster/", {"coach": team.other_coach.id}).content.decode()
    assert "Otto Outsider" in html and "Pat Progress" not in html
    assert admin.get("/roster/", {"coach": "nobody"}).status_code == 400
    r = team.client(team.player).get("/roster/")
    assert r.status_code == 302 and r["Location"].endswith(f"/players/{team.player.id}/")


def test_roster_latest_score_is_the_newest_swing_even_after_reanalysing_an_old_one(team):
    """The latest score follows when a swing was recorded, not when it was (re)analysed."""
    m = team.m
    coach = account(m, "coach")
    p = account(m, "player", coach=coach, name="Rea Nalysis")
    old, old_analysis, _ = add_swing(m, p, days_ago=30, seed=21, shoulder_turn_deg=70)
    new, new_analysis, _ = add_swing(m, p, days_ago=1, seed=22, shoulder_turn_deg=95)
    # A newer engine run of the OLD swing: a second analysis row, analysed last.
    m.analyses.save(
        old,
        engine_version="9.9.9",
        overall_score=11.0,
        metrics=old_analysis.metrics,
        events=old_analysis.events,
        feedback=[],
        details=old_analysis.details,
        swing_embedding=None,
    )
    row = m.roster.rows(SYSTEM, coach.id)[0]
    assert row.latest_score == pytest.approx(new_analysis.overall_score)
    assert row.trend == pytest.approx(new_analysis.overall_score - 11.0)


def test_player_page_lists_swings_newest_first_with_scores(team):
    html = team.client(team.coach).get(f"/players/{team.player.id}/").content.decode()
    ids = re.findall(r'<tr id="swing-([^"]+)">', html)
    assert ids == [v.id for v, _, _ in reversed(team.swings)]
    for video, analysis, _ in team.swings:
        assert f"/players/{team.player.id}/swings/{video.id}/" in html
        assert f">{analysis.overall_score:.0f}</span>" in html
    assert 'id="progress-link"' in html and "Key metrics" in html
    assert "Shoulder turn" in html and "target 80–100°" in html  # the player's own band


def test_player_page_filters_by_date_and_status(team):
    c = team.client(team.coach)
    url = f"/players/{team.player.id}/"
    recent = [v.id for v, a, _ in team.swings[-3:]]
    today = utc_now().date()
    start = today.toordinal() - 25
    html = c.get(url, {"from": date.fromordinal(start).isoformat()}).content.decode()
    assert re.findall(r'<tr id="swing-([^"]+)">', html) == list(reversed(recent))
    html = c.get(url, {"status": "failed"}).content.decode()
    assert "No swing matches these filters." in html
    html = c.get(url, {"status": "analyzed", "to": date.fromordinal(start).isoformat()}).content
    assert len(re.findall(rb'<tr id="swing-', html)) == 3


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"from": "yesterday"}, "from"),
        ({"to": "2024-13-01"}, "to"),
        ({"from": "2024-05-02", "to": "2024-05-01"}, "to"),
        ({"page": "0"}, "page"),
    ],
)
def test_player_page_rejects_bad_filters_naming_the_field(team, params, field):
    r = team.client(team.coach).get(f"/players/{team.player.id}/", params)
    assert r.status_code == 400
    assert field.encode() in r.content


def test_player_page_reads_scores_in_a_fixed_number_of_queries(team, monkeypatch):
    """No query per row: 6 swings and 1 swing cost the same number of statements."""
    from swingvision.db.gateway import Database

    counted: list[str] = []
    real = Database._execute

    def counting(self, sql, args, what):
        counted.append(what)
        return real(self, sql, args, what)

    monkeypatch.setattr(Database, "_execute", counting)
    c = team.client(team.coach)
    c.get(f"/players/{team.player.id}/", **HTMX)
    many = len(counted)
    counted.clear()
    c.get(f"/players/{team.teammate.id}/", **HTMX)
    assert len(counted) == many
    assert "analyses_latest_for_video" not in counted


def test_the_swing_list_polls_while_a_swing_is_processing_and_stops_after(team):
    m = team.m
    p = account(m, "player", coach=team.coach)
    video, _, swing = add_swing(m, p, days_ago=0, status="processing", seed=31)
    c = team.client(team.coach)
    html = c.get(f"/players/{p.id}/", **HTMX).content.decode()
    assert "<html" not in html and 'id="swing-list"' in html
    assert 'hx-trigger="every 2s, swings-changed from:body"' in html and "data-polling" in html
    # The worker finishes it: the next poll answers a list that no longer polls.
    from analysis.pipeline import LoadedPoses, analyze_and_store

    analyze_and_store(
        m,
        video,
        LoadedPoses(keypoints=swing.keypoints, fps=30.0, source="synthetic", width=480, height=360),
        player=p,
    )
    m.videos.transition(m.videos.get_system(p.id, video.id), "processing", "analyzed")
    html = c.get(f"/players/{p.id}/", **HTMX).content.decode()
    assert "every 2s" not in html and "data-polling" not in html
    assert 'hx-trigger="swings-changed from:body"' in html
    assert "status-analyzed" in html


def test_the_swing_page_of_a_processing_swing_refreshes_itself_when_done(team):
    m = team.m
    p = account(m, "player", coach=team.coach)
    video, _, swing = add_swing(m, p, days_ago=0, status="processing", seed=32)
    m.videos.update(
        m.videos.get_system(p.id, video.id),
        metadata={**video.metadata, "progress": "transcoding 40%"},
    )
    c = team.client(team.coach)
    page = c.get(f"/players/{p.id}/swings/{video.id}/").content.decode()
    poll = f'hx-get="/players/{p.id}/swings/{video.id}/?part=pending" hx-trigger="every 2s"'
    assert "Still being analysed" in page and poll in page and "transcoding 40%" in page
    # Each poll answers the card alone, with the worker's latest progress ...
    m.videos.update(
        m.videos.get_system(p.id, video.id),
        metadata={**video.metadata, "progress": "transcoding 90%"},
    )
    card = c.get(f"/players/{p.id}/swings/{video.id}/?part=pending", **HTMX)
    assert card.status_code == 200 and "HX-Refresh" not in card
    html = card.content.decode()
    assert "<html" not in html and "transcoding 90%" in html and poll in html
    # ... until the swing is analysed: then htmx reloads the page, which shows the replay.
    from analysis.pipeline import LoadedPoses, analyze_and_store

    analyze_and_store(
        m,
        video,
        LoadedPoses(keypoints=swing.keypoints, fps=30.0, source="synthetic", width=480, height=360),
        player=p,
    )
    m.videos.transition(m.videos.get_system(p.id, video.id), "processing", "analyzed")
    done = c.get(f"/players/{p.id}/swings/{video.id}/?part=pending", **HTMX)
    assert done["HX-Refresh"] == "true"
    page = c.get(f"/players/{p.id}/swings/{video.id}/").content.decode()
    assert "Still being analysed" not in page and "data-replay" in page
    # Another coach's poll is a 404 like the page.
    other = account(m, "coach")
    assert (
        team.client(other)
        .get(f"/players/{p.id}/swings/{video.id}/?part=pending", **HTMX)
        .status_code
        == 404
    )


def test_key_metrics_compare_the_latest_day_with_30_days_before(team):
    from analysis import display
    from swingvision.players.views import key_metrics

    km = key_metrics(team.coach, team.player)
    latest, month_before = team.swings[5][1], team.swings[2][1]  # 2 and 40 days ago
    assert km["now"].progress_date.date() == team.swings[5][0].uploaded_at.date()
    assert km["then"].progress_date.date() == team.swings[2][0].uploaded_at.date()
    rows = {r["name"]: r for r in km["rows"]}
    assert list(rows)[0] == "overall_score"
    for name in ("tempo_ratio", "shoulder_turn_deg"):
        assert rows[name]["now"] == display.format_short(name, latest.metrics[name])
        assert rows[name]["then"] == display.format_short(name, month_before.metrics[name])
    assert rows["overall_score"]["delta"] == display.format_delta(
        "overall_score", latest.overall_score - month_before.overall_score
    )
