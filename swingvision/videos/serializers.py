"""The JSON forms of videos and analyses, shared by the API and the upload page."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from swingvision.db.records import SwingAnalysis, Video

from . import availability
from .thumbnails import thumb_urls

# Storage internals stay private: a client learns what it can act on, not bucket names.
PRIVATE_METADATA = {"pose_ref", "uploaded_by", "rendition_ref", "thumbs"}


def video_json(video: Video) -> dict[str, Any]:
    expires = availability.expires_at(video)
    playable = availability.raw_video_available(video)
    return {
        "id": video.id,
        "player_id": video.user_id,
        "filename": video.filename,
        "status": video.status,
        "uploaded_at": video.uploaded_at.isoformat(),
        "updated_at": video.updated_at.isoformat(),
        "duration_s": video.duration_s,
        "metadata": {k: v for k, v in video.metadata.items() if k not in PRIVATE_METADATA},
        "has_pose_file": bool(video.metadata.get("pose_ref")),
        "raw_video_available": playable,
        "raw_video_expires_at": expires.isoformat() if expires else None,
        "url": reverse("api-video", args=[video.user_id, video.id]),
        # Only while there is a video to fetch (once it is gone both answer 410).
        "playback_url": reverse("video-playback", args=[video.user_id, video.id])
        if playable
        else None,
        "file_url": reverse("api-video-file", args=[video.user_id, video.id]) if playable else None,
        **_thumb_json(video),
    }


def _thumb_json(video: Video) -> dict[str, Any]:
    """The swing's poster and event strip URLs (None until the worker drew them)."""
    urls = thumb_urls(video)
    return {
        "poster_url": urls["poster_url"] if urls else None,
        "strip_url": (urls["strip_url"] or None) if urls else None,
    }


def analysis_json(a: SwingAnalysis, feedback: list | None = None) -> dict[str, Any]:
    """The analysis as the API shows it; `feedback`: what the caller may read of it (a player
    whose coach reviews first reads the published feedback, coaching/review.py)."""
    return {
        "id": a.id,
        "engine_version": a.engine_version,
        "analyzed_at": a.analyzed_at.isoformat(),
        "overall_score": a.overall_score,
        "metrics": a.metrics,
        "events": a.events,
        "feedback": a.feedback if feedback is None else feedback,
    }
