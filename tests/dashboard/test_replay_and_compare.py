"""The swing replay page, its compact pose data (format, rounding, ETag/304, gzip) and compare."""

from __future__ import annotations

import gzip
import json
import re

import numpy as np
import pytest

from analysis.engine.pose import LANDMARK_NAMES, SKELETON_EDGES
from swingvision.db.managers import SYSTEM

from .helpers import account, add_swing


def poses_url(player, video) -> str:
    return f"/players/{player.id}/swings/{video.id}/poses.json"


def test_swing_page_has_the_stage_phases_metrics_and_feedback(team):
    video, analysis, _ = team.swings[-1]
    html = team.client(team.coach).get(f"/players/{team.player.id}/swings/{video.id}/").content
    html = html.decode()
    assert f'data-poses-url="{poses_url(team.player, video)}"' in html
    assert 'data-fps="30.0"' in html and 'data-width="480"' in html
    # No stored video file here: the skeleton replays on a blank stage.
    assert "<video" not in html and "data-blank" in html
    for name, frame in analysis.events.items():
        if frame is not None:
            assert f'data-phase="{name}" data-frame="{frame}"' in html
    assert ">Top</button>" in html
    assert "Shoulder turn" in html and "Tempo" in html
    for item in analysis.feedback:
        assert item["finding"].replace("'", "&#x27;") in html
    priorities = [int(p) for p in re.findall(r'<li class="prio-(\d)">', html)]
    assert priorities == sorted(priorities)
    assert "Edit feedback" in html  # the coach may edit; links to the feedback editor


def test_swing_page_streams_the_video_when_it_is_stored(team):
    m = team.m
    video, _, _ = add_swing(m, team.teammate, days_ago=1, seed=41, blob_ref="local://raw/x.mp4")
    html = team.client(team.coach).get(f"/players/{team.teammate.id}/swings/{video.id}/").content
    assert (
        f'<video data-video src="/players/{team.teammate.id}/swings/{video.id}/video"'.encode()
        in html
    )


def test_swing_page_of_a_failed_or_processing_swing_says_so(team):
    m = team.m
    video, _, _ = add_swing(m, team.teammate, days_ago=1, seed=42, status="processing")
    c = team.client(team.coach)
    assert (
        b"Still being analysed" in c.get(f"/players/{team.teammate.id}/swings/{video.id}/").content
    )
    failed = m.videos.update(
        video, status="failed", metadata={**video.metadata, "error": "no golfer"}
    )
    html = c.get(f"/players/{team.teammate.id}/swings/{failed.id}/").content
    assert b"could not be analysed" in html and b"no golfer" in html


def test_pose_data_is_every_frame_in_one_compact_response(team):
    video, analysis, swing = team.swings[-1]
    r = team.client(team.coach).get(poses_url(team.player, video))
    assert r.status_code == 200 and r["Content-Type"] == "application/json"
    data = json.loads(r.content)
    seq = team.m.poses.sequence(SYSTEM, team.player.id, video.id)
    assert data["frames"] == seq.frame_numbers.tolist()
    assert data["n"] == swing.n_frames and data["fps"] == 30.0
    assert data["joints"] == list(LANDMARK_NAMES)
    assert data["edges"] == [list(e) for e in SKELETON_EDGES]
    assert data["events"] == analysis.events
    assert data["lead"] == "left"  # a right-handed golfer leads with the left side
    kp = np.array([np.nan if v is None else v for v in data["kp"]], dtype=float)
    kp = kp.reshape(len(data["frames"]), 33, 3) / np.array(data["kp_scale"], dtype=float)
    stored = seq.keypoints.astype(float)
    assert np.allclose(kp[:, :, :2], stored[:, :, :2], atol=0.5 / 10000 + 1e-7, equal_nan=True)
    assert np.allclose(kp[:, :, 2], np.clip(stored[:, :, 3], 0, 1), atol=0.5 / 100 + 1e-7)
    # Compact: no spaces, integers only.
    assert b", " not in r.content and b": " not in r.content
    assert all(v is None or isinstance(v, int) for v in data["kp"][:500])


def test_pose_data_marks_missing_joints_null(team):
    video, _, swing = add_swing(team.m, team.teammate, days_ago=1, seed=43, dropout=0.2)
    data = json.loads(team.client(team.coach).get(poses_url(team.teammate, video)).content)
    seq = team.m.poses.sequence(SYSTEM, team.teammate.id, video.id)
    missing = np.isnan(seq.keypoints[:, :, 0]).reshape(-1)
    assert missing.any()
    nulls = np.array([v is None for v in data["kp"][0::3]])
    assert (nulls == missing).all()


def test_pose_data_is_cached_by_etag(team):
    video, _, _ = team.swings[-1]
    c = team.client(team.coach)
    r = c.get(poses_url(team.player, video))
    etag = r["ETag"]
    assert etag.startswith('W/"') and "private" in r["Cache-Control"]
    again = c.get(poses_url(team.player, video), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    other = c.get(poses_url(team.player, video), HTTP_IF_NONE_MATCH='W/"stale"')
    assert other.status_code == 200


def test_pose_etag_changes_when_the_analysis_changes(team):
    m = team.m
    video, analysis, _ = add_swing(m, team.teammate, days_ago=1, seed=44)
    c = team.client(team.coach)
    before = c.get(poses_url(team.teammate, video))["ETag"]
    events = {**analysis.events, "top": analysis.events["top"] + 1}
    m.analyses.update(analysis, events=events)  # a coach's event correction keeps analyzed_at
    r = c.get(poses_url(team.teammate, video), HTTP_IF_NONE_MATCH=before)
    assert r.status_code == 200 and r["ETag"] != before
    assert json.loads(r.content)["events"]["top"] == events["top"]


def test_pose_data_is_gzipped_when_the_browser_accepts_it(team):
    video, _, _ = team.swings[-1]
    c = team.client(team.coach)
    plain = c.get(poses_url(team.player, video))
    zipped = c.get(poses_url(team.player, video), HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert len(zipped.content) < len(plain.content) / 2
    assert "Accept-Encoding" in zipped["Vary"]


def test_compare_lists_candidates_and_shows_differences(team):
    (a, a_an, _), (b, b_an, _) = team.swings[-1], team.swings[0]
    c = team.client(team.coach)
    base = f"/players/{team.player.id}/swings/{a.id}/compare/"
    html = c.get(base).content.decode()
    assert "Choose the second swing" in html
    for video, _, _ in team.swings[:-1]:
        assert f"?with={team.player.id}%3A{video.id}&amp;mode=side" in html
    assert f"%3A{a.id}&amp;" not in html  # not itself
    html = c.get(base, {"with": f"{team.player.id}:{b.id}"}).content.decode()
    assert html.count("data-replay") == 2 and 'data-mode="side"' in html
    assert "Metric differences" in html
    assert f">{a_an.overall_score:.0f}</td>" in html and f">{b_an.overall_score:.0f}</td>" in html
    ghost = c.get(base, {"with": f"{team.player.id}:{b.id}", "mode": "ghost"}).content.decode()
    assert ghost.count("data-replay") == 1 and "data-ghost" in ghost
    assert f'data-poses-url="{poses_url(team.player, b)}"' in ghost


def test_compare_with_a_teammate_and_the_picker_partial(team):
    a = team.swings[-1][0]
    t = team.teammate_swing[0]
    c = team.client(team.coach)
    base = f"/players/{team.player.id}/swings/{a.id}/compare/"
    assert c.get(base, {"with": f"{team.teammate.id}:{t.id}"}).status_code == 200
    part = c.get(
        base, {"pick": team.teammate.id}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="compare-picker"
    )
    html = part.content.decode()
    assert html.lstrip().startswith('<section id="compare-picker"')
    assert f"?with={team.teammate.id}%3A{t.id}" in html


@pytest.mark.parametrize(
    ("params", "field"),
    [({"with": "no-colon"}, "with"), ({"with": ":x"}, "with"), ({"mode": "overlay"}, "mode")],
)
def test_compare_rejects_bad_parameters(team, params, field):
    a = team.swings[-1][0]
    r = team.client(team.coach).get(f"/players/{team.player.id}/swings/{a.id}/compare/", params)
    assert r.status_code == 400 and field.encode() in r.content


def test_a_player_compares_only_their_own_swings(team):
    a = team.swings[-1][0]
    c = team.client(team.player)
    base = f"/players/{team.player.id}/swings/{a.id}/compare/"
    html = c.get(base).content.decode()
    assert team.teammate.display_name not in html  # the picker offers only themselves
    assert (
        c.get(base, {"with": f"{team.teammate.id}:{team.teammate_swing[0].id}"}).status_code == 404
    )
    assert c.get(base, {"pick": team.teammate.id}).status_code == 404


def test_expired_swing_replays_from_its_poses(team):
    m = team.m
    p = account(m, "player", coach=team.coach)
    video, _, _ = add_swing(m, p, days_ago=40, seed=45, status="expired")
    c = team.client(team.coach)
    html = c.get(f"/players/{p.id}/swings/{video.id}/").content.decode()
    assert "data-blank" in html and "<video" not in html
    assert "no longer stored" in html
    assert c.get(poses_url(p, video)).status_code == 200


def test_the_report_tells_the_player_when_the_coach_has_not_shared_feedback(team):
    """Review is on by default: before the coach publishes, the player's printable report says
    the feedback is not shared yet, never "nothing to work on"; the coach's shows the draft."""
    video, analysis, _ = team.swings[-1]
    url = f"/players/{team.player.id}/swings/{video.id}/report/"
    mine = team.client(team.player).get(url).content.decode()
    assert "Your coach has not shared feedback on this swing yet." in mine
    assert "Nothing to work on" not in mine
    coach = team.client(team.coach).get(url).content.decode()
    for item in analysis.feedback:
        assert item["finding"].replace("'", "&#x27;") in coach
