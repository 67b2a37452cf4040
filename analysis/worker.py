"""The processing worker: claims uploaded videos one at a time and analyses them.

A claim is a conditional status update (uploaded -> processing), so two workers never take the same
video. A worker that dies leaves its video in `processing`; once that has not moved for
STALE_AFTER, any worker puts it back in the queue (up to MAX_ATTEMPTS, then it fails with a reason).
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from swingvision.db import DatabaseUnavailable
from swingvision.db.codec import utc_now
from swingvision.db.managers import Managers, managers
from swingvision.db.records import Video
from swingvision.lessons.service import process_lessons

from .pipeline import process_video

log = logging.getLogger("swingvision.worker")

STALE_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 3


def claim_next(m: Managers) -> Video | None:
    for video in m.videos.with_status("uploaded", limit=20):
        if m.videos.transition(video, "uploaded", "processing"):
            claimed = m.videos.get_system(video.user_id, video.id)
            attempts = int(claimed.metadata.get("attempts", 0)) + 1
            return m.videos.update(claimed, metadata={**claimed.metadata, "attempts": attempts})
    return None


def requeue_stale(m: Managers, *, older_than: timedelta = STALE_AFTER) -> int:
    """Put videos whose worker died back in the queue; returns how many moved."""
    cutoff = utc_now() - older_than
    moved = 0
    for video in m.videos.with_status("processing", limit=1000):
        if video.updated_at > cutoff:
            continue
        if int(video.metadata.get("attempts", 0)) >= MAX_ATTEMPTS:
            reason = f"analysis did not finish after {MAX_ATTEMPTS} attempts"
            if m.videos.transition(video, "processing", "failed"):
                current = m.videos.get_system(video.user_id, video.id)
                m.videos.update(current, metadata={**current.metadata, "error": reason})
        elif m.videos.transition(video, "processing", "uploaded"):
            moved += 1
    return moved


def run_once(m: Managers | None = None, *, limit: int | None = None) -> int:
    """Process queued videos until the queue is empty (or `limit` videos); returns the count."""
    m = m or managers()
    requeue_stale(m)
    done = 0
    while limit is None or done < limit:
        video = claim_next(m)
        if video is None:
            break
        process_video(video, m=m)
        done += 1
    # Recorded lessons waiting for their MP4 rendition (swingvision/lessons/service.py); not
    # counted: the return value is the swings analysed.
    process_lessons(m)
    return done


def run_forever(*, interval: float = 2.0, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            if run_once() == 0:
                stop.wait(interval)
        except DatabaseUnavailable as e:
            log.warning("worker waiting for the database: %s", e)
            stop.wait(max(interval, 5.0))
        except Exception:
            log.exception("worker error; continuing")
            stop.wait(interval)


_inline_started = False


def start_inline_worker() -> None:
    """Run the worker in a daemon thread of this process (the embedded default's dev server)."""
    global _inline_started
    if _inline_started:
        return
    _inline_started = True
    thread = threading.Thread(target=run_forever, name="swingvision-worker", daemon=True)
    thread.start()
    log.info("inline video worker started")
