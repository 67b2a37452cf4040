"""Retention of raw videos: deleted SWINGVISION_RAW_VIDEO_DAYS after upload; poses, analyses and
progress stay. `manage.py purge_videos` runs `purge`; the S3 lifecycle rules are the second line.

A video expires when it is `days` old (uploaded_at + days <= now); from then on it counts as gone
everywhere it would be shown (videos/availability.py), before the purge has run. With the raw blob go its
browser rendition (videos/renditions.py) and the pictures of the person in its poster and event
strip, which are drawn again from the skeleton (videos/thumbnails.py). The purge deletes the blobs
first, writes the skeleton pictures, and then marks the row `expired` with no blob_ref: a crash in
between leaves a row that the next run finds again (deleting a missing blob is fine), never a
blob of the footage that no row points to.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from swingvision.db import NotFound
from swingvision.db.codec import utc_now
from swingvision.db.managers import SYSTEM, Managers, managers
from swingvision.db.records import Video
from swingvision.storage import BlobNotFound, StorageError, get_store

from .availability import raw_video_days
from .thumbnails import ThumbnailError, skeleton_thumbnails, video_blobs

log = logging.getLogger("swingvision.videos")

# A video the worker took less than this long ago is left for the next run: deleting its file
# under the worker would turn a success into a confusing failure.
PROCESSING_GRACE = timedelta(hours=1)
# Metadata naming files the purge deletes (the thumbnails are redrawn, not dropped).
FILE_KEYS = ("rendition_ref", "playback", "thumbs")
BATCH = 500
STATUS_RETRIES = 3


@dataclass(frozen=True, slots=True)
class PurgeItem:
    video: Video
    action: str  # "deleted", "would delete", "skipped", "failed"
    reason: str = ""


def purge(
    *,
    days: int | None = None,
    now: datetime | None = None,
    dry_run: bool = False,
    player_id: str | None = None,
    as_due: bool = False,
    m: Managers | None = None,
) -> list[PurgeItem]:
    """Delete the raw videos at least `days` old and mark their rows expired (safe to re-run);
    all players' videos, or one player's. `as_due`: each is marked expired on the day it fell
    due (uploaded_at + days), as a daily run would have left it, not today: for a history
    written in one go (the demo's swings of six weeks). `m`: the managers of the database to
    purge (the configured one by default; seed_demo passes the one it writes)."""
    days = raw_video_days() if days is None else days
    if days < 1:
        raise ValueError("the retention must be at least 1 day")
    now = now or utc_now()
    # raw_due is "uploaded_at < before": a millisecond more makes "exactly `days` old" count.
    before = now - timedelta(days=days) + timedelta(milliseconds=1)
    m = m or managers()
    store = get_store()
    done: list[PurgeItem] = []
    after: Video | None = None
    while True:
        page = m.videos.raw_due(before, after=after, limit=BATCH)
        if not page:
            return done
        after = page[-1]
        for video in page:
            if player_id is not None and video.user_id != player_id:
                continue
            item = _classify(video, now, store)
            if item.action == "would delete" and not dry_run:
                item = _expire(
                    m, video, video.uploaded_at + timedelta(days=days) if as_due else now, store
                )
            done.append(item)


def _classify(video: Video, now: datetime, store) -> PurgeItem:
    if video.status == "processing" and now - video.updated_at < PROCESSING_GRACE:
        return PurgeItem(video, "skipped", "being analysed right now; the next run takes it")
    if not store.owns(video.blob_ref):
        return PurgeItem(
            video,
            "failed",
            f"{video.blob_ref} is not in the configured store ({store.kind}); "
            "run the purge with the store it was uploaded to",
        )
    return PurgeItem(video, "would delete")


def _expire(m: Managers, video: Video, now: datetime, store) -> PurgeItem:
    # The upload, then everything made from it: the rendition and the pictures of the person.
    for ref in [video.blob_ref, *video_blobs(store, video)]:
        try:
            store.delete(ref)
        except BlobNotFound:
            pass  # gone already (an earlier run, or the S3 lifecycle rule): carry on
        except StorageError as e:
            log.warning("purge: cannot delete %s: %s", ref, e)
            return PurgeItem(video, "failed", str(e))
    try:
        thumbs = skeleton_thumbnails(m, video)
    except ThumbnailError as e:
        log.warning("purge: video %s: no skeleton pictures: %s", video.id, e)
        thumbs = None
    except StorageError as e:
        log.warning("purge: video %s: skeleton pictures: %s", video.id, e)
        return PurgeItem(video, "failed", str(e))
    current = video
    for _ in range(STATUS_RETRIES):
        meta = {
            **{k: v for k, v in current.metadata.items() if k not in FILE_KEYS},
            "expired_at": now.isoformat(),
            "expired_from": current.status,
        }
        if thumbs:
            meta["thumbs"] = thumbs
        updated = m.videos.update_if_status(
            current, current.status, status="expired", blob_ref=None, metadata=meta
        )
        if updated is not None:
            return PurgeItem(updated, "deleted")
        try:  # the worker moved it meanwhile: read it again and retry
            current = m.videos.get(SYSTEM, video.user_id, video.id)
        except NotFound:
            return PurgeItem(video, "deleted", "the row was deleted meanwhile")
    return PurgeItem(video, "failed", "its status kept changing; the next run retries")
