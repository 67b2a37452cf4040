"""Small helpers views share: the acting user's records or 404, paging and query parameters."""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpRequest

from swingvision.db import NotFound
from swingvision.db.managers import managers, visible_player
from swingvision.db.records import SwingAnalysis, User, Video
from swingvision.numbers import parse_int


class BadRequest(Exception):
    """Bad query or form input: answered 400 with the message (see views.bad_request)."""


def player_or_404(request: HttpRequest, player_id: str) -> User:
    try:
        return visible_player(managers().db, request.user, player_id)
    except NotFound:
        raise Http404("No such player.") from None


def video_or_404(request: HttpRequest, player_id: str, video_id: str) -> Video:
    try:
        return managers().videos.get(request.user, player_id, video_id)
    except NotFound:
        raise Http404("No such swing.") from None


def swing_or_404(
    request: HttpRequest, player_id: str, video_id: str
) -> tuple[User, Video, SwingAnalysis | None]:
    """The player, the swing and its newest analysis (None before one) the user may see, else
    404."""
    player = player_or_404(request, player_id)
    video = video_or_404(request, player.id, video_id)
    return player, video, managers().analyses.latest_for_video(request.user, player.id, video.id)


def int_param(
    request: HttpRequest, name: str, default: int, *, lo: int = 1, hi: int = 10**6
) -> int:
    """A whole-number query parameter within lo..hi, `default` when absent (400 naming it)."""
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    return parse_int(name, raw, lo=lo, hi=hi, message=f"must be a whole number from {lo} to {hi}")


def choice_param(request: HttpRequest, name: str, choices, default: str) -> str:
    raw = request.GET.get(name, "") or default
    if raw not in choices:
        raise BadRequest(f"{name} must be one of: {', '.join(choices)}")
    return raw


def text_param(request: HttpRequest, name: str, *, max_length: int = 100) -> str:
    raw = request.GET.get(name, "")
    if len(raw) > max_length:
        raise BadRequest(f"{name} must be at most {max_length} characters")
    return raw


def date_param(request: HttpRequest, name: str) -> date | None:
    """A YYYY-MM-DD query parameter (as an <input type=date> sends it), or None when empty."""
    raw = request.GET.get(name, "").strip()
    if raw == "":
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a date written YYYY-MM-DD") from None
    if not 1970 <= value.year <= 9998:
        raise BadRequest(f"{name} must be between 1970 and 9998")
    return value
