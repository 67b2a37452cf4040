"""What the swing, compare and player pages show of lessons, as inclusion tags: the page's views
stay as they are, and each page adds one line where the recorder or the list goes."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from swingvision.db.managers import managers
from swingvision.db.managers.scope import can_edit_player

from ..service import max_lesson_bytes, max_lesson_seconds
from ..views import lesson_rows

register = template.Library()


@register.inclusion_tag("lessons/_panel.html", takes_context=True)
def lessons_panel(context: Any, player: Any, video: Any = None) -> dict:
    """A player's lessons (on their page), or those of one swing (on the swing page): new first,
    with how many are new; the coach sees which were watched."""
    user = context["request"].user
    m = managers()
    if video is not None:
        lessons = m.lessons.for_swing(user, player.id, video.id)
    else:
        lessons = m.lessons.for_player(user, player.id, limit=20)
    return {
        "player": player,
        "rows": lesson_rows(lessons),
        "new_count": sum(1 for x in lessons if x.new),
        "coach_view": can_edit_player(user, player),
        "on_swing": video is not None,
        "all_url": reverse("lessons", args=[player.id]),
    }


@register.inclusion_tag("lessons/_recorder.html", takes_context=True)
def lesson_recorder(context: Any, player: Any, video: Any, other: Any = None) -> dict:
    """The coach's "Record lesson" control over the replay stage(s) of the page. The lesson
    covers the swing on the page and, on compare (`other`: the compare view's dict of the second
    swing), the second swing when it is the same player's."""
    user = context["request"].user
    video_ids = [video.id]
    other_player = other["player"] if other else None
    other_video = other["video"] if other else None
    if other_player is not None and other_player.id == player.id and other_video.id != video.id:
        video_ids.append(other_video.id)
    title = f"Swing of {video.uploaded_at:%b %-d}"
    if len(video_ids) > 1:
        title += f" compared with {other_video.uploaded_at:%b %-d}"
    elif other_video is not None:
        title += f" compared with {other_player.display_name}"
    return {
        "show": can_edit_player(user, player),
        "player": player,
        "video_ids": video_ids,
        "title": title,
        "upload_url": reverse("lessons", args=[player.id]),
        "max_seconds": int(max_lesson_seconds()),
        "max_bytes": max_lesson_bytes(),
    }
