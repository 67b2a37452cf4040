"""Saving, converting and serving lessons: the recording checked before anything is stored, the
blob written before the row (and removed again if the row cannot be written), the worker's MP4
rendition, the file a browser gets.

Retention: a lesson is the coach's work, not a raw upload, so it is kept until someone deletes it:
its blobs live under `lessons/`, which neither `purge_videos` (raw videos past
SWINGVISION_RAW_VIDEO_DAYS) nor the S3 lifecycle rules (`raw/`, `renditions/`) touch.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from swingvision.db.codec import utc_now
from swingvision.db.ids import new_id
from swingvision.db.managers import Actor, Managers, managers
from swingvision.db.records import Lesson, User
from swingvision.storage import BlobNotFound, get_store
from swingvision.videos.validation import UploadRejected, describe_bytes

from .media import RENDITION_CONTENT_TYPE, LessonMediaError, probe_lesson, transcode_lesson

log = logging.getLogger("swingvision.lessons")

LESSONS_PREFIX = "lessons/"
ORIGINAL_NAMES = {"video/webm": "recording.webm", "video/mp4": "recording.mp4"}
RENDITION_NAME = "lesson.mp4"
LIMIT_SLACK_S = 2.0
STALE_AFTER = timedelta(minutes=30)  # a rendition still "processing" after this: worker died
# Browsers label a recording video/webm;codecs=..., or send a generic type.
GENERIC_TYPES = ("", "application/octet-stream")


def max_lesson_bytes() -> int:
    return int(float(settings.SWINGVISION_MAX_LESSON_MB) * 1024 * 1024)


def max_lesson_seconds() -> float:
    return float(settings.SWINGVISION_MAX_LESSON_SECONDS)


def lesson_key(player_id: str, lesson_id: str, name: str) -> str:
    return f"{LESSONS_PREFIX}{player_id}/{lesson_id}/{name}"


def save_lesson(
    actor: Actor, player: User, upload: UploadedFile, *, title: str, video_ids: list[str]
) -> Lesson:
    """Check the recording, store it, then write its row; nothing remains if a step fails."""
    m = managers()
    # The row's checks first (who may record, which swings): a refusal stores nothing.
    m.lessons.check_create(actor, player.id, video_ids=video_ids, title=title)
    content_type = (upload.content_type or "").lower()
    if content_type not in GENERIC_TYPES and not content_type.startswith("video/"):
        raise UploadRejected("file", f"a recording is a video, not {content_type}", status=415)
    if upload.size == 0:
        raise UploadRejected("file", "the recording is empty (0 bytes): nothing was saved")
    try:
        # A recorder stopped at the limit may run a frame or two over it.
        info = probe_lesson(
            upload.temporary_file_path(), max_seconds=max_lesson_seconds() + LIMIT_SLACK_S
        )
    except LessonMediaError as e:
        raise UploadRejected("file", str(e)) from None
    store = get_store()
    lesson_id = new_id()
    ref = store.put_file(
        lesson_key(player.id, lesson_id, ORIGINAL_NAMES[info.content_type]),
        Path(upload.temporary_file_path()),
        content_type=info.content_type,
    )
    try:
        return m.lessons.create(
            actor,
            player.id,
            lesson_id=lesson_id,
            video_ids=video_ids,
            title=title,
            duration_s=info.duration_s,
            blob_ref=ref,
            content_type=info.content_type,
            size_bytes=int(upload.size),
            metadata=info.as_metadata(),
        )
    except BaseException:
        store.delete(ref)
        raise


def delete_lesson(actor: Actor, lesson: Lesson) -> None:
    """The row first (a row never names a missing blob), then its files."""
    managers().lessons.delete(actor, lesson)
    store = get_store()
    for ref in (lesson.blob_ref, lesson.metadata.get("rendition_ref")):
        if ref:
            store.delete(ref)  # a missing blob is fine (both stores delete idempotently)


@dataclass(frozen=True, slots=True)
class LessonFile:
    ref: str
    content_type: str
    filename: str
    tag: str  # tells the original and the rendition apart in ETags


def lesson_file(lesson: Lesson) -> LessonFile | None:
    """What a browser gets: the MP4 rendition once the worker made it (it plays and seeks
    everywhere), the recording as it was until then."""
    rendition = lesson.metadata.get("rendition_ref")
    if rendition:
        return LessonFile(rendition, RENDITION_CONTENT_TYPE, "lesson.mp4", "r")
    if not lesson.blob_ref:
        return None
    ext = "webm" if lesson.content_type == "video/webm" else "mp4"
    return LessonFile(lesson.blob_ref, lesson.content_type, f"lesson.{ext}", "o")


def describe_limit() -> str:
    return describe_bytes(max_lesson_bytes())


# -- the worker's step --------------------------------------------------------------------------
def process_lessons(m: Managers | None = None, *, limit: int = 5) -> int:
    """Make the MP4 rendition of lessons waiting for one; returns how many were handled."""
    m = m or managers()
    stale = utc_now() - STALE_AFTER
    for lesson in m.lessons.with_status("processing", limit=100):
        if lesson.updated_at < stale:  # its worker died: queue it again
            m.lessons.transition(lesson, "processing", "uploaded")
    done = 0
    for lesson in m.lessons.with_status("uploaded", limit=limit):
        if not m.lessons.transition(lesson, "uploaded", "processing"):
            continue  # another worker took it
        make_rendition(m, m.lessons.get_system(lesson.user_id, lesson.id))
        done += 1
    return done


def make_rendition(m: Managers, lesson: Lesson) -> Lesson:
    store = get_store()
    temp_root = getattr(settings, "FILE_UPLOAD_TEMP_DIR", None) or None
    try:
        with (
            store.local_copy(lesson.blob_ref) as source,
            tempfile.TemporaryDirectory(prefix="sv-lesson-", dir=temp_root) as tmp,
        ):
            facts = transcode_lesson(source, Path(tmp) / RENDITION_NAME)
            ref = store.put_file(
                lesson_key(lesson.user_id, lesson.id, RENDITION_NAME),
                Path(tmp) / RENDITION_NAME,
                content_type=RENDITION_CONTENT_TYPE,
            )
    except (LessonMediaError, BlobNotFound) as e:
        log.warning("lesson %s: no rendition: %s", lesson.id, e)
        meta = {**lesson.metadata, "rendition_error": str(e)}
        return m.lessons.update(lesson, status="failed", metadata=meta)
    log.info("lesson %s: MP4 rendition in %.1fs", lesson.id, facts["seconds"])
    meta = {k: v for k, v in lesson.metadata.items() if k != "rendition_error"}
    meta.update({"rendition_ref": ref, "rendition": {k: v for k, v in facts.items() if v}})
    return m.lessons.update(lesson, status="ready", metadata=meta)


# -- the pages that record ------------------------------------------------------------------------
# Every page denies the camera and the microphone (swingvision/middleware.py); the pages with the
# lesson recorder (the swing and compare pages) let our own scripts ask for the microphone.
RECORDING_PERMISSIONS = "camera=(), microphone=(self), geolocation=()"


def allows_microphone(view):
    """A view whose page records lessons: the browser may ask the coach for the microphone."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Permissions-Policy"] = RECORDING_PERMISSIONS
        return response

    return wrapper
