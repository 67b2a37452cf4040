"""Template filters for videos: raw-file retention, posters and event strips."""

from __future__ import annotations

from datetime import datetime

from django import template

from swingvision.db.records import Video
from swingvision.videos import retention
from swingvision.videos.thumbnails import thumb_urls

register = template.Library()


@register.filter
def raw_expires_at(video: Video) -> datetime | None:
    """When the raw video is (or was) deleted; None if it never had one."""
    return retention.expires_at(video)


@register.simple_tag
def raw_video_days() -> int:
    """SWINGVISION_RAW_VIDEO_DAYS, for sentences about retention."""
    return retention.raw_video_days()


@register.filter
def swing_thumbs(video: Video | None) -> dict | None:
    """The swing's poster and event strip (URLs, sizes, alt text), or None before the worker drew
    them: see templates/videos/_thumbs.html."""
    return thumb_urls(video) if video is not None else None
