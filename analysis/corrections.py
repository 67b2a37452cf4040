"""A coach corrects a swing (an event's frame, or its capture rate): the use cases that tie the
managers, the engine and the pipeline.

The manager (`Coaching`) loads the swing the coach may edit, validates the frame and logs the
change; the engine's rules (`analysis.engine.corrections`) say which events the re-analysis keeps;
the pipeline re-runs the engine on the stored poses and stores the new analysis, so metrics,
scores, feedback, pose phases, progress and the event strip follow the correction, and every later
re-analysis keeps the coach's frames.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from analysis.engine.corrections import coach_events, held_events, order_error
from analysis.engine.pose import EVENT_NAMES
from analysis.engine.timing import capture_rate
from analysis.pipeline import (
    WRITE_ATTEMPTS,
    ProcessingError,
    analyze_and_store,
    base_for_write,
    stored_poses,
    thumbnail_step,
)
from swingvision.db.codec import utc_now
from swingvision.db.errors import Changed
from swingvision.db.managers import Actor, Managers, ValidationError
from swingvision.db.managers.audit import target_of
from swingvision.db.managers.coaching import clean_frame
from swingvision.db.records import SwingAnalysis
from swingvision.db.swing_facts import frame_count, video_fps


def correct_event(
    m: Managers, actor: Actor, player_id: str, video_id: str, event: str, frame: Any
) -> SwingAnalysis:
    """Set one of the 8 events to a frame (frame None or "": give it back to the engine) and
    recompute the analysis at once: the engine keeps the coach's events and the others where
    they were (held_events), so what depends on the moved event changes. The correction is
    recorded in details["corrections"] (who, when, the engine's frame and the coach's), the
    events kept in details["event_override"] (what a re-analysis passes the engine again),
    and the audit log. Nothing is written when the engine cannot analyse the swing so.

    Two corrections at the same moment (two tabs, two coaches) both stay: the analysis is
    written only at the version the correction was made on, and one that lost the race reads
    the analysis again and re-applies its one event (WRITE_ATTEMPTS times at most, then Changed,
    a 409 asking to reload)."""
    for _ in range(WRITE_ATTEMPTS - 1):
        try:
            return _correct_event(m, actor, player_id, video_id, event, frame)
        except Changed:
            continue
    try:
        return _correct_event(m, actor, player_id, video_id, event, frame)
    except Changed:
        raise Changed(
            f"the swing's analysis kept changing while {event} was being corrected: "
            "reload the swing and try again"
        ) from None


def _correct_event(
    m: Managers, actor: Actor, player_id: str, video_id: str, event: str, frame: Any
) -> SwingAnalysis:
    player, video, latest = m.coaching.swing_for_edit(actor, player_id, video_id)
    # The row the correction writes, read by primary key with its version (real-time).
    analysis, at = base_for_write(m, video)
    analysis = analysis or latest
    if event not in EVENT_NAMES:
        raise ValidationError("event", f"must be one of {', '.join(EVENT_NAMES)}")
    coach_frame = clean_frame("frame", frame, frame_count(video, analysis))
    corrections = list(analysis.details.get("corrections") or [])
    current = coach_events(corrections, frame_count(video, analysis))
    if coach_frame is None and event not in current:
        return analysis  # already the engine's
    if coach_frame is not None and current.get(event) == coach_frame:
        return analysis
    wanted = {k: f for k, f in current.items() if k != event}
    if coach_frame is not None:
        wanted[event] = coach_frame
        problem = order_error(wanted, event, frame_count(video, analysis))
        if problem:
            raise ValidationError("frame", problem)
    # An event given back to the engine is found again; the others stay where they are.
    shown = {k: f for k, f in analysis.events.items() if k != event or coach_frame is not None}
    override = held_events(shown, wanted, frame_count(video, analysis))
    if event in current:  # corrected before: the engine's frame is the one recorded then
        engine_frame = next(
            c.get("engine_frame") for c in reversed(corrections) if c.get("event") == event
        )
    else:
        engine_frame = analysis.events.get(event)
    entry = {
        "event": event,
        "engine_frame": engine_frame,
        "coach_frame": coach_frame,
        "by": actor.id,
        "at": utc_now().isoformat(),
    }
    try:
        poses = stored_poses(m, video, analysis)
        if poses is None:
            raise ValidationError("event", "this swing has no stored poses to analyse again")
        new = analyze_and_store(
            m,
            video,
            poses,
            player=player,
            corrections=[*corrections, entry],
            event_override=override,
            previous=analysis,
            at=at,
        )
    except ProcessingError as e:
        raise ValidationError(
            "frame", f"the swing cannot be analysed with {event} at frame {coach_frame}: {e}"
        ) from None
    # The event strip shows the new frames; if a correction made at the same moment wrote the
    # analysis meanwhile, the strip is drawn again from that one (the last strip drawn follows
    # the last analysis written, whichever finished rendering first).
    shown = new
    for _ in range(WRITE_ATTEMPTS):
        thumbnail_step(m, video, shown, poses)
        latest, _ = m.analyses.read_for_write(video.user_id, new.id)
        if latest is None or latest.events == shown.events:
            break
        shown = latest
    m.coaching.record_correction(actor, analysis, new, entry)
    return new


def set_capture_rate(
    m: Managers, actor: Actor, player_id: str, video_id: str, answer: str
) -> SwingAnalysis:
    """The coach's answer to "Is this slow motion?" (analysis/engine/timing.py): "real",
    "2x"/"4x"/"8x" or "60"/"120"/"240". The swing is analysed again at that capture rate
    (stored poses, the coach's corrections kept) with its rate confirmed, so durations are
    measured from then on; the rate is kept in the video's metadata (capture_fps)."""
    player, video, analysis = m.coaching.swing_for_edit(actor, player_id, video_id)
    meta = video.metadata
    try:
        fps = capture_rate(str(answer or ""), video_fps(video, analysis))
    except ValueError as e:
        raise ValidationError("rate", str(e)) from None
    stored = stored_poses(m, video, analysis)
    if stored is None:
        raise ValidationError("rate", "this swing has no stored poses to analyse again")
    poses = dataclasses.replace(stored, fps=fps)
    before = {k: meta.get(k) for k in ("capture_fps", "pose_fps")}
    video = m.videos.update(video, metadata={**meta, "capture_fps": fps, "pose_fps": fps})
    try:
        new = analyze_and_store(m, video, poses, player=player)
    except ProcessingError as e:
        m.videos.update(video, metadata=meta)  # as it was: nothing half-written
        raise ValidationError("rate", f"the swing cannot be analysed at {fps:g} fps: {e}") from None
    m.audit.record(
        actor,
        "video.capture_rate",
        **target_of(video),
        before=before,
        after={"capture_fps": fps, "pose_fps": fps, "answer": answer},
    )
    return new


def analyse_for_new_view(
    m: Managers, actor: Actor, player_id: str, video_id: str
) -> SwingAnalysis | None:
    """Analyse a swing again at once, from its stored poses, after its camera view changed (the
    view decides what is measured: turn face-on, plane down the line). The coach's drawings and
    corrections carry over. None when the swing has no analysis or no stored poses to analyse
    (an analysis the worker has not made yet, a purged swing without poses)."""
    player, video, analysis = m.coaching.swing_for_edit(actor, player_id, video_id)
    if analysis is None:
        return None
    poses = stored_poses(m, video, analysis)
    if poses is None:
        return None
    try:
        return analyze_and_store(m, video, poses, player=player)
    except ProcessingError as e:
        raise ValidationError("view", f"the swing cannot be analysed for this view: {e}") from None
