"""Lesson pages: the recorder's upload, a player's lessons, one lesson's player page, its file
(HTTP Range, or a presigned S3 redirect), the watched mark and the coach's delete.

Scope as for swings: someone outside the player's scope gets 404 for every URL; the player (who
may see their lessons but not record or delete them) 403 for those writes.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from swingvision.db import NotFound
from swingvision.db.managers import NotAllowed, ValidationError, managers
from swingvision.db.managers.scope import can_edit_player
from swingvision.db.records import Lesson, User
from swingvision.http import wants_json
from swingvision.middleware import csrf_failure as csrf_refused
from swingvision.storage import StorageError
from swingvision.videos.playback import missing_response, serve_file
from swingvision.videos.validation import (
    LimitedUploadHandler,
    UploadRejected,
    close_uploads,
    csrf_failure,
    read_upload,
)
from swingvision.web import player_or_404

from .service import delete_lesson, lesson_file, max_lesson_bytes, save_lesson

log = logging.getLogger("swingvision.lessons")
LIST_LIMIT = 100


def lesson_or_404(request: HttpRequest, player_id: str, lesson_id: str) -> Lesson:
    try:
        return managers().lessons.get(request.user, player_id, lesson_id)
    except NotFound:
        raise Http404("No such lesson.") from None


def names_of(ids: set[str]) -> dict[str, str]:
    users = managers().users
    out = {}
    for uid in ids:
        found = users.find(uid) if uid else None
        out[uid] = found.display_name if found else "–"
    return out


def lesson_rows(lessons: list[Lesson]) -> list[dict]:
    """What the lists show of each lesson: the lesson, its coach's name, its page URL."""
    names = names_of({x.coach_id for x in lessons})
    return [
        {
            "lesson": x,
            "coach": names.get(x.coach_id, "–"),
            "url": reverse("lesson", args=[x.user_id, x.id]),
        }
        for x in lessons
    ]


def lesson_json(lesson: Lesson) -> dict:
    meta = lesson.metadata
    return {
        "id": lesson.id,
        "player_id": lesson.user_id,
        "coach_id": lesson.coach_id,
        "title": lesson.title,
        "video_ids": list(lesson.video_ids),
        "duration_s": lesson.duration_s,
        "size_bytes": lesson.size_bytes,
        "content_type": lesson.content_type,
        "status": lesson.status,
        "has_audio": bool(meta.get("audio_codec")),
        "playback": "mp4" if meta.get("rendition_ref") else "original",
        "created_at": lesson.created_at.isoformat(),
        "watched_at": lesson.watched_at.isoformat() if lesson.watched_at else None,
        "url": reverse("api-lesson", args=[lesson.user_id, lesson.id]),
        "page_url": reverse("lesson", args=[lesson.user_id, lesson.id]),
        "file_url": reverse("api-lesson-file", args=[lesson.user_id, lesson.id]),
    }


# -- the recorder's upload and the list -----------------------------------------------------------
def _rejected(request: HttpRequest, player: User, e: ValidationError, status: int):
    if wants_json(request):
        return JsonResponse({"error": e.message, "field": e.field}, status=status)
    messages.error(request, f"The lesson was not saved: {e.field}: {e.message}")
    return render(
        request, "lessons/list.html", _list_context(request, player, error=e), status=status
    )


def _list_context(request: HttpRequest, player: User, **extra) -> dict:
    lessons = managers().lessons.for_player(request.user, player.id, limit=LIST_LIMIT)
    return {
        "player": player,
        "rows": lesson_rows(lessons),
        "new_count": sum(1 for x in lessons if x.new),
        "coach_view": can_edit_player(request.user, player),
        **extra,
    }


# The CSRF check runs inside, by hand, once the streaming upload handler is in place (as for
# video uploads): the middleware would otherwise read the body first, into memory.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def lessons(request: HttpRequest, player_id: str) -> HttpResponse:
    """GET: the player's lessons, new first. POST: a recording from the lesson recorder
    (multipart: file, title, video_ids repeated), streamed to a temporary file under the lesson
    size limit, checked, stored, then its row written."""
    player = player_or_404(request, player_id)
    if request.method == "GET":
        return render(request, "lessons/list.html", _list_context(request, player))
    request.upload_rejected = None
    # One recording per request: the count and the request's total stop the stream as for videos.
    request.upload_handlers = [
        LimitedUploadHandler(request, {"file": max_lesson_bytes()}, {"file": 1}, max_lesson_bytes())
    ]
    try:
        read_upload(request)
        reason = csrf_failure(request)
        if reason:
            return csrf_refused(request, reason)
        files = request.FILES.getlist("file")
        if len(files) != 1:
            raise UploadRejected("file", "send the recording as one file in the field file")
        lesson = save_lesson(
            request.user,
            player,
            files[0],
            title=request.POST.get("title", ""),
            video_ids=request.POST.getlist("video_ids"),
        )
    except UploadRejected as e:
        return _rejected(request, player, e, e.status)
    except NotAllowed:
        if wants_json(request):
            return JsonResponse({"error": "only the player's coach records lessons"}, status=403)
        return render(request, "403.html", status=403)
    except ValidationError as e:
        return _rejected(request, player, e, 400)
    except StorageError as e:
        log.error("lesson upload: the video store failed: %s", e)
        message = "The video store is not reachable right now; the lesson was not saved."
        if wants_json(request):
            return JsonResponse({"error": message}, status=503)
        return render(request, "503.html", {"message": message}, status=503)
    finally:
        close_uploads(request)
    if wants_json(request):
        response = JsonResponse({"lesson": lesson_json(lesson)}, status=201)
        response["Location"] = reverse("lesson", args=[player.id, lesson.id])
        return response
    messages.success(request, f"Lesson “{lesson.title}” saved for {player.display_name}.")
    return redirect("lesson", player_id=player.id, lesson_id=lesson.id)


# -- one lesson -------------------------------------------------------------------------------------
@require_http_methods(["GET"])
def lesson_page(request: HttpRequest, player_id: str, lesson_id: str) -> HttpResponse:
    player = player_or_404(request, player_id)
    lesson = lesson_or_404(request, player.id, lesson_id)
    m = managers()
    swings = []
    for video_id in lesson.video_ids:
        try:
            video = m.videos.get(request.user, player.id, video_id)
        except NotFound:
            continue  # deleted since
        swings.append({"video": video, "url": reverse("swing", args=[player.id, video.id])})
    file = lesson_file(lesson)
    return render(
        request,
        "lessons/lesson.html",
        {
            "player": player,
            "lesson": lesson,
            "row": lesson_rows([lesson])[0],
            "swings": swings,
            "file_url": reverse("lesson-file", args=[player.id, lesson.id]) if file else "",
            "file_type": file.content_type if file else "",
            "watched_url": reverse("lesson-watched", args=[player.id, lesson.id]),
            "is_player": request.user.id == player.id,
            "coach_view": can_edit_player(request.user, player),
        },
    )


def lesson_file_response(request: HttpRequest, lesson: Lesson) -> HttpResponse:
    """The lesson's best file: 200/206/416 from the local store, a presigned S3 redirect, or 404
    (JSON under /api/) when it is missing."""
    file = lesson_file(lesson)
    missing = "The file of this lesson is missing from storage."
    if file is None:
        return missing_response(request, missing)
    # stream_response names the file by the record's id in its ETag (a lesson's files never
    # change: a new recording is a new lesson) and serves `file` as described.
    fallback = lesson_file(_without_rendition(lesson))
    return serve_file(request, lesson, file, fallback=fallback, missing=missing)


def _without_rendition(lesson: Lesson) -> Lesson:
    meta = {k: v for k, v in lesson.metadata.items() if k != "rendition_ref"}
    return replace(lesson, metadata=meta)


@require_http_methods(["GET", "HEAD"])
def lesson_video(request: HttpRequest, player_id: str, lesson_id: str) -> HttpResponse:
    return lesson_file_response(request, lesson_or_404(request, player_id, lesson_id))


@require_POST
def lesson_watched(request: HttpRequest, player_id: str, lesson_id: str) -> HttpResponse:
    """The lesson player's first `play`: watched now, if the player is the one playing it (a
    coach or admin checking it changes nothing). Reads no field."""
    lesson = lesson_or_404(request, player_id, lesson_id)
    lesson = managers().lessons.mark_watched(request.user, lesson)
    watched = lesson.watched_at.isoformat() if lesson.watched_at else None
    return JsonResponse({"watched_at": watched})


@require_POST
def lesson_delete(request: HttpRequest, player_id: str, lesson_id: str) -> HttpResponse:
    player = player_or_404(request, player_id)
    lesson = lesson_or_404(request, player.id, lesson_id)
    try:
        delete_lesson(request.user, lesson)
    except NotAllowed:
        return render(request, "403.html", status=403)
    messages.success(request, f"Lesson “{lesson.title}” deleted.")
    return redirect("lessons", player_id=player.id)
