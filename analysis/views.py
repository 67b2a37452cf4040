"""Swing pages: the replay (video + skeleton), its compact pose data, and the compare page."""

from __future__ import annotations

import gzip
import hashlib
import json

import numpy as np
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseClientRefresh

from analysis import display
from analysis.engine.pose import LANDMARK_NAMES, SKELETON_EDGES
from swingvision.coaching import review
from swingvision.coaching.views import swing_context
from swingvision.db.codec import to_epoch_ms
from swingvision.db.managers import managers
from swingvision.db.managers.scope import can_edit_player
from swingvision.db.records import PoseSequence, SwingAnalysis, User, Video
from swingvision.db.swing_facts import (
    capture_fps,
    frame_count,
    slow_motion,
    timing_state,
    video_fps,
)
from swingvision.http import is_htmx
from swingvision.lessons.service import allows_microphone
from swingvision.videos.availability import raw_video_available
from swingvision.web import (
    BadRequest,
    choice_param,
    player_or_404,
    swing_or_404,
    text_param,
    video_or_404,
)

# Bump when the pose payload's shape changes, so cached copies are not reused.
POSES_FORMAT = 1
# x and y are sent as integers in 1/10000 of the frame, confidence in percent: about 0.05 px on a
# 1080p frame, far below what a pose model resolves, and ints serialize and parse faster.
XY_SCALE, CONF_SCALE = 10000, 100
COMPARE_MODES = ("side", "ghost")
# "Is this slow motion?" (analysis/engine/timing.py): the answers the swing page offers.
RATE_CHOICES = (
    ("real", "Real time"),
    ("2x", "2× slow"),
    ("3x", "3× slow"),
    ("4x", "4× slow"),
    ("8x", "8× slow"),
    ("60", "60 fps"),
    ("120", "120 fps"),
    ("240", "240 fps"),
)
PICKER_SWINGS = 30


def video_url(video: Video) -> str | None:
    """Where the browser streams the raw video, or None once it is gone (skeleton-only replay)."""
    if not raw_video_available(video):
        return None
    try:
        return reverse("video-playback", args=[video.user_id, video.id])
    except NoReverseMatch:  # the playback view is not installed: replay the skeleton alone
        return None


def stage_context(
    request: HttpRequest, player: User, video: Video, analysis: SwingAnalysis | None
) -> dict:
    """What the overlay player needs from the page (the poses come from the data endpoint)."""
    fps = video_fps(video, analysis)
    filmed = capture_fps(video, analysis)
    width = int(video.metadata.get("width") or 640)
    height = int(video.metadata.get("height") or 480)
    return {
        "poses_url": reverse("swing_poses", args=[player.id, video.id]),
        "video_url": video_url(video),
        "fps": fps,
        "capture_fps": filmed,
        "slow_motion": slow_motion(video, analysis),
        "width": width,
        "height": height,
        "frames": frame_count(video, analysis),
        # Seconds of the swing as filmed (a slow-motion file plays slower than real time).
        "phases": display.phase_marks(analysis.events if analysis else None, filmed),
        "debug_sync": request.GET.get("debug") == "sync",
    }


def _has_poses(video: Video, analysis: SwingAnalysis | None) -> bool:
    return analysis is not None and video.status in ("analyzed", "expired")


def _swing_stage(
    request: HttpRequest, player: User, video: Video, analysis: SwingAnalysis | None
) -> dict:
    """A swing as a page shows it (the replay page, each side of a comparison): the records,
    whether its skeleton replays, and the overlay player's settings."""
    return {
        "player": player,
        "video": video,
        "analysis": analysis,
        "replayable": _has_poses(video, analysis),
        "stage": stage_context(request, player, video, analysis),
    }


@require_GET
@allows_microphone  # the coach's lesson recorder (issue #17)
def swing(request: HttpRequest, player_id: str, video_id: str) -> HttpResponse:
    """The replay page: video with the skeleton, phases, metrics and feedback."""
    player = player_or_404(request, player_id)
    video = video_or_404(request, player.id, video_id)
    if request.GET.get("part") == "pending":
        # The "still being analysed" card polls here: the card again while the worker is busy
        # (with its progress), then the whole page once the swing is done.
        if video.status in ("uploaded", "processing"):
            return render(request, "swing.html#swing-pending", {"player": player, "video": video})
        return HttpResponseClientRefresh()
    analysis = managers().analyses.latest_for_video(request.user, player.id, video.id)
    # The player sees what the coach published when the coach reviews first (coaching/review.py).
    feedback = sorted(
        review.visible_feedback(request.user, player, analysis),
        key=lambda f: f.get("priority") or 3,
    )
    can_edit = can_edit_player(request.user, player)
    context = {
        **_swing_stage(request, player, video, analysis),
        "metrics": display.metric_lines(analysis),
        "feedback": [{**f, "label": display.label(str(f.get("aspect", "")))} for f in feedback],
        "can_edit": can_edit,
        "roster_url": reverse("roster") if request.user.role != "player" else None,
        # The player's page is the player's: score, published feedback, notes and the replay,
        # none of the engine's internals (confidence, corrections, metrics, key hints).
        "player_view": not can_edit,
        "review": review.review_state(player, analysis),
        "slow_motion_question": can_edit
        and analysis is not None
        and timing_state(analysis) == "too slow for real time",
        "rate_answers": RATE_CHOICES,
        # A coach who answered can answer again (a wrong guess is not final).
        "rate_changeable": can_edit
        and analysis is not None
        and timing_state(analysis) == "confirmed",
    }
    if can_edit:  # markers worth checking, on the timeline and in the phases table
        check = display.markers_to_check(analysis)
        context["stage"]["phases"] = display.phase_marks(
            analysis.events if analysis else None, context["stage"]["capture_fps"], check
        )
        context["check_events"] = check
    # Coach tools (issue #10): drawings, phase corrections, notes, drills, exports.
    context.update(swing_context(request, player, video, analysis))
    if is_htmx(request) and request.htmx.target == "swing-analysis":
        return render(request, "swing.html#swing-analysis", context)  # after a phase correction
    return render(request, "swing.html", context)


# -- the pose data ------------------------------------------------------------------------------
def poses_etag(video: Video, analysis: SwingAnalysis | None, player: User) -> str:
    """Changes whenever the poses, the events or the lead side can have changed: poses are
    rewritten only with a new analysis (new id or time); a coach's event edit changes the events."""
    parts = [
        str(POSES_FORMAT),
        video.id,
        str(to_epoch_ms(video.updated_at)),
        analysis.id if analysis else "-",
        str(to_epoch_ms(analysis.analyzed_at)) if analysis else "-",
        json.dumps(analysis.events if analysis else None, sort_keys=True),
        "L" if player.left_handed else "R",
    ]
    return 'W/"' + hashlib.sha256("|".join(parts).encode()).hexdigest()[:24] + '"'


def _etag_matches(header: str, etag: str) -> bool:
    tags = [t.strip() for t in header.split(",") if t.strip()]
    bare = etag.removeprefix("W/")
    return "*" in tags or any(t.removeprefix("W/") == bare for t in tags)


def encode_keypoints(keypoints: np.ndarray) -> list:
    """(F, 33, 4) float keypoints -> a flat list of x, y, confidence per joint per frame, as
    scaled integers, None for a joint that was not seen (vectorized: no loop over frames)."""
    kp = np.asarray(keypoints, dtype=np.float32)
    missing = np.isnan(kp[:, :, 0]) | np.isnan(kp[:, :, 1])
    out = np.empty(kp.shape[:2] + (3,), dtype=np.int64)
    xy = np.nan_to_num(kp[:, :, :2], nan=0.0, posinf=0.0, neginf=0.0)
    out[:, :, :2] = np.rint(np.clip(xy, -100.0, 100.0) * XY_SCALE)
    conf = np.nan_to_num(kp[:, :, 3], nan=0.0, posinf=0.0, neginf=0.0)
    out[:, :, 2] = np.rint(np.clip(conf, 0.0, 1.0) * CONF_SCALE)
    values = out.astype(object)
    values[missing] = None
    return values.reshape(-1).tolist()


def poses_payload(
    video: Video, analysis: SwingAnalysis | None, player: User, seq: PoseSequence
) -> dict:
    frames = seq.frame_numbers.astype(np.int64)
    n = max(frame_count(video, analysis), int(frames.max()) + 1 if len(frames) else 0)
    return {
        "format": POSES_FORMAT,
        "video_id": video.id,
        "fps": video_fps(video, analysis),
        "capture_fps": capture_fps(video, analysis),
        "n": n,
        "width": int(video.metadata.get("width") or 0) or None,
        "height": int(video.metadata.get("height") or 0) or None,
        "lead": "right" if player.left_handed else "left",
        "joints": list(LANDMARK_NAMES),
        "edges": [list(e) for e in SKELETON_EDGES],
        "events": {k: v for k, v in (analysis.events if analysis else {}).items()},
        "kp_scale": [XY_SCALE, XY_SCALE, CONF_SCALE],
        "frames": frames.tolist(),
        "kp": encode_keypoints(seq.keypoints[:, :, :4]),
    }


@require_GET
def swing_poses(request: HttpRequest, player_id: str, video_id: str) -> HttpResponse:
    """Every frame's pose of one swing in one response, cached by ETag (304 when unchanged)."""
    player, video, analysis = swing_or_404(request, player_id, video_id)
    m = managers()
    etag = poses_etag(video, analysis, player)
    if _etag_matches(request.headers.get("If-None-Match", ""), etag):
        response: HttpResponse = HttpResponseNotModified()
    else:
        seq = m.poses.sequence(request.user, player.id, video.id)
        body = json.dumps(
            poses_payload(video, analysis, player, seq), separators=(",", ":")
        ).encode()
        response = HttpResponse(body, content_type="application/json")
        if "gzip" in request.headers.get("Accept-Encoding", "") and len(body) > 2048:
            response.content = gzip.compress(body, compresslevel=1, mtime=0)
            response["Content-Encoding"] = "gzip"
    response["ETag"] = etag
    # private: per-user data; no-cache: keep it, but ask (a 304 costs one small query).
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ("Accept-Encoding", "Cookie"))
    return response


# -- compare -------------------------------------------------------------------------------------
def _team(request: HttpRequest, player: User) -> list[User]:
    """Players whose swings the compare picker offers: the coach's roster (the player alone
    when a player is looking)."""
    actor = request.user
    m = managers()
    if actor.role == "coach":
        return m.users.players_of(actor, actor.id)
    if actor.role == "admin" and player.coach_id:
        return m.users.players_of(actor, player.coach_id)
    return [player]


def _parse_with(raw: str) -> tuple[str, str]:
    other_player, sep, other_video = raw.partition(":")
    if not sep or not other_player or not other_video or ":" in other_video:
        raise BadRequest("with: expected <player id>:<swing id>")
    return other_player, other_video


@require_GET
@allows_microphone
def compare(request: HttpRequest, player_id: str, video_id: str) -> HttpResponse:
    """Two swings side by side (synced by phase) or as a ghost overlay, and their differences."""
    player, video, analysis = swing_or_404(request, player_id, video_id)
    m = managers()
    mode = choice_param(request, "mode", COMPARE_MODES, "side")
    raw_with = text_param(request, "with", max_length=300)
    other = None
    if raw_with:
        other_pid, other_vid = _parse_with(raw_with)
        other_player, other_video, other_analysis = swing_or_404(request, other_pid, other_vid)
        other = {
            **_swing_stage(request, other_player, other_video, other_analysis),
            "key": f"{other_player.id}:{other_video.id}",
        }
    pick_id = text_param(request, "pick") or (other["player"].id if other else player.id)
    pick_player = player_or_404(request, pick_id)
    candidates = [
        row
        for row in m.swings.page(request.user, pick_player.id, per_page=PICKER_SWINGS).rows
        if row.score is not None
        and row.video.status in ("analyzed", "expired")
        and not (pick_player.id == player.id and row.video.id == video.id)
    ]
    base = reverse("compare", args=[player.id, video.id])
    context = {
        **_swing_stage(request, player, video, analysis),
        "other": other,
        "mode": mode,
        "modes": COMPARE_MODES,
        "base_url": base,
        "team": _team(request, player),
        "pick": pick_player,
        "candidates": candidates,
        "diffs": display.metric_diffs(analysis, other["analysis"]) if other else [],
    }
    if is_htmx(request) and request.htmx.target == "compare-picker":
        return render(request, "compare.html#compare-picker", context)
    return render(request, "compare.html", context)
