"""Dashboard test data built the way the app builds it: synthetic swings through the real pipeline."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import account

__all__ = ["account", "add_swing"]


def add_swing(
    m,
    player,
    *,
    days_ago: float = 0.0,
    status: str = "analyzed",
    seed: int = 0,
    fps: float = 30.0,
    dropout: float = 0.0,
    blob_ref: str | None = None,
    shoulder_turn_deg: float = 92.0,
    backswing_s: float = 0.8,
    view: str = "face-on",
    club: str = "driver",
):
    """A swing recorded `days_ago`, analysed by the engine (or left in `status` without one)."""
    from analysis.engine.synth import SwingParams, generate_swing
    from analysis.pipeline import LoadedPoses, analyze_and_store
    from swingvision.db.codec import utc_now
    from swingvision.db.managers import SYSTEM

    params = SwingParams(
        fps=fps,
        width=480,
        height=360,
        seed=seed,
        dropout=dropout,
        shoulder_turn_deg=shoulder_turn_deg,
        backswing_s=backswing_s,
        view=view,
    )
    swing = generate_swing(params)
    analysed = status in ("analyzed", "expired")
    video = m.videos.create(
        SYSTEM,
        player.id,
        filename=f"swing-{seed}.mp4",
        status="processing" if analysed else status,
        metadata={
            "fps": fps,
            "frame_count": swing.n_frames,
            "width": params.width,
            "height": params.height,
            "club": club,
            "view": view,
        },
        blob_ref=blob_ref,
        duration_s=swing.n_frames / fps,
        uploaded_at=utc_now() - timedelta(days=days_ago),
    )
    if not analysed:
        return video, None, swing
    poses = LoadedPoses(
        keypoints=swing.keypoints, fps=fps, source="synthetic", width=480, height=360
    )
    analysis = analyze_and_store(m, video, poses, player=player)
    current = m.videos.get_system(player.id, video.id)
    m.videos.transition(current, "processing", status)
    return m.videos.get_system(player.id, video.id), analysis, swing
