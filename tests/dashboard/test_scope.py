"""Nobody reaches another coach's or player's data by editing a URL: every dashboard page and data
endpoint answers 404 (the same as a record that does not exist), while the right people get 200."""

from __future__ import annotations

import pytest


def urls_of(player, video, other_player=None, other_video=None) -> list[str]:
    base = f"/players/{player.id}"
    swing = f"{base}/swings/{video.id}"
    out = [
        f"{base}/",
        f"{base}/?status=analyzed",
        f"{swing}/",
        f"{swing}/poses.json",
        f"{swing}/compare/",
        f"{swing}/compare/?mode=ghost",
        f"{base}/progress/",
        f"{base}/progress/?range=365",
        f"{base}/progress.json",
        f"{base}/progress.json?range=custom&start=2020-01-01",
    ]
    if other_player is not None:
        out.append(f"{swing}/compare/?with={other_player.id}:{other_video.id}")
        out.append(f"{swing}/compare/?pick={other_player.id}")
    return out


def test_the_right_people_get_every_page(team):
    video = team.swings[-1][0]
    teammate_video = team.teammate_swing[0]
    for who in (team.coach, team.admin):
        c = team.client(who)
        for url in urls_of(team.player, video, team.teammate, teammate_video):
            assert c.get(url).status_code == 200, (who.role, url)
    c = team.client(team.player)
    for url in urls_of(team.player, video):
        assert c.get(url).status_code == 200, url


@pytest.mark.parametrize("intruder", ["other_coach", "outsider", "teammate"])
def test_outsiders_get_404_everywhere(team, intruder):
    """Another coach, another coach's player, and even a teammate of the same coach."""
    c = team.client(getattr(team, intruder))
    video = team.swings[-1][0]
    for url in urls_of(team.player, video):
        r = c.get(url)
        assert r.status_code == 404, (intruder, url, r.status_code)


def test_compare_checks_the_second_swing_with_the_same_rules(team):
    """A coach's own swing page cannot pull in another coach's player as the second swing."""
    video = team.swings[-1][0]
    base = f"/players/{team.player.id}/swings/{video.id}/compare/"
    c = team.client(team.coach)
    outsider, outsider_video = team.outsider, team.outsider_swing[0]
    assert c.get(base, {"with": f"{outsider.id}:{outsider_video.id}"}).status_code == 404
    assert c.get(base, {"pick": outsider.id}).status_code == 404
    # A swing id that belongs to another player than the one named is not found either.
    assert c.get(base, {"with": f"{team.teammate.id}:{video.id}"}).status_code == 404
    assert c.get(base, {"with": f"{team.player.id}:no-such-swing"}).status_code == 404


def test_a_swing_under_the_wrong_player_is_404(team):
    """/players/<mine>/swings/<someone else's video>/ is not a way in."""
    c = team.client(team.coach)
    foreign = team.outsider_swing[0]
    for suffix in ("/", "/poses.json", "/compare/"):
        assert c.get(f"/players/{team.player.id}/swings/{foreign.id}{suffix}").status_code == 404
        assert c.get(f"/players/{team.outsider.id}/swings/{foreign.id}{suffix}").status_code == 404
