"""The JSON API of lessons: a player's lessons, one lesson, its file (Range). Same scope as the
pages: a token sees what its owner sees, another player's lessons are 404."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse

from swingvision.db import NotFound
from swingvision.db.managers import ValidationError, managers
from swingvision.videos.tokens import api_view, json_error

from .views import lesson_file_response, lesson_json

MAX_LIST = 200


def _int(request: HttpRequest, name: str, default: int, hi: int) -> int:
    raw = request.GET.get(name, "")
    if not raw:
        return default
    if not raw.isdigit() or not 0 <= int(raw) <= hi:
        raise ValidationError(name, f"must be a whole number from 0 to {hi}")
    return int(raw)


@api_view(methods=("GET",))
def lessons(request: HttpRequest, player_id: str) -> HttpResponse:
    """The player's lessons, new (not yet watched) first, newest first within (?limit, ?offset),
    with how many are new."""
    m = managers()
    try:
        limit = _int(request, "limit", 50, MAX_LIST)
        offset = _int(request, "offset", 0, 10**6)
    except ValidationError as e:
        return json_error(e.message, 400, field=e.field)
    try:
        rows = m.lessons.for_player(request.user, player_id, limit=limit, offset=offset)
        total = m.lessons.count_for_player(request.user, player_id)
        new = m.lessons.count_new(request.user, player_id)
    except NotFound:
        return json_error("no such player (or not yours to see)", 404)
    return JsonResponse({"lessons": [lesson_json(x) for x in rows], "total": total, "new": new})


@api_view(methods=("GET",))
def lesson(request: HttpRequest, player_id: str, lesson_id: str) -> HttpResponse:
    try:
        found = managers().lessons.get(request.user, player_id, lesson_id)
    except NotFound:
        return json_error("no such lesson (or not yours to see)", 404)
    return JsonResponse({"lesson": lesson_json(found)})


@api_view(methods=("GET", "HEAD"))
def lesson_file(request: HttpRequest, player_id: str, lesson_id: str) -> HttpResponse:
    """The lesson's video as the page plays it: the MP4 rendition once made, else the
    recording; 206 for a Range, a presigned redirect on S3."""
    try:
        found = managers().lessons.get(request.user, player_id, lesson_id)
    except NotFound:
        return json_error("no such lesson (or not yours to see)", 404)
    return lesson_file_response(request, found)
