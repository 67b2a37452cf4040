"""Checked uploads into the blob store and the videos table, all or nothing.

Blobs are written first and the rows after, so a row never points at a missing blob; if a row
cannot be written, the blobs written for the request are deleted again. Pose files are blobs too
(`poses/<player_id>/<video_id>/<version>-<name>`), named in the video's metadata for the worker.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from swingvision.db.codec import utc_now
from swingvision.db.ids import new_id
from swingvision.db.managers import Actor, managers
from swingvision.db.records import User, Video
from swingvision.storage import get_store, safe_filename, video_key

from .validation import CheckedVideo, UploadRejected, check_pose

log = logging.getLogger("swingvision.videos")

# Statuses a pose file may be attached in; analyzed and failed videos go back to the queue.
POSE_ATTACH_STATUSES = ("uploaded", "analyzed", "failed")


def _pose_key(player_id: str, video_id: str, filename: str) -> str:
    # A new name per attachment: the worker may be reading the previous file while we write.
    version = new_id()[-10:].lower()
    name = safe_filename(filename, default="poses")
    return video_key(player_id, video_id, f"{version}-{name}", kind="poses")


def _pose_metadata(ref: str, checked_name: str, pose: Any) -> dict[str, Any]:
    meta = {
        "pose_ref": ref,
        "pose_filename": checked_name,
        "pose_format": pose.source_format,
        "pose_frames": len(pose.keypoints),
    }
    if pose.fps:
        meta["pose_fps"] = float(pose.fps)
    return meta


def video_metadata(checked: CheckedVideo, *, source: str, actor: Actor) -> dict[str, Any]:
    """The row's metadata: the probe's facts, the form's fields, where the upload came from.

    Keys with no value are left out (CrateDB's dynamic objects type a key by its first value)."""
    fields = checked.fields
    meta: dict[str, Any] = {
        **checked.info.as_metadata(),
        "size_bytes": int(checked.upload.size),
        "content_type": checked.content_type,
        "source": source,
        "uploaded_by": actor.id,
        "club": fields.club,
        "view": fields.view,
        "capture_fps": fields.capture_fps,
    }
    return {k: v for k, v in meta.items() if v is not None}


@contextmanager
def _undo_on_error(actor: Actor) -> Iterator[tuple[list[str], list[Video]]]:
    """Collects what a request wrote; on any error (or a client gone mid-write) removes it."""
    refs: list[str] = []
    rows: list[Video] = []
    try:
        yield refs, rows
    except BaseException:
        m = managers()
        store = get_store()
        for video in rows:
            try:
                m.videos.delete(actor, video)
            except Exception:
                log.exception("could not remove video row %s after a failed upload", video.id)
        for ref in refs:
            try:
                store.delete(ref)
            except Exception:
                log.exception("could not remove blob %s after a failed upload", ref)
        raise


def store_videos(
    actor: Actor, player: User, checked: list[CheckedVideo], *, source: str
) -> list[Video]:
    """Write the blobs, then the rows, of checked uploads; nothing remains if any write fails."""
    m = managers()
    store = get_store()
    with _undo_on_error(actor) as (refs, rows):
        for item in checked:
            video_id = new_id()
            ref = store.put_file(
                video_key(player.id, video_id, item.filename, extension=item.info.extension),
                item.path,
                content_type=item.content_type,
            )
            refs.append(ref)
            meta = video_metadata(item, source=source, actor=actor)
            if item.pose is not None and item.pose_bytes is not None:
                pose_ref = store.put(
                    _pose_key(player.id, video_id, item.pose_filename),
                    io.BytesIO(item.pose_bytes),
                    content_type="text/plain",
                )
                refs.append(pose_ref)
                meta.update(_pose_metadata(pose_ref, item.pose_filename, item.pose))
            rows.append(
                m.videos.create(
                    actor,
                    player.id,
                    video_id=video_id,
                    filename=item.filename,
                    status="uploaded",
                    metadata=meta,
                    blob_ref=ref,
                    duration_s=item.info.duration_s,
                )
            )
        return list(rows)


def attach_pose(actor: Actor, video: Video, data: bytes, filename: str) -> Video:
    """Attach (or replace) a video's pose file and queue it for analysis.

    Allowed while the video waits (`uploaded`) and after it finished (`analyzed`, `failed`): the
    status goes back to `uploaded` so the worker analyses it again with these poses (the old
    analysis stays until the new one replaces it). Refused while `processing` (the worker is
    reading the old poses) and once `expired`. The status moves only if it did not change
    meanwhile, so a worker that claimed the video first wins and this answers 409."""
    if video.status not in POSE_ATTACH_STATUSES:
        if video.status == "processing":
            reason = "the video is being analysed right now; attach the pose file when it is done"
        else:
            reason = f"the video is {video.status}; a pose file can no longer be attached"
        raise UploadRejected("pose_file", reason, status=409)
    meta = video.metadata
    frame_count = meta.get("frame_count")
    if not isinstance(frame_count, int) or frame_count < 1:
        raise UploadRejected(
            "pose_file", "this video has no frame count to check a pose file against", status=409
        )
    pose = check_pose(
        data,
        filename,
        width=meta.get("width"),
        height=meta.get("height"),
        frame_count=frame_count,
    )
    store = get_store()
    m = managers()
    with _undo_on_error(actor) as (refs, _rows):
        ref = store.put(
            _pose_key(video.user_id, video.id, filename),
            io.BytesIO(data),
            content_type="text/plain",
        )
        refs.append(ref)
        new_meta = {k: v for k, v in meta.items() if k not in ("error", "pose_fps")}
        new_meta.update(_pose_metadata(ref, filename, pose))
        new_meta["pose_attached_at"] = utc_now().isoformat()
        updated = m.videos.update_if_status(
            video, video.status, status="uploaded", metadata=new_meta
        )
        if updated is None:
            raise UploadRejected(
                "pose_file", "the video changed state meanwhile; fetch it and try again", status=409
            )
    old = meta.get("pose_ref")
    if old and old != ref:
        try:
            store.delete(old)
        except Exception:
            # The new file is attached; an old one left over costs space, not correctness.
            log.exception("could not delete the replaced pose file %s", old)
    return updated
