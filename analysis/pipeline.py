"""From a stored video to stored poses, analysis and progress: what the worker does for each video.

The engine (analysis/engine/) is a pure function of arrays; this module is its Django-side user:
it makes the browser rendition when the upload needs one (swingvision/videos/renditions.py), reads
the video's poses (an attached pose file, or MediaPipe extraction from the video), runs the engine,
writes poses, the analysis and the day's progress row through the managers, and draws the swing's
poster and event strip (swingvision/videos/thumbnails.py). Every write is an idempotent upsert with
a deterministic id (or blob key), so a run that dies half-way is simply re-run.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.engine import ENGINE_VERSION, AnalysisError, analyze
from analysis.engine.corrections import coach_events, engine_override
from analysis.engine.extract import ExtractionError, extract_poses, mediapipe_available
from analysis.engine.pose import N_LANDMARKS, POSE_EMBEDDING_VERSION
from analysis.engine.pose_io import PoseFileError, load_pose_file
from analysis.engine.similarity import frame_phases
from swingvision.coaching.review import carry_edits
from swingvision.db.codec import utc_now
from swingvision.db.errors import Changed
from swingvision.db.managers import SYSTEM, Managers, managers
from swingvision.db.managers.analyses import RowVersion, analysis_id
from swingvision.db.records import SwingAnalysis, User, Video
from swingvision.db.swing_facts import dense_keypoints, frame_count, view_of
from swingvision.storage import BlobNotFound, StorageError, get_store
from swingvision.videos.probe import decode_budget_error
from swingvision.videos.renditions import RenditionError, ensure_rendition
from swingvision.videos.thumbnails import ThumbnailError, make_thumbnails
from swingvision.videos.validation import max_megapixel_frames

log = logging.getLogger("swingvision.worker")

MIN_DETECTED_FRACTION = 0.2


class ProcessingError(Exception):
    """A video that cannot be analysed, with the reason a coach reads on the swing page."""


@dataclass(frozen=True, slots=True)
class LoadedPoses:
    keypoints: np.ndarray  # (F, 33, 4)
    fps: float  # the rate the frames were captured at (durations use it)
    source: str  # "pose-file:<format>" | "mediapipe" | "synthetic"
    width: int | None = None
    height: int | None = None


def _metadata_fps(video: Video) -> float | None:
    for key in ("capture_fps", "fps"):
        value = video.metadata.get(key)
        if isinstance(value, int | float) and value > 0:
            return float(value)
    return None


def load_poses(video: Video, *, m: Managers | None = None, progress=None) -> LoadedPoses:
    """The poses of a stored video: its attached pose file if any, else MediaPipe extraction."""
    store = get_store()
    meta = video.metadata
    width, height = meta.get("width"), meta.get("height")
    if meta.get("pose_ref"):
        try:
            with store.open(meta["pose_ref"]) as fh:
                data = fh.read()
        except BlobNotFound:
            raise ProcessingError("the attached pose file is missing from storage") from None
        except StorageError as e:
            raise ProcessingError(f"cannot read the pose file: {e}") from e
        try:
            pf = load_pose_file(data, meta.get("pose_filename", ""), width=width, height=height)
        except PoseFileError as e:
            raise ProcessingError(f"pose file: {e}") from e
        fps = meta.get("capture_fps") or pf.fps or _metadata_fps(video)
        if not fps:
            raise ProcessingError("pose file: no frame rate in the file or the video")
        return LoadedPoses(
            keypoints=pf.keypoints,
            fps=float(fps),
            source=f"pose-file:{pf.source_format}",
            width=pf.width or width,
            height=pf.height or height,
        )
    stored = stored_poses(m or managers(), video) if meta.get("pose_fps") else None
    if stored is not None:
        return stored
    if not video.blob_ref:
        raise ProcessingError("no video file and no pose file to analyse")
    if not mediapipe_available():
        raise ProcessingError(
            "pose extraction is not installed on this server (pip install .[pose]); "
            "attach a pose file instead"
        )
    try:
        with store.local_copy(video.blob_ref) as path:
            extracted = extract_poses(path, progress=progress)
    except BlobNotFound:
        raise ProcessingError("the video file is missing from storage") from None
    except StorageError as e:
        raise ProcessingError(f"cannot read the video: {e}") from e
    except ExtractionError as e:
        raise ProcessingError(f"cannot decode the video: {e}") from e
    fps = meta.get("capture_fps") or extracted.fps
    return LoadedPoses(
        keypoints=extracted.keypoints,
        fps=float(fps),
        source="mediapipe",
        width=extracted.width,
        height=extracted.height,
    )


def stored_poses(m: Managers, video: Video, analysis: SwingAnalysis | None = None):
    """The poses a previous run stored, as the engine takes them (a re-analysis after an engine
    change or a coach's correction: no second extraction), or None when none are stored. Their
    rate is the one `analysis` used (else the one the worker recorded); its frame shape is kept
    when it came from a pose file."""
    meta = video.metadata
    fps = ((analysis.details or {}).get("fps") if analysis else None) or meta.get("pose_fps")
    seq = m.poses.sequence(SYSTEM, video.user_id, video.id)
    if not len(seq) or not isinstance(fps, int | float) or fps <= 0:
        return None
    n = max(frame_count(video, analysis), int(seq.frame_numbers.max()) + 1)
    width, height = meta.get("width"), meta.get("height")
    aspect = (analysis.details or {}).get("aspect") if analysis else None
    known = isinstance(aspect, int | float) and aspect > 0
    if known and (not (width and height) or abs(float(width) / float(height) - aspect) > 1e-9):
        # The analysis's frame shape came from its pose file: keep that shape.
        width, height = round(aspect * 100_000), 100_000
    try:
        return LoadedPoses(
            keypoints=dense_keypoints(seq, n),
            fps=float(fps),
            source=str((analysis.details or {}).get("pose_source") if analysis else "")
            or meta.get("pose_source", "stored"),
            width=int(width) if width else None,
            height=int(height) if height else None,
        )
    except (TypeError, ValueError) as e:  # a malformed stored frame size
        raise ProcessingError(str(e)) from e


def _jsonable(value: Any) -> Any:
    """Engine output to plain JSON types (NaN and inf become None)."""
    if dataclasses.is_dataclass(value):
        return _jsonable(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    return value


def run_engine(
    keypoints: np.ndarray,
    fps: float,
    *,
    player: User,
    view: str,
    aspect: float = 1.0,
    events_override: dict[str, int] | None = None,
    rate_confirmed: bool = False,
    club: str | None = None,
):
    targets = {
        k: tuple(v)
        for k, v in (player.settings.get("targets") or {}).items()
        if isinstance(v, list | tuple) and len(v) == 2
    }
    return analyze(
        keypoints,
        fps,
        left_handed=player.settings.get("handedness") == "left",
        view=view,
        targets=targets or None,
        events_override=events_override,
        aspect=aspect,
        rate_confirmed=rate_confirmed,
        club=club,
    )


def rate_confirmed(video: Video) -> bool:
    """Whether someone gave the rate the swing was filmed at: on upload (capture_fps) or by
    answering the swing page's "Is this slow motion?" (which sets it too)."""
    value = video.metadata.get("capture_fps")
    return isinstance(value, int | float) and value > 0


def analysis_fields(result, *, fps: float, view: str, source: str, aspect: float) -> dict:
    """The stored form of an engine result: flat metric values plus the details pages need."""
    metrics = {name: _jsonable(m.value) for name, m in result.metrics.items()}
    return {
        "engine_version": result.engine_version,
        "overall_score": _jsonable(result.overall_score),
        "metrics": metrics,
        "events": _jsonable(dict(result.events)),
        "feedback": [_jsonable(f) for f in result.feedback],
        "swing_embedding": np.asarray(result.swing_embedding, dtype=np.float32),
        "details": {
            "metrics": {name: _jsonable(m) for name, m in result.metrics.items()},
            "event_confidence": _jsonable(dict(result.event_confidence)),
            # state ("real time", "too slow for real time": the swing page asks whether the
            # clip is slow motion, "confirmed"), slow_motion_factor, too_slow_for_real_time and
            # downswing_s (analysis/README.md, analysis/engine/timing.py)
            "timing": _jsonable(dict(result.timing)),
            "fps": fps,
            "view": view,
            "left_handed": bool(result.left_handed),
            "aspect": aspect,
            "pose_source": source,
            "n_frames": int(result.n_frames),
            # The pose vectors' version: `reanalyze --outdated` recomputes older ones.
            "embedding_version": POSE_EMBEDDING_VERSION,
            "score_label": _jsonable(getattr(result, "score_label", None)),
        },
    }


# What a coach added to an analysis (swingvision/coaching): kept when the swing is analysed again.
# "published": the feedback the coach published to the player (swingvision/coaching/review.py).
COACH_DETAILS = ("annotations", "corrections", "event_override", "published")


# How often a re-analysis that lost a race with another write of the same analysis (a coach's
# correction or drawing at the same moment) reads it again and re-applies its change.
WRITE_ATTEMPTS = 4


def base_for_write(m: Managers, video: Video) -> tuple[SwingAnalysis | None, RowVersion]:
    """What a re-analysis builds on and writes over: the row of the current engine version read
    by primary key with its version (real-time on CrateDB), else the swing's newest analysis by
    an older engine (the new row is then written only if still absent)."""
    current, at = m.analyses.read_for_write(video.user_id, analysis_id(video.id, ENGINE_VERSION))
    return (current or m.analyses.latest_for_video_system(video)), at


def analyze_and_store(
    m: Managers,
    video: Video,
    poses: LoadedPoses,
    *,
    player: User | None = None,
    corrections: list[dict] | None = None,
    event_override: dict[str, int] | None = None,
    previous: SwingAnalysis | None = None,
    at: RowVersion | None = None,
) -> SwingAnalysis:
    """Run the engine on the poses and write poses, analysis and progress (idempotent).

    The coach's drawings and event corrections of the swing's previous analysis carry over, and
    the events a correction kept stay where they were (the engine's events_override). A coach
    correcting an event now passes the new `corrections` and the events to keep, with the
    `previous` analysis they were made from and its version `at` (base_for_write): the write
    then raises Changed if someone wrote the analysis since, for the caller to re-apply its
    change. Without them the previous analysis is read here, and a lost race is run again
    (at most WRITE_ATTEMPTS times) so a drawing or a correction made meanwhile is kept."""
    if at is not None:
        return _analyze_and_store(
            m, video, poses, player, corrections, event_override, previous, at
        )
    for _ in range(WRITE_ATTEMPTS - 1):
        try:
            return _analyze_and_store(
                m, video, poses, player, corrections, event_override, *base_for_write(m, video)
            )
        except Changed:
            continue  # someone wrote the analysis meanwhile: build on theirs
    return _analyze_and_store(
        m, video, poses, player, corrections, event_override, *base_for_write(m, video)
    )


def _analyze_and_store(
    m: Managers,
    video: Video,
    poses: LoadedPoses,
    player: User | None,
    corrections: list[dict] | None,
    event_override: dict[str, int] | None,
    previous: SwingAnalysis | None,
    at: RowVersion,
) -> SwingAnalysis:
    kp = np.asarray(poses.keypoints, dtype=np.float32)
    if kp.ndim != 3 or kp.shape[1:] != (N_LANDMARKS, 4):
        raise ProcessingError(f"poses have shape {kp.shape}, expected (frames, 33, 4)")
    player = player or m.users.get(video.user_id)
    view = view_of(video, player)
    width = poses.width or video.metadata.get("width")
    height = poses.height or video.metadata.get("height")
    aspect = float(width) / float(height) if width and height else 1.0
    kept = {k: previous.details[k] for k in COACH_DETAILS if previous and k in previous.details}
    if corrections is not None:
        kept["corrections"], kept["event_override"] = corrections, event_override or {}
    override = engine_override(kept, len(kp))
    try:
        result = run_engine(
            kp,
            poses.fps,
            player=player,
            view=view,
            aspect=aspect,
            events_override=override,
            rate_confirmed=rate_confirmed(video),
            club=video.metadata.get("club"),
        )
    except AnalysisError as e:
        raise ProcessingError(str(getattr(e, "reason", e))) from e
    fields = analysis_fields(result, fps=poses.fps, view=view, source=poses.source, aspect=aspect)
    fields["details"].update(kept)
    # The coach's edits to the feedback survive the re-analysis (swingvision/coaching/review.py).
    fields["feedback"], edits = carry_edits(previous, fields["feedback"], at=utc_now().isoformat())
    fields["details"].update(edits)
    if override and previous is not None:
        # An event kept where the engine had found it keeps the engine's confidence (the engine
        # reads every kept event as certain); the coach's own read as the coach's (1.0).
        coach = coach_events(kept.get("corrections"))
        found = previous.details.get("event_confidence") or {}
        confidence = fields["details"]["event_confidence"]
        for name in override:
            if name not in coach and isinstance(found.get(name), int | float):
                confidence[name] = found[name]
    # Poses first, then the analysis, then progress: a crash in between leaves rows that the
    # re-run overwrites (same ids), never a second copy. Each pose carries its phase, view and
    # handedness, which similarity search filters on (analysis/engine/similarity.py).
    m.poses.write_video_poses(
        video,
        kp,
        poses.fps,
        embeddings=result.pose_embeddings,
        phases=frame_phases(result.events, len(kp)),
        view=view,
        left_handed=bool(result.left_handed),
    )
    if fields["engine_version"] != ENGINE_VERSION:
        raise ProcessingError(f"the engine reported version {fields['engine_version']}")
    analysis = m.analyses.save(video, **fields, at=at)  # Changed: someone wrote it since
    m.progress.recompute_day(video.user_id, video.uploaded_at.date())
    return analysis


def fail(m: Managers, video: Video, reason: str) -> Video:
    current = m.videos.get_system(video.user_id, video.id)
    meta = {**current.metadata, "error": reason}
    meta.pop("progress", None)
    return m.videos.update(current, status="failed", metadata=meta)


# Progress goes to the row at most this often (every write is a database round trip).
PROGRESS_EVERY_S = 1.0


def progress_writer(m: Managers, video: Video, label: str):
    """A `progress(done, total)` callback that shows "<label> N%" on the swing (the player page
    polls it), written when the percentage moves and at most every PROGRESS_EVERY_S. Each write
    also tells requeue_stale that the worker is alive."""
    last = {"pct": -1, "at": 0.0}

    def progress(i: int, n: int) -> None:
        pct = int(100 * i / max(n, 1))
        now = time.monotonic()
        if pct == last["pct"] or (now - last["at"] < PROGRESS_EVERY_S and pct < 100):
            return
        last.update(pct=pct, at=now)
        current = m.videos.get_system(video.user_id, video.id)
        m.videos.update(current, metadata={**current.metadata, "progress": f"{label} {pct}%"})

    return progress


def _note(m: Managers, video: Video, key: str, reason: str) -> Video:
    current = m.videos.get_system(video.user_id, video.id)
    meta = {k: v for k, v in current.metadata.items() if k != "progress"}
    meta[key] = reason
    return m.videos.update(current, metadata=meta)


def playback_step(m: Managers, video: Video) -> Video:
    """The browser rendition (videos/renditions.py). A video whose rendition fails is still
    analysed: the reason is kept in metadata["rendition_error"] and the replay tries the original."""
    try:
        return ensure_rendition(m, video, progress=progress_writer(m, video, "transcoding"))
    except (RenditionError, StorageError) as e:
        log.warning("video %s: no browser rendition: %s", video.id, e)
        return _note(m, video, "rendition_error", str(e))


def thumbnail_step(m: Managers, video: Video, analysis: SwingAnalysis, poses: LoadedPoses) -> Video:
    """The poster and event strip (videos/thumbnails.py), after the analysis found the events.
    A failure is kept in metadata["thumbs_error"]; the swing is analysed all the same."""
    current = m.videos.get_system(video.user_id, video.id)
    size = (poses.width, poses.height) if poses.width and poses.height else None
    try:
        return make_thumbnails(m, current, analysis.events, keypoints=poses.keypoints, size=size)
    except (ThumbnailError, StorageError) as e:
        log.warning("video %s: no thumbnails: %s", video.id, e)
        return _note(m, current, "thumbs_error", str(e))


def check_decode_budget(video: Video) -> None:
    """A video over the decode budget (frames x pixels) is refused before anything decodes it:
    rows uploaded before the budget existed, or under a larger one."""
    if not video.blob_ref or video.status == "expired":
        return
    meta = video.metadata
    dims = [meta.get(k) for k in ("coded_width", "coded_height", "frame_count")]
    if not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in dims):
        dims = [meta.get(k) for k in ("width", "height", "frame_count")]
    if all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in dims):
        reason = decode_budget_error(*dims, max_megapixel_frames())
        if reason:
            raise ProcessingError(reason)


def process_video(video: Video, *, m: Managers | None = None) -> Video:
    """Process a video the caller has claimed (status `processing`): its browser rendition, its
    poses and analysis, then its thumbnails; returns the final record."""
    m = m or managers()
    try:
        check_decode_budget(video)
        video = playback_step(m, video)
        poses = load_poses(video, m=m, progress=progress_writer(m, video, "poses"))
        detected = np.any(~np.isnan(poses.keypoints[:, :, 0]), axis=1)
        if len(detected) and detected.mean() < MIN_DETECTED_FRACTION:
            raise ProcessingError(
                f"no person detected in {100 * (1 - detected.mean()):.0f}% of frames"
            )
        analysis = analyze_and_store(m, video, poses)
        thumbnail_step(m, video, analysis, poses)
    except ProcessingError as e:
        log.info("video %s failed: %s", video.id, e)
        return fail(m, video, str(e))
    except Exception as e:
        log.exception("video %s: unexpected error", video.id)
        fail(
            m, video, f"internal error while analysing ({type(e).__name__}); an admin can re-run it"
        )
        raise
    current = m.videos.get_system(video.user_id, video.id)
    meta = {k: v for k, v in current.metadata.items() if k not in ("error", "progress")}
    meta["pose_source"] = poses.source
    meta["pose_fps"] = poses.fps
    # The camera view the swing was analysed from stays with the swing (the player's usual view
    # may change later): pages that must never mix views group swings by it.
    meta.setdefault("view", analysis.details.get("view"))
    done = m.videos.update(current, metadata=meta)
    if not m.videos.transition(done, "processing", "analyzed"):
        log.warning("video %s changed status while it was processed", video.id)
    return m.videos.get_system(video.user_id, video.id)
