"""Template filters for videos: raw-file retention, posters and event strips."""

from __future__ import annotations

from datetime import datetime

from django import template

from swingvision.db.records import Video
from swingvision.videos import availability
from swingvision.videos.thumbnails import thumb_urls
from swingvision.videos.validation import club_label

register = template.Library()


@register.filter
def raw_expires_at(video: Video) -> datetime | None:
    """When the raw video is (or was) deleted; None if it never had one."""
    return availability.expires_at(video)


@register.filter
def raw_video_available(video: Video) -> bool:
    """The raw video may be played: it is there and its retention day has not come."""
    return availability.raw_video_available(video)


@register.simple_tag
def raw_video_days() -> int:
    """SWINGVISION_RAW_VIDEO_DAYS, for sentences about retention."""
    return availability.raw_video_days()


@register.filter
def swing_thumbs(video: Video | None) -> dict | None:
    """The swing's poster and event strip (URLs, sizes, alt text), or None before the worker drew
    them: see templates/videos/_thumbs.html."""
    return thumb_urls(video) if video is not None else None


# How a coach says each camera view.
VIEW_WORDS = {"face-on": "face-on", "down-the-line": "down the line"}


def swing_title_of(video: Video) -> str:
    """A swing's name: the title someone gave it, else its file name, else its upload time."""
    title = (video.metadata or {}).get("title")
    if isinstance(title, str) and title.strip():
        return title.strip()
    if video.filename:
        return video.filename
    return f"Swing of {video.uploaded_at:%b %-d, %Y %H:%M}"


@register.filter
def swing_title(video: Video | None) -> str:
    return swing_title_of(video) if video is not None else ""


@register.filter
def club_name(club: object) -> str:
    """A club in one spelling however it was typed ("driver" reads "Driver"): club_label."""
    return club_label(club)


@register.filter
def view_words(view: str | None) -> str:
    """face-on / down the line; an unknown value as it is, nothing when unset."""
    if not view:
        return ""
    return VIEW_WORDS.get(str(view), str(view).replace("-", " "))


@register.inclusion_tag("videos/_swing_label.html")
def swing_label(video: Video | None, *, date: bool = True, link: str = "") -> dict:
    """A swing as the lists, pickers and headers name it: title, then view, club and date, so
    three swings uploaded the same evening read apart."""
    meta = (video.metadata or {}) if video is not None else {}
    return {
        "video": video,
        "title": swing_title_of(video) if video is not None else "",
        "view": view_words(meta.get("view")),
        "club": club_label(meta.get("club")),
        "date": date,
        "link": link,
    }
