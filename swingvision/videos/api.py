"""The JSON API for capture apps and scripts: create videos, attach pose files, read status and
analysis. Same powers and checks as the upload page; errors are {"error": ..., "field": ...}."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse

from swingvision.coaching.review import visible_feedback
from swingvision.db import NotFound
from swingvision.db.managers import ValidationError, managers, visible_player
from swingvision.db.records import User
from swingvision.http import json_error
from swingvision.storage import StorageError
from swingvision.web import int_param

from .ingest import attach_pose, store_videos
from .playback import playback_response
from .serializers import analysis_json, video_json
from .tokens import api_view
from .validation import (
    UploadRejected,
    check_request_files,
    close_uploads,
    display_filename,
    read_pose_upload,
    read_upload,
)

MAX_LIST = 200


def _player(request: HttpRequest, player_id: str) -> User:
    return visible_player(managers().db, request.user, player_id)


def _not_found(what: str) -> JsonResponse:
    return json_error(f"no such {what} (or not yours to see)", 404)


def _received(request: HttpRequest, answer: Callable[[], HttpResponse]) -> HttpResponse:
    """Read the upload, then `answer`: a refused upload as a JSON error naming its field, the
    store down as 503; the upload's temporary files are closed either way."""
    try:
        read_upload(request)
        return answer()
    except UploadRejected as e:
        return json_error(e.message, e.status, field=e.field)
    except StorageError as e:
        return json_error(f"the video store is not reachable: {e}", 503)
    finally:
        close_uploads(request)


@api_view(methods=("GET", "POST"), uploads=True)
def videos(request: HttpRequest, player_id: str) -> HttpResponse:
    """GET: the player's videos, newest first (?limit, ?offset). POST: create one video from a
    multipart body: file, and optional pose_file, club, view, capture_fps."""
    try:
        player = _player(request, player_id)
    except NotFound:
        return _not_found("player")
    m = managers()
    if request.method == "GET":
        try:
            limit = int_param(request, "limit", 50, lo=0, hi=MAX_LIST)
            offset = int_param(request, "offset", 0, lo=0, hi=10**6)
        except ValidationError as e:
            return json_error(e.message, 400, field=e.field)
        rows = m.videos.for_player(request.user, player.id, limit=limit, offset=offset)
        total = m.videos.count_for_player(request.user, player.id)
        return JsonResponse({"videos": [video_json(v) for v in rows], "total": total})

    def create() -> HttpResponse:
        checked = check_request_files(request, single=True)
        video = store_videos(request.user, player, checked, source="api")[0]
        response = JsonResponse({"video": video_json(video)}, status=201)
        response["Location"] = reverse("api-video", args=[player.id, video.id])
        return response

    return _received(request, create)


@api_view(methods=("GET",))
def video(request: HttpRequest, player_id: str, video_id: str) -> HttpResponse:
    """One video's status and, once analysed, its latest analysis."""
    m = managers()
    try:
        v = m.videos.get(request.user, player_id, video_id)
    except NotFound:
        return _not_found("video")
    latest = m.analyses.latest_for_video(request.user, player_id, video_id)
    shown = None
    if latest is not None:
        shown = analysis_json(
            latest, visible_feedback(request.user, _player(request, player_id), latest)
        )
    return JsonResponse({"video": video_json(v), "analysis": shown})


@api_view(methods=("POST",), uploads=True, videos=0)
def poses(request: HttpRequest, player_id: str, video_id: str) -> HttpResponse:
    """Attach or replace the pose file of a video (multipart field pose_file). See
    ingest.attach_pose for the statuses this is allowed in; the video is queued again."""
    m = managers()
    try:
        v = m.videos.get(request.user, player_id, video_id)
    except NotFound:
        close_uploads(request)
        return _not_found("video")

    def attach() -> HttpResponse:
        uploads = request.FILES.getlist("pose_file")
        if len(uploads) != 1:
            raise UploadRejected("pose_file", "send exactly one pose file in the field pose_file")
        data = read_pose_upload(uploads[0])
        updated = attach_pose(request.user, v, data, display_filename(uploads[0]))
        return JsonResponse({"video": video_json(updated)})

    return _received(request, attach)


@api_view(methods=("GET", "HEAD"))
def video_file(request: HttpRequest, player_id: str, video_id: str) -> HttpResponse:
    """The video for token holders: the same answers as the playback page URL (the browser
    rendition when there is one; `?original=1` for the upload as it was)."""
    try:
        v = managers().videos.get(request.user, player_id, video_id)
    except NotFound:
        return _not_found("video")
    return playback_response(request, v)
