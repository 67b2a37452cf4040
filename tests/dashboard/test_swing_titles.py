"""Telling swings apart (issue #21): each swing has a title (its file name until someone renames
it) shown with its view and club on the player's list, the upload page's list, the compare picker
and headers (side by side and ghost) and the similar-position results; renaming is the player's,
their coach's or an admin's, checked and audited; a result's picture is the matched frame and its
closeness is said in words."""

from __future__ import annotations

import html as htmlmod
import re

import pytest

from .helpers import account, add_swing


@pytest.fixture(scope="module")
def trio(team):
    """Three swings of one new player uploaded the same evening: two face-on with a driver, one
    down the line with a 7-iron."""
    m = team.m
    player = account(m, "player", coach=team.coach, name="Tia Three")
    swings = []
    for seed, (view, club) in zip(
        (61, 62, 63),
        (("face-on", "driver"), ("face-on", "driver"), ("down-the-line", "7-iron")),
        strict=True,
    ):
        video, _, _ = add_swing(m, player, days_ago=0.01, seed=seed)
        video = m.videos.update(video, metadata={**video.metadata, "view": view, "club": club})
        swings.append(video)
    return player, swings


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.S)
    return htmlmod.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def test_lists_and_pickers_name_each_swing_with_its_view_and_club(team, trio):
    player, swings = trio
    c = team.client(team.coach)
    page = text_of(c.get(f"/players/{player.id}/"))
    for v in swings:
        assert v.filename in page
    assert "down the line" in page and "7-iron" in page and "face-on" in page
    upload = text_of(c.get(f"/players/{player.id}/upload/"))
    for v in swings:
        assert v.filename in upload
    assert "down the line · 7-iron" in upload
    # The compare picker: every other swing by title, view and club.
    a, b, dtl = swings
    picker = text_of(c.get(f"/players/{player.id}/swings/{a.id}/compare/?pick={player.id}"))
    assert f"{b.filename} face-on · Driver" in picker
    assert f"{dtl.filename} down the line · 7-iron" in picker


def test_compare_headers_and_the_ghost_title_name_both_swings(team, trio):
    player, swings = trio
    a, b, _ = swings
    c = team.client(team.coach)
    for mode in ("side", "ghost"):
        url = f"/players/{player.id}/swings/{a.id}/compare/?with={player.id}%3A{b.id}&mode={mode}"
        page = text_of(c.get(url))
        titles = re.findall(r"Tia Three · (\S+) face-on · Driver", page)
        assert a.filename in titles and b.filename in titles, (mode, titles)
    ghost = text_of(
        c.get(f"/players/{player.id}/swings/{a.id}/compare/?with={player.id}%3A{b.id}&mode=ghost")
    )
    assert re.search(rf"{re.escape(a.filename)} .* with .* {re.escape(b.filename)}", ghost)


def test_renaming_a_swing(team, trio):
    player, swings = trio
    a, b, _ = swings
    m = team.m
    coach = team.client(team.coach)
    url = f"/players/{player.id}/swings/{a.id}/title/"
    r = coach.post(url, {"title": "  Range session, new grip  "})
    assert r.status_code == 302
    stored = m.videos.get_system(player.id, a.id)
    assert stored.metadata["title"] == "Range session, new grip"
    assert stored.metadata["club"] == "driver"  # the rest of the metadata stays
    swing_page = coach.get(f"/players/{player.id}/swings/{a.id}/").content.decode()
    assert '<span id="swing-title">Range session, new grip</span>' in swing_page
    assert "Range session, new grip" in text_of(coach.get(f"/players/{player.id}/"))
    compare = text_of(
        coach.get(
            f"/players/{player.id}/swings/{b.id}/compare/?with={player.id}%3A{a.id}&mode=ghost"
        )
    )
    assert f"{b.filename} face-on · Driver" in compare
    assert "Range session, new grip face-on · Driver" in compare
    [entry] = [
        e
        for e in m.audit.page(team.admin, target_type="video", target_id=a.id).entries
        if e.action == "video.title"
    ]
    assert entry.before == {"title": None}
    assert entry.after == {"title": "Range session, new grip"}

    # Bad input: a clear 400 naming the field, nothing written.
    r = coach.post(url, {"title": "x" * 121})
    assert r.status_code == 400 and b"title" in r.content
    r = coach.post(url, {"title": "tab\x07bell"})
    assert r.status_code == 400
    assert m.videos.get_system(player.id, a.id).metadata["title"] == "Range session, new grip"
    # Not another coach (no such swing for them), nor a GET.
    assert team.client(team.other_coach).post(url, {"title": "mine"}).status_code == 404
    assert coach.get(url).status_code == 405
    # Empty: back to the file name.
    assert coach.post(url, {"title": ""}).status_code == 302
    assert "title" not in m.videos.get_system(player.id, a.id).metadata
    assert (
        '<span id="swing-title">' + a.filename
        in coach.get(f"/players/{player.id}/swings/{a.id}/").content.decode()
    )


def test_a_player_renames_their_own_swing_only(team):
    m = team.m
    video, _, _ = add_swing(m, team.teammate, days_ago=0.5, seed=64)
    c = team.client(team.teammate)
    assert (
        c.post(
            f"/players/{team.teammate.id}/swings/{video.id}/title/", {"title": "Mine"}
        ).status_code
        == 302
    )
    assert m.videos.get_system(team.teammate.id, video.id).metadata["title"] == "Mine"
    other, _, _ = team.swings[0]
    r = c.post(f"/players/{team.player.id}/swings/{other.id}/title/", {"title": "Not mine"})
    assert r.status_code == 404
    assert "title" not in m.videos.get_system(team.player.id, other.id).metadata


def test_closeness_words():
    from swingvision.similarity.views import CLOSENESS_BANDS, closeness

    assert closeness(0.0)[1] == "very close"
    assert closeness(CLOSENESS_BANDS[0])[1] == "very close"
    assert closeness(CLOSENESS_BANDS[0] + 0.01)[1] == "close"
    assert closeness(CLOSENESS_BANDS[1] + 0.01)[1] == "loosely similar"


def test_the_frame_picture_of_a_swing(team, tmp_path):
    from swingvision.storage import get_store, video_key
    from tests.videos import media

    m = team.m
    path = media.make_video(tmp_path / "real.mp4", frames=12, width=64, height=48)
    video, _, _ = add_swing(m, team.player, days_ago=0.2, seed=65)
    with path.open("rb") as fh:
        ref = get_store().put(video_key(team.player.id, video.id, "real.mp4"), fh)
    video = m.videos.update(video, blob_ref=ref)
    url = f"/players/{team.player.id}/swings/{video.id}/frames/5.webp"
    for user in (team.coach, team.player, team.admin):
        r = team.client(user).get(url)
        assert r.status_code == 200 and r["Content-Type"] == "image/webp"
        assert r.content[:4] == b"RIFF" and r.content[8:12] == b"WEBP"
    assert team.client(team.other_coach).get(url).status_code == 404
    assert team.client(team.outsider).get(url).status_code == 404
    assert team.client(team.coach).get(url.replace("/5.", "/99.")).status_code == 404
    gone = m.videos.update(video, status="expired")
    assert team.client(team.coach).get(url).status_code == 404
    assert gone.status == "expired"
