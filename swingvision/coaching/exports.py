"""Exports of a swing and of a player's analyses: CSV with a header row, JSON, and the report's key
frames. Keypoint files are the pose file format analysis.engine.pose_io reads back (a round trip gives the
same poses); text cells that a spreadsheet would run as a formula are quoted first."""

from __future__ import annotations

import base64
import csv
import io
import logging
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis import display
from analysis.engine.corrections import coach_events
from analysis.engine.pose import EVENT_NAMES, LANDMARK_INDEX, SKELETON_EDGES
from analysis.engine.pose_io import export_pose_csv, export_pose_json
from swingvision.db.codec import utc_now
from swingvision.db.records import PoseSequence, SwingAnalysis, User, Video
from swingvision.db.swing_facts import capture_fps, frame_count, swing_keypoints
from swingvision.storage import StorageError, get_store
from swingvision.videos.availability import raw_video_available
from swingvision.videos.thumbnails import ThumbnailError, encode_webp, grab_frames

log = logging.getLogger("swingvision.coaching")

CSV_PARTS = ("keypoints", "metrics", "events")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
KEY_FRAME_BOX = (480, 480)
MIN_JOINT_CONFIDENCE = 0.2  # like the thumbnails: joints below it are not drawn


def safe_cell(value: Any) -> Any:
    """A text cell a spreadsheet would evaluate (=, +, -, @ first) is quoted with a '; a number
    written as text (-0.05) stays as it is."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def _number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return ""
    return "" if not math.isfinite(value) else f"{value:.6g}"


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()


def keypoints_csv(video: Video, analysis: SwingAnalysis | None, seq: PoseSequence) -> str:
    return export_pose_csv(swing_keypoints(video, analysis, seq), capture_fps(video, analysis))


def metrics_csv(analysis: SwingAnalysis | None) -> str:
    header = [
        "metric",
        "label",
        "unit",
        "value",
        "target_low",
        "target_high",
        "score",
        "confidence",
        "available",
    ]
    rows: list[list[Any]] = []
    if analysis is not None:
        rows.append(
            ["overall_score", "Overall score", "score", _number(analysis.overall_score)]
            + ["", "", "", "", "true"]
        )
        details = (analysis.details or {}).get("metrics") or {}
        for line in display.metric_lines(analysis):
            d = details.get(line.name) or {}
            band = d.get("band") or display.default_band(line.name) or ("", "")
            rows.append(
                [
                    line.name,
                    line.label,
                    display.unit(line.name),
                    _number((analysis.metrics or {}).get(line.name)),
                    _number(band[0]),
                    _number(band[1]),
                    _number(d.get("score")),
                    _number(d.get("confidence")),
                    "true" if line.available else "false",
                ]
            )
    return _csv(header, rows)


def events_csv(video: Video, analysis: SwingAnalysis | None) -> str:
    header = ["event", "frame", "time_s", "confidence", "set_by_coach", "engine_frame"]
    rows = [
        [
            e["name"],
            "" if e["frame"] is None else e["frame"],
            _number(e["seconds"]),
            _number(e["confidence"]),
            "true" if e["corrected"] else "false",
            "" if e["engine_frame"] is None else e["engine_frame"],
        ]
        for e in event_rows(video, analysis)
    ]
    return _csv(header, rows)


def event_rows(video: Video, analysis: SwingAnalysis | None) -> list[dict]:
    """The 8 events with frame, time, the engine's confidence and whether a coach set them."""
    details = (analysis.details or {}) if analysis else {}
    corrections = details.get("corrections") or []
    coach = coach_events(corrections, frame_count(video, analysis))
    confidence = details.get("event_confidence") or {}
    fps = capture_fps(video, analysis)
    out = []
    for mark in display.phase_marks(analysis.events if analysis else None, fps):
        latest = next(
            (
                c
                for c in reversed(corrections)
                if isinstance(c, dict) and c.get("event") == mark.name
            ),
            None,
        )
        corrected = mark.name in coach
        conf = confidence.get(mark.name)
        out.append(
            {
                "name": mark.name,
                "label": mark.label,
                "frame": mark.frame,
                "seconds": mark.seconds,
                "confidence": float(conf) if isinstance(conf, int | float) else None,
                "corrected": corrected,
                "engine_frame": latest.get("engine_frame") if corrected and latest else None,
                "by": latest.get("by") if corrected and latest else None,
                "at": latest.get("at") if corrected and latest else None,
            }
        )
    return out


def swing_json(
    player: User,
    video: Video,
    analysis: SwingAnalysis | None,
    seq: PoseSequence,
    *,
    feedback: list | None = None,
) -> dict:
    """The swing's poses in the pose file layout (pose_io reads it back: the analysis rides along
    under keys the reader ignores) plus its analysis. `feedback`: what the reader may see of it
    (coaching/review.py); the analysis' own by default."""
    fps = capture_fps(video, analysis)
    doc = export_pose_json(swing_keypoints(video, analysis, seq), fps)
    width, height = video.metadata.get("width"), video.metadata.get("height")
    if isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0:
        doc["width"], doc["height"] = width, height
    doc["exported_at"] = utc_now().isoformat()
    doc["swing"] = {
        "id": video.id,
        "player_id": player.id,
        "player": player.display_name,
        "recorded_at": video.uploaded_at.isoformat(),
        "filename": video.filename,
        "club": video.metadata.get("club"),
        "view": video.metadata.get("view"),
        "status": video.status,
    }
    if analysis is not None:
        details = analysis.details or {}
        doc["analysis"] = {
            "id": analysis.id,
            "engine_version": analysis.engine_version,
            "analyzed_at": analysis.analyzed_at.isoformat(),
            "overall_score": analysis.overall_score,
            "metrics": analysis.metrics,
            "metric_details": details.get("metrics") or {},
            "events": analysis.events,
            "event_confidence": details.get("event_confidence") or {},
            "feedback": analysis.feedback if feedback is None else feedback,
            "corrections": details.get("corrections") or [],
            "drawings": details.get("annotations") or [],
        }
    return doc


def player_csv(rows: list[tuple[Video, SwingAnalysis]]) -> str:
    """One row per analysed swing, oldest first: dates, score and every metric with its score."""
    names = display.metric_order()
    header = [
        "swing_id",
        "recorded_at",
        "analyzed_at",
        "engine_version",
        "club",
        "view",
        "overall_score",
        *names,
        *(f"{n}_score" for n in names),
        "events_set_by_coach",
    ]
    out = []
    for video, analysis in rows:
        details = (analysis.details or {}).get("metrics") or {}
        coach = coach_events((analysis.details or {}).get("corrections"))
        out.append(
            [
                video.id,
                video.uploaded_at.isoformat(),
                analysis.analyzed_at.isoformat(),
                analysis.engine_version,
                video.metadata.get("club") or "",
                video.metadata.get("view") or "",
                _number(analysis.overall_score),
                *(_number((analysis.metrics or {}).get(n)) for n in names),
                *(_number((details.get(n) or {}).get("score")) for n in names),
                " ".join(e for e in EVENT_NAMES if e in coach),
            ]
        )
    return _csv(header, out)


# -- the report's key frames -------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class KeyFrame:
    name: str
    label: str
    frame: int | None
    seconds: float | None
    corrected: bool
    image: str  # a data: URI of the video frame, "" when there is none
    bones: list[tuple[float, float, float, float]]  # x1, y1, x2, y2 in frame pixels
    joints: list[tuple[float, float]]
    drawings: list[dict]  # the frame's drawings, resolved to frame pixels


def frame_size(video: Video) -> tuple[int, int]:
    w, h = video.metadata.get("width"), video.metadata.get("height")
    if isinstance(w, int | float) and isinstance(h, int | float) and w > 0 and h > 0:
        return int(w), int(h)
    return 640, 480


def _skeleton(pose: np.ndarray, size: tuple[int, int]) -> tuple[list, list]:
    w, h = size
    seen = np.isfinite(pose[:, 0]) & np.isfinite(pose[:, 1]) & ~(pose[:, 3] < MIN_JOINT_CONFIDENCE)
    pts = [(round(float(p[0]) * w, 1), round(float(p[1]) * h, 1)) for p in pose]
    bones = [(*pts[a], *pts[b]) for a, b in SKELETON_EDGES if seen[a] and seen[b]]
    body = [i for i in range(len(pose)) if seen[i] and not 1 <= i <= 10]  # no face points
    return bones, [pts[i] for i in body]


def resolve_drawing(
    annotation: dict, pose: np.ndarray | None, size: tuple[int, int]
) -> dict | None:
    """A drawing's points in frame pixels at one pose (a point snapped to a joint the pose lacks
    leaves the drawing out), with an angle's degrees."""
    w, h = size
    pts = []
    for p in annotation.get("points") or []:
        if "joint" in p:
            j = LANDMARK_INDEX.get(p["joint"])
            if pose is None or j is None or not np.isfinite(pose[j, 0]):
                return None
            pts.append((float(pose[j, 0]) * w, float(pose[j, 1]) * h))
        else:
            pts.append((float(p["x"]) * w, float(p["y"]) * h))
    out = {
        "kind": annotation.get("kind"),
        "colour": annotation.get("colour") or "#ffd400",
        "text": annotation.get("text") or "",
        "points": [(round(x, 1), round(y, 1)) for x, y in pts],
    }
    if out["kind"] == "angle" and len(pts) == 3:
        out["degrees"] = angle_deg(*pts)
    if out["kind"] == "circle" and len(pts) == 2:
        out["radius"] = round(math.dist(pts[0], pts[1]), 1)
    if out["kind"] == "box" and len(pts) == 2:
        (x0, y0), (x1, y1) = pts
        out["box"] = tuple(
            round(v, 1) for v in (min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0))
        )
    if out["kind"] == "arrow" and len(pts) == 2:
        out["head"] = [(round(x, 1), round(y, 1)) for x, y in arrow_head(pts[0], pts[1])]
    if out["kind"] == "plane" and len(pts) == 2:
        out["points"] = [(round(x, 1), round(y, 1)) for x, y in extend_to_frame(*pts, w, h)]
    return out


def arrow_head(
    tail: tuple[float, float], tip: tuple[float, float], size: float = 14.0
) -> list[tuple[float, float]]:
    """The two barb ends and the tip of an arrow's head (a barb at 28 degrees off the shaft), as the
    replay's drawing tool draws it."""
    angle = math.atan2(tip[1] - tail[1], tip[0] - tail[0])
    size = min(size, 0.45 * math.dist(tail, tip)) or size
    return [
        (tip[0] - size * math.cos(angle - 0.49), tip[1] - size * math.sin(angle - 0.49)),
        tip,
        (tip[0] - size * math.cos(angle + 0.49), tip[1] - size * math.sin(angle + 0.49)),
    ]


def extend_to_frame(
    a: tuple[float, float], b: tuple[float, float], w: float, h: float
) -> list[tuple[float, float]]:
    """The line through a and b across the whole w x h frame (static/js/geometry.js extendToRect)."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    if dx == 0 and dy == 0:
        return [a, b]
    lo, hi = -math.inf, math.inf
    for d, p, top in ((dx, a[0], w), (dy, a[1], h)):
        if d == 0:
            continue
        t0, t1 = sorted(((0 - p) / d, (top - p) / d))
        lo, hi = max(lo, t0), min(hi, t1)
    if lo > hi:
        return [a, b]
    return [(a[0] + lo * dx, a[1] + lo * dy), (a[0] + hi * dx, a[1] + hi * dy)]


def angle_deg(
    a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]
) -> float | None:
    """The angle ABC in degrees (image pixels), as the replay's drawing tool shows it."""
    v1 = (a[0] - b[0], a[1] - b[1])
    v2 = (c[0] - b[0], c[1] - b[1])
    n = math.hypot(*v1) * math.hypot(*v2)
    if n == 0:
        return None
    cos = max(-1.0, min(1.0, (v1[0] * v2[0] + v1[1] * v2[1]) / n))
    return round(math.degrees(math.acos(cos)), 1)


def _video_pictures(video: Video, frames: list[int]) -> tuple[dict[int, str], tuple | None]:
    """The frames of the swing's video as data: URIs (WebP) and their size (upright, as the poses
    see the frame); none when the video is gone or cannot be decoded (the report then shows the
    skeleton alone)."""
    if not raw_video_available(video) or not frames:
        return {}, None
    ref = video.metadata.get("rendition_ref") or video.blob_ref
    try:
        with get_store().local_copy(ref) as path:
            pictures = grab_frames(path, frames, KEY_FRAME_BOX)
        uris = {
            f: "data:image/webp;base64," + base64.b64encode(encode_webp(img)).decode("ascii")
            for f, img in pictures.items()
        }
    except (ThumbnailError, StorageError, OSError) as e:  # BlobNotFound is a StorageError
        log.warning("report of video %s: no pictures, the skeleton alone: %s", video.id, e)
        return {}, None
    size = next(((img.shape[1], img.shape[0]) for img in pictures.values()), None)
    return uris, size


def key_frames(
    video: Video, analysis: SwingAnalysis | None, seq: PoseSequence, annotations: list[dict]
) -> tuple[list[KeyFrame], tuple[int, int]]:
    """The 8 events' frames: the video's picture (when there is one) with the skeleton, and the
    drawings attached to that frame or to the whole swing; and the frame size they are drawn in
    (the pictures' shape when there are pictures, so the skeleton lies on them)."""
    kp = swing_keypoints(video, analysis, seq)
    events = event_rows(video, analysis)
    wanted = [e["frame"] for e in events if e["frame"] is not None and 0 <= e["frame"] < len(kp)]
    pictures, picture_size = _video_pictures(video, wanted)
    size = picture_size or frame_size(video)
    out = []
    for e in events:
        f = e["frame"]
        pose = kp[f] if f is not None and 0 <= f < len(kp) else None
        bones, joints = _skeleton(pose, size) if pose is not None else ([], [])
        drawings = []
        if f is not None:
            for a in annotations:
                if a.get("frame") is None or a.get("frame") == f:
                    resolved = resolve_drawing(a, pose, size)
                    if resolved is not None:
                        drawings.append(resolved)
        out.append(
            KeyFrame(
                name=e["name"],
                label=e["label"],
                frame=f,
                seconds=e["seconds"],
                corrected=e["corrected"],
                image=pictures.get(f, "") if f is not None else "",
                bones=bones,
                joints=joints,
                drawings=drawings,
            )
        )
    return out, size


def finite_json(value: Any) -> Any:
    """Plain JSON values with NaN and infinities as null (JSON has no such numbers)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite_json(v) for v in value]
    return value
