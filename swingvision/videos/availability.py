"""Whether a swing's raw video is still there to show: the one test that pages, the playback
endpoint, the API, the pictures of the person and the exports ask.

The raw video is deleted SWINGVISION_RAW_VIDEO_DAYS after upload (videos/retention.py). The purge
runs daily, so a video can be past its day and not yet purged: it counts as gone from that moment
(410, the skeleton replay), not from whenever the purge comes round.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from swingvision.db.codec import utc_now
from swingvision.db.records import Video


def raw_video_days() -> int:
    return int(settings.SWINGVISION_RAW_VIDEO_DAYS)


def due_at(video: Video, *, days: int | None = None) -> datetime:
    """When the raw video falls due for deletion: `days` (the retention) after upload."""
    return video.uploaded_at + timedelta(days=days if days is not None else raw_video_days())


def expires_at(video: Video, *, days: int | None = None) -> datetime | None:
    """When the raw video is (or was) deleted; None for a video that never had one."""
    if video.status == "expired":
        stamp = video.metadata.get("expired_at")
        if isinstance(stamp, str):
            try:
                return datetime.fromisoformat(stamp)
            except ValueError:
                pass
        return due_at(video, days=days)
    if not video.blob_ref:
        return None
    return due_at(video, days=days)


def raw_video_available(video: Video, *, now: datetime | None = None) -> bool:
    """The raw video (and what is made of its footage) may be shown: it has one, the purge has
    not expired it, and its retention day has not come (uploaded_at + days <= now is due, as the
    purge counts it)."""
    if video.status == "expired" or not video.blob_ref:
        return False
    return (now or utc_now()) < due_at(video)
