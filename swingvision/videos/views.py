"""Pages: upload swings for a player, play a stored video and its pictures, one's settings (API
tokens)."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from swingvision.db import NotFound
from swingvision.db.managers import NotAllowed, ValidationError, managers
from swingvision.db.records import User
from swingvision.http import body, is_htmx, wants_json
from swingvision.middleware import csrf_failure as csrf_refused
from swingvision.storage import StorageError
from swingvision.web import player_or_404, video_or_404

from . import availability, thumbnails
from .ingest import store_videos
from .playback import (
    playback_response,
)
from .serializers import video_json
from .thumbnails import CONTENT_TYPE, read_thumbnail
from .validation import (
    CLUB_SUGGESTIONS,
    MAX_FILES_PER_REQUEST,
    POSE_MAX_BYTES,
    VIEWS,
    UploadRejected,
    check_request_files,
    close_uploads,
    csrf_failure,
    describe_bytes,
    install_upload_handlers,
    max_request_bytes,
    max_upload_bytes,
    max_video_seconds,
    read_upload,
)

log = logging.getLogger("swingvision.videos")
RECENT = 10
PENDING = ("uploaded", "processing")


# -- upload -------------------------------------------------------------------------------------
def usual_view(player: User) -> str:
    view = (player.settings or {}).get("view")
    return view if view in VIEWS else ""


def _upload_context(request: HttpRequest, player: User, **extra) -> dict:
    recent = managers().videos.for_player(request.user, player.id, limit=RECENT)
    return {
        "player": player,
        "recent": recent,
        "pending": any(v.status in PENDING for v in recent),
        "views": VIEWS,
        "clubs": CLUB_SUGGESTIONS,
        "max_bytes": max_upload_bytes(),
        "max_size": describe_bytes(max_upload_bytes()),
        "max_request_size": describe_bytes(max_request_bytes()),
        "max_pose_size": describe_bytes(POSE_MAX_BYTES),
        "max_seconds": max_video_seconds(),
        "max_files": MAX_FILES_PER_REQUEST,
        "retention_days": availability.raw_video_days(),
        # The view starts at the player's usual one (their settings), the club empty.
        "form": {"view": usual_view(player)},
        **extra,
    }


def _status_cell(request: HttpRequest, player: User) -> HttpResponse:
    """One swing's status cell, polled while the swing waits or is being analysed."""
    video = video_or_404(request, player.id, request.GET.get("video", ""))
    return render(request, "upload.html#status-cell", {"player": player, "video": video})


def _render_upload(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    part = request.GET.get("part", "")
    if request.htmx and part == "recent":
        template = "upload.html#recent-swings"
    elif is_htmx(request):
        template = "upload.html#upload-panel"
    else:
        template = "upload.html"
    return render(request, template, context, status=status)


# The CSRF check runs inside, by hand, once the streaming upload handlers are in place: the CSRF
# middleware would otherwise read the body first, through Django's default handlers.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, player_id: str) -> HttpResponse:
    player = player_or_404(request, player_id)
    if request.method == "GET":
        if request.GET.get("part") == "status":
            return _status_cell(request, player)
        return _render_upload(request, _upload_context(request, player))
    install_upload_handlers(request)
    as_json = wants_json(request)
    try:
        read_upload(request)
        reason = csrf_failure(request)
        if reason:
            return csrf_refused(request, reason)
        checked = check_request_files(request, single=False)
        created = store_videos(request.user, player, checked, source="web")
    except UploadRejected as e:
        if as_json:
            return JsonResponse({"error": e.message, "field": e.field}, status=e.status)
        form = {k: request.POST.get(k, "") for k in ("club", "view", "capture_fps")}
        context = _upload_context(request, player, error=e, form=form)
        return render(request, "upload.html", context, status=e.status)
    except StorageError as e:
        log.error("upload: the video store failed: %s", e)
        message = "The video store is not reachable right now; nothing was saved. Try again."
        if as_json:
            return JsonResponse({"error": message}, status=503)
        return render(request, "503.html", {"message": message}, status=503)
    finally:
        close_uploads(request)
    if as_json:
        return JsonResponse({"videos": [video_json(v) for v in created]}, status=201)
    names = ", ".join(v.filename for v in created)
    messages.success(request, f"Uploaded {names}: analysis starts shortly.")
    return redirect("video-upload", player_id=player.id)


def _picture(request: HttpRequest, data: bytes, etag: str, cache_control: str) -> HttpResponse:
    """A WebP picture with its ETag (304 when the browser holds it), cached per user."""
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(data if request.method == "GET" else b"", content_type=CONTENT_TYPE)
        response["Content-Length"] = str(len(data))
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    patch_vary_headers(response, ("Cookie",))
    return response


@require_http_methods(["GET", "HEAD"])
def thumbnail(request: HttpRequest, player_id: str, video_id: str, name: str) -> HttpResponse:
    """A swing's poster or event strip (WebP), for whoever may see the swing. The page URLs carry
    the images' version (?v=), so a response to the current version is cached for good."""
    video = video_or_404(request, player_id, video_id)
    found = read_thumbnail(video, name)
    if found is None:
        raise Http404("This swing has no such picture.")
    data, version = found
    current = request.GET.get("v") == version
    cache = "private, max-age=31536000, immutable" if current else "private, no-cache"
    return _picture(request, data, f'"{video.id}-{version}-{name}"', cache)


@require_http_methods(["GET", "HEAD"])
def frame_picture(request: HttpRequest, player_id: str, video_id: str, frame: int) -> HttpResponse:
    """One frame of a swing's video (WebP), for whoever may see the swing: the picture of a
    similar-position result is the frame that matched, not the swing's poster."""
    video = video_or_404(request, player_id, video_id)
    data = thumbnails.frame_picture(video, frame)
    if data is None:
        raise Http404("This swing has no picture of that frame.")
    etag = f'"{video.id}-{frame}-{int(video.updated_at.timestamp())}"'
    return _picture(request, data, etag, "private, max-age=3600")


@require_POST
def swing_title(request: HttpRequest, player_id: str, video_id: str) -> HttpResponse:
    """Rename a swing (the form on the swing page); empty gives it its file name back."""
    video = video_or_404(request, player_id, video_id)
    back = reverse("swing", args=[player_id, video.id])
    try:
        title = body(request).get("title")  # a form, or JSON from a script
        managers().coaching.set_title(request.user, player_id, video.id, title)
    except NotAllowed:
        if wants_json(request):
            return JsonResponse({"error": "You may not rename this swing."}, status=403)
        raise PermissionDenied("You may not rename this swing.") from None
    # A ValidationError (too long, control characters) goes on to BadRequestMiddleware: a 400
    # naming the field.
    if wants_json(request):
        return JsonResponse({"ok": True})
    messages.success(request, "Swing renamed.")
    return redirect(back)


@require_http_methods(["GET", "HEAD"])
def playback(request: HttpRequest, player_id: str, video_id: str) -> HttpResponse:
    return playback_response(request, video_or_404(request, player_id, video_id))


# -- settings: API tokens ---------------------------------------------------------------------
def _settings_context(request: HttpRequest, **extra) -> dict:
    return {
        "tokens": managers().tokens.for_user(request.user),
        "api_base": request.build_absolute_uri("/api/v1/"),
        "example_player": request.user.id if request.user.role == "player" else "<player_id>",
        **extra,
    }


# The secret of a token just created, kept in the (server-side) session from the POST to the one
# GET that shows it, then dropped: a reload of the settings page does not create a second token.
NEW_TOKEN_KEY = "new_api_token"


@require_GET
def settings_page(request: HttpRequest) -> HttpResponse:
    created = request.session.pop(NEW_TOKEN_KEY, None)
    context = _settings_context(request)
    new = next((t for t in context["tokens"] if created and t.id == created.get("id")), None)
    if new is None:
        return render(request, "settings.html", context)
    # Shown once, in this response only: the page is not cached and the secret is not kept.
    response = render(
        request, "settings.html", {**context, "new_token": created["raw"], "new": new}
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    try:
        token, raw = managers().tokens.create(request.user, name=request.POST.get("name", ""))
    except ValidationError as e:
        context = _settings_context(request, error=e, name=request.POST.get("name", "")[:200])
        return render(request, "settings.html", context, status=400)
    request.session[NEW_TOKEN_KEY] = {"id": token.id, "raw": raw}
    return redirect(reverse("settings") + "#new-token")


@require_POST
def token_revoke(request: HttpRequest, token_id: str) -> HttpResponse:
    try:
        token = managers().tokens.revoke(request.user, token_id)
    except NotFound:
        raise Http404("No such token.") from None
    messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
    return redirect(reverse("settings"))
