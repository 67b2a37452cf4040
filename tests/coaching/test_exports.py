"""Exports of a swing (keypoints CSV and JSON that pose_io reads back as the same poses, metrics and
events CSV) and of a player's analyses, the printable report, and who may download them."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from analysis.engine.metrics import METRICS
from analysis.engine.pose_io import load_pose_file
from swingvision.db.managers import SYSTEM
from swingvision.db.swing_facts import dense_keypoints


def swing_url(team, video=None) -> str:
    return f"/players/{team.player.id}/swings/{(video or team.swing[0]).id}/"


def stored(team, video):
    seq = team.m.poses.sequence(SYSTEM, team.player.id, video.id)
    analysis = team.m.analyses.latest_for_video(SYSTEM, team.player.id, video.id)
    return dense_keypoints(seq, analysis.details["n_frames"]), analysis


def rows_of(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_keypoint_csv_imports_as_the_same_poses(team):
    video = team.swing[0]
    r = team.client(team.coach).get(swing_url(team) + "export.csv")
    assert r.status_code == 200
    rows = rows_of(r)
    assert list(rows[0]) == ["frame", "time_ms", "landmark", "x", "y", "z", "visibility"]
    kp, _ = stored(team, video)
    imported = load_pose_file(r.content, "swing.csv")
    assert imported.keypoints.shape == kp.shape
    np.testing.assert_allclose(imported.keypoints, kp, atol=1e-6, equal_nan=True)
    assert imported.fps == pytest.approx(30.0)


def test_the_json_export_imports_as_the_same_poses_and_carries_the_analysis(team):
    video = team.swing[0]
    team.m.coaching.add_annotation(
        team.coach,
        team.player.id,
        video.id,
        {"kind": "circle", "points": [{"joint": "nose"}, {"x": 0.5, "y": 0.2}]},
    )
    r = team.client(team.player).get(swing_url(team) + "export.json")
    assert r.status_code == 200 and r["Content-Type"] == "application/json"
    doc = json.loads(r.content)
    kp, analysis = stored(team, video)
    imported = load_pose_file(r.content, "swing.json")
    np.testing.assert_allclose(imported.keypoints, kp, atol=1e-6, equal_nan=True)
    assert (imported.width, imported.height) == (480, 360)
    assert doc["swing"]["id"] == video.id and doc["swing"]["player_id"] == team.player.id
    assert doc["analysis"]["metrics"] == analysis.metrics
    assert doc["analysis"]["events"] == analysis.events
    assert doc["analysis"]["drawings"][-1]["kind"] == "circle"


def test_the_metrics_and_events_csv(team):
    _, analysis = stored(team, team.swing[0])
    coach = team.client(team.coach)
    rows = rows_of(coach.get(swing_url(team) + "export.csv?part=metrics"))
    by_name = {r["metric"]: r for r in rows}
    assert float(by_name["overall_score"]["value"]) == pytest.approx(analysis.overall_score)
    for name, value in analysis.metrics.items():
        row = by_name[name]
        if value is None:
            assert row["value"] == "" and row["available"] == "false"
        else:
            assert float(row["value"]) == pytest.approx(value, rel=1e-5)
            lo, hi = analysis.details["metrics"][name]["band"]
            assert float(row["target_low"]) == lo and float(row["target_high"]) == hi
    events = rows_of(coach.get(swing_url(team) + "export.csv?part=events"))
    assert [e["event"] for e in events][0] == "address" and len(events) == 8
    for e in events:
        assert int(e["frame"]) == analysis.events[e["event"]]
        assert e["set_by_coach"] == "false"
    assert coach.get(swing_url(team) + "export.csv?part=everything").status_code == 400


def test_the_player_export_lists_every_analysed_swing(team):
    r = team.client(team.player).get(f"/players/{team.player.id}/export.csv")
    assert r.status_code == 200
    rows = rows_of(r)
    assert [row["swing_id"] for row in rows] == [team.plain[0].id, team.swing[0].id]  # oldest first
    header = list(rows[0])
    assert header[:7] == [
        "swing_id",
        "recorded_at",
        "analyzed_at",
        "engine_version",
        "club",
        "view",
        "overall_score",
    ]
    assert set(METRICS) <= set(header) and "shoulder_turn_deg_score" in header
    row = next(r for r in rows if r["swing_id"] == team.swing[0].id)
    _, analysis = stored(team, team.swing[0])
    assert float(row["overall_score"]) == pytest.approx(analysis.overall_score)
    assert float(row["tempo_ratio"]) == pytest.approx(analysis.metrics["tempo_ratio"], rel=1e-5)
    assert row["recorded_at"].startswith(str(team.swing[0].uploaded_at.date()))


def test_text_cells_a_spreadsheet_would_run_are_quoted(team):
    from swingvision.coaching.exports import safe_cell

    video = team.plain[0]
    team.m.videos.update(video, metadata={**video.metadata, "club": '=HYPERLINK("http://x")'})
    rows = rows_of(team.client(team.coach).get(f"/players/{team.player.id}/export.csv"))
    row = next(r for r in rows if r["swing_id"] == video.id)
    assert row["club"] == '\'=HYPERLINK("http://x")'
    assert (
        safe_cell("-2+3") == "'-2+3" and safe_cell("driver") == "driver" and safe_cell(-2.0) == -2.0
    )
    team.m.videos.update(
        team.m.videos.get_system(team.player.id, video.id), metadata=video.metadata
    )


def test_exports_follow_the_pages_access_rules(team):
    urls = [
        swing_url(team) + "export.csv",
        swing_url(team) + "export.csv?part=metrics",
        swing_url(team) + "export.json",
        swing_url(team) + "report/",
        f"/players/{team.player.id}/export.csv",
    ]
    for url in urls:
        for who in (team.coach, team.player, team.admin):
            assert team.client(who).get(url).status_code == 200, (who.role, url)
        for who in (team.other_coach, team.other_player):
            assert team.client(who).get(url).status_code == 404, (who.role, url)
        from django.test import Client

        r = Client().get(url)
        assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_the_report_has_the_eight_key_frames_with_pictures_and_skeletons(team):
    video = team.swing[0]
    html = team.client(team.coach).get(swing_url(team) + "report/").content.decode()
    assert html.count("data-key-frame=") == 8
    assert html.count('<img src="data:image/webp;base64,') == 8  # the video's frames
    assert html.count('class="bone"') >= 8 * 10  # a skeleton on each
    assert "Metrics against targets" in html and "Shoulder turn" in html
    _, analysis = stored(team, video)
    assert analysis.feedback[0]["finding"].replace("'", "&#x27;") in html
    # A swing without a video file: the skeletons alone.
    plain = team.client(team.coach).get(swing_url(team, team.plain[0]) + "report/").content.decode()
    assert plain.count("data-key-frame=") == 8 and "data:image/webp" not in plain
    assert plain.count('class="bone"') >= 8 * 10


def test_arrow_box_and_shaft_plane_resolve_for_the_report():
    from swingvision.coaching.exports import resolve_drawing

    def spot(x, y):
        return {"x": x, "y": y}

    box = resolve_drawing(
        {"kind": "box", "points": [spot(0.75, 0.5), spot(0.25, 0.25)]}, None, (400, 200)
    )
    assert box["box"] == (100.0, 50.0, 200.0, 50.0)
    arrow = resolve_drawing(
        {"kind": "arrow", "points": [spot(0.0, 0.5), spot(0.5, 0.5)]}, None, (400, 200)
    )
    tip = (200.0, 100.0)
    assert arrow["head"][1] == tip
    for barb in (arrow["head"][0], arrow["head"][2]):
        assert barb[0] < tip[0] and abs(np.hypot(barb[0] - tip[0], barb[1] - tip[1]) - 14) < 0.2
    assert arrow["head"][0][1] == pytest.approx(200 - arrow["head"][2][1])
    # The plane's line runs across the whole frame: through (0.5, 0.9) and (0.6, 0.7) of 400x200,
    # (pixels 200,180 and 240,140) from the bottom edge (y 200, x 180) to the top one (y 0, x 380).
    plane = resolve_drawing(
        {"kind": "plane", "points": [spot(0.5, 0.9), spot(0.6, 0.7)]}, None, (400, 200)
    )
    assert plane["points"] == [(180.0, 200.0), (380.0, 0.0)]


def test_arrow_box_and_plane_are_stored(team):
    for kind in ("arrow", "box", "plane"):
        a = team.m.coaching.add_annotation(
            team.coach,
            team.player.id,
            team.swing[0].id,
            {"kind": kind, "points": [{"x": 0.1, "y": 0.2}, {"joint": "left_wrist"}]},
        )[1]
        assert a["kind"] == kind and len(a["points"]) == 2
